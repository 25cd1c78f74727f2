"""Service layer: every write, and the engine run. Views and commands call only this (reads: selectors.py).

Each write runs in one transaction with its audit event, so that a failure leaves nothing half-written and nothing
happens without a trace.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from assessments.clinical import assess, parse_input, to_json
from assessments.models import (
    AuditEvent,
    DeclineReason,
    Patient,
    Reminder,
    ReminderState,
    Review,
    ReviewStatus,
    SavedAssessment,
    TeachingAttempt,
    Ward,
)
from assessments.roles import Role, user_roles


@dataclass(frozen=True)
class AssessmentOutcome:
    """Either `output` (the contract output) or `errors` (field errors), never both."""

    output: dict[str, Any] | None
    errors: list[dict[str, str]]

    @property
    def ok(self) -> bool:
        return self.output is not None


class ServiceError(Exception):
    """A write refused for a reason the user can fix; the message says what to do."""


class EngineRefused(ServiceError):
    """The engine refused the input; `errors` are its field errors (contract paths), for the form to place."""

    def __init__(self, errors: list[dict[str, str]]) -> None:
        super().__init__("The assessment input is not valid: correct the fields marked.")
        self.errors = errors


class ReviewConflict(ServiceError):
    """Someone reviewed the plan since this reviewer opened it; `current` is that review."""

    def __init__(self, current: Review | None) -> None:
        super().__init__("Another pharmacist reviewed this plan while you had it open; nothing was overwritten.")
        self.current = current


def assessment_run(*, data: Any) -> AssessmentOutcome:
    parsed = parse_input(data)
    if parsed.input is None:
        return AssessmentOutcome(None, [{"field": e.field, "message": e.message} for e in parsed.errors])
    return AssessmentOutcome(to_json(assess(parsed.input)), [])


def _audit(
    user: AbstractBaseUser | None,
    action: str,
    obj: Any,
    *,
    patient: Patient | None,
    **detail: Any,
) -> None:
    AuditEvent.objects.create(
        user=user,
        action=action,
        object_type=type(obj).__name__,
        object_id=str(obj.pk),
        patient=patient,
        detail=detail,
    )


# --- Patients -------------------------------------------------------------------------------------------------------


@transaction.atomic
def patient_create(
    *,
    user: AbstractBaseUser,
    hospital_id: str,
    label: str,
    transplant_type: str,
    transplant_date: dt.date,
    ward: Ward,
) -> Patient:
    hospital_id = hospital_id.strip()
    if Patient.objects.filter(hospital_id=hospital_id).exists():
        raise ServiceError("A patient with this hospital identifier already exists.")
    patient = Patient.objects.create(
        hospital_id=hospital_id,
        label=label.strip(),
        transplant_type=transplant_type,
        transplant_date=transplant_date,
        ward=ward,
        created_by=user,
    )
    _audit(user, AuditEvent.Action.CREATE, patient, patient=patient)
    return patient


# --- Saved assessments ----------------------------------------------------------------------------------------------


def _trough(data: dict[str, Any]) -> tuple[str, Decimal | None, str]:
    """The first immunosuppressant with a trough, for the timeline's second track."""
    for item in data.get("immunosuppressants") or ():
        trough = item.get("trough")
        if trough:
            return item["drug"], Decimal(str(trough["value"])), trough["unit"]
    return "", None, ""


@transaction.atomic
def assessment_save(
    *,
    user: AbstractBaseUser,
    patient: Patient,
    data: dict[str, Any],
    sample_time: dt.datetime,
    completes: Reminder | None = None,
) -> SavedAssessment:
    """Run the engine on the input as entered and keep input, output and rule set together.

    The transplant day and type come from the patient record and the sample time, not from what was typed: a
    saved record must agree with its patient. Reminders become records due from the time of saving (when the plan
    starts). `completes` is the reminder this new Mg answers: it is closed as done in the same transaction.
    Raises EngineRefused, with the engine's field errors, when the engine refuses the input.
    """
    if completes is not None and completes.patient_id != patient.pk:
        # A recheck saved to another patient must not close this patient's reminder (wrong patient, HAZ15).
        raise ServiceError("The reminder being answered belongs to another patient: choose that patient or start anew.")
    data = copy.deepcopy(data)
    data["transplant"] = {"type": patient.transplant_type, "day": patient.day_after_transplant(sample_time)}
    outcome = assessment_run(data=data)
    if outcome.output is None:
        raise EngineRefused(outcome.errors)
    output = outcome.output
    drug, trough_value, trough_unit = _trough(data)
    saved = SavedAssessment.objects.create(
        patient=patient,
        input=data,
        output=output,
        ruleset=output["ruleset"],
        sample_time=sample_time,
        transplant_day=data["transplant"]["day"],
        clinical_severity=output["severity"]["clinical_severity"],
        ctcae_grade=output["severity"]["ctcae_grade"],
        mg_mmol_per_l=Decimal(str(output["magnesium"]["mmol_per_l"])),
        route=output["plan"]["route"],
        trough_drug=drug,
        trough_value=trough_value,
        trough_unit=trough_unit,
        author=user,
    )
    Reminder.objects.bulk_create(
        Reminder(
            assessment=saved,
            patient=patient,
            code=item["id"],
            text=item["text"],
            because=item["because"],
            references=item["references"],
            due_at=saved.created_at + dt.timedelta(hours=item["due_in_hours"] or 0),
        )
        for item in output["reminders"]
    )
    _audit(user, AuditEvent.Action.SAVE, saved, patient=patient, ruleset=saved.ruleset)
    if completes is not None:
        _reminder_close(user=user, reminder=completes, state=ReminderState.DONE, follow_up=saved)
    return saved


def assessment_reassess(saved: SavedAssessment) -> AssessmentOutcome:
    """Today's rules on the input as it was saved; nothing is stored (the saved record stays as it was)."""
    return assessment_run(data=saved.input)


# --- Reminders ------------------------------------------------------------------------------------------------------


def _reminder_close(
    *, user: AbstractBaseUser, reminder: Reminder, state: str, reason: str = "", follow_up=None
) -> Reminder:
    # Only an open reminder can be closed; the row lock keeps two clicks from closing it twice.
    locked = Reminder.objects.select_for_update().get(pk=reminder.pk)
    if locked.state != ReminderState.OPEN:
        raise ServiceError(f"This reminder was already marked {locked.get_state_display().lower()}.")
    locked.state = state
    locked.reason = reason
    locked.closed_by = user
    locked.closed_at = timezone.now()
    locked.follow_up = follow_up
    locked.save()
    _audit(
        user,
        AuditEvent.Action.REMINDER,
        locked,
        patient=locked.patient,
        state=state,
        follow_up=follow_up.pk if follow_up else None,
    )
    return locked


@transaction.atomic
def reminder_complete(*, user: AbstractBaseUser, reminder: Reminder) -> Reminder:
    """Done, without a new Mg (a new Mg goes through `assessment_save(completes=...)`)."""
    return _reminder_close(user=user, reminder=reminder, state=ReminderState.DONE)


@transaction.atomic
def reminder_not_needed(*, user: AbstractBaseUser, reminder: Reminder, reason: str) -> Reminder:
    if not reason.strip():
        raise ServiceError("Say why the reminder is not needed.")
    return _reminder_close(user=user, reminder=reminder, state=ReminderState.NOT_NEEDED, reason=reason.strip())


# --- Pharmacist review ----------------------------------------------------------------------------------------------


@transaction.atomic
def review_submit(
    *,
    user: AbstractBaseUser,
    assessment: SavedAssessment,
    version: int,
    outcome: str,
    amended_dose: str = "",
    note: str = "",
    reason_code: str = "",
    reason_text: str = "",
) -> Review:
    """Record a pharmacist's decision, only against the version they opened (optimistic locking).

    The conditional UPDATE is the lock: of two pharmacists submitting on the same version, exactly one matches
    the row; the other gets ReviewConflict carrying the review that won.
    """
    amended_dose, note, reason_text = amended_dose.strip(), note.strip(), reason_text.strip()
    if outcome == Review.Outcome.AMENDED and not amended_dose:
        raise ServiceError("An amendment needs the amended dose.")
    if outcome == Review.Outcome.DECLINED and reason_code not in DeclineReason.values:
        raise ServiceError("A decline needs a reason.")
    if reason_code == DeclineReason.OTHER and not reason_text:
        raise ServiceError("Describe the reason when it is 'Other'.")
    if outcome != Review.Outcome.DECLINED:
        reason_code, reason_text = "", ""
    updated = SavedAssessment.objects.filter(pk=assessment.pk, version=version).update(
        version=version + 1, review_status=ReviewStatus(outcome)
    )
    if not updated:
        raise ReviewConflict(assessment.reviews.select_related("reviewer").first())
    review = Review.objects.create(
        assessment=assessment,
        reviewer=user,
        outcome=outcome,
        amended_dose=amended_dose,
        note=note,
        reason_code=reason_code,
        reason_text=reason_text,
    )
    _audit(
        user, AuditEvent.Action.REVIEW, review, patient=assessment.patient, outcome=outcome, assessment=assessment.pk
    )
    return review


def export_recorded(*, user: AbstractBaseUser, obj: Any, patient: Patient | None, what: str) -> None:
    """An export (print or download of a record) leaves a trace like a write does."""
    _audit(user, AuditEvent.Action.EXPORT, obj, patient=patient, what=what)


# --- Teaching attempts ----------------------------------------------------------------------------------------------
# The only thing teaching mode keeps: a signed-in trainee's answers and marks per case. Teaching cases are invented,
# so nothing about patients is involved.


def teaching_attempt_is_kept(*, user: Any) -> bool:
    """Only trainees' attempts are kept (issue 5: "signed-in trainees see their history; nothing else is kept")."""
    return Role.TRAINEE in user_roles(user)


def teaching_attempt_create(
    *, user: AbstractBaseUser, case_name: str, answers: dict[str, str | None], marks: dict[str, bool]
) -> TeachingAttempt:
    return TeachingAttempt.objects.create(user=user, case_name=case_name, answers=answers, marks=marks)


# --- CDS Hooks feedback ---------------------------------------------------------------------------------------------


@transaction.atomic
def cds_feedback_record(*, feedback: list[tuple[str, dict[str, Any]]]) -> int:
    """Each accepted or overridden card (card uuid, detail), as validated by `ehr.cds_hooks.feedback_parse` (at most
    `cds_hooks.MAX_FEEDBACK_ITEMS`), in the audit log: one INSERT in one transaction, so all or none (issue 15: a
    request that failed part-way left its first rows). The EHR's call has no HypoMag user and the audit log no
    patient identifier."""
    events = [
        AuditEvent(action=AuditEvent.Action.CDS_FEEDBACK, object_type="cds_card", object_id=card, detail=detail)
        for card, detail in feedback
    ]
    AuditEvent.objects.bulk_create(events)
    return len(events)
