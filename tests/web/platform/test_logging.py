"""Structured logging and error pages: one JSON object per line, and no patient identifier in a log line or an error
page (issue 7, Security). The end-to-end test reads what the configured console handler really writes."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments import services
from assessments.logging import REDACTED, JsonFormatter, RedactFilter
from assessments.models import Patient
from tests.builders import payload, transplant_of

SECRET = "H-SECRET-123"


def console() -> logging.Handler:
    """The handler settings.LOGGING puts on the root logger."""
    return next(h for h in logging.getLogger().handlers if isinstance(h.formatter, JsonFormatter))


def line_for(msg, *args, name="hypomag.test", exc_info=None, **extra) -> str:
    """What the console handler writes for one record (its own formatter and filters, another stream)."""
    record = logging.getLogger(name).makeRecord(name, logging.WARNING, __file__, 1, msg, args, exc_info, extra=extra)
    handler = logging.StreamHandler(io.StringIO())
    handler.setFormatter(console().formatter)
    for each in console().filters:
        handler.addFilter(each)
    handler.handle(record)
    return handler.stream.getvalue()


def test_the_console_handler_is_json_with_the_redaction_filter():
    assert any(isinstance(each, RedactFilter) for each in console().filters)


def test_every_record_is_one_line_of_json_with_time_level_logger_and_message():
    try:
        raise ValueError("first line\nsecond line")
    except ValueError as error:
        text = line_for("two\nlines", exc_info=(type(error), error, error.__traceback__))
    assert text.count("\n") == 1 and text.endswith("\n")  # a multi-line message or traceback stays one line
    entry = json.loads(text)
    assert {"time", "level", "logger", "message", "exception"} <= set(entry)
    assert (entry["level"], entry["logger"], entry["message"]) == ("WARNING", "hypomag.test", "two\nlines")
    assert "ValueError: first line" in entry["exception"]


def test_a_request_adds_its_path_method_and_status(rf):
    request = rf.get("/patients/7/", {"hospital_id": SECRET})
    entry = json.loads(line_for("Not Found: %s", request.path, request=request, status_code=404))
    assert (entry["path"], entry["method"], entry["status"]) == ("/patients/7/", "GET", 404)


def test_a_query_string_is_dropped_from_a_logged_path():
    entry = json.loads(line_for('"GET %s HTTP/1.1" 200', f"/patients/?ward=2&hospital_id={SECRET}"))
    assert entry["message"] == '"GET /patients/ HTTP/1.1" 200'


@pytest.mark.parametrize("key", ["hospital_id", "label", "password", "token", "Authorization", "csrf_token"])
def test_the_values_of_sensitive_keys_in_dict_arguments_are_redacted(key):
    # A single dict argument (the %(name)s style) and a dict among positional arguments, nested or not.
    named = json.loads(line_for(f"saved %({key})s on ward %(ward)s", {key: SECRET, "ward": 7}))
    nested = json.loads(line_for("input %s", {"patient": {key: SECRET, "age": 50}}))
    assert named["message"] == f"saved {REDACTED} on ward 7"
    assert SECRET not in nested["message"] and "'age': 50" in nested["message"]


def test_a_dict_logged_as_the_message_is_redacted():
    assert SECRET not in line_for({"hospital_id": SECRET})


def test_a_bearer_token_is_redacted():
    token = "eyJhbGciOiJFUzM4NCJ9.eyJpc3MiOiJodHRwczovL2VociJ9.c2lnbmF0dXJl"
    entry = json.loads(line_for("CDS call with %s", f"Authorization: Bearer {token}"))
    assert token not in entry["message"] and f"Bearer {REDACTED}" in entry["message"]


def test_a_database_key_detail_in_a_traceback_is_redacted():
    # PostgreSQL's unique-violation DETAIL names the value: it would carry the identifier into the log.
    try:
        raise RuntimeError(f"duplicate key value violates unique constraint\nDETAIL: Key (hospital_id)=({SECRET})")
    except RuntimeError as error:
        text = line_for("Internal Server Error: %s", "/patients/new/", exc_info=(RuntimeError, error, None))
    assert SECRET not in text and f"Key (hospital_id)=({REDACTED})" in json.loads(text)["exception"]


def test_a_broken_logging_call_neither_raises_nor_leaks_its_arguments():
    text = line_for("two placeholders %s %s", SECRET)
    assert SECRET not in text and json.loads(text)["message"] == "two placeholders %s %s"


# --- End to end: the pages a clinician and a pharmacist use, everything the console writes -------------------------


@pytest.fixture
def log_output() -> Iterator[io.StringIO]:
    """Everything the configured console handler writes, at every level, while the test runs."""
    buffer, root = io.StringIO(), logging.getLogger()
    handler, level = console(), root.level
    stream = handler.setStream(buffer)
    root.setLevel(logging.DEBUG)
    yield buffer
    root.setLevel(level)
    handler.setStream(stream)


@pytest.fixture
def patient(patient) -> Patient:
    """The shared patient, with an identifier that must never reach a log line or an error page."""
    patient.hospital_id = SECRET
    patient.save()
    return patient


@pytest.mark.django_db
def test_no_log_line_and_no_error_page_carries_the_hospital_identifier(
    log_output, patient, login, pharmacist, make_user, settings
):
    settings.DEBUG = False  # the error pages production shows, not Django's debug pages
    clinician = login(patient.created_by)
    assert clinician.get(reverse("patient-list"), {"q": SECRET}).status_code == 200
    page = clinician.get(reverse("patient-detail", args=[patient.pk]))
    assert SECRET in page.content.decode()  # shown to the clinician, who needs it: the page is no-store

    missing = clinician.get(reverse("patient-detail", args=[patient.pk + 1000]), {"hospital_id": SECRET})
    assert missing.status_code == 404
    assert "Page not found" in missing.content.decode()  # our 404.html, not Django's default
    assert SECRET not in missing.content.decode() and "hospital_id" not in missing.content.decode()

    # A failing review: the second pharmacist's sign-off conflicts (409), a third's lacks the CSRF token (403).
    now = timezone.now()
    data = payload(transplant=transplant_of(patient, now))
    saved = services.assessment_save(user=patient.created_by, patient=patient, data=data, sample_time=now)
    url = reverse("review-case", args=[saved.pk])
    first, second = login(pharmacist), login(make_user("p2", role="pharmacist"))
    tokens = [client.csrf_token(url) for client in (first, second)]  # both open the review page first
    approve = {"outcome": "approved", "version": 1}
    assert first.post(url, {**approve, "note": SECRET, "csrfmiddlewaretoken": tokens[0]}).status_code == 302
    assert second.post(f"{url}?hospital_id={SECRET}", {**approve, "csrfmiddlewaretoken": tokens[1]}).status_code == 409
    forged = login(make_user("p3", role="pharmacist"))  # a post without the page's token
    assert forged.post(url, {"outcome": "approved", "version": 2, "note": SECRET}).status_code == 403

    lines = log_output.getvalue().splitlines()
    entries = [json.loads(line) for line in lines]  # every line is JSON
    logged = {(entry.get("status"), entry.get("path")) for entry in entries}
    assert {(404, missing.request["PATH_INFO"]), (409, url), (403, url)} <= logged  # the failures were logged
    assert not [line for line in lines if SECRET in line]


@pytest.mark.django_db
def test_the_500_page_is_ours_and_echoes_nothing_of_the_request(log_output, patient, login, settings, monkeypatch):
    settings.DEBUG = False

    def fail(**kwargs):
        raise RuntimeError("the selector failed")

    monkeypatch.setattr("assessments.selectors.patient_get", fail)
    client = login(patient.created_by)
    client.raise_request_exception = False
    response = client.get(reverse("patient-detail", args=[patient.pk]), {"hospital_id": SECRET})
    content = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong" in content  # templates/500.html, standalone
    assert SECRET not in content and "hospital_id" not in content and "the selector failed" not in content
    entry = json.loads(log_output.getvalue().splitlines()[-1])
    assert (entry["status"], entry["path"]) == (500, reverse("patient-detail", args=[patient.pk]))
    assert "RuntimeError: the selector failed" in entry["exception"] and SECRET not in log_output.getvalue()
