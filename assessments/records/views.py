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
from assessments.bedside.forms import DEFAULT_UNITS, AssessmentForm, SaveToPatientForm
from assessments.bedside.views import render_assess_page
from assessments.comparison import outputs_diff
from assessments.labels import input_rows
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
    form = PatientForm(request.POST or None, initial={"ward": selectors.ward_of(request.user)})
    if request.method == "POST" and form.is_valid():
        try:
            patient = services.patient_create(user=request.user, **form.cleaned_data)
        except services.ServiceError as error:
            form.add_error("hospital_id", str(error))
        else:
            messages.success(request, f"Patient {patient.label} created.")
            return redirect("patient-detail", pk=patient.pk)
    return render(request, "records/patient_form.html", {"form": form})


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
    context = {
        "patient": patient,
        "assessments": assessments,
        "reminders": selectors.patient_reminders(patient=patient),
        "timeline_svg": svg,
        "points": points,
        "unit": timeline_unit(),
        "now": timezone.now(),
        "today_day": patient.day_after_transplant(timezone.now()),
    }
    return render(request, "records/patient_detail.html", context)


@records_page(Capability.PATIENT_RECORDS)
def patient_timeline_svg(request: HttpRequest, pk: int) -> HttpResponse:
    """The timeline alone, for printing or a larger view."""
    patient = selectors.patient_get(pk=pk)
    svg, _ = _timeline(selectors.patient_assessments(patient=patient))
    return HttpResponse(svg, content_type="image/svg+xml")


@records_page(Capability.PATIENT_RECORDS, "POST")
def assessment_save(request: HttpRequest) -> HttpResponse:
    """Save the bedside form to a patient. Errors re-render the bedside page with everything typed kept."""
    form = AssessmentForm(request.POST)
    save_form = SaveToPatientForm(request.POST)
    if form.is_valid() and save_form.is_valid():
        completes = None
        if save_form.cleaned_data.get("completes"):
            completes = selectors.reminder_get(pk=save_form.cleaned_data["completes"])
        try:
            saved = services.assessment_save(
                user=request.user,
                patient=save_form.cleaned_data["patient"],
                data=form.to_input(),
                sample_time=save_form.cleaned_data["sample_time"],
                completes=completes,
            )
        except services.EngineRefused as refused:
            form.attach_engine_errors(refused.errors)
        except services.ServiceError as error:
            save_form.add_error(None, str(error))
        else:
            messages.success(request, f"Assessment saved to {saved.patient.label}; it awaits pharmacist review.")
            url = reverse("assessment-detail", args=[saved.pk])
            if request.htmx:
                response = HttpResponse(status=204)
                response["HX-Redirect"] = url
                return response
            return redirect(url)
    return render_assess_page(request, form=form, save_form=save_form)


@records_page(Capability.PATIENT_RECORDS)
def assessment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    saved = selectors.assessment_get(pk=pk)
    if request.GET.get("format") == "json":
        services.export_recorded(user=request.user, obj=saved, patient=saved.patient, what="assessment JSON")
        response = JsonResponse({"input": saved.input, "output": saved.output, "ruleset": saved.ruleset})
        response["Content-Disposition"] = f'attachment; filename="hypomag-assessment-{saved.pk}.json"'
        return response
    context = {
        "saved": saved,
        "output": saved.output,
        "now": timezone.localtime(saved.created_at),
        "reviews": list(saved.reviews.all()),
        "input_rows": input_rows(saved.input),
    }
    return render(request, "records/assessment_detail.html", context)


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
    context = {"choice": choice, "ward": ward, "lists": selectors.ward_reminders(ward=ward, now=now), "now": now}
    return render(request, "records/ward.html", context)


@records_page(Capability.REVIEW)
def review_queue(request: HttpRequest) -> HttpResponse:
    return render(request, "records/review_queue.html", {"queue": selectors.review_queue(page=request.GET.get("page"))})


@records_page(Capability.REVIEW, "GET", "POST")
def review_case(request: HttpRequest, pk: int) -> HttpResponse:
    saved = selectors.assessment_get(pk=pk)
    form = ReviewForm(request.POST or None, initial={"version": saved.version})
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.review_submit(user=request.user, assessment=saved, **form.cleaned_data)
        except services.ReviewConflict as error:
            conflict = error
            saved = selectors.assessment_get(pk=pk)
        except services.ServiceError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Review recorded for {saved.patient.label}.")
            return redirect("review-queue")
    context = {
        "saved": saved,
        "output": saved.output,
        "now": timezone.localtime(saved.created_at),
        "form": form,
        "conflict": conflict,
        "reviews": list(saved.reviews.all()),
        "input_rows": input_rows(saved.input),
    }
    return render(request, "records/review_case.html", context, status=409 if conflict else 200)


@records_page(Capability.AUDIT)
def audit_log(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    patient = filters.get("patient")
    events = selectors.audit_events(patient_id=patient.pk if patient else None, user_id=filters.get("user"))
    return render(request, "records/audit_log.html", {"form": form, "events": events})
