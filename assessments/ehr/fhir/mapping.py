"""A FHIR R4 Bundle (or one Observation) -> the contract input, with where each value came from.

Takes: a JSON value that should be a `Bundle` (searchset, collection or transaction) or a single `Observation`;
`now` (an aware datetime: the age of each result is counted to it, and nothing may be dated after it); and, from a
CDS Hooks call, `patient`: the `Patient/<id>` whose chart is open, about whom every resource used must be.
Returns a `FhirImport`: `input` (contract input JSON, with only what FHIR carried: the transplant type and day, the
GI state, symptoms and the like are for the clinician to add; the Mg result's age in `labs.magnesium.age_hours`,
from which the engine raises `stale_result`, PROTOCOL.md section 2.2), `provenance` (one row per field filled),
`not_mapped` (each resource or value left out, with the reason) and `errors` (a safety check failed: nothing may be
used). It never raises on the shape of the JSON: every problem is an error naming the resource and field.

The safety checks (`checks.py`, `shape.py`): the JSON's shape before the model reads it; a code and unit that
disagree; a status that is not final; a result, issue time or birth date in the future (beyond
`checks.CLOCK_ALLOWANCE`); more than one patient, or a resource used without naming its patient when the data (or
the CDS context) names one; the two newest results of one field disagreeing; and the clinical core's own hard
ranges (`parse_input`), so that an implausible number is refused here, naming the resource it came from, and not
only later on the form.

Plain Python on `fhir.resources` (its R4B package: Observation and Bundle have the R4 shape); no Django.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from pydantic import ValidationError

from assessments.clinical import parse_input
from assessments.clinical.parse import SAMPLE_AGE_RANGE_HOURS
from assessments.clinical.plausibility import STALE_AFTER_HOURS
from assessments.labels import field_label
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.observation import Observation

from . import checks, shape
from .codes import IMMUNOSUPPRESSANTS, LOINC, MEDICATIONS, OBSERVATIONS, RXNORM, LoincCode

MEDICATION_TYPES = ("MedicationRequest", "MedicationStatement")


@dataclass
class FhirImport:
    input: dict[str, Any] = field(default_factory=dict)
    provenance: list[dict[str, Any]] = field(default_factory=list)
    not_mapped: list[dict[str, str]] = field(default_factory=list)
    errors: list[dict[str, str]] = field(default_factory=list)
    # The one patient the data is about (`Patient/<id>`), when a resource names one.
    patient: str | None = None
    # Contract path -> the entry it came from (`entry.3`), to name the resource in the engine's range errors.
    sources: dict[str, Any] = field(default_factory=dict)
    # Said at the top, not in the folded "Not used" list: a result newer than the one used was left out (no value,
    # a unit HypoMag does not read), so the form holds an older value than the EHR's newest.
    notices: list[str] = field(default_factory=list)
    # (contract path, time, resource, why) of each timed result left out: what the notices are made from.
    left_out: list[tuple[str, datetime, str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_json(self) -> dict[str, Any]:
        return {
            "input": self.input,
            "provenance": self.provenance,
            "not_mapped": self.not_mapped,
            "notices": self.notices,
        }


@dataclass(frozen=True)
class _Entry:
    where: str  # `entry.3`, for the error's field
    label: str  # `Observation/mg-1`, for people
    full_url: str | None
    resource: Any


@dataclass(frozen=True)
class _Result:
    entry: _Entry
    loinc: LoincCode
    value: float | int
    unit: str
    time: datetime
    lln: tuple[float | int, str] | None
    date_only: bool = False


def fhir_to_input(data: Any, *, now: datetime, patient: str | None = None) -> FhirImport:
    found = FhirImport()
    entries = _entries(data, found)
    if entries is None:
        return found
    aliases = _patient_aliases(entries)
    unnamed = _check_one_patient(entries, aliases, found, context=patient)
    results: list[_Result] = []
    medications: list[_Entry] = []
    referenced: set[str] = set()
    for entry in entries:
        kind = entry.resource.get_resource_type()
        if kind == "Observation":
            result = _observation(entry, found, now, unnamed=entry.label in unnamed)
            if result is not None:
                results.append(result)
        elif kind in MEDICATION_TYPES:
            medications.append(entry)
        elif kind == "Patient":
            _birth_date_check(entry, now, found)
        elif kind != "Medication":
            found.not_mapped.append({"resource": entry.label, "reason": f"HypoMag does not read {kind} resources"})
    if found.errors:
        return found
    patients = [entry for entry in entries if entry.resource.get_resource_type() == "Patient"]
    if patients:
        _patient(patients[0], now, found)
    _newest_results(results, now, found)
    medication_index = _medication_index(entries)
    for entry in medications:
        _medication(entry, medication_index, referenced, now, found, unnamed=entry.label in unnamed)
    for entry in entries:
        if entry.resource.get_resource_type() == "Medication" and entry.label not in referenced:
            found.not_mapped.append(
                {"resource": entry.label, "reason": "no MedicationRequest or MedicationStatement refers to it"}
            )
    if not found.errors:
        _engine_ranges(found)
    if found.errors:
        # All or nothing: after a failed safety check no value may look like a checked one.
        found.input, found.provenance = {}, []
    return found


def _error(found: FhirImport, where: str, message: str) -> None:
    found.errors.append({"field": where, "message": message})


def _entries(data: Any, found: FhirImport) -> list[_Entry] | None:
    """The resources to read, or None (with errors) when the JSON is not a FHIR Bundle or Observation at all, or a
    part of it is not shaped as FHIR says."""
    kind = data.get("resourceType") if isinstance(data, dict) else None
    if kind not in ("Bundle", "Observation"):
        shown = kind if isinstance(kind, str) and kind else "this JSON"
        _error(found, "resourceType", f"send a FHIR Bundle or a single Observation, not {shown[:40]}")
        return None
    problems = shape.resource_type_errors(data)
    if problems:
        found.errors += problems
        return None
    model = Bundle if kind == "Bundle" else Observation
    try:
        parsed = model.model_validate(data)
    except (ValidationError, *shape.MODEL_FAILURES) as exc:
        found.errors += shape.model_errors(kind, exc, data)
        return None
    if kind == "Observation":
        return [_Entry("Observation", _label(parsed, "Observation"), None, parsed)]
    type_error = checks.bundle_type_error(parsed.type)
    if type_error:
        _error(found, "type", type_error)
        return None
    entries = []
    for index, item in enumerate(parsed.entry or []):
        if item.resource is None:
            continue
        where = f"entry.{index}"
        entries.append(_Entry(where, _label(item.resource, where), item.fullUrl, item.resource))
    return entries


def _label(resource: Any, where: str) -> str:
    kind = resource.get_resource_type()
    return f"{kind}/{resource.id}" if resource.id else f"{kind} at {where}"


def _patient_aliases(entries: list[_Entry]) -> dict[str, str]:
    aliases = {}
    for entry in entries:
        if entry.resource.get_resource_type() == "Patient":
            key = f"Patient/{entry.resource.id}" if entry.resource.id else (entry.full_url or entry.label)
            aliases[key] = key
            if entry.full_url:
                aliases[entry.full_url] = key
    return aliases


def _check_one_patient(entries: list[_Entry], aliases: dict[str, str], found: FhirImport, *,
                       context: str | None) -> set[str]:  # fmt: skip
    """One patient, and the context patient when there is one; returns the labels of the resources that name no
    patient (their `subject`), which may be used only when nothing names a patient at all."""
    seen: dict[str, list[str]] = {}
    unnamed: set[str] = set()
    for entry in entries:
        resource = entry.resource
        if resource.get_resource_type() == "Patient":
            key = aliases[f"Patient/{resource.id}"] if resource.id else aliases.get(entry.full_url or entry.label)
            seen.setdefault(key or entry.label, []).append(entry.label)
            continue
        subject = getattr(resource, "subject", None)
        if subject is not None and subject.reference:
            seen.setdefault(checks.patient_key(subject.reference, aliases), []).append(entry.label)
        else:
            unnamed.add(entry.label)
    message = checks.two_patients_error(seen)
    if message:
        _error(found, "subject", message)
    elif context is not None and seen and next(iter(seen)) != context:
        _error(found, "subject", f"the data is about {next(iter(seen))}, not {context}, the patient whose chart is "
                                 "open: HypoMag uses only the open chart's data")  # fmt: skip
    elif seen:
        found.patient = next(iter(seen))
    found.patient = found.patient or (context if not found.errors else None)
    return unnamed


def _unnamed_error(entry: _Entry, found: FhirImport) -> bool:
    """True (with an error) when this resource, about to be used, names no patient while the data names one."""
    if found.patient is None:
        return False
    _error(found, f"{entry.where}.subject", (
        f"{entry.label} does not name its patient (subject), while the data is about {found.patient}: HypoMag "
        "cannot tell whose result it is; send it with its subject"))  # fmt: skip
    return True


def _loinc(resource: Any) -> LoincCode | None:
    for coding in (resource.code.coding or []) if resource.code else []:
        # Match on (system, code): "2161-8" is also a race code in another system (KNOWLEDGE.md section 1.3).
        if coding.system == LOINC and coding.code in OBSERVATIONS:
            return OBSERVATIONS[coding.code]
    return None


def _code_words(system: str | None, code: str | None) -> str:
    """A code as a person names it: "LOINC 718-7"; a code of another system keeps its system ("?" when none)."""
    return f"LOINC {code}" if system == LOINC else f"{system or '?'}|{code}"


def _time(resource: Any) -> datetime | None:
    """When the sample was taken (effective[x]); else when it was reported. Aware, in UTC.

    A date without a time is read as midnight UTC and a time without a zone as UTC: at worst the result looks
    older than it is, so a stale flag comes early, never late.
    """
    return _aware(_time_given(resource))


def _time_given(resource: Any) -> Any:
    value = resource.effectiveDateTime or resource.effectiveInstant
    if value is None and resource.effectivePeriod is not None:
        value = resource.effectivePeriod.start
    return resource.issued if value is None else value


def _date_only(resource: Any) -> bool:
    """True when the result's time is a date without a clock time: its age counts from midnight UTC, and the page
    says so rather than show a "00:00" nobody recorded."""
    value = _time_given(resource)
    return isinstance(value, date) and not isinstance(value, datetime)


class _OutsideCalendar(ValueError):
    """A time that cannot be put in UTC (year 1 at +14:00): no real result has one."""


def _aware(value: Any) -> datetime | None:
    """An aware UTC datetime; None for what is not a full date (a year, a year and month). `_OutsideCalendar` for a
    time at the calendar's edge whose UTC equivalent does not exist."""
    try:
        if isinstance(value, datetime):
            return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
        if isinstance(value, date):
            return datetime(value.year, value.month, value.day, tzinfo=UTC)
    except OverflowError as exc:
        raise _OutsideCalendar(str(value)) from exc
    return None


def _observation(entry: _Entry, found: FhirImport, now: datetime, *, unnamed: bool) -> _Result | None:
    resource = entry.resource
    if resource.code is None:
        _error(found, f"{entry.where}.code", f"{entry.label} has no code (Observation.code is required in FHIR R4): "
                                             "HypoMag cannot tell what it measures")  # fmt: skip
        return None
    loinc = _loinc(resource)
    if loinc is None:
        codes = ", ".join(_code_words(c.system, c.code) for c in (resource.code.coding or [])) or "no coding"
        found.not_mapped.append({"resource": entry.label, "reason": f"no LOINC code that HypoMag reads ({codes})"})
        return None
    if unnamed and _unnamed_error(entry, found):
        return None
    status = checks.status_error(entry.label, resource.status)
    if status:
        _error(found, entry.where, status)
        return None
    try:
        time = _time(resource)
        issued = _aware(resource.issued)
    except _OutsideCalendar as outside:
        _error(found, f"{entry.where}.effectiveDateTime", f"{entry.label} has the time {outside}, which is outside "
                                                          "the calendar: correct it in the EHR")  # fmt: skip
        return None
    # A future time is an error before anything else is read: such a result must never become "the newest".
    for what, when, path in (("the time", time, "effective"), ("the issue time", issued, "issued")):
        problem = checks.future_error(entry.label, what, when, now) if when is not None else None
        if problem:
            _error(found, f"{entry.where}.{path}", problem)
            return None
    if resource.valueQuantity is None:
        reason = "has no value" if resource.dataAbsentReason is None else "has no value (data absent)"
        found.not_mapped.append({"resource": entry.label, "reason": f"LOINC {loinc.code} {reason}"})
        if time is not None:
            found.left_out.append((loinc.field, time, entry.label, reason))
        return None
    error, reason, unit = checks.quantity_problem(entry.label, loinc, resource.valueQuantity)
    if error:
        _error(found, entry.where, error)
        return None
    if reason:
        found.not_mapped.append({"resource": entry.label, "reason": reason})
        if time is not None:
            found.left_out.append((loinc.field, time, entry.label, reason))
        return None
    if time is None:
        found.not_mapped.append(
            {"resource": entry.label, "reason": "has no time (effective or issued): its age cannot be judged"}
        )
        return None
    lln = _reference_low(entry, loinc, found) if loinc.field == "labs.magnesium" else None
    value = checks.plain_number(resource.valueQuantity.value)
    return _Result(entry, loinc, value, unit, time, lln, _date_only(resource))


def _reference_low(entry: _Entry, loinc: LoincCode, found: FhirImport) -> tuple[float | int, str] | None:
    """The reporting lab's lower limit of normal (KNOWLEDGE.md section 1.1: the LLN comes from the lab)."""
    for reference_range in entry.resource.referenceRange or []:
        if reference_range.low is None:
            continue
        error, reason, unit = checks.quantity_problem(f"{entry.label} reference range", loinc, reference_range.low)
        if error:
            _error(found, f"{entry.where}.referenceRange", error)
            return None
        if reason:
            found.not_mapped.append({"resource": f"{entry.label} reference range", "reason": reason})
            return None
        return checks.plain_number(reference_range.low.value), unit
    return None


def _age_hours(time: datetime, now: datetime) -> float | int:
    """Hours from the sample to now, rounded up to a tenth (a result never looks younger than it is; 24.01 h is
    over the 24 h of `stale_result`). A time within the clock allowance ahead of now counts as now (0 h)."""
    hours = max((now - time).total_seconds() / 3600, 0.0)
    return checks.plain_number(math.ceil(round(hours * 10, 6)) / 10)


def _provenance(found: FhirImport, path: str, entry: _Entry, *, code: str | None, display: str, value: str,
                time: datetime | None, age_hours: float | int | None = None,
                date_only: bool = False) -> None:  # fmt: skip
    """One provenance row. `age_hours` is set on results; `stale` only on the Mg result, by the engine's own limit
    (PROTOCOL.md section 2.2: `stale_result` above 24 h), so that the page and the engine never disagree.
    `date_only`: the result gave a date and no clock time (`time` is then that date's midnight UTC)."""
    found.sources.setdefault(path, entry)
    found.provenance.append(
        {
            "field": path,
            "resource": entry.label,
            "code": code,
            "display": display,
            "value": value,
            "time": time.isoformat() if time else None,
            "date_only": date_only,
            "age_hours": age_hours,
            "stale": path == "labs.magnesium" and age_hours is not None and age_hours > STALE_AFTER_HOURS,
        }
    )


def _newest_results(results: list[_Result], now: datetime, found: FhirImport) -> None:
    by_field: dict[str, list[_Result]] = {}
    for result in results:
        by_field.setdefault(result.loinc.field, []).append(result)
    for path, candidates in by_field.items():
        candidates.sort(key=lambda r: r.time, reverse=True)
        newest = candidates[0]
        twins = [
            r for r in candidates[1:] if r.time == newest.time and (r.value, r.unit) != (newest.value, newest.unit)
        ]
        if twins:
            _error(
                found,
                newest.entry.where,
                f"{newest.entry.label} and {twins[0].entry.label} are both the newest"
                f" {field_label(path).lower()} result ({newest.time:%Y-%m-%d %H:%M} UTC) but disagree"
                f" ({newest.value} {newest.unit} and "
                f"{twins[0].value} {twins[0].unit}): remove the wrong one",
            )
            continue
        for older in candidates[1:]:
            found.not_mapped.append(
                {
                    "resource": older.entry.label,
                    "reason": f"an older {field_label(path).lower()} result: {newest.entry.label} is newer",
                }
            )
        for left_path, time, label, why in found.left_out:
            if left_path == path and time > newest.time:
                what = field_label(path).lower()
                found.notices.append(
                    f"{label} is a newer {what} result ({time:%Y-%m-%d %H:%M} UTC) than the one used"
                    f" ({newest.entry.label}, {newest.time:%Y-%m-%d %H:%M} UTC), but it {_plain_reason(why)}: check"
                    " the EHR for the newest value before acting on this one."
                )
        age = _age_hours(newest.time, now)
        if path.startswith("labs."):
            value: dict[str, Any] = {"value": newest.value, "unit": newest.unit}
            if path == "labs.magnesium":
                # PROTOCOL.md section 2.2: the importer fills the same field a person types; the engine judges it.
                value["age_hours"] = age
            _set(found.input, path, value)
        else:
            _set(found.input, path, newest.value)
        shown = f"{newest.value} {newest.unit}"
        _provenance(found, path, newest.entry, code=f"{LOINC}|{newest.loinc.code}", display=newest.loinc.display,
                    value=shown, time=newest.time, age_hours=age, date_only=newest.date_only)  # fmt: skip
        if newest.lln is not None:
            value_lln, unit = newest.lln
            _set(found.input, "labs.magnesium_lln", {"value": value_lln, "unit": unit})
            _provenance(found, "labs.magnesium_lln", newest.entry, code=f"{LOINC}|{newest.loinc.code}",
                        display="reference range low (the lab's lower limit of normal)",
                        value=f"{value_lln} {unit}", time=newest.time, age_hours=age,
                        date_only=newest.date_only)  # fmt: skip


def _plain_reason(why: str) -> str:
    """A left-out result's reason after "it": "has no value", or "was left out (<reason>)"."""
    return why if why.startswith("has ") else f"was left out ({why})"


def _set(data: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    for key in parents:
        data = data.setdefault(key, {})
    data[last] = value


def _birth_date_check(entry: _Entry, now: datetime, found: FhirImport) -> None:
    """A birth date after today (9999-12-31, a typo) would become a negative age: refused, naming the Patient."""
    birth = entry.resource.birthDate
    if isinstance(birth, date):
        problem = checks.future_error(entry.label, "the birth date", _aware(birth), now, shown=birth.isoformat())
        if problem:
            _error(found, f"{entry.where}.birthDate", problem)


def _patient(entry: _Entry, now: datetime, found: FhirImport) -> None:
    patient = entry.resource
    birth = patient.birthDate
    if isinstance(birth, date):
        age = _age_years(birth, now.date())
        _set(found.input, "patient.age_years", age)
        _provenance(found, "patient.age_years", entry, code=None, display=f"birth date {birth.isoformat()}",
                    value=f"{age} years", time=None)  # fmt: skip
    elif birth:
        found.not_mapped.append(
            {"resource": entry.label, "reason": f"birth date {birth} is not a full date: enter the age by hand"}
        )
    if patient.gender in ("female", "male"):
        _set(found.input, "patient.sex", patient.gender)
        _provenance(found, "patient.sex", entry, code=None, display="gender", value=patient.gender, time=None)
    elif patient.gender:
        found.not_mapped.append(
            {"resource": entry.label, "reason": f"gender {patient.gender}: the formulas need female or male"}
        )


def _age_years(birth: date, today: date) -> float | int:
    """Completed years; under one year, a fraction (pediatric rules need it, and 0 would read as a neonate)."""
    years = today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))
    if years >= 1:
        return years
    return round((today - birth).days / 365.25, 2)


def _medication_index(entries: list[_Entry]) -> dict[str, _Entry]:
    index = {}
    for entry in entries:
        if entry.resource.get_resource_type() == "Medication":
            if entry.resource.id:
                index[f"Medication/{entry.resource.id}"] = entry
            if entry.full_url:
                index[entry.full_url] = entry
    return index


def _concept(entry: _Entry, index: dict[str, _Entry], referenced: set[str]) -> Any:
    resource = entry.resource
    if resource.medicationCodeableConcept is not None:
        return resource.medicationCodeableConcept
    reference = resource.medicationReference.reference if resource.medicationReference else None
    if reference and reference.startswith("#"):
        for contained in resource.contained or []:
            if contained.get_resource_type() == "Medication" and contained.id == reference[1:]:
                return contained.code
    if reference and reference in index:
        referenced.add(index[reference].label)
        return index[reference].resource.code
    return None


def _medication(entry: _Entry, index: dict[str, _Entry], referenced: set[str], now: datetime,
                found: FhirImport, *, unnamed: bool) -> None:  # fmt: skip
    resource = entry.resource
    if resource.status != "active":
        found.not_mapped.append(
            {"resource": entry.label, "reason": f"status {resource.status}: only active medications are listed"}
        )
        return
    concept = _concept(entry, index, referenced)
    codings = [c for c in (concept.coding or []) if c.system == RXNORM] if concept is not None else []
    name = (concept.text if concept is not None else None) or next((c.display for c in codings if c.display), "")
    coding = next((c for c in codings if c.code in IMMUNOSUPPRESSANTS or c.code in MEDICATIONS), None)
    if coding is None:
        if codings:
            reason = f"RxNorm {', '.join(c.code or '?' for c in codings)} is not an ingredient code HypoMag maps"
        else:
            reason = "no RxNorm code: HypoMag does not guess a drug from its name"
        found.not_mapped.append({"resource": entry.label, "reason": f"{name or 'medication'}: {reason}"})
        return
    if unnamed and _unnamed_error(entry, found):
        return
    try:
        start = None
        if resource.get_resource_type() == "MedicationStatement" and resource.effectivePeriod is not None:
            start = _aware(resource.effectivePeriod.start)
        authored = _aware(getattr(resource, "authoredOn", None))
    except _OutsideCalendar as outside:
        _error(found, entry.where, f"{entry.label} has the time {outside}, which is outside the calendar: correct it "
                                   "in the EHR")  # fmt: skip
        return
    if coding.code in IMMUNOSUPPRESSANTS:
        drug = IMMUNOSUPPRESSANTS[coding.code]
        items = found.input.setdefault("immunosuppressants", [])
        if all(item["drug"] != drug for item in items):
            items.append({"drug": drug})
        path = f"immunosuppressants.{next(i for i, item in enumerate(items) if item['drug'] == drug)}"
    else:
        drug = MEDICATIONS[coding.code]
        items = found.input.setdefault("medications", [])
        item = next((item for item in items if item["id"] == drug), None)
        if item is None:
            item = {"id": drug}
            items.append(item)
        if start is not None:
            # Two drugs of one class (omeprazole, then pantoprazole): the longer exposure counts. A start after now
            # is a plan, not yet an exposure: 0 days.
            item["days"] = max(item.get("days", 0), max((now - start).days, 0))
        path = f"medications.{items.index(item)}"
    found.sources.setdefault(path, entry)
    _provenance(found, path.split(".")[0], entry, code=f"{RXNORM}|{coding.code}",
                display=name or coding.display or drug, value=drug, time=start or authored)  # fmt: skip


def _engine_ranges(found: FhirImport) -> None:
    """The clinical core's hard ranges (PROTOCOL.md section 2), applied to what was imported: a value outside them is
    refused here, naming the resource it came from. What FHIR cannot carry (the transplant, a child's weight) is
    not an error here: the clinician adds it."""
    for problem in parse_input(found.input).errors:
        if problem.message.startswith("is required"):
            continue
        entry = _source(found, problem.field)
        label = entry.label if entry is not None else "the imported data"
        message = f"{label} ({field_label(problem.field)}): {problem.message}"
        if problem.field == "labs.magnesium.age_hours":
            message = _too_old(found, label) or message
        _error(found, entry.where if entry is not None else problem.field, message)


def _too_old(found: FhirImport, label: str) -> str | None:
    """A Mg result older than the contract reads, said with its date ("6733.9 h is outside 0-720 h" was a riddle)."""
    row = next((r for r in found.provenance if r["field"] == "labs.magnesium" and r["time"]), None)
    if row is None or row["age_hours"] is None:
        return None
    days = row["age_hours"] / 24
    return (
        f"{label}: the magnesium result was taken {row['time'][:16].replace('T', ' ')} UTC, {days:.0f} days ago;"
        f" HypoMag assesses a result at most {SAMPLE_AGE_RANGE_HOURS[1] / 24:.0f} days old: use a newer result"
    )


def _source(found: FhirImport, path: str) -> _Entry | None:
    """The entry behind a contract path: the longest recorded prefix (`labs.magnesium.value` -> `labs.magnesium`)."""
    parts = path.split(".")
    for end in range(len(parts), 0, -1):
        entry = found.sources.get(".".join(parts[:end]))
        if entry is not None:
            return entry
    return None
