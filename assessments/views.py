from django import db
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers

from assessments.clinical import RULESET_VERSION
from assessments.clinical.references import REFERENCES
from assessments.form_mapping import input_to_form
from assessments.forms import AssessmentForm
from assessments.selectors import demo_case_get, demo_case_list
from assessments.services import assessment_run


# Patient data: never stored by a browser or a proxy (no-store), and the htmx fragment and the whole page are
# different responses for the same URL (Vary: HX-Request).
@never_cache
@vary_on_headers("HX-Request")
@require_http_methods(["GET", "POST"])
def assess(request: HttpRequest) -> HttpResponse:
    """The bedside form and its result: one view, the whole page or (for htmx) only the result partial."""
    example = demo_case_get(name=request.GET.get("example", "")) if request.method == "GET" else None
    if request.method == "POST":
        form = AssessmentForm(request.POST)
    elif example is not None:
        form = AssessmentForm(input_to_form(example.input))
    else:
        form = AssessmentForm()

    outcome = None
    if form.is_bound and form.is_valid():
        outcome = assessment_run(data=form.to_input())
        if not outcome.ok:
            form.attach_engine_errors(outcome.errors)

    template_name = "assessments/assess.html"
    if request.htmx:
        template_name += "#result"
    context = {
        "form": form,
        "output": outcome.output if outcome else None,
        "example": example,
        "examples": demo_case_list(),
        "now": timezone.localtime(),
    }
    return render(request, template_name, context)


@require_GET
def references(request: HttpRequest) -> HttpResponse:
    return render(request, "assessments/references.html", {"references": REFERENCES.values()})


@require_GET
def about(request: HttpRequest) -> HttpResponse:
    context = {"ruleset": RULESET_VERSION, "reference_count": len(REFERENCES)}
    return render(request, "assessments/about.html", context)


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
