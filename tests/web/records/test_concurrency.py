"""Two people (or two presses) at the same moment, on real threads with their own database connections: one patient
per hospital identifier and one record per press of Save, never a 500. Run in `make test`'s PostgreSQL pass, whose
row locks and unique constraints are the ones production relies on; the same code paths are tested one step at a
time on SQLite in test_services.py (a check that misses, then the database's constraint)."""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from assessments import services
from assessments.models import AuditEvent, Patient, SavedAssessment
from tests.builders import payload, transplant_of

pytestmark = [
    pytest.mark.django_db(transaction=True),
    # SQLite's shared in-memory test database answers "table is locked" at once where a database file (or
    # PostgreSQL) waits for the other writer: a race there measures the test database, not the app. `make test`
    # runs these in its PostgreSQL pass and leaves them out of the SQLite one (-m "not postgres").
    pytest.mark.postgres,
]


def at_once(work: Callable[[], Any], times: int = 2) -> list[Any]:
    """Run `work` on `times` threads released together; each result, or the exception it raised."""
    barrier = threading.Barrier(times)
    results: list[Any] = [None] * times

    def run(index: int) -> None:
        try:
            barrier.wait()
            results[index] = work()
        except Exception as error:
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_the_same_hospital_id_created_twice_at_once_gives_one_patient_and_a_clear_message(clinician, ward):
    def create():
        return services.patient_create(
            user=clinician,
            hospital_id="H-RACE",
            label="EF bed 9",
            transplant_type="allogeneic",
            transplant_date=dt.date(2026, 11, 1),
            ward=ward,
        )

    results = at_once(create)
    patients = [r for r in results if isinstance(r, Patient)]
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(patients) == 1 and len(refused) == 1, results
    assert isinstance(refused[0], services.ServiceError)
    assert str(refused[0]) == services.DUPLICATE_HOSPITAL_ID
    assert Patient.objects.filter(hospital_id="H-RACE").count() == 1
    assert AuditEvent.objects.filter(action="create", object_type="Patient").count() == 1


def test_a_double_submitted_save_creates_one_record(clinician, patient):
    token = uuid.uuid4()
    now = timezone.now()
    data = payload(transplant=transplant_of(patient, now))

    def save():
        return services.assessment_save(user=clinician, patient=patient, data=data, sample_time=now, token=token)

    results = at_once(save)
    assert all(isinstance(r, SavedAssessment) for r in results), results
    assert results[0].pk == results[1].pk
    assert SavedAssessment.objects.count() == 1
    assert AuditEvent.objects.filter(action="save").count() == 1
