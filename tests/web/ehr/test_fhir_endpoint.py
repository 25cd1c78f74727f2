"""`POST /api/v1/fhir/assessment-input`: 200 with input, provenance and not_mapped; 400 with the contract's errors
for a safety check; 415 for a body that is not JSON; stateless, CSRF-exempt, never cached."""

from __future__ import annotations

import json
import re

import pytest

from assessments.ehr.fhir.samples import sample_text
from assessments.services import assessment_run
from tests.web.ehr.samples import resource, sample

URL = "/api/v1/fhir/assessment-input"


def post(client, body, content_type="application/fhir+json"):
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(URL, data=data, content_type=content_type)


@pytest.mark.django_db
def test_it_works(ehr, frozen_now):
    response = post(ehr, sample_text("v1_full"))

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"input", "provenance", "not_mapped", "notices"}
    # Frozen three hours after the draw: the age travels with the value, for the engine to judge (section 2.2).
    assert body["input"]["labs"]["magnesium"] == {"value": 0.52, "unit": "mmol/L", "age_hours": 3}
    assert "sessionid" not in response.cookies


@pytest.mark.django_db
def test_its_input_is_what_the_assessment_api_takes(ehr, frozen_now):
    contract_input = post(ehr, sample("severe_magnesium")).json()["input"]
    contract_input["transplant"] = {"type": "allogeneic", "day": 20}

    outcome = assessment_run(data=contract_input)

    assert outcome.ok, outcome.errors
    assert outcome.output["severity"]["ctcae_grade"] == 3


@pytest.mark.django_db
def test_it_accepts_plain_json_too(ehr, frozen_now):
    assert post(ehr, sample("amended_observation"), content_type="application/json").status_code == 200


@pytest.mark.django_db
def test_it_forbids_caching(ehr, frozen_now):
    assert post(ehr, sample("v1_full"))["Cache-Control"] == "no-store"
    # Errors quote values from the record: no-store too.
    assert post(ehr, sample("mismatch_2601_3_in_mg_dl"))["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_a_safety_error_is_a_400_with_the_contracts_errors(ehr, frozen_now):
    response = post(ehr, sample("mismatch_2601_3_in_mg_dl"))

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors[0]) == {"field", "message"}
    assert "Observation/mg-mm1" in errors[0]["message"]


@pytest.mark.django_db
def test_two_patients_are_a_400(ehr, frozen_now):
    assert post(ehr, sample("two_patients")).status_code == 400


@pytest.mark.django_db
def test_a_stale_result_is_used_with_its_age_not_refused(ehr, frozen_now):
    body = post(ehr, sample("stale_magnesium")).json()

    assert body["input"]["labs"]["magnesium"] == {"value": 0.58, "unit": "mmol/L", "age_hours": 75}
    assert [row["stale"] for row in body["provenance"] if row["field"] == "labs.magnesium"] == [True]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "content_type"), [("{not json", "application/fhir+json"), ("<Bundle/>", "application/xml")]
)
def test_a_body_that_is_not_json_is_a_415(ehr, body, content_type):
    response = post(ehr, body, content_type)

    assert response.status_code == 415
    assert response.json()["errors"][0]["field"] == "input"


@pytest.mark.django_db
def test_it_only_allows_post(ehr):
    assert ehr.get(URL).status_code == 405


@pytest.mark.django_db
def test_it_stores_nothing(ehr, frozen_now, django_assert_num_queries):
    with django_assert_num_queries(0):
        post(ehr, sample("v1_full"))


@pytest.mark.django_db
def test_its_input_takes_the_2026_2_fields_on_to_the_assessment_api(ehr, frozen_now):
    # The endpoint gives the Mg result's age; a caller adds what FHIR does not carry, the site's lab unit included.
    contract_input = post(ehr, sample("mg_mass_units")).json()["input"]
    contract_input |= {"transplant": {"type": "allogeneic", "day": 20}, "site": {"magnesium_unit": "mmol/L"}}

    response = ehr.post("/api/v1/assessments", contract_input, content_type="application/json")

    assert response.status_code == 200, response.content
    warnings = response.json()["warnings"]
    # The site reports mmol/L but the lab result came in mg/dL: the unit check comes first (PROTOCOL.md 2.1, kind S).
    assert warnings[0]["id"] == "unit_check"
    assert "Your laboratory reports Mg in mmol/L, but mg/dL was entered." in warnings[0]["text"]


@pytest.mark.django_db
def test_a_newer_result_without_a_value_is_said_by_the_api_and_the_import_page(ehr, client, frozen_now):
    # An independent tester: the older Mg was used and only the folded "Not used" list said a newer one existed.
    bundle = sample("v1_full")
    del resource(bundle, "mg-v1")["valueQuantity"]
    (notice,) = post(ehr, bundle).json()["notices"]
    assert "Observation/mg-v1 is a newer" in notice and "check the EHR for the newest value" in notice
    page = client.submit("/import/fhir/", {"bundle": json.dumps(bundle)}).content.decode()
    assert "A newer result was left out" in page and "Observation/mg-v1 is a newer" in page
    # Each value's time as a clock reads, not ISO 8601 ("2026-03-01T06:00:00+00:00", another tester's finding).
    assert re.search(r"<td[^>]*>\d{4}-\d\d-\d\d \d\d:\d\d</td>", page) and "+00:00</td>" not in page
    # Each code as it is named ("LOINC 2601-3", "RxNorm 42316"), not its system's address (the API keeps that).
    assert "LOINC 2601-3" in page and "RxNorm 42316" in page and "http://loinc.org|" not in page
    assert post(ehr, sample("v1_full")).json()["notices"] == []


@pytest.mark.django_db
def test_a_result_with_a_date_and_no_time_says_so_instead_of_showing_midnight(ehr, client, frozen_now):
    # A tester: a result dated "2026-03-02" read "2026-03-02 00:00" on the import page, a time nobody recorded.
    bundle = sample("v1_full")
    resource(bundle, "mg-v1")["effectiveDateTime"] = "2026-03-02"
    rows = {row["field"]: row for row in post(ehr, bundle).json()["provenance"]}
    assert rows["labs.magnesium"]["time"] == "2026-03-02T00:00:00+00:00"  # the age still counts from midnight
    assert rows["labs.magnesium"]["date_only"] is True
    assert rows["labs.potassium"]["date_only"] is False
    page = client.submit("/import/fhir/", {"bundle": json.dumps(bundle)}).content.decode()
    assert "2026-03-02<br><span" in page and "date only, no time given" in page
    assert "2026-03-02 00:00" not in page
