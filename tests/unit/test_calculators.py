"""Bedside calculators, checked against an independent implementation (medcalc-bench) and against hand sums.

medcalc-bench converts creatinine with a molar mass of 113.12 and rounds some intermediates, so creatinine is
passed to it in mg/dL and the comparison allows for its rounding.
"""

from __future__ import annotations

import itertools

import pytest
from medcalc.calcium_correction import calculate_corrected_calcium_explanation
from medcalc.ckd_epi_2021_creatinine import ckd_epi_2021 as medcalc_ckd_epi_2021
from medcalc.creatinine_clearance import generate_cockcroft_gault_explanation
from medcalc.ideal_body_weight import ibw_explanation

from assessments.clinical import calculators
from assessments.clinical.inputs import Sex
from assessments.clinical.units import CA_MG_DL_PER_MMOL_L, Analyte, Measurement, Unit


def creatinine(value: float, unit: Unit = Unit.MG_DL) -> Measurement:
    return Measurement(Analyte.CREATININE, value, unit)


MEDCALC_SEX = {Sex.FEMALE: "Female", Sex.MALE: "Male"}


# --- CKD-EPI 2021 ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("age", "sex", "scr"),
    list(
        itertools.product(
            (18, 30, 45, 60, 75, 90),
            (Sex.FEMALE, Sex.MALE),
            # Both sides of each sex's kappa (0.7 F, 0.9 M), and the kappas themselves.
            (0.4, 0.6, 0.7, 0.8, 0.9, 1.0, 1.5, 3.0, 8.0),
        )
    ),
)
def test_ckd_epi_2021_agrees_with_medcalc(age, sex, scr):
    ours = calculators.ckd_epi_2021(age_years=age, sex=sex, creatinine=creatinine(scr)).value
    theirs = medcalc_ckd_epi_2021({"sex": MEDCALC_SEX[sex], "age": (age, "years"), "creatinine": (scr, "mg/dL")})
    assert ours == pytest.approx(theirs, rel=1e-6)


def test_ckd_epi_2021_for_a_40_year_old_man_with_creatinine_80_umol_per_l():
    # Golden case P09: Scr 80 / 88.42 = 0.905 mg/dL, just above kappa 0.9.
    calc = calculators.ckd_epi_2021(age_years=40, sex=Sex.MALE, creatinine=creatinine(80, Unit.UMOL_L))
    assert round(calc.value, 2) == 110.03
    assert calc.unit == "mL/min/1.73 m2"
    assert calc.working == (
        "142 x min(0.905/0.9, 1)^-0.302 x max(0.905/0.9, 1)^-1.2 x 0.9938^40 x 1.0 = 110.03 mL/min/1.73 m2"
    )


def test_ckd_epi_2021_working_shows_the_female_constants():
    calc = calculators.ckd_epi_2021(age_years=45, sex=Sex.FEMALE, creatinine=creatinine(0.6))
    assert "min(0.6/0.7, 1)^-0.241" in calc.working
    assert "x 0.9938^45 x 1.012 = " in calc.working
    assert calc.working.endswith(f"= {round(calc.value, 2):g} mL/min/1.73 m2")
    # Each formula cites its own statement in the fact base: CKD-EPI 2021 [S103] (change 29).
    assert calc.references == ("S103",)


# --- Cockcroft-Gault ------------------------------------------------------------------------------------------

# medcalc-bench uses actual weight when the BMI is < 18.5, and min(ideal, actual) when the BMI is 18.5-24.9; ours
# always uses the actual weight (PROTOCOL.md section 5). These patients have an actual weight medcalc will use.
CG_PATIENTS = [
    # sex, height cm, weight kg (normal BMI, at or below ideal weight; or underweight)
    (Sex.MALE, 180, 65),  # BMI 20.1, IBW 75
    (Sex.MALE, 175, 58),  # BMI 18.9, IBW 70.5
    (Sex.MALE, 180, 55),  # BMI 17.0: underweight
    (Sex.FEMALE, 165, 52),  # BMI 19.1, IBW 56.9
    (Sex.FEMALE, 160, 48),  # BMI 18.75, IBW 52.4
    (Sex.FEMALE, 170, 50),  # BMI 17.3: underweight
]


@pytest.mark.parametrize(("sex", "height", "weight"), CG_PATIENTS)
@pytest.mark.parametrize("age", (20, 45, 70, 88))
@pytest.mark.parametrize("scr", (0.5, 0.9, 1.4, 3.2))
def test_cockcroft_gault_agrees_with_medcalc_where_both_use_actual_weight(sex, height, weight, age, scr):
    params = {
        "sex": MEDCALC_SEX[sex],
        "weight": (weight, "kg"),
        "height": (height, "cm"),
        "creatinine": (scr, "mg/dL"),
        "age": (age, "years"),
    }
    bmi = weight / (height / 100) ** 2
    # Guard the premise: otherwise medcalc would use another weight and the comparison would mean nothing.
    assert bmi < 18.5 or (bmi <= 24.9 and weight <= ibw_explanation(params)["Answer"])
    theirs = generate_cockcroft_gault_explanation(params)["Answer"]  # rounded to 3 decimals
    ours = calculators.cockcroft_gault(age_years=age, sex=sex, weight_kg=weight, creatinine=creatinine(scr)).value
    assert ours == pytest.approx(theirs, abs=0.001)


def test_cockcroft_gault_for_a_40_year_old_man_of_75_kg_with_creatinine_80_umol_per_l():
    # Golden case P09: (140 - 40) x 75 / (72 x 0.9048) = 115.13 mL/min.
    calc = calculators.cockcroft_gault(age_years=40, sex=Sex.MALE, weight_kg=75, creatinine=creatinine(80, Unit.UMOL_L))
    assert round(calc.value, 2) == 115.13
    assert calc.unit == "mL/min"
    assert calc.working == "(140 - 40) x 75 / (72 x 0.905) = 115.13 mL/min"


def test_cockcroft_gault_applies_0_85_for_a_woman():
    man = calculators.cockcroft_gault(age_years=60, sex=Sex.MALE, weight_kg=60, creatinine=creatinine(1.0))
    woman = calculators.cockcroft_gault(age_years=60, sex=Sex.FEMALE, weight_kg=60, creatinine=creatinine(1.0))
    assert man.value == pytest.approx(80 * 60 / 72)
    assert woman.value == pytest.approx(man.value * 0.85)
    assert woman.working == "(140 - 60) x 60 / (72 x 1) x 0.85 (female) = 56.67 mL/min"


def test_cockcroft_gault_uses_actual_body_weight_even_when_obese():
    # PROTOCOL.md section 5 says actual body weight; no ideal or adjusted weight is substituted.
    calc = calculators.cockcroft_gault(age_years=40, sex=Sex.MALE, weight_kg=140, creatinine=creatinine(1.0))
    assert calc.value == pytest.approx(100 * 140 / 72)
    assert "actual body weight" in calc.label


# --- Bedside Schwartz -----------------------------------------------------------------------------------------


def test_bedside_schwartz_is_0_413_times_height_over_creatinine_mg_dl():
    calc = calculators.bedside_schwartz(height_cm=120, creatinine=creatinine(0.5))
    assert calc.value == pytest.approx(0.413 * 120 / 0.5)  # 99.12
    assert calc.working == "0.413 x 120 / 0.5 = 99.12 mL/min/1.73 m2"


def test_bedside_schwartz_converts_umol_per_l_to_mg_per_dl():
    calc = calculators.bedside_schwartz(height_cm=130, creatinine=creatinine(44.21, Unit.UMOL_L))
    assert calc.value == pytest.approx(0.413 * 130 / 0.5)
    assert calc.id == "schwartz_egfr"


# --- Corrected calcium ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("calcium_mg_dl", (6.5, 8.2, 9.4, 11.0))
@pytest.mark.parametrize("albumin_g_dl", (1.5, 2.9, 4.0, 5.2))
def test_corrected_calcium_agrees_with_medcalc(calcium_mg_dl, albumin_g_dl):
    ours_mmol = calculators.corrected_calcium(
        calcium_total=Measurement(Analyte.CALCIUM_TOTAL, calcium_mg_dl, Unit.MG_DL),
        albumin=Measurement(Analyte.ALBUMIN, albumin_g_dl, Unit.G_DL),
    ).value
    theirs_mg_dl = calculate_corrected_calcium_explanation(
        {"albumin": (albumin_g_dl, "g/dL"), "calcium": (calcium_mg_dl, "mg/dL")}
    )["Answer"]
    # medcalc uses 0.8 mg/dL per g/dL; 0.02 mmol/L per g/L is 0.8016 mg/dL per g/dL, so they differ by
    # 0.0016 x (4 - albumin g/dL), at most 0.004 mg/dL here, plus medcalc's rounding to 3 decimals.
    assert ours_mmol * CA_MG_DL_PER_MMOL_L == pytest.approx(theirs_mg_dl, abs=0.006)


def test_corrected_calcium_adds_0_02_per_g_per_l_below_40():
    calc = calculators.corrected_calcium(
        calcium_total=Measurement(Analyte.CALCIUM_TOTAL, 2.05, Unit.MMOL_L),
        albumin=Measurement(Analyte.ALBUMIN, 29, Unit.G_L),
    )
    assert calc.value == pytest.approx(2.27)
    assert calc.working == "2.05 + 0.02 x (40 - 29) = 2.27 mmol/L"
    assert calc.references == ("S20",)


def test_corrected_calcium_subtracts_above_40_g_per_l():
    calc = calculators.corrected_calcium(
        calcium_total=Measurement(Analyte.CALCIUM_TOTAL, 2.40, Unit.MMOL_L),
        albumin=Measurement(Analyte.ALBUMIN, 4.5, Unit.G_DL),
    )
    assert calc.value == pytest.approx(2.30)


# --- FEMg -----------------------------------------------------------------------------------------------------


def femg(u_mg, p_mg, u_cr, p_cr):
    return calculators.femg(
        urine_magnesium=Measurement(Analyte.URINE_MAGNESIUM, *u_mg),
        serum_magnesium=Measurement(Analyte.MAGNESIUM, *p_mg),
        urine_creatinine=Measurement(Analyte.URINE_CREATININE, *u_cr),
        creatinine=Measurement(Analyte.CREATININE, *p_cr),
    )


def test_femg_of_the_readme_example_is_3_22_percent():
    # (1.2 x 0.080) / (0.7 x 0.52 x 8.2) x 100 = 3.216 %.
    calc = femg((1.2, Unit.MMOL_L), (0.52, Unit.MMOL_L), (8.2, Unit.MMOL_L), (80, Unit.UMOL_L))
    assert calc.value == pytest.approx(1.2 * 0.08 / (0.7 * 0.52 * 8.2) * 100)
    assert round(calc.value, 2) == 3.22
    assert calc.unit == "%"
    assert calc.working == "(1.2 x 0.08) / (0.7 x 0.52 x 8.2) x 100 = 3.22 %"
    assert calc.references == ("S51", "S52")


def test_femg_is_the_same_whatever_units_are_entered():
    # Both Mg values and both creatinines are converted to mmol/L first, so the units cancel.
    calc = femg(
        (1.2 * 2.4305, Unit.MG_DL),
        (1.04, Unit.MEQ_L),
        (8200, Unit.UMOL_L),
        (80 / 88.42, Unit.MG_DL),
    )
    assert calc.value == pytest.approx(3.2163, abs=1e-4)


def test_femg_accepts_urine_creatinine_in_mg_per_dl():
    # 92.74 mg/dL x 0.08842 = 8.2 mmol/L.
    calc = femg((1.2, Unit.MMOL_L), (0.52, Unit.MMOL_L), (8.2 / 0.08842, Unit.MG_DL), (80, Unit.UMOL_L))
    assert calc.value == pytest.approx(3.2163, abs=1e-4)


def test_every_calculation_names_its_formula():
    calc = calculators.bedside_schwartz(height_cm=100, creatinine=creatinine(0.4))
    assert calc.formula.startswith("Bedside Schwartz")
    assert calc.label == "eGFR (bedside Schwartz, children)"
