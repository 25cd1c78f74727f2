"""A FHIR R4 Bundle (or one Observation) -> the contract input, with where each value came from.

Takes: a JSON object, a `Bundle` (searchset, collection or transaction) or a single `Observation`, and `now` (an
aware datetime: results are judged stale against it). Returns a `FhirImport`: `input` (contract input JSON, with
only what FHIR carried: the transplant type and day, the GI state, symptoms and the like are for the clinician to
add), `provenance` (one row per field filled), `not_mapped` (each resource or value left out, with the reason),
`warnings` (`stale_result`) and `errors` (a safety check failed: nothing may be used).

Plain Python on `fhir.resources` (its R4B package: Observation and Bundle have the R4 shape); no Django.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from pydantic import ValidationError

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.observation import Observation

from . import checks
from .codes import IMMUNOSUPPRESSANTS, LOINC, MEDICATIONS, OBSERVATIONS, RXNORM, LoincCode

MEDICATION_TYPES = ("MedicationRequest", "MedicationStatement")


@dataclass
class FhirImport:
    input: dict[str, Any] = field(default_factory=dict)
    provenance: list[dict[str, Any]] = field(default_factory=list)
    not_mapped: list[dict[str, str]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, str]] = field(default_factory=list)
    # The one patient the data is about (`Patient/<id>`), when a resource names one.
    patient: str | None = None

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_json(self) -> dict[str, Any]:
        return {
            "input": self.input,
            "provenance": self.provenance,
            "not_mapped": self.not_mapped,
            "warnings": self.warnings,
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


def fhir_to_input(data: Any, *, now: datetime) -> FhirImport:
    found = FhirImport()
    entries = _entries(data, found)
    if entries is None:
        return found
    aliases = _patient_aliases(entries)
    _check_one_patient(entries, aliases, found)
    results: list[_Result] = []
    medications: list[_Entry] = []
    referenced: set[str] = set()
    for entry in entries:
        kind = entry.resource.get_resource_type()
        if kind == "Observation":
            result = _observation(entry, found)
            if result is not None:
                results.append(result)
        elif kind in MEDICATION_TYPES:
            medications.append(entry)
        elif kind not in ("Patient", "Medication"):
            found.not_mapped.append({"resource": entry.label, "reason": f"HypoMag does not read {kind} resources"})
    if found.errors:
        return found
    patients = [entry for entry in entries if entry.resource.get_resource_type() == "Patient"]
    if patients:
        _patient(patients[0], now, found)
    _newest_results(results, now, found)
    medication_index = _medication_index(entries)
    for entry in medications:
        _medication(entry, medication_index, referenced, now, found)
    for entry in entries:
        if entry.resource.get_resource_type() == "Medication" and entry.label not in referenced:
            found.not_mapped.append(
                {"resource": entry.label, "reason": "no MedicationRequest or MedicationStatement refers to it"}
            )
    if found.errors:
        # All or nothing: after a failed safety check no value may look like a checked one.
        found.input, found.provenance, found.warnings = {}, [], []
    return found


def _error(found: FhirImport, where: str, message: str) -> None:
    found.errors.append({"field": where, "message": message})


def _entries(data: Any, found: FhirImport) -> list[_Entry] | None:
    """The resources to read, or None (with errors) when the JSON is not a FHIR Bundle or Observation at all."""
    kind = data.get("resourceType") if isinstance(data, dict) else None
    if kind not in ("Bundle", "Observation"):
        _error(found, "resourceType", f"send a FHIR Bundle or a single Observation, not {kind or 'this JSON'}")
        return None
    model = Bundle if kind == "Bundle" else Observation
    try:
        parsed = model.model_validate(data)
    except ValidationError as exc:
        for problem in exc.errors()[:20]:
            where = ".".join(str(part) for part in problem["loc"]) or kind
            _error(found, where, f"{kind} is not valid FHIR R4 at {where}: {problem['msg']}")
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


def _check_one_patient(entries: list[_Entry], aliases: dict[str, str], found: FhirImport) -> None:
    seen: dict[str, list[str]] = {}
    for entry in entries:
        resource = entry.resource
        if resource.get_resource_type() == "Patient":
            key = aliases[f"Patient/{resource.id}"] if resource.id else aliases.get(entry.full_url or entry.label)
            seen.setdefault(key or entry.label, []).append(entry.label)
            continue
        subject = getattr(resource, "subject", None)
        if subject is not None and subject.reference:
            seen.setdefault(checks.patient_key(subject.reference, aliases), []).append(entry.label)
    message = checks.two_patients_error(seen)
    if message:
        _error(found, "subject", message)
    elif seen:
        found.patient = next(iter(seen))


def _loinc(resource: Any) -> LoincCode | None:
    for coding in (resource.code.coding or []) if resource.code else []:
        # Match on (system, code): "2161-8" is also a race code in another system (KNOWLEDGE.md section 1.3).
        if coding.system == LOINC and coding.code in OBSERVATIONS:
            return OBSERVATIONS[coding.code]
    return None


def _time(resource: Any) -> datetime | None:
    """When the sample was taken (effective[x]); else when it was reported. Aware, in UTC.

    A date without a time is read as midnight UTC and a time without a zone as UTC: at worst the result looks
    older than it is, so a stale flag comes early, never late.
    """
    value = resource.effectiveDateTime or resource.effectiveInstant
    if value is None and resource.effectivePeriod is not None:
        value = resource.effectivePeriod.start
    if value is None:
        value = resource.issued
    return _aware(value)


def _aware(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    return None


def _observation(entry: _Entry, found: FhirImport) -> _Result | None:
    resource = entry.resource
    loinc = _loinc(resource)
    if loinc is None:
        codes = ", ".join(f"{c.system or '?'}|{c.code}" for c in (resource.code.coding or [])) or "no coding"
        found.not_mapped.append({"resource": entry.label, "reason": f"no LOINC code that HypoMag reads ({codes})"})
        return None
    status = checks.status_error(entry.label, resource.status)
    if status:
        _error(found, entry.where, status)
        return None
    if resource.valueQuantity is None:
        reason = "has no value" if resource.dataAbsentReason is None else "has no value (data absent)"
        found.not_mapped.append({"resource": entry.label, "reason": f"LOINC {loinc.code} {reason}"})
        return None
    error, reason, unit = checks.quantity_problem(entry.label, loinc, resource.valueQuantity)
    if error:
        _error(found, entry.where, error)
        return None
    if reason:
        found.not_mapped.append({"resource": entry.label, "reason": reason})
        return None
    time = _time(resource)
    if time is None:
        found.not_mapped.append(
            {"resource": entry.label, "reason": "has no time (effective or issued): its age cannot be judged"}
        )
        return None
    lln = _reference_low(entry, loinc, found) if loinc.field == "labs.magnesium" else None
    return _Result(entry, loinc, checks.plain_number(resource.valueQuantity.value), unit, time, lln)


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


def _provenance(found: FhirImport, path: str, entry: _Entry, *, code: str | None, display: str, value: str,
                time: datetime | None, now: datetime, is_result: bool = True) -> bool:  # fmt: skip
    """Add one provenance row; True when the row is a result older than 48 h (a start date is never stale)."""
    stale = is_result and time is not None and now - time > timedelta(hours=checks.STALE_AFTER_HOURS)
    found.provenance.append(
        {
            "field": path,
            "resource": entry.label,
            "code": code,
            "display": display,
            "value": value,
            "time": time.isoformat() if time else None,
            "stale": stale,
        }
    )
    return stale


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
                f"{newest.entry.label} and {twins[0].entry.label} are both the newest {path} "
                f"({newest.time.isoformat()}) but disagree ({newest.value} {newest.unit} and "
                f"{twins[0].value} {twins[0].unit}): remove the wrong one",
            )
            continue
        for older in candidates[1:]:
            found.not_mapped.append(
                {"resource": older.entry.label, "reason": f"an older {path} result: {newest.entry.label} is newer"}
            )
        if path.startswith("labs."):
            _set(found.input, path, {"value": newest.value, "unit": newest.unit})
        else:
            _set(found.input, path, newest.value)
        shown = f"{newest.value} {newest.unit}"
        stale = _provenance(found, path, newest.entry, code=f"{LOINC}|{newest.loinc.code}",
                            display=newest.loinc.display, value=shown, time=newest.time, now=now)  # fmt: skip
        if stale:
            hours = int((now - newest.time).total_seconds() // 3600)
            found.warnings.append(
                {
                    "id": "stale_result",
                    "field": path,
                    "resource": newest.entry.label,
                    "time": newest.time.isoformat(),
                    "text": f"{newest.loinc.display} ({shown}) is {hours} hours old (over "
                    f"{checks.STALE_AFTER_HOURS} h): check for a newer result before acting on it",
                }
            )
        if newest.lln is not None:
            value, unit = newest.lln
            _set(found.input, "labs.magnesium_lln", {"value": value, "unit": unit})
            _provenance(found, "labs.magnesium_lln", newest.entry, code=f"{LOINC}|{newest.loinc.code}",
                        display="reference range low (the lab's lower limit of normal)", value=f"{value} {unit}",
                        time=newest.time, now=now)  # fmt: skip


def _set(data: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    for key in parents:
        data = data.setdefault(key, {})
    data[last] = value


def _patient(entry: _Entry, now: datetime, found: FhirImport) -> None:
    patient = entry.resource
    birth = patient.birthDate
    if isinstance(birth, date):
        age = _age_years(birth, now.date())
        _set(found.input, "patient.age_years", age)
        _provenance(found, "patient.age_years", entry, code=None, display=f"birth date {birth.isoformat()}",
                    value=f"{age} years", time=None, now=now)  # fmt: skip
    elif birth:
        found.not_mapped.append(
            {"resource": entry.label, "reason": f"birth date {birth} is not a full date: enter the age by hand"}
        )
    if patient.gender in ("female", "male"):
        _set(found.input, "patient.sex", patient.gender)
        _provenance(found, "patient.sex", entry, code=None, display="gender", value=patient.gender, time=None,
                    now=now)  # fmt: skip
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
                found: FhirImport) -> None:  # fmt: skip
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
    start = None
    if resource.get_resource_type() == "MedicationStatement" and resource.effectivePeriod is not None:
        start = _aware(resource.effectivePeriod.start)
    if coding.code in IMMUNOSUPPRESSANTS:
        drug = IMMUNOSUPPRESSANTS[coding.code]
        items = found.input.setdefault("immunosuppressants", [])
        if all(item["drug"] != drug for item in items):
            items.append({"drug": drug})
        path = "immunosuppressants"
    else:
        drug = MEDICATIONS[coding.code]
        items = found.input.setdefault("medications", [])
        item = next((item for item in items if item["id"] == drug), None)
        if item is None:
            item = {"id": drug}
            items.append(item)
        if start is not None:
            # Two drugs of one class (omeprazole, then pantoprazole): the longer exposure counts.
            item["days"] = max(item.get("days", 0), max((now - start).days, 0))
        path = "medications"
    _provenance(found, path, entry, code=f"{RXNORM}|{coding.code}", display=name or coding.display or drug,
                value=drug, time=start or _aware(getattr(resource, "authoredOn", None)), now=now,
                is_result=False)  # fmt: skip
