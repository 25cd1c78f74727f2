"""The bedside assessment form: serum Mg first, then the patient, then the rest in sections that open on demand.

The form only checks what a browser can get wrong (a word where a number belongs, a value without its unit); the
clinical ranges are the engine's (`assessments.clinical.parse`), and its errors are attached to these fields by
`attach_engine_errors`. `form_mapping` turns the cleaned data into the contract input.

Numbers are typed into text fields and read by `assessments.numbers`, never by the browser. What was typed is
shown back as typed.

The fields are built once, with the class (issue 16: building 90 fields for every keystroke's live update was a
quarter of its time). Every instance shares them (`SharedFields`), so nothing may change a field or its widget per
instance: the units a site offers first are the form's `initial`, errors live on the bound fields, and the
templates draw the invalid state from the errors (Django sets `aria-invalid` and `aria-describedby` itself).
"""

from __future__ import annotations

import datetime as dt
import math
import uuid
from dataclasses import dataclass
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from assessments.bedside.form_mapping import (
    IMMUNOSUPPRESSANT_SLOTS,
    LAB_KEYS,
    MAGNESIUM_AGE_FIELD,
    MEDICATION_GROUPS,
    MEDICATIONS_WITH_DAYS,
    SCALAR_FIELDS,
    field_for_path,
    form_to_input,
)
from assessments.clinical.inputs import Condition, Drug, DrugRoute, OralIntake, Symptom
from assessments.clinical.parse import SAMPLE_AGE_RANGE_HOURS
from assessments.clinical.units import fmt
from assessments.labels import (
    CONDITION_LABELS,
    DRUG_ROUTE_LABELS,
    FIELD_LABELS,
    IMMUNOSUPPRESSANT_LABELS,
    LAB_LABELS,
    MEDICATION_LABELS,
    MEDICATION_SEARCH_TERMS,
    ORAL_INTAKE_LABELS,
    SETTING_LABELS,
    SEX_LABELS,
    SYMPTOM_LABELS,
    TRANSPLANT_TYPE_LABELS,
    UNIT_LABELS,
    field_label,
)
from assessments.models import Patient
from assessments.numbers import NumberField

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
    "immuno": "Other immunosuppressants",
    "antifungal_antiviral": "Antifungals and antivirals",
    "antibiotic": "Antibiotics and pentamidine",
    "diuretic": "Diuretics",
    "cancer": "Cancer treatment",
    "heart_anesthesia": "Heart and anesthesia",
    "gut_pain": "Stomach, nausea and pain",
    "other": "Insulin, hormones, lungs and others",
}

# Offered in the order of the engine's enums: only what this rule set accepts, each named by labels.py.
CONDITIONS = tuple((c.value, CONDITION_LABELS[c.value]) for c in Condition)
SYMPTOMS = tuple((s.value, SYMPTOM_LABELS[s.value]) for s in Symptom)
INTEGER_BOUND = 1_000_000
GRADES = (BLANK, *((str(n), str(n)) for n in range(5)))


# --- Numbers as typed (read by `assessments.numbers`) ---------------------------------------------------------


class WholeNumberField(NumberField):
    """A whole number (days), read as `parse_number` reads it; 10.0 is 10, 10.5 is refused."""

    def __init__(self, *, minimum: int, maximum: int = INTEGER_BOUND, unit: str = "days", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.minimum, self.maximum, self.unit = minimum, maximum, unit

    def to_python(self, value: Any) -> int | None:  # type: ignore[override]
        number = super().to_python(value)
        if number is None:
            return None
        if not number.is_integer():
            raise ValidationError(f"Type a whole number of {self.unit}, e.g. 10.")
        if not self.minimum <= number <= self.maximum:
            raise ValidationError(f"Type a number of {self.unit} from {self.minimum} to {self.maximum}.")
        return int(number)


def _number(label: str, *, required: bool = False, help_text: str = "") -> NumberField:
    return NumberField(label=label, required=required, help_text=help_text, error_messages=_required(label))


def _required(label: str, verb: str = "enter") -> dict[str, str]:
    """What to do when a required value is missing, in the field's own words."""
    return {"required": f"Required: {verb} the {label[0].lower()}{label[1:]}."}


def _select(label: str, choices: Any, *, required: bool = False, css: str = "form-select") -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        required=required,
        choices=choices,
        widget=forms.Select({"class": css}),
        error_messages=_required(label, "choose"),
    )


def _units(label: str, units: tuple[str, ...]) -> forms.ChoiceField:
    return _select(label, [(u, UNIT_LABELS[u]) for u in units], css="form-select unit-select")


def _box(label: str) -> forms.BooleanField:
    return forms.BooleanField(label=label, required=False, widget=forms.CheckboxInput({"class": "form-check-input"}))


def _grade(label: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        required=False,
        choices=GRADES,
        coerce=int,
        empty_value=None,
        widget=forms.Select({"class": "form-select"}),
    )


def _slot_label(path: str, slot: int) -> str:
    """Slot n is the contract's immunosuppressants.(n-1): the labels number them alike."""
    return field_label(path.replace("N", str(slot - 1)))


def _generated_fields() -> dict[str, forms.Field]:
    """The fields that repeat a pattern: immunosuppressant slots, labs, drug groups and drug days."""
    fields: dict[str, forms.Field] = {}
    for slot in IMMUNOSUPPRESSANT_SLOTS:
        drugs = [("", "None"), *((d.value, IMMUNOSUPPRESSANT_LABELS[d.value]) for d in Drug)]
        fields[f"immuno{slot}_drug"] = _select(_slot_label("immunosuppressants.N", slot), drugs)
        fields[f"immuno{slot}_trough"] = _number(_slot_label("immunosuppressants.N.trough.value", slot))
        fields[f"immuno{slot}_trough_unit"] = _units(
            _slot_label("immunosuppressants.N.trough.unit", slot), ("ng/mL", "ug/L")
        )
        routes = [BLANK, *((r.value, DRUG_ROUTE_LABELS[r.value]) for r in DrugRoute)]
        fields[f"immuno{slot}_route"] = _select(_slot_label("immunosuppressants.N.route", slot), routes)
    for key in LAB_KEYS:
        fields[f"{key}_value"] = _number(LAB_LABELS[key], required=key == "magnesium")
        fields[f"{key}_unit"] = _units(FIELD_LABELS[f"labs.{key}.unit"], LAB_UNITS[key])
    fields["magnesium_lln_value"].help_text = "Leave empty to use 0.70 mmol/L."
    for group, meds in MEDICATION_GROUPS.items():
        fields[f"medications_{group}"] = forms.MultipleChoiceField(
            label=MEDICATION_GROUP_LABELS[group],
            required=False,
            choices=[(med, MEDICATION_LABELS[med]) for med in meds],
            widget=forms.CheckboxSelectMultiple,
        )
    for med in MEDICATIONS_WITH_DAYS:
        fields[f"days_{med}"] = WholeNumberField(
            label=f"{MEDICATION_LABELS[med]}: days taken", minimum=0, required=False
        )
    return fields


class SharedFields(dict):
    """`base_fields` that every form instance shares instead of deep-copying (Django copies them per instance so
    that an instance may change its fields; this form never does, and the copy of 90 fields cost more than the
    validation). A test renders forms with and without errors and checks that no field or widget changed."""

    def __deepcopy__(self, memo: dict) -> dict:
        return dict(self)


@dataclass(frozen=True)
class Section:
    """A disclosure of the form: its heading, its fields, and the conditions (of the one `conditions` field) shown
    in it. Conditions are placed where a clinician thinks of them: heart block with the ECG, AKI with the kidneys."""

    key: str
    title: str
    fields: tuple[str, ...]
    conditions: tuple[str, ...] = ()


# What a count never includes: a unit always has a value, so it says nothing about what was entered.
def _counted(name: str) -> bool:
    return not name.endswith("_unit")


SECTIONS = (
    Section("symptoms", "Symptoms and ECG", ("symptoms", "qtc_ms"), ("heart_block", "first_degree_av_block")),
    Section(
        "labs",
        "Kidneys and other labs",
        tuple(f"{key}_{part}" for key in LAB_KEYS[1:] for part in ("value", "unit")),
        ("aki", "oliguria", "dialysis", "polyuric_recovery"),
    ),
    Section(
        "immuno",
        "Immunosuppression",
        (
            *(
                f"immuno{slot}_{part}"
                for slot in IMMUNOSUPPRESSANT_SLOTS
                for part in ("drug", "trough", "trough_unit", "route")
            ),
            "medications_immuno",
        ),
    ),
    Section(
        "drugs",
        "Other drugs",
        (
            *(f"medications_{group}" for group in MEDICATION_GROUPS if group != "immuno"),
            *(f"days_{m}" for m in MEDICATIONS_WITH_DAYS),
        ),
    ),
    Section(
        "gi",
        "GI and nutrition",
        (
            "diarrhea_ml_per_day",
            "lower_gi_gvhd_stage",
            "mucositis_grade",
            "vomiting",
            "high_output_stoma",
            "oral_intake",
            "parenteral_nutrition",
            "pn_mg_mmol_per_kg_day",
        ),
        ("refeeding_risk",),
    ),
    Section("other", "Other conditions", (), ("citrate_exposure", "hyperglycemia", "alcohol_use")),
)
# The first screen: what every assessment needs, the Mg result first.
ESSENTIAL_FIELDS = (
    "magnesium_value",
    "magnesium_unit",
    MAGNESIUM_AGE_FIELD,
    "iv_magnesium_last_24h",
    "oral_current",
    "age_years",
    "transplant_type",
    "transplant_day",
    "sex",
    "weight_kg",
    "height_cm",
    "setting",
)


# Where each field is on the page, top to bottom: errors are listed in this order.
PAGE_ORDER = {
    name: index
    for index, name in enumerate([*ESSENTIAL_FIELDS, *(n for s in SECTIONS for n in (*s.fields, "conditions"))])
}


@dataclass(frozen=True)
class Option:
    """One checkbox of a multiple choice, drawn by the template."""

    name: str
    value: str
    label: str
    id: str
    checked: bool
    terms: str = ""


class AssessmentForm(forms.Form):
    use_required_attribute = False  # the page says which fields are required; the server checks them

    # --- Serum magnesium --------------------------------------------------------------------------------------------
    # magnesium_value and magnesium_unit come with the other labs (_generated_fields).
    magnesium_age_hours = _number(
        "Hours since the Mg sample", help_text="Optional; a result older than 24 h is flagged."
    )
    iv_magnesium_last_24h = _box(LABEL["iv_magnesium_last_24h"])
    oral_current = _box(LABEL["oral_current"])

    # --- Patient and transplant ----------------------------------------------------------------------------------
    age_years = _number(LABEL["age_years"], required=True, help_text="Under 1 year: e.g. 0.5.")
    sex = _select(LABEL["sex"], [BLANK, *SEX_LABELS.items()])
    weight_kg = _number(LABEL["weight_kg"], help_text="Needed for a child's dose and for creatinine clearance.")
    height_cm = _number(LABEL["height_cm"], help_text="Needed for a child's eGFR.")
    transplant_type = _select(
        LABEL["transplant_type"], [("", "Choose…"), *TRANSPLANT_TYPE_LABELS.items()], required=True
    )
    # Loose bounds keep absurd integers away from the engine; the clinical range and its message are the engine's.
    transplant_day = WholeNumberField(
        label=LABEL["transplant_day"],
        error_messages=_required(LABEL["transplant_day"]),
        help_text="Day 0 is the day of the transplant; before it, negative.",
        minimum=-INTEGER_BOUND,
        unit="days",
    )
    setting = _select(LABEL["setting"], list(SETTING_LABELS.items()))

    # --- GI and nutrition ----------------------------------------------------------------------------------------
    diarrhea_ml_per_day = _number(LABEL["diarrhea_ml_per_day"])
    lower_gi_gvhd_stage = _grade(LABEL["lower_gi_gvhd_stage"])
    vomiting = _box(LABEL["vomiting"])
    mucositis_grade = _grade(LABEL["mucositis_grade"])
    high_output_stoma = _box(LABEL["high_output_stoma"])
    oral_intake = _select(LABEL["oral_intake"], [BLANK, *((i.value, ORAL_INTAKE_LABELS[i.value]) for i in OralIntake)])
    parenteral_nutrition = _box(LABEL["parenteral_nutrition"])
    pn_mg_mmol_per_kg_day = _number(LABEL["pn_mg_mmol_per_kg_day"])

    # --- Conditions, symptoms, ECG -------------------------------------------------------------------------------
    conditions = forms.MultipleChoiceField(
        label=LABEL["conditions"], required=False, choices=CONDITIONS, widget=forms.CheckboxSelectMultiple
    )
    symptoms = forms.MultipleChoiceField(
        label=LABEL["symptoms"], required=False, choices=SYMPTOMS, widget=forms.CheckboxSelectMultiple
    )
    qtc_ms = _number(LABEL["qtc_ms"])

    def __init__(self, *args: Any, default_units: str | None = None, **kwargs: Any) -> None:
        # The units offered first (the site's convention, and its laboratory's Mg unit) are this instance's initial
        # values: the shared fields are never changed.
        self.site_magnesium_unit: str | None = settings.HYPOMAG_SITE_MG_UNIT
        units = {
            f"{key}_unit": unit for key, unit in DEFAULT_UNITS[default_units or settings.HYPOMAG_DEFAULT_UNITS].items()
        }
        if self.site_magnesium_unit:
            units["magnesium_unit"] = units["magnesium_lln_unit"] = self.site_magnesium_unit
        kwargs["initial"] = {**units, "setting": "inpatient", **(kwargs.get("initial") or {})}
        super().__init__(*args, **kwargs)
        # Set by clean(): the contract input, and which form field each list item of it came from.
        self.contract_input: dict[str, Any] = {}
        self.input_paths: dict[str, str] = {}

    # --- For the template (bedside order) ------------------------------------------------------------------------

    def essentials(self) -> dict[str, forms.BoundField]:
        return {name: self[name] for name in ESSENTIAL_FIELDS}

    def magnesium_unit_differs(self) -> bool:
        """The Mg unit chosen is not the site laboratory's (only when the setting names one)."""
        return bool(self.site_magnesium_unit) and self["magnesium_unit"].value() != self.site_magnesium_unit

    def options(self, name: str, values: tuple[str, ...] | None = None) -> list[Option]:
        """The checkboxes of a multiple-choice field (or of some of its values), ticked as entered."""
        field = self.fields[name]
        chosen = self[name].value() or ()
        chosen = {chosen} if isinstance(chosen, str) else set(chosen)
        return [
            Option(name, value, label, f"id_{name}_{value}", value in chosen, MEDICATION_SEARCH_TERMS.get(value, ""))
            for value, label in field.choices
            if values is None or value in values
        ]

    # The checkboxes of the page, for the template (which cannot pass arguments).
    def symptom_options(self) -> list[Option]:
        return self.options("symptoms")

    def immuno_options(self) -> list[Option]:
        return self.options("medications_immuno")

    def _conditions(self, key: str) -> list[Option]:
        return self.options("conditions", next(s.conditions for s in SECTIONS if s.key == key))

    def ecg_conditions(self) -> list[Option]:
        return self._conditions("symptoms")

    def kidney_conditions(self) -> list[Option]:
        return self._conditions("labs")

    def nutrition_conditions(self) -> list[Option]:
        return self._conditions("gi")

    def other_conditions(self) -> list[Option]:
        return self._conditions("other")

    def error_links(self) -> list[tuple[str, str, str]]:
        """(label, the id to jump to, message) for each field error: a list of boxes jumps to its first box."""
        links = []
        for name, errors in sorted(self.errors.items(), key=lambda item: PAGE_ORDER.get(item[0], len(PAGE_ORDER))):
            if name == "__all__":
                continue
            field = self.fields[name]
            target = f"id_{name}"
            if isinstance(field.widget, forms.CheckboxSelectMultiple):
                target = f"id_{name}_{field.choices[0][0]}"
            links.extend((str(field.label), target, str(error)) for error in errors)
        return links

    def error_slots(self) -> list[tuple[str, str]]:
        """(the id of the field's message slot, its messages) for each field with an error that has a slot (a list of
        boxes has none: the result's list links to it)."""
        return [
            (f"id_{name}_error", " ".join(str(error) for error in errors))
            for name, errors in self.errors.items()
            if name != "__all__" and not isinstance(self.fields[name].widget, forms.CheckboxSelectMultiple)
        ]

    def _entered(self, name: str, values: tuple[str, ...] = ()) -> int:
        value = self[name].value()
        if isinstance(value, list | tuple):
            return len([v for v in value if not values or v in values])
        if isinstance(value, bool):
            return int(value)
        return int(value is not None and str(value).strip() != "")

    def sections(self) -> list[dict[str, Any]]:
        """Each disclosure with how many values it holds, and open when one of its fields has an error."""
        found = []
        errors = self.errors if self.is_bound else {}
        for section in SECTIONS:
            names = [name for name in section.fields if _counted(name)]
            count = sum(self._entered(name) for name in names)
            if section.conditions:
                count += self._entered("conditions", section.conditions)
            invalid = any(name in errors for name in section.fields)
            found.append({"section": section, "count": count, "open": invalid})
        return found

    def lab_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"{key}_value"], self[f"{key}_unit"]) for key in LAB_KEYS[1:]]

    def immunosuppressant_rows(self) -> list[tuple[forms.BoundField, ...]]:
        return [
            tuple(self[f"immuno{slot}_{part}"] for part in ("drug", "trough", "trough_unit", "route"))
            for slot in IMMUNOSUPPRESSANT_SLOTS
        ]

    def medication_groups(self) -> list[dict[str, Any]]:
        """The drug groups (not the immunosuppressants'), each with its ticked count and each cause drug's days."""
        groups = []
        for group in MEDICATION_GROUPS:
            if group == "immuno":
                continue
            name = f"medications_{group}"
            options = self.options(name)
            days = {med: self[f"days_{med}"] for med in MEDICATION_GROUPS[group] if med in MEDICATIONS_WITH_DAYS}
            rows = [(option, days.get(option.value)) for option in options]
            groups.append(
                {
                    "field": self[name],
                    "rows": rows,
                    "count": sum(option.checked for option in options),
                    "open": bool(
                        self.is_bound and (self.errors.get(name) or any(self.errors.get(d.name) for d in days.values()))
                    ),
                }
            )
        return groups

    # --- Checks --------------------------------------------------------------------------------------------------

    def _clean_fields(self) -> None:
        """Django's own loop, reading each widget's value directly instead of through a BoundField per field: the
        same values and errors (no field is disabled, no clean_<field> method exists), at half the cost, on the
        path every keystroke's live update takes (issue 16)."""
        data, files = self.data, self.files
        for name, field in self.fields.items():
            try:
                self.cleaned_data[name] = field.clean(
                    field.widget.value_from_datadict(data, files, self.add_prefix(name))
                )
            except ValidationError as error:
                self.add_error(name, error)

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
        chosen = {med for group in MEDICATION_GROUPS for med in cleaned.get(f"medications_{group}") or ()}
        for med in MEDICATIONS_WITH_DAYS:
            if cleaned.get(f"days_{med}") is not None and med not in chosen:
                self.add_error(f"days_{med}", "Tick the drug as well, or clear the days.")
        # Kept with the cleaned data, so that an engine error lands on its field whatever was called first.
        self.contract_input, self.input_paths = form_to_input(cleaned, site_magnesium_unit=self.site_magnesium_unit)
        return cleaned

    def to_input(self) -> dict[str, Any]:
        """The contract input of a valid form (made by clean())."""
        return self.contract_input

    def attach_engine_errors(self, errors: list[dict[str, str]], *, besides_own: bool = False) -> None:
        """Show each engine error on the field it concerns; what cannot be placed goes above the form, in words.

        `besides_own`: the form has errors of its own and the engine saw only the fields that could be read. Its
        errors then go only on fields without an error: what it says of a field left out ("is required", a section
        missing because its one field could not be read) is not news."""
        for error in errors:
            name = field_for_path(error["field"], self.input_paths)
            if besides_own:
                if name is not None and name in self.fields and name not in self.errors:
                    self.add_error(name, error["message"])
            elif name is not None and name in self.fields:
                self.add_error(name, error["message"])
            else:
                self.add_error(None, f"{field_label(error['field'])}: {error['message']}")

    def label_for(self, path: str) -> str:
        """The label of the field that shows a contract path (for the result's 'missing' list); for a path no field
        shows, labels.py's words."""
        name = field_for_path(path, self.input_paths)
        return str(self.fields[name].label) if name in self.fields else field_label(path)


# Declared fields first (the class body), then the generated ones, in one shared dict built once per process.
AssessmentForm.base_fields = SharedFields({**AssessmentForm.base_fields, **_generated_fields()})


# --- Saving to a patient record (staff with patient records) ----------------------------------------------------

# A sample this long before day 0 belongs to another admission; a typing slip in the date is likelier.
SAMPLE_BEFORE_TRANSPLANT_LIMIT = dt.timedelta(days=30)
# Clocks of ward PCs drift: a sample a few minutes "in the future" is a clock, not a mistake.
CLOCK_SKEW = dt.timedelta(minutes=5)


class LocalDateTimeField(forms.DateTimeField):
    """A `datetime-local` input: the browser sends 2026-11-25T08:30, read in the hospital's time zone."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]


# The oldest sample the contract accepts (labs.magnesium.age_hours, PROTOCOL.md section 2).
OLDEST_SAMPLE = dt.timedelta(hours=SAMPLE_AGE_RANGE_HOURS[1])
# The hours since the sample and the sample time are one fact entered twice (PROTOCOL.md section 2.2): more than this
# apart, they disagree. Not a clinical number: the rounding of an hours figure typed from a clock time.
SAMPLE_AGE_TOLERANCE = dt.timedelta(hours=1)


def sample_age_from_time(form: AssessmentForm, raw_sample_time: str, now: dt.datetime) -> None:
    """Tie the Save panel's sample time to the form's hours since the sample, so that the result (stale result,
    section 2.2) and the saved record count from the same moment: hours left empty are taken from the sample time
    (in the input the engine assesses, and so in what is saved); hours that disagree with it are an error at the
    hours field. A sample time that is empty, unreadable or in the future is left to the Save panel."""
    if not raw_sample_time or not form.is_valid():
        return
    try:
        sample_time = LocalDateTimeField().clean(raw_sample_time)
    except ValidationError:
        return
    if sample_time is None or sample_time > now + CLOCK_SKEW:
        return
    since = max(now - sample_time, dt.timedelta(0))
    if since > OLDEST_SAMPLE:
        return  # refused at the sample time by the Save panel, not blamed on the empty hours field
    magnesium = form.contract_input["labs"]["magnesium"]
    typed = magnesium.get("age_hours")
    if typed is None:
        # Rounded up to 0.1 h, as the FHIR importer does, so that a result never looks younger than it is (HAZ10).
        magnesium["age_hours"] = math.ceil(since / dt.timedelta(hours=1) * 10) / 10
    elif abs(dt.timedelta(hours=typed) - since) > SAMPLE_AGE_TOLERANCE:
        at = timezone.localtime(sample_time)
        form.add_error(
            "magnesium_age_hours",
            f"{fmt(typed, 1)} h since the sample disagrees with the sample time {at:%Y-%m-%d %H:%M}"
            f" ({fmt(since / dt.timedelta(hours=1), 1)} h ago): correct one of them, or clear the hours.",
        )


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
        help_text=(
            "When the blood was drawn; the day after transplant is counted from it."
            " Empty: the hours since the sample, if given, else now."
        ),
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
                # A live update sent before this field was changed (the Mg field's change event fires as the
                # sample time is clicked) must not swap it back to what that request held: htmx keeps the field
                # on the page as it is (hx-preserve, by its id) when it swaps the result around it.
                field.widget.attrs["hx-preserve"] = "true"

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

    @property
    def holds_values(self) -> bool:
        """Something was chosen or typed in the panel (a Save pressed, or a patient or sample time kept): the panel
        then stays on screen while the bedside form has an error, so that none of it disappears (a tester's patient
        and sample time vanished with the result when the hours disagreed with the sample time)."""
        return self.is_bound or any(self.initial.get(name) for name in ("patient", "sample_time", "completes"))

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
        elif now - sample_time > OLDEST_SAMPLE:
            self.add_error(
                "sample_time",
                f"The sample is more than {OLDEST_SAMPLE.days} days old: check the date, or assess a new sample.",
            )
        # Counted as a difference, not by subtracting from the date: a stored transplant date of year 1 must not
        # overflow (issue 15).
        elif patient and (patient.transplant_date - timezone.localdate(sample_time)) > SAMPLE_BEFORE_TRANSPLANT_LIMIT:
            self.add_error(
                "sample_time",
                f"The sample is more than 30 days before this patient's transplant ({patient.transplant_date}):"
                " check the date.",
            )
        return cleaned


def typed_transplant(data: Any, now: dt.datetime) -> dict[str, Any]:
    """The transplant type and day 0 that the bedside form says, for a new patient made from its Save panel: the typed
    day counted back from the moment the sample was drawn, as a save counts it (the Save panel's sample time, else
    the hours since the sample, else now), so that saving to the new patient then agrees with its record. Only what
    reads cleanly is given; the person checks both on the new-patient page. Keys: `transplant_type`,
    `transplant_date`, `day`, `at`."""
    fields = AssessmentForm.base_fields

    def read(field: forms.Field, raw: Any) -> Any:
        try:
            return field.clean(raw)
        except ValidationError:
            return None

    found: dict[str, Any] = {}
    kind = read(fields["transplant_type"], data.get("transplant_type", ""))
    if kind:
        found["transplant_type"] = kind
    day = read(fields["transplant_day"], data.get("transplant_day", ""))
    if day is None:
        return found
    at = read(LocalDateTimeField(required=False), data.get("save-sample_time", ""))
    if at is None or at > now + CLOCK_SKEW:
        hours = read(fields[MAGNESIUM_AGE_FIELD], data.get(MAGNESIUM_AGE_FIELD, ""))
        at = now - dt.timedelta(hours=hours) if hours is not None and 0 <= hours <= SAMPLE_AGE_RANGE_HOURS[1] else now
    found.update(day=day, at=at, transplant_date=timezone.localdate(at) - dt.timedelta(days=day))
    return found
