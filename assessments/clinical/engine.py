"""`assess()`: the one entry point. Takes a validated `AssessmentInput`, returns an `Assessment`.

The order below is the protocol's: reading and grade (section 3), the unit check (2.1), target (7), route (4),
renal function and dose (5), FEMg (9), causes (10), co-electrolytes and QTc (6, 8); then the warnings, steps (11) and
reminders (13) that depend on them. Each step is a pure function of what came before.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import RULESET_VERSION
from .causes import rank_causes, troughs_above_range
from .context import Context
from .dose import DoseContext, plan_dose
from .ecg import qt_drugs_warning, qt_prolonging_drugs, qtc_level, qtc_warning
from .electrolytes import calcium_status, electrolyte_warnings, potassium_mmol_l
from .femg import FEMG_SOURCES, femg, femg_because, femg_interpretation
from .inputs import AssessmentInput, Condition, Med
from .interactions import interaction_warnings, oral_interacting_drugs
from .plausibility import recent_iv_warning, stale_result_warning, unit_check, unit_check_warning
from .reminders import plan_reminders
from .renal import RenalStatus, renal_findings, renal_status
from .results import Assessment, Derived, Dose, Plan, Reminder, Warning
from .route import IV_URGENT, NONE, ORAL, RouteDecision, decide_route, symptoms_not_explained_warning
from .severity import (
    LLN_SOURCES,
    TARGET_SOURCES,
    ctcae_grade,
    hypermagnesemia_warning,
    magnesium_reading,
    severity,
    target,
)
from .steps import plan_steps
from .units import Unit, fmt

# Order in which warnings are listed (section 2.1 fixes only the unit check's place: first, or last for a real low
# result in the laboratory's own unit). A doubt about the number first, then the most urgent.
WARNING_ORDER = {
    wid: index
    for index, wid in enumerate(
        (
            "unit_check",
            "stale_result",
            "recent_iv_magnesium",
            "hypermagnesemia",
            "symptoms_not_explained_by_mg",
            "qtc_critical",
            "qtc_prolonged",
            "qt_prolonging_drugs",
            "digoxin_toxicity_risk",
            "renal_function_unknown",
            "severe_renal_impairment",
            "renal_dose_reduction",
            "hypermagnesemia_risk",
            "hyperkalemia",
            "potassium_sparing_with_cni",
            "replete_mg_before_k",
            "replete_mg_before_ca",
            "iv_mg_caution",
            "first_degree_av_block",
            "oral_mg_interaction",
        )
    )
}
LAST = len(WARNING_ORDER)


def _missing(data: AssessmentInput, renal: RenalStatus, route: str) -> tuple[str, ...]:
    """Optional inputs a rule needed and did not get (contract README, `missing`)."""
    missing: list[str] = []
    if route != NONE:
        missing += renal.missing
        labs = data.labs
        if labs.potassium is None:
            missing.append("labs.potassium")
        if labs.calcium_ionized is None and labs.calcium_total is None:
            missing.append("labs.calcium_ionized")
        elif labs.calcium_ionized is None and labs.albumin is None:
            missing.append("labs.albumin")
        if data.qtc_ms is None:
            missing.append("ecg.qtc_ms")
    missing += [
        f"immunosuppressants.{i}.trough"
        for i, item in enumerate(data.immunosuppressants)
        if item.trough is None and item.drug.is_cni
    ]
    missing += [
        f"medications.{i}.days"
        for i, m in enumerate(data.medications)
        if m.id is Med.PROTON_PUMP_INHIBITOR and m.days is None
    ]
    if data.nutrition.parenteral_nutrition and data.nutrition.pn_mg_mmol_per_kg_day is None:
        missing.append("nutrition.pn_mg_mmol_per_kg_day")
    return tuple(dict.fromkeys(missing))


@dataclass(frozen=True)
class PlanOverride:
    """A plan other than the protocol's (a pharmacist's amendment): its route, its dose and why."""

    route: str
    dose: Dose | None
    because: tuple[str, ...]


def context_for(data: AssessmentInput, plan: PlanOverride | None = None) -> Context:
    """The facts every rule reads. With `plan`, those of that plan in place of the protocol's route and dose, so that
    the reminders (section 13) follow the plan that will be given."""
    reading = magnesium_reading(data.labs.magnesium, data.labs.magnesium_lln)
    grade, grade_text = ctcae_grade(reading)
    goal = target(reading, data)
    decision = decide_route(data, reading, grade=grade, target=goal)
    renal = renal_status(data)
    dosing = DoseContext(
        data=data,
        grade=grade,
        renal=renal,
        below_target=reading.mmol_per_l < goal.mmol_per_l,
        heart_block=Condition.HEART_BLOCK in data.conditions,
        because=(*decision.because, *renal.because),
    )
    if plan is None:
        dose = plan_dose(decision.route, dosing)
    else:
        dose = plan.dose
        if plan.route != decision.route:
            decision = RouteDecision(route=plan.route, reasons=(), because=plan.because)
    route = decision.route
    femg_calc = femg(data)
    interpretation, not_interpretable = femg_interpretation(femg_calc.value if femg_calc else None, data, renal)
    above = troughs_above_range(data)
    level, level_because = qtc_level(data)
    renal_warnings, renal_step = renal_findings(
        renal,
        replacing=route != NONE,
        urgent=route == IV_URGENT,
        follow_on=dose is not None and dose.follow_on is not None,
    )
    return Context(
        data=data,
        reading=reading,
        grade=grade,
        grade_text=grade_text,
        target=goal,
        decision=decision,
        renal=renal,
        dose=dose,
        femg=femg_calc,
        femg_interpretation=interpretation,
        femg_reason=not_interpretable,
        causes=rank_causes(data, interpretation, above),
        troughs_above=above,
        calcium=calcium_status(data),
        potassium_mmol_l=potassium_mmol_l(data),
        qtc_level=level,
        qtc_because=level_because,
        qt_drugs=qt_prolonging_drugs(data),
        unit_check=unit_check(data),
        oral_interacting=oral_interacting_drugs(
            data, oral_magnesium=route == ORAL or data.magnesium_therapy.oral_current
        ),
        dosing=dosing,
        renal_warnings=tuple(renal_warnings),
        renal_step=renal_step,
    )


def reminders_for_plan(data: AssessmentInput, plan: PlanOverride) -> tuple[Reminder, ...]:
    """The reminders of section 13 for this input with `plan` given instead of the protocol's."""
    return plan_reminders(context_for(data, plan))


def assess(data: AssessmentInput) -> Assessment:
    ctx = context_for(data)
    decision, reading = ctx.decision, ctx.reading
    return Assessment(
        ruleset=RULESET_VERSION,
        magnesium=reading,
        severity=severity(
            reading,
            data,
            grade=ctx.grade,
            grade_text=ctx.grade_text,
            raised_target_route="raised_target" in decision.reasons,
        ),
        derived=_derived(ctx),
        causes=ctx.causes,
        plan=Plan(route=ctx.route, reasons=decision.reasons, dose=ctx.dose, steps=plan_steps(ctx)),
        warnings=_warnings(ctx),
        reminders=plan_reminders(ctx),
        missing=_missing(data, ctx.renal, ctx.route),
        magnesium_age_hours=data.labs.magnesium_age_hours,
    )


def _warnings(ctx: Context) -> tuple[Warning, ...]:
    data = ctx.data
    found: list[Warning | None] = [
        stale_result_warning(data),
        recent_iv_warning(data),
        hypermagnesemia_warning(ctx.reading, data, unit_may_be_low=ctx.unit_in_doubt),
        symptoms_not_explained_warning(
            data, ctx.mg_mmol_l, ctx.grade, ctx.target.mmol_per_l, unit_may_be_low=ctx.unit_may_be_low
        ),
        qtc_warning(ctx.qtc_level, ctx.qtc_because),
        qt_drugs_warning(ctx.qt_drugs, ctx.qtc_because) if ctx.qtc_level and ctx.qt_drugs else None,
        *ctx.renal_warnings,
        *electrolyte_warnings(ctx),
        *interaction_warnings(ctx),
    ]
    warnings = sorted((w for w in found if w is not None), key=lambda w: WARNING_ORDER[w.id])
    check = ctx.unit_check
    if check is not None:
        warning = unit_check_warning(check, data)
        warnings.insert(0 if check.first else len(warnings), warning)
    return tuple(warnings)


def _derived(ctx: Context) -> Derived:
    renal, calcium, femg_calc = ctx.renal, ctx.calcium, ctx.femg
    calculations = (
        *renal.calculations,
        *((calcium.corrected,) if calcium.corrected else ()),
        *((femg_calc,) if femg_calc else ()),
    )
    return Derived(
        crcl_ml_min=renal.crcl.value if renal.crcl else None,
        egfr_ml_min_1_73m2=renal.egfr.value if renal.egfr else None,
        schwartz_egfr_ml_min_1_73m2=renal.schwartz.value if renal.schwartz else None,
        renal_function_ml_min=renal.function_ml_min,
        renal_sex_assumption=renal.sex_assumption,
        corrected_calcium_mmol_per_l=calcium.corrected.value if calcium.corrected else None,
        femg_percent=femg_calc.value if femg_calc else None,
        femg_interpretation=ctx.femg_interpretation,
        femg_not_interpretable_reason=ctx.femg_reason,
        target_mmol_per_l=ctx.target.mmol_per_l,
        calculations=calculations,
        basis=_basis(ctx),
    )


def _basis(ctx: Context) -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
    """Why the target, the LLN and the FEMg band are what they are (no number on screen without its basis)."""
    reading, goal = ctx.reading, ctx.target
    where = "from the lab" if reading.lln_from_lab else "the default"
    shown = "" if reading.lln.unit is Unit.MMOL_L else f"{reading.lln.show()}, "
    lln = f"LLN {fmt(reading.lln_mmol_per_l)} mmol/L ({shown}{where})"
    if goal.raised:
        target = (f"raised target {fmt(goal.mmol_per_l)} mmol/L: {'; '.join(goal.raised_because)}",)
        target_refs = TARGET_SOURCES
    else:
        target, target_refs = (f"target: at least the {lln}",), LLN_SOURCES
    basis: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
        "target": (target, target_refs),
        "lln": ((lln,), LLN_SOURCES),
    }
    if ctx.femg is not None:
        basis["femg"] = (femg_because(ctx.femg.value, ctx.femg_interpretation, ctx.femg_reason), FEMG_SOURCES)
    return basis
