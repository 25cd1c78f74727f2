"""FHIR R4 -> contract input (`assessments.ehr.fhir`): every code, every safety check, provenance and staleness."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path

import pytest

from assessments.api.http import json_loads
from assessments.ehr.fhir import fhir_to_input
from assessments.ehr.fhir.codes import CODES_BY_FIELD, OBSERVATIONS
from assessments.services import assessment_run
from tests.web.ehr.samples import NOW, resource, sample

CASES = Path(__file__).resolve().parents[3] / ".." / "shared" / "clinical" / "cases"
V1 = "V1_adult_allo_d10_tacrolimus_mucositis_grade1"


def golden_input(name: str) -> dict:
    path = CASES / f"{name}.json"
    if not path.exists():  # the app's own copy of the golden cases
        path = Path(__file__).resolve().parents[3] / "assessments" / "bedside" / "examples" / f"{name}.json"
    return json.loads(path.read_text())["input"]


def mapped(data: dict, now=NOW):
    found = fhir_to_input(data, now=now)
    assert found.ok, found.errors
    return found


def refused_at(data: dict, now) -> str:
    found = fhir_to_input(data, now=now)
    assert not found.ok and found.input == {}
    return " ".join(error["message"] for error in found.errors)


def refused(data: dict) -> str:
    found = fhir_to_input(data, now=NOW)
    assert not found.ok
    # Nothing half-imported: a safety error leaves no value that could be mistaken for a checked one.
    assert found.input == {}
    return " ".join(error["message"] for error in found.errors)


def test_it_maps_a_full_bundle_to_the_golden_case_values():
    found = mapped(sample("v1_full"))
    v1 = golden_input(V1)

    assert found.input["patient"] == v1["patient"]
    # The Mg result's age (rule set 2026.2, PROTOCOL.md section 2.2): drawn at 06:00, now 09:00.
    assert found.input["labs"]["magnesium"].pop("age_hours") == 3
    assert found.input["labs"] == v1["labs"]
    assert found.input["ecg"] == v1["ecg"]
    assert found.input["medications"] == v1["medications"]
    assert found.input["immunosuppressants"] == [{"drug": "tacrolimus"}]
    # The transplant is not in FHIR, and is not guessed.
    assert "transplant" not in found.input


def test_the_import_round_trips_through_the_engine_to_the_form_entrys_plan():
    found = mapped(sample("v1_full"))
    v1 = golden_input(V1)
    # What the clinician adds on the form: what FHIR does not carry.
    completed = {**found.input, **{k: v1[k] for k in ("transplant", "setting", "gi", "nutrition", "symptoms",
                                                      "magnesium_therapy", "immunosuppressants")}}  # fmt: skip
    typed = copy.deepcopy(v1)
    typed["labs"]["magnesium"]["age_hours"] = 3  # the form's "age of the result" field, typed by hand

    from_fhir = assessment_run(data=completed)
    from_form = assessment_run(data=typed)

    assert from_fhir.ok, from_fhir.errors
    assert from_fhir.output == from_form.output
    assert from_fhir.output["plan"]["route"] == "iv"


def test_provenance_names_the_resource_code_and_time_of_each_field():
    found = mapped(sample("v1_full"))
    rows = {row["field"]: row for row in found.provenance}

    assert rows["labs.magnesium"]["resource"] == "Observation/mg-v1"
    assert rows["labs.magnesium"]["code"] == "http://loinc.org|2601-3"
    assert rows["labs.magnesium"]["time"] == "2026-03-02T06:00:00+00:00"
    assert rows["labs.magnesium"]["stale"] is False
    assert rows["patient.age_years"]["resource"] == "Patient/hm-v1"
    assert rows["ecg.qtc_ms"]["code"] == "http://loinc.org|8636-3"
    assert {row["resource"] for row in found.provenance if row["field"] == "medications"} == {
        "MedicationRequest/vori-v1", "MedicationStatement/panto-v1", "MedicationRequest/ondan-v1"}  # fmt: skip


def test_the_newest_result_wins_and_the_older_one_is_listed_as_not_used():
    found = mapped(sample("v1_full"))

    assert found.input["labs"]["magnesium"] == {"value": 0.52, "unit": "mmol/L", "age_hours": 3}
    older = [item for item in found.not_mapped if item["resource"] == "Observation/mg-v1-yesterday"]
    assert older and "newer" in older[0]["reason"]
    # In words, not the contract's path "labs.magnesium" (an independent tester).
    assert older[0]["reason"].startswith("an older serum magnesium result: ")


def test_a_newer_result_without_a_value_is_said_at_the_top_not_only_in_not_used():
    # A tester removed the value of the newest Mg: the 27 h old one was used and only the folded list said why.
    bundle = sample("v1_full")
    newest = resource(bundle, "mg-v1")
    del newest["valueQuantity"]
    found = mapped(bundle)
    assert found.input["labs"]["magnesium"]["value"] == 0.61  # the older result, as before
    (notice,) = found.notices
    assert (
        notice.startswith("Observation/mg-v1 is a newer ")
        and "than the one used (Observation/mg-v1-yesterday" in notice
    )
    assert "but it has no value: check the EHR for the newest value before acting on this one." in notice
    assert found.as_json()["notices"] == [notice]
    # With the newest result used, nothing is said.
    assert mapped(sample("v1_full")).notices == []


@pytest.mark.parametrize("value", ["0.52", "0,52", ""])
def test_a_value_sent_as_text_is_refused_at_its_path(value):
    # A tester changed valueQuantity.value to "0.52": fhir.resources read it as the number, silently.
    bundle = sample("v1_full")
    resource(bundle, "mg-v1")["valueQuantity"]["value"] = value
    message = refused(bundle)
    assert "valueQuantity.value is the text" in message and "writes a decimal as a number" in message
    # Named as the EHR names the resource, not as the JSON path "entry.1.resource..." (another tester).
    assert message.startswith("Observation/mg-v1, valueQuantity.value is the text")


def test_a_malformed_time_names_its_resource():
    bundle = sample("v1_full")
    resource(bundle, "mg-v1")["effectiveDateTime"] = "2026-02-30"
    message = refused(bundle)
    assert message.startswith("Bundle is not valid FHIR R4 at Observation/mg-v1, effectiveDateTime:"), message
    assert "entry." not in message


def test_a_reference_range_limit_sent_as_text_is_refused():
    bundle = sample("v1_full")
    mg = resource(bundle, "mg-v1")
    mg["referenceRange"] = [{"low": {"value": "0.7", "unit": "mmol/L", "system": "http://unitsofmeasure.org",
                                     "code": "mmol/L"}}]  # fmt: skip
    assert "referenceRange.0.low.value is the text" in refused(bundle)


def test_a_result_older_than_the_contract_reads_is_refused_with_its_date():
    # "6733.9 h is outside the accepted range 0 to 720 h" for a 280-day-old sample bundle (an independent tester).
    message = refused_at(sample("v1_full"), NOW + dt.timedelta(days=280))
    assert message == (
        "Observation/mg-v1: the magnesium result was taken 2026-03-02 06:00 UTC, 280 days ago; HypoMag assesses a"
        " result at most 30 days old: use a newer result"
    )


def test_a_value_too_large_for_a_number_is_refused_in_words():
    bundle = json_loads(json.dumps(sample("v1_full")).replace('"value": 0.52', '"value": 1' + "0" * 400, 1))
    assert "has the value 1.00e+400, too large to be a result" in refused(bundle)


def test_a_future_time_is_said_as_the_page_writes_times():
    # A second tester: "has the time 2026-12-08T02:03:21+00:00, which is in the future" beside "2026-12-07 18:03".
    bundle = sample("v1_full")
    mg = resource(bundle, "mg-v1")
    mg.pop("issued", None)
    mg["effectiveDateTime"] = (NOW + dt.timedelta(hours=5)).isoformat()
    assert "has the time 2026-03-02 14:00 UTC, which is in the future" in refused(bundle)


def test_it_lists_unmapped_resources_and_medications_with_the_reason():
    found = mapped(sample("v1_full"))
    reasons = {item["resource"]: item["reason"] for item in found.not_mapped}

    assert "718-7" in reasons["Observation/hb-v1"]  # hemoglobin: not a code HypoMag reads
    assert "6902" in reasons["MedicationRequest/mp-v1"]  # methylprednisolone: an RxNorm code with no mapping
    assert "no RxNorm code" in reasons["MedicationRequest/lop-v1"]  # loperamide by name only: never guessed


def test_mass_units_keep_their_unit_and_the_lab_range_gives_the_lln():
    found = mapped(sample("mg_mass_units"))

    assert found.input["labs"]["magnesium"] == {"value": 1.2, "unit": "mg/dL", "age_hours": 3.5}
    assert found.input["labs"]["magnesium_lln"] == {"value": 1.6, "unit": "mg/dL"}
    assert found.input["labs"]["creatinine"] == {"value": 1.1, "unit": "mg/dL"}
    # UCUM `meq/L` is the contract's mEq/L (KNOWLEDGE.md section 1.4).
    assert found.input["labs"]["potassium"] == {"value": 3.8, "unit": "mEq/L"}
    assert found.input["immunosuppressants"] == [{"drug": "cyclosporine"}]


def test_a_molar_code_with_a_mass_unit_is_refused_not_converted():
    message = refused(sample("mismatch_2601_3_in_mg_dl"))

    assert "Observation/mg-mm1" in message
    assert "2601-3" in message and "mg/dL" in message
    assert "not converted" in message


def test_a_mass_code_with_a_molar_unit_is_refused():
    bundle = sample("mg_mass_units")
    resource(bundle, "mg-us1")["valueQuantity"].update({"code": "mmol/L", "unit": "mmol/L", "value": 0.5})

    assert "Observation/mg-us1" in refused(bundle)


def test_a_lab_range_in_the_wrong_kind_of_unit_is_refused():
    bundle = sample("mg_mass_units")
    resource(bundle, "mg-us1")["referenceRange"][0]["low"].update({"code": "mmol/L", "unit": "mmol/L"})

    assert "reference range" in refused(bundle)


def test_a_right_kind_of_unit_the_contract_does_not_take_is_left_out():
    bundle = sample("v1_full")
    # Potassium as mass (22760-3 in mg/dL) is a correct result, but the contract takes K in mmol/L or mEq/L only.
    k = resource(bundle, "k-v1")
    k["code"]["coding"][0]["code"] = "22760-3"
    k["valueQuantity"].update({"code": "mg/dL", "unit": "mg/dL", "value": 12.9})

    found = mapped(bundle)

    assert "potassium" not in found.input["labs"]
    assert any(item["resource"] == "Observation/k-v1" for item in found.not_mapped)


@pytest.mark.parametrize("status", ["preliminary", "registered", "cancelled", "entered-in-error"])
def test_a_result_that_is_not_final_amended_or_corrected_is_refused(status):
    bundle = sample("v1_full")
    resource(bundle, "k-v1")["status"] = status

    message = refused(bundle)
    assert "Observation/k-v1" in message and status in message


@pytest.mark.parametrize("status", ["amended", "corrected"])
def test_an_amended_or_corrected_result_is_used(status):
    observation = sample("amended_observation")
    observation["status"] = status

    found = mapped(observation)

    assert found.input == {"labs": {"magnesium": {"value": 0.66, "unit": "mmol/L", "age_hours": 3}}}
    assert found.patient == "Patient/hm-am1"


def test_a_value_without_a_unit_is_refused():
    bundle = sample("v1_full")
    quantity = resource(bundle, "mg-v1")["valueQuantity"]
    del quantity["code"], quantity["system"], quantity["unit"]

    assert "without a UCUM unit" in refused(bundle)


def test_a_display_unit_in_place_of_the_ucum_code_is_refused_with_the_right_code():
    bundle = sample("mg_mass_units")
    resource(bundle, "k-us1")["valueQuantity"]["code"] = "mEq/L"

    assert "meq/L" in refused(bundle)


def test_a_unit_from_another_code_system_is_refused():
    bundle = sample("v1_full")
    resource(bundle, "mg-v1")["valueQuantity"]["system"] = "http://example.org/local-units"

    assert "not UCUM" in refused(bundle)


def test_a_value_beyond_the_assay_limit_is_refused():
    bundle = sample("v1_full")
    resource(bundle, "mg-v1")["valueQuantity"]["comparator"] = "<"

    assert "Observation/mg-v1" in refused(bundle)


def test_two_patients_in_one_bundle_are_refused():
    message = refused(sample("two_patients"))

    assert "Patient/hm-a" in message and "Patient/hm-b" in message


def test_a_result_about_another_patient_is_refused_even_without_their_patient_resource():
    bundle = sample("v1_full")
    resource(bundle, "k-v1")["subject"]["reference"] = "https://ehr.example.org/fhir/Patient/someone-else"

    assert "Patient/someone-else" in refused(bundle)


def test_the_same_patient_spelled_as_a_full_url_is_one_patient():
    bundle = sample("v1_full")
    resource(bundle, "k-v1")["subject"]["reference"] = "https://ehr.example.org/fhir/Patient/hm-v1"

    assert mapped(bundle).patient == "Patient/hm-v1"


def test_the_mg_results_age_goes_to_the_engine_which_alone_judges_it_stale():
    # Rule set 2026.2 (PROTOCOL.md section 2.2) supersedes issue 6's own 48 h flag: one rule, the engine's.
    found = mapped(sample("stale_magnesium"))

    assert found.input["labs"]["magnesium"]["age_hours"] == 75  # 2026-02-27 06:00 to 2026-03-02 09:00
    rows = {row["field"]: row for row in found.provenance}
    assert rows["labs.magnesium"]["stale"] is True and rows["labs.magnesium"]["age_hours"] == 75
    # Only the Mg is judged (the protocol has no age limit for the others); their age is shown, not judged.
    assert rows["labs.potassium"]["stale"] is False and rows["labs.potassium"]["age_hours"] == 3
    completed = {**found.input, "transplant": {"type": "allogeneic", "day": 12}}
    warnings = assessment_run(data=completed).output["warnings"]
    assert [w["text"] for w in warnings if w["id"] == "stale_result"] == [
        "The Mg result is 75 h old: repeat it before acting on this plan."
    ]


@pytest.mark.parametrize(("hours", "stale"), [(24, False), (24.01, True)])
def test_the_age_is_rounded_up_so_a_result_is_never_younger_than_it_is(hours, stale):
    import datetime as dt

    drawn = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
    observation = sample("amended_observation")
    observation["effectiveDateTime"] = observation["issued"] = drawn.isoformat()

    found = mapped(observation, now=drawn + dt.timedelta(hours=hours))

    assert (found.input["labs"]["magnesium"]["age_hours"] > 24) is stale
    assert found.provenance[0]["stale"] is stale


def test_a_result_just_inside_the_clock_allowance_counts_as_drawn_now():
    import datetime as dt

    observation = sample("amended_observation")
    observation["effectiveDateTime"] = observation["issued"] = (NOW + dt.timedelta(minutes=4)).isoformat()

    assert mapped(observation).input["labs"]["magnesium"]["age_hours"] == 0


def test_two_newest_results_that_disagree_are_refused():
    bundle = sample("v1_full")
    twin = copy.deepcopy(resource(bundle, "mg-v1"))
    twin["id"] = "mg-v1-repeat"
    twin["valueQuantity"]["value"] = 0.81
    bundle["entry"].append({"resource": twin})

    assert "disagree" in refused(bundle)


def test_a_loinc_code_under_another_system_is_not_read_as_loinc():
    bundle = sample("v1_full")
    # "2161-8" is also a race code (KNOWLEDGE.md section 1.3): the code alone must never match.
    resource(bundle, "cr-v1")["code"]["coding"][0].update({"system": "urn:oid:2.16.840.1.113883.6.238"})

    found = mapped(bundle)
    assert "creatinine" not in found.input["labs"]


def test_medications_that_are_not_active_are_not_listed():
    bundle = sample("v1_full")
    resource(bundle, "vori-v1")["status"] = "stopped"

    found = mapped(bundle)

    assert "azole_antifungal" not in [m["id"] for m in found.input["medications"]]
    assert any("stopped" in item["reason"] for item in found.not_mapped)


def test_a_referenced_medication_resource_is_read_by_its_code():
    bundle = sample("v1_full")
    request = resource(bundle, "tac-v1")
    request["medicationReference"] = {"reference": "Medication/tac"}
    del request["medicationCodeableConcept"]
    bundle["entry"].append({"resource": {"resourceType": "Medication", "id": "tac", "code": {"coding": [
        {"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "42316"}]}}})  # fmt: skip

    assert mapped(bundle).input["immunosuppressants"] == [{"drug": "tacrolimus"}]


def test_a_partial_birth_date_is_not_turned_into_an_age():
    bundle = sample("v1_full")
    resource(bundle, "hm-v1")["birthDate"] = "1980"

    found = mapped(bundle)

    assert "age_years" not in found.input["patient"]
    assert any("not a full date" in item["reason"] for item in found.not_mapped)


def test_an_infants_age_is_a_fraction_of_a_year():
    bundle = sample("v1_full")
    resource(bundle, "hm-v1")["birthDate"] = "2025-09-02"  # six months before NOW

    assert mapped(bundle).input["patient"]["age_years"] == 0.5


@pytest.mark.parametrize(
    ("data", "where"),
    [
        ({"resourceType": "Patient", "id": "x"}, "resourceType"),
        ([1, 2], "resourceType"),
        ({"resourceType": "Bundle", "type": "history", "entry": []}, "type"),
        ({"resourceType": "Observation", "status": "final"}, "code"),
    ],
)
def test_what_is_not_a_readable_bundle_or_observation_is_refused(data, where):
    found = fhir_to_input(data, now=NOW)

    assert not found.ok
    assert found.errors[0]["field"] == where


def test_every_code_of_the_issue_is_in_the_code_module():
    # Issue 6's list; a missing code would silently drop a result.
    expected = {
        "labs.magnesium": {"2601-3", "19123-9"}, "labs.potassium": {"2823-3", "22760-3"},
        "labs.calcium_total": {"2000-8", "17861-6"}, "labs.calcium_ionized": {"1995-0", "1994-3", "17864-0"},
        "labs.albumin": {"1751-7"}, "labs.creatinine": {"14682-9", "2160-0"}, "labs.phosphate": {"14879-1", "2777-1"},
        "labs.urine_magnesium": {"2598-1", "19124-7"}, "labs.urine_creatinine": {"14683-7", "2161-8"},
        "patient.weight_kg": {"29463-7"}, "patient.height_cm": {"8302-2"}, "ecg.qtc_ms": {"8636-3"},
    }  # fmt: skip
    assert {path: set(codes) for path, codes in CODES_BY_FIELD.items()} == expected
    # The molar codes of KNOWLEDGE.md section 1.3 are molar: 2601-3 in particular (the documented pitfall).
    assert OBSERVATIONS["2601-3"].accepted == ("mmol/L", "mEq/L")
    assert OBSERVATIONS["19123-9"].accepted == ("mg/dL",)


def test_a_sample_re_dated_to_another_day_maps_to_the_same_ages():
    import datetime as dt

    from assessments.ehr.fhir.samples import sample_text

    later = NOW + dt.timedelta(days=280, hours=5)
    for name in ("v1_full", "stale_magnesium", "mg_mass_units"):
        then, now = mapped(sample(name)), mapped(json.loads(sample_text(name, now=later)), now=later)
        # Everything but the patient's age (birth dates are not moved, so the patient is older by then).
        then.input["patient"].pop("age_years"), now.input["patient"].pop("age_years")
        assert now.input == then.input
        assert [r["age_hours"] for r in now.provenance] == [r["age_hours"] for r in then.provenance]
    # A future date stays in the future (the sample exists to show it refused); birth dates never move.
    moved = json.loads(sample_text("future_dated_magnesium", now=later))
    assert resource(moved, "mg-fd2")["effectiveDateTime"] == "9999-12-31T00:00:00Z"
    assert resource(moved, "hm-fd1")["birthDate"] == resource(sample("future_dated_magnesium"), "hm-fd1")["birthDate"]


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"valueQuantity": {"value": "0,52", "unit": "mmol/L"}}, "FHIR JSON writes a decimal as a number"),
        ({"effectiveDateTime": "yesterday 6am"}, "not written as FHIR writes a datetime: expected a date and time"),
    ],
)
def test_a_value_not_written_as_fhir_writes_it_is_refused_in_words(change, words):
    # An independent tester: "Decimal value string does not match spec regex", the validator's own text.
    observation = {**sample("amended_observation"), **change}
    message = refused(observation)
    assert words in message and "spec regex" not in message


def test_two_newest_results_that_disagree_are_refused_in_words():
    bundle = sample("v1_full")
    older = resource(bundle, "mg-v1-yesterday")
    older["effectiveDateTime"] = resource(bundle, "mg-v1")["effectiveDateTime"]
    message = refused(bundle)
    assert "are both the newest serum magnesium result (" in message and "UTC) but disagree" in message
    assert "labs.magnesium" not in message and "+00:00" not in message
