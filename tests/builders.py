"""Build contract inputs for tests: a plain adult inpatient, changed only where a test says so.

`payload(...)` returns the contract JSON; `run(...)` parses and assesses it and returns the contract output, so
tests assert on the same shape the command line and the API return.
"""

from __future__ import annotations

import copy
from typing import Any

from assessments.clinical import assess, parse_input, to_json

BASE: dict[str, Any] = {
    "patient": {"age_years": 45, "sex": "female", "weight_kg": 70, "height_cm": 165},
    "setting": "inpatient",
    "transplant": {"type": "allogeneic", "day": 30},
    "labs": {
        "magnesium": {"value": 0.60, "unit": "mmol/L"},
        "potassium": {"value": 4.2, "unit": "mmol/L"},
        "calcium_ionized": {"value": 1.20, "unit": "mmol/L"},
        "creatinine": {"value": 70, "unit": "umol/L"},
    },
    "gi": {"diarrhea_ml_per_day": 0, "vomiting": False, "mucositis_grade": 0},
    "nutrition": {"oral_intake": "normal"},
    "ecg": {"qtc_ms": 430},
}


def payload(*, mg: tuple[float, str] | None = None, drop: tuple[str, ...] = (), **sections: Any) -> dict[str, Any]:
    """The base input with `mg=(value, unit)`, whole sections replaced (`labs={...}` merges into labs), and
    `drop=("labs.creatinine", "ecg")` removed."""
    data = copy.deepcopy(BASE)
    if mg is not None:
        data["labs"]["magnesium"] = {"value": mg[0], "unit": mg[1]}
    for key, value in sections.items():
        if key in ("labs", "patient", "gi", "nutrition") and isinstance(value, dict):
            data[key].update(value)
        else:
            data[key] = value
    for path in drop:
        *parents, last = path.split(".")
        target = data
        for part in parents:
            target = target[part]
        target.pop(last, None)
    return data


def transplant_of(patient: Any, at: Any) -> dict[str, Any]:
    """The `transplant` section that agrees with a patient record for a sample taken at `at` (a save refuses an
    input that disagrees with the record, until the user says which is right)."""
    return {"type": patient.transplant_type, "day": patient.day_after_transplant(at)}


def run(**kwargs: Any) -> dict[str, Any]:
    """Assess `payload(**kwargs)`; fails loudly if the input was rejected."""
    parsed = parse_input(payload(**kwargs))
    assert parsed.input is not None, parsed.errors
    return to_json(assess(parsed.input))


def errors(data: Any) -> dict[str, str]:
    """field -> message for an input that must be rejected."""
    parsed = parse_input(data)
    assert parsed.input is None, "expected the input to be rejected"
    return {e.field: e.message for e in parsed.errors}


def ids(items: list[dict[str, Any]]) -> list[str]:
    return [item["id"] for item in items]
