"""`assess()` as a whole: FEMg and its interpretation (PROTOCOL.md section 9), the `missing` list, the order of
warnings and the rule-set version on every result.
"""

from __future__ import annotations

import pytest

from assessments.clinical import RULESET_VERSION, assess, parse_input
from assessments.clinical.engine import WARNING_ORDER, femg_interpretation
from assessments.clinical.inputs import AssessmentInput
from assessments.clinical.renal import RenalStatus
from tests.builders import ids, payload, run

URINE = {
    "urine_magnesium": {"value": 1.2, "unit": "mmol/L"},
    "urine_creatinine": {"value": 8.2, "unit": "mmol/L"},
}


def parsed(**kwargs) -> AssessmentInput:
    result = parse_input(payload(**kwargs))
    assert result.input is not None, result.errors
    return result.input


def renal(function: float | None, *, unknown: bool = False) -> RenalStatus:
    return RenalStatus(
        crcl=None,
        egfr=None,
        schwartz=None,
        function_ml_min=function,
        below_30=function is not None and function < 30,
        below_15=function is not None and function < 15,
        unknown=unknown,
        missing=(),
        because=(),
    )


# --- FEMg -----------------------------------------------------------------------------------------------------


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
    data = parsed(conditions=[condition])
    assert femg_interpretation(3.0, data, renal(95.0)) == ("not_interpretable", "renal_function_below_60")


def test_recent_iv_magnesium_is_the_first_reason_femg_is_not_interpretable():
    data = parsed(conditions=["dialysis"], magnesium_therapy={"iv_magnesium_last_24h": True})
    assert femg_interpretation(3.0, data, renal(20.0)) == ("not_interpretable", "iv_magnesium_last_24h")
    assert femg_interpretation(3.0, data, renal(None, unknown=True)) == ("not_interpretable", "iv_magnesium_last_24h")


def test_a_low_renal_function_comes_before_an_unknown_one():
    data = parsed(conditions=["aki"])
    assert femg_interpretation(3.0, data, renal(None, unknown=True)) == ("not_interpretable", "renal_function_below_60")


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
    # Without sex neither CKD-EPI nor Cockcroft-Gault can be computed, though creatinine is given.
    out = run(labs=URINE, drop=("patient.sex",))
    assert out["derived"]["renal_function_ml_min"] is None
    assert out["derived"]["femg_not_interpretable_reason"] == "renal_function_unknown"


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


# --- Missing --------------------------------------------------------------------------------------------------


def test_nothing_is_missing_when_nothing_was_wanted():
    assert run()["missing"] == []


def test_it_wants_creatinine_when_magnesium_is_to_be_given():
    assert run(drop=("labs.creatinine",))["missing"] == ["labs.creatinine"]


def test_it_does_not_want_creatinine_when_no_magnesium_is_given():
    out = run(mg=(0.85, "mmol/L"), drop=("labs.creatinine", "labs.potassium", "ecg"))
    assert out["plan"]["route"] == "none"
    assert out["missing"] == []


def test_it_wants_a_childs_height_for_the_schwartz_egfr():
    out = run(patient={"age_years": 8, "weight_kg": 25}, drop=("patient.height_cm",))
    assert out["missing"] == ["patient.height_cm"]


def test_it_wants_an_adults_sex_and_weight_for_the_renal_estimates():
    assert run(drop=("patient.sex", "patient.weight_kg"))["missing"] == ["patient.sex", "patient.weight_kg"]


def test_it_wants_the_trough_of_a_cni():
    out = run(immunosuppressants=[{"drug": "sirolimus"}, {"drug": "tacrolimus"}])
    # Only the CNI's trough is wanted; sirolimus (index 0) is not a CNI.
    assert out["missing"] == ["immunosuppressants.1.trough"]


def test_it_wants_a_cni_trough_even_when_no_magnesium_is_given():
    out = run(mg=(0.85, "mmol/L"), immunosuppressants=[{"drug": "cyclosporine"}])
    assert out["missing"] == ["immunosuppressants.0.trough"]


def test_it_wants_how_long_a_ppi_has_been_taken():
    out = run(medications=[{"id": "digoxin"}, {"id": "proton_pump_inhibitor"}])
    assert out["missing"] == ["medications.1.days"]


def test_it_does_not_want_days_when_given():
    assert run(medications=[{"id": "proton_pump_inhibitor", "days": 400}])["missing"] == []


def test_it_wants_the_magnesium_content_of_parenteral_nutrition():
    out = run(nutrition={"parenteral_nutrition": True})
    assert out["missing"] == ["nutrition.pn_mg_mmol_per_kg_day"]


def test_it_does_not_want_pn_magnesium_without_pn():
    assert run(nutrition={"parenteral_nutrition": False, "pn_mg_mmol_per_kg_day": None})["missing"] == []


def test_it_wants_potassium_when_magnesium_is_to_be_given():
    assert run(drop=("labs.potassium",))["missing"] == ["labs.potassium"]


def test_it_wants_ionized_calcium_when_no_calcium_is_given():
    assert run(drop=("labs.calcium_ionized",))["missing"] == ["labs.calcium_ionized"]


def test_it_wants_albumin_to_correct_a_total_calcium():
    labs = {"calcium_total": {"value": 2.3, "unit": "mmol/L"}}
    assert run(labs=labs, drop=("labs.calcium_ionized",))["missing"] == ["labs.albumin"]


def test_it_does_not_want_albumin_with_a_total_calcium_and_albumin():
    labs = {"calcium_total": {"value": 2.3, "unit": "mmol/L"}, "albumin": {"value": 35, "unit": "g/L"}}
    assert run(labs=labs, drop=("labs.calcium_ionized",))["missing"] == []


def test_it_does_not_want_albumin_when_ionized_calcium_is_given():
    assert run(labs={"calcium_total": {"value": 2.3, "unit": "mmol/L"}})["missing"] == []


def test_it_wants_the_qtc_when_magnesium_is_to_be_given():
    assert run(drop=("ecg",))["missing"] == ["ecg.qtc_ms"]


def test_it_lists_everything_missing_in_a_stable_order():
    out = run(
        immunosuppressants=[{"drug": "tacrolimus"}],
        medications=[{"id": "proton_pump_inhibitor"}],
        nutrition={"parenteral_nutrition": True},
        drop=("labs.creatinine", "labs.potassium", "labs.calcium_ionized", "ecg"),
    )
    assert out["missing"] == [
        "labs.creatinine",
        "labs.potassium",
        "labs.calcium_ionized",
        "ecg.qtc_ms",
        "immunosuppressants.0.trough",
        "medications.0.days",
        "nutrition.pn_mg_mmol_per_kg_day",
    ]


# --- Warnings order -------------------------------------------------------------------------------------------


def test_the_unit_check_comes_first():
    out = run(mg=(1.2, "mmol/L"), magnesium_therapy={"iv_magnesium_last_24h": True})
    assert ids(out["warnings"])[:3] == ["unit_check", "recent_iv_magnesium", "hypermagnesemia"]


def test_warnings_follow_the_declared_order():
    out = run(
        mg=(0.8, "mg/dL"),
        labs={"potassium": {"value": 3.1, "unit": "mmol/L"}, "calcium_ionized": {"value": 1.0, "unit": "mmol/L"}},
        ecg={"qtc_ms": 480},
        medications=[{"id": "ondansetron"}, {"id": "digoxin"}],
        drop=("labs.creatinine",),
    )
    found = ids(out["warnings"])
    assert found[0] == "unit_check"
    assert found == sorted(found, key=WARNING_ORDER.index)
    # Several kinds really were present, so the order was tested and not trivially true.
    assert {"qtc_prolonged", "qt_prolonging_drugs", "renal_function_unknown", "replete_mg_before_k"} <= set(found)
    assert {"replete_mg_before_ca", "iv_mg_caution"} <= set(found)


def test_every_warning_id_has_a_place_in_the_order():
    # A warning id missing from WARNING_ORDER would crash `assess` at the sort.
    out = run(mg=(0.8, "mg/dL"), symptoms=["tetany"], conditions=["heart_block"], medications=[{"id": "digoxin"}])
    assert set(ids(out["warnings"])) <= set(WARNING_ORDER)


# --- The whole result -----------------------------------------------------------------------------------------


def test_every_result_carries_the_rule_set_version():
    assert run()["ruleset"] == "2026.1"
    assert assess(parsed()).ruleset == RULESET_VERSION == "2026.1"


def test_the_derived_figures_of_an_adult_come_from_crcl_and_egfr():
    derived = run(
        patient={"age_years": 40, "sex": "male", "weight_kg": 75},
        labs={"creatinine": {"value": 80, "unit": "umol/L"}},
    )["derived"]
    assert (derived["crcl_ml_min"], derived["egfr_ml_min_1_73m2"]) == (115.13, 110.03)
    # The lower of the two is used for dosing.
    assert derived["renal_function_ml_min"] == 110.03
    assert derived["schwartz_egfr_ml_min_1_73m2"] is None
    assert ids(derived["calculations"]) == ["crcl", "egfr"]


def test_the_derived_figures_of_a_child_come_from_schwartz():
    derived = run(
        patient={"age_years": 8, "weight_kg": 25, "height_cm": 120},
        labs={"creatinine": {"value": 0.5, "unit": "mg/dL"}},
    )["derived"]
    assert (derived["crcl_ml_min"], derived["egfr_ml_min_1_73m2"]) == (None, None)
    assert derived["schwartz_egfr_ml_min_1_73m2"] == 99.12
    assert derived["renal_function_ml_min"] == 99.12


def test_corrected_calcium_is_derived_with_total_calcium_and_albumin():
    derived = run(
        labs={"calcium_total": {"value": 2.05, "unit": "mmol/L"}, "albumin": {"value": 29, "unit": "g/L"}},
        drop=("labs.calcium_ionized",),
    )["derived"]
    assert derived["corrected_calcium_mmol_per_l"] == 2.27
    assert "corrected_calcium" in ids(derived["calculations"])


def test_corrected_calcium_is_null_without_albumin():
    derived = run(labs={"calcium_total": {"value": 2.05, "unit": "mmol/L"}}, drop=("labs.calcium_ionized",))["derived"]
    assert derived["corrected_calcium_mmol_per_l"] is None


def test_an_oral_interaction_leads_to_a_spacing_step():
    out = run(medications=[{"id": "levothyroxine"}])
    assert out["plan"]["route"] == "oral"
    assert "separate_oral_interactions" in ids(out["plan"]["steps"])
