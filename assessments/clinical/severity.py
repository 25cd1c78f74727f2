"""Magnesium reading, severity and target (PROTOCOL.md sections 1, 3 and 7).

Takes the entered Mg (value + unit), the lab's LLN if any, the symptoms and the QTc; returns the reading in all
three units, the CTCAE v5.0 grade graded in the reported unit [S17, S18], the category, the clinical severity, the
`hypermagnesemia` warning and the target.
"""

from __future__ import annotations

from dataclasses import dataclass

from .inputs import ARRHYTHMIA_SYMPTOMS, AssessmentInput, Symptom
from .results import MagnesiumReading, Severity, Warning
from .units import Analyte, Measurement, Unit, convert, fmt, magnesium_all_units
from .wording import plain_list

# Default LLN 0.70 mmol/L = 1.70 mg/dL exactly = 1.40 mEq/L [S29, S30, S31] (PROTOCOL.md section 3).
DEFAULT_LLN = {Unit.MMOL_L: 0.70, Unit.MG_DL: 1.70, Unit.MEQ_L: 1.40}
LLN_SOURCES = ("S29", "S30", "S31")
# Upper limit of normal 1.05 mmol/L = 2.55 mg/dL = 2.10 mEq/L [S56, S53]: above it, hypermagnesemia, no replacement.
ULN_MMOL_L = 1.05
ULN_SOURCES = ("S56", "S53")
ULN_WORDS = fmt(ULN_MMOL_L)  # as the texts write it (the same number, formatted once)

# CTCAE v5.0 hypomagnesemia (identical in v6.0) [S17, S18]: (lower bound inclusive, grade), worst last.
# A value below the LLN and at or above a bound has that grade; below the last bound it is grade 4.
CTCAE_BANDS: dict[Unit, tuple[tuple[float, int], ...]] = {
    Unit.MMOL_L: ((0.5, 1), (0.4, 2), (0.3, 3)),
    Unit.MG_DL: ((1.2, 1), (0.9, 2), (0.7, 3)),
}
# Each band with its bound as the grade sentences write it (the same numbers, formatted once).
CTCAE_BAND_WORDS = {
    unit: tuple((bound, grade, f"{fmt(bound)} {unit}") for bound, grade in bands) for unit, bands in CTCAE_BANDS.items()
}
CTCAE_SOURCES = ("S17", "S18")
CATEGORY_BY_GRADE = {0: "none", 1: "mild", 2: "moderate", 3: "severe", 4: "severe"}  # [S33]
CATEGORY_SOURCES = ("S33",)
SYMPTOM_SOURCES = ("S31", "S30")  # specific symptoms escalate [S31, S30]

# Raised target 0.82 mmol/L (shown as 2.0 mg/dL) with QTc >= 470 ms, an arrhythmia symptom, or a seizure on a
# CNI [S89, S90, S41] (PROTOCOL.md section 7).
RAISED_TARGET_MMOL_L = 0.82
RAISED_TARGET_MG_DL = 2.0  # how the sources write it (0.82 x 2.4305 = 1.99)
RAISED_TARGET_WORDS = fmt(RAISED_TARGET_MMOL_L)  # as the texts write it
RAISED_TARGET_QTC_MS = 470
TARGET_SOURCES = ("S89", "S90", "S41")
ANTIDOTE_SOURCES = ("S35",)  # IV calcium is the antidote for Mg toxicity
TORSADES_ANY_LEVEL_SOURCES = ("S89",)  # torsades responds to IV Mg whatever the serum level


# CTCAE grades in the reported unit; mEq/L is converted to mmol/L first (PROTOCOL.md section 3).
GRADING_UNIT = {Unit.MMOL_L: Unit.MMOL_L, Unit.MG_DL: Unit.MG_DL, Unit.MEQ_L: Unit.MMOL_L}


def grading_unit(unit: Unit) -> Unit:
    """CTCAE grades in the reported unit; mEq/L is converted to mmol/L first (PROTOCOL.md section 3)."""
    return GRADING_UNIT[unit]


def lln_in(unit: Unit, lab_lln: Measurement | None) -> float:
    """The LLN in a grading unit: the lab's (converted) when given, else the default."""
    if lab_lln is None:
        return DEFAULT_LLN[unit]
    return lab_lln.in_(unit)


def grade_value(value: float, unit: Unit, lab_lln: Measurement | None) -> int:
    """The CTCAE grade of a number taken as a `unit` value (PROTOCOL.md section 3, also section 2.1's readings)."""
    graded = grading_unit(unit)
    if graded is not unit:
        value = convert(Analyte.MAGNESIUM, value, unit, graded)
    if value >= lln_in(graded, lab_lln):
        return 0
    for bound, grade in CTCAE_BANDS[graded]:
        if value >= bound:
            return grade
    return 4


def grade_magnesium(mg: Measurement, lab_lln: Measurement | None = None) -> int:
    """The CTCAE grade of an entered Mg: the one number the integrations need from this section."""
    return grade_value(mg.value, mg.unit, lab_lln)


def magnesium_reading(mg: Measurement, lab_lln: Measurement | None) -> MagnesiumReading:
    graded = grading_unit(mg.unit)
    lln = lab_lln if lab_lln is not None else Measurement(Analyte.MAGNESIUM_LLN, DEFAULT_LLN[graded], graded)
    mmol = mg.in_(Unit.MMOL_L)
    return MagnesiumReading(
        entered=mg,
        mmol_per_l=mmol,
        mg_per_dl=mg.in_(Unit.MG_DL),
        meq_per_l=mg.in_(Unit.MEQ_L),
        lln=lln,
        lln_mmol_per_l=lln.in_(Unit.MMOL_L),
        lln_from_lab=lab_lln is not None,
        above_uln=mmol > ULN_MMOL_L,
    )


def ctcae_grade(reading: MagnesiumReading) -> tuple[int, str]:
    """The grade and a sentence that shows the comparison made, in the unit graded."""
    unit = grading_unit(reading.entered.unit)
    value = reading.entered.in_(unit)
    lln = reading.lln.in_(unit)
    lln_text = f"LLN {fmt(lln)} {unit} ({'lab' if reading.lln_from_lab else 'default'})"
    if value >= lln:
        return 0, f"Mg {fmt(value)} {unit} is at or above the {lln_text}: CTCAE grade 0"
    upper = f"below the {lln_text}"
    for bound, grade, bound_words in CTCAE_BAND_WORDS[unit]:
        if value >= bound:
            return grade, f"Mg {fmt(value)} {unit} is {upper} and at or above {bound_words}: CTCAE grade {grade}"
        upper = f"below {bound_words}"
    return 4, f"Mg {fmt(value)} {unit} is {upper}: CTCAE grade 4"


# --- Section 7: targets ---------------------------------------------------------------------------------------


@dataclass(slots=True)  # built once per assessment, never changed: slotted for speed
class Target:
    mmol_per_l: float
    raised_because: tuple[str, ...]  # empty when the default target (the LLN) applies

    @property
    def raised(self) -> bool:
        return bool(self.raised_because)


def raised_target_reasons(data: AssessmentInput) -> tuple[str, ...]:
    """The inputs that call for the raised target of 0.82 mmol/L (empty when none)."""
    reasons = []
    if data.qtc_ms is not None and data.qtc_ms >= RAISED_TARGET_QTC_MS:
        reasons.append(f"QTc {fmt(data.qtc_ms)} ms >= {RAISED_TARGET_QTC_MS} ms")
    if data.arrhythmia:
        reasons.extend(f"arrhythmia symptom: {plain_list([s])}" for s in data.symptoms if s in ARRHYTHMIA_SYMPTOMS)
    if data.has_symptom(Symptom.SEIZURE) and data.on_cni:
        reasons.append("seizure on a calcineurin inhibitor")
    return tuple(reasons)


def target(reading: MagnesiumReading, data: AssessmentInput) -> Target:
    """The default target is the LLN; the raised target, when it applies, if it is larger (section 7)."""
    raised = raised_target_reasons(data)
    if raised:
        return Target(max(reading.lln_mmol_per_l, RAISED_TARGET_MMOL_L), raised)
    return Target(reading.lln_mmol_per_l, ())


# --- Section 3: category, clinical severity, hypermagnesemia --------------------------------------------------


def severity(
    reading: MagnesiumReading, data: AssessmentInput, *, grade: int, grade_text: str, raised_target_route: bool
) -> Severity:
    category = "none" if reading.above_uln else CATEGORY_BY_GRADE[grade]
    urgent_symptoms = data.urgent_symptoms
    escalating = data.escalating_symptoms
    because = [grade_text]
    references = [*CTCAE_SOURCES, *LLN_SOURCES, *CATEGORY_SOURCES]
    if reading.above_uln:
        because.append(f"Mg {magnesium_all_units(reading.mmol_per_l)} is above the ULN {ULN_WORDS} mmol/L")
        references.extend(ULN_SOURCES)
    if urgent_symptoms:
        clinical = "emergency"
        because.append(f"urgent symptom ({plain_list(urgent_symptoms)}): follow the local emergency protocol")
    elif category == "severe":
        clinical = "severe"
        because.append(f"CTCAE grade {grade} is severe")
    elif escalating and grade >= 1:
        clinical = "severe"
        because.append(f"symptomatic ({plain_list(escalating)}) with CTCAE grade {grade}")
        references.extend(SYMPTOM_SOURCES)
    elif raised_target_route:
        clinical = "mild"
        because.append(f"Mg below the raised target {RAISED_TARGET_WORDS} mmol/L")
        references.extend(TARGET_SOURCES)
    else:
        clinical = category
    if data.symptoms and not escalating:
        because.append(f"{plain_list(data.symptoms)}: common after HSCT for other reasons, not escalating on its own")
    return Severity(
        ctcae_grade=grade,
        category=category,
        clinical_severity=clinical,
        symptomatic=bool(data.symptoms),
        urgent=clinical == "emergency",
        because=tuple(because),
        references=tuple(dict.fromkeys(references)),
    )


def hypermagnesemia_warning(
    reading: MagnesiumReading, data: AssessmentInput, *, unit_may_be_low: bool
) -> Warning | None:
    """Section 3's three wordings: arrhythmia (the emergency team decides), a unit in doubt, or plain."""
    if not reading.above_uln:
        return None
    x = fmt(reading.mmol_per_l)
    because = [f"Mg {magnesium_all_units(reading.mmol_per_l)} is above the ULN {ULN_WORDS} mmol/L"]
    references = [*ULN_SOURCES, *ANTIDOTE_SOURCES]
    if data.arrhythmia:
        text = (
            f"Mg {x} mmol/L is above the ULN: no routine Mg replacement. Whether IV Mg is given for the arrhythmia is"
            " the emergency team's decision: torsades responds to IV Mg whatever the serum level. Check renal"
            " function; IV calcium is the antidote for Mg toxicity."
        )
        because.append(f"arrhythmia symptom: {plain_list(s for s in data.symptoms if s in ARRHYTHMIA_SYMPTOMS)}")
        references.extend(TORSADES_ANY_LEVEL_SOURCES)
    elif unit_may_be_low:
        confirm = "Confirm the unit in parallel" if data.urgent_symptoms else "Confirm the unit first"
        text = (
            f"If the unit is right, Mg {x} mmol/L is above the ULN: no Mg replacement; check renal function; IV"
            f" calcium is the antidote for Mg toxicity. {confirm} (see the unit check)."
        )
        because.append("the same number in another unit is not above the ULN (unit check)")
    else:
        text = f"Mg {x} mmol/L is above the ULN: withhold Mg; check renal function; IV calcium is the antidote."
    return Warning("hypermagnesemia", text, tuple(because), tuple(dict.fromkeys(references)))


def raised_target_mg_dl_text() -> str:
    """'0.82 mmol/L (2.0 mg/dL)': the raised target as the sources write it."""
    return f"{RAISED_TARGET_WORDS} mmol/L ({RAISED_TARGET_MG_DL:.1f} mg/dL)"
