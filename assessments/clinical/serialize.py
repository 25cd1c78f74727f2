"""`Assessment` -> the contract output JSON (`../shared/contract/README.md`, "Output").

Numeric fields keep two decimals; text fields carry the rounded display values.
"""

from __future__ import annotations

from typing import Any

from .results import Assessment, Calculation, Cause, Dose, Reminder, Step, Warning
from .units import Measurement

DECIMALS = 2


def _num(value: float | None) -> float | None:
    return None if value is None else round(value, DECIMALS)


def _measurement(m: Measurement) -> dict[str, Any]:
    return {"value": m.value, "unit": str(m.unit)}


def _entered(result: Assessment) -> dict[str, Any]:
    """The Mg as entered, with the age of the sample when it was given (section 2.2)."""
    entered = _measurement(result.magnesium.entered)
    if result.magnesium_age_hours is not None:
        entered["age_hours"] = result.magnesium_age_hours
    return entered


def _dose(dose: Dose | None) -> dict[str, Any] | None:
    if dose is None:
        return None
    return {
        "mmol": _num(dose.mmol),
        "grams_mgso4": _num(dose.grams_mgso4),
        "ml_50_percent": _num(dose.ml_50_percent),
        "volume_ml": _num(dose.volume_ml),
        "duration_hours": _num(dose.duration_hours),
        "rate_mg_per_min": _num(dose.rate_mg_per_min),
        "max_rate_mg_per_min": _num(dose.max_rate_mg_per_min),
        "pump_rate_ml_per_h": _num(dose.pump_rate_ml_per_h),
        "concentration_percent": _num(dose.concentration_percent),
        "per_kg_mmol": _num(dose.per_kg_mmol),
        "mmol_before_cap": _num(dose.mmol_before_cap),
        "weight_kg": _num(dose.weight_kg),
        "mmol_per_day_min": _num(dose.mmol_per_day_min),
        "mmol_per_day_max": _num(dose.mmol_per_day_max),
        "mmol_per_dose_min": _num(dose.mmol_per_dose_min),
        "mmol_per_dose_max": _num(dose.mmol_per_dose_max),
        "start_mmol_per_day": _num(dose.start_mmol_per_day),
        "renal_adjusted": dose.renal_adjusted,
        "follow_on": _dose(dose.follow_on),
        "text": dose.text,
        "because": list(dose.because),
        "references": list(dose.references),
    }


def _item(item: Cause | Step | Warning | Reminder | Calculation) -> dict[str, Any]:
    data: dict[str, Any] = {"id": item.id}
    if isinstance(item, Cause):
        data.update(label=item.label, score=item.score, likelihood=item.likelihood, evidence=item.evidence)
    if isinstance(item, Calculation):
        data.update(label=item.label, value=_num(item.value), unit=item.unit, formula=item.formula)
        data.update(working=item.working)
    if isinstance(item, Step | Warning | Reminder):
        data["text"] = item.text
    if isinstance(item, Reminder):
        data["due_in_hours"] = _num(item.due_in_hours)
    if isinstance(item, Warning):
        data["drug"] = item.drug
        if item.readings is not None:
            data["readings"] = [
                {
                    "unit": r.unit,
                    "mmol_per_l": _num(r.mmol_per_l),
                    "ctcae_grade": r.ctcae_grade,
                    "above_uln": r.above_uln,
                    "tier": r.tier,
                }
                for r in item.readings
            ]
    if not isinstance(item, Calculation):
        data["because"] = list(item.because)
    data["references"] = list(item.references)
    return data


def to_json(result: Assessment) -> dict[str, Any]:
    mg, severity, derived, plan = result.magnesium, result.severity, result.derived, result.plan
    return {
        "ruleset": result.ruleset,
        "magnesium": {
            "entered": _entered(result),
            "mmol_per_l": _num(mg.mmol_per_l),
            "mg_per_dl": _num(mg.mg_per_dl),
            "meq_per_l": _num(mg.meq_per_l),
            "lln": _measurement(mg.lln),
            "lln_mmol_per_l": _num(mg.lln_mmol_per_l),
            "lln_source": "lab" if mg.lln_from_lab else "default",
            "above_uln": mg.above_uln,
        },
        "severity": {
            "ctcae_grade": severity.ctcae_grade,
            "category": severity.category,
            "clinical_severity": severity.clinical_severity,
            "symptomatic": severity.symptomatic,
            "urgent": severity.urgent,
            "because": list(severity.because),
            "references": list(severity.references),
        },
        "derived": {
            "crcl_ml_min": _num(derived.crcl_ml_min),
            "egfr_ml_min_1_73m2": _num(derived.egfr_ml_min_1_73m2),
            "schwartz_egfr_ml_min_1_73m2": _num(derived.schwartz_egfr_ml_min_1_73m2),
            "renal_function_ml_min": _num(derived.renal_function_ml_min),
            "renal_sex_assumption": derived.renal_sex_assumption,
            "corrected_calcium_mmol_per_l": _num(derived.corrected_calcium_mmol_per_l),
            "femg_percent": _num(derived.femg_percent),
            "femg_interpretation": derived.femg_interpretation,
            "femg_not_interpretable_reason": derived.femg_not_interpretable_reason,
            "target_mmol_per_l": _num(derived.target_mmol_per_l),
            "calculations": [_item(c) for c in derived.calculations],
        },
        "causes": [_item(c) for c in result.causes],
        "plan": {
            "route": plan.route,
            "reasons": list(plan.reasons),
            "dose": _dose(plan.dose),
            "steps": [_item(s) for s in plan.steps],
        },
        "warnings": [_item(w) for w in result.warnings],
        "reminders": [_item(r) for r in result.reminders],
        "missing": list(result.missing),
    }
