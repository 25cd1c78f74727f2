"""Warnings about magnesium itself and about renal function (PROTOCOL.md sections 2, 3, 4 and 5)."""

import pytest

from tests.builders import ids, run

TACROLIMUS = [{"drug": "tacrolimus", "trough": {"value": 10, "unit": "ng/mL"}}]
RENAL = ["renal_function_unknown", "severe_renal_impairment", "renal_dose_reduction", "hypermagnesemia_risk"]


def warning_ids(out):
    return ids(out["warnings"])


def warnings(out, warning_id):
    return [w for w in out["warnings"] if w["id"] == warning_id]


# Recent IV magnesium.


@pytest.mark.parametrize("mg", [0.60, 0.85])
def test_it_asks_whether_the_sample_followed_a_recent_infusion(mg):
    out = run(mg=(mg, "mmol/L"), magnesium_therapy={"iv_magnesium_last_24h": True})
    (warning,) = warnings(out, "recent_iv_magnesium")
    assert "at least 6 h after the infusion ended" in warning["text"]
    assert warning["references"] == ["S30"]


def test_it_does_not_ask_about_an_infusion_that_was_not_given():
    out = run(magnesium_therapy={"iv_magnesium_last_24h": False, "oral_current": True})
    assert warnings(out, "recent_iv_magnesium") == []


# Hypermagnesemia.


def test_it_warns_about_hypermagnesemia_above_the_uln():
    (warning,) = warnings(run(mg=(1.06, "mmol/L")), "hypermagnesemia")
    assert warning["text"] == "Hypermagnesemia: withhold Mg; check renal function; IV calcium is the antidote."
    assert warning["because"] == ["Mg 1.06 mmol/L = 2.58 mg/dL = 2.12 mEq/L > ULN 1.05 mmol/L"]


def test_it_does_not_warn_about_hypermagnesemia_at_the_uln():
    assert warnings(run(mg=(1.05, "mmol/L")), "hypermagnesemia") == []


def test_it_lists_the_unit_check_before_hypermagnesemia():
    # 1.5 mmol/L reads like a normal mg/dL value, or is true hypermagnesemia: both are said, the unit first.
    assert warning_ids(run(mg=(1.5, "mmol/L"))) == ["unit_check", "hypermagnesemia"]


# Urgent symptoms that Mg does not explain.


@pytest.mark.parametrize(
    ("changes", "symptom"),
    [
        ({"mg": (1.10, "mmol/L"), "symptoms": ["torsades"]}, "torsades"),
        ({"mg": (0.85, "mmol/L"), "symptoms": ["ventricular_arrhythmia"]}, "ventricular_arrhythmia"),
        ({"mg": (0.75, "mmol/L"), "symptoms": ["seizure"]}, "seizure"),
        ({"mg": (0.75, "mmol/L"), "symptoms": ["tetany"]}, "tetany"),
        ({"mg": (0.75, "mmol/L"), "symptoms": ["seizure"], "immunosuppressants": TACROLIMUS}, "seizure"),
        ({"mg": (1.20, "mmol/L"), "symptoms": ["seizure"]}, "seizure"),
    ],
)
def test_it_says_when_an_urgent_symptom_is_not_explained_by_the_magnesium(changes, symptom):
    (warning,) = warnings(run(**changes), "symptoms_not_explained_by_mg")
    assert warning["text"] == (
        f"{symptom} is not explained by this Mg level: look at calcium, potassium and calcineurin inhibitor"
        " neurotoxicity."
    )
    assert warning["because"][0].startswith(f"{symptom} with Mg ")
    assert warning["references"] == ["S67"]


@pytest.mark.parametrize(
    "changes",
    [
        {"symptoms": ["torsades"], "mg": (1.05, "mmol/L")},
        {"symptoms": ["ventricular_arrhythmia"], "mg": (0.81, "mmol/L")},
        {"symptoms": ["seizure", "tetany"]},
        {"symptoms": ["fatigue", "confusion", "palpitations"], "mg": (0.85, "mmol/L")},
    ],
)
def test_it_does_not_warn_when_the_magnesium_explains_the_urgent_symptom_or_none_is_urgent(changes):
    assert warnings(run(**changes), "symptoms_not_explained_by_mg") == []


def test_it_warns_once_for_each_unexplained_urgent_symptom():
    out = run(mg=(1.10, "mmol/L"), symptoms=["seizure", "torsades", "tetany", "ventricular_arrhythmia"])
    assert [w["because"][0].split(" with ")[0] for w in warnings(out, "symptoms_not_explained_by_mg")] == [
        "seizure",
        "torsades",
        "tetany",
        "ventricular_arrhythmia",
    ]


# Renal function.


def test_it_warns_when_renal_function_is_unknown():
    (warning,) = warnings(run(drop=("labs.creatinine",)), "renal_function_unknown")
    assert warning["text"] == (
        "Renal function unknown (missing: labs.creatinine): give the first dose only, at full strength;"
        " further doses wait for renal function."
    )
    assert warning["because"] == ["renal function cannot be computed: missing labs.creatinine"]


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
        ({"drop": ("patient.sex",)}, ["renal_function_unknown"]),
    ],
)
def test_it_warns_about_renal_function_in_order(changes, expected):
    assert [w for w in warning_ids(run(**changes)) if w in RENAL] == expected


def test_it_says_severe_renal_impairment_needs_renal_advice():
    (warning,) = warnings(run(conditions=["oliguria"]), "severe_renal_impairment")
    assert "no routine replacement without renal advice; label cap 20 g per 48 h" in warning["text"]


def test_it_adds_a_renal_dose_reduction_step_with_its_warning():
    out = run(symptoms=["torsades"], conditions=["aki"])
    step = next(s for s in out["plan"]["steps"] if s["id"] == "renal_dose_reduction")
    (warning,) = warnings(out, "renal_dose_reduction")
    assert step["text"] == warning["text"]
    assert "every non-urgent dose is halved" in step["text"]


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


def test_it_explains_and_cites_every_warning():
    out = run(
        mg=(1.10, "mmol/L"),
        symptoms=["seizure"],
        magnesium_therapy={"iv_magnesium_last_24h": True},
    )
    assert warning_ids(out) == ["recent_iv_magnesium", "hypermagnesemia", "symptoms_not_explained_by_mg"]
    for warning in out["warnings"]:
        assert warning["because"]
        assert warning["references"]
        assert warning["drug"] is None
