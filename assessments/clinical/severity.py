"""Magnesium reading and severity (PROTOCOL.md sections 1-3, 7).

Takes the entered Mg (value + unit), the lab's LLN if any, the symptoms and the QTc; returns the reading in all
three units, the CTCAE v5.0 grade graded in the reported unit [S17, S18], the category, the clinical severity,
the target, and the unit-check warning.
"""

from __future__ import annotations

from .inputs import ARRHYTHMIA_SYMPTOMS, URGENT_SYMPTOMS, AssessmentInput, Symptom
from .results import MagnesiumReading, Severity, Warning
from .units import Analyte, Measurement, Unit, fmt, magnesium_all_units

# Default LLN 0.70 mmol/L = 1.70 mg/dL exactly = 1.40 mEq/L [S29, S30, S31] (PROTOCOL.md section 3).
DEFAULT_LLN = {Unit.MMOL_L: 0.70, Unit.MG_DL: 1.70, Unit.MEQ_L: 1.40}
LLN_SOURCES = ("S29", "S30", "S31")
# Upper limit of normal 1.05 mmol/L = 2.55 mg/dL [S56]: above it, hypermagnesemia, no replacement.
ULN_MMOL_L = 1.05
ULN_SOURCES = ("S56",)

# CTCAE v5.0 hypomagnesemia (identical in v6.0) [S17, S18]: (lower bound inclusive, grade), worst last.
# A value below the LLN and at or above a bound has that grade; below the last bound it is grade 4.
CTCAE_BANDS: dict[Unit, tuple[tuple[float, int], ...]] = {
    Unit.MMOL_L: ((0.5, 1), (0.4, 2), (0.3, 3)),
    Unit.MG_DL: ((1.2, 1), (0.9, 2), (0.7, 3)),
}
CTCAE_SOURCES = ("S17", "S18")
CATEGORY_BY_GRADE = {0: "none", 1: "mild", 2: "moderate", 3: "severe", 4: "severe"}  # [S33]
CATEGORY_SOURCES = ("S33",)

# Raised target 0.82 mmol/L (shown as 2.0 mg/dL) with QTc >= 470 ms, an arrhythmia symptom, or a seizure on a
# CNI [S89, S90, S41] (PROTOCOL.md section 7).
RAISED_TARGET_MMOL_L = 0.82
RAISED_TARGET_QTC_MS = 470
TARGET_SOURCES = ("S89", "S90", "S41")

# Unit check (PROTOCOL.md section 2): the number reads like a normal value in another unit [S53].
UNIT_CHECK_BANDS: dict[Unit, tuple[float, float, bool]] = {
    # unit: (low inclusive, high, high inclusive)
    Unit.MMOL_L: (1.2, 3.0, True),
    Unit.MG_DL: (0.5, 1.2, False),
    Unit.MEQ_L: (2.4, 6.0, True),
}


def magnesium_reading(mg: Measurement, lab_lln: Measurement | None) -> MagnesiumReading:
    graded_unit = grading_unit(mg)
    lln = lab_lln if lab_lln is not None else Measurement(Analyte.MAGNESIUM_LLN, DEFAULT_LLN[graded_unit], graded_unit)
    return MagnesiumReading(
        entered=mg,
        mmol_per_l=mg.in_(Unit.MMOL_L),
        mg_per_dl=mg.in_(Unit.MG_DL),
        meq_per_l=mg.in_(Unit.MEQ_L),
        lln=lln,
        lln_mmol_per_l=lln.in_(Unit.MMOL_L),
        lln_from_lab=lab_lln is not None,
    )


def grading_unit(mg: Measurement) -> Unit:
    """CTCAE grades in the reported unit; mEq/L is converted to mmol/L first (PROTOCOL.md section 3)."""
    return Unit.MG_DL if mg.unit is Unit.MG_DL else Unit.MMOL_L


def above_uln(reading: MagnesiumReading) -> bool:
    return reading.mmol_per_l > ULN_MMOL_L


def ctcae_grade(reading: MagnesiumReading) -> tuple[int, str]:
    """The grade and a sentence that shows the comparison made, in the unit graded."""
    unit = grading_unit(reading.entered)
    value = reading.entered.in_(unit)
    lln = reading.lln.in_(unit)
    lln_text = f"LLN {fmt(lln)} {unit} ({'lab' if reading.lln_from_lab else 'default'})"
    if value >= lln:
        return 0, f"Mg {fmt(value)} {unit} is at or above the {lln_text}: CTCAE grade 0"
    upper = f"below the {lln_text}"
    for bound, grade in CTCAE_BANDS[unit]:
        if value >= bound:
            return grade, f"Mg {fmt(value)} {unit} is {upper} and at or above {fmt(bound)} {unit}: CTCAE grade {grade}"
        upper = f"below {fmt(bound)} {unit}"
    return 4, f"Mg {fmt(value)} {unit} is {upper}: CTCAE grade 4"


def raised_target_reasons(data: AssessmentInput) -> tuple[str, ...]:
    """The inputs that call for the raised target of 0.82 mmol/L (empty when none)."""
    reasons = []
    if data.qtc_ms is not None and data.qtc_ms >= RAISED_TARGET_QTC_MS:
        reasons.append(f"QTc {fmt(data.qtc_ms)} ms >= {RAISED_TARGET_QTC_MS} ms")
    reasons.extend(f"arrhythmia symptom: {s}" for s in data.symptoms if s in ARRHYTHMIA_SYMPTOMS)
    if data.has_symptom(Symptom.SEIZURE) and data.on_cni:
        reasons.append("seizure on a calcineurin inhibitor")
    return tuple(reasons)


def target_mmol_per_l(reading: MagnesiumReading, data: AssessmentInput) -> float:
    """The default target is the LLN; the raised target, when it applies, if it is larger (section 7)."""
    if raised_target_reasons(data):
        return max(reading.lln_mmol_per_l, RAISED_TARGET_MMOL_L)
    return reading.lln_mmol_per_l


def severity(
    reading: MagnesiumReading, data: AssessmentInput, *, grade: int, grade_text: str, raised_target_route: bool
) -> Severity:
    hyper = above_uln(reading)
    category = "none" if hyper else CATEGORY_BY_GRADE[grade]
    urgent_symptoms = [s for s in data.symptoms if s in URGENT_SYMPTOMS]
    because = [grade_text]
    references = [*CTCAE_SOURCES, *LLN_SOURCES, *CATEGORY_SOURCES]
    if hyper:
        because.append(f"Mg {magnesium_all_units(reading.mmol_per_l)} is above the ULN {ULN_MMOL_L} mmol/L")
        references.extend(ULN_SOURCES)
    if urgent_symptoms:
        clinical = "emergency"
        because.append(f"urgent symptom ({', '.join(urgent_symptoms)}): follow the local emergency protocol")
    elif category == "severe":
        clinical = "severe"
        because.append(f"CTCAE grade {grade} is severe")
    elif data.symptoms and grade >= 1:
        clinical = "severe"
        because.append(f"symptomatic ({', '.join(data.symptoms)}) with CTCAE grade {grade} (clinical convention)")
    elif raised_target_route:
        clinical = "mild"
        because.append(f"Mg below the raised target {RAISED_TARGET_MMOL_L} mmol/L")
        references.extend(TARGET_SOURCES)
    else:
        clinical = category
    return Severity(
        ctcae_grade=grade,
        category=category,
        clinical_severity=clinical,
        symptomatic=bool(data.symptoms),
        urgent=clinical == "emergency",
        because=tuple(because),
        references=tuple(dict.fromkeys(references)),
    )


def unit_check(mg: Measurement) -> Warning | None:
    low, high, high_inclusive = UNIT_CHECK_BANDS[mg.unit]
    if not (low <= mg.value <= high if high_inclusive else low <= mg.value < high):
        return None
    if mg.unit is Unit.MMOL_L:
        reading = (
            f"{fmt(mg.value)} mmol/L would be a normal value in mg/dL; it can also be true hypermagnesemia"
            " (renal failure, or a sample taken during a magnesium infusion)"
        )
    elif mg.unit is Unit.MG_DL:
        reading = f"{fmt(mg.value)} mg/dL would be a normal value in mmol/L"
    else:
        reading = f"{fmt(mg.value)} mEq/L would be a normal value in mg/dL"
    return Warning(
        id="unit_check",
        text=f"Check the unit: {reading}. Confirm the unit on the lab report before acting.",
        because=(
            f"Mg entered as {mg.show()} = {magnesium_all_units(mg.in_(Unit.MMOL_L))}",
            f"values from {fmt(low)} to {fmt(high)} {mg.unit} read like another unit's normal range",
        ),
        references=("S53",),
    )
