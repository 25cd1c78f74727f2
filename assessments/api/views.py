"""The machine entry points: `POST /api/v1/assessments` (contract README), `GET /healthz`, `GET /api/v1/openapi.json`.

The assessment endpoint is stateless (nothing is stored): 200 with the output; 400 with `{"errors": [...]}`; 415 for
a body that is not JSON; 405 for other methods. CSRF-exempt because JSON clients carry no session cookie and nothing
is changed on the server.
"""

from __future__ import annotations

from django import db
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from assessments.api.http import JsonBodyError, errors_response, json_response, read_json_body
from assessments.api.openapi import openapi_document
from assessments.clinical import RULESET_VERSION
from assessments.services import assessment_run


@csrf_exempt
@require_POST
def assessments_endpoint(request: HttpRequest) -> JsonResponse:
    try:
        data = read_json_body(request)
    except JsonBodyError as refused:
        return errors_response(refused.errors, status=refused.status)
    outcome = assessment_run(data=data)
    if not outcome.ok:
        # Error messages quote the values entered (an age, a lab value): patient data, like the output (no-store).
        return errors_response(outcome.errors, status=400)
    return json_response(outcome.output)


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for a load balancer or monitor: the app answers, the database answers, and which rule set runs."""
    try:
        with db.connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except db.Error:
        # Never stored (no-store): a cached "ok" would hide an outage.
        return json_response({"status": "error", "database": "unavailable"}, status=503)
    return json_response({"status": "ok", "database": "ok", "ruleset": RULESET_VERSION})


@require_GET
def openapi_json(request: HttpRequest) -> JsonResponse:
    return JsonResponse(openapi_document())
