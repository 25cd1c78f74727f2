"""Shared pytest fixtures: the personas (healthchecks-style), the ward, patient and saved assessment they work on,
and test clients that enforce CSRF as a browser meets it.

Personas, one per role: `clinician` and `pharmacist` on the ward, a `trainee`, an `admin`, and an `outsider` who is
signed in but has no role. `client_as("clinician")` is a client signed in as that persona (`"anonymous"`: not
signed in); `login(user)` signs in any other user. Every client enforces CSRF: a test that posts a form sends the
token of the page the form is on (`client.submit(url, data)`), so a form without `{% csrf_token %}` fails here too.

pytest-django supplies `rf`, `settings` and the `django_db` mark; its `client` is replaced by a CSRF-enforcing one.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from assessments import services
from assessments.models import Patient, SavedAssessment, StaffProfile, Ward
from assessments.roles import Role
from tests.builders import payload, transplant_of

PASSWORD = "correct-horse-battery-staple"


def pytest_runtest_setup(item: pytest.Item) -> None:
    """A `postgres` test run by hand on SQLite says why it cannot run; `make test` never collects one there."""
    from django.db import connection

    if item.get_closest_marker("postgres") and connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL: make test runs them in its PostgreSQL pass")


UNIT_TESTS = Path(__file__).parent / "unit"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The clinical core's coverage (`make test` requires all of it) is measured by its example tests in tests/unit,
    which reach every line and branch by themselves. Everything else runs untraced (pytest-cov's `no_cover`): the
    property tests, the web tests and the browser tests call the engine thousands of times, and under the tracer
    took three times as long, a minute and a half of the ten minutes `make test` has."""
    for item in items:
        outside_unit = UNIT_TESTS not in Path(item.fspath).parents
        if outside_unit or getattr(getattr(item, "obj", None), "is_hypothesis_test", False):
            item.add_marker(pytest.mark.no_cover)


BACKEND = "django.contrib.auth.backends.ModelBackend"
CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Browser(Client):
    """A test client that enforces CSRF, as Django's own tests of it do (`enforce_csrf_checks=True`)."""

    def __init__(self, **defaults: Any) -> None:
        super().__init__(enforce_csrf_checks=True, **defaults)

    def csrf_token(self, page: str = "/") -> str:
        """The token in the form of `page`, read as a browser has it (the page sets the CSRF cookie too)."""
        found = CSRF_TOKEN.search(self.get(page).content.decode())
        assert found, f"no CSRF token in the form of {page}"
        return found.group(1)

    def submit(self, url: str, data: dict[str, Any] | None = None, *, page: str = "/", **extra: Any):
        """POST `data` to `url` as the form on `page` does: with that page's CSRF token (the bedside page's by
        default, which holds the form of every record write)."""
        return self.post(url, {**(data or {}), "csrfmiddlewaretoken": self.csrf_token(page)}, **extra)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings) -> None:
    """PBKDF2's deliberate slowness protects real passwords; test users need none of it (seconds per run)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def make_user(db) -> Callable[..., User]:
    """`make_user("pharmacist")` or `make_user("alice", role=None)`: a user in the role's group (created by the
    0002 migration), with PASSWORD as password."""

    def make(username: str, *, role: str | None = "", ward: Ward | None = None) -> User:
        user = User.objects.create_user(username=username, password=PASSWORD)
        role_name = username if role == "" else role
        if role_name:
            # get_or_create: a transactional test (the browser tests) flushes the groups the migration made.
            user.groups.add(Group.objects.get_or_create(name=Role(role_name).value)[0])
        if role_name == Role.ADMIN:
            user.is_staff = user.is_superuser = True
            user.save()
        if ward is not None:
            StaffProfile.objects.create(user=user, ward=ward)
        return user

    return make


# --- personas and what they work on ---------------------------------------------------------------------------


@pytest.fixture
def ward(db) -> Ward:
    return Ward.objects.create(name="Ward 7")


@pytest.fixture
def clinician(make_user, ward) -> User:
    return make_user("clinician", ward=ward)


@pytest.fixture
def pharmacist(make_user, ward) -> User:
    return make_user("pharmacist", ward=ward)


@pytest.fixture
def trainee(make_user) -> User:
    return make_user("trainee")


@pytest.fixture
def admin(make_user) -> User:
    return make_user("admin")


@pytest.fixture
def outsider(make_user) -> User:
    """Signed in, but in no role: every capability refuses them."""
    return make_user("outsider", role=None)


@pytest.fixture
def make_patient(clinician, ward) -> Callable[..., Patient]:
    """`make_patient(hospital_id="H0002", ward=other_ward)`: a patient the clinician creates through the service;
    day 0 is 1 November 2026 unless a test says otherwise."""

    def make(**fields: Any) -> Patient:
        defaults = {"hospital_id": "H0001", "label": "AB bed 3", "transplant_type": "allogeneic", "ward": ward}
        return services.patient_create(
            user=clinician, **(defaults | {"transplant_date": dt.date(2026, 11, 1)} | fields)
        )

    return make


@pytest.fixture
def patient(make_patient) -> Patient:
    return make_patient()


@pytest.fixture
def saved_assessment(clinician, patient) -> SavedAssessment:
    """The plain adult input of `tests.builders` (transplant as the record says), saved by the clinician now: it
    awaits review, with its reminders."""
    now = timezone.now()
    data = payload(transplant=transplant_of(patient, now))
    return services.assessment_save(user=clinician, patient=patient, data=data, sample_time=now)


@pytest.fixture
def demo_records(settings, make_user) -> dict[str, User]:
    """The demo of `make run` (`manage.py demo_setup`: its ward, patients and plans in every state, records/demo.py),
    with its users by name, and an administrator."""
    settings.HYPOMAG_DEMO = True
    call_command("demo_setup", stdout=io.StringIO())  # the passwords it prints are not for tests
    users = {name: User.objects.get(username=name) for name in ("clinician", "pharmacist", "trainee")}
    users["admin"] = make_user("admin")
    return users


# --- clients ----------------------------------------------------------------------------------------------------


@pytest.fixture
def client() -> Browser:
    """Not signed in; enforces CSRF (pytest-django's own `client` does not)."""
    return Browser()


@pytest.fixture
def login() -> Callable[[User], Browser]:
    """`login(user)`: a client signed in as that user."""

    def signed_in(user: User) -> Browser:
        browser = Browser()
        browser.force_login(user, backend=BACKEND)
        return browser

    return signed_in


@pytest.fixture
def client_as(request, db, login) -> Callable[[str], Browser]:
    """`client_as("clinician")`: a client signed in as that persona; `client_as("anonymous")`: not signed in."""

    def signed_in(persona: str) -> Browser:
        return Browser() if persona == "anonymous" else login(request.getfixturevalue(persona))

    return signed_in
