"""Fixtures for the EHR integration tests: the sample bundles, a fixed clock, and an EHR-like client."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest
from django.test import Client

from assessments.ehr.fhir.samples import sample_load

# The sample bundles' results were drawn at 06:00 UTC on 2 March 2026; three hours later they are current.
NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def sample(name: str) -> dict[str, Any]:
    """A fresh copy: tests edit the data to make each safety check fail."""
    return copy.deepcopy(sample_load(name))


def resource(bundle: dict[str, Any], resource_id: str) -> dict[str, Any]:
    return next(e["resource"] for e in bundle["entry"] if e["resource"].get("id") == resource_id)


@pytest.fixture
def ehr() -> Client:
    # A machine client: no session, no CSRF token; CSRF is enforced so that a missing exemption fails.
    return Client(enforce_csrf_checks=True)


@pytest.fixture
def frozen_now():
    import time_machine

    with time_machine.travel(NOW, tick=False):
        yield NOW
