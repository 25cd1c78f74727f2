"""The machine entry points: `POST /api/v1/assessments` (contract README), `GET /healthz`, `GET /api/v1/openapi.json`.

The assessment endpoint is stateless (nothing is stored): 200 with the output; 400 with `{"errors": [...]}`; 415 for
a body that is not JSON; 405 for other methods. CSRF-exempt because JSON clients carry no session cookie and nothing
is changed on the server.
"""

from __future__ import annotations

import json

from django import db
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from assessments.api.openapi import openapi_document
from assessments.clinical import RULESET_VERSION
from assessments.services import assessment_run


def _errors(errors: list[dict[str, str]], status: int) -> JsonResponse:
    response = JsonResponse({"errors": errors}, status=status)
    # Error messages quote the values entered (an age, a lab value): patient data, like the output.
    response["Cache-Control"] = "no-store"
    return response


def _not_json(message: str) -> JsonResponse:
    return _errors([{"field": "input", "message": message}], status=415)


@csrf_exempt
@require_POST
def assessments_endpoint(request: HttpRequest) -> JsonResponse:
    if request.content_type != "application/json":
        return _not_json(f"send the input as application/json, not {request.content_type or 'no content type'}")
    try:
        data = json.loads(request.body)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        return _not_json(f"the body is not valid JSON: {exc}")
    except (ValueError, RecursionError) as exc:
        # Well-formed JSON that Python will not read: nested deeper than the interpreter's recursion limit, or an
        # integer of more than 4300 digits. The client's mistake, so a 400, never a 500.
        message = "is nested too deeply" if isinstance(exc, RecursionError) else f"cannot be read: {exc}"
        return _errors([{"field": "input", "message": f"the JSON body {message}"}], status=400)
    outcome = assessment_run(data=data)
    if not outcome.ok:
        return _errors(outcome.errors, status=400)
    response = JsonResponse(outcome.output)
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for a load balancer or monitor: the app answers, the database answers, and which rule set runs."""
    try:
        with db.connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except db.Error:
        response = JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    else:
        response = JsonResponse({"status": "ok", "database": "ok", "ruleset": RULESET_VERSION})
    # A cached "ok" would hide an outage.
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def openapi_json(request: HttpRequest) -> JsonResponse:
    return JsonResponse(openapi_document())
