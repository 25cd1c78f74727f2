"""`Assessment` -> the contract output JSON (`../shared/contract/README.md`, "Output").

Numeric fields keep two decimals; text fields carry the rounded display values. One small function per kind of
item, so that the shape of each is read in one place.
"""

from __future__ import annotations

from operator import attrgetter
from typing import Any

from .results import Assessment, Calculation, Cause, Dose, Reminder, Step, UnitReading, Warning
from .units import Measurement

DECIMALS = 2
# Dose fields that are numbers, in the order the contract lists them (None where they do not apply).
DOSE_NUMBERS = (
    "mmol",
    "grams_mgso4",
    "ml_50_percent",
    "volume_ml",
    "duration_hours",
    "rate_mg_per_min",
    "max_rate_mg_per_min",
    "pump_rate_ml_per_h",
    "concentration_percent",
    "per_kg_mmol",
    "mmol_before_cap",
    "weight_kg",
    "mmol_per_day_min",
    "mmol_per_day_max",
    "mmol_per_dose_min",
    "mmol_per_dose_max",
    "start_mmol_per_day",
    "doses_per_day",
)


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


_DOSE_VALUES = attrgetter(*DOSE_NUMBERS)


def dose_to_json(dose: Dose | None) -> dict[str, Any] | None:
    if dose is None:
        return None
    data: dict[str, Any] = {
        name: None if value is None else round(value, DECIMALS)
        for name, value in zip(DOSE_NUMBERS, _DOSE_VALUES(dose), strict=True)
    }
    data["renal_adjusted"] = dose.renal_adjusted
    data["follow_on"] = dose_to_json(dose.follow_on)
    data["text"] = dose.text
    data["because"] = list(dose.because)
    data["references"] = list(dose.references)
    return data


def _cause(c: Cause) -> dict[str, Any]:
    return {
        "id": c.id,
        "label": c.label,
        "score": c.score,
        "likelihood": c.likelihood,
        "evidence": c.evidence,
        "because": list(c.because),
        "references": list(c.references),
    }


def _step(s: Step) -> dict[str, Any]:
    return {"id": s.id, "text": s.text, "because": list(s.because), "references": list(s.references)}


def _reading(r: UnitReading) -> dict[str, Any]:
    return {
        "unit": r.unit,
        "mmol_per_l": round(r.mmol_per_l, DECIMALS),
        "ctcae_grade": r.ctcae_grade,
        "above_uln": r.above_uln,
        "tier": r.tier,
    }


def _warning(w: Warning) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": w.id,
        "text": w.text,
        "drug": w.drug,
        "because": list(w.because),
        "references": list(w.references),
    }
    if w.readings is not None:
        data["readings"] = [_reading(r) for r in w.readings]
    return data


def warnings_to_json(warnings: tuple[Warning, ...]) -> list[dict[str, Any]]:
    """Warnings as the contract output lists them (for `plausibility.result_warnings`)."""
    return [_warning(w) for w in warnings]


def reminder_to_json(r: Reminder) -> dict[str, Any]:
    return {
        "id": r.id,
        "text": r.text,
        "due_in_hours": round(r.due_in_hours, DECIMALS),
        "because": list(r.because),
        "references": list(r.references),
    }


def _calculation(c: Calculation) -> dict[str, Any]:
    return {
        "id": c.id,
        "label": c.label,
        "value": round(c.value, DECIMALS),
        "unit": c.unit,
        "formula": c.formula,
        "working": c.working,
        "references": list(c.references),
    }


def to_json(result: Assessment) -> dict[str, Any]:
    mg, severity, derived, plan = result.magnesium, result.severity, result.derived, result.plan
    return {
        "ruleset": result.ruleset,
        "magnesium": {
            "entered": _entered(result),
            "mmol_per_l": round(mg.mmol_per_l, DECIMALS),
            "mg_per_dl": round(mg.mg_per_dl, DECIMALS),
            "meq_per_l": round(mg.meq_per_l, DECIMALS),
            "lln": _measurement(mg.lln),
            "lln_mmol_per_l": round(mg.lln_mmol_per_l, DECIMALS),
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
            "target_mmol_per_l": round(derived.target_mmol_per_l, DECIMALS),
            "calculations": [_calculation(c) for c in derived.calculations],
            "basis": {
                name: {"because": list(because), "references": list(references)}
                for name, (because, references) in derived.basis.items()
            },
        },
        "causes": [_cause(c) for c in result.causes],
        "plan": {
            "route": plan.route,
            "reasons": list(plan.reasons),
            "dose": dose_to_json(plan.dose),
            "steps": [_step(s) for s in plan.steps],
        },
        "warnings": [_warning(w) for w in result.warnings],
        "reminders": [reminder_to_json(r) for r in result.reminders],
        "missing": list(result.missing),
    }
