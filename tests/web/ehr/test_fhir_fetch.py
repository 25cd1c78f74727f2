"""The FHIR fetch against real servers on loopback (tests/web/ehr/servers.py): https with a test CA, redirects,
a silent server, a server that drips one byte at a time. Hazard tests for these: tests/safety/test_hazards_edge.py."""

from __future__ import annotations

import time

import pytest

from assessments.ehr import fhir_fetch
from assessments.ehr.fhir_fetch import FetchFailed, fetch
from tests.web.ehr.servers import dripping_server, loopback_ca, serve, silent_server

PATIENT = {"resourceType": "Patient", "id": "p1"}


@pytest.fixture(autouse=True)
def trust_the_test_ca(monkeypatch):
    monkeypatch.setattr(fhir_fetch, "ssl_context", loopback_ca().client_context)


def soon(seconds: float = 5.0) -> float:
    return time.monotonic() + seconds


def test_it_fetches_json_over_https_with_the_token():
    with serve(lambda path: (200, {}, PATIENT), tls=True) as (base, received):
        assert fetch(f"{base}/fhir/Patient/p1", "tok-1", soon()) == PATIENT
    assert received.requests == [("/fhir/Patient/p1", "Bearer tok-1")]


def test_without_a_token_no_authorization_header_is_sent():
    with serve(lambda path: (200, {}, PATIENT), tls=True) as (base, received):
        fetch(f"{base}/fhir/Patient/p1", None, soon())
    assert received.tokens == [None]


def test_a_certificate_the_system_does_not_trust_is_refused(monkeypatch):
    monkeypatch.setattr(fhir_fetch, "ssl_context", lambda: __import__("ssl").create_default_context())
    with serve(lambda path: (200, {}, PATIENT), tls=True) as (base, received), pytest.raises(FetchFailed) as failed:
        fetch(f"{base}/fhir/Patient/p1", "tok-1", soon())
    assert "could not be reached" in str(failed.value) and received.requests == []


@pytest.mark.parametrize(("status", "words"), [(404, "HTTP 404"), (500, "HTTP 500")])
def test_an_error_status_is_a_failure_that_says_so(status, words):
    with serve(lambda path: (status, {}, {}), tls=True) as (base, _), pytest.raises(FetchFailed) as failed:
        fetch(f"{base}/fhir/Patient/p1", "tok-1", soon())
    assert words in str(failed.value)
    # The address is named without its query (which names the patient), and never with the token.
    assert "tok-1" not in str(failed.value)


def test_an_answer_that_is_not_json_is_a_failure():
    with serve(lambda path: (200, {}, b"<html>login</html>"), tls=True) as (base, _), pytest.raises(FetchFailed):
        fetch(f"{base}/fhir/Patient/p1", "tok-1", soon())


def test_an_answer_with_a_nul_is_refused_like_any_json_body():
    nul = b'{"resourceType": "Patient", "id": "p\\u0000"}'
    with serve(lambda path: (200, {}, nul), tls=True) as (base, _), pytest.raises(FetchFailed) as failed:
        fetch(f"{base}/fhir/Patient/p1", "tok-1", soon())
    assert "NUL" in str(failed.value)


def test_an_answer_larger_than_the_limit_is_refused(monkeypatch):
    monkeypatch.setattr(fhir_fetch, "MAX_BYTES", 1000)
    big = {"resourceType": "Bundle", "x": "a" * 5000}
    with serve(lambda path: (200, {}, big), tls=True) as (base, _), pytest.raises(FetchFailed) as failed:
        fetch(f"{base}/fhir/Observation", "tok-1", soon())
    assert "larger than" in str(failed.value)


def test_a_same_origin_redirect_is_followed_with_the_token():
    def answer(path):
        if path.startswith("/old/"):
            return 301, {"Location": path.replace("/old/", "/fhir/")}, {}
        return 200, {}, PATIENT

    with serve(answer, tls=True) as (base, received):
        assert fetch(f"{base}/old/Patient/p1", "tok-1", soon()) == PATIENT
    assert received.requests == [("/old/Patient/p1", "Bearer tok-1"), ("/fhir/Patient/p1", "Bearer tok-1")]


def test_endless_redirects_stop():
    endless = serve(lambda path: (302, {"Location": path + "x"}, {}), tls=True)
    with endless as (base, received), pytest.raises(FetchFailed) as failed:
        fetch(f"{base}/fhir/Patient/p1", "tok-1", soon())
    assert "more than 3 times" in str(failed.value) and len(received.requests) == 4


def test_a_plain_http_address_is_never_fetched():
    with serve(lambda path: (200, {}, PATIENT), tls=False) as (base, received), pytest.raises(FetchFailed):
        fetch(f"{base}/fhir/Patient/p1", "tok-1", soon())
    assert received.requests == []


def test_a_deadline_already_passed_fetches_nothing():
    with serve(lambda path: (200, {}, PATIENT), tls=True) as (base, received), pytest.raises(FetchFailed) as failed:
        fetch(f"{base}/fhir/Patient/p1", "tok-1", time.monotonic() - 1)
    assert "in time" in str(failed.value) and received.requests == []


def test_a_silent_server_is_given_up_at_the_connect_timeout(monkeypatch):
    monkeypatch.setattr(fhir_fetch, "CONNECT_TIMEOUT_SECONDS", 0.3)
    with silent_server() as base:
        started = time.monotonic()
        with pytest.raises(FetchFailed):
            fetch(f"{base}/fhir/Patient/p1", "tok-1", soon())
    assert time.monotonic() - started < 1.5


def test_a_dripping_server_is_cut_at_the_deadline():
    # Each byte comes within the 3 s read timeout: only the deadline can end it.
    with dripping_server(every=0.1) as base:
        started = time.monotonic()
        with pytest.raises(FetchFailed) as failed:
            fetch(f"{base}/fhir/Patient/p1", "tok-1", soon(0.8))
        elapsed = time.monotonic() - started
    assert "did not answer in time" in str(failed.value)
    assert 0.7 < elapsed < 1.8
