"""`assessments/api/http.py`: one reader of JSON bodies, so every JSON entry point refuses a bad body alike."""

from __future__ import annotations

import pytest
from django.urls import reverse

from assessments.api.http import JsonBodyError, json_loads


@pytest.mark.parametrize("name", ["api-assessments", "api-fhir-input", "cds-service", "cds-feedback"])
def test_every_json_entry_point_refuses_a_broken_body_in_the_same_words(client, name):
    response = client.post(reverse(name), "{", content_type="application/json")
    assert response.status_code == 415
    [error] = response.json()["errors"]
    assert error["field"] == "input" and error["message"].startswith("the body is not valid JSON: ")
    assert response["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    ("text", "status", "words"),
    [
        ("{", 415, "the input is not valid JSON"),
        (b"\xff", 415, "the input is not valid JSON"),
        ("[" * 100_000 + "]" * 100_000, 400, "the input is nested too deeply"),
        ("1" * 5_000, 400, "the input cannot be read"),
    ],
    ids=["broken", "not-utf8", "too-deep", "too-many-digits"],
)
def test_it_says_what_could_not_be_read_and_gives_the_status(text, status, words):
    with pytest.raises(JsonBodyError) as refused:
        json_loads(text, what="the input")
    assert refused.value.status == status
    assert refused.value.message.startswith(words)
