"""Browser fixtures: Debian's Chromium (scripts/ensure-chromium) driven by Playwright against pytest-django's
live server.

Playwright's sync API runs an event loop in the test thread; Django then refuses database calls from that thread
(the transactional test database is flushed there), so async-unsafe calls are allowed for these tests only.
https://docs.djangoproject.com/en/5.2/topics/async/#async-safety
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from django.test.testcases import LiveServerThread
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
# Without the background-networking flags Chromium tries to reach Google's services and can hang offline.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Explicit waits only: a locator assertion retries until this many milliseconds, then fails.
TIMEOUT_MS = 5_000


class _OneRequestAtATime:
    """The live server's application, one request at a time.

    On the in-memory SQLite test database the live server's threads share the test's one connection, so two requests
    at once (a save and the live update the same click started) collided inside it: "cannot start a transaction within
    a transaction", a 503 seen in a CI-like run. A deployment never shares a connection between requests (one each per
    gunicorn worker, and on PostgreSQL), so the browser tests serialize requests as a sync worker does."""

    def __init__(self, app) -> None:
        self.app, self.lock = app, threading.Lock()

    def __call__(self, environ, start_response):
        with self.lock:
            return self.app(environ, start_response)


_create_server = LiveServerThread._create_server


def _serialized_server(self, connections_override=None):
    server = _create_server(self, connections_override=connections_override)
    if connections_override:  # only where a connection is shared
        set_app = server.set_app
        server.set_app = lambda app: set_app(_OneRequestAtATime(app))
    return server


LiveServerThread._create_server = _serialized_server


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test in this folder is a browser test on a live server (`-m "not e2e"` deselects them)."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.e2e)
            item.add_marker(pytest.mark.django_db(transaction=True))


@pytest.fixture(scope="session")
def chromium() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/ensure-chromium (make test does)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@contextmanager
def _context(chromium: Browser, **options) -> Iterator[BrowserContext]:
    context = chromium.new_context(**options)
    context.set_default_timeout(TIMEOUT_MS)
    yield context
    context.close()


@pytest.fixture
def page(chromium: Browser, live_server) -> Iterator[Page]:
    """A fresh browser tab with JavaScript on; a script error, a blocked resource or a CSP violation fails the test.

    htmx's own log lines ("htmx:sendAbort" when a newer keystroke replaces a request in flight) are expected.
    """
    expect.set_options(timeout=TIMEOUT_MS)
    with _context(chromium, base_url=live_server.url, viewport={"width": 1280, "height": 900}) as context:
        tab = context.new_page()
        errors: list[str] = []
        tab.on(
            "console",
            lambda message: (
                errors.append(message.text)
                if message.type == "error" and not message.text.startswith("htmx:")
                else None
            ),
        )
        tab.on("pageerror", lambda error: errors.append(str(error)))
        yield tab
        assert not errors, errors


@pytest.fixture
def page_without_js(chromium: Browser, live_server) -> Iterator[Page]:
    expect.set_options(timeout=TIMEOUT_MS)
    with _context(chromium, base_url=live_server.url, java_script_enabled=False) as context:
        yield context.new_page()
