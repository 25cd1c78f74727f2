"""Queries stay constant with data: the list pages with 500 patients x 50 assessments each run a bounded number of
queries (no query per row). The rows are bulk-created with the columns the lists read; the JSON output of one
real assessment is shared, as the lists never read it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import JSONField, Value
from django.urls import reverse
from django.utils import timezone

from assessments.models import Patient, Reminder, Review, ReviewStatus, SavedAssessment
from assessments.services import assessment_run
from tests.builders import payload

pytestmark = pytest.mark.django_db

PATIENTS = 500
ASSESSMENTS_PER_PATIENT = 50
# Whatever the data: session, user, groups, the page's own reads, the navigation's role lookup.
MAX_QUERIES = 12


@pytest.fixture
def big_ward(ward, clinician, pharmacist):
    data = payload()
    output = assessment_run(data=data).output
    now = timezone.now()
    # As expressions, not values: on PostgreSQL, Django 5.2 bulk-inserts plain values as one array per column
    # (UNNEST), and psycopg escapes 25,000 copies of the JSON in Python (about 30 s); an expression keeps the
    # VALUES form, the rows stored are the same.
    stored_input, stored_output = Value(data, output_field=JSONField()), Value(output, output_field=JSONField())
    patients = Patient.objects.bulk_create(
        Patient(
            hospital_id=f"H{i:05d}",
            label=f"P{i:03d}",
            transplant_type="allogeneic",
            transplant_date=dt.date(2026, 10, 1),
            ward=ward,
            created_by=clinician,
        )
        for i in range(PATIENTS)
    )
    assessments = SavedAssessment.objects.bulk_create(
        SavedAssessment(
            patient=patient,
            input=stored_input,
            output=stored_output,
            ruleset=output["ruleset"],
            sample_time=now - dt.timedelta(hours=ASSESSMENTS_PER_PATIENT - day),
            transplant_day=day,
            clinical_severity="emergency" if day % 17 == 0 else "mild",
            ctcae_grade=1,
            mg_mmol_per_l=Decimal("0.600"),
            route="iv",
            trough_drug="tacrolimus",
            trough_value=Decimal("9.5"),
            trough_unit="ng/mL",
            author=clinician,
            # Most plans were reviewed long ago; the newest of each patient waits.
            review_status=ReviewStatus.PENDING if day == ASSESSMENTS_PER_PATIENT - 1 else ReviewStatus.APPROVED,
        )
        for patient in patients
        for day in range(ASSESSMENTS_PER_PATIENT)
    )
    latest = [a for a in assessments if a.transplant_day == ASSESSMENTS_PER_PATIENT - 1]
    Reminder.objects.bulk_create(
        Reminder(
            assessment=a,
            patient=a.patient,
            code="recheck_mg_after_iv",
            text="Recheck Mg",
            due_at=now + dt.timedelta(hours=(i % 30) - 10),
        )
        for i, a in enumerate(latest)
    )
    Review.objects.bulk_create(
        Review(assessment=a, reviewer=pharmacist, outcome="approved") for a in assessments[::ASSESSMENTS_PER_PATIENT]
    )
    return {"clinician": clinician, "pharmacist": pharmacist, "patient": patients[0]}


def test_list_pages_run_a_bounded_number_of_queries(big_ward, client_as, django_assert_max_num_queries):
    clinician, pharmacist = client_as("clinician"), client_as("pharmacist")
    pages = [
        (clinician, reverse("patient-list"), f"P{PATIENTS - 1:03d}"),
        (clinician, reverse("patient-detail", args=[big_ward["patient"].pk]), 'class="tl-point"'),
        (clinician, reverse("ward"), " overdue</strong>"),
        (pharmacist, reverse("review-queue"), f"{PATIENTS} in all"),
    ]
    for client, url, marker in pages:
        with django_assert_max_num_queries(MAX_QUERIES):
            response = client.get(url)
        assert response.status_code == 200, url
        assert marker in response.content.decode(), url
