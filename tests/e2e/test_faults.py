"""A lost connection during a live update: the form stays as typed, and the page says the result is stale.

htmx swaps nothing when a request fails, so the values survive; static/js/connection.js (loaded by base.html)
adds the alert, because an unchanged result next to changed values would otherwise read as their answer.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Browser, Page, Route, expect

from tests.e2e.conftest import TIMEOUT_MS
from tests.e2e.test_assess_page import MG_VALUE, expect_v1_result, fill_v1

LOST = re.compile(r"Connection lost")
DISCONNECTED = "net::ERR_INTERNET_DISCONNECTED"


@pytest.fixture
def flaky_page(chromium: Browser, live_server) -> Iterator[Page]:
    """Like conftest's `page`, except that the one network error this test causes on purpose is expected.

    Chromium logs the request cut on purpose as a console error ("net::ERR_INTERNET_DISCONNECTED"); any other error
    still fails the test.
    """
    expect.set_options(timeout=TIMEOUT_MS)
    context = chromium.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    tab = context.new_page()
    errors: list[str] = []

    def on_console(message) -> None:
        if message.type == "error" and not message.text.startswith("htmx:") and DISCONNECTED not in message.text:
            errors.append(message.text)

    tab.on("console", on_console)
    tab.on("pageerror", lambda error: errors.append(str(error)))
    yield tab
    context.close()
    assert not errors, errors


def _is_assessment_post(route: Route) -> bool:
    return route.request.method == "POST" and urlparse(route.request.url).path == "/"


def lose_the_connection(page: Page) -> None:
    """From now on every POST of the form fails at the network level, as when a Wi-Fi access point drops out."""

    def handle(route: Route) -> None:
        if _is_assessment_post(route):
            route.abort("internetdisconnected")
        else:
            route.continue_()

    page.route("**/*", handle)


def test_a_lost_connection_leaves_the_form_as_typed(flaky_page: Page):
    page = flaky_page
    page.goto("/")
    fill_v1(page)
    page.get_by_label(MG_VALUE).press("Tab")
    expect_v1_result(page)

    lose_the_connection(page)
    # Waits until the live update was attempted and failed: the test really cut a request, not an idle page.
    with page.expect_event("requestfailed", predicate=lambda request: request.method == "POST"):
        page.get_by_label("Weight (kg)").fill("82")
        page.get_by_label(MG_VALUE).fill("0.41")
        page.get_by_label(MG_VALUE).press("Tab")

    # Nothing was swapped over what was typed, and the page was not reloaded.
    expect(page.get_by_label(MG_VALUE)).to_have_value("0.41")
    expect(page.get_by_label("Weight (kg)")).to_have_value("82")
    expect(page.get_by_label("Age (years)")).to_have_value("45")
    expect(page.get_by_label("Transplant type")).to_have_value("allogeneic")
    expect(page).to_have_url(re.compile(r"/$"))


def test_a_lost_connection_says_so_until_it_is_back(flaky_page: Page):
    page = flaky_page
    page.goto("/")
    fill_v1(page)
    lose_the_connection(page)
    page.get_by_label(MG_VALUE).press("Tab")

    alert = page.get_by_role("alert").filter(has_text=LOST)
    expect(alert).to_be_visible()
    expect(alert).to_contain_text("What you typed is kept")
    expect(page.get_by_label(MG_VALUE)).to_have_value("0.52")

    page.unroute("**/*")
    page.get_by_role("button", name="Assess").click()

    expect_v1_result(page)
    # Once a result arrives again, the warning goes: it must not cry wolf over a fresh result.
    expect(alert).to_have_count(0)
