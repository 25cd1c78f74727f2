"""The teaching case library: `assessments/teaching/case_files/*.json`, in the golden-case format of
`../shared/clinical/cases/` (name, description, input, expect) plus what a teaching page shows (title, vignette,
teaching point, topics, difficulty, population).

The files live in the repository so that the app needs nothing outside it at run time; their `expect` blocks are
checked against the engine by `tests/web/teaching/test_cases.py`, so a rule change that breaks a lesson fails the build.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

CASES_DIR = Path(__file__).resolve().parent / "case_files"

# Display order of the filters; a case file naming anything else is refused at load time (a typo would hide a case
# from its filter).
TOPICS: dict[str, str] = {
    "severity": "Severity (CTCAE grade)",
    "units": "Units",
    "route": "Route",
    "dose": "Dose",
    "renal": "Renal impairment",
    "causes": "Causes",
    "femg": "FEMg",
    "interactions": "Interactions",
    "qtc": "QTc and arrhythmia",
    "electrolytes": "Potassium and calcium",
    "urgent": "Emergencies",
    "monitoring": "Monitoring",
}
DIFFICULTIES: dict[str, str] = {
    "introductory": "Introductory",
    "intermediate": "Intermediate",
    "advanced": "Advanced",
}
POPULATIONS: dict[str, str] = {"adult": "Adult", "pediatric": "Pediatric"}

REQUIRED_KEYS = ("name", "title", "description", "population", "difficulty", "topics", "vignette", "teaching_point")


@dataclass(frozen=True)
class TeachingCase:
    name: str
    title: str
    description: str
    population: str
    difficulty: str
    topics: tuple[str, ...]
    vignette: str
    teaching_point: str
    input: dict[str, Any]
    expect: dict[str, Any]

    @property
    def code(self) -> str:
        """`T07_adult_tetany...` -> `T07`: short enough to say aloud in a teaching session."""
        return self.name.partition("_")[0]

    @property
    def topic_labels(self) -> list[str]:
        return [TOPICS[t] for t in self.topics]

    @property
    def difficulty_label(self) -> str:
        return DIFFICULTIES[self.difficulty]

    @property
    def population_label(self) -> str:
        return POPULATIONS[self.population]


def case_from_json(data: dict[str, Any]) -> TeachingCase:
    """Refuses a file with a missing display key or an unknown topic, difficulty or population."""
    missing = [key for key in (*REQUIRED_KEYS, "input", "expect") if key not in data]
    if missing:
        raise ValueError(f"teaching case {data.get('name', '?')}: missing {', '.join(missing)}")
    unknown = [t for t in data["topics"] if t not in TOPICS]
    if unknown or data["difficulty"] not in DIFFICULTIES or data["population"] not in POPULATIONS:
        raise ValueError(
            f"teaching case {data['name']}: unknown topic, difficulty or population"
            f" ({unknown or ''} {data['difficulty']!r} {data['population']!r})"
        )
    return TeachingCase(
        name=data["name"],
        title=data["title"],
        description=data["description"],
        population=data["population"],
        difficulty=data["difficulty"],
        topics=tuple(data["topics"]),
        vignette=data["vignette"],
        teaching_point=data["teaching_point"],
        input=data["input"],
        expect=data["expect"],
    )


@cache
def teaching_case_list() -> tuple[TeachingCase, ...]:
    """Every case, in file-name order (the T-numbers)."""
    return tuple(
        case_from_json(json.loads(path.read_text(encoding="utf-8"))) for path in sorted(CASES_DIR.glob("*.json"))
    )


def teaching_case_get(*, name: str) -> TeachingCase | None:
    return next((case for case in teaching_case_list() if case.name == name), None)


def teaching_case_filter(
    cases: tuple[TeachingCase, ...] | list[TeachingCase],
    *,
    topic: str = "",
    difficulty: str = "",
    population: str = "",
) -> list[TeachingCase]:
    """Cases matching every filter given; an empty filter matches all."""
    return [
        case
        for case in cases
        if (not topic or topic in case.topics)
        and (not difficulty or case.difficulty == difficulty)
        and (not population or case.population == population)
    ]
