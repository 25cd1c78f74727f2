"""`to_json`: the contract output (contract README, "Output"). Numbers keep two decimals; texts carry display
values; every item keeps its basis (`because`, `references`).
"""

from __future__ import annotations

import dataclasses
import json
from enum import Enum

import pytest

from assessments.clinical import assess, parse_input, to_json
from tests.builders import ids, payload, run

# The contract README's dose fields (rule set 2026.2): every one present on every dose and on `follow_on`.
CONTRACT_DOSE_KEYS = {
    "mmol",
    "grams_mgso4",
    "ml_50_percent",
    "volume_ml",
    "duration_hours",
    "rate_mg_per_min",
    "max_rate_mg_per_min",
    "per_kg_mmol",
    "mmol_before_cap",
    "mmol_per_day_min",
    "mmol_per_day_max",
    "mmol_per_dose_min",
    "mmol_per_dose_max",
    "start_mmol_per_day",
    "renal_adjusted",
    "follow_on",
    "text",
}
# What the page shows beside them: the pump rate, the dilution, the weight a per-kg dose used, and the basis.
DOSE_KEYS = CONTRACT_DOSE_KEYS | {
    "pump_rate_ml_per_h",
    "concentration_percent",
    "weight_kg",
    "doses_per_day",
    "because",
    "references",
}


def assessed(**kwargs):
    parsed = parse_input(payload(**kwargs))
    assert parsed.input is not None, parsed.errors
    return assess(parsed.input)


def test_it_has_the_contract_sections():
    assert set(run()) == {
        "ruleset",
        "magnesium",
        "severity",
        "derived",
        "causes",
        "plan",
        "warnings",
        "reminders",
        "missing",
    }


def test_it_is_plain_json():
    # Tuples, enums and dataclasses must not leak: the API and the command print this as is.
    out = run(symptoms=["torsades"], mg=(0.45, "mmol/L"), medications=[{"id": "digoxin"}])
    assert json.loads(json.dumps(out)) == out


def leaks(value, path="$"):
    """Paths whose value is not a plain JSON type (a str subclass such as a StrEnum counts as a leak)."""
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in leaks(v, f"{path}.{k}")]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in leaks(v, f"{path}[{i}]")]
    if value is None or type(value) in (str, int, float, bool):
        return []
    return [f"{path}: {type(value).__name__}"]


def test_iv_cautions_and_readings_are_plain_json_types():
    out = run(
        gi={"vomiting": True},
        mg=(1.0, "mEq/L"),
        medications=[{"id": "digoxin"}, {"id": "neuromuscular_blocker"}],
        conditions=["heart_block"],
    )
    assert "iv_mg_caution" in ids(out["warnings"])
    assert "unit_check" in ids(out["warnings"])
    assert leaks(out) == []
    assert not any(isinstance(w["drug"], Enum) for w in out["warnings"])


def test_oral_interaction_drugs_are_plain_strings():
    # Contract README: the oral_mg_interaction warning sets `drug` to the medication id (a JSON string).
    out = run(medications=[{"id": "levothyroxine"}], immunosuppressants=[{"drug": "tacrolimus"}])
    assert {w["drug"] for w in out["warnings"] if w["id"] == "oral_mg_interaction"} == {"levothyroxine", "tacrolimus"}
    assert leaks(out) == []


def test_magnesium_figures_are_rounded_to_two_decimals():
    mg = run(mg=(0.5249, "mmol/L"))["magnesium"]
    assert (mg["mmol_per_l"], mg["mg_per_dl"], mg["meq_per_l"]) == (0.52, 1.28, 1.05)
    # What the user typed is kept exactly as typed, beside the rounded conversions.
    assert mg["entered"] == {"value": 0.5249, "unit": "mmol/L"}


def test_the_lln_says_where_it_came_from():
    default = run(mg=(1.5, "mg/dL"))["magnesium"]
    lab = run(labs={"magnesium_lln": {"value": 0.75, "unit": "mmol/L"}})["magnesium"]
    assert (default["lln"], default["lln_mmol_per_l"], default["lln_source"]) == (
        {"value": 1.7, "unit": "mg/dL"},
        0.7,
        "default",
    )
    assert (lab["lln"], lab["lln_mmol_per_l"], lab["lln_source"]) == ({"value": 0.75, "unit": "mmol/L"}, 0.75, "lab")


def test_derived_figures_are_rounded_to_two_decimals():
    derived = run(
        patient={"age_years": 40, "sex": "male", "weight_kg": 75},
        labs={
            "creatinine": {"value": 80, "unit": "umol/L"},
            "urine_magnesium": {"value": 1.2, "unit": "mmol/L"},
            "urine_creatinine": {"value": 8.2, "unit": "mmol/L"},
        },
        mg=(0.52, "mmol/L"),
    )["derived"]
    # Unrounded: 115.1285..., 110.0250..., 3.2163...
    assert (derived["crcl_ml_min"], derived["egfr_ml_min_1_73m2"], derived["femg_percent"]) == (115.13, 110.03, 3.22)


def test_every_numeric_field_of_a_dose_is_rounded():
    result = assessed(mg=(0.45, "mmol/L"))
    dose = dataclasses.replace(
        result.plan.dose, mmol=16.23456, grams_mgso4=3.99999, duration_hours=2.125001, rate_mg_per_min=27.7777
    )
    out = to_json(dataclasses.replace(result, plan=dataclasses.replace(result.plan, dose=dose)))["plan"]["dose"]
    assert (out["mmol"], out["grams_mgso4"], out["duration_hours"], out["rate_mg_per_min"]) == (16.23, 4.0, 2.13, 27.78)


@pytest.mark.parametrize(
    "changes",
    [
        {},  # adult oral
        {"patient": {"age_years": 8, "weight_kg": 20, "height_cm": 125}},  # child oral, per kg
        {"mg": (0.45, "mmol/L")},  # adult IV
        {"patient": {"age_years": 8, "weight_kg": 20, "height_cm": 125}, "gi": {"vomiting": True}},  # child IV
    ],
)
def test_every_dose_has_every_contract_field(changes):
    dose = run(**changes)["plan"]["dose"]
    assert set(dose) == DOSE_KEYS
    assert set(dose) >= CONTRACT_DOSE_KEYS


def test_an_iv_dose_has_every_contract_field():
    dose = run(mg=(0.45, "mmol/L"))["plan"]["dose"]
    assert set(dose) == DOSE_KEYS
    assert (dose["rate_mg_per_min"], dose["max_rate_mg_per_min"]) == (27.78, 150)
    assert dose["per_kg_mmol"] is dose["mmol_before_cap"] is dose["start_mmol_per_day"] is None
    assert (dose["mmol"], dose["grams_mgso4"], dose["ml_50_percent"], dose["volume_ml"], dose["duration_hours"]) == (
        20.3,
        5.0,
        10.0,
        500,
        3,
    )
    assert dose["follow_on"] is None
    assert dose["because"] and dose["references"]


def test_a_follow_on_is_serialised_with_the_same_fields():
    # Torsades at grade 2, below the target: a bolus, then the grade 2 regimen.
    dose = run(mg=(0.45, "mmol/L"), symptoms=["torsades"])["plan"]["dose"]
    follow_on = dose["follow_on"]
    assert set(follow_on) == DOSE_KEYS
    assert (dose["grams_mgso4"], dose["volume_ml"], dose["duration_hours"]) == (2.0, 100, 0.25)
    assert (follow_on["grams_mgso4"], follow_on["mmol"], follow_on["duration_hours"]) == (5.0, 20.3, 3)
    assert follow_on["follow_on"] is None


def test_route_none_has_no_dose():
    assert run(mg=(0.85, "mmol/L"))["plan"]["dose"] is None


def test_reminders_carry_when_they_are_due():
    reminders = run(mg=(0.45, "mmol/L"))["reminders"]
    due = {r["id"]: r["due_in_hours"] for r in reminders}
    # An IV course of 3 h: recheck 6 h after it ends.
    assert due["recheck_mg_after_iv"] == 9
    assert all(set(r) == {"id", "text", "due_in_hours", "because", "references"} for r in reminders)


def test_the_age_of_the_sample_is_kept_beside_the_entered_value():
    out = run(labs={"magnesium": {"value": 0.6, "unit": "mmol/L", "age_hours": 3}})
    assert out["magnesium"]["entered"] == {"value": 0.6, "unit": "mmol/L", "age_hours": 3}


def test_the_unit_check_carries_its_readings_rounded():
    (warning,) = [w for w in run(mg=(1.5, "mmol/L"))["warnings"] if w["id"] == "unit_check"]
    assert set(warning) == {"id", "text", "because", "references", "drug", "readings"}
    assert [r["mmol_per_l"] for r in warning["readings"]] == [0.62, 0.75]


def test_the_derived_section_names_the_sex_assumption():
    assert run(drop=("patient.sex",))["derived"]["renal_sex_assumption"] == "lower_of_both_sexes"


def test_warnings_carry_the_drug_they_concern():
    warnings = run(medications=[{"id": "levothyroxine"}, {"id": "iron_oral"}])["warnings"]
    drugs = {w["drug"] for w in warnings if w["id"] == "oral_mg_interaction"}
    assert drugs == {"levothyroxine", "iron_oral"}
    assert all(set(w) == {"id", "text", "because", "references", "drug"} for w in warnings)


def test_a_warning_about_no_drug_has_a_null_drug():
    warnings = run(mg=(0.8, "mg/dL"))["warnings"]
    assert warnings[0]["id"] == "unit_check"
    assert warnings[0]["drug"] is None


def test_causes_carry_score_likelihood_and_evidence():
    causes = run(immunosuppressants=[{"drug": "tacrolimus", "trough": {"value": 8, "unit": "ng/mL"}}])["causes"]
    assert causes[0]["id"] == "cni_tacrolimus"
    assert set(causes[0]) == {"id", "label", "score", "likelihood", "evidence", "because", "references"}
    assert (causes[0]["score"], causes[0]["likelihood"], causes[0]["evidence"]) == (75, "high", "A")


def test_steps_carry_text_and_basis():
    steps = run()["plan"]["steps"]
    assert "give_oral_magnesium" in ids(steps)
    assert all(set(s) == {"id", "text", "because", "references"} for s in steps)


def test_calculations_show_their_working_and_have_no_because():
    calcs = run()["derived"]["calculations"]
    assert ids(calcs) == ["crcl", "egfr"]
    for calc in calcs:
        assert set(calc) == {"id", "label", "value", "unit", "formula", "working", "references"}
        assert calc["value"] == round(calc["value"], 2)
        assert f"= {calc['value']:g} " in calc["working"]


def test_severity_and_plan_lists_are_lists():
    out = run()
    assert isinstance(out["severity"]["because"], list)
    assert isinstance(out["severity"]["references"], list)
    assert out["plan"]["reasons"] == ["mild_asymptomatic_enteral_ok"]
    assert isinstance(out["missing"], list)
