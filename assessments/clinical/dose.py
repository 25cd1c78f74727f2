"""Dose (PROTOCOL.md section 5): adult and pediatric regimens, renal halving, dilution, rate and wording.

Takes the route, the CTCAE grade, the patient, the renal status and whether Mg is below the target; returns a
`Dose` (None for route `none`). The amounts are computed first (`_iv_amount`, `_oral_amount`); the text is then
written from those same numbers (`_iv_text`, `_oral_text`), so a sentence can never state an amount that the
structured fields do not hold. Salt: magnesium sulfate heptahydrate, 4.06 mmol Mg per gram; 50% = 0.5 g/mL [S35].
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

from .inputs import AssessmentInput, Patient
from .renal import HALVE_BELOW_ML_MIN, RenalStatus
from .renal import SOURCES as RENAL_SOURCES
from .results import Dose
from .route import IV, NONE, ORAL
from .units import fmt
from .wording import capitalized, lowered

MMOL_PER_GRAM = 4.06  # MgSO4.7H2O [S35]
ML_50_PERCENT_PER_GRAM = 2.0  # 50% = 500 mg/mL [S35]
MAX_ADULT_RATE_MG_MIN = 150  # every non-urgent adult IV dose [S35]
MAX_ADULT_CONCENTRATION_PERCENT = 20  # adults: dilute to 20% or weaker [S35, S36]
CHILD_CONCENTRATION_PERCENT = 10  # children: dilute to 10% [S38]
CHILD_MAX_RATE_MG_KG_MIN = 10  # children: at most 10 mg/kg/min of MgSO4 [S38], never above the adult limit
RENAL_FACTOR = 0.5  # halve every non-urgent dose below 30 mL/min [S30, S29]
DILUENT = "sodium chloride 0.9% or glucose 5%"  # [S31]
LEVEL_AFTER_INFUSION_HOURS = 6  # further doses guided by the level 6 h after the end of the infusion [S30]
DOSE_SOURCES = ("S35",)


@dataclass(frozen=True)
class AdultIvRegimen:
    """Adult IV regimens are set in grams of MgSO4 with a fixed final volume (unchanged when halved)."""

    grams: float
    volume_ml: float
    hours: float
    sources: tuple[str, ...]


@dataclass(frozen=True)
class PerKgRegimen:
    """Pediatric regimens are set in mmol per kg, capped; IV ones are diluted to 10% and run over `hours`."""

    per_kg_mmol: float
    cap_mmol: float
    sources: tuple[str, ...]
    hours: float | None = None  # None: oral


@dataclass(frozen=True)
class OralDayRegimen:
    mmol_per_day: tuple[float, float]
    start_mmol_per_day: float
    sources: tuple[str, ...]
    doses_per_day: int = 3


ADULT_ORAL = OralDayRegimen((12, 24), 12, ("S31", "S29", "S30"))  # the 12-17 y oral dose too [S38]
ORAL_TABLET_MMOL = 4  # magnesium glycerophosphate 4 mmol tablets [S38, S73]
ORAL_LIQUID_MMOL_PER_ML = 1  # magnesium glycerophosphate liquid 5 mmol/5 mL [S38, S73]
ORAL_PRODUCT_SOURCES = ("S38", "S73")
ADULT_IV_GRADE_0_1 = AdultIvRegimen(4, 250, 4, ("S42", "S43"))
ADULT_IV_GRADE_2_4 = AdultIvRegimen(5, 500, 3, ("S31", "S33", "S36"))
ADULT_BOLUS = AdultIvRegimen(2, 100, 0.25, ("S33", "S89"))
BOLUS_REPEATS = 1  # may be repeated once, so the bolus total is at most 4 g [S33]
# Grade 2: NHS Highland gives 3 doses 12-hourly below 0.5 mmol/L [S101]; eGFR < 30: half doses, check Mg 6 h after
# the 2nd dose, before the 3rd [S30] (m24, r2-m11).
NHS_DOSES, NHS_INTERVAL_HOURS, NHS_BELOW_MMOL_L = 3, 12, 0.5
NHS_SOURCES = ("S101", "S30")
# Grade 3-4: then 5 g per day guided by levels, at most 40 g over 5 days [S36]; the SmPC rounds 40 g to 160 mmol [S35].
CONTINUATION_G_PER_DAY = 5
CONTINUATION_MAX_G = 40
CONTINUATION_DAYS = 5
SMPC_CONTINUATION_MMOL = 160
CONTINUATION_SOURCES = ("S36", "S30", "S35")

CHILD_ORAL_UNDER_12 = PerKgRegimen(0.2, 8, ("S38",))  # three times daily, with food
CHILD_ORAL_DOSES_PER_DAY = 3  # [S38]
CHILD_IV_UNDER_12 = PerKgRegimen(0.2, 8, ("S38",), hours=3)
CHILD_IV_12_17 = PerKgRegimen(0.2, 20, ("S38", "S39"), hours=3)  # PMH's cap [S39]
CHILD_BOLUS = PerKgRegimen(0.2, 8, ("S38",), hours=0.25)  # at most 8 mmol = the adult 2 g bolus
CHILD_REPEAT_HOURS = 12  # 12-hourly as needed [S38]
PMH_PER_KG_MMOL, PMH_CAP_MMOL = 0.4, 20  # Perth Children's Hospital's alternative [S39]
PMH_SOURCES = ("S39",)

ALL_ADULT_IV = (ADULT_IV_GRADE_0_1, ADULT_IV_GRADE_2_4, ADULT_BOLUS)
ALL_CHILD_IV = (CHILD_IV_UNDER_12, CHILD_IV_12_17, CHILD_BOLUS)


def times_daily(doses: int) -> str:
    """3 -> 'three times daily': how often an oral dose is given, in the words a prescription uses."""
    return {1: "once daily", 2: "twice daily", 3: "three times daily", 4: "four times daily"}[doses]


def grams_from_mmol(mmol: float) -> float:
    return mmol / MMOL_PER_GRAM


def rate_mg_per_min(grams: float, duration_hours: float) -> float:
    return grams * 1000 / (duration_hours * 60)


# The pump rate as a pump is set, to 0.1 mL/h: the field and the sentence state the same figure (a display
# convention of this app, not a clinical number; PROTOCOL.md gives no pump rate).
PUMP_RATE_DECIMALS = 1


def pump_rate_ml_per_h(volume_ml: float, hours: float) -> float:
    return round(volume_ml / hours, PUMP_RATE_DECIMALS)


def child_max_rate_mg_per_min(weight_kg: float) -> float:
    return min(CHILD_MAX_RATE_MG_KG_MIN * weight_kg, MAX_ADULT_RATE_MG_MIN)


@dataclass(slots=True)  # built once per assessment, never changed: slotted for speed
class DoseContext:
    data: AssessmentInput
    grade: int
    renal: RenalStatus
    below_target: bool
    heart_block: bool
    because: tuple[str, ...]

    @property
    def adult(self) -> bool:
        return self.data.patient.is_adult

    @property
    def weight_kg(self) -> float:
        # Children always have a weight (parser); adult doses never use it.
        return self.data.patient.weight_kg  # type: ignore[return-value]

    @property
    def halve(self) -> bool:
        return self.renal.below_30

    @property
    def factor(self) -> float:
        return RENAL_FACTOR if self.halve else 1.0


def plan_dose(route: str, ctx: DoseContext) -> Dose | None:
    if route == NONE:
        return None
    if route == ORAL:
        return _oral(ctx)
    if route == IV:
        return _iv(ctx, ctx.grade, urgent=False)
    # iv_urgent: the bolus is never halved. The regimen of the grade follows only while Mg is below the target and
    # the renal function is known (otherwise the first dose only, section 5).
    follow_on = None
    if ctx.below_target and not ctx.renal.unknown:
        follow_on = _iv(ctx, ctx.grade, urgent=True)
    return _bolus(ctx, follow_on)


# --- amounts -------------------------------------------------------------------------------------------------


@dataclass(slots=True)  # built once per assessment, never changed: slotted for speed
class IvAmount:
    grams: float
    mmol: float
    volume_ml: float
    hours: float
    max_rate_mg_per_min: float
    per_kg_mmol: float | None = None
    mmol_before_cap: float | None = None
    cap_mmol: float | None = None

    @property
    def ml_50_percent(self) -> float:
        return self.grams * ML_50_PERCENT_PER_GRAM

    @property
    def rate_mg_per_min(self) -> float:
        return rate_mg_per_min(self.grams, self.hours)

    @property
    def pump_rate_ml_per_h(self) -> float:
        return pump_rate_ml_per_h(self.volume_ml, self.hours)

    @property
    def concentration_percent(self) -> float:
        return self.grams / self.volume_ml * 100

    @property
    def capped(self) -> bool:
        return self.mmol_before_cap is not None and self.mmol_before_cap > self.mmol


def _iv_amount(regimen: AdultIvRegimen | PerKgRegimen, ctx: DoseContext, factor: float) -> IvAmount:
    if isinstance(regimen, AdultIvRegimen):
        grams = regimen.grams * factor
        return IvAmount(grams, grams * MMOL_PER_GRAM, regimen.volume_ml, regimen.hours, MAX_ADULT_RATE_MG_MIN)
    per_kg, cap = regimen.per_kg_mmol * factor, regimen.cap_mmol * factor
    before_cap = per_kg * ctx.weight_kg
    mmol = min(before_cap, cap)
    grams = grams_from_mmol(mmol)
    return IvAmount(
        grams,
        mmol,
        grams * 100 / CHILD_CONCENTRATION_PERCENT,
        regimen.hours,  # type: ignore[arg-type]
        child_max_rate_mg_per_min(ctx.weight_kg),
        per_kg_mmol=per_kg,
        mmol_before_cap=before_cap,
        cap_mmol=cap,
    )


def _iv_regimen(ctx: DoseContext, grade: int) -> AdultIvRegimen | PerKgRegimen:
    if ctx.adult:
        return ADULT_IV_GRADE_2_4 if grade >= 2 else ADULT_IV_GRADE_0_1
    return child_iv_regimen(ctx.data.patient)


def child_iv_regimen(patient: Patient) -> PerKgRegimen:
    """A child's IV regimen by age: the cap is 8 mmol under 12 and 20 mmol at 12-17 y (section 5)."""
    return CHILD_IV_UNDER_12 if patient.is_under_12 else CHILD_IV_12_17


# --- wording -------------------------------------------------------------------------------------------------


def duration_words(hours: float) -> str:
    return f"{fmt(hours * 60)} min" if hours < 1 else f"{fmt(hours)} h"


def per_kg_words(amount: IvAmount | OralPerKg, weight_kg: float) -> str:
    """'0.2 mmol/kg x 50 kg = 10 mmol', or '... = 12.4 mmol, capped at 8 mmol' when the cap binds (m1)."""
    head = f"{fmt(amount.per_kg_mmol)} mmol/kg x {fmt(weight_kg)} kg"  # type: ignore[arg-type]
    if amount.capped:
        return f"{head} = {fmt(amount.mmol_before_cap)} mmol, capped at {fmt(amount.cap_mmol)} mmol"  # type: ignore[arg-type]
    return f"{head} = {fmt(amount.mmol)} mmol"


def _amount_words(amount: IvAmount, weight_kg: float) -> str:
    if amount.per_kg_mmol is None:
        return f"magnesium sulfate {fmt(amount.grams)} g ({fmt(amount.mmol)} mmol Mg)"
    return f"magnesium sulfate {per_kg_words(amount, weight_kg)} ({fmt(amount.grams)} g)"


def rate_shown(rate_mg_per_min: float) -> str:
    """A rate as every text writes it, in whole mg/min; the page's dose fields show it so too (the structured field
    keeps two decimals: 27.78 beside a sentence's 28 read as two different rates)."""
    return fmt(rate_mg_per_min, 0)


def limit_shown(max_rate_mg_per_min: float) -> str:
    """A rate limit as every text writes it: whole mg/min, rounded down, never up past 10 mg/kg/min."""
    return str(math.floor(max_rate_mg_per_min))


def _rate_limit_words(amount: IvAmount, weight_kg: float, *, bolus: bool) -> str:
    """The rate and its limit; an adult regimen (amounts not per kg) ignores the weight."""
    rate = f"{rate_shown(amount.rate_mg_per_min)} mg/min"
    adult = amount.per_kg_mmol is None
    if adult and bolus:
        return f"{rate}; the local emergency protocol sets the rate, and pulseless torsades may need it faster"
    if adult:
        return f"{rate}; at most {limit_shown(amount.max_rate_mg_per_min)} mg/min"
    w = fmt(weight_kg)
    if CHILD_MAX_RATE_MG_KG_MIN * weight_kg < MAX_ADULT_RATE_MG_MIN:
        limit = (
            f"at most {CHILD_MAX_RATE_MG_KG_MIN} mg/kg/min = {limit_shown(amount.max_rate_mg_per_min)} mg/min"
            f" for {w} kg"
        )
    else:
        limit = (
            f"at most {CHILD_MAX_RATE_MG_KG_MIN} mg/kg/min and never above {MAX_ADULT_RATE_MG_MIN} mg/min:"
            f" {limit_shown(amount.max_rate_mg_per_min)} mg/min for {w} kg"
        )
    return f"{rate}; {limit}" + ("; the local emergency protocol sets the rate" if bolus else "")


IvWords = tuple[str, str]  # a regimen's core around the halving clause: the amount; the rest of the sentence


def _iv_words(amount: IvAmount, weight_kg: float, *, bolus: bool) -> IvWords:
    """The amount, then what to draw up, the dilution, duration, pump rate and rate limit: one regimen's core."""
    return _amount_words(amount, weight_kg), (
        f"Draw up {fmt(amount.ml_50_percent)} mL of 50% and dilute in"
        f" {DILUENT} to a final volume of {fmt(amount.volume_ml)} mL ({fmt(amount.concentration_percent, 1)}%);"
        f" give over {duration_words(amount.hours)} at {fmt(amount.pump_rate_ml_per_h, PUMP_RATE_DECIMALS)} mL/h"
        f" ({_rate_limit_words(amount, weight_kg, bolus=bolus)}). Never give 50% undiluted."
    )


@cache  # of the rule set only: an adult regimen's amounts and words depend on it, the factor and the bolus alone
def _adult_iv(regimen: AdultIvRegimen, factor: float, bolus: bool) -> tuple[IvAmount, IvWords]:
    grams = regimen.grams * factor
    amount = IvAmount(grams, grams * MMOL_PER_GRAM, regimen.volume_ml, regimen.hours, MAX_ADULT_RATE_MG_MIN)
    return amount, _iv_words(amount, 0.0, bolus=bolus)  # no weight: adult amounts are not per kg


def _iv_regimen_words(
    regimen: AdultIvRegimen | PerKgRegimen, ctx: DoseContext, factor: float, *, bolus: bool
) -> tuple[IvAmount, IvWords]:
    """A regimen's amounts and its core words: an adult one's from the rule set, a child's for this weight."""
    if isinstance(regimen, AdultIvRegimen):
        return _adult_iv(regimen, factor, bolus)
    amount = _iv_amount(regimen, ctx, factor)
    return amount, _iv_words(amount, ctx.weight_kg, bolus=bolus)


def _iv_body(words: IvWords, ctx: DoseContext, *, halved: bool) -> str:
    """The amount, the halving when there is one, then the rest of the regimen's core."""
    amount_words, rest = words
    if halved:
        return f"{amount_words}, {ctx.renal.halving_reason}. {rest}"
    return f"{amount_words}. {rest}"


def first_dose_only(renal: RenalStatus) -> str:
    what = renal.unused_creatinine or f"no {renal.missing_words}"
    return f"First dose only, at full strength: further doses wait for renal function ({what})."


def _further_doses(ctx: DoseContext, grade: int, halved: bool) -> list[str]:
    """What follows the first IV dose: repeat interval, continuation or 'renal advice' (X1, m11, m24)."""
    renal = ctx.renal
    if renal.unknown:
        return [first_dose_only(renal)]
    if not ctx.adult:
        if renal.below_15:
            return ["A further dose only after a level and renal advice."]
        text = f"{CHILD_REPEAT_HOURS}-hourly as needed"
        if not halved:
            text += (
                f" (Perth Children's Hospital uses {fmt(PMH_PER_KG_MMOL)} mmol/kg, at most {fmt(PMH_CAP_MMOL)} mmol)"
            )
        return [text + "."]
    if grade < 2:
        return []
    if renal.below_15:
        return ["No further dose without a level and renal advice."]
    if halved:
        nhs = (
            f"NHS Highland, eGFR < {HALVE_BELOW_ML_MIN}: half doses; check Mg {LEVEL_AFTER_INFUSION_HOURS} h after the"
            " 2nd dose, before the 3rd"
        )
    else:
        nhs = f"NHS Highland gives {NHS_DOSES} doses {NHS_INTERVAL_HOURS}-hourly below {fmt(NHS_BELOW_MMOL_L)} mmol/L"
    further = f"Further doses guided by the level {LEVEL_AFTER_INFUSION_HOURS} h after the end of the infusion ({nhs})"
    if grade < 3:
        return [further + "."]
    factor = ctx.factor if halved else 1.0
    per_day, total = CONTINUATION_G_PER_DAY * factor, CONTINUATION_MAX_G * factor
    smpc = f"; the SmPC rounds it to {SMPC_CONTINUATION_MMOL} mmol" if not halved else ""
    return [
        f"{further}; then {fmt(per_day)} g per day guided by levels, at most {fmt(total)} g MgSO4"
        f" ({fmt(total * MMOL_PER_GRAM, 0)} mmol{smpc}) over {CONTINUATION_DAYS} days."
    ]


def _prefixed(text: str, prefixes: list[str]) -> str:
    """'Only after senior review (heart block): renal advice first (...): magnesium sulfate ...' (sections 5, 11)."""
    if not prefixes:
        return capitalized(text)
    lead = " ".join([prefixes[0], *(lowered(p) for p in prefixes[1:])])
    return f"{lead} {lowered(text)}"


def _iv(ctx: DoseContext, grade: int, *, urgent: bool) -> Dose:
    """A non-urgent IV regimen: route `iv`, or the follow-on infusion of route `iv_urgent`."""
    regimen = _iv_regimen(ctx, grade)
    halved = ctx.halve
    amount, words = _iv_regimen_words(regimen, ctx, ctx.factor, bolus=False)
    prefixes = []
    if ctx.heart_block:
        prefixes.append("After senior review (heart block):" if urgent else "Only after senior review (heart block):")
    if ctx.renal.below_15:
        prefixes.append(ctx.renal.severe_prefix)
    parts = [_iv_body(words, ctx, halved=halved), *_further_doses(ctx, grade, halved)]
    if ctx.renal.sex_note:
        parts.append(capitalized(ctx.renal.sex_note) + ".")
    references = [*regimen.sources, *DOSE_SOURCES]
    if halved:
        references.extend(RENAL_SOURCES)
    if ctx.adult and grade >= 2:
        references.extend(NHS_SOURCES)
    if ctx.adult and grade >= 3 and not ctx.renal.unknown and not ctx.renal.below_15:
        references.extend(CONTINUATION_SOURCES)
    if not ctx.adult and not halved and not ctx.renal.unknown and not ctx.renal.below_15:
        references.extend(PMH_SOURCES)
    return _iv_dose(amount, ctx, _prefixed(" ".join(parts), prefixes), halved, references)


def _bolus(ctx: DoseContext, follow_on: Dose | None) -> Dose:
    regimen = ADULT_BOLUS if ctx.adult else CHILD_BOLUS
    amount, words = _iv_regimen_words(regimen, ctx, 1.0, bolus=True)  # never halved
    lead = "Reference regimen (the local emergency protocol takes precedence):"
    parts = [f"{lead} {_iv_body(words, ctx, halved=False)}"]
    if ctx.adult:
        total = regimen.grams * (1 + BOLUS_REPEATS)  # type: ignore[union-attr]
        parts.append(f"May be repeated once, so the bolus total is at most {fmt(total)} g.")
    if follow_on is None and ctx.renal.unknown:
        parts.append(first_dose_only(ctx.renal))
    elif follow_on is None:
        parts.append("No infusion follows: Mg is at or above the target.")
    references = [*regimen.sources, *DOSE_SOURCES]
    return _iv_dose(amount, ctx, " ".join(parts), False, references, follow_on)


def bolus_one_line(ctx: DoseContext) -> str:
    """The reference bolus in one line: 'MgSO4 2 g (8.12 mmol) IV in 100 mL over 15 min' (section 11); the same
    amounts as the bolus dose, for the adult regimen or this child's weight."""
    amount = _iv_amount(ADULT_BOLUS if ctx.adult else CHILD_BOLUS, ctx, 1.0)
    return (
        f"MgSO4 {fmt(amount.grams)} g ({fmt(amount.mmol)} mmol) IV in {fmt(amount.volume_ml)} mL over"
        f" {duration_words(amount.hours)}"
    )


def _iv_dose(
    amount: IvAmount,
    ctx: DoseContext,
    text: str,
    halved: bool,
    references: list[str],
    follow_on: Dose | None = None,
) -> Dose:
    because = list(ctx.because)
    if amount.per_kg_mmol is not None:
        because.append(f"weight {fmt(ctx.weight_kg)} kg")
    return Dose(
        text=text,
        because=tuple(dict.fromkeys(because)),
        references=tuple(dict.fromkeys(references)),
        renal_adjusted=halved,
        follow_on=follow_on,
        mmol=amount.mmol,
        grams_mgso4=amount.grams,
        ml_50_percent=amount.ml_50_percent,
        volume_ml=amount.volume_ml,
        duration_hours=amount.hours,
        rate_mg_per_min=amount.rate_mg_per_min,
        max_rate_mg_per_min=amount.max_rate_mg_per_min,
        pump_rate_ml_per_h=amount.pump_rate_ml_per_h,
        concentration_percent=amount.concentration_percent,
        per_kg_mmol=amount.per_kg_mmol,
        mmol_before_cap=amount.mmol_before_cap,
        weight_kg=ctx.weight_kg if amount.per_kg_mmol is not None else None,
    )


# --- oral ----------------------------------------------------------------------------------------------------


@dataclass(slots=True)  # built once per assessment, never changed: slotted for speed
class OralPerKg:
    per_kg_mmol: float
    mmol: float
    mmol_before_cap: float
    cap_mmol: float

    @property
    def capped(self) -> bool:
        return self.mmol_before_cap > self.mmol


@dataclass(slots=True)
class OralDay:
    """The 12-and-over oral regimen at full strength or halved: amounts and their words, from the rule set alone."""

    day_min: float
    day_max: float
    dose_min: float
    dose_max: float
    words: str  # the amounts, the doses and the product


def _oral_day(regimen: OralDayRegimen, halve: bool) -> OralDay:
    factor = RENAL_FACTOR if halve else 1.0
    day_min, day_max = (v * factor for v in regimen.mmol_per_day)
    dose_min, dose_max = day_min / regimen.doses_per_day, day_max / regimen.doses_per_day
    n = regimen.doses_per_day
    head = (
        f"{fmt(day_min)}-{fmt(day_max)} mmol elemental Mg per day in {n} divided doses with food, i.e."
        f" {fmt(dose_min)}-{fmt(dose_max)} mmol {times_daily(n)}"
    )
    if halve:
        ml_min, ml_max = dose_min / ORAL_LIQUID_MMOL_PER_ML, dose_max / ORAL_LIQUID_MMOL_PER_ML
        product = (
            f"(e.g. magnesium glycerophosphate liquid 5 mmol/5 mL, {fmt(ml_min)}-{fmt(ml_max)} mL {times_daily(n)};"
            f" one {ORAL_TABLET_MMOL} mmol tablet {times_daily(n)} is the upper end,"
            f" {fmt(ORAL_TABLET_MMOL * n)} mmol/day)"
        )
    else:
        product = (
            f"(e.g. magnesium glycerophosphate {ORAL_TABLET_MMOL} mmol tablets,"
            f" {fmt(dose_min / ORAL_TABLET_MMOL)}-{fmt(dose_max / ORAL_TABLET_MMOL)} tablets {times_daily(n)})"
        )
    return OralDay(day_min, day_max, dose_min, dose_max, f"{head} {product}")


# The oral regimen from 12 years, at full strength and halved: it depends on the rule set only, so worded once.
ADULT_ORAL_DAY = {halve: _oral_day(ADULT_ORAL, halve) for halve in (False, True)}


def _oral(ctx: DoseContext) -> Dose:
    patient = ctx.data.patient
    if patient.is_under_12:
        return _oral_per_kg(ctx)
    regimen, factor = ADULT_ORAL, ctx.factor
    day = ADULT_ORAL_DAY[ctx.halve]
    day_min, day_max, dose_min, dose_max = day.day_min, day.day_max, day.dose_min, day.dose_max
    still_low = ctx.data.magnesium_therapy.oral_current and ctx.below_target
    start = day_max if still_low else regimen.start_mmol_per_day * factor
    n = regimen.doses_per_day
    clauses = [day.words]
    if ctx.halve:
        clauses.append(ctx.renal.halving_reason)
    if still_low:
        clauses.append(
            f"already on oral Mg and still low: give the upper dose, {fmt(day_max)} mmol/day"
            f" ({fmt(dose_max)} mmol {times_daily(n)})"
        )
    if ctx.renal.unknown:
        clauses.append(lowered(first_dose_only(ctx.renal)).rstrip("."))
    elif still_low:
        pass  # the upper dose is the start (M9)
    elif ctx.halve:
        clauses.append(f"start at {fmt(start)} mmol/day")
    else:
        clauses.append(f"start at {fmt(start)} mmol/day and go to {fmt(day_max)} if still low at recheck")
    clauses.append("reduce the dose if diarrhea develops")
    text = "; ".join(clauses) + "."
    if ctx.renal.sex_note:
        text += f" {capitalized(ctx.renal.sex_note)}."
    prefixes = [ctx.renal.severe_prefix] if ctx.renal.below_15 else []
    references = [*regimen.sources, *ORAL_PRODUCT_SOURCES, *(RENAL_SOURCES if ctx.halve else ())]
    return Dose(
        text=_prefixed(text, prefixes),
        because=ctx.because,
        references=tuple(dict.fromkeys(references)),
        renal_adjusted=ctx.halve,
        mmol_per_day_min=day_min,
        mmol_per_day_max=day_max,
        mmol_per_dose_min=dose_min,
        mmol_per_dose_max=dose_max,
        start_mmol_per_day=start,
        doses_per_day=n,
    )


def _oral_per_kg(ctx: DoseContext) -> Dose:
    """Children under 12: 0.2 mmol/kg three times daily, at most 8 mmol per dose [S38]; the same dose when already
    on oral Mg (the fact base has no higher per-kg dose; step `check_oral_adherence`)."""
    regimen, factor = CHILD_ORAL_UNDER_12, ctx.factor
    per_kg, cap = regimen.per_kg_mmol * factor, regimen.cap_mmol * factor
    before_cap = per_kg * ctx.weight_kg
    amount = OralPerKg(per_kg, min(before_cap, cap), before_cap, cap)
    clauses = [f"{per_kg_words(amount, ctx.weight_kg)} per dose, {times_daily(CHILD_ORAL_DOSES_PER_DAY)} with food"]
    if ctx.halve:
        clauses.append(ctx.renal.halving_reason)
    if ctx.renal.unknown:
        clauses.append(lowered(first_dose_only(ctx.renal)).rstrip("."))
    clauses.append("reduce the dose if diarrhea develops")
    prefixes = [ctx.renal.severe_prefix] if ctx.renal.below_15 else []
    return Dose(
        text=_prefixed("; ".join(clauses) + ".", prefixes),
        because=(*ctx.because, f"weight {fmt(ctx.weight_kg)} kg"),
        references=tuple(dict.fromkeys((*regimen.sources, *(RENAL_SOURCES if ctx.halve else ())))),
        renal_adjusted=ctx.halve,
        mmol=amount.mmol,
        per_kg_mmol=per_kg,
        mmol_before_cap=before_cap,
        weight_kg=ctx.weight_kg,
        doses_per_day=CHILD_ORAL_DOSES_PER_DAY,
    )
