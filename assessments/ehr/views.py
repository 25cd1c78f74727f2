"""EHR integration endpoints (issue 6): FHIR input, the CDS Hooks service, and the "Import from FHIR" page.

Thin: read the request, call `fhir` or `cds_hooks` of this package, answer. The machine endpoints are
CSRF-exempt (an EHR has no session cookie, and nothing about a patient is stored) and never cached (patient data).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from assessments import services
from assessments.api.http import JsonBodyError, errors_response, json_loads, json_response, read_json_body
from assessments.bedside.form_mapping import input_to_form
from assessments.bedside.forms import AssessmentForm
from assessments.clinical.plausibility import STALE_AFTER_HOURS
from assessments.ehr import cds_hooks
from assessments.ehr.fhir import fhir_to_input
from assessments.ehr.fhir.codes import LOINC, RXNORM
from assessments.ehr.fhir.samples import sample_list, sample_text
from assessments.labels import field_label, value_label
from assessments.selectors import demo_case_list
from assessments.services import assessment_run

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
# CDS feedback from a caller whose token was not verified (no issuer configured: development and trials only), per
# client address and minute. With at most cds_hooks.MAX_FEEDBACK_ITEMS items a request, that bounds what an
# unsigned client can add to the audit log (issue 15). Behind a proxy the address is the proxy's (as for axes).
UNSIGNED_FEEDBACK_PER_MINUTE = 10


def _errors(errors: list[dict[str, str]], status: int) -> JsonResponse:
    response = errors_response(errors, status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="cds-services"'
    return response


@csrf_exempt
@require_POST
def fhir_assessment_input(request: HttpRequest) -> JsonResponse:
    try:
        data = read_json_body(request, media_types=("application/fhir+json", "application/json"))
    except JsonBodyError as refused:
        return _errors(refused.errors, refused.status)
    found = fhir_to_input(data, now=timezone.now())
    if not found.ok:
        return _errors(found.errors, 400)
    return json_response(found.as_json())


def cds_endpoint(view: Callable[[HttpRequest], JsonResponse]) -> Callable[[HttpRequest], JsonResponse]:
    """A CDS Hooks endpoint: 401 unless the EHR's JWT verifies (when issuers are configured; the audience is the URL
    called), then the view; a refusal (`CdsError`, or a body that is not JSON) is answered with its status.

    Remembers on the request whether the caller was verified: only a verified EHR may make HypoMag fetch from the
    `fhirServer` it names (otherwise any caller could point the server at any host).
    """

    @wraps(view)
    def wrapper(request: HttpRequest) -> JsonResponse:
        try:
            claims = cds_hooks.bearer_verify(
                request.headers.get("Authorization"), audience=request.build_absolute_uri(request.path)
            )
            request.cds_verified = claims is not None
            return view(request)
        except (cds_hooks.CdsError, JsonBodyError) as refused:
            return _errors(refused.errors, refused.status)

    return wrapper


@csrf_exempt
@require_GET
@cds_endpoint
def cds_discovery(request: HttpRequest) -> JsonResponse:
    return json_response(cds_hooks.discovery())


@csrf_exempt
@require_POST
@cds_endpoint
def cds_service(request: HttpRequest) -> JsonResponse:
    hook = cds_hooks.request_parse(read_json_body(request))
    cards = cds_hooks.cards_for(
        hook,
        fetcher=cds_hooks.fhir_fetch if request.cds_verified else None,
        now=timezone.now(),
        base_url=request.build_absolute_uri("/").rstrip("/"),
    )
    return json_response(cards)


@csrf_exempt
@require_POST
@cds_endpoint
def cds_feedback(request: HttpRequest) -> JsonResponse:
    feedback = cds_hooks.feedback_parse(read_json_body(request))
    if not request.cds_verified:
        wait = _unsigned_feedback_wait(request)
        if wait:
            message = (
                f"more than {UNSIGNED_FEEDBACK_PER_MINUTE} unsigned feedback requests a minute from this address: "
                f"try again in {wait} s"
            )
            response = _errors([{"field": "feedback", "message": message}], 429)
            response["Retry-After"] = str(wait)
            return response
    return json_response({"stored": services.cds_feedback_record(feedback=feedback)})


def _unsigned_feedback_wait(request: HttpRequest) -> int:
    """0 while this client address is within its unsigned feedback rate, else the seconds until it may send again.
    A fixed one-minute window counted in the shared cache (every worker and app server sees the same count)."""
    now = time.time()
    window = int(now // 60)
    key = f"cds-feedback-unsigned:{request.META.get('REMOTE_ADDR', '')}:{window}"
    cache.add(key, 0, timeout=120)
    try:
        count = cache.incr(key)
    except ValueError:  # the key expired between add and incr
        cache.add(key, 1, timeout=120)
        count = 1
    return 0 if count <= UNSIGNED_FEEDBACK_PER_MINUTE else max(int((window + 1) * 60 - now), 1)


def _pasted(request: HttpRequest) -> tuple[str, str | None]:
    """The bundle's text, from the uploaded file when there is one, else from the text box."""
    upload = request.FILES.get("bundle_file")
    if upload is None:
        return request.POST.get("bundle", ""), None
    if upload.size > MAX_UPLOAD_BYTES:
        return "", f"the file is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB"
    try:
        return upload.read().decode("utf-8"), None
    except UnicodeDecodeError:
        return "", "the file is not UTF-8 text: upload the FHIR JSON file itself"


# Patient data: nothing may keep a copy of the page (no-store).
@never_cache
@require_http_methods(["GET", "POST"])
def fhir_import(request: HttpRequest) -> HttpResponse:
    """Paste or upload a FHIR bundle; on success, the bedside form filled in, with where each value came from."""
    if request.method == "GET" and "example" in request.GET:
        # The bedside page's "Load an example" links are relative (`?example=`): they belong to the bedside page.
        return redirect(f"{reverse('assess')}?{urlencode({'example': request.GET['example']})}")
    context: dict[str, Any] = {"samples": sample_list(), "examples": demo_case_list(), "now": timezone.localtime()}
    # A sample is shown re-dated to now: as old as it was made to be (samples.py).
    text = (sample_text(request.GET.get("sample", ""), now=timezone.now()) or "") if request.method == "GET" else ""
    errors: list[str] = []
    if request.method == "POST":
        text, problem = _pasted(request)
        if problem:
            errors.append(problem)
        elif not text.strip():
            errors.append("paste a FHIR Bundle or Observation (JSON), or choose a file")
        else:
            try:
                data = json_loads(text, what="the text")
            except JsonBodyError as refused:
                errors.append(refused.message)
            else:
                found = fhir_to_input(data, now=timezone.now())
                errors += [error["message"] for error in found.errors]
                if found.ok:
                    return _imported(request, context, found)
    context.update({"bundle_text": text, "import_errors": errors})
    # A form shown again with its errors is a 200, as Django's own form views do.
    return render(request, "ehr/fhir_import.html", context)


# A code as a clinician or an EHR analyst names it ("LOINC 2601-3"); the full system stays in the API's answer.
_CODE_SYSTEMS = {LOINC: "LOINC", RXNORM: "RxNorm"}


def _code_label(code: str | None) -> str | None:
    if not code:
        return code
    system, _, value = code.rpartition("|")
    return f"{_CODE_SYSTEMS[system]} {value}" if system in _CODE_SYSTEMS else code


def _local_time(iso: str | None) -> str | None:
    """A result's time as the ward reads a clock, in the hospital's time zone ("2026-12-07 17:00"), not ISO 8601."""
    if not iso:
        return iso
    return f"{timezone.localtime(dt.datetime.fromisoformat(iso)):%Y-%m-%d %H:%M}"


def _imported(request: HttpRequest, context: dict[str, Any], found: Any) -> HttpResponse:
    form = AssessmentForm(input_to_form(found.input))
    outcome = None
    if form.is_valid():
        outcome = assessment_run(data=form.to_input())
        if not outcome.ok:
            form.attach_engine_errors(outcome.errors)
    rows = [
        {
            **row,
            "label": field_label(row["field"]),
            "value": value_label(row["field"], row["value"]),
            "code": _code_label(row["code"]),
            "time": row["time"][:10] if row["date_only"] else _local_time(row["time"]),
        }
        for row in found.provenance
    ]
    context.update(
        {
            "imported": found,
            "form": form,
            "output": outcome.output if outcome else None,
            "provenance_rows": rows,
            "stale_rows": [row for row in rows if row["stale"]],
            "stale_after_hours": STALE_AFTER_HOURS,
        }
    )
    return render(request, "ehr/fhir_import.html", context)
