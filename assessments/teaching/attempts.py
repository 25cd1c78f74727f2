"""Teaching attempts: the only thing teaching mode keeps (a signed-in trainee's answers and marks per case).

`teaching_attempt_create` is the one write; `teaching_history` the one read. Nothing about patients is involved:
teaching cases are invented.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from assessments.models import TeachingAttempt
from assessments.roles import Role, user_roles
from assessments.teaching.cases import TOPICS, teaching_case_list
from assessments.teaching.marking import TopicScore, topic_scores


def attempt_is_kept(*, user: Any) -> bool:
    """Only trainees' attempts are kept (the issue: "signed-in trainees see their history; nothing else is kept")."""
    return Role.TRAINEE in user_roles(user)


def teaching_attempt_create(
    *, user: Any, case_name: str, answers: dict[str, str | None], marks: dict[str, bool]
) -> TeachingAttempt:
    return TeachingAttempt.objects.create(user=user, case_name=case_name, answers=answers, marks=marks)


@dataclass(frozen=True)
class History:
    attempts: list[TeachingAttempt]
    cases_tried: int
    by_topic: list[TopicScore]


def teaching_history(*, user: Any) -> History:
    attempts = list(TeachingAttempt.objects.filter(user=user))
    topics_by_case = {case.name: case.topics for case in teaching_case_list()}
    scores = topic_scores(((a.case_name, a.marks) for a in attempts), topics_by_case)
    order = list(TOPICS)
    return History(
        attempts=attempts,
        cases_tried=len({a.case_name for a in attempts}),
        by_topic=sorted(scores, key=lambda s: order.index(s.topic)),
    )
