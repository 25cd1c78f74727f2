"""Answer marking: pure, against a hand-made output, so each rule of marking is visible in the test."""

from __future__ import annotations

from assessments.clinical import assess, parse_input, to_json
from assessments.clinical.route import REASON_SOURCES
from assessments.labels import REASON_LABELS
from assessments.teaching.cases import teaching_case_get
from assessments.teaching.marking import (
    CAUSE_CHOICES,
    NO_CAUSE,
    NO_REMINDER,
    QUESTIONS,
    mark_answers,
    marks_record,
    question_scores,
    topic_cases,
)


def output(**changes) -> dict:
    base = {
        "severity": {
            "ctcae_grade": 2,
            "because": ["Mg 0.45 mmol/L ...: CTCAE grade 2", "other"],
            "references": ["S17"],
        },
        "causes": [
            {"id": "cni_tacrolimus", "score": 75, "because": ["tacrolimus"], "references": ["S4"]},
            {"id": "foscarnet", "score": 45, "because": ["foscarnet"], "references": ["S12"]},
        ],
        "plan": {
            "route": "iv",
            "reasons": ["grade_2_or_worse"],
            "steps": [{"id": "give_iv_magnesium", "because": ["CTCAE grade 2 (>= 2)"], "references": ["S31"]}],
        },
        "reminders": [
            {
                "id": "daily_electrolytes",
                "text": "Daily.",
                "due_in_hours": 24,
                "because": ["inpatient"],
                "references": [],
            },
            {
                "id": "recheck_mg_after_iv",
                "text": "Recheck.",
                "due_in_hours": 9,
                "because": ["3 h + 6 h"],
                "references": ["S30"],
            },
        ],
    }
    base.update(changes)
    return base


def by_question(marks):
    return {m.question: m for m in marks}


def test_it_marks_right_answers_right():
    answers = {"grade": "2", "cause": "cni_tacrolimus", "route": "iv", "monitoring": "recheck_mg_after_iv"}
    marks = mark_answers(answers=answers, output=output())
    assert [m.question for m in marks] == [q.id for q in QUESTIONS]
    assert all(m.correct for m in marks)


def test_it_marks_wrong_answers_wrong_and_gives_the_engines_answer_with_reason_and_sources():
    answers = {"grade": "1", "cause": "foscarnet", "route": "oral", "monitoring": "daily_electrolytes"}
    marks = by_question(mark_answers(answers=answers, output=output()))
    assert not any(m.correct for m in marks.values())
    assert marks["grade"].expected == ("2",)
    assert marks["grade"].reason == ("Mg 0.45 mmol/L ...: CTCAE grade 2",)
    assert marks["cause"].expected_labels == (CAUSE_CHOICES["cni_tacrolimus"],)
    assert marks["cause"].references == ("S4",)
    # The route's sources come from the engine's own reason table (route.REASON_SOURCES).
    assert marks["route"].references == ("S30", "S31")
    assert "Why this route: grade 2 or worse" in marks["route"].reason
    # The first monitoring step is the reminder due first, not the first one listed.
    assert marks["monitoring"].expected == ("recheck_mg_after_iv",)


def test_a_blank_or_unknown_answer_is_wrong_not_an_error():
    marks = by_question(mark_answers(answers={"grade": "", "route": "subcutaneous"}, output=output()))
    assert marks["grade"].answer is None and marks["grade"].answer_label == "Not answered"
    assert marks["route"].answer is None and not marks["route"].correct
    assert marks["cause"].answer is None


def test_causes_tied_at_the_top_are_all_accepted():
    tied = output(
        causes=[
            {"id": "aminoglycoside", "score": 45, "because": ["a"], "references": ["S12"]},
            {"id": "platinum_chemotherapy", "score": 45, "because": ["p"], "references": ["S12", "S29"]},
            {"id": "poor_oral_intake", "score": 20, "because": ["i"], "references": ["S32"]},
        ]
    )
    marks = by_question(mark_answers(answers={"cause": "platinum_chemotherapy"}, output=tied))
    assert marks["cause"].correct
    assert marks["cause"].expected == ("aminoglycoside", "platinum_chemotherapy")
    assert not by_question(mark_answers(answers={"cause": "poor_oral_intake"}, output=tied))["cause"].correct


def test_reminders_due_at_the_same_first_time_are_all_accepted():
    due_now = output(
        reminders=[
            {"id": "continuous_ecg", "text": "ECG.", "due_in_hours": 0, "because": ["bolus"], "references": ["S89"]},
            {
                "id": "hypermagnesemia_watch",
                "text": "Watch.",
                "due_in_hours": 0,
                "because": ["bolus"],
                "references": [],
            },
            {"id": "recheck_mg_after_iv", "text": "Recheck.", "due_in_hours": 6, "because": ["b"], "references": []},
        ]
    )
    marks = by_question(mark_answers(answers={"monitoring": "hypermagnesemia_watch"}, output=due_now))
    assert marks["monitoring"].correct
    assert set(marks["monitoring"].expected) == {"continuous_ecg", "hypermagnesemia_watch"}


def test_no_cause_and_no_reminder_are_answers_too():
    empty = output(causes=[], reminders=[])
    marks = by_question(mark_answers(answers={"cause": NO_CAUSE, "monitoring": NO_REMINDER}, output=empty))
    assert marks["cause"].correct and marks["monitoring"].correct


def test_the_record_keeps_only_right_wrong_or_blank_per_question():
    marks = mark_answers(answers={"grade": "2", "route": "oral"}, output=output())
    assert marks_record(marks) == {"grade": True, "cause": None, "route": False, "monitoring": None}


def test_each_answer_counts_once_under_its_own_question():
    # A tester read "Severity 4 right of 6" after three cases as wrong: every answer of a case counted under each of
    # its topics. An answer now counts under its question only.
    records = [
        {"grade": True, "cause": False, "route": None, "monitoring": True},
        {"grade": True, "cause": True, "route": False},  # a blank is not an answer; a missing one neither
        {"grade": False, "retired_question": True},  # a question no longer asked counts nowhere
    ]
    scores = {s.question.id: (s.right, s.answered) for s in question_scores(records)}
    assert scores == {"grade": (2, 3), "cause": (1, 2), "route": (0, 1), "monitoring": (1, 1)}
    assert [s.question.name for s in question_scores(records)] == [
        "CTCAE grade", "Leading cause", "Route", "First monitoring step"
    ]  # fmt: skip


def test_topics_say_how_many_of_their_cases_were_tried_of_how_many():
    library = {"T1": ["renal", "dose"], "T2": ["renal"], "T3": ["dose"], "T4": ["qtc"]}
    covered = {t.topic: (t.tried, t.in_library) for t in topic_cases(["T1", "T2", "gone"], library)}
    assert covered == {"Dose": (1, 2), "Renal impairment": (2, 2)}  # untried topics left out; "gone" counts nowhere
    assert [t.topic for t in topic_cases(["T1"], library)] == ["Dose", "Renal impairment"]  # the library's order


def test_a_unit_check_that_replaces_the_plan_step_is_the_routes_reason():
    # PROTOCOL.md section 2.1: with a unit check of kind P1, `confirm_magnesium_unit` replaces `no_replacement_needed`;
    # the route's answer then says why nothing is given yet.
    confirm = {"id": "confirm_magnesium_unit", "because": ["1.1 mmol/L is low in mg/dL"], "references": ["S53"]}
    plan = {"route": "none", "reasons": ["hypermagnesemia"], "steps": [confirm]}
    marks = by_question(mark_answers(answers={"route": "none"}, output=output(plan=plan)))
    assert marks["route"].correct
    assert marks["route"].reason == (
        "Why this route: magnesium above the upper limit of normal",
        "1.1 mmol/L is low in mg/dL",
    )


def test_route_reasons_are_written_in_words():
    plan = {"route": "iv", "reasons": ["grade_2_or_worse", "diarrhea_or_gut_gvhd", "qtc_critical"], "steps": []}
    marks = by_question(mark_answers(answers={}, output=output(plan=plan)))
    assert marks["route"].reason == ("Why this route: grade 2 or worse, diarrhea or gut GVHD, critical QTc",)


def test_every_route_reason_of_the_protocol_has_words():
    # A reason added to the core (route.REASON_SOURCES is section 4's list) needs words before a trainee sees it.
    assert set(REASON_LABELS) == set(REASON_SOURCES)


def test_the_answer_to_check_k_and_ca_now_agrees_with_its_reason_when_one_of_them_is_given():
    # An independent tester: T11 (potassium given, no calcium) gave "Check potassium and calcium now" as the answer
    # while its own reason read "Check calcium now". The choice names the reminder for every case it fits.
    case = teaching_case_get(name="T11_child_3y_seizure_grade3_tacrolimus")
    result = to_json(assess(parse_input(case.input).input))
    mark = by_question(mark_answers(answers={"monitoring": "check_k_and_ca_now"}, output=result))["monitoring"]
    assert mark.correct and "check_k_and_ca_now" in mark.expected
    label = mark.expected_labels[mark.expected.index("check_k_and_ca_now")]
    assert label == "Check potassium and calcium now (those not given)"
    assert any(line.startswith("Check calcium now") for line in mark.reason)
