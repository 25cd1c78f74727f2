"""What if: change one input of an assessment and show what the engine then does differently.

A `Variation` takes a contract input and returns a changed copy plus a sentence naming the change, so the page says
exactly what was altered; `assessments.comparison.outputs_diff` then compares the two engine outputs. Pure: no
Django, no engine call.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from assessments.clinical.causes import TROUGH_UPPER_NG_ML
from assessments.clinical.inputs import ADULT_AGE_YEARS, Drug
from assessments.clinical.route import DIARRHEA_SEVERE_ADULT_ML_DAY, DIARRHEA_SEVERE_CHILD_ML_KG_DAY
from assessments.labels import unit_label

Input = dict[str, Any]

# "Make the patient a 20 kg child": a 6-year-old of average height for that weight, so that the bedside Schwartz
# eGFR can be computed; the labs stay as entered (one change at a time).
CHILD_AGE_YEARS = 6
CHILD_WEIGHT_KG = 20
CHILD_HEIGHT_CM = 115
# "Add a PPI": taken for a year, the duration that makes it a high-likelihood cause (PROTOCOL.md section 10).
PPI_DAYS = 365
# Tacrolimus <-> cyclosporine troughs scale by the ratio of their upper limits, so that a level in range stays in
# range and one above range stays above (PROTOCOL.md section 10: 15 and 300 ng/mL).
CNI_TROUGH_RATIO = TROUGH_UPPER_NG_ML[Drug.CYCLOSPORINE] / TROUGH_UPPER_NG_ML[Drug.TACROLIMUS]


@dataclass(frozen=True)
class Variation:
    id: str
    label: Callable[[Input], str]
    available: Callable[[Input], bool]
    apply: Callable[[Input], tuple[Input, str]]


def _is_adult(data: Input) -> bool:
    return data.get("patient", {}).get("age_years", 0) >= ADULT_AGE_YEARS


def _cni(data: Input) -> dict[str, Any] | None:
    """The one CNI entry, or None when there is none or (unusually) both."""
    cnis = [i for i in data.get("immunosuppressants", []) if i.get("drug") in (Drug.TACROLIMUS, Drug.CYCLOSPORINE)]
    return cnis[0] if len(cnis) == 1 else None


def _swap_cni_label(data: Input) -> str:
    cni = _cni(data)
    if cni is not None and cni["drug"] == Drug.CYCLOSPORINE:
        return "Swap cyclosporine for tacrolimus"
    return "Swap tacrolimus for cyclosporine"


def _swap_cni(data: Input) -> tuple[Input, str]:
    changed = copy.deepcopy(data)
    cni = _cni(changed)
    if cni is None:
        raise ValueError("swap_cni needs exactly one of tacrolimus and cyclosporine")
    old = cni["drug"]
    new = Drug.TACROLIMUS.value if old == Drug.CYCLOSPORINE else Drug.CYCLOSPORINE.value
    cni["drug"] = new
    text = f"{old} replaced by {new}"
    if "trough" in cni:
        value = cni["trough"]["value"]
        scaled = value / CNI_TROUGH_RATIO if new == Drug.TACROLIMUS else value * CNI_TROUGH_RATIO
        cni["trough"] = {**cni["trough"], "value": round(scaled, 1)}
        unit = unit_label(cni["trough"]["unit"])
        text += f"; trough {value:g} -> {cni['trough']['value']:g} {unit} (same place in its range)"
    return changed, text


def _renal_function_computable(data: Input) -> bool:
    """A creatinine, and for a child a height too: without one the engine computes no renal function (PROTOCOL.md
    section 5: the bedside Schwartz eGFR needs the height), and doubling the creatinine would change nothing."""
    if "creatinine" not in data.get("labs", {}):
        return False
    return _is_adult(data) or "height_cm" in data.get("patient", {})


def _halve_renal(data: Input) -> tuple[Input, str]:
    """Doubling the creatinine halves Cockcroft-Gault and the bedside Schwartz eGFR (CKD-EPI falls a little more)."""
    changed = copy.deepcopy(data)
    creatinine = changed["labs"]["creatinine"]
    old = creatinine["value"]
    creatinine["value"] = round(old * 2, 2)
    return (
        changed,
        f"serum creatinine {old:g} -> {creatinine['value']:g} {unit_label(creatinine['unit'])}"
        " (renal function about halved)",
    )


def _ppi(data: Input) -> dict[str, Any] | None:
    return next((m for m in data.get("medications", []) if m.get("id") == "proton_pump_inhibitor"), None)


def _ppi_label(data: Input) -> str:
    return "Stop the PPI" if _ppi(data) is not None else f"Add a PPI taken for {PPI_DAYS} days"


def _toggle_ppi(data: Input) -> tuple[Input, str]:
    changed = copy.deepcopy(data)
    medications = changed.setdefault("medications", [])
    if _ppi(changed) is not None:
        changed["medications"] = [m for m in medications if m.get("id") != "proton_pump_inhibitor"]
        return changed, "proton pump inhibitor stopped"
    medications.append({"id": "proton_pump_inhibitor", "days": PPI_DAYS})
    return changed, f"proton pump inhibitor added, taken for {PPI_DAYS} days"


def _diarrhea_volume(data: Input) -> float:
    """The volume that reaches the higher diarrhea threshold: 1000 mL/day in adults, 20 mL/kg/day in children
    (PROTOCOL.md section 10; the route module defines the thresholds once)."""
    if _is_adult(data):
        return DIARRHEA_SEVERE_ADULT_ML_DAY
    return DIARRHEA_SEVERE_CHILD_ML_KG_DAY * data["patient"]["weight_kg"]


def _diarrhea_label(data: Input) -> str:
    return f"Add diarrhea ({_diarrhea_volume(data):g} mL/day)"


def _can_add_diarrhea(data: Input) -> bool:
    if not _is_adult(data) and "weight_kg" not in data.get("patient", {}):
        return False
    return data.get("gi", {}).get("diarrhea_ml_per_day", 0) < _diarrhea_volume(data)


def _add_diarrhea(data: Input) -> tuple[Input, str]:
    changed = copy.deepcopy(data)
    gi = changed.setdefault("gi", {})
    old = gi.get("diarrhea_ml_per_day", 0)
    gi["diarrhea_ml_per_day"] = _diarrhea_volume(data)
    return changed, f"diarrhea {old:g} -> {gi['diarrhea_ml_per_day']:g} mL/day"


def _make_child(data: Input) -> tuple[Input, str]:
    changed = copy.deepcopy(data)
    patient = changed["patient"]
    patient.update(age_years=CHILD_AGE_YEARS, weight_kg=CHILD_WEIGHT_KG, height_cm=CHILD_HEIGHT_CM)
    return changed, (
        f"patient made a child: {CHILD_AGE_YEARS} years, {CHILD_WEIGHT_KG} kg, {CHILD_HEIGHT_CM} cm;"
        " everything else, labs included, unchanged"
    )


VARIATIONS: dict[str, Variation] = {
    v.id: v
    for v in (
        Variation("swap_cni", _swap_cni_label, lambda d: _cni(d) is not None, _swap_cni),
        Variation("halve_renal", lambda d: "Halve the renal function", _renal_function_computable, _halve_renal),
        Variation("toggle_ppi", _ppi_label, lambda d: True, _toggle_ppi),
        Variation("add_diarrhea", _diarrhea_label, _can_add_diarrhea, _add_diarrhea),
        Variation("make_child", lambda d: f"Make the patient a {CHILD_WEIGHT_KG} kg child", _is_adult, _make_child),
    )
}


@dataclass(frozen=True)
class Choice:
    id: str
    label: str


def variations_for(data: Input) -> list[Choice]:
    """The variations that make sense for this input, with labels worded for it."""
    return [Choice(v.id, v.label(data)) for v in VARIATIONS.values() if v.available(data)]


def variation_apply(*, data: Input, variation_id: str) -> tuple[Input, str]:
    """The changed input and what changed; KeyError or ValueError when the variation does not apply here."""
    variation = VARIATIONS[variation_id]
    if not variation.available(data):
        raise ValueError(f"{variation_id} does not apply to this input")
    return variation.apply(data)


# --- comparing two outputs -----------------------------------------------------------------------------------------
