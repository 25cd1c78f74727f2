"""Renal function used for dosing, and the renal warnings and step (PROTOCOL.md section 5, "Renal function").

The base patient is a 45 y, 70 kg woman with creatinine 70 umol/L: Cockcroft-Gault 99.17 mL/min, CKD-EPI 2021
93.71 mL/min/1.73 m2. Only the choice between estimates, the conditions that override them and the renal warnings
are tested here; the formulas themselves belong to test_calculators.py.
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


def test_it_uses_the_lower_of_both_sexes_for_an_adult_without_a_sex():
    # M4, change 25: each formula for both sexes, the lower used (Cockcroft-Gault: always the female value).
    out = run(drop=("patient.sex",))
    assert renal(out) == (99.17, 93.71, None, 93.71)
    assert out["derived"]["renal_sex_assumption"] == "lower_of_both_sexes"
    assert "renal_function_unknown" not in warning_ids(out)
    # patient.sex stays in missing.
    assert "patient.sex" in out["missing"]
    labels = [c["label"] for c in out["derived"]["calculations"]]
    assert all(label.endswith("(sex not given: the lower of the female and male estimates)") for label in labels)


def test_an_adult_without_a_sex_or_weight_gets_the_lower_egfr_alone():
    out = run(drop=("patient.sex", "patient.weight_kg"))
    assert renal(out) == (None, 93.71, None, 93.71)
    assert out["derived"]["renal_sex_assumption"] == "lower_of_both_sexes"


def test_the_female_egfr_is_the_lower_even_for_a_man_sized_creatinine():
    # A man's estimate would be 110.03 at creatinine 80 umol/L, age 40 (golden case P09); without a sex, the lower.
    out = run(patient={"age_years": 40}, labs={"creatinine": {"value": 80, "unit": "umol/L"}}, drop=("patient.sex",))
    male = run(patient={"age_years": 40, "sex": "male"}, labs={"creatinine": {"value": 80, "unit": "umol/L"}})
    assert male["derived"]["egfr_ml_min_1_73m2"] == 110.03
    assert out["derived"]["egfr_ml_min_1_73m2"] < 110.03


def test_the_sex_assumption_is_null_when_the_sex_is_given():
    assert run()["derived"]["renal_sex_assumption"] is None
    assert run(patient={"sex": "male"})["derived"]["renal_sex_assumption"] is None


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
    # Text never shows a field path: the inputs are named in words.
    assert unknown["text"].startswith("Renal function unknown (")
    assert "serum creatinine and height): give the first dose only" in unknown["text"]
    assert unknown["because"] == ["renal function cannot be computed: no serum creatinine and height"]


def test_it_names_the_creatinine_it_could_not_use_for_a_child_without_height():
    out = run(patient=CHILD, labs=CHILD_CREATININE, drop=("patient.height_cm",))
    unknown = next(w for w in out["warnings"] if w["id"] == "renal_function_unknown")
    assert unknown["because"] == [
        "serum creatinine 40 umol/L was given, but height is not, so the bedside Schwartz eGFR cannot be computed"
    ]


def test_the_unused_creatinine_is_quoted_word_for_word_in_the_warning():
    # Section 5 (M4): the warning names it with its unit: "serum creatinine {value} {unit} was given, but height is
    # not, so the bedside Schwartz eGFR cannot be computed"; a clause joined to a sentence starts in lower case.
    out = run(patient=CHILD, labs=CHILD_CREATININE, drop=("patient.height_cm",))
    unknown = next(w for w in out["warnings"] if w["id"] == "renal_function_unknown")
    assert (
        "serum creatinine 40 umol/L was given, but height is not, so the bedside Schwartz eGFR cannot be computed"
        in unknown["text"]
    )


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
        "AKI counts as renal function below 30 mL/min",  # plain words, never "aki" (r2-m10)
    ]


# The renal warnings and step (section 5; formerly in test_cautions.py).

RENAL = ["renal_function_unknown", "severe_renal_impairment", "renal_dose_reduction", "hypermagnesemia_risk"]


def warnings(out, warning_id):
    return [w for w in out["warnings"] if w["id"] == warning_id]


def test_it_warns_when_renal_function_is_unknown():
    (warning,) = warnings(run(drop=("labs.creatinine",)), "renal_function_unknown")
    assert warning["text"].startswith("Renal function unknown (")
    assert warning["text"].endswith(
        "serum creatinine): give the first dose only, at full strength; further doses wait for renal function."
    )
    assert warning["because"] == ["renal function cannot be computed: no serum creatinine"]
    assert warning["references"] == ["S30", "S35", "S29"]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({}, []),
        ({"conditions": ["aki"]}, ["renal_dose_reduction", "hypermagnesemia_risk"]),
        (
            {"labs": {"creatinine": {"value": 181.2, "unit": "umol/L"}}},
            ["renal_dose_reduction", "hypermagnesemia_risk"],
        ),
        ({"conditions": ["dialysis"]}, ["severe_renal_impairment", "renal_dose_reduction", "hypermagnesemia_risk"]),
        ({"conditions": ["oliguria"]}, ["severe_renal_impairment", "renal_dose_reduction", "hypermagnesemia_risk"]),
        (
            {"labs": {"creatinine": {"value": 325, "unit": "umol/L"}}},
            ["severe_renal_impairment", "renal_dose_reduction", "hypermagnesemia_risk"],
        ),
        ({"drop": ("patient.sex",)}, []),  # M4: the lower of both sexes is used, so renal function is known
        ({"drop": ("labs.creatinine",)}, ["renal_function_unknown"]),
    ],
)
def test_it_warns_about_renal_function_in_order(changes, expected):
    assert [w for w in warning_ids(run(**changes)) if w in RENAL] == expected


def test_it_says_severe_renal_impairment_needs_renal_advice():
    (warning,) = warnings(run(conditions=["oliguria"]), "severe_renal_impairment")
    assert warning["text"] == (
        "Renal function below 15 mL/min, dialysis or oliguria: no routine replacement without renal advice; label cap"
        " 20 g per 48 h; no daily continuation without a level."
    )
    assert warning["references"] == ["S35", "S30"]


def test_it_adds_a_renal_dose_reduction_step_with_its_warning():
    out = run(conditions=["aki"])
    step = next(s for s in out["plan"]["steps"] if s["id"] == "renal_dose_reduction")
    (warning,) = warnings(out, "renal_dose_reduction")
    assert step["text"] == warning["text"]
    assert warning["text"] == (
        "Renal function < 30 mL/min (or dialysis, oliguria or AKI): every non-urgent dose is halved; avoid magnesium"
        " aspartate."
    )
    (risk,) = warnings(out, "hypermagnesemia_risk")
    assert risk["text"] == (
        "Reduced Mg excretion: risk of hypermagnesemia with this replacement. Watch reflexes, blood pressure and"
        " respiratory rate during any infusion; keep IV calcium at hand."
    )


def test_in_an_urgent_route_the_renal_texts_speak_of_the_follow_on_not_the_bolus():
    # M10, change 28.
    out = run(symptoms=["torsades"], conditions=["dialysis"])
    step = next(s for s in out["plan"]["steps"] if s["id"] == "renal_dose_reduction")
    assert step["text"] == (
        "Renal function < 30 mL/min (or dialysis, oliguria or AKI): the follow-on infusion is halved; the bolus is not;"
        " avoid magnesium aspartate."
    )
    (severe,) = warnings(out, "severe_renal_impairment")
    assert severe["text"].startswith(
        "For the follow-on infusion (not the bolus): renal function below 15 mL/min, dialysis or oliguria:"
    )
    (risk,) = warnings(out, "hypermagnesemia_risk")
    assert "risk of hypermagnesemia with the follow-on infusion." in risk["text"]


def test_in_an_urgent_route_without_a_follow_on_the_renal_texts_say_none_is_planned():
    # m9, change 58: torsades at Mg 0.90 (at or above the target 0.82): no follow-on.
    out = run(mg=(0.90, "mmol/L"), symptoms=["torsades"], conditions=["oliguria"])
    assert out["plan"]["dose"]["follow_on"] is None
    step = next(s for s in out["plan"]["steps"] if s["id"] == "renal_dose_reduction")
    (reduction,) = warnings(out, "renal_dose_reduction")
    assert step["text"] == reduction["text"]
    assert reduction["text"] == (
        "Renal function < 30 mL/min (or dialysis, oliguria or AKI): no follow-on infusion is planned; any further dose"
        " is halved and needs a level (and, below 15, renal advice) first."
    )
    (risk,) = warnings(out, "hypermagnesemia_risk")
    assert "risk of hypermagnesemia with any further dose." in risk["text"]
    (severe,) = warnings(out, "severe_renal_impairment")
    assert severe["text"].startswith(
        "For any further dose (not the bolus; no follow-on infusion is planned): renal function below 15 mL/min"
    )


@pytest.mark.parametrize(
    "changes",
    [
        {"conditions": ["dialysis", "aki"]},
        {"drop": ("labs.creatinine",)},
        {"labs": {"creatinine": {"value": 400, "unit": "umol/L"}}},
    ],
)
@pytest.mark.parametrize("mg", [0.85, 1.10])
def test_it_gives_no_renal_warning_or_step_when_no_magnesium_is_given(changes, mg):
    out = run(mg=(mg, "mmol/L"), **changes)
    assert [w for w in warning_ids(out) if w in RENAL] == []
    assert "renal_dose_reduction" not in ids(out["plan"]["steps"])
