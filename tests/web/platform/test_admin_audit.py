"""Every write audited, the Django admin's included: a patient's identifier, transplant date and ward, a ward, a
user and a role; sign-in records kept; and what an administrator sees of patients is what README says."""

from __future__ import annotations

import pytest
from axes.models import AccessFailureLog, AccessLog
from django.contrib.auth.models import Group, User
from django.utils import timezone

from assessments.models import AuditEvent, Patient, Ward

pytestmark = pytest.mark.django_db


def change_form(client, url: str) -> dict:
    """The admin change form's current values, as a browser would post them back."""
    response = client.get(url)
    form = response.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is None:
            continue
        if isinstance(value, list | tuple):
            data[name] = [getattr(v, "pk", v) for v in value]
        elif hasattr(value, "pk"):
            data[name] = value.pk
        elif hasattr(value, "hour"):  # a date and time: the admin's two inputs
            data[f"{name}_0"], data[f"{name}_1"] = value.date().isoformat(), value.time().strftime("%H:%M:%S")
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        else:
            data[name] = value.isoformat() if hasattr(value, "isoformat") else value
    return data


def test_haz37_an_admin_change_to_a_patients_identifier_date_and_ward_is_audited_before_and_after(
    client_as, admin, patient
):
    client = client_as("admin")
    url = f"/admin/assessments/patient/{patient.pk}/change/"
    other = Ward.objects.create(name="Ward 9")
    data = change_form(client, url) | {"hospital_id": "H0001-B", "transplant_date": "2026-11-03", "ward": other.pk}
    response = client.submit(url, data, page=url)
    assert response.status_code == 302, response.content.decode()[:2000]
    event = AuditEvent.objects.get(action="update", object_type="Patient")
    assert event.user == admin and event.patient == patient
    assert event.detail["via"] == "admin"
    assert event.detail["changes"] == {
        "hospital_id": ["H0001", "H0001-B"],
        "transplant_date": ["2026-11-01", "2026-11-03"],
        "ward": ["Ward 7", "Ward 9"],
    }


def test_haz37_a_role_change_in_the_admin_is_audited(client_as, admin, make_user):
    nurse = make_user("nurse", role="trainee")
    client = client_as("admin")
    url = f"/admin/auth/user/{nurse.pk}/change/"
    data = change_form(client, url) | {"groups": [Group.objects.get(name="clinician").pk]}
    assert client.submit(url, data, page=url).status_code == 302
    event = AuditEvent.objects.get(action="role")
    assert event.user == admin and event.object_id == str(nurse.pk)
    assert event.detail["changes"] == {"groups": [["trainee"], ["clinician"]]}


def test_a_password_set_in_the_admin_is_audited_without_the_password(client_as, make_user):
    nurse = make_user("nurse", role="trainee")
    client = client_as("admin")
    url = f"/admin/auth/user/{nurse.pk}/password/"
    secret = "a-long-new-password-42"
    response = client.submit(url, {"password1": secret, "password2": secret, "usable_password": "true"}, page=url)
    assert response.status_code == 302
    event = AuditEvent.objects.get(object_type="User", action="update")
    assert event.detail["changes"] == {"password": ["(hidden)", "(hidden)"]}
    assert secret not in str(event.detail)


def test_adding_and_deleting_a_ward_in_the_admin_is_audited(client_as, admin):
    client = client_as("admin")
    assert (
        client.submit(
            "/admin/assessments/ward/add/", {"name": "Ward 12"}, page="/admin/assessments/ward/add/"
        ).status_code
        == 302
    )
    ward = Ward.objects.get(name="Ward 12")
    created = AuditEvent.objects.get(action="create", object_type="Ward")
    assert created.detail["changes"]["name"] == [None, "Ward 12"]
    url = f"/admin/assessments/ward/{ward.pk}/delete/"
    assert client.submit(url, {"post": "yes"}, page=url).status_code == 302
    deleted = AuditEvent.objects.get(action="delete")
    assert (deleted.object_id, deleted.detail["deleted"]) == (str(ward.pk), "Ward 12")


def test_a_patient_cannot_be_deleted_in_the_admin_and_nothing_fails(client_as, patient):
    # Its audit events protect it: the admin says so instead of answering 500.
    client = client_as("admin")
    url = f"/admin/assessments/patient/{patient.pk}/delete/"
    page = client.get(url)
    assert page.status_code == 200 and "Cannot delete patient" in page.content.decode()
    again = client.submit(url, {"post": "yes"}, page=url)
    assert again.status_code == 200 and "Cannot delete patient" in again.content.decode()
    assert Patient.objects.filter(pk=patient.pk).exists() and not AuditEvent.objects.filter(action="delete").exists()


def test_haz37_sign_in_records_cannot_be_changed_or_deleted_even_by_a_superuser(client_as, clinician):
    log = AccessLog.objects.create(
        username="clinician", ip_address="10.0.0.1", user_agent="x", attempt_time=timezone.now()
    )
    failure = AccessFailureLog.objects.create(
        username="clinician", ip_address="10.0.0.1", user_agent="x", locked_out=False
    )
    client = client_as("admin")
    before = (AccessLog.objects.count(), AccessFailureLog.objects.count())
    for model, obj in (("accesslog", log), ("accessfailurelog", failure)):
        assert client.get(f"/admin/axes/{model}/").status_code == 200
        assert client.get(f"/admin/axes/{model}/{obj.pk}/delete/").status_code == 403
        response = client.submit(
            f"/admin/axes/{model}/", {"action": "delete_selected", "_selected_action": [obj.pk]}, page="/admin/"
        )
        assert response.status_code in (200, 302)
    assert (AccessLog.objects.count(), AccessFailureLog.objects.count()) == before
    assert AccessLog.objects.filter(pk=log.pk).exists() and AccessFailureLog.objects.filter(pk=failure.pk).exists()


def test_an_administrator_sees_patient_records_but_no_assessment_or_plan(client_as, saved_assessment):
    client = client_as("admin")
    index = client.get("/admin/").content.decode()
    assert "/admin/assessments/patient/" in index
    assert "savedassessment" not in index and "review" not in index.lower().replace("reviews", "")
    assert client.get("/admin/assessments/savedassessment/").status_code == 404
    # The clinicians' and pharmacists' pages stay closed to an administrator (README, "The pages").
    assert client.get(f"/patients/{saved_assessment.patient_id}/").status_code == 403
    assert client.get(f"/assessments/{saved_assessment.pk}/").status_code == 403


def test_add_user_writes_an_audit_event(db, capsys, monkeypatch):
    import io

    from django.core.management import call_command

    monkeypatch.setattr("sys.stdin", io.StringIO("a-long-enough-password-1\n"))
    call_command("add_user", "newpharm", role="pharmacist")
    user = User.objects.get(username="newpharm")
    assert AuditEvent.objects.filter(action="create", object_type="User", object_id=str(user.pk)).exists()
