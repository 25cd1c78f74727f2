"""Self-checks of the rule set (`rules.py`): the real tables pass, and each kind of broken table is reported."""

from __future__ import annotations

import pytest

from assessments.clinical import causes, dose, ecg, electrolytes, femg, renal, route, rules, severity
from assessments.clinical.dose import AdultIvRegimen, PerKgRegimen
from assessments.clinical.units import Unit


def test_the_real_rule_set_is_in_order():
    assert rules.threshold_tables_in_order() == []


def test_it_reports_ctcae_bands_out_of_order(monkeypatch):
    monkeypatch.setitem(severity.CTCAE_BANDS, Unit.MMOL_L, ((0.4, 1), (0.5, 2), (0.3, 3)))
    assert rules.threshold_tables_in_order() == [
        "CTCAE bands in mmol/L (with the default LLN first) must be strictly descending: [0.7, 0.4, 0.5, 0.3]"
    ]


def test_it_reports_a_band_above_the_default_lln(monkeypatch):
    monkeypatch.setitem(severity.CTCAE_BANDS, Unit.MG_DL, ((1.8, 1), (0.9, 2), (0.7, 3)))
    assert rules.threshold_tables_in_order() == [
        "CTCAE bands in mg/dL (with the default LLN first) must be strictly descending: [1.7, 1.8, 0.9, 0.7]"
    ]


def test_it_reports_grades_that_do_not_rise_as_mg_falls(monkeypatch):
    monkeypatch.setitem(severity.CTCAE_BANDS, Unit.MMOL_L, ((0.5, 2), (0.4, 1), (0.3, 3)))
    assert rules.threshold_tables_in_order() == ["CTCAE grades in mmol/L must rise as Mg falls: [2, 1, 3]"]


@pytest.mark.parametrize(
    ("module", "name", "value", "problem"),
    [
        (severity, "ULN_MMOL_L", 0.8, "ULN > raised target > default LLN"),
        (ecg, "QTC_PROLONGED_MS", 500, "QTc critical > prolonged"),
        (electrolytes, "K_SEVERE_LOW_MMOL_L", 3.6, "K high > low > severe low"),
        (renal, "SEVERE_BELOW_ML_MIN", 30, "renal halve > severe"),
        (femg, "FEMG_EXTRARENAL_BELOW", 5.0, "FEMg renal > extrarenal"),
        (route, "DIARRHEA_SEVERE_ADULT_ML_DAY", 500, "diarrhea severe > moderate (adult)"),
        (route, "DIARRHEA_CHILD_ML_KG_DAY", 25, "diarrhea severe > moderate (child)"),
        (causes, "LIKELIHOOD_MODERATE", 60, "likelihood high > moderate"),
        (causes, "PPI_SHORT_DAYS", 400, "PPI long > short"),
    ],
)
def test_it_reports_each_pair_of_thresholds_out_of_order(monkeypatch, module, name, value, problem):
    monkeypatch.setattr(module, name, value)
    found = rules.threshold_tables_in_order()
    assert len(found) == 1
    assert found[0].startswith(f"{problem} must be strictly descending: ")


def test_it_reports_equal_thresholds():
    # "Strictly": a band of zero width would make a grade unreachable.
    assert rules._descending("x", [1.0, 1.0]) == ["x must be strictly descending: [1.0, 1.0]"]


def test_it_reports_a_raised_target_above_the_uln(monkeypatch):
    monkeypatch.setattr(severity, "RAISED_TARGET_MMOL_L", 1.1)
    monkeypatch.setattr(severity, "RAISED_TARGET_MG_DL", 1.1 * 2.4305)  # spelled consistently, so only the order
    assert rules.threshold_tables_in_order() == [
        "ULN > raised target > default LLN must be strictly descending: [1.05, 1.1, 0.7]"
    ]


def test_a_k_low_above_k_high_breaks_both_potassium_orders(monkeypatch):
    monkeypatch.setattr(electrolytes, "K_LOW_MMOL_L", 5.5)
    found = rules.threshold_tables_in_order()
    assert [f.split(" must ")[0] for f in found] == ["K high > low", "K high > low > severe low"]


def test_it_reports_a_raised_target_in_mg_per_dl_that_does_not_match_its_mmol_value(monkeypatch):
    # 0.82 mmol/L is shown as 2.0 mg/dL (0.82 x 2.4305 = 1.99): the two spellings must agree (section 7).
    monkeypatch.setattr(severity, "RAISED_TARGET_MG_DL", 2.1)
    assert rules.threshold_tables_in_order() == ["the raised target in mg/dL does not match its mmol/L value"]


def test_it_reports_an_adult_regimen_faster_than_150_mg_per_min(monkeypatch):
    # 4 g over 15 min = 267 mg/min: every non-urgent adult IV dose stays at or below 150 mg/min [S35].
    fast = AdultIvRegimen(4, 250, 0.25, ("S35",))
    monkeypatch.setattr(dose, "ALL_ADULT_IV", (fast,))
    assert rules.threshold_tables_in_order() == [f"regimen {fast} runs at 267 mg/min, above 150"]


def test_it_reports_a_child_regimen_faster_than_10_mg_per_kg_per_min(monkeypatch):
    # 0.2 mmol/kg = 49.3 mg/kg over 3 min = 16.4 mg/kg/min, above the child limit of 10 mg/kg/min [S38].
    fast = PerKgRegimen(0.2, 8, ("S38",), hours=0.05)
    monkeypatch.setattr(dose, "ALL_CHILD_IV", (fast,))
    assert rules.threshold_tables_in_order() == [f"child regimen {fast} runs at 16.4 mg/kg/min"]


def test_the_real_child_regimens_run_within_10_mg_per_kg_per_min():
    # 0.2 mmol/kg over 15 min (the bolus) is 3.28 mg/kg/min: well within the limit at any weight below the cap.
    for regimen in dose.ALL_CHILD_IV:
        assert dose.rate_mg_per_min(dose.grams_from_mmol(regimen.per_kg_mmol), regimen.hours) <= 10


def test_it_reports_an_adult_regimen_stronger_than_20_percent(monkeypatch):
    # 4 g in 10 mL is 40%: never give concentrated MgSO4 (PROTOCOL.md section 5).
    strong = AdultIvRegimen(4, 10, 4, ("S35",))
    monkeypatch.setattr(dose, "ALL_ADULT_IV", (strong,))
    assert rules.threshold_tables_in_order() == [f"adult regimen {strong} is stronger than 20%"]


def test_20_percent_exactly_is_allowed(monkeypatch):
    monkeypatch.setattr(dose, "ALL_ADULT_IV", (AdultIvRegimen(4, 20, 4, ("S35",)),))
    assert rules.threshold_tables_in_order() == []


def test_the_urgent_bolus_may_run_faster_than_150_mg_per_min(monkeypatch):
    # Section 5: "Every non-urgent adult IV dose stays at or below 150 mg/min"; "The rate of an urgent bolus is the
    # local emergency protocol's: ... actively seizing patients are given 2-4 g over 10-15 min [S33]"; change 56:
    # "the urgent bolus included" had no source. A site bolus of 2 g over 10 min (200 mg/min) is allowed.
    bolus = AdultIvRegimen(2, 100, 1 / 6, ("S33",))
    monkeypatch.setattr(dose, "ADULT_BOLUS", bolus)
    monkeypatch.setattr(dose, "ALL_ADULT_IV", (dose.ADULT_IV_GRADE_0_1, dose.ADULT_IV_GRADE_2_4, bolus))
    assert rules.threshold_tables_in_order() == []


def test_cited_source_ids_lists_modules_that_cite_sources():
    cited = rules.cited_source_ids()
    assert {"S20", "S51", "S52"} <= set(cited["calculators"])
    assert len(cited["calculators"]) == len(set(cited["calculators"]))  # each id once
    # Modules without any source id (plain data classes) are left out rather than listed empty.
    assert "results" not in cited
    assert "inputs" not in cited


def test_a_childs_iv_regimen_without_a_duration_is_reported(monkeypatch):
    # An IV regimen needs its infusion time to be checked against 10 mg/kg/min; an oral one slipped into the IV list
    # must stop start-up rather than pass unchecked.
    monkeypatch.setattr(dose, "ALL_CHILD_IV", (dose.CHILD_ORAL_UNDER_12,))
    assert any("has no duration" in p for p in rules.threshold_tables_in_order())
