"""The assessment form <-> the contract input JSON (`../shared/contract/README.md`, "Input").

Three plain functions, no Django:

- `form_to_input(cleaned) -> (data, paths)`: the form's cleaned data as contract input, plus which form field each
  list item came from, so that an engine error such as `medications.2.days` lands on the right field;
- `input_to_form(data) -> dict`: contract input as form data (strings and lists), to pre-fill the form from an
  example case;
- `field_for_path(path, paths) -> str | None`: the form field that shows an engine error, or None for a form-level
  error.

The form is flat (one field per value) so that every field has its own label; the mapping is the only place that
knows how flat names nest in the contract.
"""

from __future__ import annotations

from typing import Any

# Lab keys of the contract, in bedside order; form fields are `<key>_value` and `<key>_unit`.
LAB_KEYS = (
    "magnesium",
    "magnesium_lln",
    "potassium",
    "calcium_total",
    "calcium_ionized",
    "albumin",
    "phosphate",
    "creatinine",
    "urine_magnesium",
    "urine_creatinine",
)

# The drugs as a prescriber looks for them: by class, in short groups (the contract README groups them by effect:
# causes, oral interactions, QT, IV cautions, potassium-sparing; a drug is listed once here whatever its effects).
# Mycophenolate sits with the immunosuppressants, where a transplant team looks for it. Each group is one form field,
# `medications_<group>`.
MEDICATION_GROUPS: dict[str, tuple[str, ...]] = {
    "immuno": ("mycophenolate",),
    "antifungal_antiviral": (
        "amphotericin_b_conventional",
        "amphotericin_b_liposomal",
        "azole_antifungal",
        "foscarnet",
        "cidofovir",
    ),
    "antibiotic": ("aminoglycoside", "fluoroquinolone", "macrolide", "tetracycline", "pentamidine"),
    "diuretic": ("loop_diuretic", "thiazide_diuretic", "amiloride", "spironolactone", "eplerenone", "triamterene"),
    "cancer": ("platinum_chemotherapy", "ifosfamide", "egfr_antibody", "arsenic_trioxide"),
    "heart_anesthesia": ("digoxin", "calcium_channel_blocker", "neuromuscular_blocker"),
    "gut_pain": ("proton_pump_inhibitor", "ondansetron", "methadone", "gabapentin"),
    "other": (
        "insulin_infusion",
        "beta_agonist",
        "theophylline",
        "levothyroxine",
        "bisphosphonate_oral",
        "iron_oral",
        "eltrombopag",
        "integrase_inhibitor",
    ),
}
MEDICATION_GROUP_OF = {med: group for group, meds in MEDICATION_GROUPS.items() for med in meds}
# How long a drug has been taken matters for the causes (PPI duration scores; the others are named with it): the
# contract README's "Causes" group, each with a `days_<id>` field.
MEDICATIONS_WITH_DAYS = (
    "amphotericin_b_conventional",
    "amphotericin_b_liposomal",
    "aminoglycoside",
    "foscarnet",
    "pentamidine",
    "cidofovir",
    "loop_diuretic",
    "thiazide_diuretic",
    "proton_pump_inhibitor",
    "platinum_chemotherapy",
    "ifosfamide",
    "egfr_antibody",
    "insulin_infusion",
    "beta_agonist",
    "theophylline",
)

# How old the Mg result is (labs.magnesium.age_hours, PROTOCOL.md section 2.2): one field beside the Mg value.
MAGNESIUM_AGE_FIELD = "magnesium_age_hours"

# Two immunosuppressant rows cover the usual combinations (e.g. tacrolimus with sirolimus).
IMMUNOSUPPRESSANT_SLOTS = (1, 2)

# Contract path -> form field, for everything that is not a list item or a lab.
SCALAR_FIELDS = {
    "patient.age_years": "age_years",
    "patient.sex": "sex",
    "patient.weight_kg": "weight_kg",
    "patient.height_cm": "height_cm",
    "setting": "setting",
    "transplant.type": "transplant_type",
    "transplant.day": "transplant_day",
    "gi.diarrhea_ml_per_day": "diarrhea_ml_per_day",
    "gi.lower_gi_gvhd_stage": "lower_gi_gvhd_stage",
    "gi.vomiting": "vomiting",
    "gi.mucositis_grade": "mucositis_grade",
    "gi.high_output_stoma": "high_output_stoma",
    "nutrition.oral_intake": "oral_intake",
    "nutrition.parenteral_nutrition": "parenteral_nutrition",
    "nutrition.pn_mg_mmol_per_kg_day": "pn_mg_mmol_per_kg_day",
    "ecg.qtc_ms": "qtc_ms",
    "magnesium_therapy.oral_current": "oral_current",
    "magnesium_therapy.iv_magnesium_last_24h": "iv_magnesium_last_24h",
}
BOOLEAN_FIELDS = {path for path in SCALAR_FIELDS if path.split(".")[-1] in {
    "vomiting", "high_output_stoma", "parenteral_nutrition", "oral_current", "iv_magnesium_last_24h"}}  # fmt: skip
LIST_FIELDS = {"conditions": "conditions", "symptoms": "symptoms"}


def _set(data: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    for key in parents:
        data = data.setdefault(key, {})
    data[last] = value


def _get(data: dict[str, Any], path: str) -> Any:
    for key in path.split("."):
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


def _number(value: Any) -> Any:
    """Whole numbers travel as ints (15, not 15.0), as a person would write them in JSON."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def form_to_input(
    cleaned: dict[str, Any], *, site_magnesium_unit: str | None = None
) -> tuple[dict[str, Any], dict[str, str]]:
    """Contract input from the form's cleaned data; empty fields are left out, unticked boxes too (= false).

    `site_magnesium_unit` (the setting HYPOMAG_SITE_MG_UNIT) becomes `site.magnesium_unit`: what the engine checks the
    entered Mg unit against (rule set 2026.2, section 2.1)."""
    data: dict[str, Any] = {}
    paths: dict[str, str] = {}  # list-item path prefix -> form field
    for path, name in SCALAR_FIELDS.items():
        value = cleaned.get(name)
        if path in BOOLEAN_FIELDS:
            if value:
                _set(data, path, True)
        elif value not in (None, ""):
            _set(data, path, _number(value))

    immunosuppressants = []
    for slot in IMMUNOSUPPRESSANT_SLOTS:
        drug = cleaned.get(f"immuno{slot}_drug")
        if not drug:
            continue
        item: dict[str, Any] = {"drug": drug}
        if cleaned.get(f"immuno{slot}_trough") is not None:
            item["trough"] = {
                "value": _number(cleaned[f"immuno{slot}_trough"]),
                "unit": cleaned.get(f"immuno{slot}_trough_unit"),
            }
        if cleaned.get(f"immuno{slot}_route"):
            item["route"] = cleaned[f"immuno{slot}_route"]
        paths[f"immunosuppressants.{len(immunosuppressants)}.trough"] = f"immuno{slot}_trough"
        paths[f"immunosuppressants.{len(immunosuppressants)}"] = f"immuno{slot}_drug"
        immunosuppressants.append(item)
    if immunosuppressants:
        data["immunosuppressants"] = immunosuppressants

    for key in LAB_KEYS:
        value = cleaned.get(f"{key}_value")
        if value is not None:
            _set(data, f"labs.{key}", {"value": _number(value), "unit": cleaned.get(f"{key}_unit")})
    age = cleaned.get(MAGNESIUM_AGE_FIELD)
    if age is not None and "magnesium" in data.get("labs", {}):
        data["labs"]["magnesium"]["age_hours"] = _number(age)

    medications = []
    for group, meds in MEDICATION_GROUPS.items():
        chosen = set(cleaned.get(f"medications_{group}") or ())
        for med in meds:
            if med not in chosen:
                continue
            item = {"id": med}
            days = cleaned.get(f"days_{med}")
            if days is not None:
                item["days"] = days
                paths[f"medications.{len(medications)}.days"] = f"days_{med}"
            paths[f"medications.{len(medications)}"] = f"medications_{group}"
            medications.append(item)
    if medications:
        data["medications"] = medications

    for path, name in LIST_FIELDS.items():
        if cleaned.get(name):
            data[path] = list(cleaned[name])
    if site_magnesium_unit:
        data["site"] = {"magnesium_unit": site_magnesium_unit}
    return data, paths


def input_to_form(data: dict[str, Any]) -> dict[str, Any]:
    """Form data (what a browser would post) from a contract input; the inverse of `form_to_input`. `site` is not a
    form field: the site laboratory's unit comes from the setting each time."""
    form: dict[str, Any] = {}
    for path, name in SCALAR_FIELDS.items():
        value = _get(data, path)
        if path in BOOLEAN_FIELDS:
            if value:
                form[name] = "on"
        elif value is not None:
            form[name] = str(value)
    for slot, item in zip(IMMUNOSUPPRESSANT_SLOTS, data.get("immunosuppressants", []), strict=False):
        form[f"immuno{slot}_drug"] = item["drug"]
        if "trough" in item:
            form[f"immuno{slot}_trough"] = str(item["trough"]["value"])
            form[f"immuno{slot}_trough_unit"] = item["trough"]["unit"]
        if "route" in item:
            form[f"immuno{slot}_route"] = item["route"]
    for key, lab in data.get("labs", {}).items():
        form[f"{key}_value"] = str(lab["value"])
        form[f"{key}_unit"] = lab["unit"]
        if "age_hours" in lab:
            form[MAGNESIUM_AGE_FIELD] = str(lab["age_hours"])
    for item in data.get("medications", []):
        group = MEDICATION_GROUP_OF[item["id"]]
        form.setdefault(f"medications_{group}", []).append(item["id"])
        if "days" in item:
            form[f"days_{item['id']}"] = str(item["days"])
    for path, name in LIST_FIELDS.items():
        if data.get(path):
            form[name] = list(data[path])
    return form


def field_for_path(path: str, paths: dict[str, str]) -> str | None:
    """The form field that should show the engine's error for `path`, or None (shown above the form)."""
    if path in SCALAR_FIELDS:
        return SCALAR_FIELDS[path]
    if path == "labs.magnesium.age_hours":
        return MAGNESIUM_AGE_FIELD
    parts = path.split(".")
    if parts[0] == "labs" and len(parts) >= 2 and parts[1] in LAB_KEYS:
        return f"{parts[1]}_unit" if parts[-1] == "unit" else f"{parts[1]}_value"
    if parts[0] in LIST_FIELDS:
        return LIST_FIELDS[parts[0]]
    # The longest list-item prefix wins: `immunosuppressants.0.trough.value` -> the trough field.
    for end in range(len(parts), 0, -1):
        prefix = ".".join(parts[:end])
        if prefix in paths:
            return paths[prefix]
    return None
