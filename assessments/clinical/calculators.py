"""Bedside calculators, each returning its value with the formula and the arithmetic written out.

Takes `Measurement`s (any accepted unit) and patient facts; returns a `Calculation` (value + unit + working).
Each formula cites its own statement in the fact base: Cockcroft-Gault [S105], CKD-EPI 2021 [S103], bedside
Schwartz [S104] (KNOWLEDGE.md section 4.4; PROTOCOL.md section 5, change 29).
"""

from __future__ import annotations

from .inputs import Sex
from .results import Calculation
from .units import Measurement, Unit, fmt

RENAL_RULE_SOURCES = ("S30", "S35", "S29")  # the renal dose rule that uses these estimates
CG_SOURCES = ("S105",)
CKD_EPI_SOURCES = ("S103",)
SCHWARTZ_SOURCES = ("S104",)

# Cockcroft-Gault: CrCl = (140 - age) x weight / (72 x Scr mg/dL), x 0.85 if female (actual body weight, §5).
CG_AGE_OFFSET = 140
CG_DIVISOR = 72
CG_FEMALE_FACTOR = 0.85
CG_FEMALE_WORDS = f" x {CG_FEMALE_FACTOR} (female)"

# CKD-EPI 2021 creatinine equation (race-free): 142 x min(Scr/k,1)^a x max(Scr/k,1)^-1.200 x 0.9938^age
# x 1.012 if female; k = 0.7 (F) / 0.9 (M), a = -0.241 (F) / -0.302 (M).
CKD_EPI_CONSTANT = 142
CKD_EPI_KAPPA = {Sex.FEMALE: 0.7, Sex.MALE: 0.9}
CKD_EPI_ALPHA = {Sex.FEMALE: -0.241, Sex.MALE: -0.302}
CKD_EPI_UPPER_EXPONENT = -1.200
CKD_EPI_AGE_BASE = 0.9938
CKD_EPI_FEMALE_FACTOR = 1.012
CKD_EPI_SEX_FACTOR = {Sex.FEMALE: CKD_EPI_FEMALE_FACTOR, Sex.MALE: 1.0}
# Per sex: k, a and the sex factor, then each as the working writes it (the same numbers, written once).
CKD_EPI_BY_SEX = {
    sex: (k, a, factor, str(k), str(a), str(factor))
    for sex in Sex
    for k, a, factor in ((CKD_EPI_KAPPA[sex], CKD_EPI_ALPHA[sex], CKD_EPI_SEX_FACTOR[sex]),)
}

# Bedside Schwartz (children): eGFR = 0.413 x height cm / Scr mg/dL (PROTOCOL.md section 5).
SCHWARTZ_K = 0.413

# Corrected calcium = total Ca + 0.02 x (40 - albumin g/L) mmol/L [S20] (PROTOCOL.md section 6).
CA_ALBUMIN_REFERENCE_G_L = 40
CA_ALBUMIN_FACTOR = 0.02

# FEMg % = (U_Mg x P_Cr) / (0.7 x P_Mg x U_Cr) x 100 [S51, S52]; 0.7 = ultrafilterable share of plasma Mg.
FEMG_ULTRAFILTERABLE_FRACTION = 0.7


def cockcroft_gault(*, age_years: float, sex: Sex, weight_kg: float, creatinine: Measurement) -> Calculation:
    scr = creatinine.in_(Unit.MG_DL)
    sex_factor = CG_FEMALE_FACTOR if sex is Sex.FEMALE else 1.0
    value = (CG_AGE_OFFSET - age_years) * weight_kg / (CG_DIVISOR * scr) * sex_factor
    female = CG_FEMALE_WORDS if sex is Sex.FEMALE else ""
    return Calculation(
        id="crcl",
        label="Creatinine clearance (Cockcroft-Gault, actual body weight)",
        value=value,
        unit="mL/min",
        formula="Cockcroft-Gault 1976: (140 - age) x weight kg / (72 x serum creatinine mg/dL), x 0.85 if female",
        working=f"(140 - {fmt(age_years)}) x {fmt(weight_kg)} / (72 x {fmt(scr, 3)}){female} = {fmt(value)} mL/min",
        references=CG_SOURCES,
    )


def ckd_epi_2021(*, age_years: float, sex: Sex, creatinine: Measurement) -> Calculation:
    scr = creatinine.in_(Unit.MG_DL)
    kappa, alpha, sex_factor, kappa_words, alpha_words, factor_words = CKD_EPI_BY_SEX[sex]
    ratio = scr / kappa
    scr_words = fmt(scr, 3)
    value = (
        CKD_EPI_CONSTANT
        * min(ratio, 1.0) ** alpha
        * max(ratio, 1.0) ** CKD_EPI_UPPER_EXPONENT
        * CKD_EPI_AGE_BASE**age_years
        * sex_factor
    )
    return Calculation(
        id="egfr",
        label="eGFR (CKD-EPI 2021 creatinine)",
        value=value,
        unit="mL/min/1.73 m2",
        formula=(
            "CKD-EPI 2021 (Inker et al., NEJM 2021): 142 x min(Scr/k, 1)^a x max(Scr/k, 1)^-1.200 x 0.9938^age"
            " x 1.012 if female; k 0.7 (F) / 0.9 (M), a -0.241 (F) / -0.302 (M)"
        ),
        working=(
            f"142 x min({scr_words}/{kappa_words}, 1)^{alpha_words} x max({scr_words}/{kappa_words}, 1)^-1.2"
            f" x 0.9938^{fmt(age_years)} x {factor_words} = {fmt(value)} mL/min/1.73 m2"
        ),
        references=CKD_EPI_SOURCES,
    )


def bedside_schwartz(*, height_cm: float, creatinine: Measurement) -> Calculation:
    scr = creatinine.in_(Unit.MG_DL)
    value = SCHWARTZ_K * height_cm / scr
    return Calculation(
        id="schwartz_egfr",
        label="eGFR (bedside Schwartz, children)",
        value=value,
        unit="mL/min/1.73 m2",
        formula="Bedside Schwartz (Schwartz et al., JASN 2009): 0.413 x height cm / serum creatinine mg/dL",
        working=f"0.413 x {fmt(height_cm)} / {fmt(scr, 3)} = {fmt(value)} mL/min/1.73 m2",
        references=SCHWARTZ_SOURCES,
    )


def corrected_calcium(*, calcium_total: Measurement, albumin: Measurement) -> Calculation:
    total = calcium_total.in_(Unit.MMOL_L)
    albumin_g_l = albumin.in_(Unit.G_L)
    value = total + CA_ALBUMIN_FACTOR * (CA_ALBUMIN_REFERENCE_G_L - albumin_g_l)
    return Calculation(
        id="corrected_calcium",
        label="Corrected calcium",
        value=value,
        unit="mmol/L",
        formula="total calcium mmol/L + 0.02 x (40 - albumin g/L)",
        working=f"{fmt(total)} + 0.02 x (40 - {fmt(albumin_g_l)}) = {fmt(value)} mmol/L",
        references=("S20",),
    )


def femg(
    *,
    urine_magnesium: Measurement,
    serum_magnesium: Measurement,
    urine_creatinine: Measurement,
    creatinine: Measurement,
) -> Calculation:
    u_mg = urine_magnesium.in_(Unit.MMOL_L)
    p_mg = serum_magnesium.in_(Unit.MMOL_L)
    u_cr = urine_creatinine.in_(Unit.MMOL_L)
    p_cr = creatinine.in_(Unit.UMOL_L) / 1000  # mmol/L, so that both creatinines share a unit
    value = (u_mg * p_cr) / (FEMG_ULTRAFILTERABLE_FRACTION * p_mg * u_cr) * 100
    return Calculation(
        id="femg",
        label="Fractional excretion of magnesium (FEMg)",
        value=value,
        unit="%",
        formula="(urine Mg x serum creatinine) / (0.7 x serum Mg x urine creatinine) x 100, all in mmol/L",
        working=(f"({fmt(u_mg, 3)} x {fmt(p_cr, 4)}) / (0.7 x {fmt(p_mg, 3)} x {fmt(u_cr, 3)}) x 100 = {fmt(value)} %"),
        references=("S51", "S52"),
    )
