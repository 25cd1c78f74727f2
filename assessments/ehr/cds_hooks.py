"""CDS Hooks 2.0 service `hypomag-patient-view`: discovery, the hook call, feedback, and the EHR's JWT.

The EHR calls us when a clinician opens a chart; we answer with at most one card about the newest serum Mg.
Stateless: the FHIR data lives only for the request, and nothing here writes: the feedback (accepted or
overridden, with the reason) is validated here and stored by `services.cds_feedback_record` in the audit log,
which holds no patient identifier.

What FHIR cannot tell us: the transplant type and day. An EHR that knows them sends the extension
`org.hypomag.transplant` (`{"type": "allogeneic", "date": "2026-02-20"}`, day 0); the card then carries the
whole plan. Without it the card gives the CTCAE grade, which needs only the Mg and the lab's LLN, and sends the
clinician to HypoMag for the plan: HypoMag never guesses a transplant day.

Hostile input and faults (issue 15): every part of the request is checked before use (400 naming the field);
the FHIR data goes through the same mapping and safety checks as the import page (a result dated in the future,
data about another patient than `context.patientId`, a resource that names no patient: a refused card naming the
resource); data not prefetched is fetched by `fhir_fetch` (verified callers only; same-origin redirects only; one
deadline, `FETCH_DEADLINE_SECONDS`), and what could not be fetched is said on the card, never a 500 or a hang.

Spec: https://cds-hooks.hl7.org/2.0/ (discovery, request, card, feedback, security).
"""

from __future__ import annotations

import datetime as dt
import re
import time
import urllib.parse
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import wait as wait_for
from dataclasses import dataclass, field
from typing import Any

from assessments.clinical import (
    RULESET_VERSION,
    grade_magnesium,
    result_warnings,
    warnings_to_json,
)
from assessments.clinical.inputs import URGENT_SYMPTOMS
from assessments.clinical.plausibility import STALE_AFTER_HOURS
from assessments.clinical.references import REFERENCES
from assessments.clinical.units import Analyte, Measurement, Unit, fmt
from assessments.ehr import cds_auth
from assessments.ehr.fhir import FhirImport, fhir_to_input
from assessments.ehr.fhir import shape as fhir_shape
from assessments.ehr.fhir.codes import CODES_BY_FIELD, LOINC
from assessments.ehr.fhir_fetch import FetchFailed
from assessments.ehr.fhir_fetch import fetch as fetch_once
from assessments.labels import field_label, label, value_label
from assessments.models import DeclineReason
from assessments.services import assessment_run

SERVICE_ID = "hypomag-patient-view"
HOOK = "patient-view"
TRANSPLANT_EXTENSION = "org.hypomag.transplant"
SUMMARY_LIMIT = 139  # "summary: <140 characters"
# One deadline for every FHIR fetch of one hook call (issue 15: a silent FHIR server must not hold a worker until
# gunicorn's 30 s timeout). The fetches run side by side; what has not come back by then is "could not be fetched".
FETCH_DEADLINE_SECONDS = 5.0
FETCH_WORKERS = 4
# CDS Hooks 2.0 context.patientId is a FHIR id: "[A-Za-z0-9\-\.]{1,64}" (FHIR R4, datatype id).
FHIR_ID = re.compile(r"[A-Za-z0-9\-.]{1,64}")
TEXT_LIMIT = 200  # hook, userId and the like: far longer than any real one
# Feedback (CDS Hooks 2.0 "Feedback"): an EHR sends one item per card acted on; a card holds at most one of ours.
MAX_FEEDBACK_ITEMS = 100
COMMENT_LIMIT = 1000
OVERRIDE_SYSTEM = "https://hypomag.example/fhir/CodeSystem/override-reason"
TOPIC = {
    "system": "https://hypomag.example/fhir/CodeSystem/cds-topic",
    "code": "hypomagnesemia",
    "display": "Low serum magnesium",
}

# One prefetch key per contract field, so a client may prefetch some and leave us to fetch the rest.
_OBSERVATION_KEYS = {
    "magnesium": "labs.magnesium",
    "potassium": "labs.potassium",
    "calciumTotal": "labs.calcium_total",
    "calciumIonized": "labs.calcium_ionized",
    "albumin": "labs.albumin",
    "creatinine": "labs.creatinine",
    "phosphate": "labs.phosphate",
    "urineMagnesium": "labs.urine_magnesium",
    "urineCreatinine": "labs.urine_creatinine",
    "bodyWeight": "patient.weight_kg",
    "bodyHeight": "patient.height_cm",
    "qtc": "ecg.qtc_ms",
}
PREFETCH: dict[str, str] = {
    "patient": "Patient/{{context.patientId}}",
    **{
        key: "Observation?patient={{context.patientId}}&code="
        + ",".join(f"{LOINC}|{code}" for code in CODES_BY_FIELD[path])
        for key, path in _OBSERVATION_KEYS.items()
    },
    "medicationRequests": "MedicationRequest?patient={{context.patientId}}&status=active",
}
# Without these there is nothing to assess (the Mg) or no age for the rules (the Patient).
NEEDED = ("patient", "magnesium")


class CdsError(Exception):
    """A request the service refuses; `status` is the HTTP status, `errors` the contract-style field errors."""

    def __init__(self, status: int, errors: list[dict[str, str]]) -> None:
        super().__init__(errors)
        self.status = status
        self.errors = errors


# (url, access token or None, deadline as a time.monotonic() value) -> the JSON fetched; raises FetchFailed.
Fetcher = Callable[[str, str | None, float], Any]
# The real fetcher (https, same-origin redirects only, deadlines); the view passes it for a verified caller.
fhir_fetch: Fetcher = fetch_once


def discovery() -> dict[str, Any]:
    return {
        "services": [
            {
                "hook": HOOK,
                "id": SERVICE_ID,
                "title": "HypoMag: low magnesium after stem cell transplant",
                "description": (
                    "Grades the newest serum magnesium (CTCAE v5) and, when the transplant type and day are sent, "
                    "gives HypoMag's replacement plan with its reasons and sources."
                ),
                "prefetch": PREFETCH,
                "usageRequirements": (
                    "Send the extension org.hypomag.transplant ({type, date}) for a full plan; otherwise the card "
                    "gives the grade and links to HypoMag."
                ),
            }
        ]
    }


# --- the hook call ----------------------------------------------------------------------------------------------


@dataclass
class HookRequest:
    hook_instance: str
    patient_id: str
    user_id: str
    fhir_server: str | None
    access_token: str | None
    prefetch: dict[str, Any]
    transplant: dict[str, str] | None
    errors: list[dict[str, str]] = field(default_factory=list)


def _require_text(errors: list[dict[str, str]], data: Any, key: str, path: str) -> str:
    value = data.get(key) if isinstance(data, dict) else None
    if not isinstance(value, str) or not value.strip():
        errors.append({"field": path, "message": "is required (a non-empty string)"})
        return ""
    if len(value) > TEXT_LIMIT:
        errors.append({"field": path, "message": f"is longer than {TEXT_LIMIT} characters"})
        return ""
    return value


def request_parse(data: Any) -> HookRequest:
    """Validate a CDS Hooks request body; raise CdsError(400) with every problem at once."""
    errors: list[dict[str, str]] = []
    if not isinstance(data, dict):
        raise CdsError(400, [{"field": "request", "message": "send a JSON object"}])
    hook = _require_text(errors, data, "hook", "hook")
    if hook and hook != HOOK:
        errors.append({"field": "hook", "message": f"this service answers {HOOK}, not {hook}"})
    hook_instance = _require_text(errors, data, "hookInstance", "hookInstance")
    if hook_instance:
        try:
            uuid.UUID(hook_instance.removeprefix("urn:uuid:"))
        except ValueError:
            errors.append({"field": "hookInstance", "message": "must be a UUID"})
    context = data.get("context")
    if not isinstance(context, dict):
        errors.append({"field": "context", "message": "is required (an object with patientId and userId)"})
        context = {}
    patient_id = _require_text(errors, context, "patientId", "context.patientId")
    if patient_id and not FHIR_ID.fullmatch(patient_id):
        errors.append({"field": "context.patientId", "message": "must be a FHIR id: 1-64 letters, digits, - or ."})
        patient_id = ""
    user_id = _require_text(errors, context, "userId", "context.userId")
    fhir_server = data.get("fhirServer")
    if fhir_server is not None and not _https_url(fhir_server):
        # The EHR's access token travels with every fetch: never over plain HTTP.
        errors.append({"field": "fhirServer", "message": "must be an https URL"})
        fhir_server = None
    authorization = data.get("fhirAuthorization")
    access_token = None
    if authorization is not None:
        if not isinstance(authorization, dict) or not isinstance(authorization.get("access_token"), str):
            errors.append({"field": "fhirAuthorization.access_token", "message": "is required (a string)"})
        else:
            access_token = authorization["access_token"]
        if data.get("fhirServer") is None:
            errors.append({"field": "fhirServer", "message": "is required when fhirAuthorization is given"})
    prefetch = data.get("prefetch", {})
    if not isinstance(prefetch, dict):
        errors.append({"field": "prefetch", "message": "must be an object"})
        prefetch = {}
    for key, value in prefetch.items():
        if key in PREFETCH and value is not None and not isinstance(value, dict):
            errors.append({"field": f"prefetch.{key}", "message": "must be a FHIR resource (a JSON object) or null"})
    transplant = _transplant_extension(data.get("extension"), errors)
    if errors:
        raise CdsError(400, errors)
    return HookRequest(hook_instance, patient_id, user_id, fhir_server, access_token, prefetch, transplant)


def _https_url(value: Any) -> bool:
    if not isinstance(value, str) or len(value) > 2000:
        return False
    try:
        parts = urllib.parse.urlsplit(value)
        parts.port  # noqa: B018 (raises ValueError for a port that is not a number)
    except ValueError:
        return False
    return parts.scheme == "https" and bool(parts.hostname)


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _transplant_extension(extension: Any, errors: list[dict[str, str]]) -> dict[str, str] | None:
    value = extension.get(TRANSPLANT_EXTENSION) if isinstance(extension, dict) else None
    if value is None:
        return None
    path = f"extension.{TRANSPLANT_EXTENSION}"
    if not isinstance(value, dict) or value.get("type") not in ("allogeneic", "autologous"):
        errors.append({"field": f"{path}.type", "message": "must be allogeneic or autologous"})
        return None
    date = value.get("date")
    try:
        # Text in the form YYYY-MM-DD only: 20260220 (a number) or "20260220" are not read as dates.
        if not isinstance(date, str) or not _ISO_DATE.fullmatch(date):
            raise ValueError(date)
        dt.date.fromisoformat(date)
    except ValueError:
        errors.append({"field": f"{path}.date", "message": "must be the transplant date (day 0), as text YYYY-MM-DD"})
        return None
    # Its range is the engine's: the day it gives must be within PROTOCOL.md section 2's -30 to 3650 (cards_for).
    return {"type": value["type"], "date": date}


def _query(template: str, hook: HookRequest) -> str:
    patient = urllib.parse.quote(hook.patient_id, safe="")
    user = urllib.parse.quote(hook.user_id, safe="/")
    return template.replace("{{context.patientId}}", patient).replace("{{context.userId}}", user)


@dataclass
class Prefetched:
    """Each prefetch key's data (as prefetched or fetched), and the keys that could not be fetched, with why."""

    data: dict[str, Any]
    not_fetched: dict[str, str]


def prefetch_complete(hook: HookRequest, fetcher: Fetcher | None, *, deadline: float | None = None) -> Prefetched:
    """Every prefetch key's data: as prefetched, else fetched from `fhirServer` (side by side, all within one
    deadline); 412 when a needed key was neither prefetched nor could be asked for.

    A key sent as null means the EHR has no such data (CDS Hooks 2.0): it is not fetched again. `fetcher` is None
    for a caller whose JWT was not verified (no issuer configured): such a call is answered from prefetch only.
    """
    data: dict[str, Any] = {key: hook.prefetch[key] for key in PREFETCH if key in hook.prefetch}
    wanted = [key for key in PREFETCH if key not in hook.prefetch]
    if not (hook.fhir_server and fetcher is not None):
        missing = [key for key in wanted if key in NEEDED]
        if missing:
            raise CdsError(
                412,
                [
                    {"field": f"prefetch.{key}", "message": f"not prefetched and not fetchable: {PREFETCH[key]}"}
                    for key in missing
                ],
            )
        return Prefetched(data, {})
    deadline = deadline if deadline is not None else time.monotonic() + FETCH_DEADLINE_SECONDS
    base = hook.fhir_server.rstrip("/")
    not_fetched: dict[str, str] = {}
    pool = ThreadPoolExecutor(max_workers=FETCH_WORKERS, thread_name_prefix="fhir-fetch")
    try:
        futures = {
            key: pool.submit(fetcher, f"{base}/{_query(PREFETCH[key], hook)}", hook.access_token, deadline)
            for key in wanted
        }
        wait_for(futures.values(), timeout=max(deadline - time.monotonic(), 0))
        for key, future in futures.items():
            if not future.done():
                not_fetched[key] = f"the FHIR server did not answer within {FETCH_DEADLINE_SECONDS:g} s"
                continue
            try:
                data[key] = future.result()
            except FetchFailed as failed:
                not_fetched[key] = str(failed)
            except (OSError, ValueError) as exc:  # a fetcher other than ours (tests, a future client)
                not_fetched[key] = f"the FHIR server could not be reached ({type(exc).__name__})"
    finally:
        # Nothing waits for a fetch past the deadline; each ends by itself (its socket is shut at the deadline).
        pool.shutdown(wait=False, cancel_futures=True)
    return Prefetched(data, not_fetched)


class _Origins:
    """Where each entry of the combined Bundle came from (`prefetch.magnesium.entry.0`), to name it in errors."""

    def __init__(self) -> None:
        self.paths: list[str] = []

    def name(self, where: str) -> str:
        match = re.match(r"entry\.(\d+)(?:\.resource)?", where)
        if match is None or int(match.group(1)) >= len(self.paths):
            return where
        return self.paths[int(match.group(1))] + where[match.end() :]


def _as_bundle(data: dict[str, Any], origins: _Origins) -> dict[str, Any]:
    """The prefetched searchsets and the Patient as one collection Bundle, for the FHIR mapping; CdsError(400)
    naming `prefetch.<key>...` for a part that is not shaped as FHIR says (checked before the model reads it)."""
    errors: list[dict[str, str]] = []
    entries = []
    for key, value in data.items():
        if value is None:
            continue
        where = f"prefetch.{key}"
        if not isinstance(value, dict):
            errors.append({"field": where, "message": "must be a FHIR resource (a JSON object) or null"})
            continue
        problems = fhir_shape.resource_type_errors(value, root=where)
        if problems:
            errors += problems
            continue
        if key == "patient" and value.get("resourceType") != "Patient":
            # The template is a read (Patient/{{context.patientId}}): anything else would leave the card without
            # the patient while looking complete.
            kind = value.get("resourceType")
            got = f"not {kind}" if isinstance(kind, str) else "and is missing"
            errors.append({"field": f"{where}.resourceType",
                           "message": f"must be Patient (the template {PREFETCH['patient']}), {got}"})  # fmt: skip
            continue
        if value.get("resourceType") == "Bundle":
            for index, entry in enumerate(value.get("entry") or []):
                resource = entry.get("resource")
                # A searchset may carry an OperationOutcome (search mode "outcome"): a message, not data.
                if isinstance(resource, dict) and resource.get("resourceType") != "OperationOutcome":
                    entries.append({k: v for k, v in entry.items() if k in ("fullUrl", "resource")})
                    origins.paths.append(f"{where}.entry.{index}.resource")
        elif "resourceType" in value:
            entries.append({"resource": value})
            origins.paths.append(where)
        else:
            errors.append({"field": f"{where}.resourceType", "message": "is required (a FHIR resource or Bundle)"})
    if errors:
        raise CdsError(400, errors[: fhir_shape.MAX_ERRORS])
    return {"resourceType": "Bundle", "type": "collection", "entry": entries}


def cards_for(hook: HookRequest, *, fetcher: Fetcher | None, now: dt.datetime, base_url: str) -> dict[str, Any]:
    prefetched = prefetch_complete(hook, fetcher)
    if any(key in NEEDED for key in prefetched.not_fetched):
        return {"cards": [_not_fetched_card(prefetched.not_fetched, base_url)]}
    origins = _Origins()
    found = fhir_to_input(_as_bundle(prefetched.data, origins), now=now, patient=f"Patient/{hook.patient_id}")
    if not found.ok:
        named = [{"field": origins.name(e["field"]), "message": e["message"]} for e in found.errors]
        return {"cards": [_refused_card(base_url, named)]}
    if "magnesium" not in found.input.get("labs", {}):
        return {"cards": []}  # no Mg result: nothing to say, and not an error
    if hook.transplant:
        contract_input = dict(found.input)
        mg_time = next(p["time"] for p in found.provenance if p["field"] == "labs.magnesium")
        sample_day = dt.datetime.fromisoformat(mg_time).date()
        day = (sample_day - dt.date.fromisoformat(hook.transplant["date"])).days
        contract_input["transplant"] = {"type": hook.transplant["type"], "day": day}
        outcome = assessment_run(data=contract_input)
        if outcome.ok:
            return {"cards": [_plan_card(outcome.output, found, prefetched.not_fetched, base_url)]}
        return {"cards": [_refused_card(base_url, _extension_errors(outcome.errors, hook))]}
    return {"cards": [_grade_card(found, prefetched.not_fetched, base_url)]}


def _extension_errors(errors: list[dict[str, str]], hook: HookRequest) -> list[dict[str, str]]:
    """The engine's errors; the transplant day is the EHR's extension date seen from the sample, so say so."""
    path = f"extension.{TRANSPLANT_EXTENSION}.date"
    assert hook.transplant is not None
    return [
        {"field": path, "message": f"the transplant date {hook.transplant['date']} gives {error['message']}"}
        if error["field"] == "transplant.day"
        else error
        for error in errors
    ]


# --- cards ------------------------------------------------------------------------------------------------------


def _summary(text: str) -> str:
    return text if len(text) <= SUMMARY_LIMIT else text[: SUMMARY_LIMIT - 1].rstrip() + "…"


def _base_card(base_url: str, *, summary: str, indicator: str, detail: str) -> dict[str, Any]:
    return {
        "uuid": str(uuid.uuid4()),
        "summary": _summary(summary),
        "indicator": indicator,
        "detail": detail,
        "source": {"label": f"HypoMag (rule set {RULESET_VERSION})", "url": f"{base_url}/about/", "topic": TOPIC},
        "links": [
            {"label": "Open the full assessment in HypoMag", "url": f"{base_url}/import/fhir/", "type": "absolute"},
            {"label": "HypoMag sources", "url": f"{base_url}/references/", "type": "absolute"},
        ],
        "overrideReasons": [
            {"system": OVERRIDE_SYSTEM, "code": code, "display": str(label)} for code, label in DeclineReason.choices
        ],
    }


def _md(text: Any) -> str:
    """Text from data goes into Markdown as text: characters Markdown would act on are escaped."""
    return "".join(f"\\{c}" if c in "\\`*_{}[]<>#|" else c for c in str(text))


def _data_used(found: FhirImport) -> str:
    rows = ["| Field | Value | From | Time |", "|---|---|---|---|"]
    for row in found.provenance:
        stale = " (**stale**)" if row["stale"] else ""
        field, value = field_label(row["field"]), value_label(row["field"], row["value"])
        rows.append(f"| {_md(field)} | {_md(value)} | {_md(row['resource'])} | {_md(_when(row))}{stale} |")
    return "\n".join(rows)


def _when(row: dict[str, Any]) -> str:
    """A result's time as a clinician reads it ("2026-03-02 06:00 UTC"), or its date alone when no time was given."""
    if not row["time"]:
        return ""
    if row["date_only"]:
        return f"{row['time'][:10]} (date only)"
    return f"{dt.datetime.fromisoformat(row['time']).astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC"


def _notice_lines(found: FhirImport) -> list[str]:
    """A result newer than the one used was left out (no value): the card says so, as the import page does."""
    if not found.notices:
        return []
    return ["", "**A newer result was left out**", *(f"- {_md(notice)}" for notice in found.notices)]


def _not_fetched_lines(not_fetched: dict[str, str]) -> list[str]:
    if not not_fetched:
        return []
    lines = ["", "**Not fetched** (HypoMag assessed without it)"]
    lines += [f"- {_md(_key_label(key))}: {_md(reason)}" for key, reason in not_fetched.items()]
    return lines


def _key_label(key: str) -> str:
    if key == "patient":
        return "Patient (age and sex)"
    if key == "medicationRequests":
        return "Active medications"
    return field_label(_OBSERVATION_KEYS[key])


def _sources(ids: list[str]) -> str:
    lines = []
    for source_id in dict.fromkeys(ids):
        reference = REFERENCES.get(source_id)
        if reference is None:
            continue
        link = f" <{reference.link}>" if reference.link else ""
        lines.append(f"- {source_id}: {_md(reference.title)}{link}")
    return "\n".join(lines)


def _indicator(grade: int, emergency: bool, warned: bool) -> str:
    if emergency or grade >= 3:
        return "critical"
    if grade >= 1 or warned:
        return "warning"
    return "info"


def _warning_lines(warnings: list[dict[str, Any]]) -> list[str]:
    """The engine's warnings in its own words (PROTOCOL.md section 2.1: a unit check never says "before acting"
    with an urgent symptom; the engine's text already says so, nothing is added here)."""
    return [f"- {_md(warning['text'])} ({', '.join(warning['references'])})" for warning in warnings]


def _plan_card(output: dict[str, Any], found: FhirImport, not_fetched: dict[str, str],
               base_url: str) -> dict[str, Any]:  # fmt: skip
    severity = output["severity"]
    plan = output["plan"]
    entered = output["magnesium"]["entered"]
    route = label("route", plan["route"])
    summary = (
        f"Mg {entered['value']} {entered['unit']}: {severity['clinical_severity']} "
        f"(CTCAE grade {severity['ctcae_grade']}). Plan: {route}"
    )
    references = list(severity["references"])
    lines = [f"**Severity:** {_md(severity['clinical_severity'])}, CTCAE grade {severity['ctcae_grade']}"]
    lines += [f"- {_md(reason)}" for reason in severity["because"]]
    lines += ["", f"**Plan:** {_md(route)}"]
    if plan["dose"]:
        lines += [f"{_md(plan['dose']['text'])}"]
        references += plan["dose"].get("references", [])
        lines += [f"- because {_md(reason)}" for reason in plan["dose"].get("because", [])]
    for step in plan["steps"]:
        lines.append(
            f"- {_md(step['text'])} (because {_md('; '.join(step['because']))}; {', '.join(step['references'])})"
        )
        references += step["references"]
    warnings = output["warnings"]
    if warnings:
        lines += ["", "**Warnings**", *_warning_lines(warnings)]
        references += [ref for warning in warnings for ref in warning["references"]]
    lines += _not_fetched_lines(not_fetched)
    lines += _notice_lines(found)
    lines += ["", "**Data used**", "", _data_used(found), "", "**Sources**", _sources(references)]
    emergency = severity["clinical_severity"] == "emergency" or severity["urgent"]
    indicator = _indicator(severity["ctcae_grade"], emergency, bool(warnings or not_fetched or found.notices))
    return _base_card(base_url, summary=summary, indicator=indicator, detail="\n".join(lines))


def _site_unit(contract_input: dict[str, Any]) -> Unit | None:
    unit = contract_input.get("site", {}).get("magnesium_unit")
    return Unit(unit) if unit else None


def _grade_card(found: FhirImport, not_fetched: dict[str, str], base_url: str) -> dict[str, Any]:
    """No transplant type and day: the grade (Mg and the lab's LLN only) and a pointer to the full plan."""
    labs = found.input["labs"]
    mg = Measurement(Analyte.MAGNESIUM, labs["magnesium"]["value"], Unit(labs["magnesium"]["unit"]))
    lln = labs.get("magnesium_lln")
    lab_lln = Measurement(Analyte.MAGNESIUM_LLN, lln["value"], Unit(lln["unit"])) if lln else None
    grade = grade_magnesium(mg, lab_lln)
    age = labs["magnesium"].get("age_hours")
    # A stale result says so in the summary too, the line an EHR shows first (the warning is in the detail).
    old = f" ({fmt(age)} h old: repeat it)" if age is not None and age > STALE_AFTER_HOURS else ""
    summary = (
        f"Mg {mg.show()}{old}: CTCAE grade {grade}. Open HypoMag for the replacement plan (transplant type and day"
        " needed)"
    )
    against = f"the lab's lower limit of normal ({lab_lln.show()})" if lab_lln else "the default lower limit of normal"
    lines = [
        f"**CTCAE grade {grade}** (hypomagnesemia, CTCAE v5.0)",
        f"- Mg {_md(mg.show())}, graded against {_md(against)}",
        "",
        "**Plan:** not computed. HypoMag needs the transplant type and day, which the EHR data does not carry; "
        "open the full assessment, where these values are filled in for you, and add them.",
    ]
    mg_input = labs["magnesium"]
    warnings = warnings_to_json(
        result_warnings(
            mg,
            lab_lln=lab_lln,
            site_unit=_site_unit(found.input),
            age_hours=mg_input.get("age_hours"),
            urgent=any(s in URGENT_SYMPTOMS for s in found.input.get("symptoms", ())),
        )
    )
    if warnings:
        lines += ["", "**Warnings**", *_warning_lines(warnings)]
    lines += _not_fetched_lines(not_fetched)
    lines += _notice_lines(found)
    lines += ["", "**Data used**", "", _data_used(found), "", "**Sources**", _sources(["S17", "S29", "S30", "S31"])]
    stale = any(row["stale"] for row in found.provenance)
    indicator = _indicator(grade, False, bool(warnings or not_fetched or stale or found.notices))
    return _base_card(base_url, summary=summary, indicator=indicator, detail="\n".join(lines))


def _refused_card(base_url: str, problems: list[dict[str, str]]) -> dict[str, Any]:
    lines = ["HypoMag did not assess this patient: the EHR data failed a safety check.", ""]
    lines += [f"- {_md(problem['message'])} ({_md(problem['field'])})" for problem in problems]
    lines += ["", "Correct the result in the EHR, or enter the values by hand in HypoMag."]
    return _base_card(
        base_url,
        summary="HypoMag could not use the magnesium result: a safety check failed (see details)",
        indicator="warning",
        detail="\n".join(lines),
    )


def _not_fetched_card(not_fetched: dict[str, str], base_url: str) -> dict[str, Any]:
    """The EHR's FHIR server did not give what the assessment needs: say so, and assess nothing."""
    lines = ["HypoMag could not fetch this patient's data from the EHR, so it did not assess the magnesium.", ""]
    lines += [f"- {_md(_key_label(key))}: {_md(reason)}" for key, reason in not_fetched.items()]
    lines += ["", "Open HypoMag and enter the values by hand, or reopen the chart to try again."]
    return _base_card(
        base_url,
        summary="HypoMag could not fetch the patient's data from the EHR: nothing was assessed (see details)",
        indicator="warning",
        detail="\n".join(lines),
    )


# --- feedback ---------------------------------------------------------------------------------------------------


def feedback_parse(data: Any) -> list[tuple[str, dict[str, Any]]]:
    """(card uuid, audit detail) for each accepted or overridden card; CdsError(400) with every problem at once.

    Validation only: `services.cds_feedback_record` writes what this returns, all or nothing. Bounded so that one
    request cannot flood the audit log (issue 15): at most MAX_FEEDBACK_ITEMS items, each card a UUID, each text
    short and checked; an item that is not valid refuses the whole request (nothing is stored)."""
    items = data.get("feedback") if isinstance(data, dict) else None
    if not isinstance(items, list) or not items:
        raise CdsError(400, [{"field": "feedback", "message": "is required (a non-empty list)"}])
    if len(items) > MAX_FEEDBACK_ITEMS:
        raise CdsError(400, [{"field": "feedback", "message": f"has {len(items)} items: send at most "
                                                             f"{MAX_FEEDBACK_ITEMS} in one request"}])  # fmt: skip
    events = []
    errors: list[dict[str, str]] = []
    reasons = dict(DeclineReason.choices)
    for index, item in enumerate(items):
        path = f"feedback.{index}"
        if not isinstance(item, dict):
            errors.append({"field": path, "message": "must be an object (card, outcome, outcomeTimestamp)"})
            continue
        card = _card_uuid(item.get("card"))
        if card is None:
            errors.append({"field": f"{path}.card", "message": "is required (the uuid of the card acted on)"})
            continue
        outcome = item.get("outcome")
        if outcome not in ("accepted", "overridden"):
            errors.append({"field": f"{path}.outcome", "message": "must be accepted or overridden"})
            continue
        timestamp = _timestamp(item.get("outcomeTimestamp"))
        if timestamp is None:
            message = "is required (when the card was acted on, ISO 8601 with a time zone)"
            errors.append({"field": f"{path}.outcomeTimestamp", "message": message})
            continue
        detail: dict[str, Any] = {"service": SERVICE_ID, "outcome": outcome, "outcomeTimestamp": timestamp}
        if outcome == "overridden":
            problem = _override(item.get("overrideReason"), path, reasons, detail)
            if problem:
                errors.append(problem)
                continue
        events.append((card, detail))
    if errors:
        raise CdsError(400, errors[:20])
    return events


def _card_uuid(value: Any) -> str | None:
    if not isinstance(value, str) or len(value) > 45:
        return None
    try:
        return str(uuid.UUID(value.removeprefix("urn:uuid:")))
    except ValueError:
        return None


def _timestamp(value: Any) -> str | None:
    """The outcome time as sent, when it is an ISO 8601 date and time with a zone (CDS Hooks 2.0), else None."""
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return value if moment.tzinfo is not None else None


def _override(override: Any, path: str, reasons: dict[str, str], detail: dict[str, Any]) -> dict[str, str] | None:
    """Add the override's reason code and comment to `detail`; the error for a malformed one, else None."""
    if override is None:
        return None
    if not isinstance(override, dict):
        return {"field": f"{path}.overrideReason", "message": "must be an object (reason, userComment)"}
    reason = override.get("reason")
    if reason is not None:
        code = reason.get("code") if isinstance(reason, dict) else None
        if not isinstance(code, str) or code not in reasons:
            return {"field": f"{path}.overrideReason.reason.code", "message": f"must be one of {', '.join(reasons)}"}
        detail["reason"] = code
    comment = override.get("userComment")
    if comment is not None:
        if not isinstance(comment, str) or len(comment) > COMMENT_LIMIT:
            return {"field": f"{path}.overrideReason.userComment",
                    "message": f"must be text of at most {COMMENT_LIMIT} characters"}  # fmt: skip
        if comment:
            detail["userComment"] = comment
    return None


# --- security: the EHR's bearer JWT (assessments.ehr.cds_auth) ------------------------------------------------------


def bearer_verify(authorization: str | None, *, audience: str) -> dict[str, Any] | None:
    """The JWT's claims when the call may proceed, None when no issuer is configured; CdsError(401) otherwise."""
    try:
        return cds_auth.bearer_verify(authorization, audience=audience)
    except cds_auth.Unauthorized as exc:
        raise CdsError(401, [{"field": "Authorization", "message": str(exc)}]) from exc
