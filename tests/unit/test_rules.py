"""Self-checks of the rule set (`rules.py`): the real tables pass, and each kind of broken table is reported."""

from __future__ import annotations

import pytest

from assessments.clinical import causes, dose, ecg, electrolytes, engine, renal, rules, severity
from assessments.clinical.dose import IvRegimen
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
        (severity, "RAISED_TARGET_MMOL_L", 1.1, "ULN > raised target > default LLN"),
        (severity, "ULN_MMOL_L", 0.8, "ULN > raised target > default LLN"),
        (ecg, "QTC_PROLONGED_MS", 500, "QTc critical > prolonged"),
        (electrolytes, "K_LOW_MMOL_L", 5.5, "K high > low"),
        (renal, "SEVERE_BELOW_ML_MIN", 30, "renal halve > severe"),
        (engine, "FEMG_EXTRARENAL_BELOW", 5.0, "FEMg renal > extrarenal"),
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


def test_it_reports_an_adult_regimen_faster_than_150_mg_per_min(monkeypatch):
    # 4 g over 15 min = 267 mg/min, and it is not the urgent bolus.
    fast = IvRegimen(0.25, ("S35",), grams=4, volume_ml=250)
    monkeypatch.setattr(dose, "ALL_IV_REGIMENS", (fast,))
    assert rules.threshold_tables_in_order() == [f"regimen {fast} runs at 267 mg/min, above 150"]


def test_it_reports_a_child_regimen_faster_than_150_mg_per_min(monkeypatch):
    # The cap, 8 mmol = 1.97 g, over 6 min = 328 mg/min.
    fast = IvRegimen(0.1, ("S38",), per_kg_mmol=0.2, cap_mmol=8)
    monkeypatch.setattr(dose, "ALL_IV_REGIMENS", (fast,))
    assert rules.threshold_tables_in_order() == [f"regimen {fast} runs at 328 mg/min, above 150"]


def test_it_reports_a_fixed_mmol_regimen_faster_than_150_mg_per_min(monkeypatch):
    # 8 mmol = 1.97 g over 6 min, with no per-kg cap to read the grams from.
    fast = IvRegimen(0.1, ("S38",), mmol=8)
    monkeypatch.setattr(dose, "ALL_IV_REGIMENS", (fast,))
    assert rules.threshold_tables_in_order() == [f"regimen {fast} runs at 328 mg/min, above 150"]


def test_it_reports_an_adult_regimen_stronger_than_20_percent(monkeypatch):
    # 4 g in 10 mL is 40%: never give concentrated MgSO4 (PROTOCOL.md section 5).
    strong = IvRegimen(4, ("S35",), grams=4, volume_ml=10)
    monkeypatch.setattr(dose, "ALL_IV_REGIMENS", (strong,))
    assert rules.threshold_tables_in_order() == [f"adult regimen {strong} is stronger than 20%"]


def test_20_percent_exactly_is_allowed(monkeypatch):
    monkeypatch.setattr(dose, "ALL_IV_REGIMENS", (IvRegimen(4, ("S35",), grams=4, volume_ml=20),))
    assert rules.threshold_tables_in_order() == []


def test_the_urgent_bolus_may_run_faster_than_150_mg_per_min(monkeypatch):
    # The label's rate limit is for non-urgent infusions; an emergency bolus is exempt [S35].
    bolus = IvRegimen(0.25, ("S33",), grams=4, volume_ml=100)
    monkeypatch.setattr(dose, "ADULT_IV_URGENT", bolus)
    monkeypatch.setattr(dose, "ALL_IV_REGIMENS", (bolus,))
    assert rules.threshold_tables_in_order() == []


def test_cited_source_ids_lists_modules_that_cite_sources():
    cited = rules.cited_source_ids()
    assert {"S20", "S51", "S52"} <= set(cited["calculators"])
    assert len(cited["calculators"]) == len(set(cited["calculators"]))  # each id once
    # Modules without any source id (plain data classes) are left out rather than listed empty.
    assert "results" not in cited
    assert "inputs" not in cited
