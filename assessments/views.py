from django import db
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from assessments.clinical import RULESET_VERSION


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
