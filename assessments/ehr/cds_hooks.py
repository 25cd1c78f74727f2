"""CDS Hooks 2.0 service `hypomag-patient-view`: discovery, the hook call, feedback, and the EHR's JWT.

The EHR calls us when a clinician opens a chart; we answer with at most one card about the newest serum Mg.
Stateless: the FHIR data lives only for the request, and nothing here writes: the feedback (accepted or
overridden, with the reason) is validated here and stored by `services.cds_feedback_record` in the audit log,
which holds no patient identifier.

What FHIR cannot tell us: the transplant type and day. An EHR that knows them sends the extension
`org.hypomag.transplant` (`{"type": "allogeneic", "date": "2026-02-20"}`, day 0); the card then carries the
whole plan. Without it the card gives the CTCAE grade, which needs only the Mg and the lab's LLN, and sends the
clinician to HypoMag for the plan: HypoMag never guesses a transplant day.

Spec: https://cds-hooks.hl7.org/2.0/ (discovery, request, card, feedback, security).
"""

from __future__ import annotations

import datetime as dt
import json
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from assessments.clinical import RULESET_VERSION, parse_input
from assessments.clinical.references import REFERENCES
from assessments.clinical.severity import ctcae_grade, magnesium_reading
from assessments.clinical.units import Analyte, Measurement, Unit
from assessments.ehr import cds_auth
from assessments.ehr.fhir import FhirImport, fhir_to_input
from assessments.ehr.fhir.codes import CODES_BY_FIELD, LOINC
from assessments.labels import field_label, label, value_label
from assessments.models import DeclineReason
from assessments.services import assessment_run

SERVICE_ID = "hypomag-patient-view"
HOOK = "patient-view"
TRANSPLANT_EXTENSION = "org.hypomag.transplant"
SUMMARY_LIMIT = 139  # "summary: <140 characters"
FETCH_TIMEOUT_SECONDS = 3.0
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


Fetcher = Callable[[str, str | None], Any]


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
    user_id = _require_text(errors, context, "userId", "context.userId")
    fhir_server = data.get("fhirServer")
    if fhir_server is not None and (
        not isinstance(fhir_server, str) or urllib.parse.urlsplit(fhir_server).scheme != "https"
    ):
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
    transplant = _transplant_extension(data.get("extension"), errors)
    if errors:
        raise CdsError(400, errors)
    return HookRequest(hook_instance, patient_id, user_id, fhir_server, access_token, prefetch, transplant)


def _transplant_extension(extension: Any, errors: list[dict[str, str]]) -> dict[str, str] | None:
    value = extension.get(TRANSPLANT_EXTENSION) if isinstance(extension, dict) else None
    if value is None:
        return None
    path = f"extension.{TRANSPLANT_EXTENSION}"
    if not isinstance(value, dict) or value.get("type") not in ("allogeneic", "autologous"):
        errors.append({"field": f"{path}.type", "message": "must be allogeneic or autologous"})
        return None
    try:
        dt.date.fromisoformat(str(value.get("date")))
    except ValueError:
        errors.append({"field": f"{path}.date", "message": "must be the transplant date (day 0), YYYY-MM-DD"})
        return None
    return {"type": value["type"], "date": value["date"]}


def fhir_fetch(url: str, access_token: str | None) -> Any:
    """GET one FHIR query: the standard library, a short timeout, and the EHR's token when it gave one."""
    headers = {"Accept": "application/fhir+json"}
    if access_token:
        headers["Authorization"] = f"Bearer {access_token}"
    request = urllib.request.Request(url, headers=headers)  # the scheme is checked in request_parse
    with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT_SECONDS) as response:
        return json.load(response)


def _query(template: str, hook: HookRequest) -> str:
    patient = urllib.parse.quote(hook.patient_id, safe="")
    return template.replace("{{context.patientId}}", patient).replace("{{context.userId}}", hook.user_id)


def prefetch_complete(hook: HookRequest, fetcher: Fetcher | None) -> dict[str, Any]:
    """Every prefetch key's data: as prefetched, else fetched from `fhirServer`; 412 when a needed key is neither.

    A key sent as null means the EHR has no such data (CDS Hooks 2.0): it is not fetched again. `fetcher` is None
    for a caller whose JWT was not verified (no issuer configured): such a call is answered from prefetch only.
    """
    data: dict[str, Any] = {}
    missing = []
    for key, template in PREFETCH.items():
        if key in hook.prefetch:
            data[key] = hook.prefetch[key]
            continue
        if hook.fhir_server and fetcher is not None:
            url = f"{hook.fhir_server.rstrip('/')}/{_query(template, hook)}"
            try:
                data[key] = fetcher(url, hook.access_token)
                continue
            except (OSError, ValueError):  # URLError, HTTPError and timeouts are OSErrors; bad JSON a ValueError
                pass
        if key in NEEDED:
            missing.append(key)
    if missing:
        raise CdsError(
            412,
            [
                {"field": f"prefetch.{key}", "message": f"not prefetched and not fetchable: {PREFETCH[key]}"}
                for key in missing
            ],
        )
    return data


def _as_bundle(data: dict[str, Any]) -> dict[str, Any]:
    """The prefetched searchsets and the Patient as one collection Bundle, for the FHIR mapping."""
    entries = []
    for value in data.values():
        if not isinstance(value, dict):
            continue
        if value.get("resourceType") == "Bundle":
            for entry in value.get("entry") or []:
                resource = entry.get("resource") if isinstance(entry, dict) else None
                # A searchset may carry an OperationOutcome (search mode "outcome"): a message, not data.
                if isinstance(resource, dict) and resource.get("resourceType") != "OperationOutcome":
                    entries.append({k: v for k, v in entry.items() if k in ("fullUrl", "resource")})
        elif value.get("resourceType"):
            entries.append({"resource": value})
    return {"resourceType": "Bundle", "type": "collection", "entry": entries}


def cards_for(hook: HookRequest, *, fetcher: Fetcher | None, now: dt.datetime, base_url: str) -> dict[str, Any]:
    data = prefetch_complete(hook, fetcher)
    found = fhir_to_input(_as_bundle(data), now=now)
    if found.ok and found.patient and found.patient != f"Patient/{hook.patient_id}":
        found.errors.append(
            {"field": "prefetch", "message": f"the data is about {found.patient}, not Patient/{hook.patient_id}"}
        )
    if not found.ok:
        return {"cards": [_refused_card(found, base_url)]}
    if "magnesium" not in found.input.get("labs", {}):
        return {"cards": []}  # no Mg result: nothing to say, and not an error
    contract_input = dict(found.input)
    if hook.transplant:
        mg_time = next(p["time"] for p in found.provenance if p["field"] == "labs.magnesium")
        sample_day = dt.datetime.fromisoformat(mg_time).date()
        day = (sample_day - dt.date.fromisoformat(hook.transplant["date"])).days
        contract_input["transplant"] = {"type": hook.transplant["type"], "day": day}
        outcome = assessment_run(data=contract_input)
        if outcome.ok:
            return {"cards": [_plan_card(outcome.output, found, base_url)]}
        return {"cards": [_refused_card(found, base_url, outcome.errors)]}
    return {"cards": [_grade_card(found, base_url)]}


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
        rows.append(f"| {_md(field)} | {_md(value)} | {_md(row['resource'])} | {_md(row['time'] or '')}{stale} |")
    return "\n".join(rows)


def _stale_lines(found: FhirImport) -> list[str]:
    return [f"- **Stale result:** {_md(w['text'])}" for w in found.warnings if w["id"] == "stale_result"]


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


def _plan_card(output: dict[str, Any], found: FhirImport, base_url: str) -> dict[str, Any]:
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
    if warnings or found.warnings:
        lines += ["", "**Warnings**", *_stale_lines(found)]
        for warning in warnings:
            lines.append(f"- {_md(warning['text'])} ({', '.join(warning['references'])})")
            references += warning["references"]
    lines += ["", "**Data used**", "", _data_used(found), "", "**Sources**", _sources(references)]
    emergency = severity["clinical_severity"] == "emergency" or severity["urgent"]
    indicator = _indicator(severity["ctcae_grade"], emergency, bool(warnings or found.warnings))
    return _base_card(base_url, summary=summary, indicator=indicator, detail="\n".join(lines))


def _grade_card(found: FhirImport, base_url: str) -> dict[str, Any]:
    """No transplant type and day: the grade (Mg and the lab's LLN only) and a pointer to the full plan."""
    # The contract parser's range checks still apply (an Mg of 18 mmol/L is a unit error, not grade 0); what it
    # reports as required (the transplant, which FHIR does not carry) is what this card says is missing.
    problems = [e for e in parse_input(found.input).errors if not e.message.startswith("is required")]
    if problems:
        return _refused_card(found, base_url, [{"field": e.field, "message": e.message} for e in problems])
    labs = found.input["labs"]
    mg = Measurement(Analyte.MAGNESIUM, labs["magnesium"]["value"], Unit(labs["magnesium"]["unit"]))
    lln = labs.get("magnesium_lln")
    lab_lln = Measurement(Analyte.MAGNESIUM_LLN, lln["value"], Unit(lln["unit"])) if lln else None
    grade, grade_text = ctcae_grade(magnesium_reading(mg, lab_lln))
    summary = (
        f"Mg {mg.show()}: CTCAE grade {grade}. Open HypoMag for the replacement plan (transplant type and day needed)"
    )
    lines = [
        f"**CTCAE grade {grade}** (hypomagnesemia, CTCAE v5.0)",
        f"- {_md(grade_text)}",
        "",
        "**Plan:** not computed. HypoMag needs the transplant type and day, which the EHR data does not carry; "
        "open the full assessment, where these values are filled in for you, and add them.",
    ]
    if found.warnings:
        lines += ["", "**Warnings**", *_stale_lines(found)]
    lines += ["", "**Data used**", "", _data_used(found), "", "**Sources**", _sources(["S17", "S29", "S30", "S31"])]
    indicator = _indicator(grade, False, bool(found.warnings))
    return _base_card(base_url, summary=summary, indicator=indicator, detail="\n".join(lines))


def _refused_card(found: FhirImport, base_url: str, errors: list[dict[str, str]] | None = None) -> dict[str, Any]:
    problems = errors if errors is not None else found.errors
    lines = ["HypoMag did not assess this patient: the EHR data failed a safety check.", ""]
    lines += [f"- {_md(problem['message'])}" for problem in problems]
    lines += ["", "Correct the result in the EHR, or enter the values by hand in HypoMag."]
    return _base_card(
        base_url,
        summary="HypoMag could not use the magnesium result: a safety check failed (see details)",
        indicator="warning",
        detail="\n".join(lines),
    )


# --- feedback ---------------------------------------------------------------------------------------------------


def feedback_parse(data: Any) -> list[tuple[str, dict[str, Any]]]:
    """(card uuid, audit detail) for each accepted or overridden card; CdsError(400) with every problem at once.

    Validation only: `services.cds_feedback_record` writes what this returns."""
    items = data.get("feedback") if isinstance(data, dict) else None
    if not isinstance(items, list) or not items:
        raise CdsError(400, [{"field": "feedback", "message": "is required (a non-empty list)"}])
    events = []
    errors = []
    reasons = dict(DeclineReason.choices)
    for index, item in enumerate(items):
        path = f"feedback.{index}"
        if not isinstance(item, dict) or not isinstance(item.get("card"), str) or not item["card"]:
            errors.append({"field": f"{path}.card", "message": "is required (the card's uuid)"})
            continue
        outcome = item.get("outcome")
        if outcome not in ("accepted", "overridden"):
            errors.append({"field": f"{path}.outcome", "message": "must be accepted or overridden"})
            continue
        detail: dict[str, Any] = {"service": SERVICE_ID, "outcome": outcome,
                                  "outcomeTimestamp": str(item.get("outcomeTimestamp", ""))}  # fmt: skip
        if outcome == "overridden":
            override = item.get("overrideReason") or {}
            reason = override.get("reason") if isinstance(override, dict) else None
            if reason is not None:
                if not isinstance(reason, dict) or reason.get("code") not in reasons:
                    errors.append({"field": f"{path}.overrideReason.reason.code",
                                   "message": f"must be one of {', '.join(reasons)}"})  # fmt: skip
                    continue
                detail["reason"] = reason["code"]
            comment = override.get("userComment") if isinstance(override, dict) else None
            if isinstance(comment, str) and comment:
                detail["userComment"] = comment[:1000]
        events.append((item["card"][:40], detail))
    if errors:
        raise CdsError(400, errors)
    return events


# --- security: the EHR's bearer JWT (assessments.ehr.cds_auth) ------------------------------------------------------


def bearer_verify(authorization: str | None, *, audience: str) -> dict[str, Any] | None:
    """The JWT's claims when the call may proceed, None when no issuer is configured; CdsError(401) otherwise."""
    try:
        return cds_auth.bearer_verify(authorization, audience=audience)
    except cds_auth.Unauthorized as exc:
        raise CdsError(401, [{"field": "Authorization", "message": str(exc)}]) from exc
