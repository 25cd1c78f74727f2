"""The Django admin under the site's Content-Security-Policy (script-src 'self', style-src 'self').

The `page` fixture fails a test on any console error, and Chromium reports every CSP violation as one; so each
admin page an administrator uses is opened, and its scripts (the filters, the date widgets) must run.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect


@pytest.fixture
def admin_page(page: Page, live_server, login, admin, ward) -> Page:
    cookie = login(admin).cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
    return page


@pytest.mark.parametrize(
    "path",
    [
        "/admin/",
        "/admin/assessments/auditevent/",
        "/admin/assessments/patient/",
        "/admin/assessments/patient/add/",
        "/admin/auth/user/",
        "/admin/auth/user/add/",
    ],
)
def test_admin_pages_work_under_the_csp(admin_page: Page, path: str):
    admin_page.goto(path)
    expect(admin_page.locator("#site-name")).to_be_visible()


def test_the_admin_date_widget_runs_its_script(admin_page: Page):
    admin_page.goto("/admin/assessments/patient/add/")
    # DateTimeShortcuts.js adds "Today" beside the date field: admin JavaScript ran under script-src 'self'.
    expect(admin_page.get_by_role("link", name="Today")).to_be_visible()
