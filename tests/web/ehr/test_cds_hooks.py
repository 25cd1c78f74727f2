"""CDS Hooks 2.0 service: discovery, the patient-view call (prefetch, fetch, 412), the cards and their field
rules, and feedback to the audit log. Requests are shaped like the spec's own examples."""

from __future__ import annotations

import copy
import json
import re
import time
import uuid

import pytest
from django.core.cache import cache
from django.test import override_settings

from assessments.ehr import cds_hooks
from assessments.ehr.fhir_fetch import FetchFailed
from assessments.models import AuditEvent, DeclineReason
from assessments.services import assessment_run
from tests.web.ehr.cds import ISSUER, RsaKey, hook_request, searchset, signed_token
from tests.web.ehr.samples import resource, sample

DISCOVERY = "/cds-services"
SERVICE = "/cds-services/hypomag-patient-view"
FEEDBACK = f"{SERVICE}/feedback"
INDICATORS = {"info", "warning", "critical"}
CARD = "9368d37b-283f-44a0-93ea-547cebab93ed"


def call(client, body, url=SERVICE, headers=None):
    return client.post(url, data=json.dumps(body), content_type="application/json", headers=headers or {})


def only_card(response) -> dict:
    assert response.status_code == 200, response.content
    cards = response.json()["cards"]
    assert len(cards) == 1
    assert_card_rules(cards[0])
    return cards[0]


def assert_card_rules(card: dict) -> None:
    """The card's field rules in CDS Hooks 2.0 ("Card Attributes")."""
    assert isinstance(card["summary"], str) and 0 < len(card["summary"]) < 140
    assert card["indicator"] in INDICATORS
    assert card["source"]["label"] and card["source"]["url"].startswith("http")
    assert set(card["source"]["topic"]) == {"system", "code", "display"}
    uuid.UUID(card["uuid"])
    assert isinstance(card["detail"], str)
    for link in card["links"]:
        assert link["label"] and link["type"] in {"absolute", "smart"} and link["url"].startswith("http")
    for reason in card["overrideReasons"]:
        assert set(reason) == {"system", "code", "display"}
    # No suggestions, so no selectionBehavior (it is required only with suggestions).
    assert "suggestions" not in card and "selectionBehavior" not in card


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """A test that reaches for the network fails: every fetch goes through a fake the test installs."""

    def refuse(url, token, deadline):
        raise AssertionError(f"unexpected fetch of {url}")

    monkeypatch.setattr(cds_hooks, "fhir_fetch", refuse)


@pytest.fixture
def verified(tmp_path):
    """A configured issuer and a signed token for the service: only such a caller may make HypoMag fetch."""
    key = RsaKey()
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps({"keys": [key.jwk()]}))
    cache.clear()
    with override_settings(HYPOMAG_CDS_ISSUERS={ISSUER: {"jwks_file": str(jwks)}}):
        yield lambda: {"Authorization": f"Bearer {signed_token(key)}"}


# --- discovery --------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_discovery_lists_the_service_with_its_prefetch_templates(ehr):
    response = ehr.get(DISCOVERY)

    assert response.status_code == 200
    (service,) = response.json()["services"]
    assert service["id"] == "hypomag-patient-view"
    assert service["hook"] == "patient-view"
    assert service["title"] and service["description"]
    prefetch = service["prefetch"]
    assert prefetch["patient"] == "Patient/{{context.patientId}}"
    assert prefetch["medicationRequests"] == "MedicationRequest?patient={{context.patientId}}&status=active"
    assert prefetch["magnesium"] == (
        "Observation?patient={{context.patientId}}&code=http://loinc.org|2601-3,http://loinc.org|19123-9"
    )
    # Every observation the FHIR mapping reads is prefetched: 21 LOINC codes in all.
    codes = re.findall(r"loinc\.org\|([\d-]+)", json.dumps(prefetch))
    assert len(codes) == len(set(codes)) == 21


@pytest.mark.django_db
def test_discovery_only_allows_get(ehr):
    assert ehr.post(DISCOVERY).status_code == 405


# --- cards ------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_severe_case_gets_a_critical_card(ehr, frozen_now):
    card = only_card(call(ehr, hook_request("severe_magnesium")))

    assert card["indicator"] == "critical"
    assert "CTCAE grade 3" in card["summary"]
    assert "0.35 mmol/L" in card["summary"]
    # Without the transplant type and day the plan is not computed, and the card says so instead of guessing.
    assert "transplant type and day" in card["detail"]
    assert "Observation/mg-sv1" in card["detail"]
    assert card["links"][0]["url"] == "http://testserver/import/fhir/"


@pytest.mark.django_db
def test_the_cards_data_table_gives_each_time_as_a_clock_reads_and_a_date_alone_as_a_date(ehr, frozen_now):
    body = hook_request("severe_magnesium")
    body["prefetch"]["magnesium"]["entry"][0]["resource"]["effectiveDateTime"] = "2026-03-02"
    detail = only_card(call(ehr, body))["detail"]
    assert "| Observation/mg-sv1 | 2026-03-02 (date only) |" in detail
    assert "T06:00:00" not in detail and "+00:00" not in detail
    assert re.search(r"\| \d{4}-\d\d-\d\d \d\d:\d\d UTC \|", detail)  # the potassium, to the minute


@pytest.mark.django_db
def test_with_the_transplant_extension_the_card_carries_the_plan(ehr, frozen_now):
    body = hook_request("severe_magnesium", extension={"org.hypomag.transplant": {"type": "allogeneic",
                                                                                  "date": "2026-02-10"}})  # fmt: skip

    card = only_card(call(ehr, body))

    assert card["indicator"] == "critical"
    assert "Plan: IV magnesium" in card["summary"]
    assert "**Plan:** IV magnesium" in card["detail"]
    assert "Magnesium sulfate" in card["detail"]
    assert "**Sources**" in card["detail"] and "- S17:" in card["detail"]


@pytest.mark.django_db
def test_a_mild_case_gets_a_warning_card(ehr, frozen_now):
    card = only_card(call(ehr, hook_request("v1_full")))

    assert card["indicator"] == "warning"
    assert "CTCAE grade 1" in card["summary"]


@pytest.mark.django_db
def test_a_normal_magnesium_gets_an_info_card(ehr, frozen_now):
    body = hook_request("severe_magnesium")
    for observation in body["prefetch"]["magnesium"]["entry"]:
        observation["resource"]["valueQuantity"]["value"] = 0.85
    body["prefetch"]["potassium"] = None

    card = only_card(call(ehr, body))

    assert card["indicator"] == "info"
    assert "CTCAE grade 0" in card["summary"]


@pytest.mark.django_db
def test_a_stale_result_makes_a_normal_card_a_warning(ehr, frozen_now):
    body = hook_request("stale_magnesium")
    body["prefetch"]["magnesium"]["entry"][0]["resource"]["valueQuantity"]["value"] = 0.85

    card = only_card(call(ehr, body))

    assert card["indicator"] == "warning"
    # The engine's own words (PROTOCOL.md section 2.2), not the importer's: one rule for stale results.
    assert "The Mg result is 75 h old: repeat it before acting on this plan." in card["detail"]
    assert "(**stale**)" in card["detail"]
    # The summary, the line an EHR shows first, says so too (an independent tester saw only "CTCAE grade 0").
    assert card["summary"].startswith("Mg 0.85 mmol/L (75 h old: repeat it): CTCAE grade 0.")
    assert len(card["summary"]) <= 140  # CDS Hooks: a summary under 140 characters


@pytest.mark.django_db
def test_a_newer_magnesium_without_a_value_is_said_on_the_card(ehr, frozen_now):
    body = hook_request("stale_magnesium")
    entries = body["prefetch"]["magnesium"]["entry"]
    newer = copy.deepcopy(entries[0])
    newer["resource"]["id"] = "mg-pending"
    del newer["resource"]["valueQuantity"]
    newer["resource"]["effectiveDateTime"] = frozen_now.isoformat()
    newer["resource"]["issued"] = frozen_now.isoformat()
    entries.append(newer)

    card = only_card(call(ehr, body))

    assert card["indicator"] == "warning"
    assert "**A newer result was left out**" in card["detail"]
    assert "Observation/mg-pending is a newer" in card["detail"]


@pytest.mark.django_db
def test_no_magnesium_result_means_no_card_not_an_error(ehr, frozen_now):
    body = hook_request("severe_magnesium")
    body["prefetch"]["magnesium"] = None  # CDS Hooks 2.0: null = the EHR has no such data

    response = call(ehr, body)

    assert response.status_code == 200
    assert response.json() == {"cards": []}


@pytest.mark.django_db
def test_a_safety_error_in_the_data_is_a_warning_card_naming_the_resource(ehr, frozen_now):
    body = hook_request("mismatch_2601_3_in_mg_dl")

    card = only_card(call(ehr, body))

    assert card["indicator"] == "warning"
    assert "Observation/mg-mm1" in card["detail"]


@pytest.mark.django_db
def test_data_about_another_patient_is_refused(ehr, frozen_now):
    body = hook_request("severe_magnesium")
    body["context"]["patientId"] = "someone-else"

    card = only_card(call(ehr, body))

    assert "Patient/hm-sv1" in card["detail"] and "someone-else" in card["detail"]
    assert "CTCAE" not in card["summary"]


@pytest.mark.django_db
def test_the_response_is_never_cached_and_needs_no_csrf_token(ehr, frozen_now):
    response = call(ehr, hook_request("severe_magnesium"))

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_a_request_like_the_specs_example_works(ehr, frozen_now):
    bundle = sample("severe_magnesium")
    # The spec's patient-view example: fhirServer, fhirAuthorization, context with userId, patientId and
    # encounterId, and prefetch keyed as the discovery response says.
    body = {
        "hookInstance": "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea",
        "fhirServer": "https://ehr.example.org/fhir",
        "hook": "patient-view",
        "fhirAuthorization": {
            "access_token": "some-opaque-fhir-access-token",
            "token_type": "Bearer",
            "expires_in": 300,
            "scope": "user/Patient.read user/Observation.read",
            "subject": "cds-service4",
        },
        "context": {"userId": "Practitioner/example", "patientId": "hm-sv1", "encounterId": "89284"},
        "prefetch": {
            "patient": resource(bundle, "hm-sv1"),
            "magnesium": searchset([resource(bundle, "mg-sv1")]),
            **{key: None for key in cds_hooks.PREFETCH if key not in ("patient", "magnesium")},
        },
    }

    assert only_card(call(ehr, body))["indicator"] == "critical"


# --- prefetch and fetch -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_missing_prefetch_is_fetched_from_the_fhir_server_with_the_token(ehr, frozen_now, monkeypatch, verified):
    body = hook_request("severe_magnesium", fhirServer="https://ehr.example.org/fhir/",
                        fhirAuthorization={"access_token": "tok-123", "token_type": "Bearer"})  # fmt: skip
    prefetched = body.pop("prefetch")
    fetched = []

    def fake_fetch(url, token, deadline):
        fetched.append((url, token))
        key = next(
            k for k, t in cds_hooks.PREFETCH.items() if url.endswith(t.replace("{{context.patientId}}", "hm-sv1"))
        )
        return prefetched[key]

    monkeypatch.setattr(cds_hooks, "fhir_fetch", fake_fetch)

    card = only_card(call(ehr, body, headers=verified()))

    assert card["indicator"] == "critical"
    assert len(fetched) == len(cds_hooks.PREFETCH)
    assert ("https://ehr.example.org/fhir/Patient/hm-sv1", "tok-123") in fetched
    assert all(token == "tok-123" for _, token in fetched)


@pytest.mark.django_db
@pytest.mark.parametrize("patient_id", ["x&code=evil", "../Patient/other", "a" * 65, "p 1"])
def test_a_patient_id_that_is_not_a_fhir_id_is_refused_before_any_query(ehr, monkeypatch, verified, patient_id):
    body = hook_request("severe_magnesium", fhirServer="https://ehr.example.org/fhir")
    body["prefetch"] = {}
    body["context"]["patientId"] = patient_id
    fetched = []
    monkeypatch.setattr(cds_hooks, "fhir_fetch", lambda url, token, deadline: fetched.append(url))

    response = call(ehr, body, headers=verified())

    assert response.status_code == 400 and fetched == []
    assert response.json()["errors"][0]["field"] == "context.patientId"


@pytest.mark.django_db
def test_needed_data_neither_prefetched_nor_fetchable_is_a_412(ehr, frozen_now):
    body = hook_request("severe_magnesium")
    del body["prefetch"]["magnesium"]

    response = call(ehr, body)

    assert response.status_code == 412
    assert response.json()["errors"][0]["field"] == "prefetch.magnesium"


@pytest.mark.django_db
def test_a_fhir_server_that_fails_is_answered_with_a_card_saying_the_data_could_not_be_fetched(
    ehr, frozen_now, monkeypatch, verified
):
    body = hook_request("severe_magnesium", fhirServer="https://ehr.example.org/fhir")
    del body["prefetch"]["patient"]

    def down(url, token, deadline):
        raise FetchFailed("the FHIR server could not be reached (ConnectionRefusedError)")

    monkeypatch.setattr(cds_hooks, "fhir_fetch", down)

    card = only_card(call(ehr, body, headers=verified()))
    assert card["indicator"] == "warning"
    assert "could not fetch" in card["summary"]
    assert "Patient (age and sex): the FHIR server could not be reached" in card["detail"]
    assert "CTCAE" not in card["summary"]


@pytest.mark.django_db
def test_an_optional_result_that_could_not_be_fetched_is_named_on_the_card(ehr, frozen_now, monkeypatch, verified):
    body = hook_request("severe_magnesium", fhirServer="https://ehr.example.org/fhir")
    del body["prefetch"]["potassium"]

    def down(url, token, deadline):
        raise FetchFailed("the FHIR server answered HTTP 503 for https://ehr.example.org/fhir/Observation")

    monkeypatch.setattr(cds_hooks, "fhir_fetch", down)

    card = only_card(call(ehr, body, headers=verified()))
    assert "CTCAE grade 3" in card["summary"]
    assert "**Not fetched**" in card["detail"] and "Potassium: the FHIR server answered HTTP 503" in card["detail"]


@pytest.mark.django_db
def test_an_unsigned_call_never_makes_hypomag_fetch_from_the_server_it_names(ehr, frozen_now, monkeypatch):
    # No issuer configured, no token: the call is answered from its prefetch only (no server-side request forgery).
    body = hook_request("severe_magnesium", fhirServer="https://internal.example/admin")
    del body["prefetch"]["patient"]
    fetched = []
    monkeypatch.setattr(cds_hooks, "fhir_fetch", lambda url, token, deadline: fetched.append(url))

    response = call(ehr, body)

    assert response.status_code == 412 and fetched == []
    assert response.json()["errors"][0]["field"] == "prefetch.patient"


@pytest.mark.django_db
def test_a_plain_http_fhir_server_is_refused(ehr, frozen_now):
    body = hook_request("severe_magnesium", fhirServer="http://ehr.example.org/fhir")
    response = call(ehr, body)
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "fhirServer"


# --- request validation -----------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda b: b.update(hook="order-sign"), "hook"),
        (lambda b: b.pop("hook"), "hook"),
        (lambda b: b.pop("hookInstance"), "hookInstance"),
        (lambda b: b.update(hookInstance="not-a-uuid"), "hookInstance"),
        (lambda b: b["context"].pop("patientId"), "context.patientId"),
        (lambda b: b["context"].pop("userId"), "context.userId"),
        (lambda b: b.pop("context"), "context"),
        (lambda b: b.update(fhirAuthorization={"access_token": "t"}), "fhirServer"),
        (lambda b: b.update(fhirServer="file:///etc/passwd"), "fhirServer"),
        # The Patient read answered with something else (a fuzzer's find: a Bundle without entries was taken as
        # "the patient, prefetched" and the card graded with no patient behind it).
        (lambda b: b["prefetch"]["patient"].update(resourceType="Bundle"), "prefetch.patient.resourceType"),
        (lambda b: b["prefetch"]["patient"].update(resourceType="Observation"), "prefetch.patient.resourceType"),
        (lambda b: b["prefetch"]["patient"].pop("resourceType"), "prefetch.patient.resourceType"),
        (
            lambda b: b.update(extension={"org.hypomag.transplant": {"type": "syngeneic", "date": "2026-01-01"}}),
            "extension.org.hypomag.transplant.type",
        ),
    ],
)
def test_an_invalid_request_is_a_400_naming_the_field(ehr, change, field):
    body = hook_request("severe_magnesium")
    change(body)

    response = call(ehr, body)

    assert response.status_code == 400
    assert field in [error["field"] for error in response.json()["errors"]]


@pytest.mark.django_db
def test_a_body_that_is_not_json_is_a_415(ehr):
    response = ehr.post(SERVICE, data="hook=patient-view", content_type="application/x-www-form-urlencoded")

    assert response.status_code == 415


# --- feedback ---------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_feedback_stores_accepted_and_overridden_outcomes_in_the_audit_log(ehr):
    body = {
        "feedback": [
            {"card": "9368d37b-283f-44a0-93ea-547cebab93ed", "outcome": "accepted", "acceptedSuggestions": [],
             "outcomeTimestamp": "2026-03-02T09:12:00Z"},
            {"card": "f3b0a3c1-1f55-4a43-8c2c-0e3a8f7d4e11", "outcome": "overridden",
             "overrideReason": {"reason": {"system": cds_hooks.OVERRIDE_SYSTEM, "code": "renal_function",
                                           "display": "Renal function"}, "userComment": "on dialysis"},
             "outcomeTimestamp": "2026-03-02T09:13:00Z"},
        ]
    }  # fmt: skip

    response = call(ehr, body, FEEDBACK)

    assert response.status_code == 200
    events = {event.object_id: event for event in AuditEvent.objects.filter(object_type="cds_card")}
    # Its own action, so that card feedback is never counted as a pharmacist's review sign-off.
    assert {event.action for event in events.values()} == {AuditEvent.Action.CDS_FEEDBACK}
    assert events["9368d37b-283f-44a0-93ea-547cebab93ed"].detail["outcome"] == "accepted"
    overridden = events["f3b0a3c1-1f55-4a43-8c2c-0e3a8f7d4e11"].detail
    assert overridden["outcome"] == "overridden"
    assert overridden["reason"] == "renal_function"
    assert overridden["userComment"] == "on dialysis"


@pytest.mark.django_db
def test_the_cards_override_reasons_are_the_pharmacist_reason_codes(ehr, frozen_now):
    card = only_card(call(ehr, hook_request("severe_magnesium")))

    assert [reason["code"] for reason in card["overrideReasons"]] == list(DeclineReason.values)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [
        {},
        {"feedback": [{"outcome": "accepted"}]},
        {"feedback": [{"card": "c1", "outcome": "accepted", "outcomeTimestamp": "2026-03-02T09:12:00Z"}]},
        {"feedback": [{"card": CARD, "outcome": "ignored", "outcomeTimestamp": "2026-03-02T09:12:00Z"}]},
        {"feedback": [{"card": CARD, "outcome": "accepted"}]},
        {"feedback": [{"card": CARD, "outcome": "accepted", "outcomeTimestamp": "yesterday"}]},
        {"feedback": [{"card": CARD, "outcome": "accepted", "outcomeTimestamp": "2026-03-02T09:12:00"}]},
        {
            "feedback": [
                {
                    "card": CARD,
                    "outcome": "overridden",
                    "outcomeTimestamp": "2026-03-02T09:12:00Z",
                    "overrideReason": {"reason": {"code": "bored"}},
                }
            ]
        },
        {
            "feedback": [
                {
                    "card": CARD,
                    "outcome": "overridden",
                    "outcomeTimestamp": "2026-03-02T09:12:00Z",
                    "overrideReason": {"userComment": "x" * 1001},
                }
            ]
        },
        {
            "feedback": [
                {
                    "card": CARD,
                    "outcome": "overridden",
                    "outcomeTimestamp": "2026-03-02T09:12:00Z",
                    "overrideReason": ["renal_function"],
                }
            ]
        },
        {"feedback": [5]},
    ],
)
def test_invalid_feedback_is_a_400_and_stores_nothing(ehr, body):
    response = call(ehr, body, FEEDBACK)

    assert response.status_code == 400
    assert not AuditEvent.objects.filter(object_type="cds_card").exists()


@pytest.mark.django_db
def test_a_card_from_prefetched_data_is_quick(ehr, frozen_now):
    """A benchmark more than a test: the issue asks for < 50 ms; the bound here is loose for a shared CI box."""
    body = hook_request("severe_magnesium", extension={"org.hypomag.transplant": {"type": "allogeneic",
                                                                                  "date": "2026-02-10"}})  # fmt: skip
    call(ehr, body)  # warm up imports and template caches
    started = time.perf_counter()
    for _ in range(10):
        call(ehr, body)
    per_call_ms = (time.perf_counter() - started) * 100

    assert per_call_ms < 500, f"{per_call_ms:.1f} ms per card"


@pytest.mark.django_db
@pytest.mark.parametrize("transplant", [None, {"type": "allogeneic", "date": "2026-02-10"}])
def test_a_unit_check_on_the_card_is_the_engines_own_text(ehr, frozen_now, transplant):
    # Rule set 2026.2 (PROTOCOL.md section 2.1): 1.1 mmol/L is above the ULN in mmol/L but low in mg/dL (kind P1).
    body = hook_request(
        "severe_magnesium", **({"extension": {"org.hypomag.transplant": transplant}} if transplant else {})
    )
    body["prefetch"]["magnesium"]["entry"][0]["resource"]["valueQuantity"]["value"] = 1.1

    card = only_card(call(ehr, body))

    # The unit check reads only the Mg, its LLN, the symptoms and the site's unit: any input with these gives it.
    labs = {"magnesium": {"value": 1.1, "unit": "mmol/L"}, "magnesium_lln": {"value": 0.7, "unit": "mmol/L"}}
    data = {"patient": {"age_years": 59}, "transplant": {"type": "allogeneic", "day": 20}, "labs": labs}
    engine = next(w for w in assessment_run(data=data).output["warnings"] if w["id"] == "unit_check")
    assert cds_hooks._md(engine["text"]) in card["detail"]
    assert card["indicator"] in ("warning", "critical")
