"""Records: patients, saved assessments with their reminders and reviews, the audit log, teaching attempts.

Writes go through `assessments/services.py` (in a transaction, with an audit event); reads through
`assessments/selectors.py`. A saved assessment keeps the input exactly as entered (values with their units) and
the engine output of its day, so that a record always shows what was recommended at the time.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from assessments.clinical.inputs import TransplantType


class Ward(models.Model):
    name = models.CharField(max_length=60, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class StaffProfile(models.Model):
    """The ward a member of staff works on: `/ward/` opens on it."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile")
    ward = models.ForeignKey(Ward, null=True, blank=True, on_delete=models.SET_NULL)

    def __str__(self) -> str:
        return f"{self.user} ({self.ward or 'no ward'})"


DUPLICATE_HOSPITAL_ID = "A patient with this hospital identifier already exists: choose that patient instead."


class Patient(models.Model):
    """A transplant patient, known by the hospital identifier; no name or date of birth is needed."""

    hospital_id = models.CharField("hospital identifier", max_length=40, unique=True)
    label = models.CharField("display label", max_length=40, help_text="For example initials and bed: 'JS bed 4'.")
    transplant_type = models.CharField(max_length=20, choices=[(t.value, t.value) for t in TransplantType])
    transplant_date = models.DateField("transplant date (day 0)")
    ward = models.ForeignKey(Ward, on_delete=models.PROTECT, related_name="patients")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["label"]
        constraints = [
            # "demo-0001" is DEMO-0001: one patient per identifier in any letter case (HAZ39, two records for one
            # patient), whoever writes it (the form, the admin, two people at once).
            models.UniqueConstraint(
                Lower("hospital_id"),
                name="patient_hospital_id_any_case",
                violation_error_message=DUPLICATE_HOSPITAL_ID,
            ),
        ]

    def __str__(self) -> str:
        return self.label

    def day_after_transplant(self, at: dt.datetime) -> int:
        """The day after transplant of a moment, counted in the hospital's time zone (day 0 = transplant date)."""
        return (timezone.localdate(at) - self.transplant_date).days

    def transplant_date_for(self, *, day: int, at: dt.datetime) -> dt.date:
        """The transplant date (day 0) that makes the moment `at` day `day` after transplant."""
        return timezone.localdate(at) - dt.timedelta(days=day)

    def disagreements(self, data: dict[str, Any], at: dt.datetime) -> list[dict[str, Any]]:
        """What the typed input says against what this record holds, for a sample taken at `at`: one row per
        contract path that differs (`transplant.type`, `transplant.day`), with the typed and the recorded value.
        Empty when they agree."""
        typed = data.get("transplant") or {}
        rows = []
        if typed.get("type") != self.transplant_type:
            rows.append({"field": "transplant.type", "typed": typed.get("type"), "recorded": self.transplant_type})
        recorded_day = self.day_after_transplant(at)
        if typed.get("day") != recorded_day:
            rows.append(
                {
                    "field": "transplant.day",
                    "typed": typed.get("day"),
                    "recorded": recorded_day,
                    "typed_date": self.transplant_date_for(day=typed["day"], at=at).isoformat()
                    if isinstance(typed.get("day"), int)
                    else None,
                    "recorded_date": self.transplant_date.isoformat(),
                }
            )
        return rows


class ReviewStatus(models.TextChoices):
    PENDING = "pending", "Awaiting pharmacist review"
    APPROVED = "approved", "Approved"
    AMENDED = "amended", "Amended"
    DECLINED = "declined", "Declined"


class SavedAssessment(models.Model):
    """One assessment as it was: input as entered, the engine's output, and the rule set that produced it.

    The few columns beside the JSON (grade, severity, Mg, route, trough) are copies of the output for lists, the
    timeline and the review queue, so that those pages need no JSON parsing per row. Mg is stored in mmol/L and the
    trough with its unit: the column names carry the unit.
    """

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="assessments")
    input = models.JSONField()
    output = models.JSONField()
    ruleset = models.CharField(max_length=20)
    sample_time = models.DateTimeField(help_text="When the blood was drawn.")
    transplant_day = models.IntegerField()
    clinical_severity = models.CharField(max_length=20)
    ctcae_grade = models.PositiveSmallIntegerField()
    mg_mmol_per_l = models.DecimalField(max_digits=6, decimal_places=3)
    route = models.CharField(max_length=30)
    trough_drug = models.CharField(max_length=20, blank=True)
    trough_value = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    trough_unit = models.CharField(max_length=20, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    review_status = models.CharField(max_length=20, choices=ReviewStatus.choices, default=ReviewStatus.PENDING)
    # Optimistic locking for review: a review is accepted only against the version the pharmacist opened.
    version = models.PositiveIntegerField(default=1)
    # One record per press of Save: the bedside page carries this token, so a double submit finds the first record.
    submission_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    # When the patient record was corrected from this assessment (the typed transplant type or day was right):
    # {"transplant_type": [before, after], "transplant_date": [before, after]}; None when it was not.
    record_corrected = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-sample_time", "-pk"]
        indexes = [
            models.Index(fields=["patient", "sample_time"]),
            models.Index(fields=["review_status", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.patient} day {self.transplant_day}, grade {self.ctcae_grade}"

    @property
    def is_emergency(self) -> bool:
        return self.clinical_severity == "emergency"

    @property
    def current_amendment(self) -> Review | None:
        """The latest structured pharmacist amendment: the plan now, in place of the engine's (reviews prefetched,
        newest first)."""
        return next((r for r in self.reviews.all() if r.outcome == ReviewStatus.AMENDED and r.amended_plan), None)


class ReminderState(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    NOT_NEEDED = "not_needed", "Not needed"
    # Replaced by a newer plan (for a later sample), or by a pharmacist's amendment: kept, never deleted.
    SUPERSEDED = "superseded", "Superseded"


# The reminders (PROTOCOL section 13) answered by a new serum Mg, so by a new assessment ("Done: enter the new Mg");
# an ECG, a potassium and calcium check or a watch during the infusion is done, not re-assessed.
NEW_MG_REMINDERS = frozenset(
    {
        "recheck_mg_after_iv",
        "recheck_mg_oral",
        "daily_electrolytes",
        "outpatient_cni_monitoring",
        "recheck_before_next_dose",
        "redraw_mg_after_iv",
    }
)


class Reminder(models.Model):
    """A monitoring reminder of a saved assessment, due at a time, until someone marks it done or not needed."""

    assessment = models.ForeignKey(SavedAssessment, on_delete=models.PROTECT, related_name="reminder_records")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="reminders")
    code = models.CharField(max_length=60)
    text = models.TextField()
    because = models.JSONField(default=list)
    references = models.JSONField(default=list)
    due_at = models.DateTimeField()
    state = models.CharField(max_length=20, choices=ReminderState.choices, default=ReminderState.OPEN)
    reason = models.TextField(blank=True, help_text="Why it was not needed.")
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    follow_up = models.ForeignKey(SavedAssessment, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # The pharmacist's amendment whose plan this reminder comes from (None: the engine's plan as saved).
    amendment = models.ForeignKey(
        "Review", null=True, blank=True, on_delete=models.PROTECT, related_name="amended_reminders"
    )
    # What replaced it (state superseded): a newer assessment of the patient, or an amendment of its own plan.
    superseded_by = models.ForeignKey(
        SavedAssessment, null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_reminders"
    )
    superseded_by_amendment = models.ForeignKey(
        "Review", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_reminders"
    )

    class Meta:
        ordering = ["due_at", "pk"]
        indexes = [models.Index(fields=["state", "due_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(state="open") | Q(closed_at__isnull=False), name="reminder_closed_has_time"
            ),
            models.CheckConstraint(condition=~Q(state="not_needed") | ~Q(reason=""), name="reminder_not_needed_reason"),
            models.CheckConstraint(
                condition=~Q(state="superseded")
                | Q(superseded_by__isnull=False)
                | Q(superseded_by_amendment__isnull=False),
                name="reminder_superseded_says_by_what",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} due {self.due_at:%Y-%m-%d %H:%M}"

    @property
    def answered_by_a_new_mg(self) -> bool:
        return self.code in NEW_MG_REMINDERS

    @property
    def due_at_once(self) -> bool:
        """A "now" item of its plan (an ECG now, calcium now): due from the moment the plan started, when it was saved
        or amended. Past due, it reads "Due now", not "Overdue" a minute after saving."""
        start = self.amendment.created_at if self.amendment_id else self.assessment.created_at
        return self.due_at <= start


class DeclineReason(models.TextChoices):
    DOSE_ADJUSTED = "dose_adjusted", "Dose adjusted"
    ROUTE_CHANGED = "route_changed", "Route changed"
    INTERACTION = "interaction", "Interaction"
    RENAL_FUNCTION = "renal_function", "Renal function"
    NOT_INDICATED = "not_indicated", "Not indicated"
    OTHER = "other", "Other"


class Review(models.Model):
    """A pharmacist's decision on a saved plan: approve, amend (dose and note) or decline (coded reason)."""

    class Outcome(models.TextChoices):
        APPROVED = "approved", "Approve"
        AMENDED = "amended", "Amend"
        DECLINED = "declined", "Decline"

    assessment = models.ForeignKey(SavedAssessment, on_delete=models.PROTECT, related_name="reviews")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    # Free text of amendments made before the structured amendment (issue 13); new amendments leave it blank.
    amended_dose = models.TextField(blank=True)
    # The amended plan (records/amendment.py `AmendedPlan.as_json()`): route, amounts in both units, duration,
    # volume, rate and its limit, the checks, its sentence and the rule set that checked it. None unless amended.
    amended_plan = models.JSONField(null=True, blank=True)
    note = models.TextField(blank=True)
    reason_code = models.CharField(max_length=20, choices=DeclineReason.choices, blank=True)
    reason_text = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.outcome_label} by {self.reviewer}"

    @property
    def outcome_label(self) -> str:
        """The decision as a clinician reads it afterwards: Approved, Amended, Declined."""
        return ReviewStatus(self.outcome).label


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("The audit log is append-only.")

    def delete(self):
        raise PermissionError("The audit log is append-only.")


class AuditEvent(models.Model):
    """Append-only: created by services, never updated or deleted (save and delete refuse)."""

    class Action(models.TextChoices):
        CREATE = "create", "Create"
        SAVE = "save", "Save assessment"
        REVIEW = "review", "Review"
        REMINDER = "reminder", "Reminder state change"
        EXPORT = "export", "Export"
        CDS_FEEDBACK = "cds_feedback", "CDS card feedback"
        UPDATE = "update", "Change"
        DELETE = "delete", "Delete"
        ROLE = "role", "Role change"

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=20, choices=Action.choices)
    object_type = models.CharField(max_length=40)
    object_id = models.CharField(max_length=40)
    patient = models.ForeignKey(Patient, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    detail = models.JSONField(default=dict, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type} {self.object_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The audit log is append-only.")


class TeachingAttempt(models.Model):
    """A signed-in trainee's answers to one teaching case: the only thing teaching mode keeps."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="teaching_attempts")
    case_name = models.CharField(max_length=120)
    answers = models.JSONField()
    # {"grade": true, "cause": false, ...}: one entry per question, right or wrong.
    marks = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user} {self.case_name}"
