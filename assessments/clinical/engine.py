"""`assess()`: the one entry point. Takes a validated `AssessmentInput`, returns an `Assessment`.

The order below is the protocol's: reading and grade, target, route, renal function, dose, FEMg, causes, then
the warnings, steps and reminders that depend on them. Each step is a pure function of what came before.
"""

from __future__ import annotations

from . import RULESET_VERSION, calculators
from .causes import rank_causes
from .cautions import magnesium_cautions, renal_cautions
from .context import Context
from .dose import DoseContext, plan_dose
from .ecg import ecg_findings, qtc_level
from .electrolytes import calcium_status, electrolyte_findings
from .inputs import AssessmentInput, Condition, Med
from .interactions import interaction_warnings
from .reminders import plan_reminders
from .renal import RenalStatus, renal_status
from .results import Assessment, Derived, Plan, Warning
from .route import NONE, decide_route
from .severity import ctcae_grade, magnesium_reading, severity, target_mmol_per_l, unit_check
from .steps import closing_steps, leading_steps, review_steps

FEMG_MIN_RENAL_FUNCTION_ML_MIN = 60  # a design choice (KNOWLEDGE.md section 11 item 7), PROTOCOL.md section 9
FEMG_EXTRARENAL_BELOW = 2.0  # < 2 %: extrarenal [S50, S51, S52]
FEMG_RENAL_ABOVE = 4.0  # > 4 %: renal wasting; 2-4 % inclusive: indeterminate

# Order in which warnings are listed: a unit problem first, then the most urgent.
WARNING_ORDER = (
    "unit_check",
    "recent_iv_magnesium",
    "hypermagnesemia",
    "symptoms_not_explained_by_mg",
    "qtc_critical",
    "qtc_prolonged",
    "qt_prolonging_drugs",
    "renal_function_unknown",
    "severe_renal_impairment",
    "renal_dose_reduction",
    "hypermagnesemia_risk",
    "hyperkalemia",
    "potassium_sparing_with_cni",
    "replete_mg_before_k",
    "replete_mg_before_ca",
    "iv_mg_caution",
    "oral_mg_interaction",
)


def femg_interpretation(
    value: float | None, data: AssessmentInput, renal: RenalStatus
) -> tuple[str | None, str | None]:
    """(interpretation, reason it is not interpretable) per PROTOCOL.md section 9."""
    if value is None:
        return None, None
    value = round(value, 10)  # 4.000000000000001 % is 4 %: float noise must not cross a band edge
    renal_conditions = {Condition.DIALYSIS, Condition.OLIGURIA, Condition.AKI} & data.conditions
    if data.magnesium_therapy.iv_magnesium_last_24h:
        return "not_interpretable", "iv_magnesium_last_24h"
    low_function = renal.function_ml_min is not None and renal.function_ml_min < FEMG_MIN_RENAL_FUNCTION_ML_MIN
    if low_function or renal_conditions:
        return "not_interpretable", "renal_function_below_60"
    if renal.unknown:
        return "not_interpretable", "renal_function_unknown"
    if value < FEMG_EXTRARENAL_BELOW:
        return "extrarenal", None
    return ("renal_wasting" if value > FEMG_RENAL_ABOVE else "indeterminate"), None


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


def assess(data: AssessmentInput) -> Assessment:
    reading = magnesium_reading(data.labs.magnesium, data.labs.magnesium_lln)
    grade, grade_text = ctcae_grade(reading)
    target = target_mmol_per_l(reading, data)
    decision = decide_route(data, reading, grade=grade, target=target)
    renal = renal_status(data)
    dose_because = (*decision.because, *renal.because)
    dose = plan_dose(
        decision.route,
        DoseContext(data=data, grade=grade, renal=renal, below_target=decision.below_target, because=dose_because),
    )
    labs = data.labs
    femg = None
    if labs.urine_magnesium is not None and labs.urine_creatinine is not None and labs.creatinine is not None:
        femg = calculators.femg(
            urine_magnesium=labs.urine_magnesium,
            serum_magnesium=labs.magnesium,
            urine_creatinine=labs.urine_creatinine,
            creatinine=labs.creatinine,
        )
    interpretation, not_interpretable = femg_interpretation(femg.value if femg else None, data, renal)
    causes = rank_causes(data, interpretation)
    ctx = Context(data, reading, grade, target, decision, renal, dose, femg, interpretation, causes)

    warnings: list[Warning] = []
    checked_unit = unit_check(data.labs.magnesium)
    if checked_unit is not None:
        warnings.append(checked_unit)
    warnings += magnesium_cautions(ctx)
    renal_warnings, renal_steps = renal_cautions(ctx)
    ecg_warnings, ecg_steps = ecg_findings(data)
    electrolyte_warnings, electrolyte_steps = electrolyte_findings(ctx)
    interactions = interaction_warnings(ctx)
    warnings += renal_warnings + ecg_warnings + electrolyte_warnings + interactions
    warnings.sort(key=lambda w: WARNING_ORDER.index(w.id))

    oral = [w for w in interactions if w.id == "oral_mg_interaction"]
    interaction_refs = tuple(dict.fromkeys(r for w in oral for r in w.references))
    steps = (
        leading_steps(ctx)
        + renal_steps
        + electrolyte_steps
        + review_steps(ctx)
        + ecg_steps
        + closing_steps(ctx, [w.drug for w in oral], interaction_refs)  # type: ignore[misc]
    )
    calcium = calcium_status(data)
    calculations = (
        *renal.calculations,
        *((calcium.corrected,) if calcium.corrected else ()),
        *((femg,) if femg else ()),
    )
    derived = Derived(
        crcl_ml_min=renal.crcl.value if renal.crcl else None,
        egfr_ml_min_1_73m2=renal.egfr.value if renal.egfr else None,
        schwartz_egfr_ml_min_1_73m2=renal.schwartz.value if renal.schwartz else None,
        renal_function_ml_min=renal.function_ml_min,
        corrected_calcium_mmol_per_l=calcium.corrected.value if calcium.corrected else None,
        femg_percent=femg.value if femg else None,
        femg_interpretation=interpretation,
        femg_not_interpretable_reason=not_interpretable,
        target_mmol_per_l=target,
        calculations=calculations,
    )
    return Assessment(
        ruleset=RULESET_VERSION,
        magnesium=reading,
        severity=severity(
            reading, data, grade=grade, grade_text=grade_text, raised_target_route="raised_target" in decision.reasons
        ),
        derived=derived,
        causes=causes,
        plan=Plan(route=decision.route, reasons=decision.reasons, dose=dose, steps=tuple(steps)),
        warnings=tuple(warnings),
        reminders=plan_reminders(ctx, qtc_level=qtc_level(data)[0]),
        missing=_missing(data, renal, decision.route),
    )
