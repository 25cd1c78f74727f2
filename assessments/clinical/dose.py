"""Dose (PROTOCOL.md section 5): adult and pediatric regimens, renal halving, dilution and IV rate.

Takes the route, the CTCAE grade, the patient, the renal status and whether Mg is below the target; returns a
`Dose` (or None for route `none`) whose text always shows the dilution beside any volume of 50% solution.
Salt: magnesium sulfate heptahydrate, 4.06 mmol Mg per gram; 50% = 0.5 g/mL [S35].
"""

from __future__ import annotations

from dataclasses import dataclass

from .inputs import AssessmentInput, Condition
from .renal import HALVE_BELOW_ML_MIN, SEVERE_BELOW_ML_MIN, RenalStatus
from .renal import SOURCES as RENAL_SOURCES
from .results import Dose
from .route import IV, NONE, ORAL
from .units import fmt

MMOL_PER_GRAM = 4.06  # MgSO4.7H2O [S35]
ML_50_PERCENT_PER_GRAM = 2.0  # 50% = 500 mg/mL [S35]
MAX_NON_URGENT_RATE_MG_MIN = 150  # [S35]
MAX_ADULT_CONCENTRATION_PERCENT = 20  # dilute to 20% or weaker [S35, S36]
CHILD_CONCENTRATION_PERCENT = 10  # children: dilute to 10% [S38]
CHILD_URGENT_MAX_RATE_MG_KG_MIN = 10  # [S38]
RENAL_FACTOR = 0.5  # halve every non-urgent dose below 30 mL/min [S30, S29]
SEVERE_RENAL_CAP_G_PER_48H = 20  # label cap in severe renal insufficiency [S35]
DILUENT = "sodium chloride 0.9% or glucose 5%"  # [S31]


@dataclass(frozen=True)
class IvRegimen:
    """Adult regimens are set in grams; pediatric in mmol (per kg when `per_kg_mmol`)."""

    duration_hours: float
    sources: tuple[str, ...]
    grams: float | None = None
    volume_ml: float | None = None  # adults: the table's final volume; children: grams x 10 (10%)
    mmol: float | None = None
    per_kg_mmol: float | None = None
    cap_mmol: float | None = None
    note: str = ""


@dataclass(frozen=True)
class OralRegimen:
    sources: tuple[str, ...]
    mmol_per_day: tuple[float, float] | None = None
    per_kg_mmol: float | None = None
    cap_mmol: float | None = None
    note: str = ""


ADULT_ORAL = OralRegimen(
    ("S31", "S29"),
    mmol_per_day=(12, 24),
    note=(
        "in 3 divided doses with food, e.g. magnesium glycerophosphate 4 mmol tablets, 1-2 three times daily;"
        " start at the lower dose and go to the higher if still low at recheck"
    ),
)
ADULT_IV_GRADE_0_1 = IvRegimen(4, ("S42", "S43"), grams=4, volume_ml=250)
ADULT_IV_GRADE_2_4 = IvRegimen(3, ("S31", "S33", "S36"), grams=5, volume_ml=500)
ADULT_IV_URGENT = IvRegimen(
    0.25, ("S33", "S89"), grams=2, volume_ml=100, note="may be repeated once, so the bolus total is at most 4 g"
)
# Grade 3-4 continuation: then 5 g per day guided by levels, at most 40 g (160 mmol) over 5 days [S36, S33].
ADULT_CONTINUATION_G_PER_DAY = 5
ADULT_CONTINUATION_MAX_G = 40
ADULT_CONTINUATION_DAYS = 5
CONTINUATION_SOURCES = ("S36", "S33")

CHILD_ORAL_UNDER_12 = OralRegimen(("S38",), per_kg_mmol=0.2, cap_mmol=8, note="three times daily")
CHILD_ORAL_12_17 = OralRegimen(("S38",), mmol_per_day=(12, 24), note="as 4-8 mmol three times daily")
CHILD_IV_UNDER_12 = IvRegimen(
    3,
    ("S38", "S39"),
    per_kg_mmol=0.2,
    cap_mmol=8,
    note="12-hourly as needed (Perth Children's Hospital uses 0.4 mmol/kg, at most 20 mmol [S39])",
)
CHILD_IV_12_17 = IvRegimen(3, ("S38",), mmol=4, note="12-hourly as needed")
CHILD_IV_URGENT = IvRegimen(0.25, ("S38",), per_kg_mmol=0.2, cap_mmol=8)

ALL_IV_REGIMENS = (ADULT_IV_GRADE_0_1, ADULT_IV_GRADE_2_4, ADULT_IV_URGENT, CHILD_IV_UNDER_12, CHILD_IV_12_17)


def grams_from_mmol(mmol: float) -> float:
    return mmol / MMOL_PER_GRAM


def rate_mg_per_min(grams: float, duration_hours: float) -> float:
    return grams * 1000 / (duration_hours * 60)


@dataclass(frozen=True)
class DoseContext:
    data: AssessmentInput
    grade: int
    renal: RenalStatus
    below_target: bool
    because: tuple[str, ...]

    @property
    def halve(self) -> bool:
        return self.renal.below_30

    @property
    def weight_kg(self) -> float:
        # Children always have a weight (parser); adult IV doses are fixed and never use it.
        return self.data.patient.weight_kg  # type: ignore[return-value]


def plan_dose(route: str, ctx: DoseContext) -> Dose | None:
    if route == NONE:
        return None
    if route == ORAL:
        return _oral(ctx)
    if route == IV:
        return _iv(_iv_regimen(ctx, ctx.grade), ctx, halve=ctx.halve)
    # iv_urgent: the bolus is never halved; the regimen of the grade (at least grade 2) follows only while Mg is
    # below the target and the renal function is known.
    bolus = ADULT_IV_URGENT if ctx.data.patient.is_adult else CHILD_IV_URGENT
    if ctx.renal.unknown:
        return _iv(bolus, ctx, halve=False)
    if not ctx.below_target:
        return _iv(bolus, ctx, halve=False, after="no infusion follows: Mg is at or above the target")
    follow_on = _iv(_iv_regimen(ctx, max(ctx.grade, 2)), ctx, halve=ctx.halve, lead="Then ", emergency=True)
    return _iv(bolus, ctx, halve=False, follow_on=follow_on)


def _iv_regimen(ctx: DoseContext, grade: int) -> IvRegimen:
    patient = ctx.data.patient
    if patient.is_adult:
        return ADULT_IV_GRADE_2_4 if grade >= 2 else ADULT_IV_GRADE_0_1
    return CHILD_IV_UNDER_12 if patient.is_under_12 else CHILD_IV_12_17


def _renal_notes(ctx: DoseContext, *, halved: bool, bolus: bool) -> list[str]:
    """Renal caveats of one regimen; a bolus is never halved and its follow-on carries its own caveats."""
    notes = []
    renal = ctx.renal
    if halved:
        notes.append(
            f"halved because renal function is below {HALVE_BELOW_ML_MIN} mL/min (or AKI, dialysis, oliguria);"
            " avoid magnesium aspartate"
        )
    if renal.below_15 and not bolus:
        notes.append(
            f"renal function below {SEVERE_BELOW_ML_MIN} mL/min, dialysis or oliguria: no routine replacement"
            f" without renal advice; label cap {SEVERE_RENAL_CAP_G_PER_48H} g per 48 h"
        )
    if renal.unknown:
        notes.append(
            "first dose only, at full strength: further doses wait for renal function"
            f" (missing: {', '.join(renal.missing)})"
        )
    return notes


def _heart_block_note(ctx: DoseContext, urgent: bool) -> list[str]:
    if Condition.HEART_BLOCK not in ctx.data.conditions:
        return []
    return ["heart block: the local emergency protocol governs" if urgent else "heart block: only after senior review"]


def _iv(
    regimen: IvRegimen,
    ctx: DoseContext,
    *,
    halve: bool,
    lead: str = "",
    follow_on: Dose | None = None,
    after: str = "",
    emergency: bool = False,
) -> Dose:
    adult = ctx.data.patient.is_adult
    factor = RENAL_FACTOR if halve else 1.0
    per_kg = None
    if regimen.grams is not None:
        grams = regimen.grams * factor
        mmol = grams * MMOL_PER_GRAM
        volume = regimen.volume_ml
        amount = f"magnesium sulfate {fmt(grams)} g = {fmt(mmol)} mmol Mg"
    else:
        if regimen.per_kg_mmol is not None:
            per_kg = regimen.per_kg_mmol * factor
            cap = regimen.cap_mmol * factor  # type: ignore[operator]
            mmol = min(per_kg * ctx.weight_kg, cap)
            amount = (
                f"magnesium sulfate {fmt(per_kg)} mmol/kg x {fmt(ctx.weight_kg)} kg = {fmt(mmol)} mmol Mg"
                f" (at most {fmt(cap)} mmol)"
            )
        else:
            mmol = regimen.mmol * factor  # type: ignore[operator]
            amount = f"magnesium sulfate {fmt(mmol)} mmol Mg"
        grams = grams_from_mmol(mmol)
        volume = grams * 100 / CHILD_CONCENTRATION_PERCENT
        amount += f" ({fmt(grams)} g)"
    ml_50 = grams * ML_50_PERCENT_PER_GRAM
    concentration = grams / volume * 100  # type: ignore[operator]
    rate = rate_mg_per_min(grams, regimen.duration_hours)
    duration = (
        f"{fmt(regimen.duration_hours * 60)} min" if regimen.duration_hours < 1 else f"{fmt(regimen.duration_hours)} h"
    )
    urgent = regimen in (ADULT_IV_URGENT, CHILD_IV_URGENT)
    if urgent:
        lead = "Reference regimen (the local emergency protocol takes precedence): "
    if urgent and not adult:
        rate_text = f"{fmt(rate / ctx.weight_kg, 1)} mg/kg/min; at most {CHILD_URGENT_MAX_RATE_MG_KG_MIN} mg/kg/min"
    elif urgent:
        rate_text = f"{fmt(rate, 0)} mg/min"
    else:
        rate_text = f"{fmt(rate, 1)} mg/min; at most {MAX_NON_URGENT_RATE_MG_MIN} mg/min"
    head = f"{lead}{amount}"
    text = (
        f"{head[0].upper()}{head[1:]}: draw up {fmt(ml_50)} mL of 50% and dilute in {DILUENT} to a final volume of"
        f" {fmt(volume)} mL ({fmt(concentration, 1)}%), given over {duration} ({rate_text}). Never give 50% undiluted."
    )
    extras = [regimen.note] if regimen.note else []
    continuation = adult and ctx.grade >= 3 and not urgent and not ctx.renal.unknown
    if continuation and not ctx.renal.below_15:
        extras.append(
            f"then {ADULT_CONTINUATION_G_PER_DAY} g per day guided by levels, at most {ADULT_CONTINUATION_MAX_G} g"
            f" ({fmt(ADULT_CONTINUATION_MAX_G * MMOL_PER_GRAM, 0)} mmol) over {ADULT_CONTINUATION_DAYS} days"
        )
    elif continuation:
        extras.append("no daily continuation without a level and renal advice")
    extras += _renal_notes(ctx, halved=halve, bolus=urgent)
    extras += _heart_block_note(ctx, urgent or emergency)
    extras.append(after)
    text = _join(text, extras)
    if follow_on is not None:
        text += f" {follow_on.text}"
    references = [*regimen.sources, "S35", *(follow_on.references if follow_on else ())]
    if halve:
        references.extend(RENAL_SOURCES)
    if continuation:
        references.extend(CONTINUATION_SOURCES)
    because = list(ctx.because)
    if per_kg is not None:
        because.append(f"weight {fmt(ctx.weight_kg)} kg")
    return Dose(
        mmol=mmol,
        grams_mgso4=grams,
        ml_50_percent=ml_50,
        volume_ml=volume,
        duration_hours=regimen.duration_hours,
        per_kg_mmol=per_kg,
        mmol_per_day_min=None,
        mmol_per_day_max=None,
        renal_adjusted=halve,
        follow_on=follow_on,
        text=text,
        rate_mg_per_min=rate,
        concentration_percent=concentration,
        because=tuple(because),
        references=tuple(dict.fromkeys(references)),
    )


def _oral(ctx: DoseContext) -> Dose:
    patient = ctx.data.patient
    regimen = ADULT_ORAL if patient.is_adult else CHILD_ORAL_UNDER_12 if patient.is_under_12 else CHILD_ORAL_12_17
    factor = RENAL_FACTOR if ctx.halve else 1.0
    mmol = per_kg = day_min = day_max = None
    if regimen.mmol_per_day is not None:
        day_min, day_max = (v * factor for v in regimen.mmol_per_day)
        text = f"Oral magnesium {fmt(day_min)}-{fmt(day_max)} mmol elemental Mg per day {regimen.note}."
    else:
        per_kg = regimen.per_kg_mmol * factor  # type: ignore[operator]
        cap = regimen.cap_mmol * factor  # type: ignore[operator]
        mmol = min(per_kg * ctx.weight_kg, cap)
        text = (
            f"Oral magnesium {fmt(per_kg)} mmol/kg x {fmt(ctx.weight_kg)} kg = {fmt(mmol)} mmol per dose"
            f" (at most {fmt(cap)} mmol per dose), {regimen.note}, with food."
        )
    text = _join(text, _renal_notes(ctx, halved=ctx.halve, bolus=False))
    because = list(ctx.because)
    if per_kg is not None:
        because.append(f"weight {fmt(ctx.weight_kg)} kg")
    references = [*regimen.sources, *(RENAL_SOURCES if ctx.halve else ())]
    return Dose(
        mmol=mmol,
        grams_mgso4=None,
        ml_50_percent=None,
        volume_ml=None,
        duration_hours=None,
        per_kg_mmol=per_kg,
        mmol_per_day_min=day_min,
        mmol_per_day_max=day_max,
        renal_adjusted=ctx.halve,
        follow_on=None,
        text=text,
        rate_mg_per_min=None,
        concentration_percent=None,
        because=tuple(because),
        references=tuple(dict.fromkeys(references)),
    )


def _join(text: str, extras: list[str]) -> str:
    extras = [e for e in extras if e]
    if not extras:
        return text
    return f"{text} {'; '.join(e[0].upper() + e[1:] for e in extras)}."
