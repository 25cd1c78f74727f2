"""The bedside page (`assess`): the form, its live result and the printed handover; the references and about pages.

`render_assess_page` is this package's export to the records feature: saving re-renders the bedside page with its
errors, through the same code as the page itself.
"""

import datetime as dt

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import get_template
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers

from assessments.bedside import kept
from assessments.bedside.form_mapping import input_to_form
from assessments.bedside.forms import AssessmentForm, SaveToPatientForm, sample_age_from_time
from assessments.clinical import RULESET_VERSION
from assessments.clinical.references import REFERENCES
from assessments.clinical.route import IV, IV_URGENT
from assessments.roles import Capability, user_can
from assessments.selectors import (
    assessment_get_or_none,
    demo_case_get,
    demo_case_list,
    patient_exists,
    patient_get_or_none,
)
from assessments.services import assessment_run, input_errors


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
        # The save panel's fields travel with the form; only staff with patient records see (and keep) them.
        keeps = user_can(request.user, Capability.PATIENT_RECORDS)
        save_form = SaveToPatientForm.kept(request.POST) if keeps else None
        form = AssessmentForm(request.POST)
        if keeps:
            sample_age_from_time(form, request.POST.get("save-sample_time", ""), timezone.now())
        return render_assess_page(request, form=form, save_form=save_form)
    if kept.RESTORE in request.GET:
        return _restore(request)
    example = demo_case_get(name=request.GET.get("example", ""))
    if example is None and request.GET.get("example"):
        # A mistyped or shortened link (`?example=V1`) opened an empty form without a word.
        messages.warning(request, "There is no example of that name: choose one under “Load an example”.")
    # An example is bound, so that its result shows at once; a record's input is only a starting point (initial),
    # so that nothing is judged before the new Mg is typed.
    form = AssessmentForm(input_to_form(example.input)) if example else AssessmentForm()
    initial_save: dict = {}
    if user_can(request.user, Capability.PATIENT_RECORDS):
        initial_form, initial_save = _record_prefill(request)
        # An example loaded for a patient stays as the example says (a disagreement with the record is shown when
        # saving); otherwise the form starts from the record.
        if initial_form is not None and example is None:
            form = AssessmentForm(initial=initial_form)
    return render_assess_page(request, form=form, save_form=SaveToPatientForm(initial=initial_save), example=example)


def _restore(request: HttpRequest) -> HttpResponse:
    """The bedside form as it was before a detour (sign-in, a new patient, the record's values: `kept`)."""
    entry = kept.take(request)
    if entry is None:
        # Also what Back shows after a save: say where a saved form went, so that nobody thinks it was lost.
        messages.info(
            request,
            "Nothing to restore: typed values come back once, and are kept only until sign-out or the idle time. An"
            " assessment already saved is on its patient's page.",
        )
        return render_assess_page(request, form=AssessmentForm(), save_form=SaveToPatientForm())
    messages.info(
        request,
        entry.note or f"Restored what was typed at {timezone.localtime(entry.at):%H:%M}: check it before saving.",
    )
    save_form = SaveToPatientForm.kept(entry.data)
    if patient_exists(pk=request.GET.get("patient", "")):
        save_form.initial["patient"] = int(request.GET["patient"])
    return render_assess_page(request, form=AssessmentForm(entry.data), save_form=save_form)


# What belongs to one sample, never carried into the next assessment: the labs (a stale potassium or calcium would be
# read as today's, HAZ10), trough levels, the age of the Mg result, the QTc, symptoms and IV Mg in the last 24 h.
PER_SAMPLE = ("_value", "_trough", "magnesium_age_hours", "qtc_ms", "symptoms", "iv_magnesium_last_24h")


def _record_prefill(request: HttpRequest) -> tuple[dict | None, dict]:
    """Pre-fill from the patient record and the patient's saved assessment; ids that do not exist are ignored.

    "New assessment for this patient" and a recheck start from what the record holds: the transplant type and
    today's day after transplant from the patient record, the patient details, drugs and conditions from the saved
    assessment (`from`); what belongs to one sample (PER_SAMPLE) is left for today's values."""
    initial_form, initial_save = None, {}
    source = assessment_get_or_none(pk=request.GET.get("from"))
    patient = source.patient if source is not None else None
    if source is not None:
        initial_form = {k: v for k, v in input_to_form(source.input).items() if not k.endswith(PER_SAMPLE)}
    chosen = patient_get_or_none(pk=request.GET.get("patient", ""))
    if chosen is not None:
        patient = chosen
    if patient is not None:
        initial_save["patient"] = patient.pk
        record = {"transplant_type": patient.transplant_type}
        record["transplant_day"] = str(patient.day_after_transplant(timezone.now()))
        initial_form = {**(initial_form or {}), **record}
    completes = request.GET.get("completes", "")
    if completes.isdigit():
        initial_save["completes"] = int(completes)
    if source is not None and initial_form is not None and _iv_plan_within_a_day(source):
        # The box is per sample, so never carried over; but a recheck within a day of an IV plan follows that IV
        # magnesium, and a level taken too soon after it overstates the stores (section 2.4, HAZ09): ticked, and
        # said, so that the clinician unticks it if the infusion was not given (a tester found it unticked).
        initial_form["iv_magnesium_last_24h"] = True
        saved = timezone.localtime(source.created_at)
        messages.info(
            request,
            f'"{AssessmentForm.base_fields["iv_magnesium_last_24h"].label}" is ticked: the plan of'
            f" {saved:%Y-%m-%d %H:%M} was IV magnesium."
            " Untick it if the infusion was not given.",
        )
    return initial_form, initial_save


def _iv_plan_within_a_day(source) -> bool:
    """The saved plan (its pharmacist's amendment, if any) gives IV magnesium, and was saved in the last 24 h."""
    amendment = source.current_amendment
    route = (amendment.amended_plan or {}).get("route") if amendment is not None else source.route
    return route in (IV, IV_URGENT) and timezone.now() - source.created_at < dt.timedelta(hours=24)


def render_assess_page(
    request: HttpRequest, *, form: AssessmentForm, save_form: SaveToPatientForm | None, example=None
) -> HttpResponse:
    """Run the engine on a bound form and render the page (or its result partial for htmx)."""
    outcome = None
    if form.is_bound and form.is_valid():
        outcome = assessment_run(data=form.to_input())
        if not outcome.ok:
            form.attach_engine_errors(outcome.errors)
    elif form.is_bound and hasattr(form, "contract_input"):
        # Every error at once: the engine's range checks of what could be read, beside the form's own errors.
        form.attach_engine_errors(input_errors(data=form.contract_input), besides_own=True)

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
