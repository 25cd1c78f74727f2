"""FEMg interpretation (PROTOCOL.md section 9, `femg.py`): computed when urine Mg, urine creatinine and serum
creatinine are given; readable only at a renal function >= 60 mL/min (no dialysis, oliguria or AKI) and without IV
Mg in the last 24 h; < 2 % extrarenal, 2-4 % inclusive indeterminate, > 4 % renal wasting [S50, S51, S52].
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from assessments.clinical import parse_input
from assessments.clinical.femg import femg, femg_interpretation
from assessments.clinical.inputs import AssessmentInput, Condition
from assessments.clinical.renal import RenalStatus, renal_status
from tests.builders import ids, payload, run

URINE = {
    "urine_magnesium": {"value": 1.2, "unit": "mmol/L"},
    "urine_creatinine": {"value": 8.2, "unit": "mmol/L"},
}


def parsed(**kwargs) -> AssessmentInput:
    result = parse_input(payload(**kwargs))
    assert result.input is not None, result.errors
    return result.input


def renal(function: float | None, *, conditions: tuple[str, ...] = (), unknown: bool = False) -> RenalStatus:
    """The base patient's renal status with the renal function (and conditions) a test needs."""
    return replace(
        renal_status(parsed()),
        function_ml_min=function,
        conditions=tuple(Condition(c) for c in conditions),
        unknown=unknown,
    )


@pytest.mark.parametrize(
    ("value", "interpretation"),
    [
        (0.5, "extrarenal"),
        (1.99, "extrarenal"),
        (2.0, "indeterminate"),  # 2-4 % inclusive
        (3.22, "indeterminate"),
        (4.0, "indeterminate"),
        (4.01, "renal_wasting"),
        (12.0, "renal_wasting"),
    ],
)
def test_it_reads_femg_in_bands(value, interpretation):
    assert femg_interpretation(value, parsed(), renal(90.0)) == (interpretation, None)


def test_femg_is_interpretable_at_a_renal_function_of_exactly_60():
    assert femg_interpretation(3.0, parsed(), renal(60.0)) == ("indeterminate", None)


def test_femg_is_not_interpretable_below_60():
    assert femg_interpretation(3.0, parsed(), renal(59.9)) == ("not_interpretable", "renal_function_below_60")


@pytest.mark.parametrize("condition", ["dialysis", "oliguria", "aki"])
def test_femg_is_not_interpretable_with_a_renal_condition_whatever_the_estimate(condition):
    # A creatinine-based estimate overstates the GFR in these states.
    assert femg_interpretation(3.0, parsed(), renal(95.0, conditions=(condition,))) == (
        "not_interpretable",
        "renal_function_below_60",
    )


@pytest.mark.parametrize("condition", ["dialysis", "oliguria", "aki"])
def test_femg_with_a_renal_condition_is_not_interpretable_end_to_end(condition):
    out = run(labs=URINE, conditions=[condition])
    assert out["derived"]["renal_function_ml_min"] == 93.71
    assert out["derived"]["femg_not_interpretable_reason"] == "renal_function_below_60"


def test_recent_iv_magnesium_is_the_first_reason_femg_is_not_interpretable():
    data = parsed(magnesium_therapy={"iv_magnesium_last_24h": True})
    assert femg_interpretation(3.0, data, renal(20.0, conditions=("dialysis",))) == (
        "not_interpretable",
        "iv_magnesium_last_24h",
    )
    assert femg_interpretation(3.0, data, renal(None, unknown=True)) == ("not_interpretable", "iv_magnesium_last_24h")


def test_a_low_renal_function_comes_before_an_unknown_one():
    assert femg_interpretation(3.0, parsed(), renal(None, conditions=("aki",), unknown=True)) == (
        "not_interpretable",
        "renal_function_below_60",
    )


def test_a_femg_on_a_band_edge_is_not_moved_by_float_noise():
    # 4.000000000000001 % is 4 %: indeterminate, not renal wasting.
    assert femg_interpretation(4.000000000000001, parsed(), renal(90.0)) == ("indeterminate", None)


def test_femg_is_not_interpretable_when_renal_function_is_unknown():
    assert femg_interpretation(3.0, parsed(), renal(None, unknown=True)) == (
        "not_interpretable",
        "renal_function_unknown",
    )


def test_no_femg_means_no_interpretation():
    assert femg_interpretation(None, parsed(magnesium_therapy={"iv_magnesium_last_24h": True}), renal(10.0)) == (
        None,
        None,
    )


def test_the_readme_femg_is_computed_and_read_end_to_end():
    derived = run(mg=(0.52, "mmol/L"), labs={**URINE, "creatinine": {"value": 80, "unit": "umol/L"}})["derived"]
    assert derived["femg_percent"] == 3.22
    assert derived["femg_interpretation"] == "indeterminate"
    assert derived["femg_not_interpretable_reason"] is None
    femg = [c for c in derived["calculations"] if c["id"] == "femg"]
    assert femg and femg[0]["working"].endswith("= 3.22 %")


@pytest.mark.parametrize(
    ("drop", "reason"),
    [
        ((), "iv_magnesium_last_24h"),
        (("patient.sex",), "iv_magnesium_last_24h"),
    ],
)
def test_recent_iv_magnesium_makes_femg_not_interpretable_end_to_end(drop, reason):
    out = run(labs=URINE, magnesium_therapy={"iv_magnesium_last_24h": True}, drop=drop)
    assert out["derived"]["femg_interpretation"] == "not_interpretable"
    assert out["derived"]["femg_not_interpretable_reason"] == reason
    # The number is still shown: only its reading is withheld.
    assert out["derived"]["femg_percent"] is not None


def test_a_high_creatinine_makes_femg_not_interpretable_end_to_end():
    out = run(labs={**URINE, "creatinine": {"value": 200, "unit": "umol/L"}})
    assert out["derived"]["renal_function_ml_min"] < 60
    assert out["derived"]["femg_not_interpretable_reason"] == "renal_function_below_60"


def test_an_unknown_renal_function_makes_femg_not_interpretable_end_to_end():
    # A child without height: the creatinine is given (so FEMg is computed) but the Schwartz eGFR cannot be.
    out = run(labs=URINE, patient={"age_years": 8, "weight_kg": 25}, drop=("patient.height_cm",))
    assert out["derived"]["renal_function_ml_min"] is None
    assert out["derived"]["femg_percent"] is not None
    assert out["derived"]["femg_not_interpretable_reason"] == "renal_function_unknown"


def test_an_adult_without_a_sex_still_gets_an_interpretable_femg():
    # M4: the lower of both sexes' estimates is a known renal function (section 9's note).
    out = run(labs={**URINE, "creatinine": {"value": 80, "unit": "umol/L"}}, mg=(0.52, "mmol/L"), drop=("patient.sex",))
    assert out["derived"]["femg_interpretation"] == "indeterminate"
    assert out["derived"]["femg_not_interpretable_reason"] is None


def test_femg_is_computed_from_the_three_values():
    calc = femg(parsed(mg=(0.52, "mmol/L"), labs={**URINE, "creatinine": {"value": 80, "unit": "umol/L"}}))
    assert calc is not None
    assert round(calc.value, 2) == 3.22
    assert femg(parsed()) is None


@pytest.mark.parametrize("missing", ["labs.urine_magnesium", "labs.urine_creatinine", "labs.creatinine"])
def test_femg_is_null_when_one_of_its_three_values_is_missing(missing):
    derived = run(labs=URINE, drop=(missing,))["derived"]
    assert derived["femg_percent"] is None
    assert derived["femg_interpretation"] is None
    assert derived["femg_not_interpretable_reason"] is None
    assert "femg" not in ids(derived["calculations"])


def test_femg_changes_the_cause_scores():
    # renal_wasting adds 15 to renal causes (PROTOCOL.md section 10): FEMg is read before causes are ranked.
    tac = [{"drug": "tacrolimus", "trough": {"value": 8, "unit": "ng/mL"}}]
    without = run(immunosuppressants=tac)["causes"]
    wasting = run(
        immunosuppressants=tac,
        labs={"urine_magnesium": {"value": 3.0, "unit": "mmol/L"}, "urine_creatinine": {"value": 5, "unit": "mmol/L"}},
    )
    assert wasting["derived"]["femg_interpretation"] == "renal_wasting"
    assert wasting["causes"][0]["score"] == without[0]["score"] + 15
