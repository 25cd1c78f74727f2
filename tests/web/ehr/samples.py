"""The sample FHIR bundles for the EHR tests, and the clock they were drawn against."""

from __future__ import annotations

import copy
from typing import Any

from assessments.ehr.fhir.samples import DRAWN_FOR, sample_load

# The sample bundles' results were drawn at 06:00 UTC on 2 March 2026; three hours later they are current.
NOW = DRAWN_FOR


def sample(name: str) -> dict[str, Any]:
    """A fresh copy: tests edit the data to make each safety check fail."""
    return copy.deepcopy(sample_load(name))


def resource(bundle: dict[str, Any], resource_id: str) -> dict[str, Any]:
    return next(e["resource"] for e in bundle["entry"] if e["resource"].get("id") == resource_id)
