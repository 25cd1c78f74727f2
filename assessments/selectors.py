"""Reads: demo cases, the records (patients, assessments, reminders, review queue, audit log), teaching attempts.

Demo cases: the golden cases of the shared clinical folder, copied into `assessments/bedside/examples/` so
that the app needs nothing outside the repository at run time (`tests/web/bedside/test_views.py` checks that
the copies still match).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Case, Count, Exists, OuterRef, Prefetch, Q, Subquery, When
from django.shortcuts import get_object_or_404

from assessments.labels import EXAMPLE_TITLES
from assessments.models import (
    AuditEvent,
    Patient,
    Reminder,
    ReminderState,
    Review,
    ReviewStatus,
    SavedAssessment,
    StaffProfile,
    TeachingAttempt,
    Ward,
)

DEMO_CASES_DIR = Path(__file__).resolve().parent / "bedside" / "examples"


@dataclass(frozen=True)
class DemoCase:
    name: str
    description: str
    input: dict[str, Any]

    @property
    def title(self) -> str:
        """What the example shows, in words (labels.EXAMPLE_TITLES); an example without one: its name, spaced."""
        if self.name in EXAMPLE_TITLES:
            return EXAMPLE_TITLES[self.name]
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


# --- Records --------------------------------------------------------------------------------------------------------
# Each list is a bounded number of queries whatever the data (select_related / prefetch_related / annotations):
# tests/web/records/test_queries.py holds them to it with 500 patients x 50 assessments.


def ward_of(user: Any) -> Ward | None:
    profile = StaffProfile.objects.filter(user=user).select_related("ward").first()
    return profile.ward if profile else None


def patient_list(*, ward: Ward | None = None) -> list[Patient]:
    patients = Patient.objects.select_related("ward").annotate(
        assessment_count=Count("assessments", distinct=True),
        open_reminders=Count("reminders", filter=Q(reminders__state=ReminderState.OPEN), distinct=True),
    )
    if ward is not None:
        patients = patients.filter(ward=ward)
    return list(patients.order_by("ward__name", "label"))


def patient_exists(*, pk: str | int) -> bool:
    """For a patient id from a query string: digits only, and the patient must exist."""
    return str(pk).isdigit() and Patient.objects.filter(pk=pk).exists()


def patient_get_or_none(*, pk: str | int | None) -> Patient | None:
    """For a patient id from a query string: None for anything that is not the id of a patient."""
    if pk is None or not str(pk).isdigit():
        return None
    return Patient.objects.filter(pk=pk).first()


def patient_get(*, pk: int) -> Patient:
    return get_object_or_404(Patient.objects.select_related("ward"), pk=pk)


def patient_assessments(*, patient: Patient) -> list[SavedAssessment]:
    """Newest first, each with its latest review (one extra query for all reviews, not one per row)."""
    return list(
        patient.assessments.select_related("author").prefetch_related(
            Prefetch("reviews", queryset=Review.objects.select_related("reviewer"))
        )
    )


@dataclass(frozen=True)
class PatientReminders:
    """The patient's current reminders (open), then those closed (done, not needed) and those superseded."""

    open: list[Reminder]
    closed: list[Reminder]
    superseded: list[Reminder]


def patient_reminders(*, patient: Patient) -> PatientReminders:
    rows = list(
        patient.reminders.select_related(
            "closed_by", "assessment", "amendment", "superseded_by", "superseded_by_amendment"
        )
    )
    return PatientReminders(
        open=[r for r in rows if r.state == ReminderState.OPEN],
        closed=[r for r in rows if r.state in (ReminderState.DONE, ReminderState.NOT_NEEDED)],
        superseded=[r for r in rows if r.state == ReminderState.SUPERSEDED],
    )


def patient_latest_assessment(*, patient: Patient) -> SavedAssessment | None:
    """The latest sample's assessment: what "New assessment for this patient" starts from."""
    return patient.assessments.order_by("-sample_time", "-pk").first()


def newer_assessment(*, saved: SavedAssessment) -> SavedAssessment | None:
    """The patient's latest assessment when it is of a later sample than `saved`: its plan is the current one (a
    pharmacist reviewing `saved` is told, and sent to it)."""
    return (
        SavedAssessment.objects.filter(patient_id=saved.patient_id, sample_time__gt=saved.sample_time)
        .order_by("-sample_time", "-pk")
        .first()
    )


def assessment_get(*, pk: int) -> SavedAssessment:
    return get_object_or_404(
        SavedAssessment.objects.select_related("patient", "patient__ward", "author").prefetch_related(
            Prefetch("reviews", queryset=Review.objects.select_related("reviewer"))
        ),
        pk=pk,
    )


def assessment_get_or_none(*, pk: str | int | None) -> SavedAssessment | None:
    """For an id from a query string (`?from=`): None for anything that is not the id of a saved assessment."""
    if pk is None or not str(pk).isdigit():
        return None
    return SavedAssessment.objects.filter(pk=pk).first()


def reminder_get(*, pk: int) -> Reminder:
    return get_object_or_404(Reminder.objects.select_related("patient", "assessment"), pk=pk)


@dataclass(frozen=True)
class WardPatient:
    """One patient of the ward list: the latest Mg (its saved assessment) and what is overdue or due soon."""

    patient: Patient
    latest: SavedAssessment | None
    overdue: list[Reminder]
    due_soon: list[Reminder]


def ward_patients(*, ward: Ward | None, now: dt.datetime, horizon_hours: int = 24) -> list[WardPatient]:
    """The ward's patients, grouped: those with something overdue first (longest overdue first), then those with
    something due in the next `horizon_hours`, then the rest; each with the latest sample's assessment. Three
    queries whatever the size of the ward."""
    latest_pk = Subquery(
        SavedAssessment.objects.filter(patient=OuterRef("pk")).order_by("-sample_time", "-pk").values("pk")[:1]
    )
    patients = Patient.objects.select_related("ward").annotate(latest_pk=latest_pk).order_by("label", "pk")
    reminders = Reminder.objects.filter(state=ReminderState.OPEN, due_at__lte=now + dt.timedelta(hours=horizon_hours))
    if ward is not None:
        patients = patients.filter(ward=ward)
        reminders = reminders.filter(patient__ward=ward)
    patients = list(patients)
    latest = SavedAssessment.objects.in_bulk([p.latest_pk for p in patients if p.latest_pk])
    due: dict[int, list[Reminder]] = {}
    for reminder in reminders.select_related("assessment", "amendment").order_by("due_at", "pk"):
        due.setdefault(reminder.patient_id, []).append(reminder)
    rows = [
        WardPatient(
            patient=p,
            latest=latest.get(p.latest_pk),
            overdue=[r for r in due.get(p.pk, []) if r.due_at <= now],
            due_soon=[r for r in due.get(p.pk, []) if r.due_at > now],
        )
        for p in patients
    ]
    far = now + dt.timedelta(days=3650)
    return sorted(
        rows,
        key=lambda row: (
            0 if row.overdue else 1 if row.due_soon else 2,
            (row.overdue or row.due_soon)[0].due_at if (row.overdue or row.due_soon) else far,
        ),
    )


REVIEW_PAGE_SIZE = 50


def review_queue(*, page: str | int | None = 1) -> Page:
    """Plans awaiting review, a page at a time: emergencies first, then oldest first (each row carries its output,
    so the proposed dose is read from it without a query). A plan a pharmacist amended waits too, for a second
    pharmacist's approval (four eyes on the plan the amendment wrote, HAZ36); its reviews come with it
    (`current_amendment`), newest first. `has_newer`: the patient has an assessment of a later sample, whose plan
    is the current one."""
    emergency_first = Case(When(clinical_severity="emergency", then=0), default=1)
    reviews = Review.objects.select_related("reviewer").order_by("-created_at", "-pk")
    later = SavedAssessment.objects.filter(patient=OuterRef("patient"), sample_time__gt=OuterRef("sample_time"))
    pending = (
        SavedAssessment.objects.filter(review_status__in=(ReviewStatus.PENDING, ReviewStatus.AMENDED))
        .select_related("patient", "patient__ward", "author")
        .annotate(has_newer=Exists(later))
        .prefetch_related(Prefetch("reviews", queryset=reviews))
        .order_by(emergency_first, "created_at", "pk")
    )
    return Paginator(pending, REVIEW_PAGE_SIZE).get_page(page)


def audit_events(*, patient_id: int | None = None, user_id: int | None = None, limit: int = 500) -> list[AuditEvent]:
    events = AuditEvent.objects.select_related("user", "patient")
    if patient_id is not None:
        events = events.filter(patient_id=patient_id)
    if user_id is not None:
        events = events.filter(user_id=user_id)
    return list(events[:limit])


# --- Teaching -------------------------------------------------------------------------------------------------------


def teaching_attempt_list(*, user: Any) -> list[TeachingAttempt]:
    """A trainee's attempts, newest first (`teaching.marking.teaching_history` sums them up)."""
    return list(TeachingAttempt.objects.filter(user=user))
