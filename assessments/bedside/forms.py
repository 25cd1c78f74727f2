"""The bedside assessment form: one flat field per value, in bedside order, each with its own label.

The form only checks what a browser can get wrong (a word where a number belongs, a value without its unit); the
clinical ranges are the engine's (`assessments.clinical.parse`), and its errors are attached to these fields by
`attach_engine_errors`. `form_mapping` turns the cleaned data into the contract input.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django import forms
from django.conf import settings
from django.utils import timezone

from assessments.bedside.form_mapping import (
    IMMUNOSUPPRESSANT_SLOTS,
    LAB_KEYS,
    MEDICATION_GROUPS,
    MEDICATIONS_WITH_DAYS,
    SCALAR_FIELDS,
    field_for_path,
    form_to_input,
)
from assessments.clinical.inputs import Condition, Drug, DrugRoute, OralIntake, Symptom
from assessments.labels import (
    CONDITION_LABELS,
    DRUG_ROUTE_LABELS,
    FIELD_LABELS,
    IMMUNOSUPPRESSANT_LABELS,
    LAB_LABELS,
    MEDICATION_LABELS,
    ORAL_INTAKE_LABELS,
    SETTING_LABELS,
    SEX_LABELS,
    SYMPTOM_LABELS,
    TRANSPLANT_TYPE_LABELS,
    UNIT_LABELS,
    field_label,
)
from assessments.models import Patient

# Each field's label is the words labels.py gives its contract path.
LABEL = {name: FIELD_LABELS[path] for path, name in SCALAR_FIELDS.items()} | {
    "conditions": FIELD_LABELS["conditions"],
    "symptoms": FIELD_LABELS["symptoms"],
}

BLANK = ("", "Not recorded")

# Units each lab accepts (the contract schema), and which one each site convention offers first.
LAB_UNITS: dict[str, tuple[str, ...]] = {
    "magnesium": ("mmol/L", "mg/dL", "mEq/L"),
    "magnesium_lln": ("mmol/L", "mg/dL", "mEq/L"),
    "potassium": ("mmol/L", "mEq/L"),
    "calcium_total": ("mmol/L", "mg/dL"),
    "calcium_ionized": ("mmol/L", "mg/dL"),
    "albumin": ("g/L", "g/dL"),
    "phosphate": ("mmol/L", "mg/dL"),
    "creatinine": ("umol/L", "mg/dL"),
    "urine_magnesium": ("mmol/L", "mg/dL"),
    "urine_creatinine": ("mmol/L", "umol/L", "mg/dL"),
}
DEFAULT_UNITS = {
    "SI": {key: units[0] for key, units in LAB_UNITS.items()},
    "conventional": {
        **{key: "mg/dL" for key, units in LAB_UNITS.items() if "mg/dL" in units},
        "potassium": "mEq/L",
        "albumin": "g/dL",
    },
}
MEDICATION_GROUP_LABELS = {
    "causes": "Drugs that lower magnesium",
    "oral_interactions": "Drugs that interact with oral magnesium",
    "qt": "QT-prolonging drugs",
    "iv_cautions": "Drugs that need caution with IV magnesium",
    "other": "Potassium-sparing diuretics",
}

# Offered in the order of the engine's enums: only what this rule set accepts, each named by labels.py.
CONDITIONS = tuple((c.value, CONDITION_LABELS[c.value]) for c in Condition)
SYMPTOMS = tuple((s.value, SYMPTOM_LABELS[s.value]) for s in Symptom)
INTEGER_BOUND = 1_000_000
GRADES = (BLANK, *((str(n), str(n)) for n in range(5)))


def _number(label: str, *, required: bool = False, help_text: str = "", step: str = "any") -> forms.FloatField:
    return forms.FloatField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.NumberInput(attrs={"step": step, "inputmode": "decimal"}),
    )


def _units(label: str, units: tuple[str, ...]) -> forms.ChoiceField:
    return forms.ChoiceField(label=label, required=False, choices=[(u, UNIT_LABELS[u]) for u in units])


class AssessmentForm(forms.Form):
    # --- Patient and transplant ----------------------------------------------------------------------------------
    age_years = _number(LABEL["age_years"], required=True, help_text="For a child under 1 year, e.g. 0.5.")
    sex = forms.ChoiceField(label=LABEL["sex"], required=False, choices=[BLANK, *SEX_LABELS.items()])
    weight_kg = _number(LABEL["weight_kg"], help_text="Needed for children's doses and for creatinine clearance.")
    height_cm = _number(LABEL["height_cm"], help_text="Needed for a child's eGFR.")
    transplant_type = forms.ChoiceField(
        label=LABEL["transplant_type"],
        choices=[("", "Choose…"), *TRANSPLANT_TYPE_LABELS.items()],
    )
    # Loose bounds keep absurd integers (hundreds of digits) away from float arithmetic; the clinical range and its
    # message are the engine's.
    transplant_day = forms.IntegerField(
        label=LABEL["transplant_day"],
        help_text="Day 0 is the day of the transplant; before it, negative.",
        min_value=-INTEGER_BOUND,
        max_value=INTEGER_BOUND,
    )
    setting = forms.ChoiceField(
        label=LABEL["setting"],
        required=False,
        initial="inpatient",
        choices=list(SETTING_LABELS.items()),
    )

    # --- Labs ----------------------------------------------------------------------------------------------------
    # Added in __init__: <lab>_value and <lab>_unit for every LAB_KEYS entry.
    magnesium_age_hours = _number(
        FIELD_LABELS["labs.magnesium.age_hours"],
        help_text="Hours since the sample was taken; a result older than 24 h is flagged.",
    )

    # --- GI and nutrition ----------------------------------------------------------------------------------------
    diarrhea_ml_per_day = _number(LABEL["diarrhea_ml_per_day"])
    lower_gi_gvhd_stage = forms.TypedChoiceField(
        label=LABEL["lower_gi_gvhd_stage"], required=False, choices=GRADES, coerce=int, empty_value=None
    )
    vomiting = forms.BooleanField(label=LABEL["vomiting"], required=False)
    mucositis_grade = forms.TypedChoiceField(
        label=LABEL["mucositis_grade"], required=False, choices=GRADES, coerce=int, empty_value=None
    )
    high_output_stoma = forms.BooleanField(label=LABEL["high_output_stoma"], required=False)
    oral_intake = forms.ChoiceField(
        label=LABEL["oral_intake"],
        required=False,
        choices=[BLANK, *((i.value, ORAL_INTAKE_LABELS[i.value]) for i in OralIntake)],
    )
    parenteral_nutrition = forms.BooleanField(label=LABEL["parenteral_nutrition"], required=False)
    pn_mg_mmol_per_kg_day = _number(LABEL["pn_mg_mmol_per_kg_day"])

    # --- Conditions, symptoms, ECG, current therapy --------------------------------------------------------------
    conditions = forms.MultipleChoiceField(
        label=LABEL["conditions"], required=False, choices=CONDITIONS, widget=forms.CheckboxSelectMultiple
    )
    symptoms = forms.MultipleChoiceField(
        label=LABEL["symptoms"], required=False, choices=SYMPTOMS, widget=forms.CheckboxSelectMultiple
    )
    qtc_ms = _number(LABEL["qtc_ms"], step="1")
    oral_current = forms.BooleanField(label=LABEL["oral_current"], required=False)
    iv_magnesium_last_24h = forms.BooleanField(label=LABEL["iv_magnesium_last_24h"], required=False)

    def __init__(self, *args: Any, default_units: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Set by clean(): the contract input, and which form field each list item of it came from.
        self.contract_input: dict[str, Any] = {}
        self.input_paths: dict[str, str] = {}
        units = DEFAULT_UNITS[default_units or settings.HYPOMAG_DEFAULT_UNITS]
        for slot in IMMUNOSUPPRESSANT_SLOTS:
            # Slot n is the contract's immunosuppressants.(n-1): the labels number them alike.
            def slot_label(path: str, slot: int = slot) -> str:
                return field_label(path.replace("N", str(slot - 1)))

            self.fields[f"immuno{slot}_drug"] = forms.ChoiceField(
                label=slot_label("immunosuppressants.N"),
                required=False,
                choices=[("", "None"), *((d.value, IMMUNOSUPPRESSANT_LABELS[d.value]) for d in Drug)],
            )
            self.fields[f"immuno{slot}_trough"] = _number(slot_label("immunosuppressants.N.trough.value"))
            self.fields[f"immuno{slot}_trough_unit"] = _units(
                slot_label("immunosuppressants.N.trough.unit"), ("ng/mL", "ug/L")
            )
            self.fields[f"immuno{slot}_route"] = forms.ChoiceField(
                label=slot_label("immunosuppressants.N.route"),
                required=False,
                choices=[BLANK, *((r.value, DRUG_ROUTE_LABELS[r.value]) for r in DrugRoute)],
            )
        for key in LAB_KEYS:
            self.fields[f"{key}_value"] = _number(LAB_LABELS[key], required=key == "magnesium")
            self.fields[f"{key}_unit"] = _units(FIELD_LABELS[f"labs.{key}.unit"], LAB_UNITS[key])
            self.fields[f"{key}_unit"].initial = units[key]
        self.fields["magnesium_lln_value"].help_text = "Leave empty to use 0.70 mmol/L."
        for group, meds in MEDICATION_GROUPS.items():
            self.fields[f"medications_{group}"] = forms.MultipleChoiceField(
                label=MEDICATION_GROUP_LABELS[group],
                required=False,
                choices=[(med, MEDICATION_LABELS[med]) for med in meds],
                widget=forms.CheckboxSelectMultiple,
            )
        for med in MEDICATIONS_WITH_DAYS:
            self.fields[f"days_{med}"] = forms.IntegerField(
                label=f"{MEDICATION_LABELS[med]}: days taken",
                required=False,
                min_value=0,
                max_value=INTEGER_BOUND,
            )

    # --- Groups for the template (bedside order) -----------------------------------------------------------------

    def _styled(self, value: str, unit: str) -> tuple[forms.BoundField, forms.BoundField]:
        """A value and its unit, drawn by hand as one Bootstrap input group (crispy draws the other fields)."""
        for name, css in ((value, "form-control"), (unit, "form-select flex-grow-0 w-auto")):
            attrs = self.fields[name].widget.attrs
            attrs["class"] = css
            if self.errors.get(name):
                attrs["class"] += " is-invalid"
                attrs["aria-invalid"] = "true"
                attrs["aria-describedby"] = f"id_{name}_error"
        return self[value], self[unit]

    def lab_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [self._styled(f"{key}_value", f"{key}_unit") for key in LAB_KEYS]

    def immunosuppressant_rows(self) -> list[tuple[forms.BoundField, ...]]:
        return [
            (
                self[f"immuno{slot}_drug"],
                *self._styled(f"immuno{slot}_trough", f"immuno{slot}_trough_unit"),
                self[f"immuno{slot}_route"],
            )
            for slot in IMMUNOSUPPRESSANT_SLOTS
        ]

    def medication_groups(self) -> list[tuple[forms.BoundField, list[tuple[str, forms.BoundField]]]]:
        """Each group's checkboxes, and for the causes the days field of each drug."""
        groups = []
        for group in MEDICATION_GROUPS:
            days = [(med, self[f"days_{med}"]) for med in MEDICATION_GROUPS[group] if med in MEDICATIONS_WITH_DAYS]
            groups.append((self[f"medications_{group}"], days))
        return groups

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for key in LAB_KEYS:
            if cleaned.get(f"{key}_value") is not None and not cleaned.get(f"{key}_unit"):
                self.add_error(f"{key}_unit", "Choose the unit of this value.")
        for slot in IMMUNOSUPPRESSANT_SLOTS:
            if cleaned.get(f"immuno{slot}_trough") is not None:
                if not cleaned.get(f"immuno{slot}_drug"):
                    self.add_error(f"immuno{slot}_drug", "Choose the drug this trough level belongs to.")
                if not cleaned.get(f"immuno{slot}_trough_unit"):
                    self.add_error(f"immuno{slot}_trough_unit", "Choose the unit of the trough level.")
        drugs = [cleaned.get(f"immuno{slot}_drug") for slot in IMMUNOSUPPRESSANT_SLOTS]
        if drugs[0] and drugs[0] == drugs[1]:
            self.add_error("immuno2_drug", "This drug is already the first immunosuppressant.")
        chosen = set(cleaned.get("medications_causes") or ())  # MEDICATIONS_WITH_DAYS are the causes
        for med in MEDICATIONS_WITH_DAYS:
            if cleaned.get(f"days_{med}") is not None and med not in chosen:
                self.add_error(f"days_{med}", "Tick the drug as well, or clear the days.")
        # Kept with the cleaned data, so that an engine error lands on its field whatever was called first.
        self.contract_input, self.input_paths = form_to_input(cleaned)
        return cleaned

    def to_input(self) -> dict[str, Any]:
        """The contract input of a valid form (made by clean())."""
        return self.contract_input

    def attach_engine_errors(self, errors: list[dict[str, str]]) -> None:
        """Show each engine error on the field it concerns; what cannot be placed goes above the form."""
        for error in errors:
            name = field_for_path(error["field"], self.input_paths)
            if name is not None and name in self.fields:
                self.add_error(name, error["message"])
            else:
                self.add_error(None, f"{error['field']}: {error['message']}")

    def label_for(self, path: str) -> str:
        """The label of the field that shows a contract path (for the result's 'missing' list); for a path no field
        shows, labels.py's words."""
        name = field_for_path(path, self.input_paths)
        return str(self.fields[name].label) if name in self.fields else field_label(path)


# --- Saving to a patient record (staff with patient records) ----------------------------------------------------

# A sample this long before day 0 belongs to another admission; a typing slip in the date is likelier.
SAMPLE_BEFORE_TRANSPLANT_LIMIT = dt.timedelta(days=30)
# Clocks of ward PCs drift: a sample a few minutes "in the future" is a clock, not a mistake.
CLOCK_SKEW = dt.timedelta(minutes=5)


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
    # One record per press of Save (a double click, a resent form): the page's token travels with every re-render.
    token = forms.UUIDField(required=False, widget=forms.HiddenInput, initial=uuid.uuid4)
    # When the typed transplant type or day disagrees with the record, the record as it was shown ("type|day 0
    # date"): the choice made against it ("save-resolve", a button of the disagreement panel) holds only for it.
    record_seen = forms.CharField(required=False, widget=forms.HiddenInput, max_length=60)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "save")
        super().__init__(*args, **kwargs)
        # The rows of `Patient.disagreements` when a save was refused for them (records/views.assessment_save), and
        # that patient.
        self.disagreement: list[dict[str, Any]] = []
        self.disagreement_patient: Patient | None = None
        self.fields["patient"].label_from_instance = lambda p: f"{p.label} ({p.hospital_id}, {p.ward})"
        for name, field in self.fields.items():
            # The panel sits in the result, outside the <form> element: the attribute makes the fields part of it.
            field.widget.attrs["form"] = "assessment-form"
            if name in ("patient", "sample_time"):
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
        form.initial["token"] = form.initial["token"] or uuid.uuid4()
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
        # Counted as a difference, not by subtracting from the date: a stored transplant date of year 1 must not
        # overflow (issue 15).
        elif patient and (patient.transplant_date - timezone.localdate(sample_time)) > SAMPLE_BEFORE_TRANSPLANT_LIMIT:
            self.add_error(
                "sample_time",
                f"The sample is more than 30 days before this patient's transplant ({patient.transplant_date}):"
                " check the date.",
            )
        return cleaned
