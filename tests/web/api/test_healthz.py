from unittest.mock import patch

import pytest
from django.db import OperationalError, connection
from django.test import Client

from assessments.clinical import RULESET_VERSION


@pytest.mark.django_db
def test_it_works(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "ruleset": RULESET_VERSION}
    # A monitor must see the database as it is now, never a cached "ok".
    assert response["Cache-Control"] == "no-store"


def test_it_only_allows_get(client):
    response = client.submit("/healthz")

    assert response.status_code == 405


def test_it_reports_a_database_outage(client):
    with patch.object(connection, "cursor", side_effect=OperationalError("connection refused")):
        response = client.get("/healthz")

    # 503, not 500: a load balancer takes the instance out of rotation instead of reporting a crash.
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "unavailable"}
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_it_asks_the_database(django_assert_num_queries):
    # One real query per request: "database ok" must come from the database, not from a flag set at start-up.
    with django_assert_num_queries(1):
        response = Client(enforce_csrf_checks=True).get("/healthz")

    assert response.status_code == 200


@pytest.mark.django_db
def test_it_needs_no_login_and_sets_no_cookie():
    response = Client(enforce_csrf_checks=True).get("/healthz")

    # A monitor has no account; probing must not create sessions either.
    assert response.status_code == 200
    assert not response.cookies
