"""`POST /api/v1/assessments` (contract README, "Entry points"): 200 with the output, 400 with field errors, 415
for a body that is not JSON, 405 for other methods. Stateless, CSRF-exempt, no login.
"""

from __future__ import annotations

import json

import pytest
from django.test import Client

from assessments.clinical import RULESET_VERSION
from assessments.services import assessment_run
from tests.builders import payload

URL = "/api/v1/assessments"
OUTPUT_KEYS = {"ruleset", "magnesium", "severity", "derived", "causes", "plan", "warnings", "reminders", "missing"}


@pytest.fixture
def api():
    # A JSON client has no session and no CSRF token: the endpoint must work for it with CSRF enforced.
    return Client(enforce_csrf_checks=True)


def post(api: Client, body: object, content_type: str = "application/json"):
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return api.post(URL, data=data, content_type=content_type)


def test_it_works(api):
    data = payload(mg=(0.52, "mmol/L"))

    response = post(api, data)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    output = response.json()
    assert set(output) == OUTPUT_KEYS
    assert output["ruleset"] == RULESET_VERSION == "2026.2"
    assert output["severity"]["ctcae_grade"] == 1
    assert output["plan"]["route"] == "oral"
    # The same output as the command line and the service: one contract, whatever the entry point.
    assert output == assessment_run(data=data).output


def test_it_needs_no_csrf_token_and_no_login(api):
    response = post(api, payload())

    assert response.status_code == 200
    assert "sessionid" not in response.cookies


def test_it_forbids_caching(api):
    response = post(api, payload())

    # Patient data: no proxy or browser may keep a copy.
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_it_stores_nothing(api, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = post(api, payload())
        # Not even when asked: saving needs a logged-in user (contract README).
        saved = post(api, {**payload(), "save": True})

    assert response.status_code == 200
    assert saved.status_code == 200


def test_it_validates_the_input(api):
    response = post(api, payload(mg=(18, "mmol/L")))

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [e["field"] for e in errors] == ["labs.magnesium.value"]
    # The message names the value, the unit and the accepted range.
    assert "18 mmol/L" in errors[0]["message"]
    assert "0.05 to 5 mmol/L" in errors[0]["message"]
    assert response["Cache-Control"] == "no-store"


def test_it_rejects_an_unknown_key(api):
    data = payload()
    data["labs"]["magnezium"] = {"value": 0.5, "unit": "mmol/L"}

    response = post(api, data)

    # A typo must not be silently ignored.
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["labs.magnezium"]


def test_it_reports_every_error_at_once(api):
    data = payload(mg=(18, "mmol/L"), patient={"age_years": 200}, setting="ward")

    response = post(api, data)

    assert response.status_code == 400
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"labs.magnesium.value", "patient.age_years", "setting"}


@pytest.mark.parametrize("body", [[], [payload()], 3, "null", "true", '"text"'], ids=repr)
def test_it_wants_an_object_at_the_top(api, body):
    response = post(api, body)

    # Valid JSON of the wrong shape is an input error with a field, not a crash.
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors and all(e["field"] and e["message"] for e in errors)


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("text/plain", json.dumps(payload())),
        ("application/x-www-form-urlencoded", "patient=1&labs=2"),
        ("application/json", '{"patient": '),
        ("application/json", "{'patient': 1}"),
        ("application/json", ""),
        ("application/json", b'{"setting": "in\xe9patient"}'),
        ("application/json", b"\xff\xfe\xfd"),
    ],
    ids=["text", "form", "truncated", "single-quoted", "empty", "latin-1", "binary"],
)
def test_it_rejects_a_body_that_is_not_json(api, content_type, body):
    response = api.post(URL, data=body, content_type=content_type)

    assert response.status_code == 415
    assert [e["field"] for e in response.json()["errors"]] == ["input"]


def test_it_accepts_a_charset_in_the_content_type(api):
    response = post(api, payload(), content_type="application/json; charset=utf-8")

    assert response.status_code == 200


@pytest.mark.parametrize("method", ["get", "put", "delete", "patch"])
def test_it_only_allows_post(api, method):
    response = getattr(api, method)(URL)

    assert response.status_code == 405
    assert response["Allow"] == "POST"


@pytest.mark.parametrize(
    "value",
    [1e308, -1e308, 5e-324, 10**30, -(10**30), 10**400, -(10**400)],
    ids=["1e308", "-1e308", "denormal", "1e30-int", "-1e30-int", "400-digit-int", "-400-digit-int"],
)
def test_it_rejects_a_huge_number_as_an_input_error(api, value):
    # 10**400 is valid JSON (an integer), but no float can hold it.
    body = json.dumps(payload()).replace('"value": 0.6', f'"value": {value}', 1)

    response = post(api, body)

    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["labs.magnesium.value"]


def test_it_rejects_nan_and_infinity(api):
    # Not JSON, but Python's json module reads them; they must not reach the arithmetic.
    for constant in ("NaN", "Infinity", "-Infinity"):
        body = json.dumps(payload()).replace('"value": 0.6', f'"value": {constant}', 1)

        response = post(api, body)

        assert response.status_code == 400, constant
        assert [e["field"] for e in response.json()["errors"]] == ["labs.magnesium.value"]


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ("[" * 100_000 + "]" * 100_000, 400),
        ('{"patient": ' + '{"a": ' * 5_000 + "1" + "}" * 5_001, 400),
        ("1" * 5_000, 400),
        ('{"labs": ' + "{" * 50_000, 415),
    ],
    ids=["deep-list", "deep-object", "5000-digit-number", "unclosed-objects"],
)
def test_it_answers_nested_garbage_with_a_client_error(api, body, status):
    response = post(api, body)

    # Well-formed JSON that Python cannot read (too deep for its recursion limit, an integer beyond its digit
    # limit) is the client's input error: 400, never a 500. Broken JSON stays a 415.
    assert response.status_code == status
    assert [e["field"] for e in response.json()["errors"]] == ["input"]


def test_it_rejects_garbage_inside_an_object(api):
    data = payload(symptoms=[[[{"torsades": None}]]], medications="all of them", ecg={"qtc_ms": {"ms": 480}})

    response = post(api, data)

    assert response.status_code == 400
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"symptoms.0", "medications", "ecg.qtc_ms"}
