"""The bedside assessment form: one flat field per value, in bedside order, each with its own label.

The form only checks what a browser can get wrong (a word where a number belongs, a value without its unit); the
clinical ranges are the engine's (`assessments.clinical.parse`), and its errors are attached to these fields by
`attach_engine_errors`. `form_mapping` turns the cleaned data into the contract input.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings

from assessments.bedside.form_mapping import (
    IMMUNOSUPPRESSANT_SLOTS,
    LAB_KEYS,
    MEDICATION_GROUPS,
    MEDICATIONS_WITH_DAYS,
    field_for_path,
    form_to_input,
)

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
UNIT_LABELS = {"umol/L": "µmol/L", "ug/L": "µg/L"}

LAB_LABELS = {
    "magnesium": "Serum magnesium",
    "magnesium_lln": "Lab's lower limit of normal for magnesium",
    "potassium": "Potassium",
    "calcium_total": "Total calcium",
    "calcium_ionized": "Ionized calcium",
    "albumin": "Albumin",
    "phosphate": "Phosphate",
    "creatinine": "Serum creatinine",
    "urine_magnesium": "Urine magnesium (spot)",
    "urine_creatinine": "Urine creatinine (spot)",
}

MEDICATION_LABELS = {
    "amphotericin_b_conventional": "Amphotericin B, conventional",
    "amphotericin_b_liposomal": "Amphotericin B, liposomal",
    "aminoglycoside": "Aminoglycoside (gentamicin, tobramycin, amikacin)",
    "foscarnet": "Foscarnet",
    "pentamidine": "Pentamidine",
    "cidofovir": "Cidofovir",
    "loop_diuretic": "Loop diuretic (furosemide, bumetanide)",
    "thiazide_diuretic": "Thiazide diuretic",
    "proton_pump_inhibitor": "Proton pump inhibitor (PPI)",
    "platinum_chemotherapy": "Platinum chemotherapy (cisplatin, carboplatin)",
    "ifosfamide": "Ifosfamide",
    "egfr_antibody": "EGFR antibody (cetuximab, panitumumab)",
    "insulin_infusion": "Insulin infusion",
    "beta_agonist": "Beta-agonist (e.g. salbutamol)",
    "theophylline": "Theophylline",
    "fluoroquinolone": "Fluoroquinolone (ciprofloxacin, levofloxacin; also prolongs QT)",
    "tetracycline": "Tetracycline (doxycycline, minocycline)",
    "bisphosphonate_oral": "Oral bisphosphonate",
    "eltrombopag": "Eltrombopag",
    "levothyroxine": "Levothyroxine",
    "integrase_inhibitor": "HIV integrase inhibitor (dolutegravir, raltegravir)",
    "mycophenolate": "Mycophenolate",
    "iron_oral": "Oral iron",
    "gabapentin": "Gabapentin",
    "azole_antifungal": "Azole antifungal (posaconazole, voriconazole, fluconazole)",
    "ondansetron": "Ondansetron (or another 5-HT3 antagonist)",
    "macrolide": "Macrolide (azithromycin, clarithromycin)",
    "methadone": "Methadone",
    "arsenic_trioxide": "Arsenic trioxide",
    "neuromuscular_blocker": "Neuromuscular blocker",
    "digoxin": "Digoxin",
    "calcium_channel_blocker": "Calcium channel blocker",
    "amiloride": "Amiloride",
}
MEDICATION_GROUP_LABELS = {
    "causes": "Drugs that lower magnesium",
    "oral_interactions": "Drugs that interact with oral magnesium",
    "qt": "QT-prolonging drugs",
    "iv_cautions": "Drugs that need caution with IV magnesium",
    "other": "Other",
}

CONDITIONS = (
    ("refeeding_risk", "Refeeding risk"),
    ("citrate_exposure", "Citrate exposure (apheresis, transfusions)"),
    ("hyperglycemia", "Hyperglycemia"),
    ("alcohol_use", "Alcohol use"),
    ("polyuric_recovery", "Polyuric recovery from acute kidney injury"),
    ("dialysis", "Dialysis"),
    ("heart_block", "Heart block"),
    ("aki", "Acute kidney injury (creatinine ≥ 1.5 × baseline or rising)"),
    ("oliguria", "Oliguria (urine < 0.5 mL/kg/h for 6 h or more)"),
)
SYMPTOMS = (
    ("seizure", "Seizure"),
    ("tetany", "Tetany"),
    ("torsades", "Torsades de pointes"),
    ("ventricular_arrhythmia", "Ventricular arrhythmia"),
    ("muscle_cramps", "Muscle cramps"),
    ("tremor", "Tremor"),
    ("paresthesia", "Paresthesia"),
    ("weakness", "Weakness"),
    ("fatigue", "Fatigue"),
    ("palpitations", "Palpitations"),
    ("nystagmus", "Nystagmus"),
    ("confusion", "Confusion"),
)
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
    return forms.ChoiceField(label=label, required=False, choices=[(u, UNIT_LABELS.get(u, u)) for u in units])


class AssessmentForm(forms.Form):
    # --- Patient and transplant ----------------------------------------------------------------------------------
    age_years = _number("Age (years)", required=True, help_text="For a child under 1 year, e.g. 0.5.")
    sex = forms.ChoiceField(label="Sex", required=False, choices=[BLANK, ("female", "Female"), ("male", "Male")])
    weight_kg = _number("Weight (kg)", help_text="Needed for children's doses and for creatinine clearance.")
    height_cm = _number("Height (cm)", help_text="Needed for a child's eGFR.")
    transplant_type = forms.ChoiceField(
        label="Transplant type",
        choices=[("", "Choose…"), ("allogeneic", "Allogeneic"), ("autologous", "Autologous")],
    )
    # Loose bounds keep absurd integers (hundreds of digits) away from float arithmetic; the clinical range and its
    # message are the engine's.
    transplant_day = forms.IntegerField(
        label="Day after transplant",
        help_text="Day 0 is the day of the transplant; before it, negative.",
        min_value=-INTEGER_BOUND,
        max_value=INTEGER_BOUND,
    )
    setting = forms.ChoiceField(
        label="Setting",
        required=False,
        initial="inpatient",
        choices=[("inpatient", "Inpatient"), ("outpatient", "Outpatient")],
    )

    # --- Labs ----------------------------------------------------------------------------------------------------
    # Added in __init__: <lab>_value and <lab>_unit for every LAB_KEYS entry.

    # --- GI and nutrition ----------------------------------------------------------------------------------------
    diarrhea_ml_per_day = _number("Diarrhea (mL/day)")
    lower_gi_gvhd_stage = forms.TypedChoiceField(
        label="Lower-GI GVHD stage (0-4)", required=False, choices=GRADES, coerce=int, empty_value=None
    )
    vomiting = forms.BooleanField(label="Vomiting", required=False)
    mucositis_grade = forms.TypedChoiceField(
        label="Oral mucositis grade (0-4)", required=False, choices=GRADES, coerce=int, empty_value=None
    )
    high_output_stoma = forms.BooleanField(label="High-output stoma", required=False)
    oral_intake = forms.ChoiceField(
        label="Oral intake",
        required=False,
        choices=[BLANK, ("normal", "Normal"), ("reduced", "Reduced"), ("nil", "Nil by mouth")],
    )
    parenteral_nutrition = forms.BooleanField(label="Parenteral nutrition", required=False)
    pn_mg_mmol_per_kg_day = _number("Magnesium in parenteral nutrition (mmol/kg/day)")

    # --- Conditions, symptoms, ECG, current therapy --------------------------------------------------------------
    conditions = forms.MultipleChoiceField(
        label="Conditions", required=False, choices=CONDITIONS, widget=forms.CheckboxSelectMultiple
    )
    symptoms = forms.MultipleChoiceField(
        label="Symptoms", required=False, choices=SYMPTOMS, widget=forms.CheckboxSelectMultiple
    )
    qtc_ms = _number("QTc (ms)", step="1")
    oral_current = forms.BooleanField(label="Taking oral magnesium now", required=False)
    iv_magnesium_last_24h = forms.BooleanField(label="IV magnesium given in the last 24 h", required=False)

    def __init__(self, *args: Any, default_units: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = DEFAULT_UNITS[default_units or settings.HYPOMAG_DEFAULT_UNITS]
        for slot in IMMUNOSUPPRESSANT_SLOTS:
            which = "Immunosuppressant" if slot == 1 else "Second immunosuppressant"
            self.fields[f"immuno{slot}_drug"] = forms.ChoiceField(
                label=which,
                required=False,
                choices=[
                    ("", "None"),
                    ("tacrolimus", "Tacrolimus"),
                    ("cyclosporine", "Cyclosporine"),
                    ("sirolimus", "Sirolimus"),
                    ("everolimus", "Everolimus"),
                ],
            )
            self.fields[f"immuno{slot}_trough"] = _number(f"{which}: trough level")
            self.fields[f"immuno{slot}_trough_unit"] = _units(f"{which}: trough unit", ("ng/mL", "ug/L"))
            self.fields[f"immuno{slot}_route"] = forms.ChoiceField(
                label=f"{which}: route", required=False, choices=[BLANK, ("oral", "Oral"), ("iv", "IV")]
            )
        for key in LAB_KEYS:
            self.fields[f"{key}_value"] = _number(LAB_LABELS[key], required=key == "magnesium")
            self.fields[f"{key}_unit"] = _units(f"{LAB_LABELS[key]}: unit", LAB_UNITS[key])
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
        return cleaned

    def to_input(self) -> dict[str, Any]:
        """The contract input for the cleaned data; remembers which field each list item came from."""
        data, self.input_paths = form_to_input(self.cleaned_data)
        return data

    def attach_engine_errors(self, errors: list[dict[str, str]]) -> None:
        """Show each engine error on the field it concerns; what cannot be placed goes above the form."""
        for error in errors:
            name = field_for_path(error["field"], self.input_paths)
            if name is not None and name in self.fields:
                self.add_error(name, error["message"])
            else:
                self.add_error(None, f"{error['field']}: {error['message']}")

    def label_for(self, path: str) -> str:
        """The label a clinician knows for a contract path (for the result's 'missing' list)."""
        name = field_for_path(path, getattr(self, "input_paths", {}))
        return str(self.fields[name].label) if name in self.fields else path
