"""The bedside page (`assess`): the form, its live result and the printed handover; the references and about pages.

`render_assess_page` is this package's export to the records feature: saving re-renders the bedside page with its
errors, through the same code as the page itself.
"""

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers

from assessments.bedside.form_mapping import input_to_form
from assessments.bedside.forms import AssessmentForm, SaveToPatientForm
from assessments.clinical import RULESET_VERSION
from assessments.clinical.references import REFERENCES
from assessments.roles import Capability, user_can
from assessments.selectors import assessment_get_or_none, demo_case_get, demo_case_list, patient_exists
from assessments.services import assessment_run


# Patient data: never stored by a browser or a proxy (no-store), and the htmx fragment and the whole page are
# different responses for the same URL (Vary: HX-Request).
@never_cache
@vary_on_headers("HX-Request")
@require_http_methods(["GET", "POST"])
def assess(request: HttpRequest) -> HttpResponse:
    """The bedside form and its result: one view, the whole page or (for htmx) only the result partial.

    GET parameters pre-fill it: `example` (a demo case), and for staff with patient records `patient` (choose the
    patient to save to), `from` (the input of a saved assessment, e.g. for a recheck) and `completes` (the
    reminder the new assessment answers).
    """
    if request.method == "POST":
        if request.POST.get("then") == SIGN_IN and not request.user.is_authenticated:
            return _sign_in_keeping(request)
        # The save panel's fields travel with the form; only staff with patient records see (and keep) them.
        keeps = user_can(request.user, Capability.PATIENT_RECORDS)
        save_form = SaveToPatientForm.kept(request.POST) if keeps else None
        return render_assess_page(request, form=AssessmentForm(request.POST), save_form=save_form)
    if request.GET.get("resume") and RESUME_KEY in request.session:
        # Back from signing in: the form as it was typed, assessed again, with the save panel for staff.
        data = MultiValueDict(request.session.pop(RESUME_KEY))
        keeps = user_can(request.user, Capability.PATIENT_RECORDS)
        save_form = SaveToPatientForm.kept(data) if keeps else None
        return render_assess_page(request, form=AssessmentForm(data), save_form=save_form)
    example = demo_case_get(name=request.GET.get("example", ""))
    # An example is bound, so that its result shows at once; a record's input is only a starting point (initial),
    # so that nothing is judged before the new Mg is typed.
    form = AssessmentForm(input_to_form(example.input)) if example else AssessmentForm()
    initial_save: dict = {}
    if user_can(request.user, Capability.PATIENT_RECORDS):
        initial_form, initial_save = _record_prefill(request)
        if initial_form is not None:
            form = AssessmentForm(initial=initial_form)
    return render_assess_page(request, form=form, save_form=SaveToPatientForm(initial=initial_save), example=example)


# "Sign in to save": what was typed waits in the (server-side) session while the person signs in, and comes back
# to the form; signing in keeps the session's data (Django cycles the key), signing out or the idle timeout ends it.
SIGN_IN = "sign-in"
RESUME_KEY = "bedside_resume"


def _sign_in_keeping(request: HttpRequest) -> HttpResponse:
    request.session[RESUME_KEY] = {
        name: request.POST.getlist(name) for name in request.POST if name not in ("csrfmiddlewaretoken", "then")
    }
    url = f"{reverse('login')}?{urlencode({'next': reverse('assess') + '?resume=1'})}"
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


def _record_prefill(request: HttpRequest) -> tuple[dict | None, dict]:
    """Pre-fill from a saved assessment and/or choose the patient; ids that do not exist are ignored."""
    initial_form, initial_save = None, {}
    source = assessment_get_or_none(pk=request.GET.get("from"))
    if source is not None:
        initial_form = input_to_form(source.input)
        # The new sample is today's: the Mg field is left for the new value, the rest is carried over to check.
        initial_form.pop("magnesium_value", None)
        initial_save["patient"] = source.patient_id
    patient_id = request.GET.get("patient", "")
    if patient_exists(pk=patient_id):
        initial_save["patient"] = int(patient_id)
    completes = request.GET.get("completes", "")
    if completes.isdigit():
        initial_save["completes"] = int(completes)
    return initial_form, initial_save


def render_assess_page(
    request: HttpRequest, *, form: AssessmentForm, save_form: SaveToPatientForm | None, example=None
) -> HttpResponse:
    """Run the engine on a bound form and render the page (or its result partial for htmx)."""
    outcome = None
    if form.is_bound and form.is_valid():
        outcome = assessment_run(data=form.to_input())
        if not outcome.ok:
            form.attach_engine_errors(outcome.errors)

    context = {
        "form": form,
        "save_form": save_form if user_can(request.user, Capability.PATIENT_RECORDS) else None,
        "output": outcome.output if outcome else None,
        # What the result was made from, listed on the handover (the contract input: what a save stores too).
        "assessed_input": form.to_input() if outcome and outcome.ok else None,
        "example": example,
        "examples": demo_case_list(),
        "now": timezone.localtime(),
    }
    if request.htmx:
        # Only what changed: the result, and out of band the unit check beside the Mg field and the compact summary.
        # The partial needs no context processor (no navigation, no CSRF token: the form on the page keeps its own),
        # so it renders from this context alone, with the request for its `request.htmx` (issue 16).
        html = get_template("bedside/assess.html#result").render({**context, "request": request})
        return HttpResponse(html)
    return render(request, "bedside/assess.html", context)


@require_GET
def references(request: HttpRequest) -> HttpResponse:
    return render(request, "bedside/references.html", {"references": REFERENCES.values()})


@require_GET
def about(request: HttpRequest) -> HttpResponse:
    context = {"ruleset": RULESET_VERSION, "reference_count": len(REFERENCES)}
    return render(request, "bedside/about.html", context)
