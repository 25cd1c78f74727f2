"""Fixtures for the EHR integration tests: a fixed clock and an EHR-like client (helpers: `samples.py`)."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.web.ehr.samples import NOW


@pytest.fixture
def ehr() -> Client:
    # A machine client: no session, no CSRF token; CSRF is enforced so that a missing exemption fails.
    return Client(enforce_csrf_checks=True)


@pytest.fixture
def frozen_now():
    import time_machine

    with time_machine.travel(NOW, tick=False):
        yield NOW
