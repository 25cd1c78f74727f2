"""Service layer: every write, and the engine run. Views and commands call only this (reads: selectors.py).

Each write runs in one transaction with its audit event, so that a failure leaves nothing half-written and nothing
happens without a trace.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, Group, User
from django.db import IntegrityError, transaction
from django.utils import timezone

from assessments.clinical import assess, parse_input, to_json
from assessments.models import (
    DUPLICATE_HOSPITAL_ID,
    AuditEvent,
    DeclineReason,
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
from assessments.records.amendment import AmendedPlan, Amendment, amended_plan
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


class RecordDisagrees(ServiceError):
    """The typed input and the chosen patient's record disagree (`Patient.disagreements` rows): the user chooses
    which is right before anything is saved."""

    def __init__(self, rows: list[dict[str, Any]]) -> None:
        super().__init__("What was typed and the patient record disagree: choose which is right.")
        self.rows = rows


class AmendmentRefused(ServiceError):
    """The amended plan breaks a limit of the protocol (`plan.problems`), or its cautions were not confirmed."""

    def __init__(self, plan: AmendedPlan) -> None:
        texts = [problem.text for problem in plan.problems] or ["Confirm the cautions of the amended plan."]
        super().__init__(" ".join(texts))
        self.plan = plan


class ReviewConflict(ServiceError):
    """Someone reviewed the plan since this reviewer opened it; `current` is that review."""

    def __init__(self, current: Review | None) -> None:
        super().__init__("Another pharmacist reviewed this plan while you had it open; nothing was overwritten.")
        self.current = current


def input_errors(*, data: Any) -> list[dict[str, str]]:
    """The engine's field errors for an input, without assessing it: for a form with errors of its own, so that a
    range error ("200 years is outside...") shows with a typing error ("abc" is not a number) instead of after it."""
    return [{"field": e.field, "message": e.message} for e in parse_input(data).errors]


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


def patient_create(
    *,
    user: AbstractBaseUser,
    hospital_id: str,
    label: str,
    transplant_type: str,
    transplant_date: dt.date,
    ward: Ward,
) -> Patient:
    """One patient per hospital identifier, also when two people create the same one at once: the database's
    unique constraint decides, and the second gets the same clear message as a sequential duplicate."""
    hospital_id = hospital_id.strip()
    if Patient.objects.filter(hospital_id__iexact=hospital_id).exists():
        raise ServiceError(DUPLICATE_HOSPITAL_ID)
    try:
        with transaction.atomic():
            patient = Patient.objects.create(
                hospital_id=hospital_id,
                label=label.strip(),
                transplant_type=transplant_type,
                transplant_date=transplant_date,
                ward=ward,
                created_by=user,
            )
            _audit(user, AuditEvent.Action.CREATE, patient, patient=patient)
    except IntegrityError:
        if Patient.objects.filter(hospital_id__iexact=hospital_id).exists():
            raise ServiceError(DUPLICATE_HOSPITAL_ID) from None
        raise
    return patient


def _patient_correct(*, user: AbstractBaseUser, patient: Patient, data: dict[str, Any], sample_time: dt.datetime):
    """The patient record takes the typed transplant type and day (the user said the typed values are right)."""
    typed = data["transplant"]
    before = {"transplant_type": patient.transplant_type, "transplant_date": patient.transplant_date.isoformat()}
    patient.transplant_type = typed["type"]
    patient.transplant_date = patient.transplant_date_for(day=typed["day"], at=sample_time)
    patient.save(update_fields=["transplant_type", "transplant_date"])
    after = {"transplant_type": patient.transplant_type, "transplant_date": patient.transplant_date.isoformat()}
    changes = {key: [before[key], after[key]] for key in before if before[key] != after[key]}
    _audit(
        user, AuditEvent.Action.UPDATE, patient, patient=patient, changes=changes, why="corrected from the assessment"
    )
    return changes


# --- Saved assessments ----------------------------------------------------------------------------------------------


def _trough(data: dict[str, Any]) -> tuple[str, Decimal | None, str]:
    """The first immunosuppressant with a trough, for the timeline's second track."""
    for item in data.get("immunosuppressants") or ():
        trough = item.get("trough")
        if trough:
            return item["drug"], Decimal(str(trough["value"])), trough["unit"]
    return "", None, ""


def _reminders_create(
    *,
    user: AbstractBaseUser,
    saved: SavedAssessment,
    items: list[dict[str, Any]],
    start: dt.datetime,
    amendment: Review | None = None,
) -> list[int]:
    """The plan's reminders as records due from `start` (when the plan starts). One current set per patient: they
    supersede every open reminder of the patient's earlier plans (kept, never deleted), of the same kind or not: an
    oral plan's "recheck in 72 h" or "check the creatinine" must not stay beside a later IV plan that has its own
    (or no longer needs them). When the patient already has a later sample, its plan is the current one and these
    are superseded by it at once. Returns the ids of the reminders superseded."""
    created = Reminder.objects.bulk_create(
        Reminder(
            assessment=saved,
            patient=saved.patient,
            code=item["id"],
            text=item["text"],
            because=item["because"],
            references=item["references"],
            due_at=start + dt.timedelta(hours=item["due_in_hours"] or 0),
            amendment=amendment,
        )
        for item in items
    )
    ids = [r.pk for r in created]
    later = (
        SavedAssessment.objects.filter(patient=saved.patient, sample_time__gt=saved.sample_time)
        .order_by("-sample_time", "-pk")
        .first()
    )
    if later is not None:
        return _reminders_supersede(user=user, reminders=Reminder.objects.filter(pk__in=ids), by=later)
    older = Reminder.objects.filter(patient=saved.patient, state=ReminderState.OPEN).exclude(pk__in=ids)
    return _reminders_supersede(user=user, reminders=older, by=saved)


def _reminders_supersede(
    *, user: AbstractBaseUser, reminders, by: SavedAssessment | None = None, amendment: Review | None = None
) -> list[int]:
    ids = list(reminders.values_list("pk", flat=True))
    Reminder.objects.filter(pk__in=ids).update(
        state=ReminderState.SUPERSEDED,
        closed_by=user,
        closed_at=timezone.now(),
        superseded_by=by,
        superseded_by_amendment=amendment,
    )
    return ids


def assessment_save(
    *,
    user: AbstractBaseUser,
    patient: Patient,
    data: dict[str, Any],
    sample_time: dt.datetime | None,
    completes: Reminder | None = None,
    token: uuid.UUID | None = None,
    correct_record: bool = False,
) -> SavedAssessment:
    """Run the engine on the input as entered and keep input, output and rule set together: what was assessed is
    what is saved, never a value changed behind the user's back.

    When the typed transplant type or day disagrees with the patient record (the day counted from the sample
    time), nothing is saved: RecordDisagrees carries both, for the user to choose. With `correct_record` the
    typed values are right and the record is corrected from them, audited, in the same transaction.
    `token` makes the save idempotent: a second save with the same token (a double click, a resent form) returns
    the first record, when it holds the same input for the same patient and sample time (`sample_time` None: "now",
    the moment of the first press). Reminders become records
    due from the time of saving (when the plan starts) and supersede the patient's open reminders of the same
    kind. `completes` is the reminder this new Mg answers: it is closed as done in the same transaction.
    Raises EngineRefused, with the engine's field errors, when the engine refuses the input.
    """
    if token is not None:
        earlier = _saved_with_token(token=token, patient=patient, data=data, sample_time=sample_time)
        if earlier is not None:
            return earlier
    try:
        return _assessment_save(
            user=user,
            patient=patient,
            data=data,
            sample_time=sample_time,
            completes=completes,
            token=token,
            correct_record=correct_record,
        )
    except IntegrityError:
        # Two presses of Save at once: the unique token let one in; the other returns what it saved.
        earlier = _saved_with_token(token=token, patient=patient, data=data, sample_time=sample_time) if token else None
        if earlier is None:
            raise
        return earlier


def _saved_with_token(
    *, token: uuid.UUID, patient: Patient, data: dict[str, Any], sample_time: dt.datetime | None
) -> SavedAssessment | None:
    """The record saved with this token, if it is the same save."""
    earlier = SavedAssessment.objects.filter(submission_token=token).first()
    return earlier if earlier is not None and _same_save(earlier, patient, data, sample_time) else None


def _same_save(
    earlier: SavedAssessment, patient: Patient, data: dict[str, Any], sample_time: dt.datetime | None
) -> bool:
    """A token reused for other values (the Back button, a changed Mg, Save again) is a new save, not a repeat."""
    same_time = sample_time is None or earlier.sample_time == sample_time
    return earlier.patient_id == patient.pk and earlier.input == data and same_time


def sampled_at(data: dict[str, Any], now: dt.datetime) -> dt.datetime:
    """No sample time given: the hours since the Mg sample, when typed, say when it was drawn (PROTOCOL.md section
    2.2: one fact however it is entered), else now. A 30 h old result saved as drawn now would count the day after
    transplant, the timeline and every reminder from the wrong moment."""
    hours = data.get("labs", {}).get("magnesium", {}).get("age_hours")
    return now if hours is None else now - dt.timedelta(hours=hours)


@transaction.atomic
def _assessment_save(
    *,
    user: AbstractBaseUser,
    patient: Patient,
    data: dict[str, Any],
    sample_time: dt.datetime | None,
    completes: Reminder | None,
    token: uuid.UUID | None,
    correct_record: bool,
) -> SavedAssessment:
    if completes is not None and completes.patient_id != patient.pk:
        # A recheck saved to another patient must not close this patient's reminder (wrong patient, HAZ15).
        raise ServiceError("The reminder being answered belongs to another patient: choose that patient or start anew.")
    # The row lock: the record cannot change between the comparison and the save.
    patient = Patient.objects.select_for_update().get(pk=patient.pk)
    if token is not None:
        earlier = SavedAssessment.objects.filter(submission_token=token).first()
        if earlier is not None and _same_save(earlier, patient, data, sample_time):
            return earlier  # saved by the other press of Save a moment ago
        if earlier is not None:
            token = uuid.uuid4()  # the same form saved again with other values: a save of its own
    sample_time = sample_time or sampled_at(data, timezone.now())
    corrected = None
    rows = patient.disagreements(data, sample_time)
    if rows and not correct_record:
        raise RecordDisagrees(rows)
    outcome = assessment_run(data=data)
    if outcome.output is None:
        raise EngineRefused(outcome.errors)
    if rows:
        corrected = _patient_correct(user=user, patient=patient, data=data, sample_time=sample_time)
    saved = _saved_create(
        user=user,
        patient=patient,
        data=data,
        output=outcome.output,
        sample_time=sample_time,
        submission_token=token,
        record_corrected=corrected,
    )
    if completes is not None:
        # Closed first: the new plan's reminders would otherwise supersede the very reminder this Mg answers.
        _reminder_close(user=user, reminder=completes, state=ReminderState.DONE, follow_up=saved)
    superseded = _reminders_create(user=user, saved=saved, items=outcome.output["reminders"], start=saved.created_at)
    _audit(user, AuditEvent.Action.SAVE, saved, patient=patient, ruleset=saved.ruleset, superseded=superseded)
    return saved


def _saved_create(
    *, user: AbstractBaseUser, patient: Patient, data: dict[str, Any], output: dict[str, Any], **fields: Any
) -> SavedAssessment:
    """The record with the copies of its output that the lists read (grade, severity, Mg, route, trough)."""
    drug, trough_value, trough_unit = _trough(data)
    return SavedAssessment.objects.create(
        patient=patient,
        input=data,
        output=output,
        ruleset=output["ruleset"],
        transplant_day=data["transplant"]["day"],
        clinical_severity=output["severity"]["clinical_severity"],
        ctcae_grade=output["severity"]["ctcae_grade"],
        mg_mmol_per_l=Decimal(str(output["magnesium"]["mmol_per_l"])),
        route=output["plan"]["route"],
        trough_drug=drug,
        trough_value=trough_value,
        trough_unit=trough_unit,
        author=user,
        **fields,
    )


@transaction.atomic
def assessment_restore(
    *, user: AbstractBaseUser, patient: Patient, data: dict[str, Any], output: dict[str, Any], sample_time: dt.datetime
) -> SavedAssessment:
    """An assessment exactly as another rule set recorded it (input, output and rule set, e.g. the demo's plan saved
    under 2026.1, or a record's JSON download): kept as it is, never re-run with today's rules; its reminders as
    that output lists them, due from now. The record must agree with the patient, as for any save."""
    rows = patient.disagreements(data, sample_time)
    if rows:
        raise RecordDisagrees(rows)
    saved = _saved_create(user=user, patient=patient, data=data, output=output, sample_time=sample_time)
    superseded = _reminders_create(user=user, saved=saved, items=output["reminders"], start=saved.created_at)
    _audit(user, AuditEvent.Action.SAVE, saved, patient=patient, ruleset=saved.ruleset, superseded=superseded)
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
        reason=reason,
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


FOUR_EYES = "You saved this plan: another pharmacist reviews it (four eyes)."
OWN_AMENDMENT = "You amended this plan: another pharmacist approves the amendment (four eyes)."


def review_allowed(*, user: AbstractBaseUser, assessment: SavedAssessment) -> bool:
    """Four eyes: the person who saved a plan never signs it off."""
    return assessment.author_id != user.pk


def amendment_check(*, assessment: SavedAssessment, entered: Amendment) -> AmendedPlan:
    """The amended plan checked against the protocol's limits with the current rules; nothing is stored. Raises
    NotAssessable when the current rules refuse the saved input."""
    return amended_plan(data=assessment.input, entered=entered)


def approval_allowed(*, user: AbstractBaseUser, assessment: SavedAssessment) -> bool:
    """Four eyes on an amendment: it is a plan its pharmacist wrote, so another pharmacist approves it. Amending it
    again or declining stays open to them."""
    amended = assessment.current_amendment
    return amended is None or amended.reviewer_id != user.pk


@transaction.atomic
def review_submit(
    *,
    user: AbstractBaseUser,
    assessment: SavedAssessment,
    version: int,
    outcome: str,
    amendment: Amendment | None = None,
    cautions_confirmed: bool = False,
    note: str = "",
    reason_code: str = "",
    reason_text: str = "",
) -> Review:
    """Record a pharmacist's decision, only against the version they opened (optimistic locking), never on a plan
    they saved themselves (four eyes).

    An amendment is a plan: checked against the protocol's limits (refused when faster or stronger than they
    allow; its cautions need `cautions_confirmed`), kept as `Review.amended_plan`, and its reminders, due from now,
    supersede the open reminders of the plan it replaces. The conditional UPDATE is the lock: of two pharmacists
    submitting on the same version, exactly one matches the row; the other gets ReviewConflict carrying the
    review that won.
    """
    if not review_allowed(user=user, assessment=assessment):
        raise ServiceError(FOUR_EYES)
    if outcome == Review.Outcome.APPROVED and not approval_allowed(user=user, assessment=assessment):
        raise ServiceError(OWN_AMENDMENT)
    note, reason_text = note.strip(), reason_text.strip()
    plan = None
    if outcome == Review.Outcome.AMENDED:
        if amendment is None:
            raise ServiceError("An amendment needs the amended plan: route, dose and duration.")
        plan = amendment_check(assessment=assessment, entered=amendment)
        if not plan.ok or (plan.cautions and not cautions_confirmed):
            raise AmendmentRefused(plan)
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
        amended_plan=plan.as_json() if plan else None,
        note=note,
        reason_code=reason_code,
        reason_text=reason_text,
    )
    superseded: list[int] = []
    if plan is not None:
        replaced = Reminder.objects.filter(assessment=assessment, state=ReminderState.OPEN)
        superseded = _reminders_supersede(user=user, reminders=replaced, amendment=review)
        superseded += _reminders_create(
            user=user,
            saved=assessment,
            items=plan.as_json()["reminders"],
            start=review.created_at,
            amendment=review,
        )
    _audit(
        user,
        AuditEvent.Action.REVIEW,
        review,
        patient=assessment.patient,
        outcome=outcome,
        assessment=assessment.pk,
        superseded=superseded,
    )
    return review


def export_recorded(*, user: AbstractBaseUser, obj: Any, patient: Patient | None, what: str) -> None:
    """An export (print or download of a record) leaves a trace like a write does."""
    _audit(user, AuditEvent.Action.EXPORT, obj, patient=patient, what=what)


# --- Administration -------------------------------------------------------------------------------------------------
# The Django admin writes through these (assessments/admin.py `AuditedAdmin`), so that a change of a patient's
# identifier, transplant date or ward, of a ward, a user or a role leaves the same trace as any other write.


def _shown(value: Any) -> Any:
    """A value as the audit log keeps it: JSON-safe, a related object by its name."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return str(value)


def admin_object_save(*, user: AbstractBaseUser, obj: Any, fields: list[str]) -> None:
    """Save an object changed (or added) in the admin, with its audit event: each changed field before and after
    (passwords never)."""
    with transaction.atomic():
        before = type(obj).objects.filter(pk=obj.pk).first() if obj.pk is not None else None
        obj.save()
        changes = {
            name: ["(hidden)", "(hidden)"]
            if name == "password"
            else [_shown(getattr(before, name, None)) if before else None, _shown(getattr(obj, name, None))]
            for name in fields
        }
        action = AuditEvent.Action.UPDATE if before is not None else AuditEvent.Action.CREATE
        _audit(user, action, obj, patient=obj if isinstance(obj, Patient) else None, changes=changes, via="admin")


def admin_relations_changed(
    *, user: AbstractBaseUser, obj: Any, name: str, before: list[str], after: list[str]
) -> None:
    """A many-to-many change in the admin (a user's groups are their roles)."""
    if sorted(before) == sorted(after):
        return
    action = AuditEvent.Action.ROLE if name == "groups" else AuditEvent.Action.UPDATE
    _audit(user, action, obj, patient=None, changes={name: [sorted(before), sorted(after)]}, via="admin")


def admin_object_delete(*, user: AbstractBaseUser, obj: Any) -> None:
    """Delete in the admin, with its audit event (what was deleted, by name). Patients cannot be deleted: their
    audit events protect them."""
    with transaction.atomic():
        _audit(
            user,
            AuditEvent.Action.DELETE,
            obj,
            patient=None,
            deleted=str(obj),
            model=type(obj)._meta.label,
            via="admin",
        )
        obj.delete()


def admin_password_changed(*, user: AbstractBaseUser, target: Any) -> None:
    _audit(
        user,
        AuditEvent.Action.UPDATE,
        target,
        patient=None,
        changes={"password": ["(hidden)", "(hidden)"]},
        via="admin",
    )


@transaction.atomic
def user_create(*, username: str, password: str, role: str, ward: str | None = None, by: Any = None) -> User:
    """A user in one role (hospital IT, `manage.py add_user`), audited; an administrator is staff in the admin."""
    user = User(username=username)
    user.set_password(password)
    user.is_staff = user.is_superuser = role == Role.ADMIN
    user.save()
    user.groups.add(Group.objects.get(name=role))
    detail: dict[str, Any] = {"role": role}
    if ward:
        StaffProfile.objects.create(user=user, ward=Ward.objects.get_or_create(name=ward)[0])
        detail["ward"] = ward
    _audit(by, AuditEvent.Action.CREATE, user, patient=None, via="add_user", **detail)
    return user


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
