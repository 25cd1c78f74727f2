"""Reads. Demo cases: the golden cases of the shared clinical folder, copied into `assessments/demo_cases/` so
that the app needs nothing outside the repository at run time (`tests/web/test_assessment_page.py` checks that
the copies still match).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

DEMO_CASES_DIR = Path(__file__).resolve().parent / "demo_cases"


@dataclass(frozen=True)
class DemoCase:
    name: str
    description: str
    input: dict[str, Any]

    @property
    def title(self) -> str:
        """`V1_adult_allo_d10_tacrolimus` -> `V1: adult allo d10 tacrolimus`."""
        code, _, rest = self.name.partition("_")
        return f"{code}: {rest.replace('_', ' ')}"


@cache
def demo_case_list() -> tuple[DemoCase, ...]:
    cases = []
    for path in sorted(DEMO_CASES_DIR.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        cases.append(DemoCase(data["name"], data["description"], data["input"]))
    return tuple(cases)


def demo_case_get(*, name: str) -> DemoCase | None:
    return next((case for case in demo_case_list() if case.name == name), None)
