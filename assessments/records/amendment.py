"""A pharmacist's amended plan, checked with the clinical core's own limits, rates and reminders (issue 13).

Takes the saved input (contract JSON) and what the pharmacist entered (`Amendment`: the route; for IV the amount in
g of magnesium sulfate or mmol of magnesium, the final volume and the duration; for oral the mmol of elemental
magnesium per day and the number of doses), and returns an `AmendedPlan`: the amounts in both units, the rate and
the limit it is checked against, the protocol's own dose for this patient by that route, what is refused
(`problems`: faster than the maximum rate, stronger than the maximum concentration), what needs the pharmacist's
confirmation (`cautions`), one sentence built from the same numbers, and the reminders of the amended plan.

No clinical number is written here. Conversions, limits and rates are `assessments.clinical.dose`'s
(`MMOL_PER_GRAM`, `rate_mg_per_min`, `MAX_ADULT_RATE_MG_MIN`, `child_max_rate_mg_per_min`, the concentration
limits); the protocol's dose is `dose.plan_dose`; the reminders are `reminders.plan_reminders` run on the amended
route and dose. The core builds its `Context` inside `engine.assess` and exposes no way to run the reminder rules
on another plan, so `_context` below repeats the first half of `engine.assess`;
`tests/web/records/test_amendment.py` holds it to the engine (without an amendment, the same reminders for every
demo and teaching case). The lead is asked, in issue 13's report, for a core function that makes it unnecessary.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from assessments.clinical import RULESET_VERSION, parse_input
from assessments.clinical import dose as core_dose
from assessments.clinical.context import Context
from assessments.clinical.engine import PlanOverride, context_for, reminders_for_plan
from assessments.clinical.inputs import AssessmentInput
from assessments.clinical.results import Dose, Reminder
from assessments.clinical.route import IV, NONE, ORAL
from assessments.clinical.serialize import dose_to_json as dose_json
from assessments.clinical.serialize import reminder_to_json as reminder_json
from assessments.clinical.units import fmt
from assessments.clinical.wording import lowered
from assessments.labels import label

# What an amendment may set. The urgent bolus is not among them: its rate and dose are the local emergency
# protocol's (PROTOCOL.md section 5), not a pharmacist's sign-off.
ROUTES = (IV, ORAL, NONE)
GRAMS, MMOL = "g", "mmol"
TIMES_DAILY = {1: "once daily", 2: "twice daily", 3: "three times daily", 4: "four times daily"}
AMENDED_BECAUSE = "pharmacist amendment"


class NotAssessable(Exception):
    """The current rules refuse the saved input, so an amendment cannot be checked against them."""

    def __init__(self, errors: list[dict[str, str]]) -> None:
        super().__init__("The current rules refuse this saved input.")
        self.errors = errors


@dataclass(frozen=True)
class Amendment:
    """What the pharmacist entered; amounts as typed, with their unit."""

    route: str
    amount: float | None = None  # IV: in `amount_unit`
    amount_unit: str = GRAMS  # IV: "g" of magnesium sulfate or "mmol" of magnesium
    volume_ml: float | None = None  # IV: final volume after dilution
    duration_hours: float | None = None  # IV
    mmol_per_day: float | None = None  # oral: elemental magnesium
    doses_per_day: int | None = None  # oral

    def as_json(self) -> dict[str, Any]:
        if self.route == IV:
            return {
                "amount": self.amount,
                "amount_unit": self.amount_unit,
                "volume_ml": self.volume_ml,
                "duration_hours": self.duration_hours,
            }
        if self.route == ORAL:
            return {"mmol_per_day": self.mmol_per_day, "doses_per_day": self.doses_per_day}
        return {}


@dataclass(frozen=True)
class Check:
    """A refusal (`field`: the form field to fix) or a caution, with why and where from, like every output item."""

    text: str
    because: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    field: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {"text": self.text, "because": list(self.because), "references": list(self.references)}


@dataclass(frozen=True)
class AmendedPlan:
    entered: Amendment
    dose: Dose | None
    protocol_route: str  # the engine's route for this input, today
    protocol_dose: Dose | None  # the protocol's dose for this patient by the amended route
    problems: tuple[Check, ...]
    cautions: tuple[Check, ...]
    reminders: tuple[Reminder, ...]
    text: str
    ruleset: str = RULESET_VERSION
    route: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "route", self.entered.route)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_json(self) -> dict[str, Any]:
        """What the review keeps (`Review.amended_plan`) and the record shows: the contract's dose and reminder
        shapes, so that an amended plan reads like the engine's."""
        return {
            "ruleset": self.ruleset,
            "route": self.route,
            "entered": self.entered.as_json(),
            "dose": dose_json(self.dose),
            "text": self.text,
            "protocol_route": self.protocol_route,
            "protocol_dose": dose_json(self.protocol_dose),
            "cautions": [c.as_json() for c in self.cautions],
            "reminders": [reminder_json(r) for r in self.reminders],
        }


# --- The engine's facts for this input ------------------------------------------------------------------------------


def _facts(data: AssessmentInput) -> Context:
    """The engine's own facts for this input: its route decision, dose context and protocol dose."""
    return context_for(data)


def _amended(data: AssessmentInput, route: str, dose: Dose | None) -> PlanOverride:
    return PlanOverride(route=route, dose=dose, because=(AMENDED_BECAUSE,))


def reminders_for(data: AssessmentInput, *, route: str, dose: Dose | None) -> tuple[Reminder, ...]:
    """The core's reminders (PROTOCOL.md section 13) for this input with this plan."""
    return reminders_for_plan(data, _amended(data, route, dose))


def protocol_plan(data: AssessmentInput) -> tuple[str, Dose | None]:
    """The engine's own route and dose for this input (what `reminders_for` is checked against)."""
    facts = _facts(data)
    return facts.route, facts.dose


# --- The amended dose and its checks --------------------------------------------------------------------------------


def _iv_dose(entered: Amendment, dosing: core_dose.DoseContext) -> tuple[Dose, list[Check]]:
    amount, hours, volume = entered.amount, entered.duration_hours, entered.volume_ml
    assert amount is not None and hours is not None and volume is not None  # the form requires them for IV
    if entered.amount_unit == GRAMS:
        grams, mmol = amount, amount * core_dose.MMOL_PER_GRAM
    else:
        grams, mmol = core_dose.grams_from_mmol(amount), amount
    adult = dosing.adult
    rate = core_dose.rate_mg_per_min(grams, hours)
    if adult:
        max_rate = float(core_dose.MAX_ADULT_RATE_MG_MIN)
        rate_limit = f"at most {fmt(max_rate)} mg/min"
        rate_refs: tuple[str, ...] = ("S35",)
        max_percent = core_dose.MAX_ADULT_CONCENTRATION_PERCENT
        percent_refs: tuple[str, ...] = ("S35", "S36")
    else:
        weight = dosing.weight_kg
        max_rate = core_dose.child_max_rate_mg_per_min(weight)
        rate_limit = (
            f"at most {core_dose.CHILD_MAX_RATE_MG_KG_MIN} mg/kg/min and never above"
            f" {core_dose.MAX_ADULT_RATE_MG_MIN} mg/min: {fmt(max_rate)} mg/min for {fmt(weight)} kg"
        )
        rate_refs = ("S38", "S35")
        max_percent = core_dose.CHILD_CONCENTRATION_PERCENT
        percent_refs = ("S38",)
    percent = grams / volume * 100
    ml_50 = grams * core_dose.ML_50_PERCENT_PER_GRAM
    pump = core_dose.pump_rate_ml_per_h(volume, hours)
    text = (
        f"Magnesium sulfate {fmt(grams)} g ({fmt(mmol)} mmol Mg) IV. Draw up {fmt(ml_50)} mL of 50% and dilute in"
        f" {core_dose.DILUENT} to a final volume of {fmt(volume)} mL ({fmt(percent, 1)}%); give over"
        f" {core_dose.duration_words(hours)} at {fmt(pump, core_dose.PUMP_RATE_DECIMALS)} mL/h"
        f" ({fmt(rate, 0)} mg/min; {rate_limit})."
        " Never give 50% undiluted."
    )
    problems = []
    if rate > max_rate:
        problems.append(
            Check(
                f"{fmt(rate, 0)} mg/min is faster than the limit ({rate_limit}): give {fmt(grams)} g over at least"
                f" {_minutes_words(math.ceil(grams * 1000 / max_rate))}.",
                (f"{fmt(grams)} g over {core_dose.duration_words(hours)}",),
                rate_refs,
                field="duration_hours",
            )
        )
    if percent > max_percent:
        problems.append(
            Check(
                f"{fmt(percent, 1)}% is stronger than {max_percent}%: dilute {fmt(grams)} g to at least"
                f" {fmt(grams * 100 / max_percent)} mL.",
                (f"{fmt(grams)} g in {fmt(volume)} mL",),
                percent_refs,
                field="volume_ml",
            )
        )
    dose = Dose(
        text=text,
        because=(AMENDED_BECAUSE,),
        references=tuple(dict.fromkeys((*rate_refs, *percent_refs))),
        mmol=mmol,
        grams_mgso4=grams,
        ml_50_percent=ml_50,
        volume_ml=volume,
        duration_hours=hours,
        rate_mg_per_min=rate,
        max_rate_mg_per_min=max_rate,
        pump_rate_ml_per_h=pump,
        concentration_percent=percent,
    )
    return dose, problems


def _minutes_words(minutes: int) -> str:
    """Whole minutes as a nurse sets a pump: '34 min', '2 h', '1 h 40 min'."""
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h" + (f" {rest} min" if rest else "")


def _oral_dose(entered: Amendment) -> Dose:
    per_day, times = entered.mmol_per_day, entered.doses_per_day
    assert per_day is not None and times is not None  # the form requires them for oral
    per_dose = per_day / times
    how_often = TIMES_DAILY.get(times, f"{times} times daily")
    return Dose(
        text=(
            f"{fmt(per_day)} mmol elemental Mg per day in {times} divided doses with food, i.e. {fmt(per_dose)} mmol"
            f" {how_often}; reduce the dose if diarrhea develops."
        ),
        because=(AMENDED_BECAUSE,),
        references=(),
        mmol_per_day_min=per_day,
        mmol_per_day_max=per_day,
        mmol_per_dose_min=per_dose,
        mmol_per_dose_max=per_dose,
        start_mmol_per_day=per_day,
        doses_per_day=times,
    )


def _child_iv_problems(dose: Dose, dosing: core_dose.DoseContext) -> list[Check]:
    """A child's IV dose has a stated maximum (section 5): with renal function known and the dose not halved, the
    largest it names is Perth Children's Hospital's 0.4 mmol/kg, at most 20 mmol [S39]; otherwise the protocol's own
    regimen, 0.2 mmol/kg at most 8 mmol (under 12) or 20 mmol (12-17 y), halved with the dose [S38, S30], since a
    halved or first-dose-only plan never offers the alternative. An amendment above it is refused, as an adult's
    faster than 150 mg/min is: 20 mmol for a 22.5 kg child (0.9 mmol/kg) was accepted with a tick."""
    if dosing.adult:
        return []
    weight, mmol = dosing.weight_kg, dose.mmol
    assert mmol is not None  # an IV amendment always has its amount
    if not dosing.halve and not dosing.renal.unknown:
        per_kg, cap, sources = core_dose.PMH_PER_KG_MMOL, core_dose.PMH_CAP_MMOL, core_dose.PMH_SOURCES
        which = "Perth Children's Hospital's alternative"
    else:
        regimen = core_dose.child_iv_regimen(dosing.data.patient)
        per_kg, cap = regimen.per_kg_mmol * dosing.factor, regimen.cap_mmol * dosing.factor
        sources = (*regimen.sources, "S30") if dosing.halve else regimen.sources
        why = "halved for renal function" if dosing.halve else "as renal function is unknown"
        which = f"the protocol's dose, {why}"
    ceiling = min(per_kg * weight, cap)
    if round(mmol, 2) <= round(ceiling, 2):  # as both are shown
        return []
    grams = _most_grams_within(ceiling)
    # Said only when the grams differ from the ceiling's own, rounded to 0.01 g (2.21 g for 9 mmol, not 2.22).
    rounded = ", rounded down to stay within it" if grams < round(core_dose.grams_from_mmol(ceiling), 2) else ""
    # The arithmetic as it reads: "0.2 mmol/kg × 20 kg = 4 mmol (never above 8 mmol)", or, when the cap binds,
    # "0.4 mmol/kg × 60 kg = 24 mmol, capped at 20 mmol" (a tester read "at most 8 mmol = 4 mmol" as a contradiction).
    product = per_kg * weight
    arithmetic = f"{fmt(per_kg)} mmol/kg × {fmt(weight)} kg = {fmt(product)} mmol"
    arithmetic += f", capped at {fmt(cap)} mmol" if cap < product else f" (never above {fmt(cap)} mmol)"
    return [
        Check(
            f"{fmt(mmol)} mmol is above the most a child's IV dose may be ({which}: {arithmetic}): give at most"
            f" {fmt(ceiling)} mmol ({fmt(grams)} g{rounded}).",
            (f"{fmt(mmol)} mmol for {fmt(weight)} kg = {fmt(mmol / weight)} mmol/kg",),
            sources,
            field="amount",
        )
    ]


def _adult_iv_problems(dose: Dose, dosing: core_dose.DoseContext) -> list[Check]:
    """An adult's single amended infusion may not exceed the protocol's most for a whole course: 40 g MgSO4 over 5
    days [S36], 20 g when the dose is halved [S30, S35] (section 5, grade 3-4). Below that, an amount above the
    protocol's is a caution to confirm; above it, nothing the protocol names comes near, so it is refused (an
    independent tester recorded 200 g, 812 mmol, over 24 h with one tick). No amount is suggested instead."""
    if not dosing.adult:
        return []
    grams = dose.grams_mgso4
    assert grams is not None  # an IV amendment always has its amount
    most = core_dose.CONTINUATION_MAX_G / (2 if dosing.halve else 1)
    if round(grams, 2) <= most:
        return []
    halved = ", halved" if dosing.halve else ""
    sources = ("S36", "S30", "S35") if dosing.halve else ("S36",)
    return [
        Check(
            f"{fmt(grams)} g MgSO4 ({fmt(dose.mmol)} mmol) in one infusion is more than the protocol's most for a"
            f" whole 5-day course{halved}, {fmt(most)} g ({fmt(most * core_dose.MMOL_PER_GRAM)} mmol): check the"
            " amount and its unit.",
            (f"{fmt(grams)} g in one infusion against {fmt(most)} g over 5 days",),
            sources,
            field="amount",
        )
    ]


def _most_grams_within(ceiling_mmol: float) -> float:
    """The most grams, to 0.01 g, accepted under `ceiling_mmol` by the check above (the mmol as shown, 2 decimals):
    never more ("give at most 0.99 g" for 4 mmol would be 4.02 mmol, itself refused), and not less than that either
    (2.8 mmol is 0.69 g, as the protocol's own dose says it, not 0.68 g: a second tester typed 0.69 g, was accepted
    and told 0.68 g)."""
    grams = math.floor(core_dose.grams_from_mmol(ceiling_mmol) * 100) / 100
    while round((grams + 0.01) * core_dose.MMOL_PER_GRAM, 2) <= round(ceiling_mmol, 2):
        grams = round(grams + 0.01, 2)
    return grams


def _oral_problems(dose: Dose, dosing: core_dose.DoseContext) -> list[Check]:
    """A child under 12's oral dose has a stated maximum (section 5: at most 8 mmol per dose, halved with the dose
    for renal function [S38]): an amendment above it is refused, as an IV one faster or stronger than its limits."""
    if not dosing.data.patient.is_under_12:
        return []  # the adult (and 12-17 y) oral dose is a range, not a maximum: above it is a caution to confirm
    cap = core_dose.CHILD_ORAL_UNDER_12.cap_mmol * dosing.factor
    per_dose, times = dose.mmol_per_dose_max, dose.doses_per_day
    assert per_dose is not None and times is not None  # an oral amendment always has both
    if per_dose <= cap:
        return []
    halved = ", halved for renal function" if dosing.halve else ""
    return [
        Check(
            f"{fmt(per_dose)} mmol a dose is above the limit for a child under 12 (at most {fmt(cap)} mmol a dose"
            f"{halved}): give at most {fmt(cap * times)} mmol a day in {times} doses.",
            (f"{fmt(dose.mmol_per_day_max)} mmol a day in {times} doses",),  # type: ignore[arg-type]
            core_dose.CHILD_ORAL_UNDER_12.sources,
            field="mmol_per_day",
        )
    ]


def _above_protocol(dose: Dose, protocol: Dose | None, route: str) -> Check | None:
    """A caution when the amended amount is above the protocol's dose for this patient by the same route."""
    if protocol is None:
        return None
    halved = "; halved for renal function" if protocol.renal_adjusted else ""
    # Compared as both are shown (2 decimals), as the ceiling is: 0.69 g typed for the protocol's "2.8 mmol (0.69 g)"
    # is 2.8014 mmol, which is the protocol's dose as written, not above it.
    above_iv = dose.mmol is not None and protocol.mmol is not None and round(dose.mmol, 2) > round(protocol.mmol, 2)
    if route == IV and above_iv:
        words = f"{fmt(protocol.grams_mgso4)} g ({fmt(protocol.mmol)} mmol)"  # type: ignore[arg-type]
        return Check(
            f"Above the protocol's IV dose for this patient, {words}{halved}: confirm the amount.",
            protocol.because,
            protocol.references,
        )
    if route != ORAL:
        return None
    if protocol.mmol_per_day_max is not None and dose.mmol_per_day_max > protocol.mmol_per_day_max:  # type: ignore[operator]
        words = f"{fmt(protocol.mmol_per_day_max)} mmol per day"
    elif protocol.mmol_per_day_max is None and protocol.mmol is not None and dose.mmol_per_dose_max > protocol.mmol:  # type: ignore[operator]
        words = f"{fmt(protocol.mmol)} mmol per dose"  # a child under 12: per kg, per dose (section 5)
    else:
        return None
    return Check(
        f"Above the protocol's oral dose for this patient, {words}{halved}: confirm the amount.",
        protocol.because,
        protocol.references,
    )


def _cautions(
    facts: Context, entered: Amendment, dose: Dose | None, protocol: Dose | None, problems: list[Check]
) -> list[Check]:
    """What the pharmacist confirms. An amount already refused says what to give; "above the protocol's dose" beside
    it would state the same mmol a second time in other grams (0.98 g rounded down, 0.99 g rounded)."""
    cautions = []
    decision, renal = facts.decision, facts.dosing.renal
    if entered.route != decision.route:
        cautions.append(
            Check(
                f"The protocol's route is {lowered(label('route', decision.route))}, not"
                f" {lowered(label('route', entered.route))}: confirm the change of route.",
                decision.because,
                decision.references,
            )
        )
    if dose is not None:
        refused_amount = any(problem.field == "amount" for problem in problems)
        above = None if refused_amount else _above_protocol(dose, protocol, entered.route)
        if above is not None:
            cautions.append(above)
        if renal.below_15:
            cautions.append(Check(renal.severe_prefix.rstrip(":") + ".", renal.because, ("S30", "S35")))
        elif renal.unknown:
            text = core_dose.first_dose_only(renal)
            # Why is in the sentence itself ("... (serum creatinine was given, but height is not ...)"): not twice.
            cautions.append(Check(text, tuple(b for b in renal.because if b not in text), ("S30",)))
    return cautions


def amended_plan(*, data: dict[str, Any], entered: Amendment) -> AmendedPlan:
    """Check an amendment against the saved input with the current rules. Raises NotAssessable when they refuse
    the input."""
    parsed = parse_input(data)
    if parsed.input is None:
        raise NotAssessable([{"field": e.field, "message": e.message} for e in parsed.errors])
    facts = _facts(parsed.input)
    problems: list[Check] = []
    dose: Dose | None = None
    if entered.route == IV:
        dose, problems = _iv_dose(entered, facts.dosing)
        problems += _child_iv_problems(dose, facts.dosing) + _adult_iv_problems(dose, facts.dosing)
        text = dose.text
    elif entered.route == ORAL:
        dose = _oral_dose(entered)
        problems = _oral_problems(dose, facts.dosing)
        text = dose.text
    else:
        text = "No magnesium replacement."
    protocol = core_dose.plan_dose(entered.route, facts.dosing) if entered.route != NONE else None
    return AmendedPlan(
        entered=entered,
        dose=dose,
        protocol_route=facts.decision.route,
        protocol_dose=protocol,
        problems=tuple(problems),
        cautions=tuple(_cautions(facts, entered, dose, protocol, problems)),
        reminders=reminders_for_plan(parsed.input, _amended(parsed.input, entered.route, dose)),
        text=text,
    )
