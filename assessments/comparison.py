"""What changed between two engine outputs: grade, severity, route, dose, causes order, warnings, reminders.

Used by "Re-assess with current rules" (the saved plan beside today's rules). Plain Python on contract output
JSON, so that it reads the same whatever rule set produced each side.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Difference:
    aspect: str  # "CTCAE grade", "Route", ...
    before: str
    after: str


def _dose(output: dict[str, Any]) -> str:
    dose = output["plan"].get("dose")
    return dose["text"] if dose else "no dose"


def _ids(items: list[dict[str, Any]]) -> str:
    return ", ".join(item["id"] for item in items) or "none"


ASPECTS = (
    ("Clinical severity", lambda o: o["severity"]["clinical_severity"]),
    ("CTCAE grade", lambda o: str(o["severity"]["ctcae_grade"])),
    ("Route", lambda o: o["plan"]["route"]),
    ("Dose", _dose),
    ("Causes, in order", lambda o: _ids(o["causes"])),
    ("Warnings", lambda o: _ids(o["warnings"])),
    ("Plan steps", lambda o: _ids(o["plan"]["steps"])),
    ("Reminders", lambda o: _ids(o["reminders"])),
    ("Rule set", lambda o: o["ruleset"]),
)


def output_differences(before: dict[str, Any], after: dict[str, Any]) -> list[Difference]:
    """Each aspect whose value differs, in the order a clinician reads a result."""
    differences = []
    for aspect, read in ASPECTS:
        old, new = read(before), read(after)
        if old != new:
            differences.append(Difference(aspect, old, new))
    return differences
