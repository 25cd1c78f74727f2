"""Dose (PROTOCOL.md section 5): adult and pediatric regimens, renal halving, dilution and rate.

MgSO4.7H2O carries 4.06 mmol Mg per gram and 50% is 0.5 g/mL, so 4 g = 16.24 mmol = 8 mL of 50%. Children's doses
are set in mmol and diluted to 10%: volume_ml = grams x 10. The base patient is a 45 y, 70 kg woman with creatinine
70 umol/L (renal function 93.71 mL/min).
"""

import re

import pytest

from tests.builders import run

CHILD = {"age_years": 8, "weight_kg": 20, "height_cm": 125}
HEAVY_CHILD = {"age_years": 11, "weight_kg": 45, "height_cm": 150}
TEEN = {"age_years": 14, "weight_kg": 50, "height_cm": 160}
VOMITING = {"vomiting": True}  # grade 1 and no enteral route: iv
AKI = ["aki"]  # counts as renal function < 30: halve every non-urgent dose

ADULT_GRADE_0_1_IV = {
    "mmol": 16.24,
    "grams_mgso4": 4.0,
    "ml_50_percent": 8.0,
    "volume_ml": 250,
    "duration_hours": 4,
    "per_kg_mmol": None,
    "mmol_per_day_min": None,
    "mmol_per_day_max": None,
    "renal_adjusted": False,
    "follow_on": None,
}
ADULT_GRADE_2_4_IV = {
    "mmol": 20.3,
    "grams_mgso4": 5.0,
    "ml_50_percent": 10.0,
    "volume_ml": 500,
    "duration_hours": 3,
    "per_kg_mmol": None,
    "mmol_per_day_min": None,
    "mmol_per_day_max": None,
    "renal_adjusted": False,
}


def dose(**changes):
    return run(**changes)["plan"]["dose"]


def fields(dose_json, names):
    return {name: dose_json[name] for name in names}


# Adults, oral.


def test_it_gives_an_adult_12_to_24_mmol_of_oral_magnesium_a_day():
    got = dose()
    assert fields(got, ADULT_GRADE_0_1_IV) == {
        "mmol": None,
        "grams_mgso4": None,
        "ml_50_percent": None,
        "volume_ml": None,
        "duration_hours": None,
        "per_kg_mmol": None,
        "mmol_per_day_min": 12,
        "mmol_per_day_max": 24,
        "renal_adjusted": False,
        "follow_on": None,
    }
    assert got["rate_mg_per_min"] is None
    assert "3 divided doses with food" in got["text"]


def test_it_halves_the_adult_oral_dose_below_30_ml_min():
    got = dose(conditions=AKI)
    assert (got["mmol_per_day_min"], got["mmol_per_day_max"], got["renal_adjusted"]) == (6, 12, True)
    assert "Oral magnesium 6-12 mmol" in got["text"]
    assert "Halved because renal function is below 30 mL/min" in got["text"]
    assert "avoid magnesium aspartate" in got["text"]


# Adults, IV.


def test_it_gives_an_adult_4_g_over_4_h_in_250_ml_at_grade_1():
    got = dose(gi=VOMITING)
    assert fields(got, ADULT_GRADE_0_1_IV) == ADULT_GRADE_0_1_IV
    assert (got["rate_mg_per_min"], got["concentration_percent"]) == (16.67, 1.6)
    assert got["text"].startswith("Magnesium sulfate 4 g = 16.24 mmol Mg: draw up 8 mL of 50% and dilute in")
    assert "final volume of 250 mL (1.6%), given over 4 h" in got["text"]


def test_it_gives_the_grade_0_1_regimen_below_the_raised_target_at_grade_0():
    got = dose(mg=(0.75, "mmol/L"), ecg={"qtc_ms": 480}, gi=VOMITING)
    assert fields(got, ADULT_GRADE_0_1_IV) == ADULT_GRADE_0_1_IV


def test_it_gives_an_adult_5_g_over_3_h_in_500_ml_at_grade_2():
    got = dose(mg=(0.45, "mmol/L"))
    assert fields(got, ADULT_GRADE_2_4_IV) == ADULT_GRADE_2_4_IV
    assert got["follow_on"] is None
    assert (got["rate_mg_per_min"], got["concentration_percent"]) == (27.78, 1.0)
    # The daily continuation belongs to grades 3-4 only.
    assert "then 5 g per day" not in got["text"]


@pytest.mark.parametrize("mg", [0.35, 0.25])
def test_it_continues_5_g_a_day_up_to_40_g_at_grade_3_or_4(mg):
    got = dose(mg=(mg, "mmol/L"))
    assert fields(got, ADULT_GRADE_2_4_IV) == ADULT_GRADE_2_4_IV
    assert "then 5 g per day guided by levels, at most 40 g (162 mmol) over 5 days" in got["text"].lower()
    assert {"S36", "S33"} <= set(got["references"])


def test_it_halves_the_adult_grade_1_infusion_but_keeps_its_volume():
    got = dose(gi=VOMITING, conditions=AKI)
    assert fields(got, ["mmol", "grams_mgso4", "ml_50_percent", "volume_ml", "duration_hours", "renal_adjusted"]) == {
        "mmol": 8.12,
        "grams_mgso4": 2.0,
        "ml_50_percent": 4.0,
        "volume_ml": 250,  # adults: the table's volume, halved dose or not
        "duration_hours": 4,
        "renal_adjusted": True,
    }


def test_it_halves_the_adult_grade_2_infusion_but_keeps_its_volume():
    got = dose(mg=(0.45, "mmol/L"), conditions=AKI)
    assert fields(got, ["mmol", "grams_mgso4", "ml_50_percent", "volume_ml", "duration_hours", "renal_adjusted"]) == {
        "mmol": 10.15,
        "grams_mgso4": 2.5,
        "ml_50_percent": 5.0,
        "volume_ml": 500,
        "duration_hours": 3,
        "renal_adjusted": True,
    }
    assert {"S30", "S35", "S29"} <= set(got["references"])


# Adults, urgent bolus.


def test_it_gives_an_adult_a_2_g_bolus_in_100_ml_over_15_min_for_an_urgent_symptom():
    got = dose(symptoms=["torsades"])
    assert fields(got, ["mmol", "grams_mgso4", "ml_50_percent", "volume_ml", "duration_hours", "per_kg_mmol"]) == {
        "mmol": 8.12,
        "grams_mgso4": 2.0,
        "ml_50_percent": 4.0,
        "volume_ml": 100,
        "duration_hours": 0.25,
        "per_kg_mmol": None,
    }
    assert got["renal_adjusted"] is False
    assert got["text"].startswith("Reference regimen (the local emergency protocol takes precedence)")
    assert "over 15 min" in got["text"]
    assert "May be repeated once, so the bolus total is at most 4 g" in got["text"]


def test_it_follows_an_adult_bolus_with_the_grade_2_regimen_even_at_grade_1():
    # Mg 0.60 is grade 1, but the follow-on is at least the grade 2 regimen.
    follow_on = dose(symptoms=["torsades"])["follow_on"]
    assert fields(follow_on, ADULT_GRADE_2_4_IV) == ADULT_GRADE_2_4_IV
    assert follow_on["follow_on"] is None
    assert follow_on["text"].startswith("Then magnesium sulfate 5 g")


def test_it_continues_the_follow_on_daily_at_grade_3():
    got = dose(mg=(0.35, "mmol/L"), symptoms=["seizure"])
    assert "then 5 g per day" in got["follow_on"]["text"].lower()


def test_it_gives_no_follow_on_when_mg_is_at_or_above_the_target():
    # Torsades at Mg 0.90 (target 0.82): the bolus is given, no infusion follows.
    got = dose(mg=(0.90, "mmol/L"), symptoms=["torsades"])
    assert got["grams_mgso4"] == 2.0
    assert got["follow_on"] is None
    assert "No infusion follows: Mg is at or above the target" in got["text"]


def test_it_halves_the_follow_on_below_30_ml_min_but_never_the_bolus():
    got = dose(symptoms=["torsades"], conditions=AKI)
    assert (got["grams_mgso4"], got["renal_adjusted"]) == (2.0, False)
    assert (got["follow_on"]["grams_mgso4"], got["follow_on"]["renal_adjusted"]) == (2.5, True)
    assert got["follow_on"]["volume_ml"] == 500


# Children, oral.


def test_it_gives_a_child_under_12_0_2_mmol_per_kg_of_oral_magnesium():
    got = dose(patient=CHILD)
    assert fields(got, ["per_kg_mmol", "mmol", "mmol_per_day_min", "mmol_per_day_max", "grams_mgso4"]) == {
        "per_kg_mmol": 0.2,
        "mmol": 4.0,
        "mmol_per_day_min": None,
        "mmol_per_day_max": None,
        "grams_mgso4": None,
    }
    assert "three times daily" in got["text"]
    assert "weight 20 kg" in got["because"]


@pytest.mark.parametrize(("weight", "mmol"), [(39, 7.8), (40, 8.0), (45, 8.0)])
def test_it_caps_a_childs_oral_dose_at_8_mmol(weight, mmol):
    assert dose(patient={**HEAVY_CHILD, "weight_kg": weight})["mmol"] == mmol


def test_it_halves_a_childs_oral_dose_per_kg_below_30_ml_min():
    got = dose(patient=CHILD, conditions=AKI)
    assert (got["per_kg_mmol"], got["mmol"], got["renal_adjusted"]) == (0.1, 2.0, True)


def test_it_halves_a_childs_oral_cap_with_the_dose():
    # min(0.1 x 45, 4) = 4, not 4.5.
    got = dose(patient=HEAVY_CHILD, conditions=AKI)
    assert (got["per_kg_mmol"], got["mmol"]) == (0.1, 4.0)
    assert "(at most 4 mmol per dose)" in got["text"]


def test_it_gives_a_child_of_12_the_12_to_24_mmol_oral_regimen():
    got = dose(patient={**TEEN, "age_years": 12})
    assert fields(got, ["per_kg_mmol", "mmol", "mmol_per_day_min", "mmol_per_day_max"]) == {
        "per_kg_mmol": None,
        "mmol": None,
        "mmol_per_day_min": 12,
        "mmol_per_day_max": 24,
    }
    assert "4-8 mmol three times daily" in got["text"]


def test_it_gives_a_child_just_under_12_the_per_kg_oral_regimen():
    assert dose(patient={**CHILD, "age_years": 11.9})["per_kg_mmol"] == 0.2


def test_it_halves_the_oral_regimen_of_a_child_aged_12_to_17():
    got = dose(patient=TEEN, conditions=AKI)
    assert (got["mmol_per_day_min"], got["mmol_per_day_max"], got["renal_adjusted"]) == (6, 12, True)


# Children, IV.


def test_it_gives_a_child_under_12_0_2_mmol_per_kg_iv_diluted_to_10_percent():
    got = dose(patient=CHILD, gi=VOMITING)
    assert fields(
        got, ["per_kg_mmol", "mmol", "grams_mgso4", "ml_50_percent", "volume_ml", "duration_hours", "follow_on"]
    ) == {
        "per_kg_mmol": 0.2,
        "mmol": 4.0,
        "grams_mgso4": 0.99,  # 4 / 4.06
        "ml_50_percent": 1.97,
        "volume_ml": 9.85,  # grams x 10, from the unrounded 0.985 g
        "duration_hours": 3,
        "follow_on": None,
    }
    assert got["concentration_percent"] == 10.0
    assert "0.4 mmol/kg" in got["text"]  # the PMH alternative is shown


def test_it_caps_a_childs_iv_dose_at_8_mmol():
    got = dose(patient=HEAVY_CHILD, gi=VOMITING)
    assert (got["mmol"], got["grams_mgso4"], got["volume_ml"]) == (8.0, 1.97, 19.7)


def test_it_halves_a_childs_iv_dose_and_volume_per_kg_below_30_ml_min():
    got = dose(patient=CHILD, gi=VOMITING, conditions=AKI)
    assert fields(got, ["per_kg_mmol", "mmol", "grams_mgso4", "volume_ml", "renal_adjusted"]) == {
        "per_kg_mmol": 0.1,
        "mmol": 2.0,
        "grams_mgso4": 0.49,
        "volume_ml": 4.93,  # a child's volume follows the grams actually given
        "renal_adjusted": True,
    }


def test_it_halves_a_childs_iv_cap_with_the_dose():
    assert dose(patient=HEAVY_CHILD, gi=VOMITING, conditions=AKI)["mmol"] == 4.0


def test_it_gives_a_child_aged_12_to_17_4_mmol_iv_over_3_h():
    got = dose(patient=TEEN, gi=VOMITING)
    assert fields(got, ["per_kg_mmol", "mmol", "grams_mgso4", "volume_ml", "duration_hours"]) == {
        "per_kg_mmol": None,
        "mmol": 4.0,
        "grams_mgso4": 0.99,
        "volume_ml": 9.85,
        "duration_hours": 3,
    }
    assert got["text"].startswith("Magnesium sulfate 4 mmol Mg (0.99 g)")


def test_it_halves_the_iv_dose_of_a_child_aged_12_to_17():
    got = dose(patient=TEEN, gi=VOMITING, conditions=AKI)
    assert (got["mmol"], got["volume_ml"], got["renal_adjusted"]) == (2.0, 4.93, True)


def test_it_gives_a_17_year_old_the_childs_iv_dose_and_an_18_year_old_the_adults():
    assert dose(patient={**TEEN, "age_years": 17.9}, gi=VOMITING)["mmol"] == 4.0
    assert dose(patient={**TEEN, "age_years": 18}, gi=VOMITING)["grams_mgso4"] == 4.0


# Children, urgent bolus.


def test_it_gives_a_child_a_0_2_mmol_per_kg_bolus_diluted_to_10_percent():
    got = dose(patient=CHILD, mg=(0.45, "mmol/L"), symptoms=["seizure"])
    assert fields(got, ["per_kg_mmol", "mmol", "grams_mgso4", "volume_ml", "duration_hours", "renal_adjusted"]) == {
        "per_kg_mmol": 0.2,
        "mmol": 4.0,
        "grams_mgso4": 0.99,
        "volume_ml": 9.85,
        "duration_hours": 0.25,
        "renal_adjusted": False,
    }
    assert got["concentration_percent"] == 10.0
    # 985 mg over 15 min for 20 kg = 3.3 mg/kg/min, under the 10 mg/kg/min limit.
    assert "(3.3 mg/kg/min; at most 10 mg/kg/min)" in got["text"]
    assert got["follow_on"]["per_kg_mmol"] == 0.2
    assert got["follow_on"]["duration_hours"] == 3


def test_it_gives_a_child_aged_12_to_17_a_per_kg_bolus_capped_at_8_mmol():
    got = dose(patient=TEEN, symptoms=["tetany"])
    assert (got["per_kg_mmol"], got["mmol"], got["volume_ml"]) == (0.2, 8.0, 19.7)
    # The teenager's follow-on is the 12-17 y iv regimen: a fixed 4 mmol.
    assert (got["follow_on"]["per_kg_mmol"], got["follow_on"]["mmol"]) == (None, 4.0)


def test_it_halves_a_childs_follow_on_but_not_the_bolus():
    got = dose(patient=CHILD, symptoms=["seizure"], conditions=AKI)
    assert (got["per_kg_mmol"], got["mmol"], got["renal_adjusted"]) == (0.2, 4.0, False)
    assert (got["follow_on"]["per_kg_mmol"], got["follow_on"]["mmol"], got["follow_on"]["renal_adjusted"]) == (
        0.1,
        2.0,
        True,
    )


def test_it_gives_a_child_no_follow_on_at_the_target():
    assert dose(patient=CHILD, mg=(0.90, "mmol/L"), symptoms=["torsades"])["follow_on"] is None


# Renal adjustment.


def test_it_gives_the_full_dose_at_a_renal_function_just_above_30():
    out = run(gi=VOMITING, labs={"creatinine": {"value": 180.8, "unit": "umol/L"}})
    assert out["derived"]["renal_function_ml_min"] == 30.01
    assert (out["plan"]["dose"]["grams_mgso4"], out["plan"]["dose"]["renal_adjusted"]) == (4.0, False)


def test_it_halves_the_dose_at_a_renal_function_just_below_30():
    out = run(gi=VOMITING, labs={"creatinine": {"value": 181.2, "unit": "umol/L"}})
    assert out["derived"]["renal_function_ml_min"] == 29.93
    assert (out["plan"]["dose"]["grams_mgso4"], out["plan"]["dose"]["renal_adjusted"]) == (2.0, True)


def test_it_halves_the_oral_dose_at_a_renal_function_just_below_30():
    got = dose(labs={"creatinine": {"value": 181.2, "unit": "umol/L"}})
    assert (got["mmol_per_day_min"], got["renal_adjusted"]) == (6, True)


def test_it_keeps_the_daily_continuation_just_above_15_ml_min():
    out = run(mg=(0.35, "mmol/L"), labs={"creatinine": {"value": 320, "unit": "umol/L"}})
    assert out["derived"]["renal_function_ml_min"] == 15.13
    assert out["plan"]["dose"]["grams_mgso4"] == 2.5
    assert "then 5 g per day" in out["plan"]["dose"]["text"].lower()


@pytest.mark.parametrize(
    "changes",
    [
        {"labs": {"creatinine": {"value": 325, "unit": "umol/L"}}},  # 14.85 mL/min
        {"conditions": ["dialysis"]},
        {"conditions": ["oliguria"]},
    ],
)
def test_it_stops_the_daily_continuation_in_severe_renal_impairment(changes):
    got = dose(mg=(0.35, "mmol/L"), **changes)
    assert got["grams_mgso4"] == 2.5
    assert "then 5 g per day" not in got["text"].lower()
    assert "No daily continuation without a level and renal advice" in got["text"]
    assert "no routine replacement without renal advice; label cap 20 g per 48 h" in got["text"]


def test_it_gives_only_a_first_full_dose_when_renal_function_is_unknown():
    got = dose(mg=(0.35, "mmol/L"), drop=("labs.creatinine",))
    assert (got["grams_mgso4"], got["renal_adjusted"], got["follow_on"]) == (5.0, False, None)
    assert "then 5 g per day" not in got["text"].lower()
    assert "further doses wait for renal function (missing: labs.creatinine)" in got["text"]


def test_it_names_every_missing_renal_input_in_the_dose_text():
    got = dose(drop=("labs.creatinine", "patient.sex"))
    assert "(missing: labs.creatinine, patient.sex)" in got["text"]


def test_it_gives_no_follow_on_after_a_bolus_when_renal_function_is_unknown():
    # Mg 0.60 is below the target, yet the infusion waits for renal function.
    got = dose(symptoms=["torsades"], drop=("labs.creatinine",))
    assert (got["grams_mgso4"], got["follow_on"]) == (2.0, None)
    assert "missing: labs.creatinine" in got["text"]


# Dilution, rate, heart block.

IV_CASES = {
    "adult grade 1": {"gi": VOMITING},
    "adult grade 2": {"mg": (0.45, "mmol/L")},
    "adult grade 4": {"mg": (0.25, "mmol/L")},
    "adult halved": {"mg": (0.45, "mmol/L"), "conditions": AKI},
    "adult urgent": {"symptoms": ["torsades"]},
    "adult urgent halved follow-on": {"symptoms": ["torsades"], "conditions": AKI},
    "child iv": {"patient": HEAVY_CHILD, "gi": VOMITING},
    "teen iv": {"patient": TEEN, "gi": VOMITING},
    "child urgent": {"patient": HEAVY_CHILD, "symptoms": ["seizure"]},
}


def regimens(got):
    while got is not None:
        yield got
        got = got["follow_on"]


@pytest.mark.parametrize("changes", IV_CASES.values(), ids=IV_CASES.keys())
def test_it_never_shows_a_volume_of_50_percent_without_saying_dilute(changes):
    for regimen in regimens(dose(**changes)):
        text = regimen["text"]
        assert "Never give 50% undiluted" in text
        shown = re.findall(r"mL of 50%(.{0,12})", text)
        assert shown
        assert all(after.startswith(" and dilute") for after in shown)


@pytest.mark.parametrize("changes", IV_CASES.values(), ids=IV_CASES.keys())
def test_it_keeps_every_non_urgent_infusion_at_or_below_150_mg_a_minute(changes):
    got = dose(**changes)
    infusions = [r for r in regimens(got) if r["duration_hours"] >= 1]
    assert infusions  # every case has at least one infusion (an urgent bolus has its follow-on)
    for regimen in infusions:
        assert regimen["rate_mg_per_min"] <= 150
        assert "at most 150 mg/min" in regimen["text"]


@pytest.mark.parametrize("changes", IV_CASES.values(), ids=IV_CASES.keys())
def test_it_dilutes_adults_to_20_percent_or_weaker_and_children_to_10_percent(changes):
    adult = changes.get("patient") is None
    for regimen in regimens(dose(**changes)):
        if adult:
            assert regimen["concentration_percent"] <= 20
        else:
            assert regimen["concentration_percent"] == 10.0


def test_it_says_an_infusion_with_heart_block_needs_senior_review():
    assert "Heart block: only after senior review" in dose(gi=VOMITING, conditions=["heart_block"])["text"]


def test_it_says_the_local_emergency_protocol_governs_a_bolus_with_heart_block():
    got = dose(mg=(0.90, "mmol/L"), symptoms=["torsades"], conditions=["heart_block"])
    assert "Heart block: the local emergency protocol governs" in got["text"]
    assert "senior review" not in got["text"]


def test_it_says_nothing_about_heart_block_without_it():
    assert "eart block" not in dose(gi=VOMITING)["text"]


def test_it_gives_no_dose_when_the_route_is_none():
    assert dose(mg=(0.80, "mmol/L")) is None
    assert dose(mg=(1.20, "mmol/L")) is None


def test_it_explains_each_dose_with_the_route_and_renal_reasons():
    got = dose(gi=VOMITING)
    assert got["because"][0] == "enteral route unavailable: vomiting"
    assert got["because"][1].startswith("renal function used 93.71 mL/min")
