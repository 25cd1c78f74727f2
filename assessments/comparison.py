"""What differs between two engine outputs, row by row, in the order a clinician reads a result.

Used by what-if (one input changed) and by "Re-assess with current rules" (a saved plan beside today's rules).
Plain Python on contract output JSON, so that it reads the same whatever rule set produced each side.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from assessments import labels


@dataclass(frozen=True)
class DiffRow:
    id: str
    label: str
    before: tuple[str, ...]
    after: tuple[str, ...]
    added: tuple[str, ...] = field(default=())
    removed: tuple[str, ...] = field(default=())

    @property
    def changed(self) -> bool:
        return self.before != self.after


def _num(value: float | None) -> str:
    return "" if value is None else f"{round(value, 2):g}"


def dose_summary(dose: Mapping[str, Any] | None) -> str:
    """The dose in one line, as it is compared: amount, how often or how long, and renal halving."""
    if dose is None:
        return "none"
    if dose.get("mmol_per_day_min") is not None:
        text = f"oral {_num(dose['mmol_per_day_min'])}-{_num(dose['mmol_per_day_max'])} mmol/day"
    elif dose.get("duration_hours") is None:
        text = f"oral {_num(dose['mmol'])} mmol per dose ({_num(dose['per_kg_mmol'])} mmol/kg)"
    else:
        per_kg = f", {_num(dose['per_kg_mmol'])} mmol/kg" if dose.get("per_kg_mmol") is not None else ""
        hours = dose["duration_hours"]
        over = f"{_num(hours * 60)} min" if hours < 1 else f"{_num(hours)} h"
        text = f"IV {_num(dose['grams_mgso4'])} g MgSO4 ({_num(dose['mmol'])} mmol{per_kg}) over {over}"
    if dose.get("renal_adjusted"):
        text += ", halved for renal function"
    if dose.get("follow_on"):
        text += f"; then {dose_summary(dose['follow_on'])}"
    return text


def _renal_function(output: Mapping[str, Any]) -> str:
    """The renal function the dose was computed from, as the result shows it (an output saved without one: not
    known)."""
    value = output.get("derived", {}).get("renal_function_ml_min")
    return "not known" if value is None else f"{_num(value)} mL/min"


def _cause_items(output: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(label, label with score): a cause whose score moved is the same cause, not one gone and one new."""
    return [(c["label"], f"{c['label']} ({c['score']})") for c in output["causes"]]


def _warning_items(output: Mapping[str, Any]) -> list[tuple[str, str]]:
    items = {
        labels.label("warning", w["id"]) + (f" ({labels.drug_label(w['drug'])})" if w.get("drug") else "")
        for w in output["warnings"]
    }
    return [(item, item) for item in sorted(items)]


def _step_items(output: Mapping[str, Any]) -> list[tuple[str, str]]:
    return [(step["text"], step["text"]) for step in output["plan"]["steps"]]


def _reminder_items(output: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(text, text with when): a reminder that moved in time is the same reminder."""
    return [(r["text"], f"{r['text']} ({_due(r['due_in_hours'])})") for r in output["reminders"]]


def _due(hours: float | None) -> str:
    """When a reminder is due: "due now" for a now item, not "in 0 h"."""
    return "due now" if not hours else f"due in {_num(hours)} h"


def outputs_diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[DiffRow]:
    """Row by row, what a clinician acts on (grade, severity, route, dose and the renal function it was computed
    from, causes in order, warnings, steps, reminders); lists also say which items came and went."""
    rows = [
        DiffRow(
            "grade", "CTCAE grade", (str(before["severity"]["ctcae_grade"]),), (str(after["severity"]["ctcae_grade"]),)
        ),
        DiffRow(
            "clinical_severity",
            "Clinical severity",
            (labels.label("severity", before["severity"]["clinical_severity"]),),
            (labels.label("severity", after["severity"]["clinical_severity"]),),
        ),
        DiffRow(
            "route",
            "Route",
            (labels.label("route", before["plan"]["route"]),),
            (labels.label("route", after["plan"]["route"]),),
        ),
        DiffRow("dose", "Dose", (dose_summary(before["plan"]["dose"]),), (dose_summary(after["plan"]["dose"]),)),
        DiffRow("renal_function", "Renal function used", (_renal_function(before),), (_renal_function(after),)),
    ]
    for row_id, label, items in (
        ("causes", "Causes, in order", _cause_items),
        ("warnings", "Warnings", _warning_items),
        ("steps", "Plan steps", _step_items),
        ("reminders", "Reminders", _reminder_items),
    ):
        old, new = items(before), items(after)
        old_keys, new_keys = {key for key, _ in old}, {key for key, _ in new}
        rows.append(
            DiffRow(
                row_id,
                label,
                tuple(shown for _, shown in old),
                tuple(shown for _, shown in new),
                # As shown, so the table can mark them; matched by key, so a cause whose score moved is not new.
                added=tuple(shown for key, shown in new if key not in old_keys),
                removed=tuple(shown for key, shown in old if key not in new_keys),
            )
        )
    return rows
