"""Fuzzing that reaches the EHR edge (issue 15, hazard HAZ20): real FHIR examples and CDS Hooks requests, mutated
at every path in the ways hostile or broken clients send them, against the FHIR endpoint, the import page and the
CDS service, with and without a signed token.

Mutations (one to three per example, at a path drawn from every key and index of the document): a value of another
JSON type; a list where an object belongs and an object where a list belongs; huge, tiny and negative numbers; dates
at the ends of the calendar and impossible ones; NUL and lone surrogates in texts and keys; a key removed; a
`resourceType` that is no R4 resource; and, in the text sent, a key given twice.

Asserted every time: no 5xx; every error names a field and says something; a CDS card that grades a magnesium never
uses a resource about another patient than the chart's (nor one that names no patient), and its Patient is the
chart's. Fixed example counts (`fuzz(n)`, 570 requests in all, about 5 s) keep this inside `make test`'s time on 2
cores; the examples differ from run to run (not derandomized), so each run explores new ones.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client, override_settings
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from assessments.ehr import cds_hooks
from assessments.ehr.fhir.samples import sample_load, sample_names
from assessments.models import AuditEvent
from tests.web.ehr.cds import ISSUER, RsaKey, hook_request, signed_token
from tests.web.ehr.samples import NOW


def fuzz(examples: int) -> settings:
    return settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck))


FHIR = "/api/v1/fhir/assessment-input"
SERVICE = "/cds-services/hypomag-patient-view"
FEEDBACK = f"{SERVICE}/feedback"
IMPORT = "/import/fhir/"
# Samples the CDS helper can turn into prefetch (one Patient each); the FHIR endpoint and page take all of them.
CDS_SAMPLES = ["v1_full", "severe_magnesium", "stale_magnesium", "mg_mass_units", "future_dated_magnesium",
               "mismatch_2601_3_in_mg_dl"]  # fmt: skip

# --- what goes wrong --------------------------------------------------------------------------------------------

NUMBERS = st.sampled_from([0, -1, -0.0, 1e308, -1e308, 5e-324, 10**30, -(10**30), 2**63, 10**400, 0.05, 4.99, 1e-7])
DATES = st.sampled_from([
    "0001-01-01", "9999-12-31", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "9999-12-31T23:59:59Z",
    "2026-02-30", "2026-03-02T25:00:00Z", "2026", "2026-03", "2026-03-03T05:00:00Z", "2026-03-02T09:04:00Z",
    "1900-01-01T00:00:00Z", "20260302", "",
])  # fmt: skip
NASTY_TEXT = st.sampled_from(["\x00", "a\x00b", "\ud800", "x\udfff", "\ud83d\ude00", "Patient/other", "Patient/",
                              "../Patient/x", " ", "", "é" * 50, "x" * 5000, "urn:uuid:" + "0" * 36])  # fmt: skip
RESOURCE_TYPES = st.sampled_from([5, None, [], {}, "Foo", "ActorDefinition", "Resource", "DomainResource",
                                  "Quantity", "Bundle", "OperationOutcome", "Patient", "Observation"])  # fmt: skip
SCALARS = st.one_of(st.none(), st.booleans(), NUMBERS, DATES, NASTY_TEXT)


def paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    """Every key and index of a JSON document, the root included."""
    found = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            found += paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += paths(child, (*prefix, index))
    return found


def at(value: Any, path: tuple) -> Any:
    for key in path:
        value = value[key]
    return value


def replaced(value: Any, path: tuple, new: Any) -> Any:
    if not path:
        return new
    copy = dict(value) if isinstance(value, dict) else list(value)
    copy[path[0]] = replaced(value[path[0]], path[1:], new)
    return copy


def removed(value: Any, path: tuple) -> Any:
    if len(path) == 1:
        copy = dict(value) if isinstance(value, dict) else list(value)
        del copy[path[0]]
        return copy
    return replaced(value, path[:1], removed(value[path[0]], path[1:]))


@st.composite
def mutation(draw: st.DrawFn, document: Any) -> Any:
    """The document with one thing wrong, somewhere."""
    where = draw(st.sampled_from(paths(document)))
    old = at(document, where)
    how = draw(st.sampled_from(["type", "type", "list", "object", "number", "date", "text", "remove", "key",
                                "resourceType"]))  # fmt: skip
    if how == "remove" and where:
        return removed(document, where)
    if how == "list":
        return replaced(document, where, [old])
    if how == "object":
        return replaced(document, where, {"0": old} if not isinstance(old, dict) else {"value": old})
    if how == "number":
        return replaced(document, where, draw(NUMBERS))
    if how == "date":
        return replaced(document, where, draw(DATES))
    if how == "text":
        if isinstance(old, str) and old:
            cut = draw(st.integers(0, len(old)))
            return replaced(document, where, old[:cut] + draw(NASTY_TEXT) + old[cut:])
        return replaced(document, where, draw(NASTY_TEXT))
    if how == "key" and isinstance(old, dict):
        return replaced(document, where, {**old, draw(NASTY_TEXT): draw(SCALARS)})
    if how == "resourceType":
        objects = [
            p for p in paths(document) if isinstance(at(document, p), dict) and "resourceType" in at(document, p)
        ]
        if objects:
            target = draw(st.sampled_from(objects))
            return replaced(document, target, {**at(document, target), "resourceType": draw(RESOURCE_TYPES)})
    return replaced(document, where, draw(st.one_of(SCALARS, st.just([]), st.just({}))))


@st.composite
def mutated(draw: st.DrawFn, document: Any) -> Any:
    for _ in range(draw(st.sampled_from([1, 1, 1, 2, 3]))):
        document = draw(mutation(document))
    return document


OTHER_PATIENTS = st.sampled_from(["someone-else", "hm-v1", "hm-sv1", "HM-SV1", "hm-sv1.", "x"])


@st.composite
def another_patient(draw: st.DrawFn, request: dict) -> dict:
    """A CDS request whose data and chart may disagree about the patient: the chart (context) changed, one
    resource's subject pointed elsewhere or removed, or the Patient's id changed; then perhaps one more mutation."""
    how = draw(st.sampled_from(["context", "subject", "no subject", "patient id", "full url"]))
    if how == "context":
        request = replaced(request, ("context", "patientId"), draw(OTHER_PATIENTS))
    elif how == "patient id":
        request = replaced(request, ("prefetch", "patient", "id"), draw(OTHER_PATIENTS))
    else:
        subjects = [p for p in paths(request) if p and p[-1] == "subject" and isinstance(at(request, p), dict)]
        where = draw(st.sampled_from(subjects))
        if how == "no subject":
            request = removed(request, where)
        else:
            other = draw(OTHER_PATIENTS)
            reference = f"https://ehr.example.org/fhir/Patient/{other}" if how == "full url" else f"Patient/{other}"
            request = replaced(request, where, {"reference": reference})
    if draw(st.booleans()):
        request = draw(mutation(request))
    return request


def dumps(value: Any, duplicate: tuple | None = None) -> str:
    """JSON text (NUL and surrogates escaped, as a client's encoder writes them); with `duplicate`, the object at that
    path gives its first key twice, the second time with another value."""
    if duplicate is not None and duplicate == () and isinstance(value, dict) and value:
        first = next(iter(value))
        members = [f"{json.dumps(first)}: {json.dumps('a different value')}"]
        members += [f"{json.dumps(k)}: {dumps(v)}" for k, v in value.items()]
        return "{" + ", ".join(members) + "}"
    if isinstance(value, dict):
        inner = [f"{json.dumps(k)}: {dumps(v, _down(duplicate, k))}" for k, v in value.items()]
        return "{" + ", ".join(inner) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(dumps(v, _down(duplicate, i)) for i, v in enumerate(value)) + "]"
    return json.dumps(value)


def _down(duplicate: tuple | None, key: Any) -> tuple | None:
    return duplicate[1:] if duplicate and duplicate[0] == key else None


@st.composite
def body(draw: st.DrawFn, document: Any) -> str:
    """A mutated document as text, sometimes with a key given twice in one of its objects."""
    value = draw(mutated(document))
    objects = [p for p in paths(value) if isinstance(at(value, p), dict) and at(value, p)]
    if objects and draw(st.integers(0, 4)) == 0:
        return dumps(value, draw(st.sampled_from(objects)))
    return dumps(value)


FHIR_DOCUMENTS = st.sampled_from(sorted(sample_names())).map(sample_load)
# Keys whose values the mapping reads: mutated with values of the right type, so that the model accepts them and
# the safety checks and the engine's ranges are what answers.
CLINICAL_KEYS = {
    "value": NUMBERS, "effectiveDateTime": DATES, "issued": DATES, "birthDate": DATES, "start": DATES,
    "authoredOn": DATES, "code": st.sampled_from(["2601-3", "19123-9", "mg/dL", "mmol/L", "meq/L", "kg", "42316", ""]),
    "reference": st.sampled_from(["Patient/other", "Patient/hm-v1", "#x", "Medication/none", "Patient/"]),
    "status": st.sampled_from(["final", "preliminary", "entered-in-error", "active", "stopped"]),
    "comparator": st.sampled_from(["<", ">=", "ad"]), "gender": st.sampled_from(["other", "unknown", "female"]),
}  # fmt: skip


@st.composite
def clinical_mutation(draw: st.DrawFn, document: Any) -> Any:
    """One to three values the mapping reads, each replaced by one of its own type at an edge."""
    for _ in range(draw(st.integers(1, 3))):
        leaves = [
            p for p in paths(document) if p and p[-1] in CLINICAL_KEYS and not isinstance(at(document, p), dict | list)
        ]
        where = draw(st.sampled_from(leaves))
        document = replaced(document, where, draw(CLINICAL_KEYS[where[-1]]))
    return document


HOSTILE_FHIR = st.one_of(FHIR_DOCUMENTS.flatmap(body), FHIR_DOCUMENTS.flatmap(clinical_mutation).map(dumps))
CDS_REQUESTS = st.sampled_from(CDS_SAMPLES).map(lambda name: hook_request(name))
HOSTILE_CDS_REQUESTS = st.one_of(CDS_REQUESTS.flatmap(mutated), CDS_REQUESTS.flatmap(another_patient))


# --- what is checked --------------------------------------------------------------------------------------------


def assert_errors_name_fields(response) -> None:
    errors = response.json()["errors"]
    assert errors
    for error in errors:
        assert isinstance(error["field"], str) and error["field"], error
        assert isinstance(error["message"], str) and error["message"], error


PATIENT_REFERENCE = re.compile(r"(?:^|/)Patient/([^/]+)(?:/_history/[^/]+)?$")


def _subjects(value: Any) -> Iterator[Any]:
    """Every `subject` in the document (the patient each resource names)."""
    if isinstance(value, dict):
        for key, child in value.items():
            if key == "subject":
                yield child
            yield from _subjects(child)
    elif isinstance(value, list):
        for child in value:
            yield from _subjects(child)


def assert_no_card_for_another_patient(request: dict, cards: list[dict]) -> None:
    """A card that grades the Mg (a grade or a plan in its summary) is about the chart's patient only: every resource
    in its "Data used" names that patient, and nothing in the prefetch names another."""
    graded = [card for card in cards if "CTCAE grade" in card["summary"]]
    if not graded:
        return
    context = request["context"]["patientId"]
    prefetch = request.get("prefetch") or {}
    for subject in _subjects(prefetch):
        reference = subject.get("reference") if isinstance(subject, dict) else None
        if isinstance(reference, str) and reference:
            match = PATIENT_REFERENCE.search(reference)
            assert match and match.group(1) == context, (reference, context)
    patient = prefetch.get("patient")
    if isinstance(patient, dict):
        assert patient.get("id") == context, (patient.get("id"), context)
    combined = cds_hooks._as_bundle(
        {k: v for k, v in prefetch.items() if k in cds_hooks.PREFETCH}, cds_hooks._Origins()
    )
    for card in graded:
        for label in re.findall(r"^\| [^|]+ \| [^|]+ \| ([^|]+) \|", card["detail"], re.M)[1:]:
            assert _used_resource_names(label.strip().replace("\\", ""), combined, context), (label, card["detail"])


def _used_resource_names(label: str, combined: dict, context: str) -> bool:
    """The resource shown as `label` ("Observation/mg-1" or "Observation at entry.3") names the chart's patient."""
    entries = [entry["resource"] for entry in combined["entry"]]
    if " at entry." in label:
        candidates = [entries[int(label.rsplit(".", 1)[1])]]
    else:
        kind, _, rid = label.partition("/")
        candidates = [r for r in entries if r.get("resourceType") == kind and r.get("id") == rid]
    for resource in candidates:
        if resource.get("resourceType") == "Patient":
            if resource.get("id") == context:
                return True
            continue
        reference = (resource.get("subject") or {}).get("reference")
        match = PATIENT_REFERENCE.search(reference) if isinstance(reference, str) else None
        if match and match.group(1) == context:
            return True
    return False


# --- the tests --------------------------------------------------------------------------------------------------


@pytest.fixture
def frozen():
    """The samples' own clock: results three hours old, so that mutations, not age, decide what happens."""
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.mark.django_db
@fuzz(180)
@given(text=HOSTILE_FHIR)
def test_haz20_fuzzed_fhir_gets_no_5xx_from_the_fhir_endpoint(frozen, text):
    response = Client(enforce_csrf_checks=True).post(FHIR, data=text, content_type="application/fhir+json")

    assert response.status_code in (200, 400), (response.status_code, text[:2000])
    event(f"status {response.status_code}")  # --hypothesis-show-statistics: how many reached a mapping
    if response.status_code == 400:
        assert_errors_name_fields(response)
    else:
        assert set(response.json()) == {"input", "provenance", "not_mapped", "notices"}


@pytest.mark.django_db
@fuzz(60)
@given(text=HOSTILE_FHIR)
def test_haz20_fuzzed_fhir_gets_no_5xx_from_the_import_page(client, frozen, text):
    token = client.csrf_token(IMPORT)

    response = client.post(IMPORT, {"bundle": text, "csrfmiddlewaretoken": token})

    assert response.status_code == 200, (response.status_code, text[:2000])
    html = response.content.decode()
    assert "Imported from FHIR" in html or "The data was not imported" in html
    event("imported" if "Imported from FHIR" in html else "refused")


@pytest.mark.django_db
@fuzz(150)
@given(hook=HOSTILE_CDS_REQUESTS, duplicate=st.integers(0, 4).map(lambda n: n == 0))
def test_haz20_fuzzed_cds_requests_without_a_token_get_no_5xx_and_no_card_for_another_patient(frozen, hook, duplicate):
    text = dumps(hook, () if duplicate else None)

    response = Client(enforce_csrf_checks=True).post(SERVICE, data=text, content_type="application/json")

    _check_cds_answer(response, hook, duplicate)


@pytest.fixture
def ehr_key(tmp_path) -> Iterator[RsaKey]:
    key = RsaKey()
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps({"keys": [key.jwk()]}))
    with override_settings(HYPOMAG_CDS_ISSUERS={ISSUER: {"jwks_file": str(jwks)}}):
        yield key


@pytest.mark.django_db
@fuzz(70)
@given(hook=HOSTILE_CDS_REQUESTS)
def test_haz20_fuzzed_cds_requests_with_a_signed_token_get_no_5xx_and_no_card_for_another_patient(
    frozen, ehr_key, monkeypatch, hook
):
    # A signed caller may make HypoMag fetch: here every fetch fails, as from a broken FHIR server.
    def unreachable(url, token, deadline):
        raise cds_hooks.FetchFailed("the FHIR server could not be reached (ConnectionRefusedError)")

    monkeypatch.setattr(cds_hooks, "fhir_fetch", unreachable)
    headers = {"Authorization": f"Bearer {signed_token(ehr_key)}"}

    response = Client(enforce_csrf_checks=True).post(SERVICE, data=json.dumps(hook),
                                                     content_type="application/json", headers=headers)  # fmt: skip

    _check_cds_answer(response, hook, duplicate=False)


def _check_cds_answer(response, request: dict, duplicate: bool) -> None:
    assert response.status_code in (200, 400, 412), (response.status_code, json.dumps(request)[:2000])
    event(f"status {response.status_code}")
    if response.status_code != 200:
        assert_errors_name_fields(response)
        return
    assert not duplicate, "a body with a key given twice must be refused"
    cards = response.json()["cards"]
    assert len(cards) <= 1
    event("graded card" if cards and "CTCAE grade" in cards[0]["summary"] else "card without a grade, or none")
    for card in cards:
        assert 0 < len(card["summary"]) < 140 and card["indicator"] in ("info", "warning", "critical")
    assert_no_card_for_another_patient(request, cards)


CLAIM_VALUES = st.one_of(SCALARS, st.integers(), st.floats(allow_nan=False), st.lists(st.integers(), max_size=2))


@pytest.mark.django_db
@fuzz(50)
@given(claim=st.sampled_from(["exp", "iat", "nbf", "jti", "aud", "iss", "sub"]), value=CLAIM_VALUES)
def test_haz20_fuzzed_token_claims_get_a_401_or_an_answer_never_a_5xx(ehr_key, claim, value):
    cache.clear()
    try:
        token = signed_token(ehr_key, **{claim: value})
    except (TypeError, ValueError, OverflowError):
        return  # PyJWT cannot even encode it: no EHR can send it
    body = json.dumps(hook_request("severe_magnesium"))

    response = Client(enforce_csrf_checks=True).post(SERVICE, data=body, content_type="application/json",
                                                     headers={"Authorization": f"Bearer {token}"})  # fmt: skip

    assert response.status_code in (200, 401), (claim, value, response.content[:500])
    if response.status_code == 401:
        assert_errors_name_fields(response)


FEEDBACK_BODY = {"feedback": [
    {"card": str(uuid.UUID(int=1)), "outcome": "accepted", "outcomeTimestamp": "2026-03-02T09:12:00Z"},
    {"card": str(uuid.UUID(int=2)), "outcome": "overridden", "outcomeTimestamp": "2026-03-02T09:13:00+01:00",
     "overrideReason": {"reason": {"system": cds_hooks.OVERRIDE_SYSTEM, "code": "renal_function"},
                        "userComment": "on dialysis"}},
]}  # fmt: skip


@pytest.mark.django_db
@fuzz(60)
@given(text=body(FEEDBACK_BODY))
def test_haz20_fuzzed_feedback_gets_no_5xx_and_stores_all_or_nothing(text):
    cache.clear()  # the unsigned rate is another test's business
    before = AuditEvent.objects.count()

    response = Client(enforce_csrf_checks=True).post(FEEDBACK, data=text, content_type="application/json")

    assert response.status_code in (200, 400), (response.status_code, text[:2000])
    stored = AuditEvent.objects.count() - before
    if response.status_code == 200:
        assert stored == response.json()["stored"] <= cds_hooks.MAX_FEEDBACK_ITEMS
    else:
        assert stored == 0
        assert_errors_name_fields(response)
