"""Renal function used for dosing (PROTOCOL.md section 5, "Renal adjustment").

The base patient is a 45 y, 70 kg woman with creatinine 70 umol/L: Cockcroft-Gault 99.17 mL/min, CKD-EPI 2021
93.71 mL/min/1.73 m2. Only the choice between estimates and the conditions that override them are tested here;
the formulas themselves belong to test_calculators.py.
"""

import pytest

from tests.builders import ids, run

CHILD = {"age_years": 8, "weight_kg": 25, "height_cm": 125}
CHILD_CREATININE = {"creatinine": {"value": 40, "unit": "umol/L"}}
RENAL_WARNINGS = {"renal_function_unknown", "severe_renal_impairment", "renal_dose_reduction", "hypermagnesemia_risk"}


def renal(out):
    derived = out["derived"]
    return (
        derived["crcl_ml_min"],
        derived["egfr_ml_min_1_73m2"],
        derived["schwartz_egfr_ml_min_1_73m2"],
        derived["renal_function_ml_min"],
    )


def warning_ids(out):
    return ids(out["warnings"])


def reminder_ids(out):
    return ids(out["reminders"])


def test_it_uses_the_lower_of_crcl_and_egfr_for_an_adult():
    assert renal(run()) == (99.17, 93.71, None, 93.71)


def test_it_uses_crcl_when_it_is_the_lower_estimate():
    # An old, light man: Cockcroft-Gault falls with age and weight faster than CKD-EPI.
    out = run(
        patient={"age_years": 85, "sex": "male", "weight_kg": 45}, labs={"creatinine": {"value": 100, "unit": "umol/L"}}
    )
    assert renal(out) == (30.39, 63.63, None, 30.39)


def test_it_uses_egfr_alone_without_a_weight():
    out = run(drop=("patient.weight_kg",))
    assert renal(out) == (None, 93.71, None, 93.71)
    assert "renal_function_unknown" not in warning_ids(out)
    assert "patient.weight_kg" in out["missing"]


def test_it_cannot_compute_an_adults_renal_function_without_a_sex():
    out = run(drop=("patient.sex",))
    assert renal(out) == (None, None, None, None)
    assert "renal_function_unknown" in warning_ids(out)
    assert "patient.sex" in out["missing"]


def test_it_cannot_compute_an_adults_renal_function_without_a_creatinine():
    out = run(drop=("labs.creatinine",))
    assert renal(out) == (None, None, None, None)
    assert "renal_function_unknown" in warning_ids(out)
    assert "labs.creatinine" in out["missing"]


def test_it_uses_bedside_schwartz_for_a_child():
    # 0.413 x 125 cm / (40 / 88.42 mg/dL) = 114.12; adult estimates stay null.
    assert renal(run(patient=CHILD, labs=CHILD_CREATININE)) == (None, None, 114.12, 114.12)


def test_it_cannot_compute_a_childs_renal_function_without_a_height():
    out = run(patient=CHILD, labs=CHILD_CREATININE, drop=("patient.height_cm",))
    assert renal(out) == (None, None, None, None)
    assert "renal_function_unknown" in warning_ids(out)
    assert "patient.height_cm" in out["missing"]
    assert "labs.creatinine" not in out["missing"]


def test_it_cannot_compute_a_childs_renal_function_without_a_creatinine():
    out = run(patient=CHILD, drop=("labs.creatinine",))
    assert renal(out) == (None, None, None, None)
    assert "renal_function_unknown" in warning_ids(out)
    assert "check_creatinine" in reminder_ids(out)


def test_it_names_both_missing_inputs_for_a_child_without_height_or_creatinine():
    out = run(patient=CHILD, drop=("patient.height_cm", "labs.creatinine"))
    unknown = next(w for w in out["warnings"] if w["id"] == "renal_function_unknown")
    assert "(missing: labs.creatinine, patient.height_cm)" in unknown["text"]


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ("dialysis", {"severe_renal_impairment", "renal_dose_reduction", "hypermagnesemia_risk"}),
        ("oliguria", {"severe_renal_impairment", "renal_dose_reduction", "hypermagnesemia_risk"}),
        ("aki", {"renal_dose_reduction", "hypermagnesemia_risk"}),
    ],
)
def test_it_lets_a_renal_condition_override_the_computed_value_but_reports_the_value(condition, expected):
    # A creatinine-based estimate overstates the GFR in these states: dose as if < 15 (or < 30 for AKI).
    out = run(conditions=[condition])
    assert out["derived"]["renal_function_ml_min"] == 93.71
    assert RENAL_WARNINGS & set(warning_ids(out)) == expected
    assert out["plan"]["dose"]["renal_adjusted"] is True


def test_it_does_not_call_renal_function_unknown_when_a_condition_decides():
    out = run(conditions=["dialysis"], drop=("labs.creatinine",))
    assert out["derived"]["renal_function_ml_min"] is None
    assert "renal_function_unknown" not in warning_ids(out)
    assert "severe_renal_impairment" in warning_ids(out)
    # ... but a creatinine is still asked for.
    assert "check_creatinine" in reminder_ids(out)


def test_it_counts_a_renal_function_just_below_15_as_severe():
    out = run(labs={"creatinine": {"value": 325, "unit": "umol/L"}})
    assert out["derived"]["renal_function_ml_min"] == 14.85
    assert "severe_renal_impairment" in warning_ids(out)


def test_it_does_not_count_a_renal_function_just_above_15_as_severe():
    out = run(labs={"creatinine": {"value": 320, "unit": "umol/L"}})
    assert out["derived"]["renal_function_ml_min"] == 15.13
    assert RENAL_WARNINGS & set(warning_ids(out)) == {"renal_dose_reduction", "hypermagnesemia_risk"}


def test_it_gives_no_renal_warning_just_above_30():
    out = run(labs={"creatinine": {"value": 180.8, "unit": "umol/L"}})
    assert out["derived"]["renal_function_ml_min"] == 30.01
    assert RENAL_WARNINGS & set(warning_ids(out)) == set()


def test_it_gives_no_renal_warning_when_no_magnesium_is_given():
    # Section 5: renal warnings only when the route is not none.
    out = run(mg=(0.85, "mmol/L"), conditions=["dialysis"])
    assert out["plan"]["route"] == "none"
    assert RENAL_WARNINGS & set(warning_ids(out)) == set()


def test_it_does_not_call_renal_function_unknown_when_no_magnesium_is_given():
    out = run(mg=(0.85, "mmol/L"), drop=("labs.creatinine",))
    assert RENAL_WARNINGS & set(warning_ids(out)) == set()
    assert "check_creatinine" not in reminder_ids(out)


def test_it_asks_for_a_creatinine_whenever_none_is_given_and_magnesium_is_given():
    out = run(conditions=["aki"], drop=("labs.creatinine",))
    assert [r["due_in_hours"] for r in out["reminders"] if r["id"] == "check_creatinine"] == [0]


def test_it_does_not_ask_for_a_creatinine_when_one_is_given():
    assert "check_creatinine" not in reminder_ids(run())


def test_it_explains_the_renal_function_used():
    out = run(conditions=["aki", "dialysis"])
    reduction = next(w for w in out["warnings"] if w["id"] == "renal_dose_reduction")
    assert reduction["because"] == [
        "renal function used 93.71 mL/min (the lowest estimate that could be computed)",
        "dialysis counts as renal function below 15 mL/min",
        "aki counts as renal function below 30 mL/min",
    ]
