"""Predict, then reveal: a trainee's four answers marked against the engine's output for the same case.

Pure: takes the contract output (a dict) and the answers (question id -> choice id), returns one `Mark` per
question with the engine's answer, the reason it gives and its sources, so the page can say why, not only whether.
The right answer is always read from the output, never stored with the case: a rule change moves the answer with it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from assessments.clinical.causes import CAUSES
from assessments.clinical.route import REASON_SOURCES
from assessments.labels import REASON_LABELS, REMINDER_LABELS, ROUTE_LABELS
from assessments.teaching.cases import TOPICS, teaching_case_list

GRADE_CHOICES: dict[str, str] = {
    "0": "Grade 0 (at or above the lower limit of normal)",
    "1": "Grade 1",
    "2": "Grade 2",
    "3": "Grade 3",
    "4": "Grade 4",
}
NO_CAUSE = "none"
CAUSE_CHOICES: dict[str, str] = {cause_id: spec.label for cause_id, spec in CAUSES.items()} | {
    NO_CAUSE: "No cause in what is given"
}
ROUTE_CHOICES: dict[str, str] = ROUTE_LABELS
NO_REMINDER = "no_reminder"
# The reminder ids of PROTOCOL.md section 13, named as labels.py names them; `tests/web/teaching` checks that every
# reminder the teaching cases produce is offered here.
MONITORING_CHOICES: dict[str, str] = {**REMINDER_LABELS, NO_REMINDER: "No monitoring reminder"}
# The step that carries the route's plan: a give step, `no_replacement_needed`, or, when a unit check of kind P1
# replaces it, `confirm_magnesium_unit` (PROTOCOL.md sections 2.1 and 11).
GIVE_STEPS = (
    "give_oral_magnesium",
    "give_iv_magnesium",
    "give_iv_magnesium_urgent",
    "no_replacement_needed",
    "confirm_magnesium_unit",
)


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    choices: dict[str, str]


QUESTIONS: tuple[Question, ...] = (
    Question("grade", "What is the CTCAE grade of hypomagnesemia?", GRADE_CHOICES),
    Question("cause", "What is the leading cause?", CAUSE_CHOICES),
    Question("route", "Which route of replacement?", ROUTE_CHOICES),
    Question("monitoring", "What is the first monitoring step?", MONITORING_CHOICES),
)


@dataclass(frozen=True)
class Mark:
    question: str
    text: str
    answer: str | None  # the choice id given, None when left blank
    answer_label: str
    correct: bool
    expected: tuple[str, ...]  # every choice the engine accepts (ties at the top of causes or of due times)
    expected_labels: tuple[str, ...]
    reason: tuple[str, ...]
    references: tuple[str, ...]


def _grade(output: Mapping[str, Any]) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    severity = output["severity"]
    return (str(severity["ctcae_grade"]),), tuple(severity["because"][:1]), tuple(severity["references"])


def _cause(output: Mapping[str, Any]) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """Causes tied at the top score are all right: the engine breaks ties by id, which is not clinical."""
    causes = output["causes"]
    if not causes:
        step = next((s for s in output["plan"]["steps"] if s["id"] == "search_for_cause"), None)
        reason = tuple(step["because"]) if step else ("no input triggered a cause (PROTOCOL.md section 10)",)
        return (NO_CAUSE,), reason, tuple(step["references"]) if step else ()
    top = [c for c in causes if c["score"] == causes[0]["score"]]
    reason = tuple(line for c in top for line in c["because"])
    references = tuple(dict.fromkeys(ref for c in top for ref in c["references"]))
    return tuple(c["id"] for c in top), reason, references


def _route(output: Mapping[str, Any]) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    plan = output["plan"]
    reasons = tuple(plan["reasons"])
    step = next((s for s in plan["steps"] if s["id"] in GIVE_STEPS), None)
    because = tuple(step["because"]) if step else ()
    references = tuple(dict.fromkeys(ref for r in reasons for ref in REASON_SOURCES.get(r, ())))
    lead = f"route reasons: {', '.join(REASON_LABELS.get(r, r) for r in reasons)}"
    return (plan["route"],), (lead, *because), references


def _monitoring(output: Mapping[str, Any]) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """The reminders due first (several can be due now); none at all is an answer too."""
    reminders = output["reminders"]
    if not reminders:
        return (NO_REMINDER,), ("no reminder applies (PROTOCOL.md section 13)",), ()
    first_due = min(r["due_in_hours"] for r in reminders)
    first = [r for r in reminders if r["due_in_hours"] == first_due]
    reason = tuple(f"{r['text']} ({'now' if not first_due else f'due in {first_due:g} h'})" for r in first)
    reason += tuple(line for r in first for line in r["because"])
    references = tuple(dict.fromkeys(ref for r in first for ref in r.get("references", ())))
    return tuple(r["id"] for r in first), reason, references


_ENGINE_ANSWERS = {"grade": _grade, "cause": _cause, "route": _route, "monitoring": _monitoring}


def mark_answers(*, answers: Mapping[str, str | None], output: Mapping[str, Any]) -> list[Mark]:
    """One mark per question, in question order; a blank or unknown choice is marked wrong, never an error."""
    marks = []
    for question in QUESTIONS:
        expected, reason, references = _ENGINE_ANSWERS[question.id](output)
        given = answers.get(question.id) or None
        if given is not None and given not in question.choices:
            given = None
        marks.append(
            Mark(
                question=question.id,
                text=question.text,
                answer=given,
                answer_label=question.choices[given] if given is not None else "Not answered",
                correct=given in expected,
                expected=expected,
                expected_labels=tuple(question.choices.get(e, e) for e in expected),
                reason=reason,
                references=references,
            )
        )
    return marks


def marks_record(marks: Iterable[Mark]) -> dict[str, bool | None]:
    """What `TeachingAttempt.marks` keeps: question id -> right, wrong, or None when left blank (a blank is not an
    answer: a tester's two answers of four counted as "Answered 4")."""
    return {mark.question: mark.correct if mark.answer is not None else None for mark in marks}


@dataclass(frozen=True)
class TopicScore:
    topic: str
    right: int
    answered: int


def topic_scores(
    attempts: Iterable[tuple[str, Mapping[str, bool | None]]], topics_by_case: Mapping[str, Iterable[str]]
) -> list[TopicScore]:
    """Answers right per topic over (case name, marks) pairs; a case counts towards each of its topics.

    A case removed from the library since the attempt counts under no topic rather than failing the page.
    """
    right: dict[str, int] = {}
    answered: dict[str, int] = {}
    for case_name, marks in attempts:
        for topic in topics_by_case.get(case_name, ()):
            right[topic] = right.get(topic, 0) + sum(1 for ok in marks.values() if ok)
            answered[topic] = answered.get(topic, 0) + sum(1 for ok in marks.values() if ok is not None)
    return [TopicScore(topic, right[topic], answered[topic]) for topic in answered]


@dataclass(frozen=True)
class TeachingHistory:
    attempts: list[Any]
    cases_tried: int
    by_topic: list[TopicScore]


def teaching_history(attempts: list[Any]) -> TeachingHistory:
    """A trainee's attempts (`selectors.teaching_attempt_list`) summed up: cases tried, answers right per topic in the
    library's topic order."""
    topics_by_case = {case.name: case.topics for case in teaching_case_list()}
    scores = topic_scores(((a.case_name, a.marks) for a in attempts), topics_by_case)
    order = list(TOPICS)
    return TeachingHistory(
        attempts=attempts,
        cases_tried=len({a.case_name for a in attempts}),
        by_topic=sorted(scores, key=lambda s: order.index(s.topic)),
    )
