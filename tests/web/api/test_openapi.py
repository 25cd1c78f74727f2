"""The OpenAPI document at /api/v1/openapi.json, and schemathesis run against it.

Schemathesis generates requests from the document (valid bodies, and bodies that break it) and checks each answer:
never a 5xx, the status code documented, the body matching the documented schema. A drift between the API and its
document fails here, before an integrator's generated client finds it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, settings
from jsonschema import Draft202012Validator
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from assessments.api.openapi import INPUT_SCHEMA_PATH, OUTPUT_SCHEMA

SHARED_SCHEMA = Path(__file__).resolve().parents[3].parent / "shared" / "contract" / "assessment-input.schema.json"
CASES = SHARED_SCHEMA.parent.parent / "clinical" / "cases"

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    # A body the schema forbids must be refused (4xx), not assessed.
    negative_data_rejection,
]


# Loaded at collection (pytest-django has set Django up by then): schemathesis' lazy `from_fixture` loader does not
# run under pytest 9. Fetching the document needs no database.
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", WSGIHandler())
schema.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE])


@pytest.fixture
def keep_the_test_connection():
    """Schemathesis calls the WSGI app itself, whose `request_finished` signal closes the database connection; inside
    the test's transaction PostgreSQL cannot reopen it ("the connection is closed"). Django's test client detaches
    `close_old_connections` for the same reason; so does this fixture, for this test only."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
# 400 examples per operation keep the run well under a minute on the shared 2-core machine; the fuzz
# tests (test_fuzz.py) add thousands more inputs through the same endpoint.
@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_the_api_keeps_its_document(case, db, keep_the_test_connection):
    # `db`: /healthz asks the (test) database. The WSGI transport does not undo the app's gzip (GZipMiddleware), so
    # the responses are asked for uncompressed; tests/web/platform/test_compression.py checks the compression itself.
    case.call_and_validate(checks=CHECKS, headers={"Accept-Encoding": "identity"})


def test_the_input_schema_is_the_contract():
    # The app may not read ../shared at run time, so it carries a copy; the copy must not drift from the contract.
    assert json.loads(INPUT_SCHEMA_PATH.read_text()) == json.loads(SHARED_SCHEMA.read_text())


def test_it_is_openapi_3_1_describing_both_operations(client: Client):
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    document = response.json()
    assert document["openapi"] == "3.1.0"
    assert set(document["paths"]) == {"/api/v1/assessments", "/healthz"}
    responses = document["paths"]["/api/v1/assessments"]["post"]["responses"]
    assert set(responses) == {"200", "400", "405", "415"}
    # The request body is the contract schema itself, not a hand-written lookalike.
    request = document["components"]["schemas"]["AssessmentInput"]
    contract = json.loads(SHARED_SCHEMA.read_text())
    assert request == {k: v for k, v in contract.items() if k not in ("$schema", "$id")}


def test_it_only_allows_get(client: Client):
    assert client.submit("/api/v1/openapi.json").status_code == 405


def test_the_output_schema_fits_every_golden_case(client: Client):
    # Schemathesis mostly generates inputs the engine refuses (random numbers are rarely clinical); the golden cases
    # make sure the 200 schema is checked against real, rich outputs: urgent bolus with follow-on, oral, none.
    document = client.get("/api/v1/openapi.json").json()
    validator = Draft202012Validator({**OUTPUT_SCHEMA, "components": document["components"]})
    checked = 0
    for path in sorted(CASES.glob("*.json")):
        case = json.loads(path.read_text())
        response = client.post("/api/v1/assessments", case["input"], content_type="application/json")
        if response.status_code != 200:
            continue
        errors = [error.message for error in validator.iter_errors(response.json())]
        assert not errors, (path.name, errors)
        checked += 1
    assert checked >= 10


def test_the_output_schema_describes_rule_set_2026_2(client: Client):
    document = client.get("/api/v1/openapi.json").json()
    validator = Draft202012Validator({**OUTPUT_SCHEMA, "components": document["components"]})
    data = {"patient": {"age_years": 45}, "transplant": {"type": "allogeneic", "day": 10},
            "labs": {"magnesium": {"value": 1.1, "unit": "mmol/L", "age_hours": 30},
                     "creatinine": {"value": 90, "unit": "umol/L"}}}  # fmt: skip
    output = client.post("/api/v1/assessments", data, content_type="application/json").json()
    assert not list(validator.iter_errors(output))
    assert output["derived"]["renal_sex_assumption"] == "lower_of_both_sexes"
    unit_check = next(w for w in output["warnings"] if w["id"] == "unit_check")
    assert [r["unit"] for r in unit_check["readings"]] == ["mg/dL", "mEq/L"]

    # The document would catch the 2026.2 fields going missing or appearing where they do not belong.
    without_readings = json.loads(json.dumps(output))
    next(w for w in without_readings["warnings"] if w["id"] == "unit_check").pop("readings")
    assert list(validator.iter_errors(without_readings))
    stray = json.loads(json.dumps(output))
    next(w for w in stray["warnings"] if w["id"] == "stale_result")["readings"] = unit_check["readings"]
    assert list(validator.iter_errors(stray))
    no_sex_field = json.loads(json.dumps(output))
    no_sex_field["derived"].pop("renal_sex_assumption")
    assert list(validator.iter_errors(no_sex_field))
    dose_fields = document["components"]["schemas"]["Dose"]["required"]
    for name in ("rate_mg_per_min", "max_rate_mg_per_min", "mmol_before_cap", "mmol_per_dose_min", "mmol_per_dose_max",
                 "start_mmol_per_day"):  # fmt: skip
        assert name in dose_fields
