"""Forms of the records pages. Clinical values are never typed here: a recheck's new Mg goes through the bedside
form and the engine like any other assessment (saving it: `bedside.forms.SaveToPatientForm`)."""

from __future__ import annotations

from typing import Any

from django import forms

from assessments.models import DeclineReason, Patient, Review, Ward


class PatientForm(forms.ModelForm):
    class Meta:
        model = Patient
        fields = ["hospital_id", "label", "transplant_type", "transplant_date", "ward"]
        widgets = {"transplant_date": forms.DateInput(attrs={"type": "date"})}

    def clean_hospital_id(self) -> str:
        return self.cleaned_data["hospital_id"].strip()


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
