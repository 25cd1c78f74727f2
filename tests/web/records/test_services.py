"""The record services: what a save keeps, reminders as records, review with optimistic locking, the audit trail,
and transactions that leave nothing half-written."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from unittest import mock

import pytest
from django.utils import timezone

from assessments import services
from assessments.clinical import RULESET_VERSION
from assessments.models import (
    AuditEvent,
    Patient,
    Reminder,
    ReminderState,
    Review,
    ReviewStatus,
    SavedAssessment,
)
from tests.builders import payload

pytestmark = pytest.mark.django_db


def save(user, patient, **changes):
    sample_time = changes.pop("sample_time", timezone.make_aware(dt.datetime(2026, 11, 20, 8, 0)))
    return services.assessment_save(user=user, patient=patient, data=payload(**changes), sample_time=sample_time)


def test_patient_create_strips_the_identifier_refuses_a_duplicate_and_is_audited(make_patient, clinician, ward):
    patient = make_patient(hospital_id=" H0001 ")
    assert patient.hospital_id == "H0001"
    with pytest.raises(services.ServiceError, match="already exists"):
        services.patient_create(
            user=clinician,
            hospital_id="H0001",
            label="other",
            transplant_type="autologous",
            transplant_date=dt.date(2026, 1, 1),
            ward=ward,
        )
    assert Patient.objects.count() == 1
    event = AuditEvent.objects.get()
    assert (event.action, event.object_type, event.patient, event.user) == ("create", "Patient", patient, clinician)


def test_a_save_keeps_the_input_as_entered_the_output_and_the_rule_set(patient, clinician):
    saved = save(clinician, patient, labs={"magnesium": {"value": 1.2, "unit": "mg/dL"}})
    assert isinstance(saved, SavedAssessment)
    # As entered: the unit the lab reported, not a conversion.
    assert saved.input["labs"]["magnesium"] == {"value": 1.2, "unit": "mg/dL"}
    assert saved.output["ruleset"] == saved.ruleset == RULESET_VERSION
    assert saved.output == services.assessment_run(data=saved.input).output
    assert saved.mg_mmol_per_l == Decimal(str(saved.output["magnesium"]["mmol_per_l"]))
    assert saved.ctcae_grade == saved.output["severity"]["ctcae_grade"]
    assert saved.route == saved.output["plan"]["route"]
    assert saved.review_status == ReviewStatus.PENDING


def test_the_transplant_day_and_type_come_from_the_patient_and_the_sample_time(patient, clinician):
    saved = save(
        clinician,
        patient,
        transplant={"type": "autologous", "day": 99},
        sample_time=timezone.make_aware(dt.datetime(2026, 11, 22, 23, 30)),
    )
    # The patient's day 0 is 1 November 2026.
    assert saved.transplant_day == 21
    assert saved.input["transplant"] == {"type": "allogeneic", "day": 21}
    assert patient.day_after_transplant(timezone.make_aware(dt.datetime(2026, 10, 31, 12, 0))) == -1


def test_each_reminder_of_the_output_becomes_a_record_due_from_the_save(patient, clinician):
    saved = save(clinician, patient)
    records = list(saved.reminder_records.order_by("pk"))
    assert [r.code for r in records] == [item["id"] for item in saved.output["reminders"]]
    assert records, "the default payload should produce at least one reminder"
    for record, item in zip(records, saved.output["reminders"], strict=True):
        assert record.due_at == saved.created_at + dt.timedelta(hours=item["due_in_hours"] or 0)
        assert record.because == item["because"] and record.references == item["references"]
        assert record.state == ReminderState.OPEN and record.patient == patient


def test_a_save_is_audited_with_its_rule_set(patient, clinician):
    saved = save(clinician, patient)
    event = AuditEvent.objects.filter(action="save").get()
    assert event.object_id == str(saved.pk) and event.detail == {"ruleset": RULESET_VERSION}


def test_input_the_engine_refuses_raises_its_field_errors_and_nothing_is_stored(patient, clinician):
    # One error channel: a refusal is a ServiceError like any other, carrying the fields for the form to mark.
    with pytest.raises(services.EngineRefused) as refused:
        save(clinician, patient, labs={"magnesium": {"value": 18, "unit": "mmol/L"}})
    assert isinstance(refused.value, services.ServiceError)
    assert refused.value.errors[0]["field"] == "labs.magnesium.value"
    assert not SavedAssessment.objects.exists() and not Reminder.objects.exists()


def test_a_failure_inside_a_save_leaves_no_partial_records(patient, clinician):
    before = AuditEvent.objects.count()
    with (
        mock.patch.object(Reminder.objects, "bulk_create", side_effect=RuntimeError("disk full")),
        pytest.raises(RuntimeError),
    ):
        save(clinician, patient)
    assert not SavedAssessment.objects.exists()
    assert AuditEvent.objects.count() == before


def test_a_failure_in_the_audit_write_undoes_the_review(patient, clinician, pharmacist):
    saved = save(clinician, patient)
    with mock.patch.object(services, "_audit", side_effect=RuntimeError("audit down")), pytest.raises(RuntimeError):
        services.review_submit(user=pharmacist, assessment=saved, version=1, outcome="approved")
    saved.refresh_from_db()
    assert (saved.review_status, saved.version, Review.objects.count()) == ("pending", 1, 0)


# --- Reminders ------------------------------------------------------------------------------------------------------


def test_a_reminder_is_closed_once_with_who_and_when(patient, clinician):
    reminder = save(clinician, patient).reminder_records.first()
    closed = services.reminder_complete(user=clinician, reminder=reminder)
    assert (closed.state, closed.closed_by) == ("done", clinician) and closed.closed_at is not None
    with pytest.raises(services.ServiceError, match="already marked done"):
        services.reminder_complete(user=clinician, reminder=reminder)
    assert AuditEvent.objects.filter(action="reminder").count() == 1


def test_not_needed_requires_a_reason(patient, clinician):
    reminder = save(clinician, patient).reminder_records.first()
    with pytest.raises(services.ServiceError, match="why"):
        services.reminder_not_needed(user=clinician, reminder=reminder, reason="  ")
    closed = services.reminder_not_needed(user=clinician, reminder=reminder, reason="Discharged home")
    assert (closed.state, closed.reason) == ("not_needed", "Discharged home")


def test_a_new_mg_closes_the_reminder_it_answers_in_the_same_transaction(patient, clinician):
    first = save(clinician, patient)
    reminder = first.reminder_records.first()
    second = services.assessment_save(
        user=clinician,
        patient=patient,
        data=payload(labs={"magnesium": {"value": 0.68, "unit": "mmol/L"}}),
        sample_time=timezone.now(),
        completes=reminder,
    )
    reminder.refresh_from_db()
    assert (reminder.state, reminder.follow_up) == ("done", second)


def test_a_recheck_saved_to_another_patient_does_not_close_the_reminder(make_patient, patient, clinician):
    reminder = save(clinician, patient).reminder_records.first()
    other = make_patient(hospital_id="H0002", label="CD bed 5", transplant_type="autologous")
    with pytest.raises(services.ServiceError, match="another patient"):
        services.assessment_save(
            user=clinician, patient=other, data=payload(), sample_time=timezone.now(), completes=reminder
        )
    reminder.refresh_from_db()
    assert reminder.state == ReminderState.OPEN and not other.assessments.exists()


def test_a_recheck_of_a_closed_reminder_saves_nothing(patient, clinician):
    reminder = save(clinician, patient).reminder_records.first()
    services.reminder_complete(user=clinician, reminder=reminder)
    count = SavedAssessment.objects.count()
    with pytest.raises(services.ServiceError):
        services.assessment_save(
            user=clinician, patient=patient, data=payload(), sample_time=timezone.now(), completes=reminder
        )
    assert SavedAssessment.objects.count() == count


# --- Pharmacist review ----------------------------------------------------------------------------------------------


def test_approve_records_the_review_and_moves_the_version(patient, clinician, pharmacist):
    saved = save(clinician, patient)
    review = services.review_submit(user=pharmacist, assessment=saved, version=1, outcome="approved", note=" ok ")
    saved.refresh_from_db()
    assert (saved.review_status, saved.version) == ("approved", 2)
    assert (review.reviewer, review.note) == (pharmacist, "ok")
    assert AuditEvent.objects.filter(action="review", patient=patient).count() == 1


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"outcome": "amended"}, "amended dose"),
        ({"outcome": "declined"}, "reason"),
        ({"outcome": "declined", "reason_code": "other"}, "Other"),
    ],
)
def test_amend_and_decline_need_their_details(patient, clinician, pharmacist, fields, message):
    saved = save(clinician, patient)
    with pytest.raises(services.ServiceError, match=message):
        services.review_submit(user=pharmacist, assessment=saved, version=1, **fields)
    assert not Review.objects.exists()


def test_decline_with_a_coded_reason(patient, clinician, pharmacist):
    saved = save(clinician, patient)
    review = services.review_submit(
        user=pharmacist, assessment=saved, version=1, outcome="declined", reason_code="renal_function"
    )
    assert (review.reason_code, review.get_reason_code_display()) == ("renal_function", "Renal function")


def test_the_second_of_two_reviews_on_the_same_version_conflicts_and_overwrites_nothing(
    patient, clinician, pharmacist, make_user
):
    saved = save(clinician, patient)
    other = make_user("pharmacist2", role="pharmacist")
    first = services.review_submit(user=pharmacist, assessment=saved, version=1, outcome="approved")
    with pytest.raises(services.ReviewConflict) as conflict:
        services.review_submit(
            user=other, assessment=saved, version=1, outcome="amended", amended_dose="10 mmol over 2 h"
        )
    assert conflict.value.current == first
    saved.refresh_from_db()
    assert (saved.review_status, saved.version, Review.objects.count()) == ("approved", 2, 1)


# --- Audit log: append-only -----------------------------------------------------------------------------------------


def test_the_audit_log_cannot_be_changed_or_deleted(patient):
    event = AuditEvent.objects.get()
    event.action = "export"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().update(action="export")
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get().action == "create"


def test_reassess_runs_todays_rules_on_the_saved_input_and_stores_nothing(patient, clinician):
    saved = save(clinician, patient)
    count = SavedAssessment.objects.count()
    outcome = services.assessment_reassess(saved)
    assert outcome.ok and outcome.output == saved.output
    assert SavedAssessment.objects.count() == count
