"""Service layer: contract JSON in, clinical core, contract JSON out. Views and commands call only this.

Nothing is stored here yet: a stateless assessment (records arrive with the patient work).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from assessments.clinical import assess, parse_input, to_json


@dataclass(frozen=True)
class AssessmentOutcome:
    """Either `output` (the contract output) or `errors` (field errors), never both."""

    output: dict[str, Any] | None
    errors: list[dict[str, str]]

    @property
    def ok(self) -> bool:
        return self.output is not None


def assessment_run(*, data: Any) -> AssessmentOutcome:
    parsed = parse_input(data)
    if parsed.input is None:
        return AssessmentOutcome(None, [{"field": e.field, "message": e.message} for e in parsed.errors])
    return AssessmentOutcome(to_json(assess(parsed.input)), [])
