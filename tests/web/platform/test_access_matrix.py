"""Who may open what: every URL of urls.py against every persona (healthchecks-style role x URL matrix).

A = allowed (the view answers), L = anonymous sent to the login page, F = signed in but refused (403 page).
A URL added to urls.py without a row here fails `test_every_url_has_a_row`.
"""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

pytestmark = pytest.mark.django_db

# The personas of tests/conftest.py; the outsider is signed in but has no role.
ROLES = ("anonymous", "outsider", "trainee", "clinician", "pharmacist", "admin")
PUBLIC = dict.fromkeys(ROLES, "A")
RECORDS = {"anonymous": "L", "outsider": "F", "trainee": "F", "clinician": "A", "pharmacist": "A", "admin": "F"}
REVIEW = {"anonymous": "L", "outsider": "F", "trainee": "F", "clinician": "F", "pharmacist": "A", "admin": "F"}
TEACHING = {"anonymous": "L", "outsider": "F", "trainee": "A", "clinician": "A", "pharmacist": "A", "admin": "F"}
AUDIT = {"anonymous": "L", "outsider": "F", "trainee": "F", "clinician": "F", "pharmacist": "F", "admin": "A"}

# name -> (method, needs an object id, expected per role)
MATRIX: dict[str, tuple[str, str | None, dict[str, str]]] = {
    "assess": ("get", None, PUBLIC),
    "references": ("get", None, PUBLIC),
    "about": ("get", None, PUBLIC),
    "healthz": ("get", None, PUBLIC),
    "api-assessments": ("post", None, PUBLIC),
    "api-openapi": ("get", None, PUBLIC),
    "login": ("get", None, PUBLIC),
    # The bedside form posted to "Sign in": kept in the session, then the sign-in page (or back, when signed in).
    "login-keep": ("post", None, {**PUBLIC, "anonymous": "L"}),
    "logout": ("post", None, PUBLIC),
    "patient-list": ("get", None, RECORDS),
    "patient-create": ("get", None, RECORDS),
    "patient-create-from-assessment": ("post", None, RECORDS),
    "patient-detail": ("get", "patient", RECORDS),
    "patient-timeline": ("get", "patient", RECORDS),
    "assessment-save": ("post", None, RECORDS),
    "assessment-detail": ("get", "assessment", RECORDS),
    "assessment-reassess": ("get", "assessment", RECORDS),
    "reminder-update": ("post", "reminder", RECORDS),
    "ward": ("get", None, RECORDS),
    "review-queue": ("get", None, REVIEW),
    "review-case": ("get", "assessment", REVIEW),
    "audit-log": ("get", None, AUDIT),
    "teaching-list": ("get", None, TEACHING),
    "teaching-history": ("get", None, TEACHING),
    "teaching-case": ("get", "case", TEACHING),
    "teaching-present": ("get", "case", TEACHING),
    # Stateless, like the bedside page it serves; an empty POST answers 400.
    "whatif": ("post", None, PUBLIC),
    "rules": ("get", None, PUBLIC),
    # FHIR input and CDS Hooks: machine endpoints, stateless; the CDS service authenticates the EHR by its JWT.
    "api-fhir-input": ("post", None, PUBLIC),
    "fhir-import": ("get", None, PUBLIC),
    "cds-discovery": ("get", None, PUBLIC),
    "cds-service": ("post", None, PUBLIC),
    "cds-feedback": ("post", None, PUBLIC),
}


def url_names() -> set[str]:
    """Every named URL of the site, the Django admin's own excluded (it has its own row below)."""
    names: set[str] = set()

    def walk(patterns) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace != "admin":
                    walk(pattern.url_patterns)
            elif isinstance(pattern, URLPattern):
                assert pattern.name, f"URL {pattern.pattern} has no name, so it cannot have a row"
                names.add(pattern.name)

    walk(get_resolver().url_patterns)
    return names


def test_every_url_has_a_row():
    assert url_names() == set(MATRIX)


@pytest.fixture
def objects(saved_assessment):
    return {
        "patient": saved_assessment.patient_id,
        "assessment": saved_assessment.pk,
        "reminder": saved_assessment.reminder_records.first().pk,
        "case": "T01_adult_tacrolimus_grade1_oral",
    }


CASES = [(name, role) for name in MATRIX for role in ROLES]


@pytest.mark.parametrize(("name", "role"), CASES, ids=[f"{name}-{role}" for name, role in CASES])
def test_matrix(client_as, objects, name, role):
    method, needs, expected = MATRIX[name]
    url = reverse(name, args=[objects[needs]] if needs else [])
    client = client_as(role)
    # A POST carries the CSRF token of the page its form is on, as a browser's does: the verdict is the role's.
    response = client.submit(url) if method == "post" else client.get(url)
    verdict = expected[role]
    if verdict == "L":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login") + "?next=")
    elif verdict == "F":
        assert response.status_code == 403
        assert b"You cannot open this page" in response.content
    else:
        assert response.status_code < 500
        assert response.status_code != 403
        assert not response.get("Location", "").startswith(reverse("login") + "?next=")


@pytest.mark.parametrize(("role", "allowed"), [(r, r == "admin") for r in ROLES])
def test_django_admin_is_for_administrators_only(client_as, role, allowed):
    response = client_as(role).get("/admin/")
    if allowed:
        assert response.status_code == 200
    else:
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


@pytest.mark.parametrize("role", ["clinician", "pharmacist", "trainee", "outsider"])
def test_the_audit_log_is_read_only_in_the_admin_even_for_a_superuser(client_as, objects, role):
    admin = client_as("admin")
    assert admin.get("/admin/assessments/auditevent/").status_code == 200
    assert admin.get("/admin/assessments/auditevent/add/").status_code == 403
    from assessments.models import AuditEvent

    event = AuditEvent.objects.first()
    assert admin.submit(f"/admin/assessments/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()
    # No role other than admin reaches the audit log at all.
    assert client_as(role).get(reverse("audit-log")).status_code == 403
