"""The clinical safety case: one or more tests per hazard of docs/safety/hazard-log.md, named `test_hazNN_...`.

Each test drives the real control through the public API: the clinical core (`tests/builders.py`), the FHIR
mapping, or the pages through the Django test client. `scripts/safety-report` runs them and prints hazard -> tests ->
pass/fail; `tests/safety/test_hazard_log.py` keeps the log and these names in step.
"""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assessments import services
from assessments.bedside.form_mapping import input_to_form
from assessments.ehr.fhir import fhir_to_input
from assessments.models import SavedAssessment
from tests.builders import errors, ids, payload, run, transplant_of
from tests.web.ehr.samples import NOW, sample

CHILD = {"age_years": 6, "sex": "male", "weight_kg": 20, "height_cm": 115}
VOMITING = {"vomiting": True}
# Serum creatinine 300 umol/L in the base adult (45 y, female, 70 kg): CrCl about 23 mL/min, below 30.
LOW_RENAL = {"creatinine": {"value": 300, "unit": "umol/L"}}


def warning(out: dict, warning_id: str) -> dict | None:
    return next((w for w in out["warnings"] if w["id"] == warning_id), None)


def reminder(out: dict, reminder_id: str) -> dict | None:
    return next((r for r in out["reminders"] if r["id"] == reminder_id), None)


def regimens(dose: dict | None):
    while dose is not None:
        yield dose
        dose = dose["follow_on"]


def page(client: Client, data: dict, **save: object) -> str:
    """The bedside page's result for a contract input, posted as the form would post it."""
    fields = input_to_form(data)
    fields.update({f"save-{key}": value for key, value in save.items()})
    response = client.submit(reverse("assess"), fields)
    assert response.status_code == 200
    return response.content.decode()


def imported(client: Client, name: str):
    """The import page's answer to a sample bundle pasted into its form."""
    url = reverse("fhir-import")
    return client.submit(url, {"bundle": _text(name)}, page=url)


@pytest.fixture
def signed_in(client_as) -> Client:
    return client_as("clinician")


# --- HAZ01 Mg unit mix-up -------------------------------------------------------------------------------------------


# Rule set 2026.2, section 2.1: P1 (1.5 mmol/L: low in mg/dL), P2 (0.6 mg/dL: grade 4 in mg/dL; 1.2 mEq/L: any
# low mEq/L value), P1b (2.2 mEq/L: normal in mg/dL).
@pytest.mark.parametrize(("value", "unit"), [(1.5, "mmol/L"), (0.6, "mg/dL"), (1.2, "mEq/L"), (2.2, "mEq/L")])
def test_haz01_a_value_that_reads_like_another_unit_gets_the_unit_check_first(value, unit):
    out = run(mg=(value, unit))
    # First in the list: a unit problem changes every figure below it.
    assert out["warnings"][0]["id"] == "unit_check"
    assert "Confirm the unit on the lab report before acting" in out["warnings"][0]["text"]


def test_haz01_a_plausible_value_gets_no_unit_check():
    # The check must not cry wolf on an ordinary low value, or it will be ignored.
    assert warning(run(mg=(0.6, "mmol/L")), "unit_check") is None


def test_haz01_1_1_typed_in_the_mmol_box_is_flagged_and_never_told_to_withhold_mg():
    # 2026.1 read 1.1 mg/dL typed as mmol/L as hypermagnesemia, "withhold Mg", with no unit check (review finding
    # C1). Rule set 2026.2 flags every mmol/L value above the ULN whose mg/dL reading is low (kind P1).
    out = run(mg=(1.1, "mmol/L"))
    assert out["plan"]["route"] == "none"
    assert ids(out["warnings"]) == ["unit_check", "hypermagnesemia"]
    assert "withhold" not in warning(out, "hypermagnesemia")["text"]
    assert ids(out["plan"]["steps"]) == ["confirm_magnesium_unit"]
    # Every reading above the ULN: the unit cannot change the management, so no check.
    assert warning(run(mg=(3.2, "mmol/L")), "unit_check") is None


def test_haz01_a_value_outside_its_units_range_is_refused_and_names_the_likely_unit():
    message = errors(payload(mg=(6, "mmol/L")))["labs.magnesium.value"]
    assert "outside the accepted range 0.05 to 5 mmol/L" in message
    assert "is the unit mg/dL or mEq/L?" in message


@pytest.mark.django_db
def test_haz01_the_page_shows_mg_in_all_three_units_and_the_unit_check_beside_the_field(client):
    html = page(client, payload(mg=(1.5, "mmol/L")))
    # As entered, then in the other two units (the entered unit is not repeated).
    assert "1.5 mmol/L</strong> = 3.65 mg/dL = 3.00 mEq/L" in html
    beside_field = html.split('id="mg-unit-check"', 1)[1].split("</fieldset>", 1)[0]
    assert "Check the unit" in beside_field


# --- HAZ02 LOINC code/unit mismatch ---------------------------------------------------------------------------------


def test_haz02_a_molar_loinc_code_with_a_mass_unit_is_refused_and_nothing_is_imported():
    found = fhir_to_input(sample("mismatch_2601_3_in_mg_dl"), now=NOW)
    assert not found.ok
    # All or nothing: no value from a refused bundle can look like a checked one.
    assert found.input == {} and found.provenance == []
    assert "the code and the unit disagree, so the value is refused, not converted" in found.errors[0]["message"]


def test_haz02_a_unit_without_a_ucum_code_is_refused_not_guessed():
    bundle = sample("v1_full")
    mg = next(e["resource"] for e in bundle["entry"] if e["resource"].get("id") == "mg-v1")
    del mg["valueQuantity"]["code"]
    found = fhir_to_input(bundle, now=NOW)
    assert not found.ok
    assert "HypoMag does not guess units" in found.errors[0]["message"]


@pytest.mark.django_db
def test_haz02_the_import_page_shows_the_refusal_and_no_result(client):
    with time_machine.travel(NOW, tick=False):
        response = imported(client, "mismatch_2601_3_in_mg_dl")
    html = response.content.decode()
    assert "The data was not imported" in html and "Observation/mg-mm1" in html
    assert "CTCAE grade" not in html


def _text(name: str) -> str:
    return json.dumps(sample(name))


# --- HAZ03 CTCAE boundary error -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "unit", "grade"),
    [
        (0.70, "mmol/L", 0), (0.69, "mmol/L", 1), (0.50, "mmol/L", 1), (0.49, "mmol/L", 2), (0.40, "mmol/L", 2),
        (0.39, "mmol/L", 3), (0.30, "mmol/L", 3), (0.29, "mmol/L", 4),
        (1.70, "mg/dL", 0), (1.69, "mg/dL", 1), (1.20, "mg/dL", 1), (1.19, "mg/dL", 2), (0.90, "mg/dL", 2),
        (0.89, "mg/dL", 3), (0.70, "mg/dL", 3), (0.69, "mg/dL", 4),
        (1.40, "mEq/L", 0), (1.00, "mEq/L", 1), (0.99, "mEq/L", 2),
    ],
)  # fmt: skip
def test_haz03_grade_boundaries_are_inclusive_as_ctcae_says(value, unit, grade):
    assert run(mg=(value, unit))["severity"]["ctcae_grade"] == grade


def test_haz03_mg_dl_is_graded_against_the_mg_dl_cut_offs_not_converted():
    # 1.2 mg/dL = 0.494 mmol/L: converted it would be grade 2; CTCAE grades in the reported unit.
    out = run(mg=(1.2, "mg/dL"))
    assert out["severity"]["ctcae_grade"] == 1
    assert "at or above 1.2 mg/dL: CTCAE grade 1" in out["severity"]["because"][0]


# --- HAZ04 Missing LLN ----------------------------------------------------------------------------------------------


def test_haz04_without_a_lab_lln_the_default_is_used_and_says_so():
    out = run(mg=(0.72, "mmol/L"))
    assert out["magnesium"]["lln_source"] == "default" and out["magnesium"]["lln_mmol_per_l"] == 0.7
    assert "LLN 0.7 mmol/L (default)" in out["severity"]["because"][0]


def test_haz04_a_lab_lln_given_changes_the_grade():
    lab = run(mg=(0.72, "mmol/L"), labs={"magnesium_lln": {"value": 0.75, "unit": "mmol/L"}})
    assert lab["magnesium"]["lln_source"] == "lab" and lab["severity"]["ctcae_grade"] == 1
    assert run(mg=(0.72, "mmol/L"))["severity"]["ctcae_grade"] == 0


def test_haz04_an_lln_in_the_wrong_unit_is_refused():
    data = payload(labs={"magnesium_lln": {"value": 1.7, "unit": "mmol/L"}})
    assert "is the unit mg/dL" in errors(data)["labs.magnesium_lln.value"]


def test_haz04_the_fhir_reference_range_low_becomes_the_lab_lln():
    found = fhir_to_input(sample("mg_mass_units"), now=NOW)
    assert found.ok and found.input["labs"]["magnesium_lln"] == {"value": 1.6, "unit": "mg/dL"}


@pytest.mark.django_db
def test_haz04_the_page_labels_the_lln_as_default_or_from_the_lab(client):
    assert "Lower limit of normal: 0.70 mmol/L (default)" in page(client, payload())
    lab = payload(labs={"magnesium_lln": {"value": 0.75, "unit": "mmol/L"}})
    assert "Lower limit of normal: 0.75 mmol/L (from the lab)" in page(client, lab)


# --- HAZ05 Dose from the wrong weight -------------------------------------------------------------------------------


def test_haz05_a_child_without_a_weight_is_refused():
    data = payload(patient={"age_years": 6}, drop=("patient.weight_kg",))
    assert "doses are per kg" in errors(data)["patient.weight_kg"]


@pytest.mark.parametrize("weight", [0.4, 301, 700])
def test_haz05_an_implausible_weight_is_refused(weight):
    assert "outside the accepted range" in errors(payload(patient={"weight_kg": weight}))["patient.weight_kg"]


def test_haz05_a_childs_per_kg_dose_shows_the_weight_it_used():
    dose = run(patient=CHILD, gi=VOMITING)["plan"]["dose"]
    assert dose["mmol"] == pytest.approx(4.0)
    assert "0.2 mmol/kg x 20 kg = 4 mmol" in dose["text"]
    assert "weight 20 kg" in dose["because"]


def test_haz05_a_childs_dose_is_capped_whatever_the_weight_typed():
    # 60 typed for a 6-year-old (pounds for kilograms, or another child's weight): the cap holds the dose.
    dose = run(patient={**CHILD, "weight_kg": 60}, gi=VOMITING)["plan"]["dose"]
    assert dose["mmol"] == pytest.approx(8.0)


def test_haz05_an_adults_iv_dose_does_not_depend_on_the_weight():
    light = run(mg=(0.45, "mmol/L"), patient={"weight_kg": 45})["plan"]["dose"]
    heavy = run(mg=(0.45, "mmol/L"), patient={"weight_kg": 140})["plan"]["dose"]
    assert light["grams_mgso4"] == heavy["grams_mgso4"] == 5


def test_haz05_an_overstated_weight_cannot_raise_the_renal_function_above_the_egfr():
    derived = run(patient={"weight_kg": 200}, labs=LOW_RENAL)["derived"]
    assert derived["crcl_ml_min"] > derived["egfr_ml_min_1_73m2"]
    assert derived["renal_function_ml_min"] == derived["egfr_ml_min_1_73m2"]


# --- HAZ06 Renal adjustment missed ----------------------------------------------------------------------------------


def test_haz06_below_30_ml_min_the_dose_is_halved_flagged_and_watched():
    out = run(mg=(0.45, "mmol/L"), labs=LOW_RENAL)
    assert out["derived"]["renal_function_ml_min"] < 30
    dose = out["plan"]["dose"]
    assert (dose["grams_mgso4"], dose["renal_adjusted"]) == (2.5, True)
    assert warning(out, "renal_dose_reduction") and warning(out, "hypermagnesemia_risk")
    assert "renal_dose_reduction" in ids(out["plan"]["steps"])
    assert reminder(out, "hypermagnesemia_watch") and reminder(out, "recheck_before_next_dose")


@pytest.mark.parametrize("condition", ["aki", "dialysis", "oliguria"])
def test_haz06_aki_dialysis_or_oliguria_halve_the_dose_despite_a_normal_creatinine(condition):
    out = run(mg=(0.45, "mmol/L"), conditions=[condition])
    assert out["derived"]["renal_function_ml_min"] > 30  # the creatinine alone would not have halved it
    assert out["plan"]["dose"]["renal_adjusted"] is True and out["plan"]["dose"]["grams_mgso4"] == 2.5


def test_haz06_the_oral_dose_is_halved_too():
    dose = run(labs=LOW_RENAL)["plan"]["dose"]
    assert (dose["mmol_per_day_min"], dose["mmol_per_day_max"], dose["renal_adjusted"]) == (6, 12, True)


@pytest.mark.django_db
def test_haz06_the_page_says_the_dose_was_reduced_for_renal_function(client):
    html = page(client, payload(mg=(0.45, "mmol/L"), labs=LOW_RENAL))
    action = html.split('aria-label="What to do now"', 1)[1].split("</section>", 1)[0]
    # On the Give line itself, in the first block a clinician reads.
    assert "<strong>halved for renal function</strong>" in action


# --- HAZ07 Unknown renal function treated as normal -----------------------------------------------------------------


def test_haz07_without_a_creatinine_only_a_first_full_dose_is_given():
    out = run(mg=(0.25, "mmol/L"), drop=("labs.creatinine",))
    dose = out["plan"]["dose"]
    assert out["derived"]["renal_function_ml_min"] is None
    assert dose["grams_mgso4"] == 5 and "First dose only, at full strength" in dose["text"]
    # Grade 4 with a known renal function continues 5 g a day; unknown, it must not.
    assert "5 g per day" not in dose["text"]
    assert "no serum creatinine" in warning(out, "renal_function_unknown")["text"]
    assert reminder(out, "check_creatinine")["due_in_hours"] == 0
    assert reminder(out, "recheck_before_next_dose") is not None
    assert "labs.creatinine" in out["missing"]


def test_haz07_an_urgent_bolus_gets_no_follow_on_while_renal_function_is_unknown():
    dose = run(symptoms=["torsades"], drop=("labs.creatinine",))["plan"]["dose"]
    assert dose["grams_mgso4"] == 2 and dose["follow_on"] is None


def test_haz07_a_child_without_a_height_has_unknown_renal_function():
    out = run(patient=CHILD, gi=VOMITING, drop=("patient.height_cm",))
    assert (
        "height is not, so the bedside Schwartz eGFR cannot be computed"
        in warning(out, "renal_function_unknown")["text"]
    )
    assert "patient.height_cm" in out["missing"]


# --- HAZ08 Undiluted 50% bolus --------------------------------------------------------------------------------------

IV_CASES = {
    "adult grade 1": {"gi": VOMITING},
    "adult grade 2": {"mg": (0.45, "mmol/L")},
    "adult urgent": {"symptoms": ["torsades"]},
    "child iv": {"patient": CHILD, "gi": VOMITING},
    "child urgent": {"patient": CHILD, "mg": (0.45, "mmol/L"), "symptoms": ["seizure"]},
}


@pytest.mark.parametrize("changes", IV_CASES.values(), ids=IV_CASES.keys())
def test_haz08_every_volume_of_50_percent_is_followed_by_its_dilution(changes):
    shown = 0
    for dose in regimens(run(**changes)["plan"]["dose"]):
        for after in re.findall(r"mL of 50%(.{0,12})", dose["text"]):
            assert after.startswith(" and dilute")
            shown += 1
        assert "Never give 50% undiluted" in dose["text"]
        assert dose["concentration_percent"] <= 20
    assert shown


def test_haz08_the_urgent_bolus_is_diluted_too():
    dose = run(symptoms=["torsades"])["plan"]["dose"]
    assert (dose["ml_50_percent"], dose["volume_ml"], dose["concentration_percent"]) == (4, 100, 2)


@pytest.mark.django_db
def test_haz08_the_page_shows_the_dilution_beside_the_50_percent_volume(client):
    html = page(client, payload(symptoms=["torsades"]))
    assert re.search(
        r"<dt>Draw up</dt><dd>4 mL of 50% magnesium sulfate, diluted to 100 mL \(2%\)\. "
        r"Never give 50% undiluted\.</dd>",
        html,
    )


# --- HAZ09 Level drawn during an infusion ---------------------------------------------------------------------------


def test_haz09_iv_magnesium_in_the_last_24h_asks_to_confirm_the_sample_was_drawn_6_h_after():
    out = run(magnesium_therapy={"iv_magnesium_last_24h": True})
    assert out["warnings"][0]["id"] == "recent_iv_magnesium"
    assert "at least 6 h after the end of the last infusion" in out["warnings"][0]["text"]
    assert warning(run(), "recent_iv_magnesium") is None


def test_haz09_a_high_mmol_value_may_be_a_sample_taken_during_an_infusion():
    text = warning(run(mg=(1.5, "mmol/L")), "unit_check")["text"]
    assert "True hypermagnesemia is uncommon unless renal function is poor or Mg was given" in text


def test_haz09_femg_is_not_interpreted_after_iv_magnesium():
    urine = {"urine_magnesium": {"value": 2, "unit": "mmol/L"}, "urine_creatinine": {"value": 8, "unit": "mmol/L"}}
    derived = run(labs=urine, magnesium_therapy={"iv_magnesium_last_24h": True})["derived"]
    assert derived["femg_interpretation"] == "not_interpretable"
    assert derived["femg_not_interpretable_reason"] == "iv_magnesium_last_24h"


@pytest.mark.django_db
def test_haz09_the_page_shows_the_recent_infusion_warning(client):
    assert "confirm the sample was drawn at least 6 h" in page(
        client, payload(magnesium_therapy={"iv_magnesium_last_24h": True})
    )


# --- HAZ10 Stale lab value ------------------------------------------------------------------------------------------


def test_haz10_a_fhir_mg_result_over_24_hours_old_gets_the_engines_stale_warning():
    # One rule (rule set 2026.2, PROTOCOL.md section 2.2): the import fills the age, the engine judges it.
    found = fhir_to_input(sample("stale_magnesium"), now=NOW)
    assert found.ok and found.input["labs"]["magnesium"]["age_hours"] == 75
    out = run(labs={"magnesium": found.input["labs"]["magnesium"]})
    assert warning(out, "stale_result")["text"] == "The Mg result is 75 h old: repeat it before acting on this plan."


@pytest.mark.django_db
def test_haz10_the_import_page_shows_the_stale_result(client):
    with time_machine.travel(NOW, tick=False):
        html = imported(client, "stale_magnesium").content.decode()
    assert "Stale result" in html and "Stale: 75 h old (over 24 h)" in html
    # The form carries the age to the engine, which warns in the result once the transplant is added.
    assert 'name="magnesium_age_hours" value="75"' in html


def test_haz10_a_sample_time_in_the_future_is_refused_on_save(signed_in, patient):
    future = (timezone.localtime() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    fields = {**input_to_form(payload()), "save-patient": patient.pk, "save-sample_time": future}
    response = signed_in.submit(reverse("assessment-save"), fields)
    assert b"The sample time is in the future" in response.content
    assert not SavedAssessment.objects.exists()


def test_haz10_the_saved_record_shows_when_the_sample_was_drawn(signed_in, patient):
    with time_machine.travel(dt.datetime(2026, 11, 22, 12, 0, tzinfo=dt.UTC), tick=False):
        typed = payload(transplant={"type": "allogeneic", "day": 19})  # day 19 on 20 November, as the record says
        fields = {**input_to_form(typed), "save-patient": patient.pk, "save-sample_time": "2026-11-20T08:00"}
        signed_in.submit(reverse("assessment-save"), fields)
        saved = SavedAssessment.objects.get()
        html = signed_in.get(reverse("assessment-detail", args=[saved.pk])).content.decode()
    assert "Sample 2026-11-20 08:00" in html


# --- HAZ11 Oral Mg with diarrhea ------------------------------------------------------------------------------------


def test_haz11_diarrhea_of_500_ml_a_day_rules_out_oral_magnesium():
    out = run(gi={"diarrhea_ml_per_day": 500})
    assert out["plan"]["route"] == "iv" and "diarrhea_or_gut_gvhd" in out["plan"]["reasons"]
    assert "avoid_oral_magnesium" in ids(out["plan"]["steps"])
    assert run(gi={"diarrhea_ml_per_day": 499})["plan"]["route"] == "oral"  # the threshold is MAGIC stage 1


@pytest.mark.parametrize("gi", [{"lower_gi_gvhd_stage": 1}, {"high_output_stoma": True}])
def test_haz11_gut_gvhd_or_a_high_output_stoma_rules_out_oral_magnesium(gi):
    assert run(gi=gi)["plan"]["route"] == "iv"


def test_haz11_a_childs_diarrhea_is_judged_per_kg():
    # 200 mL/day is 10 mL/kg/day for a 20 kg child: stage 1, though far below the adult 500 mL/day.
    assert run(patient=CHILD, gi={"diarrhea_ml_per_day": 200})["plan"]["route"] == "iv"


# --- HAZ12 Interaction missed ---------------------------------------------------------------------------------------


def test_haz12_oral_magnesium_warns_about_each_binding_drug_and_adds_a_spacing_step():
    out = run(
        medications=[{"id": "levothyroxine"}, {"id": "fluoroquinolone"}],
        immunosuppressants=[{"drug": "tacrolimus", "route": "oral"}],
    )
    assert out["plan"]["route"] == "oral"
    drugs = [w["drug"] for w in out["warnings"] if w["id"] == "oral_mg_interaction"]
    assert drugs == ["fluoroquinolone", "levothyroxine", "tacrolimus"]
    assert "separate_oral_interactions" in ids(out["plan"]["steps"])


def test_haz12_oral_magnesium_already_taken_is_spaced_even_when_iv_is_planned():
    out = run(mg=(0.45, "mmol/L"), medications=[{"id": "eltrombopag"}], magnesium_therapy={"oral_current": True})
    assert out["plan"]["route"] == "iv"
    assert [w["drug"] for w in out["warnings"] if w["id"] == "oral_mg_interaction"] == ["eltrombopag"]


def test_haz12_iv_magnesium_cautions_about_digoxin_and_neuromuscular_blockers():
    out = run(mg=(0.45, "mmol/L"), medications=[{"id": "digoxin"}, {"id": "neuromuscular_blocker"}])
    cautions = {w["drug"]: w["text"] for w in out["warnings"] if w["id"] == "iv_mg_caution"}
    assert "heart block" in cautions["digoxin"] and "potentiated" in cautions["neuromuscular_blocker"]


# --- HAZ13 K-sparing diuretic with hyperkalemia ---------------------------------------------------------------------


@pytest.mark.parametrize("cni", ["tacrolimus", "cyclosporine"])
def test_haz13_amiloride_with_a_cni_warns_of_hyperkalemia(cni):
    out = run(medications=[{"id": "amiloride"}], immunosuppressants=[{"drug": cni}])
    text = warning(out, "potassium_sparing_with_cni")["text"]
    assert "risk of hyperkalemia" in text and "check potassium" in text


def test_haz13_hyperkalemia_says_stop_potassium_sparing_diuretics_and_at_6_an_ecg_now():
    high = run(labs={"potassium": {"value": 5.5, "unit": "mmol/L"}})
    assert "stop potassium-sparing diuretics" in warning(high, "hyperkalemia")["text"]
    assert "ECG now" not in warning(high, "hyperkalemia")["text"]
    assert reminder(high, "recheck_k") is not None
    very_high = run(labs={"potassium": {"value": 6.0, "unit": "mmol/L"}})
    assert "ECG now; follow the local hyperkalemia protocol" in warning(very_high, "hyperkalemia")["text"]


def test_haz13_hyperkalemia_is_warned_even_when_no_magnesium_is_given():
    out = run(mg=(0.85, "mmol/L"), labs={"potassium": {"value": 5.6, "unit": "mmol/L"}})
    assert out["plan"]["route"] == "none" and warning(out, "hyperkalemia") is not None


# --- HAZ14 Automation bias in an emergency --------------------------------------------------------------------------


@pytest.mark.django_db
def test_haz14_an_emergency_banner_points_to_the_local_protocol_before_any_dose(client):
    html = page(client, payload(mg=(0.45, "mmol/L"), symptoms=["seizure"]))
    action = html.split('aria-label="What to do now"', 1)[1].split("</section>", 1)[0]
    line = action.index("Follow the local emergency protocol now; HypoMag shows reference information only.")
    # The protocol line opens "What to do now", before the reference dose, so the protocol is read first.
    assert line < action.index("<dt>Draw up</dt>")
    assert "EMERGENCY" in action.upper()


def test_haz14_the_urgent_regimen_is_labelled_a_reference_regimen():
    out = run(symptoms=["torsades"])
    assert out["plan"]["route"] == "iv_urgent"
    assert out["plan"]["dose"]["text"].startswith("Reference regimen (the local emergency protocol takes precedence): ")
    steps = ids(out["plan"]["steps"])
    assert "follow_local_emergency_protocol" in steps
    assert steps.index("follow_local_emergency_protocol") < steps.index("give_iv_magnesium_urgent")


def test_haz14_an_urgent_symptom_is_an_emergency_even_when_mg_is_normal():
    out = run(mg=(0.9, "mmol/L"), symptoms=["seizure"])
    assert out["severity"]["clinical_severity"] == "emergency"
    assert "follow_local_emergency_protocol" in ids(out["plan"]["steps"])
    # Mg does not explain it: the app says to look elsewhere rather than give Mg.
    assert out["plan"]["route"] == "none" and warning(out, "symptoms_not_explained_by_mg") is not None


# --- HAZ15 Wrong patient --------------------------------------------------------------------------------------------


def test_haz15_the_save_panel_names_each_patient_by_label_and_hospital_id(signed_in, patient):
    html = page(signed_in, payload())
    assert "Save to a patient record" in html
    assert f'<option value="{patient.pk}">AB bed 3 (H0001, Ward 7)</option>' in html


def test_haz15_the_saved_record_heading_shows_the_patient_label(signed_in, patient):
    typed = payload(transplant=transplant_of(patient, timezone.now()))
    signed_in.submit(reverse("assessment-save"), {**input_to_form(typed), "save-patient": patient.pk})
    saved = SavedAssessment.objects.get()
    html = signed_in.get(reverse("assessment-detail", args=[saved.pk])).content.decode()
    heading = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S).group(1)
    assert "AB bed 3" in heading and f"day {saved.transplant_day}" in heading


def test_haz15_a_record_that_disagrees_with_the_typed_transplant_is_shown_beside_it_and_nothing_is_saved(
    login, clinician, patient
):
    with time_machine.travel(dt.datetime(2026, 11, 22, 12, 0, tzinfo=dt.UTC), tick=False):
        client = login(clinician)
        typed = payload(transplant={"type": "autologous", "day": 99})
        fields = {**input_to_form(typed), "save-patient": patient.pk, "save-sample_time": "2026-11-20T08:00"}
        html = client.submit(reverse("assessment-save"), fields).content.decode()
    assert not SavedAssessment.objects.exists()
    # Transplant on 1 November, sample on 20 November: the record says day 19; the user chooses which is right.
    assert "You typed" in html and "Patient record" in html
    assert "<td>Autologous</td><td>Allogeneic</td>" in html and "Day 99" in html and "Day 19 (day 0 2026-11-01)" in html
    assert 'name="save-resolve" value="typed"' in html and 'name="save-resolve" value="record"' in html


def test_haz15_a_fhir_bundle_about_two_patients_is_refused():
    found = fhir_to_input(sample("two_patients"), now=NOW)
    assert not found.ok and found.input == {}
    assert "different patients" in found.errors[0]["message"]


# --- HAZ16 Patient data left on a shared PC -------------------------------------------------------------------------


def test_haz16_patient_pages_are_never_cached_and_kept_out_of_htmx_history(signed_in, clinician, patient):
    now = timezone.now()
    data = payload(transplant=transplant_of(patient, now))
    saved = services.assessment_save(user=clinician, patient=patient, data=data, sample_time=now)
    for url in (
        reverse("assess"),
        reverse("patient-list"),
        reverse("patient-detail", args=[patient.pk]),
        reverse("assessment-detail", args=[saved.pk]),
        reverse("ward"),
    ):
        response = signed_in.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"], url
        assert 'hx-history="false"' in response.content.decode(), url


def test_haz16_an_idle_session_ends_after_30_minutes_and_each_request_renews_it(signed_in):
    assert settings.SESSION_COOKIE_AGE == 30 * 60 and settings.SESSION_SAVE_EVERY_REQUEST
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    start = timezone.now()
    with time_machine.travel(start + dt.timedelta(minutes=25), tick=False):
        assert signed_in.get(reverse("patient-list")).status_code == 200  # renews the session
    with time_machine.travel(start + dt.timedelta(minutes=50), tick=False):
        assert signed_in.get(reverse("patient-list")).status_code == 200  # 25 min after the last request
    with time_machine.travel(start + dt.timedelta(minutes=81), tick=False):
        response = signed_in.get(reverse("patient-list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_haz16_every_page_offers_sign_out_to_a_signed_in_user(signed_in, patient):
    for url in (
        reverse("assess"),
        reverse("patient-list"),
        reverse("patient-detail", args=[patient.pk]),
        reverse("ward"),
        reverse("fhir-import"),
        reverse("references"),
        reverse("about"),
        reverse("audit-log"),  # a 403 page for a clinician: still signed in, still one click to sign out
    ):
        html = signed_in.get(url).content.decode()
        assert "Signed in as <strong>clinician</strong>" in html, url
        assert re.search(r'<form method="post" action="/[^"]*logout/?"[^>]*>.*?Sign out</button>', html, re.S), url


def test_haz16_the_sign_in_page_says_to_sign_out_and_names_the_idle_time(client, db):
    html = client.get(reverse("login")).content.decode()
    assert "On a shared PC, sign out when you leave" in html
    assert f"{settings.HYPOMAG_IDLE_MINUTES} minutes without activity" in html


# --- HAZ17 Mg given to a patient who is already hypermagnesemic -----------------------------------------------------


def test_haz17_mg_above_the_uln_gets_no_replacement_even_with_torsades():
    out = run(mg=(1.2, "mmol/L"), symptoms=["torsades"])
    assert out["plan"]["route"] == "none" and out["plan"]["dose"] is None
    assert "IV calcium is the antidote" in warning(out, "hypermagnesemia")["text"]
    assert warning(out, "symptoms_not_explained_by_mg") is not None


def test_haz17_exactly_the_uln_is_not_hypermagnesemia():
    assert warning(run(mg=(1.05, "mmol/L")), "hypermagnesemia") is None


# --- HAZ18 A child dosed as an adult, or a neonate assessed at all --------------------------------------------------


def test_haz18_a_neonate_is_refused_as_out_of_scope():
    data = payload(patient={"age_years": 0.05, "weight_kg": 3.5})
    assert "neonate" in errors(data)["patient.age_years"]


def test_haz18_a_17_year_old_gets_the_childs_regimen_and_an_18_year_old_the_adults():
    teen = run(patient={"age_years": 17, "weight_kg": 60}, gi=VOMITING)["plan"]["dose"]
    adult = run(patient={"age_years": 18, "weight_kg": 60}, gi=VOMITING)["plan"]["dose"]
    # 2026.2 (M2): every child's IV dose is 0.2 mmol/kg, capped at 20 mmol at 12-17 y: 0.2 x 60 = 12 mmol.
    assert teen["mmol"] == pytest.approx(12.0) and teen["concentration_percent"] == pytest.approx(10.0)
    assert adult["grams_mgso4"] == 4 and adult["volume_ml"] == 250
