"""Dose (PROTOCOL.md section 5): adult and pediatric regimens, renal halving, dilution and rate.

MgSO4.7H2O carries 4.06 mmol Mg per gram and 50% is 0.5 g/mL, so 4 g = 16.24 mmol = 8 mL of 50%. Children's doses
are set in mmol per kg and diluted to 10%: volume_ml = grams x 10. The base patient is a 45 y, 70 kg woman with
creatinine 70 umol/L (renal function 93.71 mL/min). Texts are compared word for word where the protocol quotes them.
"""

import re

import pytest

from tests.builders import run

CHILD = {"age_years": 8, "weight_kg": 20, "height_cm": 125}
HEAVY_CHILD = {"age_years": 11, "weight_kg": 45, "height_cm": 150}
TEEN = {"age_years": 14, "weight_kg": 50, "height_cm": 160}
SMALL_CHILD = {"age_years": 2, "weight_kg": 10, "height_cm": 85}  # below 15 kg: 10 mg/kg/min is below 150 mg/min
VOMITING = {"vomiting": True}  # grade 1 and no enteral route: iv
AKI = ["aki"]  # counts as renal function < 30: halve every non-urgent dose
BELOW_30 = {"creatinine": {"value": 181.2, "unit": "umol/L"}}  # 29.93 mL/min, computed
NO_HEIGHT = ("patient.height_cm",)

ADULT_GRADE_0_1_IV = {
    "mmol": 16.24,
    "grams_mgso4": 4.0,
    "ml_50_percent": 8.0,
    "volume_ml": 250,
    "duration_hours": 4,
    "rate_mg_per_min": 16.67,
    "max_rate_mg_per_min": 150,
    "per_kg_mmol": None,
    "mmol_before_cap": None,
    "mmol_per_day_min": None,
    "mmol_per_day_max": None,
    "start_mmol_per_day": None,
    "renal_adjusted": False,
    "follow_on": None,
}
ADULT_GRADE_2_4_IV = {
    "mmol": 20.3,
    "grams_mgso4": 5.0,
    "ml_50_percent": 10.0,
    "volume_ml": 500,
    "duration_hours": 3,
    "rate_mg_per_min": 27.78,
    "max_rate_mg_per_min": 150,
    "per_kg_mmol": None,
    "mmol_before_cap": None,
    "mmol_per_day_min": None,
    "mmol_per_day_max": None,
    "renal_adjusted": False,
}
FULL_ORAL_TEXT = (
    "12-24 mmol elemental Mg per day in 3 divided doses with food, i.e. 4-8 mmol three times daily (e.g. magnesium"
    " glycerophosphate 4 mmol tablets, 1-2 tablets three times daily); start at 12 mmol/day and go to 24 if still low"
    " at recheck; reduce the dose if diarrhea develops."
)
HALVED_ORAL_TEXT = (
    "6-12 mmol elemental Mg per day in 3 divided doses with food, i.e. 2-4 mmol three times daily (e.g. magnesium"
    " glycerophosphate liquid 5 mmol/5 mL, 2-4 mL three times daily; one 4 mmol tablet three times daily is the upper"
    " end, 12 mmol/day); halved because renal function is below 30 mL/min; start at 6 mmol/day; reduce the dose if"
    " diarrhea develops."
)


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
        "rate_mg_per_min": None,
        "max_rate_mg_per_min": None,
        "per_kg_mmol": None,
        "mmol_before_cap": None,
        "mmol_per_day_min": 12,
        "mmol_per_day_max": 24,
        "start_mmol_per_day": 12,
        "renal_adjusted": False,
        "follow_on": None,
    }
    # Each of the three daily doses (C2).
    assert (got["mmol_per_dose_min"], got["mmol_per_dose_max"]) == (4, 8)


def test_the_full_oral_text_is_the_protocols_word_for_word():
    # Section 5, "Exact oral texts" (C2, m6): with food, and reduce the dose if diarrhea develops.
    assert dose()["text"] == FULL_ORAL_TEXT


def test_it_halves_the_adult_oral_dose_below_30_ml_min():
    got = dose(labs=BELOW_30)
    assert (got["mmol_per_day_min"], got["mmol_per_day_max"], got["renal_adjusted"]) == (6, 12, True)
    assert (got["mmol_per_dose_min"], got["mmol_per_dose_max"], got["start_mmol_per_day"]) == (2, 4, 6)
    assert got["text"] == HALVED_ORAL_TEXT
    # The halved text never shows the full-dose tablet count (C2).
    assert "1-2 tablets" not in got["text"]


def test_the_halved_oral_text_names_aki_when_aki_caused_the_halving():
    # r2-m10: "halved because of AKI" beside a computed renal function of 93.71 mL/min.
    got = dose(conditions=AKI)
    assert (got["mmol_per_day_min"], got["mmol_per_day_max"], got["renal_adjusted"]) == (6, 12, True)
    assert got["text"] == HALVED_ORAL_TEXT.replace("renal function is below 30 mL/min", "of AKI")


def test_the_halving_reason_is_the_computed_value_when_it_is_below_30_whatever_the_conditions():
    assert "halved because renal function is below 30 mL/min" in dose(labs=BELOW_30, conditions=AKI)["text"]


def test_an_adult_already_on_oral_mg_and_still_low_starts_at_the_upper_dose():
    # M9, change 22: start_mmol_per_day is the upper end and the text says so instead of "start at".
    got = dose(magnesium_therapy={"oral_current": True})
    assert got["start_mmol_per_day"] == 24
    assert got["text"] == FULL_ORAL_TEXT.replace(
        "start at 12 mmol/day and go to 24 if still low at recheck",
        "already on oral Mg and still low: give the upper dose, 24 mmol/day (8 mmol three times daily)",
    )


def test_an_adult_already_on_oral_mg_with_halving_gets_the_halved_upper_dose():
    got = dose(magnesium_therapy={"oral_current": True}, labs=BELOW_30)
    assert (got["start_mmol_per_day"], got["renal_adjusted"]) == (12, True)
    assert got["text"] == HALVED_ORAL_TEXT.replace(
        "start at 6 mmol/day",
        "already on oral Mg and still low: give the upper dose, 12 mmol/day (4 mmol three times daily)",
    )


def test_an_oral_dose_with_unknown_renal_function_shows_no_continuation():
    # Section 5, X1: no "go to 24 if still low"; further doses wait for renal function and the text says why.
    got = dose(drop=("labs.creatinine",))
    assert got["renal_adjusted"] is False
    assert "go to 24" not in got["text"]
    assert (
        "first dose only, at full strength: further doses wait for renal function (no serum creatinine)"
        in (got["text"])
    )


def test_already_on_oral_mg_with_unknown_renal_function_the_text_still_gives_the_upper_dose():
    # start_mmol_per_day is 24 (M9): the text must say so, beside "first dose only" (a text agrees with its numbers).
    got = dose(magnesium_therapy={"oral_current": True}, drop=("labs.creatinine",))
    assert got["start_mmol_per_day"] == 24
    assert (
        "; already on oral Mg and still low: give the upper dose, 24 mmol/day (8 mmol three times daily); first dose"
        " only, at full strength: further doses wait for renal function (no serum creatinine);" in got["text"]
    )


def test_an_oral_dose_in_severe_renal_impairment_begins_with_renal_advice():
    got = dose(conditions=["dialysis"])
    assert got["text"].startswith(
        "Renal advice first (renal function below 15 mL/min, dialysis or oliguria): 6-12 mmol elemental Mg per day"
    )
    assert "halved because of dialysis" in got["text"]


def test_an_adult_without_a_sex_is_dosed_on_the_lower_estimate_and_told_so():
    # M4, change 25.
    got = dose(drop=("patient.sex",))
    assert got["text"].endswith(
        " Renal function 93.71 mL/min (sex not given: the lower of the female and male estimates is used)."
    )


# Adults, IV.


def test_it_gives_an_adult_4_g_over_4_h_in_250_ml_at_grade_1():
    got = dose(gi=VOMITING)
    assert fields(got, ADULT_GRADE_0_1_IV) == ADULT_GRADE_0_1_IV
    assert (got["rate_mg_per_min"], got["concentration_percent"]) == (16.67, 1.6)
    # Rates in whole mg/min; every adult IV text states the 150 mg/min limit (M3).
    assert got["text"] == (
        "Magnesium sulfate 4 g (16.24 mmol Mg). Draw up 8 mL of 50% and dilute in sodium chloride 0.9% or glucose 5%"
        " to a final volume of 250 mL (1.6%); give over 4 h at 62.5 mL/h (17 mg/min; at most 150 mg/min). Never give"
        " 50% undiluted."
    )


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
    # m24: further doses guided by the level 6 h after the infusion (NHS Highland: 3 doses 12-hourly).
    assert got["text"].endswith(
        " Further doses guided by the level 6 h after the end of the infusion (NHS Highland gives 3 doses 12-hourly"
        " below 0.5 mmol/L)."
    )
    assert {"S101", "S30"} <= set(got["references"])


def test_a_halved_grade_2_dose_follows_nhs_highlands_renal_schedule():
    # r2-m11, change 59: not "3 doses 12-hourly" beside a halved dose.
    got = dose(mg=(0.45, "mmol/L"), conditions=AKI)
    assert got["text"].endswith(
        " Further doses guided by the level 6 h after the end of the infusion (NHS Highland, eGFR < 30: half doses;"
        " check Mg 6 h after the 2nd dose, before the 3rd)."
    )
    assert "12-hourly" not in got["text"]


@pytest.mark.parametrize("conditions", [["dialysis"], ["oliguria"]])
def test_a_grade_2_dose_in_severe_renal_impairment_has_no_further_dose_without_renal_advice(conditions):
    got = dose(mg=(0.45, "mmol/L"), conditions=conditions)
    assert got["text"].startswith("Renal advice first (renal function below 15 mL/min, dialysis or oliguria):")
    assert got["text"].endswith(" No further dose without a level and renal advice.")
    assert "NHS Highland" not in got["text"]


@pytest.mark.parametrize("mg", [0.35, 0.25])
def test_it_continues_5_g_a_day_up_to_40_g_at_grade_3_or_4(mg):
    got = dose(mg=(mg, "mmol/L"))
    assert fields(got, ADULT_GRADE_2_4_IV) == ADULT_GRADE_2_4_IV
    # Change 21 (m7): one wording, computed with 4.06 mmol/g.
    assert (
        "; then 5 g per day guided by levels, at most 40 g MgSO4 (162 mmol; the SmPC rounds it to 160 mmol) over 5"
        " days." in got["text"]
    )
    assert {"S36", "S33"} <= set(got["references"])


def test_a_halved_grade_3_dose_halves_its_continuation_too():
    # X1a, change 46: never the full 5 g/day and 40 g beside a halved first dose.
    got = dose(mg=(0.35, "mmol/L"), conditions=AKI)
    assert (got["grams_mgso4"], got["renal_adjusted"]) == (2.5, True)
    assert got["text"].endswith("; then 2.5 g per day guided by levels, at most 20 g MgSO4 (81 mmol) over 5 days.")
    assert "5 g per day" not in got["text"].replace("2.5 g per day", "")
    assert "40 g" not in got["text"]


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
    # The bolus states its rate and who sets it, not the 150 mg/min infusion limit (m5, change 56).
    assert (got["rate_mg_per_min"], got["max_rate_mg_per_min"]) == (133.33, 150)
    assert (
        "(133 mg/min; the local emergency protocol sets the rate, and pulseless torsades may need it faster)"
        in got["text"]
    )
    assert "at most 150 mg/min" not in got["text"]


def test_it_follows_an_adult_bolus_with_the_iv_regimen_of_the_grade():
    # Change 23 (m16): at grade 1 the follow-on is 4 g over 4 h (1 g/h), no longer at least the grade 2 regimen.
    follow_on = dose(symptoms=["torsades"])["follow_on"]
    assert fields(follow_on, ADULT_GRADE_0_1_IV) == ADULT_GRADE_0_1_IV
    assert follow_on["text"].startswith("Magnesium sulfate 4 g (16.24 mmol Mg).")
    assert "at most 150 mg/min" in follow_on["text"]


def test_it_follows_an_adult_bolus_at_grade_2_with_the_grade_2_regimen():
    follow_on = dose(mg=(0.45, "mmol/L"), symptoms=["torsades"])["follow_on"]
    assert fields(follow_on, ADULT_GRADE_2_4_IV) == ADULT_GRADE_2_4_IV
    assert follow_on["follow_on"] is None


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
    assert (got["follow_on"]["grams_mgso4"], got["follow_on"]["renal_adjusted"]) == (2.0, True)
    assert got["follow_on"]["volume_ml"] == 250
    assert "halved" not in got["text"]
    assert "halved because of AKI" in got["follow_on"]["text"]


def test_renal_advice_goes_on_the_follow_on_never_on_the_bolus():
    # m20, M10: in route iv_urgent the "Renal advice first" prefix belongs to the follow-on text.
    got = dose(mg=(0.35, "mmol/L"), symptoms=["seizure"], conditions=["dialysis"])
    assert "Renal advice" not in got["text"]
    assert got["follow_on"]["text"].startswith(
        "Renal advice first (renal function below 15 mL/min, dialysis or oliguria): magnesium sulfate 2.5 g"
    )
    assert got["follow_on"]["text"].endswith(" No further dose without a level and renal advice.")


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
    # min(0.1 x 45, 4) = 4, not 4.5; the text shows the amount before the cap (m1, change 19).
    got = dose(patient=HEAVY_CHILD, conditions=AKI)
    assert (got["per_kg_mmol"], got["mmol"], got["mmol_before_cap"]) == (0.1, 4.0, 4.5)
    assert got["text"] == (
        "0.1 mmol/kg x 45 kg = 4.5 mmol, capped at 4 mmol per dose, three times daily with food; halved because of"
        " AKI; reduce the dose if diarrhea develops."
    )


def test_a_childs_oral_text_is_the_protocols_word_for_word():
    got = dose(patient=CHILD)
    assert got["text"] == (
        "0.2 mmol/kg x 20 kg = 4 mmol per dose, three times daily with food; reduce the dose if diarrhea develops."
    )
    assert (got["mmol_before_cap"], got["start_mmol_per_day"]) == (4.0, None)


def test_a_child_under_12_already_on_oral_mg_keeps_the_same_per_kg_dose():
    # Section 5: the fact base has no higher per-kg oral dose (open question 8).
    assert dose(patient=CHILD, magnesium_therapy={"oral_current": True}) == dose(patient=CHILD)


def test_it_gives_a_child_of_12_the_12_to_24_mmol_oral_regimen():
    got = dose(patient={**TEEN, "age_years": 12})
    assert fields(got, ["per_kg_mmol", "mmol", "mmol_per_day_min", "mmol_per_day_max"]) == {
        "per_kg_mmol": None,
        "mmol": None,
        "mmol_per_day_min": 12,
        "mmol_per_day_max": 24,
    }
    assert got["text"] == FULL_ORAL_TEXT  # the adult text, "with food" too (m6)


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
    assert (got["mmol_before_cap"], got["rate_mg_per_min"], got["max_rate_mg_per_min"]) == (4.0, 5.47, 150)
    assert got["text"] == (
        "Magnesium sulfate 0.2 mmol/kg x 20 kg = 4 mmol (0.99 g). Draw up 1.97 mL of 50% and dilute in sodium"
        " chloride 0.9% or glucose 5% to a final volume of 9.85 mL (10%); give over 3 h at 3.3 mL/h (5 mg/min; at"
        " most 10 mg/kg/min and never above 150 mg/min: 150 mg/min for 20 kg). Never give 50% undiluted. 12-hourly"
        " as needed (Perth Children's Hospital uses 0.4 mmol/kg, at most 20 mmol)."
    )
    assert "S39" in got["references"]  # the PMH alternative is shown


def test_a_child_under_15_kg_has_a_rate_limit_of_10_mg_per_kg_per_min():
    # M3: min(10 x 10 kg, 150) = 100 mg/min, stated for that weight.
    got = dose(patient=SMALL_CHILD, gi=VOMITING)
    assert got["max_rate_mg_per_min"] == 100
    assert "(3 mg/min; at most 10 mg/kg/min = 100 mg/min for 10 kg)" in got["text"]


def test_a_childs_rate_limit_is_written_in_whole_mg_per_min_rounded_down():
    # Text conventions: rates in whole mg/min; 10 x 7.35 kg = 73.5 is written 73, never rounded up past the limit.
    got = dose(patient={"age_years": 1, "weight_kg": 7.35, "height_cm": 70}, gi=VOMITING)
    assert got["max_rate_mg_per_min"] == 73.5
    assert "at most 10 mg/kg/min = 73 mg/min for 7.35 kg)" in got["text"]


def test_a_halved_childs_iv_text_never_shows_the_pmh_alternative():
    # X1b, change 47: 0.4 mmol/kg would be 4 x the halved dose.
    got = dose(patient=CHILD, gi=VOMITING, conditions=AKI)
    assert "0.4 mmol/kg" not in got["text"]
    assert "S39" not in got["references"]
    assert got["text"].endswith(" Never give 50% undiluted. 12-hourly as needed.")


@pytest.mark.parametrize("conditions", [["dialysis"], ["oliguria"]])
def test_a_child_in_severe_renal_impairment_gets_a_further_dose_only_after_a_level(conditions):
    # X1c, change 48: replaces "12-hourly as needed".
    got = dose(patient=CHILD, gi=VOMITING, conditions=conditions)
    assert got["text"].startswith("Renal advice first (renal function below 15 mL/min, dialysis or oliguria):")
    assert got["text"].endswith(" A further dose only after a level and renal advice.")
    assert "12-hourly" not in got["text"]


def test_the_halving_reason_names_every_condition_in_order():
    got = dose(patient=CHILD, gi=VOMITING, conditions=["aki", "oliguria", "dialysis"])
    assert "halved because of dialysis, oliguria and AKI." in got["text"]


def test_a_child_without_height_gets_a_first_dose_only_and_is_told_why():
    # M4, change 26: the creatinine given could not be used.
    got = dose(patient=CHILD, gi=VOMITING, drop=NO_HEIGHT)
    assert (got["mmol"], got["renal_adjusted"]) == (4.0, False)
    assert got["text"].endswith(
        " First dose only, at full strength: further doses wait for renal function (serum creatinine 70 umol/L was"
        " given, but height is not, so the bedside Schwartz eGFR cannot be computed)."
    )
    assert "12-hourly" not in got["text"]
    assert "0.4 mmol/kg" not in got["text"]


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


def test_it_gives_a_child_aged_12_to_17_0_2_mmol_per_kg_iv_over_3_h():
    # M2, change 17: per kg for every child, no longer a fixed 4 mmol (golden case P17).
    got = dose(patient=TEEN, gi=VOMITING)
    assert fields(got, ["per_kg_mmol", "mmol", "mmol_before_cap", "grams_mgso4", "volume_ml", "duration_hours"]) == {
        "per_kg_mmol": 0.2,
        "mmol": 10.0,
        "mmol_before_cap": 10.0,
        "grams_mgso4": 2.46,
        "volume_ml": 24.63,
        "duration_hours": 3,
    }
    assert got["text"].startswith("Magnesium sulfate 0.2 mmol/kg x 50 kg = 10 mmol (2.46 g).")


@pytest.mark.parametrize(("weight", "mmol", "before_cap"), [(62, 12.4, 12.4), (100, 20.0, 20.0), (110, 20.0, 22.0)])
def test_it_caps_the_iv_dose_of_a_child_aged_12_to_17_at_20_mmol(weight, mmol, before_cap):
    got = dose(patient={**TEEN, "age_years": 16, "weight_kg": weight}, gi=VOMITING)
    assert (got["mmol"], got["mmol_before_cap"]) == (mmol, before_cap)
    assert ("capped at 20 mmol" in got["text"]) is (before_cap > 20)


def test_it_halves_the_iv_dose_of_a_child_aged_12_to_17():
    got = dose(patient=TEEN, gi=VOMITING, conditions=AKI)
    assert (got["per_kg_mmol"], got["mmol"], got["volume_ml"], got["renal_adjusted"]) == (0.1, 5.0, 12.32, True)


def test_a_halved_iv_dose_of_a_child_aged_12_to_17_is_capped_at_10_mmol():
    # Section 5: when halved, per_kg_mmol and the cap are halved too (IV 12-17 y: at most 10 mmol).
    got = dose(patient={**TEEN, "age_years": 16, "weight_kg": 110}, gi=VOMITING, conditions=AKI)
    assert (got["per_kg_mmol"], got["mmol"], got["mmol_before_cap"]) == (0.1, 10.0, 11.0)
    assert "0.1 mmol/kg x 110 kg = 11 mmol, capped at 10 mmol (2.46 g), halved because of AKI." in got["text"]


def test_the_iv_dose_no_longer_halves_on_the_12th_birthday():
    # Section 5: a 45 kg child gets 8 mmol at 11.9 y (cap 8) and 9 mmol at 12 y (cap 20).
    assert dose(patient={**HEAVY_CHILD, "age_years": 11.9}, gi=VOMITING)["mmol"] == 8.0
    assert dose(patient={**HEAVY_CHILD, "age_years": 12}, gi=VOMITING)["mmol"] == 9.0


def test_it_gives_a_17_year_old_the_childs_iv_dose_and_an_18_year_old_the_adults():
    assert dose(patient={**TEEN, "age_years": 17.9}, gi=VOMITING)["mmol"] == 10.0
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
    # 985 mg over 15 min = 66 mg/min: the child limit, then who sets the rate (m5).
    assert (
        "(66 mg/min; at most 10 mg/kg/min and never above 150 mg/min: 150 mg/min for 20 kg; the local emergency"
        " protocol sets the rate)" in got["text"]
    )
    assert "May be repeated" not in got["text"]  # the adult 2 g bolus rule
    assert got["follow_on"]["per_kg_mmol"] == 0.2
    assert got["follow_on"]["duration_hours"] == 3


def test_a_small_childs_bolus_states_the_limit_for_its_weight():
    got = dose(patient=SMALL_CHILD, symptoms=["torsades"])
    assert (
        "(33 mg/min; at most 10 mg/kg/min = 100 mg/min for 10 kg; the local emergency protocol sets the rate)"
        in (got["text"])
    )


def test_it_gives_a_child_aged_12_to_17_a_per_kg_bolus_capped_at_8_mmol():
    got = dose(patient=TEEN, symptoms=["tetany"])
    assert (got["per_kg_mmol"], got["mmol"], got["mmol_before_cap"], got["volume_ml"]) == (0.2, 8.0, 10.0, 19.7)
    assert "0.2 mmol/kg x 50 kg = 10 mmol, capped at 8 mmol (1.97 g)" in got["text"]
    # The teenager's follow-on is the 12-17 y iv regimen, per kg too (M2): 0.2 x 50 = 10 mmol.
    assert (got["follow_on"]["per_kg_mmol"], got["follow_on"]["mmol"]) == (0.2, 10.0)


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
    # Halved, so its continuation is halved too (X1a).
    assert "then 2.5 g per day guided by levels" in out["plan"]["dose"]["text"]
    assert "Renal advice first" not in out["plan"]["dose"]["text"]


@pytest.mark.parametrize(
    "changes",
    [
        {"labs": {"creatinine": {"value": 325, "unit": "umol/L"}}},  # 14.85 mL/min
        {"conditions": ["dialysis"]},
        {"conditions": ["oliguria"]},
    ],
)
def test_it_stops_the_daily_continuation_in_severe_renal_impairment(changes):
    out = run(mg=(0.35, "mmol/L"), **changes)
    got = out["plan"]["dose"]
    assert got["grams_mgso4"] == 2.5
    assert "per day" not in got["text"].lower()
    # m20: the dose text begins with renal advice; m11: no further dose without a level and renal advice.
    assert got["text"].startswith("Renal advice first (renal function below 15 mL/min, dialysis or oliguria):")
    assert got["text"].endswith(" No further dose without a level and renal advice.")
    (warning,) = [w for w in out["warnings"] if w["id"] == "severe_renal_impairment"]
    assert "no routine replacement without renal advice; label cap 20 g per 48 h" in warning["text"]


def test_it_gives_only_a_first_full_dose_when_renal_function_is_unknown():
    got = dose(mg=(0.35, "mmol/L"), drop=("labs.creatinine",))
    assert (got["grams_mgso4"], got["renal_adjusted"], got["follow_on"]) == (5.0, False, None)
    assert "per day" not in got["text"].lower()
    assert "NHS Highland" not in got["text"]
    # Text never shows a field path: the missing input is named in words.
    assert got["text"].endswith(
        " First dose only, at full strength: further doses wait for renal function (no serum creatinine)."
    )


def test_it_names_every_missing_renal_input_in_the_dose_text():
    got = dose(drop=("labs.creatinine", "patient.sex"))
    assert "further doses wait for renal function (no serum creatinine and sex)" in got["text"]
    assert "labs." not in got["text"]


def test_it_gives_no_follow_on_after_a_bolus_when_renal_function_is_unknown():
    # Mg 0.60 is below the target, yet the infusion waits for renal function.
    got = dose(symptoms=["torsades"], drop=("labs.creatinine",))
    assert (got["grams_mgso4"], got["follow_on"]) == (2.0, None)
    assert got["text"].endswith(
        " First dose only, at full strength: further doses wait for renal function (no serum creatinine)."
    )


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
    adult = changes.get("patient") is None
    got = dose(**changes)
    infusions = [r for r in regimens(got) if r["duration_hours"] >= 1]
    assert infusions  # every case has at least one infusion (an urgent bolus has its follow-on)
    for regimen in infusions:
        assert regimen["rate_mg_per_min"] <= regimen["max_rate_mg_per_min"] <= 150
        # Every IV text states its limit (M3): adults 150 mg/min, children 10 mg/kg/min for that weight.
        assert ("at most 150 mg/min" if adult else "at most 10 mg/kg/min") in regimen["text"]


@pytest.mark.parametrize("changes", IV_CASES.values(), ids=IV_CASES.keys())
def test_it_dilutes_adults_to_20_percent_or_weaker_and_children_to_10_percent(changes):
    adult = changes.get("patient") is None
    for regimen in regimens(dose(**changes)):
        if adult:
            assert regimen["concentration_percent"] <= 20
        else:
            assert regimen["concentration_percent"] == 10.0


def test_it_says_an_infusion_with_heart_block_needs_senior_review():
    # Section 11 row 5: the dose text begins "Only after senior review (heart block):".
    assert dose(gi=VOMITING, conditions=["heart_block"])["text"].startswith(
        "Only after senior review (heart block): magnesium sulfate 4 g"
    )


def test_a_bolus_with_heart_block_carries_no_heart_block_clause_but_its_follow_on_does():
    # Section 11 row 7 (M10): the emergency team decides on the bolus; the follow-on needs senior review.
    got = dose(symptoms=["torsades"], conditions=["heart_block"])
    assert "eart block" not in got["text"]
    assert got["follow_on"]["text"].startswith("After senior review (heart block): magnesium sulfate 4 g")


def test_the_heart_block_clause_comes_before_renal_advice():
    got = dose(mg=(0.45, "mmol/L"), conditions=["heart_block", "oliguria"])
    assert got["text"].startswith(
        "Only after senior review (heart block): renal advice first (renal function below 15 mL/min, dialysis or"
        " oliguria): magnesium sulfate 2.5 g (10.15 mmol Mg), halved because of oliguria."
    )


def test_it_says_nothing_about_heart_block_without_it():
    assert "eart block" not in dose(gi=VOMITING)["text"]


def test_it_gives_no_dose_when_the_route_is_none():
    assert dose(mg=(0.80, "mmol/L")) is None
    assert dose(mg=(1.20, "mmol/L")) is None


def test_it_explains_each_dose_with_the_route_and_renal_reasons():
    got = dose(gi=VOMITING)
    assert got["because"][0] == "enteral route unavailable: vomiting"
    assert got["because"][1].startswith("renal function used 93.71 mL/min")
