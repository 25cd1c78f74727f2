"""Safety checks on FHIR data before any value reaches the assessment.

`fhir.resources` checks the shape of a resource but not its required code bindings, and nothing in FHIR stops a
lab system from sending a molar LOINC code with a mass unit. Each check here returns a sentence that names the
resource, for a clinician to read, or None when the data is safe to use. None of them converts or repairs a value:
a result that fails a check is refused, so that the wrong number never looks plausible on the page.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from .codes import UCUM, UNITS, LoincCode

BUNDLE_TYPES = ("searchset", "collection", "transaction")
# A preliminary or registered result can still change; cancelled and entered-in-error ones are not results.
USABLE_STATUSES = ("final", "amended", "corrected")
# How far ahead of our clock a time may be and still count as now: the EHR's and the lab's clocks are not ours.
# Anything later is a wrong date (a typo, a year 9999 placeholder, a clock set wrong) and is refused, never used:
# a future result would otherwise outrank today's as "the newest" (issue 15). The same allowance for every time
# HypoMag reads from the EHR (results, birth dates) and as the bedside save panel's CLOCK_SKEW.
CLOCK_ALLOWANCE = timedelta(minutes=5)

_PATIENT_REFERENCE = re.compile(r"(?:^|/)Patient/([^/]+)(?:/_history/[^/]+)?$")


def bundle_type_error(bundle_type: str | None) -> str | None:
    if bundle_type in BUNDLE_TYPES:
        return None
    return f"a Bundle of type {bundle_type or '(none)'} is not read: send a {', '.join(BUNDLE_TYPES)} Bundle"


def status_error(label: str, status: str | None) -> str | None:
    if status in USABLE_STATUSES:
        return None
    return (
        f"{label} has status {status or '(none)'}: only final, amended or corrected results are used; "
        "wait for the final result or remove this one"
    )


def quantity_problem(label: str, loinc: LoincCode, quantity: Any) -> tuple[str | None, str | None, str | None]:
    """(error, reason not used, contract unit) for one result's `valueQuantity` (or a reference-range limit).

    An error stops the whole import; a reason not used only leaves this one result out (its unit is right for its
    code, but not one the contract takes, and converting it is not this module's business).
    """
    what = f"{label} (LOINC {loinc.code}, {loinc.display})"
    if quantity is None or quantity.value is None:
        return None, f"{what} has no numeric value", None
    if not math.isfinite(float(quantity.value)):  # 1e400 is valid FHIR JSON; as a number it is infinity
        shown = f"{Decimal(quantity.value):.3g}"
        return f"{what} has the value {shown}, too large to be a result: correct the result in the EHR", None, None
    if quantity.comparator:
        return (
            f"{what} is reported as {quantity.comparator} {quantity.value}: a value beyond the assay's limit cannot "
            "be assessed; enter the value by hand if the lab confirms it",
            None,
            None,
        )
    if not quantity.code:
        shown = f" ({quantity.unit})" if quantity.unit else ""
        return f"{what} has a value without a UCUM unit code{shown}: HypoMag does not guess units", None, None
    if quantity.system and quantity.system != UCUM:
        return f"{what} has a unit from {quantity.system}, not UCUM ({UCUM}): HypoMag reads UCUM units only", None, None
    unit = UNITS.get(quantity.code)
    if unit is None:
        hint = " (the UCUM code for mEq/L is meq/L: UCUM is case-sensitive)" if quantity.code.lower() == "meq/l" else ""
        return f"{what} has the unit {quantity.code}, which HypoMag does not know{hint}", None, None
    kind, contract_unit = unit
    if kind != loinc.kind:
        return (
            f"{what} is a {loinc.kind} code but its unit {quantity.code} is a {kind}: the code and the unit "
            "disagree, so the value is refused, not converted; ask the lab to correct the result",
            None,
            None,
        )
    if contract_unit not in loinc.accepted:
        accepted = ", ".join(loinc.accepted) or "another LOINC code"
        return None, f"{what} is in {quantity.code}; HypoMag takes {accepted} here and does not convert", None
    return None, None, contract_unit


def future_error(label: str, what: str, time: datetime, now: datetime, *, shown: str | None = None) -> str | None:
    """A sentence naming the resource when `time` (aware) is after now plus the clock allowance, else None."""
    if time <= now + CLOCK_ALLOWANCE:
        return None
    return (
        f"{label} has {what} {shown or _clock(time)}, which is in the future (after now plus "
        f"{_minutes(CLOCK_ALLOWANCE)} minutes for clock differences): the date is wrong, so nothing is imported "
        "from this data; correct it in the EHR"
    )


def _clock(time: datetime) -> str:
    """A time as the page writes times, to the minute and with its zone: "2026-12-08 02:03 UTC", not ISO 8601."""
    return f"{time.astimezone(UTC):%Y-%m-%d %H:%M} UTC"


def _minutes(delta: timedelta) -> int:
    return int(delta.total_seconds() // 60)


def plain_number(value: Decimal | float | int) -> float | int:
    """Whole numbers travel as ints (15, not 15.0), as the form and the contract examples write them."""
    number = float(value)
    # Only where an int is exact and short: 1e300 stays a float (and is shown as such in a range error).
    return int(number) if number.is_integer() and abs(number) < 1e15 else number


def patient_key(reference: str, aliases: dict[str, str]) -> str:
    """One spelling per patient: `Patient/p1`, `https://ehr/fhir/Patient/p1` and its `urn:uuid:` fullUrl alike."""
    if reference in aliases:
        return aliases[reference]
    match = _PATIENT_REFERENCE.search(reference)
    return f"Patient/{match.group(1)}" if match else reference


def two_patients_error(seen: dict[str, list[str]]) -> str | None:
    """`seen` maps each patient to the resources that name it; more than one patient is refused."""
    if len(seen) <= 1:
        return None
    described = "; ".join(f"{key} ({', '.join(labels[:3])}{', ...' if len(labels) > 3 else ''})"
                          for key, labels in seen.items())  # fmt: skip
    return f"the data is about {len(seen)} different patients: {described}. Send one patient's data at a time"
