"""Shared pytest fixtures: personas, one per role (healthchecks-style), and clients signed in as them.

pytest-django supplies `client`, `rf` and the `django_db` mark.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client

from assessments.roles import Role

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings) -> None:
    """PBKDF2's deliberate slowness protects real passwords; test users need none of it (seconds per run)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def make_user(db) -> Callable[..., User]:
    """`make_user("pharmacist")` or `make_user("alice", role=None)`: a user in the role's group (created by the
    0002 migration), with PASSWORD as password."""

    def make(username: str, *, role: str | None = "", ward=None) -> User:
        user = User.objects.create_user(username=username, password=PASSWORD)
        role_name = username if role == "" else role
        if role_name:
            # get_or_create: a transactional test (the browser tests) flushes the groups the migration made.
            user.groups.add(Group.objects.get_or_create(name=Role(role_name).value)[0])
        if role_name == Role.ADMIN:
            user.is_staff = user.is_superuser = True
            user.save()
        if ward is not None:
            from assessments.models import StaffProfile

            StaffProfile.objects.create(user=user, ward=ward)
        return user

    return make


@pytest.fixture
def client_as(make_user) -> Callable[[str], Client]:
    """`client_as("clinician")`: a test client signed in as a new user of that role (anonymous for "anonymous")."""

    def signed_in(role: str) -> Client:
        client = Client()
        if role != "anonymous":
            client.force_login(make_user(role), backend="django.contrib.auth.backends.ModelBackend")
        return client

    return signed_in
