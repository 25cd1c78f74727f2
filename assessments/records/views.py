"""Views of the records: patients, saved assessments, reminders, the ward list, pharmacist review, the audit log.

Thin: check the capability, read through selectors, write through services, render. Every page here holds patient
data, so every view is a `roles.records_page` (no-store, capability, methods) and the templates carry
hx-history="false".
"""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

from assessments import selectors, services
from assessments.bedside import kept
from assessments.bedside.forms import (
    DEFAULT_UNITS,
    AssessmentForm,
    SaveToPatientForm,
    sample_age_from_time,
    typed_transplant,
)
from assessments.bedside.views import render_assess_page
from assessments.clinical import RULESET_VERSION
from assessments.comparison import outputs_diff
from assessments.labels import field_label as path_label
from assessments.labels import input_rows, value_label
from assessments.records.amendment import NotAssessable
from assessments.records.forms import (
    AuditFilterForm,
    PatientForm,
    ReminderForm,
    ReviewForm,
    WardChoiceForm,
)
from assessments.records.timeline import timeline_points, timeline_svg
from assessments.roles import Capability, records_page


def timeline_unit() -> str:
    """The Mg unit the site's form offers first (HYPOMAG_DEFAULT_UNITS), so the chart reads like the form."""
    return DEFAULT_UNITS[settings.HYPOMAG_DEFAULT_UNITS]["magnesium"]


@records_page(Capability.PATIENT_RECORDS)
def patient_list(request: HttpRequest) -> HttpResponse:
    choice = WardChoiceForm(request.GET or {"ward": getattr(selectors.ward_of(request.user), "pk", None)})
    ward = choice.cleaned_data["ward"] if choice.is_valid() else None
    context = {"patients": selectors.patient_list(ward=ward), "choice": choice, "ward": ward}
    return render(request, "records/patient_list.html", context)


@records_page(Capability.PATIENT_RECORDS, "GET", "POST")
def patient_create(request: HttpRequest) -> HttpResponse:
    """A new patient. Opened from the bedside Save panel (`?then=assess`), it returns to the bedside page with what
    was typed there restored and the new patient chosen."""
    then_assess = request.GET.get("then") == "assess"
    initial: dict = {"ward": selectors.ward_of(request.user)}
    # From the Save panel: the transplant type and day 0 as the bedside form says them, to check, not to retype.
    entry = kept.peek(request) if then_assess and request.method == "GET" else None
    typed = typed_transplant(entry.data, timezone.now()) if entry is not None else {}
    initial.update({key: typed[key] for key in ("transplant_type", "transplant_date") if key in typed})
    form = PatientForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            patient = services.patient_create(user=request.user, **form.cleaned_data)
        except services.ServiceError as error:
            form.add_error("hospital_id", str(error))
        else:
            messages.success(request, f"Patient {patient.label} created.")
            if then_assess:
                return redirect(kept.restore_url(patient=patient.pk))
            return redirect("patient-detail", pk=patient.pk)
    context = {"form": form, "then_assess": then_assess, "restore_url": kept.restore_url(), "typed": typed}
    return render(request, "records/patient_form.html", context)


@records_page(Capability.PATIENT_RECORDS, "POST")
def patient_create_from_assessment(request: HttpRequest) -> HttpResponse:
    """ "New patient" in the Save panel: the bedside form is kept, then the new-patient page opens."""
    kept.keep(request, request.POST)
    return kept.go(request, f"{reverse('patient-create')}?then=assess")


def _timeline(assessments: list) -> tuple[str, list]:
    """The SVG and its points. The LLN and target bands are read from the latest saved output, so the chart shows
    what the engine used (PROTOCOL.md sections 3 and 7), never a number of its own."""
    points = timeline_points(assessments)
    if not assessments:
        return "", points
    latest = assessments[0].output
    svg = timeline_svg(
        points,
        unit=timeline_unit(),
        lln_mmol_per_l=Decimal(str(latest["magnesium"]["lln_mmol_per_l"])),
        target_mmol_per_l=Decimal(str(latest["derived"]["target_mmol_per_l"])),
    )
    # The timeline module escapes every text it draws (tests/web/records/test_timeline.py holds it to that).
    return mark_safe(svg), points


@records_page(Capability.PATIENT_RECORDS)
def patient_detail(request: HttpRequest, pk: int) -> HttpResponse:
    patient = selectors.patient_get(pk=pk)
    assessments = selectors.patient_assessments(patient=patient)
    svg, points = _timeline(assessments)
    latest = max(assessments, key=lambda a: (a.sample_time, a.pk), default=None)
    context = {
        "patient": patient,
        "assessments": assessments,
        "latest": latest,
        "reminders": selectors.patient_reminders(patient=patient),
        "timeline_svg": svg,
        "points": points,
        "unit": timeline_unit(),
        "now": timezone.now(),
        "today_day": patient.day_after_transplant(timezone.now()),
        "new_assessment_query": urlencode({"from": latest.pk} if latest else {"patient": patient.pk}),
    }
    return render(request, "records/patient_detail.html", context)


@records_page(Capability.PATIENT_RECORDS)
def patient_timeline_svg(request: HttpRequest, pk: int) -> HttpResponse:
    """The timeline alone, for printing or a larger view."""
    patient = selectors.patient_get(pk=pk)
    svg, _ = _timeline(selectors.patient_assessments(patient=patient))
    return HttpResponse(svg, content_type="image/svg+xml")


def _keep_when_signed_out(view):
    """A save posted after the session ended (idle time) keeps what was typed and asks to sign in again; signing in
    returns to the bedside page with it restored."""

    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method == "POST" and not request.user.is_authenticated:
            kept.keep(request, request.POST)
            messages.info(request, "Your session had ended: sign in again; what you typed is kept.")
            return kept.go(request, f"{reverse('login')}?{urlencode({'next': kept.restore_url()})}")
        return view(request, *args, **kwargs)

    wrapper.__wrapped__ = view
    wrapper.capability = getattr(view, "capability", None)
    return wrapper


def _record_seen(patient) -> str:
    return f"{patient.transplant_type}|{patient.transplant_date.isoformat()}"


@_keep_when_signed_out
@records_page(Capability.PATIENT_RECORDS, "POST")
def assessment_save(request: HttpRequest) -> HttpResponse:
    """Save the bedside form to a patient. Errors re-render the bedside page with everything typed kept; a record
    that disagrees with what was typed is shown beside it, and the user chooses which is right."""
    form = AssessmentForm(request.POST)
    save_form = SaveToPatientForm(request.POST)
    sample_age_from_time(form, request.POST.get("save-sample_time", ""), timezone.now())
    resolve = request.POST.get("save-resolve", "")
    if resolve == "record" and save_form.is_valid():
        patient = save_form.cleaned_data["patient"]
        if save_form.cleaned_data["record_seen"] == _record_seen(patient):
            # The record is right: its values go into the form, to be assessed before anything is saved; everything
            # else stays as typed, errors included.
            # Counted from the moment the sample was drawn, as the save counts it: the typed sample time, else
            # the hours since the sample (a day counted from now put day 6 in the form where the record said 5).
            sampled = save_form.cleaned_data["sample_time"]
            if not request.POST.get("save-sample_time") and form.is_valid():
                sampled = services.sampled_at(form.to_input(), timezone.now())
            day = patient.day_after_transplant(sampled)
            recorded = value_label("transplant.type", patient.transplant_type)
            typed = value_label("transplant.type", request.POST.get("transplant_type", ""))
            kept.keep(
                request,
                request.POST,
                note=(
                    f"The record's values are now in the form: {recorded}, day {day} (typed: {typed}, day"
                    f" {request.POST.get('transplant_day', '')}). Check the result before saving."
                ),
                transplant_type=patient.transplant_type,
                transplant_day=str(day),
                **{"save-record_seen": ""},
            )
            return kept.go(request, kept.restore_url())
    if form.is_valid() and save_form.is_valid():
        patient = save_form.cleaned_data["patient"]
        # An empty sample time means now: the moment of the first press, should Save be pressed twice.
        sample_time = save_form.cleaned_data["sample_time"] if request.POST.get("save-sample_time") else None
        completes = None
        if save_form.cleaned_data.get("completes"):
            completes = selectors.reminder_get(pk=save_form.cleaned_data["completes"])
        try:
            saved = services.assessment_save(
                user=request.user,
                patient=patient,
                data=form.to_input(),
                sample_time=sample_time,
                completes=completes,
                token=save_form.cleaned_data["token"],
                correct_record=resolve == "typed" and save_form.cleaned_data["record_seen"] == _record_seen(patient),
            )
        except services.EngineRefused as refused:
            form.attach_engine_errors(refused.errors)
        except services.RecordDisagrees as disagrees:
            save_form = SaveToPatientForm.kept(request.POST)
            save_form.initial["record_seen"] = _record_seen(patient)
            save_form.disagreement = disagrees.rows
            save_form.disagreement_patient = patient
        except services.ServiceError as error:
            save_form.add_error(None, str(error))
        else:
            messages.success(request, f"Assessment saved to {saved.patient.label}; it awaits pharmacist review.")
            if selectors.newer_assessment(saved=saved) is not None:
                # An older sample saved late: its reminders were superseded at once (services._reminders_create).
                messages.warning(request, _OLDER_SAMPLE_SAVED)
            return kept.go(request, reverse("assessment-detail", args=[saved.pk]))
    return render_assess_page(request, form=form, save_form=save_form)


_OLDER_SAMPLE_SAVED = (
    "This sample is older than one already assessed for this patient: the later sample's plan stays the current one,"
    " and this plan's reminders are kept as superseded."
)


def _record_context(saved) -> dict:
    """What every page of a saved plan shows: the plan as saved (with its rule set, never re-rendered with today's
    rules), the current amendment that replaces its plan, the reviews and the input as entered."""
    reviews = list(saved.reviews.all())
    return {
        "saved": saved,
        "output": saved.output,
        "now": timezone.localtime(saved.created_at),
        "viewed_at": timezone.localtime(),  # "in 9 h" counts from when the record is read, not from its saving
        "reviews": reviews,
        "amendment": saved.current_amendment,
        "input_rows": input_rows(saved.input),
        "current_ruleset": RULESET_VERSION,
        # A later sample's plan is the current one: this page says so, and links to it.
        "newer": selectors.newer_assessment(saved=saved),
    }


@records_page(Capability.PATIENT_RECORDS)
def assessment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    saved = selectors.assessment_get(pk=pk)
    if request.GET.get("format") == "json":
        services.export_recorded(user=request.user, obj=saved, patient=saved.patient, what="assessment JSON")
        amendment = saved.current_amendment
        response = JsonResponse(
            {
                "input": saved.input,
                "output": saved.output,
                "ruleset": saved.ruleset,
                "amended_plan": amendment.amended_plan if amendment else None,
            }
        )
        response["Content-Disposition"] = f'attachment; filename="hypomag-assessment-{saved.pk}.json"'
        return response
    return render(request, "records/assessment_detail.html", _record_context(saved))


@records_page(Capability.PATIENT_RECORDS)
def assessment_reassess(request: HttpRequest, pk: int) -> HttpResponse:
    saved = selectors.assessment_get(pk=pk)
    outcome = services.assessment_reassess(saved)
    differences = outputs_diff(saved.output, outcome.output) if outcome.ok else []
    context = {
        "saved": saved,
        "outcome": outcome,
        "differences": differences,
        "any_changed": any(row.changed for row in differences),
        "now": timezone.localtime(),
        "saved_time": timezone.localtime(saved.created_at),
    }
    return render(request, "records/assessment_reassess.html", context)


@records_page(Capability.PATIENT_RECORDS, "POST")
def reminder_update(request: HttpRequest, pk: int) -> HttpResponse:
    reminder = selectors.reminder_get(pk=pk)
    form = ReminderForm(request.POST)
    back = request.POST.get("next") if request.POST.get("next") in ("ward",) else None
    target = reverse("ward") if back else reverse("patient-detail", args=[reminder.patient_id])
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, f"Reminder not changed: {error}")
        return redirect(target)
    action = form.cleaned_data["action"]
    if action == "recheck" and not reminder.answered_by_a_new_mg:
        # Only a magnesium recheck is answered by a new assessment (the button is offered on those only); saving one
        # would otherwise close an ECG or a calcium check that was never done.
        messages.error(request, "Reminder not changed: it is not a magnesium recheck. Mark it done once it is done.")
        return redirect(target)
    if action == "recheck":
        # The new Mg starts a new assessment: the bedside form, filled from the assessment that set the reminder,
        # the patient chosen, and the reminder closed when that assessment is saved.
        query = urlencode({"from": reminder.assessment_id, "completes": reminder.pk})
        return redirect(f"{reverse('assess')}?{query}")
    try:
        if action == "done":
            services.reminder_complete(user=request.user, reminder=reminder)
        else:
            services.reminder_not_needed(user=request.user, reminder=reminder, reason=form.cleaned_data["reason"])
    except services.ServiceError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Reminder marked {'done' if action == 'done' else 'not needed'}.")
    return redirect(target)


@records_page(Capability.PATIENT_RECORDS)
def ward(request: HttpRequest) -> HttpResponse:
    choice = WardChoiceForm(request.GET or {"ward": getattr(selectors.ward_of(request.user), "pk", None)})
    ward = choice.cleaned_data["ward"] if choice.is_valid() else None
    now = timezone.now()
    rows = selectors.ward_patients(ward=ward, now=now)
    context = {
        "choice": choice,
        "ward": ward,
        "rows": [row for row in rows if row.overdue or row.due_soon],
        "quiet": [row for row in rows if not (row.overdue or row.due_soon)],
        "overdue_count": sum(len(row.overdue) for row in rows),
        "due_count": sum(len(row.due_soon) for row in rows),
        "now": now,
        "unit": timeline_unit(),
    }
    return render(request, "records/ward.html", context)


@records_page(Capability.REVIEW)
def review_queue(request: HttpRequest) -> HttpResponse:
    context = {
        "queue": selectors.review_queue(page=request.GET.get("page")),
        "now": timezone.now(),
        "current_ruleset": RULESET_VERSION,
    }
    return render(request, "records/review_queue.html", context)


@records_page(Capability.REVIEW, "GET", "POST")
def review_case(request: HttpRequest, pk: int) -> HttpResponse:
    """The pharmacist's review of one plan: approve, amend (a structured plan, checked and shown with its rate
    before it is recorded: "Check the amendment", live with htmx) or decline. Never the plan's own author."""
    saved = selectors.assessment_get(pk=pk)
    allowed = services.review_allowed(user=request.user, assessment=saved)
    can_approve = services.approval_allowed(user=request.user, assessment=saved)
    review_form = ReviewForm(request.POST or None, initial={"version": saved.version}, can_approve=can_approve)
    conflict = plan = None
    status = 200
    if request.method == "POST" and allowed and review_form.is_valid():
        amendment = review_form.amendment()
        try:
            if "check" in request.POST:
                plan = services.amendment_check(assessment=saved, entered=amendment) if amendment else None
            else:
                services.review_submit(
                    user=request.user,
                    assessment=saved,
                    version=review_form.cleaned_data["version"],
                    outcome=review_form.cleaned_data["outcome"],
                    amendment=amendment,
                    cautions_confirmed=review_form.cleaned_data["confirm_cautions"],
                    note=review_form.cleaned_data["note"],
                    reason_code=review_form.cleaned_data["reason_code"],
                    reason_text=review_form.cleaned_data["reason_text"],
                )
                messages.success(request, f"Review recorded for {saved.patient.label}.")
                return redirect("review-queue")
        except services.AmendmentRefused as refused:
            plan = refused.plan
            review_form.attach_problems(plan)
        except NotAssessable as refused:
            errors = "; ".join(f"{path_label(e['field'])}: {e['message']}" for e in refused.errors)
            review_form.add_error(None, f"The current rules refuse this saved input ({errors}): re-assess it first.")
        except services.ReviewConflict as error:
            conflict, status = error, 409
            saved = selectors.assessment_get(pk=pk)
            # What was typed stays; the decision, if still wanted, is against the version now current.
            data = request.POST.copy()
            data["version"] = str(saved.version)
            review_form = ReviewForm(data, can_approve=services.approval_allowed(user=request.user, assessment=saved))
            review_form.is_valid()
        except services.ServiceError as error:
            review_form.add_error(None, str(error))
    context = {
        **_record_context(saved),
        "review_form": review_form,
        "allowed": allowed,
        "conflict": conflict,
        "plan": plan,
        "plan_now": timezone.localtime(),
    }
    template = "records/review_case.html"
    if request.htmx and "check" in request.POST:
        template += "#amendment-check"
    return render(request, template, context, status=status)


@records_page(Capability.AUDIT)
def audit_log(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        # A filter that cannot be read shows nothing, with its message at the field: the whole log under a box
        # still reading "-1" looked filtered (an independent tester).
        return render(request, "records/audit_log.html", {"form": form, "events": [], "refused": True})
    filters = form.cleaned_data if form.is_bound else {}
    patient = filters.get("patient")
    events = selectors.audit_events(patient_id=patient.pk if patient else None, user_id=filters.get("user"))
    return render(request, "records/audit_log.html", {"form": form, "events": events})
