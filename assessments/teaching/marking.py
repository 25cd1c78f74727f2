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
    name: str  # short, for the history's table and its list of attempts


QUESTIONS: tuple[Question, ...] = (
    Question("grade", "What is the CTCAE grade of hypomagnesemia?", GRADE_CHOICES, "CTCAE grade"),
    Question("cause", "What is the leading cause?", CAUSE_CHOICES, "Leading cause"),
    Question("route", "Which route of replacement?", ROUTE_CHOICES, "Route"),
    Question("monitoring", "What is the first monitoring step?", MONITORING_CHOICES, "First monitoring step"),
)
QUESTION_NAMES = {question.id: question.name for question in QUESTIONS}


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
    lead = f"Why this route: {', '.join(REASON_LABELS.get(r, r) for r in reasons)}"
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
class QuestionScore:
    question: Question
    right: int
    answered: int


def question_scores(marks: Iterable[Mapping[str, bool | None]]) -> list[QuestionScore]:
    """Answers right per question over the attempts' marks, in the order the questions are asked; a blank is not an
    answer. Each answer counts once, under its own question (a tester read a score per case topic, which counted
    every answer of a case under each of its topics, as wrong)."""
    right = dict.fromkeys(QUESTION_NAMES, 0)
    answered = dict.fromkeys(QUESTION_NAMES, 0)
    for record in marks:
        for question_id, ok in record.items():
            if question_id in answered and ok is not None:
                answered[question_id] += 1
                right[question_id] += bool(ok)
    return [QuestionScore(q, right[q.id], answered[q.id]) for q in QUESTIONS if answered[q.id]]


@dataclass(frozen=True)
class TopicCases:
    topic: str  # the topic's words
    tried: int
    in_library: int


def topic_cases(tried: Iterable[str], topics_by_case: Mapping[str, Iterable[str]]) -> list[TopicCases]:
    """For each topic of the cases tried, in the library's topic order: how many of its cases were tried, of how
    many. A case removed from the library since the attempt counts under no topic rather than failing the page."""
    tried_names = set(tried)
    counts = {topic: [0, 0] for topic in TOPICS}
    for name, topics in topics_by_case.items():
        for topic in topics:
            counts[topic][1] += 1
            counts[topic][0] += name in tried_names
    return [TopicCases(TOPICS[t], done, total) for t, (done, total) in counts.items() if done]


@dataclass(frozen=True)
class TeachingHistory:
    attempts: list[Any]
    cases_tried: int
    by_question: list[QuestionScore]
    by_topic: list[TopicCases]


def teaching_history(attempts: list[Any]) -> TeachingHistory:
    """A trainee's attempts (`selectors.teaching_attempt_list`) summed up: cases tried, answers right per question,
    and how much of each topic the cases tried cover."""
    topics_by_case = {case.name: case.topics for case in teaching_case_list()}
    tried = {a.case_name for a in attempts}
    return TeachingHistory(
        attempts=attempts,
        cases_tried=len(tried),
        by_question=question_scores(a.marks for a in attempts),
        by_topic=topic_cases(tried, topics_by_case),
    )
