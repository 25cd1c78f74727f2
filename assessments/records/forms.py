"""Forms of the records pages. Clinical values are never typed here: a recheck's new Mg goes through the bedside
form and the engine like any other assessment (saving it: `bedside.forms.SaveToPatientForm`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone

from assessments.clinical.inputs import TransplantType
from assessments.clinical.parse import DAY_RANGE
from assessments.clinical.route import IV, NONE, ORAL
from assessments.models import DUPLICATE_HOSPITAL_ID, DeclineReason, Patient, Review, Ward
from assessments.numbers import DecimalInput, NumberField
from assessments.records.amendment import GRAMS, MMOL, AmendedPlan, Amendment
from assessments.services import OWN_AMENDMENT


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
    # In words, with a prompt instead of Django's "---------".
    transplant_type = forms.ChoiceField(
        choices=[("", "Choose…"), *((t.value, t.value.capitalize()) for t in TransplantType)]
    )

    class Meta:
        model = Patient
        fields = ["hospital_id", "label", "transplant_type", "transplant_date", "ward"]
        widgets = {"transplant_date": forms.DateInput(attrs={"type": "date"})}
        error_messages = {"hospital_id": {"unique": DUPLICATE_HOSPITAL_ID}}

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


class AmountField(NumberField):
    """An amount of the amendment, read as the bedside form reads a number ("12,5" is 12.5; "1,000", "1e3" and
    "12.5.1" are refused with words, never read as another number), then kept within bounds that catch a slip of
    the keyboard."""

    def __init__(self, *, minimum: float, maximum: float, too_small: str, too_large: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.minimum, self.maximum = minimum, maximum
        self.too_small, self.too_large = too_small, too_large

    def to_python(self, value: Any) -> float | None:
        number = super().to_python(value)
        if number is not None and number < self.minimum:
            raise forms.ValidationError(self.too_small)
        if number is not None and number > self.maximum:
            raise forms.ValidationError(self.too_large)
        return number


def _amount(label: str, *, what: str, unit: str = "", help_text: str = "", max_value: float = 1000) -> AmountField:
    # The bounds only keep absurd figures (a slip of the keyboard) out of the arithmetic; the clinical limits are
    # the clinical core's, checked on the amended plan. Their messages say what to type, in the field's unit (a
    # tester got Django's "Ensure this value is greater than or equal to 0.01." for 0 and -1).
    unit = f" {unit}" if unit else ""
    return AmountField(
        label=label,
        required=False,
        minimum=0.01,
        maximum=max_value,
        too_small=f"Enter {what} above 0{unit}.",
        too_large=f"Enter {what} of at most {max_value:g}{unit}: is the figure a slip of the keyboard?",
        help_text=help_text,
        widget=DecimalInput(),
    )


class ReviewForm(forms.Form):
    """The pharmacist's decision. An amendment is a plan with structured fields (route; IV: amount in g of magnesium
    sulfate or mmol of magnesium, final volume and duration; oral: mmol per day and doses), checked by the clinical
    core's limits; free text only as a note."""

    ROUTES = [(IV, "IV infusion"), (ORAL, "Oral"), (NONE, "No replacement")]
    UNITS = [(GRAMS, "g magnesium sulfate"), (MMOL, "mmol magnesium")]

    outcome = forms.ChoiceField(label="Decision", choices=Review.Outcome.choices, widget=forms.RadioSelect)
    route = forms.ChoiceField(label="Amended route", required=False, choices=ROUTES, widget=forms.RadioSelect)
    amount = _amount("IV amount", what="an amount")
    amount_unit = forms.ChoiceField(label="IV amount: unit", required=False, choices=UNITS, initial=GRAMS)
    volume_ml = _amount("Final volume (mL)", what="a volume", unit="mL", help_text="After dilution.", max_value=5000)
    duration_hours = _amount(
        "Over (hours)", what="a duration", unit="hours", help_text="E.g. 0,5 or 0.5 for 30 min.", max_value=168
    )
    mmol_per_day = _amount("Oral: mmol elemental magnesium per day", what="an amount", unit="mmol a day")
    doses_per_day = forms.IntegerField(
        label="Oral: doses per day",
        required=False,
        min_value=1,
        max_value=6,
        initial=3,
        error_messages={
            "invalid": "Enter a whole number of doses a day, from 1 to 6.",
            "min_value": "Enter a whole number of doses a day, from 1 to 6.",
            "max_value": "Enter a whole number of doses a day, from 1 to 6.",
        },
    )
    confirm_cautions = forms.BooleanField(
        label="I have read the cautions above and confirm the amended plan", required=False
    )
    reason_code = forms.ChoiceField(
        label="Reason (for Decline)", required=False, choices=[("", "Choose…"), *DeclineReason.choices]
    )
    reason_text = forms.CharField(label="Reason in words (for Other)", required=False, max_length=500)
    note = forms.CharField(label="Note", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    REQUIRED_FOR = {
        IV: {
            "amount": "Enter the amount.",
            "volume_ml": "Enter the final volume.",
            "duration_hours": "Enter the duration.",
        },
        ORAL: {"mmol_per_day": "Enter the mmol per day.", "doses_per_day": "Enter the number of doses per day."},
        NONE: {},
    }

    def __init__(self, *args: Any, can_approve: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not can_approve:
            # The pharmacist who wrote the current amendment is not offered Approve (four eyes, HAZ36): a choice
            # the service would refuse on submit is not a choice.
            outcome = self.fields["outcome"]
            outcome.choices = [c for c in Review.Outcome.choices if c[0] != Review.Outcome.APPROVED]
            outcome.help_text = f"{OWN_AMENDMENT} You can amend it again or decline it."
            outcome.error_messages["invalid_choice"] = OWN_AMENDMENT

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        outcome = cleaned.get("outcome")
        if outcome == Review.Outcome.AMENDED:
            route = cleaned.get("route")
            if not route:
                self.add_error("route", "Choose the amended route.")
            for name, message in self.REQUIRED_FOR.get(route or "", {}).items():
                if cleaned.get(name) is None and name not in self.errors:
                    self.add_error(name, message)
            if route == IV and not cleaned.get("amount_unit"):
                self.add_error("amount_unit", "Choose g or mmol.")
        if outcome == Review.Outcome.DECLINED and not cleaned.get("reason_code"):
            self.add_error("reason_code", "Choose the reason for declining.")
        if cleaned.get("reason_code") == DeclineReason.OTHER and not (cleaned.get("reason_text") or "").strip():
            self.add_error("reason_text", "Describe the reason.")
        return cleaned

    def amendment(self) -> Amendment | None:
        """The amendment as entered (a valid form whose decision is Amend), else None."""
        cleaned = self.cleaned_data
        if cleaned.get("outcome") != Review.Outcome.AMENDED:
            return None
        route = cleaned["route"]
        if route == IV:
            return Amendment(
                route=IV,
                amount=cleaned["amount"],
                amount_unit=cleaned["amount_unit"],
                volume_ml=cleaned["volume_ml"],
                duration_hours=cleaned["duration_hours"],
            )
        if route == ORAL:
            return Amendment(route=ORAL, mmol_per_day=cleaned["mmol_per_day"], doses_per_day=cleaned["doses_per_day"])
        return Amendment(route=NONE)

    def attach_problems(self, plan: AmendedPlan) -> None:
        """Each refusal of the amended plan on the field to change; the cautions ask for the confirmation."""
        for problem in plan.problems:
            self.add_error(problem.field, problem.text)
        if plan.cautions and not self.cleaned_data.get("confirm_cautions"):
            self.add_error("confirm_cautions", "Read the cautions of the amended plan, then tick to confirm it.")


class WardChoiceForm(forms.Form):
    # A block select under its label: an unstyled one sat on the label's line ("WardWard 7", an independent tester).
    ward = forms.ModelChoiceField(
        label="Ward",
        queryset=Ward.objects.all(),
        required=False,
        empty_label="All wards",
        widget=forms.Select(attrs={"class": "form-select"}),
    )


class _PatientChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Patient) -> str:
        return f"{obj.label} ({obj.hospital_id})"


class AuditFilterForm(forms.Form):
    # With the hospital identifier, as the save panel lists them: two patients may share a bed label (a tester saw
    # "ZZ bed 1" three times and could not tell them apart).
    patient = _PatientChoiceField(
        label="Patient",
        queryset=Patient.objects.order_by("label"),
        required=False,
        empty_label="All patients",
        error_messages={"invalid_choice": "There is no such patient: choose one from the list."},
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    # At most the largest id a database holds (a BigAutoField): a larger number is an error at the field, not a 500.
    user = forms.IntegerField(
        label="User id",
        required=False,
        min_value=1,
        max_value=2**63 - 1,
        # A text field (a number input drops what it cannot read, and the message would not see it).
        widget=forms.TextInput(attrs={"class": "form-control", "inputmode": "numeric", "autocomplete": "off"}),
        error_messages=dict.fromkeys(
            ("invalid", "min_value", "max_value"),
            "Enter a user id as the User column gives it: a whole number, 1 or more.",
        ),
    )
