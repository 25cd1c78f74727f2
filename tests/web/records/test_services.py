"""The record services: what a save keeps, reminders as records, review with optimistic locking, the audit trail,
and transactions that leave nothing half-written."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from unittest import mock

import pytest
from django.db import IntegrityError, transaction
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
from assessments.records.amendment import Amendment
from tests.builders import payload, transplant_of

pytestmark = pytest.mark.django_db
SAMPLE = dt.datetime(2026, 11, 20, 8, 0)


def save(user, patient, *, sample_time=None, **changes):
    """A save of the base input whose transplant type and day agree with the patient record (unless changed)."""
    sample_time = sample_time or timezone.make_aware(SAMPLE)
    changes.setdefault("transplant", transplant_of(patient, sample_time))
    return services.assessment_save(user=user, patient=patient, data=payload(**changes), sample_time=sample_time)


def test_patient_create_strips_the_identifier_refuses_a_duplicate_and_is_audited(make_patient, clinician, ward):
    patient = make_patient(hospital_id=" H0001 ")
    assert patient.hospital_id == "H0001"
    with pytest.raises(services.ServiceError, match="already exists"):
        make_patient(hospital_id="H0001", label="other", transplant_type="autologous")
    assert Patient.objects.count() == 1
    event = AuditEvent.objects.get()
    assert (event.action, event.object_type, event.patient, event.user) == ("create", "Patient", patient, clinician)


def test_haz39_an_identifier_in_another_letter_case_is_the_same_patient(make_patient, clinician, ward):
    # An independent tester made a second patient from "demo-0001 " beside DEMO-0001.
    make_patient(hospital_id="DEMO-0001")
    with pytest.raises(services.ServiceError, match="already exists"):
        make_patient(hospital_id="demo-0001 ", label="other")
    # The database holds the rule for every writer (the admin, two people at once), not only this service.
    with pytest.raises(IntegrityError), transaction.atomic():
        Patient.objects.create(
            hospital_id="Demo-0001",
            label="x",
            transplant_type="autologous",
            transplant_date=dt.date(2026, 1, 1),
            ward=ward,
            created_by=clinician,
        )
    assert Patient.objects.count() == 1


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


def test_the_saved_input_is_exactly_what_was_assessed_when_it_agrees_with_the_record(patient, clinician):
    sample_time = timezone.make_aware(dt.datetime(2026, 11, 22, 23, 30))
    saved = save(clinician, patient, sample_time=sample_time)
    # The patient's day 0 is 1 November 2026: day 21 at 23:30 on the 22nd, counted in the hospital's time zone.
    assert saved.transplant_day == 21
    assert saved.input == payload(transplant={"type": "allogeneic", "day": 21})
    assert saved.record_corrected is None
    assert patient.day_after_transplant(timezone.make_aware(dt.datetime(2026, 10, 31, 12, 0))) == -1


def test_a_record_that_disagrees_with_what_was_typed_saves_nothing_and_says_both(patient, clinician):
    # The case: allogeneic day 14 typed for a patient whose record says autologous day 6.
    patient.transplant_type, patient.transplant_date = "autologous", dt.date(2026, 11, 14)
    patient.save()
    with pytest.raises(services.RecordDisagrees) as disagrees:
        save(clinician, patient, transplant={"type": "allogeneic", "day": 14})
    rows = {row["field"]: (row["typed"], row["recorded"]) for row in disagrees.value.rows}
    assert rows == {"transplant.type": ("allogeneic", "autologous"), "transplant.day": (14, 6)}
    assert not SavedAssessment.objects.exists() and not Reminder.objects.exists()
    patient.refresh_from_db()
    assert (patient.transplant_type, patient.transplant_date) == ("autologous", dt.date(2026, 11, 14))


def test_haz31_the_typed_values_can_correct_the_record_in_the_same_step_audited(patient, clinician):
    patient.transplant_type, patient.transplant_date = "autologous", dt.date(2026, 11, 14)
    patient.save()
    data = payload(transplant={"type": "allogeneic", "day": 14})
    saved = services.assessment_save(
        user=clinician, patient=patient, data=data, sample_time=timezone.make_aware(SAMPLE), correct_record=True
    )
    patient.refresh_from_db()
    # What was assessed is what is saved, and the record now agrees with it.
    assert saved.input == data and saved.transplant_day == 14
    assert saved.output == services.assessment_run(data=data).output
    assert (patient.transplant_type, patient.transplant_date) == ("allogeneic", dt.date(2026, 11, 6))
    assert patient.disagreements(saved.input, saved.sample_time) == []
    assert saved.record_corrected == {
        "transplant_type": ["autologous", "allogeneic"],
        "transplant_date": ["2026-11-14", "2026-11-06"],
    }
    event = AuditEvent.objects.get(action="update", object_type="Patient")
    assert event.user == clinician and event.detail["changes"] == saved.record_corrected


def test_an_engine_refusal_leaves_the_record_uncorrected(patient, clinician):
    patient.transplant_type = "autologous"
    patient.save()
    data = payload(transplant={"type": "allogeneic", "day": 19}, labs={"magnesium": {"value": 18, "unit": "mmol/L"}})
    with pytest.raises(services.EngineRefused):
        services.assessment_save(
            user=clinician, patient=patient, data=data, sample_time=timezone.make_aware(SAMPLE), correct_record=True
        )
    patient.refresh_from_db()
    assert patient.transplant_type == "autologous" and not AuditEvent.objects.filter(action="update").exists()


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
    assert event.object_id == str(saved.pk) and event.detail == {"ruleset": RULESET_VERSION, "superseded": []}


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
    now = timezone.now()
    second = services.assessment_save(
        user=clinician,
        patient=patient,
        data=payload(labs={"magnesium": {"value": 0.68, "unit": "mmol/L"}}, transplant=transplant_of(patient, now)),
        sample_time=now,
        completes=reminder,
    )
    reminder.refresh_from_db()
    # Done by the new Mg, not superseded by the new plan's reminder of the same kind.
    assert (reminder.state, reminder.follow_up) == ("done", second)


def test_a_recheck_saved_to_another_patient_does_not_close_the_reminder(make_patient, patient, clinician):
    reminder = save(clinician, patient).reminder_records.first()
    other = make_patient(hospital_id="H0002", label="CD bed 5", transplant_type="autologous")
    with pytest.raises(services.ServiceError, match="another patient"):
        now = timezone.now()
        data = payload(transplant=transplant_of(other, now))
        services.assessment_save(user=clinician, patient=other, data=data, sample_time=now, completes=reminder)
    reminder.refresh_from_db()
    assert reminder.state == ReminderState.OPEN and not other.assessments.exists()


def test_a_recheck_of_a_closed_reminder_saves_nothing(patient, clinician):
    reminder = save(clinician, patient).reminder_records.first()
    services.reminder_complete(user=clinician, reminder=reminder)
    count = SavedAssessment.objects.count()
    with pytest.raises(services.ServiceError):
        now = timezone.now()
        data = payload(transplant=transplant_of(patient, now))
        services.assessment_save(user=clinician, patient=patient, data=data, sample_time=now, completes=reminder)
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
        ({"outcome": "amended"}, "amended plan"),
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
            user=other,
            assessment=saved,
            version=1,
            outcome="amended",
            amendment=Amendment(route="iv", amount=10, amount_unit="mmol", volume_ml=100, duration_hours=2),
            cautions_confirmed=True,
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


# --- One record per press of Save -----------------------------------------------------------------------------------


def test_haz35_a_second_save_with_the_same_token_returns_the_first_record(patient, clinician):
    token = uuid.uuid4()
    sample_time = timezone.make_aware(SAMPLE)
    data = payload(transplant=transplant_of(patient, sample_time))
    first = services.assessment_save(user=clinician, patient=patient, data=data, sample_time=sample_time, token=token)
    again = services.assessment_save(user=clinician, patient=patient, data=data, sample_time=sample_time, token=token)
    assert again == first
    assert SavedAssessment.objects.count() == 1 and AuditEvent.objects.filter(action="save").count() == 1
    assert Reminder.objects.count() == len(first.output["reminders"])


def test_the_same_token_with_other_values_is_a_save_of_its_own(patient, clinician):
    # Back, a new Mg, Save again: what was typed is saved, never swapped for the earlier record.
    token = uuid.uuid4()
    sample_time = timezone.make_aware(SAMPLE)
    first = services.assessment_save(
        user=clinician,
        patient=patient,
        data=payload(transplant=transplant_of(patient, sample_time)),
        sample_time=sample_time,
        token=token,
    )
    changed = payload(mg=(0.41, "mmol/L"), transplant=transplant_of(patient, sample_time))
    second = services.assessment_save(
        user=clinician, patient=patient, data=changed, sample_time=sample_time, token=token
    )
    assert second != first and second.input == changed and second.submission_token != token


def test_two_saves_racing_with_one_token_make_one_record(patient, clinician):
    # The second of two simultaneous presses passes the first look-up, then meets the unique token in the database.
    token = uuid.uuid4()
    sample_time = timezone.make_aware(SAMPLE)
    data = payload(transplant=transplant_of(patient, sample_time))
    first = services.assessment_save(user=clinician, patient=patient, data=data, sample_time=sample_time, token=token)
    real = services._saved_with_token
    calls = iter([None])  # the first look-up misses, as it would have a moment earlier
    with mock.patch.object(services, "_saved_with_token", side_effect=lambda **kw: next(calls, real(**kw))):
        again = services.assessment_save(
            user=clinician, patient=patient, data=data, sample_time=sample_time, token=token
        )
    assert again == first and SavedAssessment.objects.count() == 1


# --- One current set of reminders per patient -----------------------------------------------------------------------


def test_haz35_a_new_assessment_supersedes_every_open_reminder_of_the_earlier_plan(patient, clinician):
    first = save(clinician, patient)
    later = save(clinician, patient, sample_time=timezone.make_aware(SAMPLE + dt.timedelta(hours=12)))
    for reminder in first.reminder_records.all():
        # Kept, not deleted: superseded by the later plan, with who and when.
        assert reminder.state == ReminderState.SUPERSEDED
        assert reminder.superseded_by == later and reminder.closed_at and reminder.closed_by == clinician
    open_codes = list(patient.reminders.filter(state=ReminderState.OPEN).values_list("code", flat=True))
    assert len(open_codes) == len(set(open_codes)), "one open reminder of each kind"
    event = AuditEvent.objects.filter(action="save").latest("pk")
    assert sorted(event.detail["superseded"]) == sorted(
        first.reminder_records.filter(state=ReminderState.SUPERSEDED).values_list("pk", flat=True)
    )


def test_haz35_a_later_plan_of_another_route_leaves_only_its_own_reminders(patient, clinician):
    # An independent tester: after an oral plan (no creatinine, no potassium) and then an IV plan with both given,
    # the ward still listed "Recheck Mg in 72 h on oral replacement" and "Check the serum creatinine now".
    oral = save(clinician, patient, mg=(0.62, "mmol/L"), drop=("labs.creatinine", "labs.potassium"))
    assert oral.output["plan"]["route"] == "oral"
    assert {"recheck_mg_oral", "check_creatinine"} <= {r["id"] for r in oral.output["reminders"]}
    iv = save(clinician, patient, mg=(0.3, "mmol/L"), sample_time=timezone.make_aware(SAMPLE + dt.timedelta(hours=6)))
    assert iv.output["plan"]["route"] != "oral"
    current = patient.reminders.filter(state=ReminderState.OPEN)
    assert set(current.values_list("assessment", flat=True)) == {iv.pk}
    assert sorted(current.values_list("code", flat=True)) == sorted(r["id"] for r in iv.output["reminders"])
    assert not oral.reminder_records.filter(state=ReminderState.OPEN).exists()


def test_haz35_four_saves_leave_one_current_set(patient, clinician):
    for hours in range(4):
        save(clinician, patient, sample_time=timezone.make_aware(SAMPLE + dt.timedelta(hours=hours)))
    latest = patient.assessments.order_by("-sample_time").first()
    current = patient.reminders.filter(state=ReminderState.OPEN)
    assert sorted(current.values_list("code", flat=True)) == sorted(r["id"] for r in latest.output["reminders"])
    assert set(current.values_list("assessment", flat=True)) == {latest.pk}
    assert patient.reminders.count() == 4 * len(latest.output["reminders"])  # none deleted


def test_an_earlier_sample_saved_later_does_not_take_over_the_current_reminders(patient, clinician):
    today = save(clinician, patient, sample_time=timezone.make_aware(SAMPLE))
    yesterday = save(clinician, patient, sample_time=timezone.make_aware(SAMPLE - dt.timedelta(days=1)))
    assert not yesterday.reminder_records.filter(state=ReminderState.OPEN).exists()
    assert set(yesterday.reminder_records.values_list("superseded_by", flat=True)) == {today.pk}
    assert today.reminder_records.filter(state=ReminderState.OPEN).count() == len(today.output["reminders"])


# --- Four eyes, and an amendment that is the plan -------------------------------------------------------------------


def test_haz36_the_pharmacist_who_saved_a_plan_cannot_review_it(patient, pharmacist, make_user):
    saved = save(pharmacist, patient)
    for outcome in ("approved", "declined"):
        with pytest.raises(services.ServiceError, match="another pharmacist"):
            services.review_submit(
                user=pharmacist, assessment=saved, version=1, outcome=outcome, reason_code="not_indicated"
            )
    saved.refresh_from_db()
    assert (saved.review_status, Review.objects.count()) == ("pending", 0)
    other = make_user("pharmacist2", role="pharmacist")
    services.review_submit(user=other, assessment=saved, version=1, outcome="approved")


def amend(pharmacist, saved, amendment, **extra):
    return services.review_submit(
        user=pharmacist, assessment=saved, version=saved.version, outcome="amended", amendment=amendment, **extra
    )


def test_haz36_the_pharmacist_who_amended_a_plan_cannot_approve_the_amendment(
    patient, clinician, pharmacist, make_user
):
    # An independent tester: amend to 500 mmol a day (a caution confirmed), re-open, approve: "Approved by" sat
    # above "Amended by", both the same pharmacist, and the plan read as double-checked.
    saved = save(clinician, patient, mg=(0.45, "mmol/L"))
    amend(pharmacist, saved, Amendment(route="iv", amount=5, amount_unit="g", volume_ml=500, duration_hours=5))
    saved.refresh_from_db()

    with pytest.raises(services.ServiceError, match="You amended this plan: another pharmacist approves"):
        services.review_submit(user=pharmacist, assessment=saved, version=saved.version, outcome="approved")
    saved.refresh_from_db()
    assert saved.review_status == "amended" and saved.reviews.count() == 1
    # Declining it stays open to them; approving it is another pharmacist's.
    other = make_user("pharmacist2", role="pharmacist")
    services.review_submit(user=other, assessment=saved, version=saved.version, outcome="approved")
    saved.refresh_from_db()
    assert saved.review_status == "approved"


def test_haz34_an_amendment_replaces_the_plan_and_its_reminders(patient, clinician, pharmacist):
    saved = save(clinician, patient, mg=(0.45, "mmol/L"))  # grade 2: 5 g over 3 h
    assert saved.output["plan"]["dose"]["duration_hours"] == 3
    before = {r.pk for r in saved.reminder_records.filter(state=ReminderState.OPEN)}
    review = amend(
        pharmacist,
        saved,
        Amendment(route="iv", amount=5, amount_unit="g", volume_ml=500, duration_hours=5),
        note="Slower: on tacrolimus.",
    )
    saved.refresh_from_db()
    assert saved.review_status == "amended" and saved.current_amendment == review
    plan = review.amended_plan
    assert plan["route"] == "iv" and plan["dose"]["duration_hours"] == 5 and plan["dose"]["grams_mgso4"] == 5
    assert plan["dose"]["rate_mg_per_min"] == pytest.approx(16.67)
    # The plan's open reminders are superseded by the amendment, kept; the amended plan's are due from the review.
    for reminder in Reminder.objects.filter(pk__in=before):
        assert reminder.state == ReminderState.SUPERSEDED and reminder.superseded_by_amendment == review
    current = {r.code: r for r in patient.reminders.filter(state=ReminderState.OPEN)}
    recheck = current["recheck_mg_after_iv"]
    assert recheck.amendment == review
    assert recheck.due_at == review.created_at + dt.timedelta(hours=5 + 6)
    assert recheck.because == ["IV infusion over 5 h + 6 h"]
    event = AuditEvent.objects.get(action="review")
    assert sorted(event.detail["superseded"]) == sorted(before)


def test_haz34_an_amendment_beyond_the_limits_is_refused_and_changes_nothing(patient, clinician, pharmacist):
    saved = save(clinician, patient, mg=(0.45, "mmol/L"))
    with pytest.raises(services.AmendmentRefused) as refused:
        amend(pharmacist, saved, Amendment(route="iv", amount=5, amount_unit="g", volume_ml=500, duration_hours=0.25))
    assert refused.value.plan.problems[0].field == "duration_hours"
    saved.refresh_from_db()
    assert (saved.review_status, Review.objects.count()) == ("pending", 0)
    assert not Reminder.objects.filter(state=ReminderState.SUPERSEDED).exists()


def test_an_amendment_with_cautions_needs_them_confirmed(patient, clinician, pharmacist):
    saved = save(clinician, patient, mg=(0.45, "mmol/L"))
    oral = Amendment(route="oral", mmol_per_day=24, doses_per_day=3)
    with pytest.raises(services.AmendmentRefused, match="Confirm the cautions"):
        amend(pharmacist, saved, oral)
    review = amend(pharmacist, saved, oral, cautions_confirmed=True)
    assert review.amended_plan["cautions"][0]["text"].startswith("The protocol's route is IV magnesium")
    assert {"recheck_mg_oral"} <= set(patient.reminders.filter(state="open").values_list("code", flat=True))


# --- The same hospital identifier twice at once ---------------------------------------------------------------------


def test_haz39_a_patient_created_at_the_same_moment_twice_gives_one_patient_and_a_clear_message(
    make_patient, clinician, ward
):
    make_patient(hospital_id="H0100")
    # The second request checked a moment before the first one's row existed: the database's constraint decides.
    exists = Patient.objects.filter(hospital_id="H0100").exists
    with (
        mock.patch("assessments.services.Patient.objects.filter") as filter_,
        pytest.raises(services.ServiceError, match="already exists: choose that patient"),
    ):
        filter_.return_value.exists.side_effect = [False, exists()]
        services.patient_create(
            user=clinician,
            hospital_id="H0100",
            label="again",
            transplant_type="allogeneic",
            transplant_date=dt.date(2026, 11, 1),
            ward=ward,
        )
    assert Patient.objects.filter(hospital_id="H0100").count() == 1
    assert AuditEvent.objects.filter(action="create", object_type="Patient").count() == 1


def test_every_user_created_by_hospital_it_is_audited(db):
    user = services.user_create(username="newnurse", password="x" * 20, role="clinician", ward="Ward 9")
    event = AuditEvent.objects.get(object_type="User")
    assert (event.action, event.object_id, event.detail) == (
        "create",
        str(user.pk),
        {"role": "clinician", "ward": "Ward 9", "via": "add_user"},
    )
