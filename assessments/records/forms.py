"""Forms of the records pages. Clinical values are never typed here: a recheck's new Mg goes through the bedside
form and the engine like any other assessment (saving it: `bedside.forms.SaveToPatientForm`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone

from assessments.clinical.parse import DAY_RANGE
from assessments.models import DeclineReason, Patient, Review, Ward


def transplant_date_problem(date: dt.date, today: dt.date) -> str | None:
    """The transplant date must give today a day after transplant that HypoMag assesses (PROTOCOL.md section 1 and
    section 2: day -30, conditioning, to day +3650): a date of year 1 or 9999 is a typo (issue 15: it crashed the
    save), and a patient outside that window cannot be assessed anyway."""
    first, last = DAY_RANGE
    day = (today - date).days
    if first <= day <= last:
        return None
    return (
        f"A transplant on {date.isoformat()} makes today day {day:+d}; HypoMag assesses days {first} to +{last} "
        f"(a transplant date from {(today - dt.timedelta(days=last)).isoformat()} to "
        f"{(today - dt.timedelta(days=first)).isoformat()}): check the date."
    )


class PatientForm(forms.ModelForm):
    class Meta:
        model = Patient
        fields = ["hospital_id", "label", "transplant_type", "transplant_date", "ward"]
        widgets = {"transplant_date": forms.DateInput(attrs={"type": "date"})}

    def clean_hospital_id(self) -> str:
        return self.cleaned_data["hospital_id"].strip()

    def clean_transplant_date(self) -> dt.date:
        date = self.cleaned_data["transplant_date"]
        problem = transplant_date_problem(date, timezone.localdate())
        if problem:
            raise forms.ValidationError(problem)
        return date


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
