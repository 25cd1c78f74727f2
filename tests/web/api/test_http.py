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


@pytest.mark.parametrize(
    ("text", "field", "words"),
    [
        ('{"a": 1, "a": 2}', "a", 'gives the key "a" more than once'),
        ('{"labs": {"magnesium": {"value": 0.5, "value": 5}}}', "labs.magnesium.value", "more than once"),
        ('[{"x": {"k": 1, "k": 1}}]', "0.x.k", "more than once"),
        ('{"a": ["ok", "b\\u0000"]}', "a.1", "a NUL character"),
        ('{"a\\u0000": 1}', "input", "a NUL character in a key"),
        ('{"a": "\\ud800"}', "a", "a lone UTF-16 surrogate"),
        ('{"a": "\\udfffx"}', "a", "a lone UTF-16 surrogate"),
    ],
)  # fmt: skip
def test_it_refuses_repeated_keys_nul_and_lone_surrogates_naming_the_place(text, field, words):
    with pytest.raises(JsonBodyError) as refused:
        json_loads(text)
    assert refused.value.status == 400
    assert refused.value.errors == [{"field": field, "message": refused.value.message}]
    assert words in refused.value.message


def test_a_surrogate_pair_is_one_character_and_is_read():
    assert json_loads('{"a": "\\ud83d\\ude00"}') == {"a": "\N{GRINNING FACE}"}


@pytest.mark.parametrize("name", ["api-assessments", "api-fhir-input", "cds-service", "cds-feedback"])
def test_every_json_entry_point_refuses_a_repeated_key_with_a_400_naming_it(client, name):
    response = client.post(reverse(name), '{"hook": "patient-view", "hook": "x"}', content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "hook"
