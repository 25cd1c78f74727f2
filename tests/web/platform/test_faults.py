"""Faults the hospital will have: the database goes away.

A database outage must read as one: a 503 page that says the database is unavailable (a clinician waits or falls
back to the local protocol; a load balancer takes the instance out), and /healthz says the same to the monitor.
A 500 would read as a bug in HypoMag and hide the real cause.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from unittest.mock import patch

import pytest
from django.db import InterfaceError, OperationalError, connection
from django.test import Client, RequestFactory

from assessments.middleware import DatabaseUnavailableMiddleware

# Every page that takes no id, as an admin (who may open all of them) sees it.
PAGES = ["/", "/references/", "/about/", "/patients/", "/patients/new/", "/ward/", "/review/", "/audit/"]


@contextmanager
def database_down(error: type[Exception] = OperationalError) -> Iterator[None]:
    """Every new query fails the way psycopg's does when the server is gone (Django wraps it in its own class)."""
    with patch.object(connection, "ensure_connection", side_effect=error("connection to server failed")):
        yield


@pytest.fixture
def admin_client(client_as) -> Client:
    return client_as("admin")


@pytest.mark.parametrize("url", PAGES)
def test_every_page_says_the_database_is_unavailable(admin_client: Client, url: str):
    with database_down():
        response = admin_client.get(url)

    assert response.status_code == 503
    assert b"The database is unavailable" in response.content
    # Not "server error": the clinician must know it is an outage, not something they did.
    assert b"Server Error" not in response.content


def test_a_form_post_during_an_outage_is_a_503_too(admin_client: Client):
    token = admin_client.csrf_token()  # the page was loaded before the database went away
    with database_down():
        response = admin_client.post(
            "/", {"age_years": "45", "csrfmiddlewaretoken": token}, headers={"HX-Request": "true"}
        )

    assert response.status_code == 503


def test_the_outage_page_asks_to_retry_and_is_never_cached(admin_client: Client):
    with database_down():
        response = admin_client.get("/")

    assert response["Retry-After"] == "30"
    assert response["Cache-Control"] == "no-store"
    # The page keeps the Content-Security-Policy: no inline script or style sneaks in with it.
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert b"<script" not in response.content
    assert b"style=" not in response.content


def test_a_dropped_connection_is_an_outage_too(admin_client: Client):
    # InterfaceError: the connection object is closed under Django (a restarted server, a killed backend).
    with database_down(InterfaceError):
        response = admin_client.get("/about/")

    assert response.status_code == 503


def test_healthz_reports_the_same_outage(admin_client: Client):
    with database_down():
        page = admin_client.get("/")
        health = Client().get("/healthz")

    assert page.status_code == health.status_code == 503
    assert health.json() == {"status": "error", "database": "unavailable"}


def test_it_leaves_other_errors_alone(rf: RequestFactory):
    # A bug is still a 500 with its traceback in the log; only database outages become the 503 page.
    middleware = DatabaseUnavailableMiddleware(lambda request: None)

    assert middleware.process_exception(rf.get("/"), ValueError("a bug")) is None


def test_the_pages_work_again_when_the_database_is_back_and_nobody_was_signed_out(admin_client: Client):
    with database_down():
        outage = admin_client.get("/about/")

    assert outage.status_code == 503
    # The session cookie was neither deleted nor replaced: the outage must not sign anybody out on a ward PC.
    assert "sessionid" not in outage.cookies
    response = admin_client.get("/about/")
    assert response.status_code == 200
    assert b"Signed in as" in response.content


@pytest.mark.parametrize("url", ["/", "/about/", "/references/", "/import/fhir/", "/rules/", "/accounts/login/"])
def test_pages_that_read_nothing_still_answer_a_visitor_during_an_outage(url: str):
    # docs/deploy.md says so: a visitor who is not signed in carries no session to load, and these pages read nothing.
    with database_down():
        assert Client().get(url).status_code == 200


@pytest.mark.django_db
def test_a_live_update_still_running_when_its_session_ends_is_answered_not_refused(client_as):
    # A live update on its way when Sign in (a new session key) or Sign out is pressed in the same browser: Django
    # would answer 400 and the page would show a failed update. The answer is given; the ended session stays ended.
    from django.contrib.sessions.backends.db import SessionStore

    clinician = client_as("clinician")
    key = clinician.cookies["sessionid"].value
    original_save = SessionStore.save

    def ended_elsewhere(self, must_create=False):
        SessionStore(session_key=key).delete()  # the concurrent sign-out
        return original_save(self, must_create=must_create)

    with patch.object(SessionStore, "save", ended_elsewhere):
        response = clinician.get("/about/")
    assert response.status_code == 200
    assert not SessionStore().exists(key)
