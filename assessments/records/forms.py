"""Forms of the records pages. Clinical values are never typed here: a recheck's new Mg goes through the bedside
form and the engine like any other assessment."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone

from assessments.models import DeclineReason, Patient, Review, Ward

# A sample this long before day 0 belongs to another admission; a typing slip in the date is likelier.
SAMPLE_BEFORE_TRANSPLANT_LIMIT = dt.timedelta(days=30)
# Clocks of ward PCs drift: a sample a few minutes "in the future" is a clock, not a mistake.
CLOCK_SKEW = dt.timedelta(minutes=5)


class PatientForm(forms.ModelForm):
    class Meta:
        model = Patient
        fields = ["hospital_id", "label", "transplant_type", "transplant_date", "ward"]
        widgets = {"transplant_date": forms.DateInput(attrs={"type": "date"})}

    def clean_hospital_id(self) -> str:
        return self.cleaned_data["hospital_id"].strip()


class LocalDateTimeField(forms.DateTimeField):
    """A `datetime-local` input: the browser sends 2026-11-25T08:30, read in the hospital's time zone."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]


class SaveToPatientForm(forms.Form):
    """The part of the bedside form that saves: which patient, and when the blood was drawn."""

    patient = forms.ModelChoiceField(
        label="Save to patient",
        queryset=Patient.objects.select_related("ward").order_by("ward__name", "label"),
        required=False,
        empty_label="Choose a patient…",
    )
    sample_time = LocalDateTimeField(
        label="Sample time",
        required=False,
        help_text="When the blood was drawn; the day after transplant is counted from it. Empty means now.",
    )
    # The reminder a recheck answers (set by "Done: enter the new Mg").
    completes = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "save")
        super().__init__(*args, **kwargs)
        self.fields["patient"].label_from_instance = lambda p: f"{p.label} ({p.hospital_id}, {p.ward})"
        for name, field in self.fields.items():
            # The panel sits in the result, outside the <form> element: the attribute makes the fields part of it.
            field.widget.attrs["form"] = "assessment-form"
            if name != "completes":
                field.widget.attrs["class"] = "form-select" if name == "patient" else "form-control"

    def visible_fields(self) -> list:
        """Bootstrap's invalid state and its description on the fields with errors (for screen readers too)."""
        fields = super().visible_fields()
        for bound in fields:
            if self.is_bound and bound.errors and "is-invalid" not in bound.field.widget.attrs["class"]:
                attrs = bound.field.widget.attrs
                attrs["class"] += " is-invalid"
                attrs["aria-invalid"] = "true"
                attrs["aria-describedby"] = f"{bound.auto_id}_error"
        return fields

    @classmethod
    def kept(cls, data: Any) -> SaveToPatientForm:
        """An unbound copy holding what was typed: the live result re-renders the panel without judging it (the
        patient is only required when Save is pressed)."""
        form = cls()
        form.initial = {name: data.get(form.add_prefix(name)) for name in form.fields}
        return form

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        patient = cleaned.get("patient")
        if not patient and not self.errors.get("patient"):
            self.add_error("patient", "Choose the patient to save this assessment to.")
        if self.errors.get("sample_time"):
            return cleaned
        now = timezone.now()
        sample_time = cleaned.get("sample_time") or now
        cleaned["sample_time"] = sample_time
        if sample_time > now + CLOCK_SKEW:
            self.add_error("sample_time", "The sample time is in the future: check the date and time.")
        elif patient and timezone.localdate(sample_time) < patient.transplant_date - SAMPLE_BEFORE_TRANSPLANT_LIMIT:
            self.add_error(
                "sample_time",
                f"The sample is more than 30 days before this patient's transplant ({patient.transplant_date}):"
                " check the date.",
            )
        return cleaned


class ReminderForm(forms.Form):
    ACTIONS = [("done", "Done"), ("recheck", "Done: enter the new Mg"), ("not_needed", "Not needed")]

    action = forms.ChoiceField(choices=ACTIONS)
    reason = forms.CharField(label="Why it is not needed", required=False, max_length=500)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("action") == "not_needed" and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", "Say why the reminder is not needed.")
        return cleaned


class ReviewForm(forms.Form):
    outcome = forms.ChoiceField(label="Decision", choices=Review.Outcome.choices, widget=forms.RadioSelect)
    amended_dose = forms.CharField(
        label="Amended dose (for Amend)",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="With its unit, route, diluent and duration, as it should be given.",
    )
    reason_code = forms.ChoiceField(
        label="Reason (for Decline)", required=False, choices=[("", "Choose…"), *DeclineReason.choices]
    )
    reason_text = forms.CharField(label="Reason in words (for Other)", required=False, max_length=500)
    note = forms.CharField(label="Note", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        outcome = cleaned.get("outcome")
        if outcome == Review.Outcome.AMENDED and not (cleaned.get("amended_dose") or "").strip():
            self.add_error("amended_dose", "Enter the amended dose.")
        if outcome == Review.Outcome.DECLINED and not cleaned.get("reason_code"):
            self.add_error("reason_code", "Choose the reason for declining.")
        if cleaned.get("reason_code") == DeclineReason.OTHER and not (cleaned.get("reason_text") or "").strip():
            self.add_error("reason_text", "Describe the reason.")
        return cleaned


class WardChoiceForm(forms.Form):
    ward = forms.ModelChoiceField(label="Ward", queryset=Ward.objects.all(), required=False, empty_label="All wards")


class AuditFilterForm(forms.Form):
    patient = forms.ModelChoiceField(
        label="Patient", queryset=Patient.objects.order_by("label"), required=False, empty_label="All patients"
    )
    user = forms.IntegerField(label="User id", required=False, min_value=1)
