"""Is the Mg result plausible as entered? The unit check, the age of the sample and a recent infusion
(PROTOCOL.md sections 2.1, 2.2 and 2.4; KNOWLEDGE.md section 9.2).

A number typed with the wrong unit is the commonest dangerous input error. The unit check reads the entered number
in each other accepted unit (its mmol/L value, CTCAE grade, whether it is above the ULN, and the route its level
alone would call for) and warns in exactly the cases the protocol lists. It never blocks the plan.
"""

from __future__ import annotations

from dataclasses import dataclass

from .inputs import AssessmentInput
from .results import UnitReading, Warning
from .severity import CTCAE_SOURCES, ULN_MMOL_L, grade_value
from .units import Analyte, Measurement, Unit, convert, fmt, magnesium_all_units

UNITS_IN_ORDER = (Unit.MMOL_L, Unit.MG_DL, Unit.MEQ_L)  # the order of `readings` (section 2.1)
TIER_NONE, TIER_ORAL, TIER_IV = "none", "oral", "iv"
TIER_WORDS = {TIER_NONE: "no replacement by level", TIER_ORAL: "oral tier", TIER_IV: "IV tier"}
UNIT_SOURCES = ("S53",)  # 1 mmol/L = 2.4305 mg/dL = 2 mEq/L
HYPERMAGNESEMIA_CAUSE_SOURCES = ("S35", "S55")  # true hypermagnesemia needs poor renal function or Mg given
CRITICAL_CALL_SOURCES = ("S26", "S27")  # US critical-call limits <= 0.4 and < 1.0 mg/dL

# Kinds of unit check (section 2.1's table).
P1, P1B, P2, P3, SITE = "P1", "P1b", "P2", "P3", "S"
# P2: an implausibly severe mg/dL reading is CTCAE grade 4 in mg/dL (< 0.7 mg/dL [S17]); P3: a real low mg/dL
# result of grade 2-3 (0.7 - < 1.2 mg/dL). Both bounds are the CTCAE mg/dL table's own.
P2_MG_DL_GRADE = 4
P3_MG_DL_GRADES = (2, 3)

STALE_AFTER_HOURS = 24  # Mg is checked daily while it is being replaced [S30, S101, K section 7]; open question 3
STALE_SOURCES = ("S30", "S101")
RECENT_IV_MIN_HOURS = 6  # a sample at least 6 h after the end of the infusion [S30]
RECENT_IV_SOURCES = ("S30",)


def reading_in(value: float, unit: Unit, lab_lln: Measurement | None) -> UnitReading:
    """The entered number taken as a `unit` value, graded in that unit exactly as section 3 grades an entry."""
    mmol = convert(Analyte.MAGNESIUM, value, unit, Unit.MMOL_L)
    above = mmol > ULN_MMOL_L
    grade = 0 if above else grade_value(value, unit, lab_lln)
    tier = TIER_NONE if grade == 0 else TIER_ORAL if grade == 1 else TIER_IV
    return UnitReading(unit=str(unit), mmol_per_l=mmol, ctcae_grade=grade, above_uln=above, tier=tier)


@dataclass(slots=True)  # built once per assessment, never changed: slotted for speed
class UnitCheck:
    kind: str
    first: bool  # shown as the first warning (else the last)
    entered: UnitReading
    readings: tuple[UnitReading, ...]  # the two other units, in the order mmol/L, mg/dL, mEq/L
    site_unit: Unit | None  # the site's laboratory unit when it differs from the entered one

    @property
    def below_lln(self) -> tuple[UnitReading, ...]:
        """The other readings that are low (P1: why the unit matters)."""
        return tuple(r for r in self.readings if r.ctcae_grade >= 1)


def _kind(mg: Measurement, entered: UnitReading, others: tuple[UnitReading, ...]) -> str | None:
    if entered.above_uln:
        if any(r.ctcae_grade >= 1 for r in others):
            return P1
        if any(not r.above_uln for r in others):  # within the reference range: grade 0 and not above the ULN
            return P1B
        return None  # every reading is above the ULN: the unit cannot change the management
    if mg.unit is Unit.MG_DL and entered.ctcae_grade == P2_MG_DL_GRADE:
        return P2
    if mg.unit is Unit.MEQ_L and entered.ctcae_grade >= 1:
        return P2  # every low mEq/L number is also a plausible mmol/L number of another grade [S53]
    if mg.unit is Unit.MG_DL and entered.ctcae_grade in P3_MG_DL_GRADES:
        return P3
    return None


def unit_check(data: AssessmentInput) -> UnitCheck | None:
    return check_unit(data.labs.magnesium, data.labs.magnesium_lln, data.site_magnesium_unit)


def check_unit(mg: Measurement, lln: Measurement | None, site: Unit | None) -> UnitCheck | None:
    """The unit check of one Mg result (section 2.1), from the result, the lab's LLN and the site's unit alone."""
    entered = reading_in(mg.value, mg.unit, lln)
    differs = site is not None and site is not mg.unit
    if mg.unit is Unit.MMOL_L and not entered.above_uln and not differs:
        return None  # the commonest entry: a mmol/L value up to the ULN raises no check (the table has no row for it)
    others = tuple(reading_in(mg.value, unit, lln) for unit in UNITS_IN_ORDER if unit is not mg.unit)
    kind = _kind(mg, entered, others) or (SITE if differs else None)
    if kind is None:
        return None
    same_unit_low = kind == P3 or (kind == P2 and mg.unit is Unit.MEQ_L and site is Unit.MEQ_L)
    first = differs or not same_unit_low
    return UnitCheck(kind, first, entered, others, site if differs else None)


def _grade_words(reading: UnitReading) -> str:
    return "above the ULN" if reading.above_uln else f"CTCAE grade {reading.ctcae_grade}"


def _other_words(reading: UnitReading) -> str:
    return f"{fmt(reading.mmol_per_l)} mmol/L ({_grade_words(reading)}: {TIER_WORDS[reading.tier]})"


def unit_check_warning(check: UnitCheck, data: AssessmentInput) -> Warning:
    return unit_check_text(check, data.labs.magnesium, urgent=bool(data.urgent_symptoms))


def unit_check_text(check: UnitCheck, mg: Measurement, *, urgent: bool) -> Warning:
    entered = check.entered
    if mg.unit is Unit.MMOL_L:
        opening = f"Unit check: Mg {fmt(mg.value)} mmol/L ({_grade_words(entered)})."
    else:
        opening = f"Unit check: Mg {mg.show()} is {fmt(entered.mmol_per_l)} mmol/L ({_grade_words(entered)})."
    first, *rest = check.readings
    sentences = [
        opening,
        f"The same number in {first.unit} would be {_other_words(first)}"
        + "".join(f"; in {r.unit} would be {_other_words(r)}" for r in rest)
        + ".",
    ]
    references = [*UNIT_SOURCES, *CTCAE_SOURCES]
    if check.site_unit is not None:
        sentences.append(f"Your laboratory reports Mg in {check.site_unit}, but {mg.unit} was entered.")
    if urgent:
        pass  # the urgent sentence comes later, and "before acting" never appears
    elif not check.first:  # a real low result in the unit the laboratory reports: checked, not doubted
        sentences.append("Confirm the unit on the lab report.")
    else:
        sentences.append("Confirm the unit on the lab report before acting on this plan.")
    if check.kind == P1:
        sentences.append("True hypermagnesemia is uncommon unless renal function is poor or Mg was given.")
        references.extend(HYPERMAGNESEMIA_CAUSE_SOURCES)
    mmol_reading = next((r for r in check.readings if r.unit == Unit.MMOL_L), None)
    if check.kind == P3 and mmol_reading is not None and mmol_reading.ctcae_grade == 0:
        status = "above the ULN" if mmol_reading.above_uln else "normal"
        sentences.append(
            f"If your laboratory reports mmol/L, this is {fmt(mmol_reading.mmol_per_l)} mmol/L ({status}):"
            " give no IV Mg."
        )
    if urgent:
        sentences.append("Treat per the local emergency protocol now; confirm the unit in parallel.")
    if check.kind == P2 and mg.unit is Unit.MEQ_L:
        sentences.append("mEq/L is twice the mmol/L number; most labs report mmol/L or mg/dL.")
    if check.kind == P2 and mg.unit is Unit.MG_DL:
        references.extend(CRITICAL_CALL_SOURCES)
    return Warning(
        "unit_check",
        " ".join(sentences),
        (
            f"Mg entered as {mg.show()} = {magnesium_all_units(entered.mmol_per_l, besides=mg.unit)}",
            _kind_because(check, mg),
        ),
        tuple(dict.fromkeys(references)),
        readings=check.readings,
    )


def _kind_because(check: UnitCheck, mg: Measurement) -> str:
    if check.kind == P1:
        low = ", ".join(f"{r.unit} (CTCAE grade {r.ctcae_grade})" for r in check.below_lln)
        return f"above the ULN as entered, but low when read as {low}"
    if check.kind == P1B:
        return "above the ULN as entered, but within the reference range in another unit"
    if check.kind == P2 and mg.unit is Unit.MG_DL:
        return f"{mg.show()} is CTCAE grade 4 in mg/dL, below the critical-call limits of most laboratories"
    if check.kind == P2:
        return "a low mEq/L value is also a plausible mmol/L value of another grade"
    if check.kind == P3:
        return f"{mg.show()} is a real low result where the lab reports mg/dL, but a low-normal one in mmol/L"
    return f"the site's laboratory reports Mg in {check.site_unit}, but {mg.unit} was entered"


def stale_result_warning(data: AssessmentInput) -> Warning | None:
    return stale_warning(data.labs.magnesium_age_hours, urgent=bool(data.urgent_symptoms))


def stale_warning(hours: float | None, *, urgent: bool) -> Warning | None:
    if hours is None or hours <= STALE_AFTER_HOURS:
        return None
    if urgent:
        action = "treat per the emergency protocol now and send a fresh level"
    else:
        action = "repeat it before acting on this plan"
    return Warning(
        "stale_result",
        f"The Mg result is {fmt(hours)} h old: {action}.",
        (f"Mg sample taken {fmt(hours)} h ago, more than {STALE_AFTER_HOURS} h",),
        STALE_SOURCES,
    )


def recent_iv_warning(data: AssessmentInput) -> Warning | None:
    if not data.magnesium_therapy.iv_magnesium_last_24h:
        return None
    return Warning(
        "recent_iv_magnesium",
        f"IV magnesium in the last 24 h: confirm the sample was drawn at least {RECENT_IV_MIN_HOURS} h after the end"
        " of the last infusion; a level taken during or just after an infusion overstates the body's stores and can"
        " lead to a missed or repeated course.",
        ("IV magnesium given in the last 24 h",),
        RECENT_IV_SOURCES,
    )


def result_warnings(
    mg: Measurement,
    *,
    lab_lln: Measurement | None = None,
    site_unit: Unit | None = None,
    age_hours: float | None = None,
    urgent: bool = False,
) -> tuple[Warning, ...]:
    """The warnings that depend on the Mg result alone (the unit check and the age of the sample), in the order an
    assessment lists them: for a caller that has a result but not a whole assessment (a CDS card without the
    transplant type and day)."""
    check = check_unit(mg, lab_lln, site_unit)
    stale = stale_warning(age_hours, urgent=urgent)
    found = [stale] if stale is not None else []
    if check is not None:
        found.insert(0 if check.first else len(found), unit_check_text(check, mg, urgent=urgent))
    return tuple(found)
