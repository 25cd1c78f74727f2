"""Ids and contract paths in words: the one place that names them, for pages, print, CDS cards and teaching.

No page shows a machine id (`patient.sex`, `azole_antifungal`, `iv`) to a person: the bedside form takes its field
labels from here, and the template tags, the saved records, the timeline, the comparison table, teaching and the
CDS Hooks cards read the same words. One table per kind of id; `field_label` and `value_label` read them.

Plain Python, no Django. `tests/web/platform/test_labels.py` fails on any id without a label: every path and enum
value of the contract input schema, every enum of `clinical/inputs.py`, and every reason, cause, warning, step and
reminder id the engine can produce. Rule set 2026.2's new ids are here already (they cost nothing before the engine
produces them).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from assessments.clinical.causes import CAUSES
from assessments.clinical.dose import LEVEL_AFTER_INFUSION_HOURS
from assessments.clinical.plausibility import RECENT_IV_MIN_HOURS
from assessments.clinical.reminders import ECG_REPEAT_HOURS
from assessments.clinical.wording import plain

# --- Input values -------------------------------------------------------------------------------------------------

SEX_LABELS = {"female": "Female", "male": "Male"}
SETTING_LABELS = {"inpatient": "Inpatient", "outpatient": "Outpatient"}
TRANSPLANT_TYPE_LABELS = {"allogeneic": "Allogeneic", "autologous": "Autologous"}
IMMUNOSUPPRESSANT_LABELS = {
    "tacrolimus": "Tacrolimus",
    "cyclosporine": "Cyclosporine",
    "sirolimus": "Sirolimus",
    "everolimus": "Everolimus",
}
# How an immunosuppressant is given (the contract's `immunosuppressants.N.route`).
DRUG_ROUTE_LABELS = {"oral": "Oral", "iv": "IV"}
ORAL_INTAKE_LABELS = {"normal": "Normal", "reduced": "Reduced", "nil": "Nil by mouth"}

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
    # Rule set 2026.2: the other potassium-sparing diuretics.
    "spironolactone": "Spironolactone",
    "eplerenone": "Eplerenone",
    "triamterene": "Triamterene",
}

# Names a prescriber may type to find a drug in the bedside form (generic and common brand names; words only).
MEDICATION_SEARCH_TERMS = {
    "amphotericin_b_conventional": "fungizone",
    "amphotericin_b_liposomal": "ambisome",
    "aminoglycoside": "gentamicin tobramycin amikacin",
    "foscarnet": "foscavir",
    "loop_diuretic": "furosemide frusemide bumetanide torasemide",
    "thiazide_diuretic": "hydrochlorothiazide bendroflumethiazide indapamide chlorthalidone metolazone",
    "proton_pump_inhibitor": "omeprazole esomeprazole lansoprazole pantoprazole rabeprazole",
    "platinum_chemotherapy": "cisplatin carboplatin oxaliplatin",
    "egfr_antibody": "cetuximab panitumumab",
    "insulin_infusion": "insulin",
    "beta_agonist": "salbutamol albuterol terbutaline",
    "theophylline": "aminophylline",
    "fluoroquinolone": "ciprofloxacin levofloxacin moxifloxacin",
    "tetracycline": "doxycycline minocycline",
    "bisphosphonate_oral": "alendronate risedronate ibandronate",
    "levothyroxine": "thyroxine",
    "integrase_inhibitor": "dolutegravir raltegravir bictegravir",
    "mycophenolate": "mmf mycophenolate mofetil cellcept",
    "iron_oral": "ferrous sulfate fumarate",
    "azole_antifungal": "posaconazole voriconazole fluconazole itraconazole isavuconazole",
    "ondansetron": "granisetron palonosetron",
    "macrolide": "azithromycin clarithromycin erythromycin",
    "neuromuscular_blocker": "rocuronium vecuronium atracurium suxamethonium",
    "calcium_channel_blocker": "amlodipine nifedipine diltiazem verapamil",
    "amiloride": "potassium-sparing diuretic",
    "spironolactone": "potassium-sparing diuretic aldactone",
    "eplerenone": "potassium-sparing diuretic",
    "triamterene": "potassium-sparing diuretic",
}

CONDITION_LABELS = {
    "refeeding_risk": "Refeeding risk",
    "citrate_exposure": "Citrate exposure (apheresis, transfusions)",
    "hyperglycemia": "Hyperglycemia",
    "alcohol_use": "Alcohol use",
    "polyuric_recovery": "Polyuric recovery from acute kidney injury",
    "dialysis": "Dialysis",
    "heart_block": "Heart block",
    "aki": "Acute kidney injury (creatinine ≥ 1.5 × baseline or rising)",
    "oliguria": "Oliguria (urine < 0.5 mL/kg/h for 6 h or more)",
    # Rule set 2026.2.
    "first_degree_av_block": "First-degree AV block alone",
}
SYMPTOM_LABELS = {
    "seizure": "Seizure",
    "tetany": "Tetany",
    "torsades": "Torsades de pointes",
    "ventricular_arrhythmia": "Ventricular arrhythmia",
    "muscle_cramps": "Muscle cramps",
    "tremor": "Tremor",
    "paresthesia": "Paresthesia",
    "weakness": "Weakness",
    "fatigue": "Fatigue",
    "palpitations": "Palpitations",
    "nystagmus": "Nystagmus",
    "confusion": "Confusion",
}

# Units as a clinician writes them: the contract's ASCII `umol/L` is shown as µmol/L.
UNIT_LABELS = {
    "mmol/L": "mmol/L",
    "mg/dL": "mg/dL",
    "mEq/L": "mEq/L",
    "g/L": "g/L",
    "g/dL": "g/dL",
    "umol/L": "µmol/L",
    "ng/mL": "ng/mL",
    "ug/L": "µg/L",
}

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

# --- Input paths --------------------------------------------------------------------------------------------------
# Contract path -> label; a list index is written N and numbered from 1 in the label ({n}).

FIELD_LABELS: dict[str, str] = {
    "input": "The input",
    "patient": "Patient",
    "patient.age_years": "Age (years)",
    "patient.sex": "Sex",
    "patient.weight_kg": "Weight (kg)",
    "patient.height_cm": "Height (cm)",
    "setting": "Setting",
    "site": "Site",
    "site.magnesium_unit": "The site laboratory's magnesium unit",
    "transplant": "Transplant",
    "transplant.type": "Transplant type",
    "transplant.day": "Day after transplant",
    "immunosuppressants": "Immunosuppression",
    "immunosuppressants.N": "Immunosuppressant {n}",
    "immunosuppressants.N.drug": "Immunosuppressant {n}: drug",
    "immunosuppressants.N.trough": "Immunosuppressant {n}: trough level",
    "immunosuppressants.N.trough.value": "Immunosuppressant {n}: trough level",
    "immunosuppressants.N.trough.unit": "Immunosuppressant {n}: trough unit",
    "immunosuppressants.N.route": "Immunosuppressant {n}: route",
    "labs": "Labs",
    **{f"labs.{key}": label for key, label in LAB_LABELS.items()},
    **{f"labs.{key}.value": label for key, label in LAB_LABELS.items()},
    **{f"labs.{key}.unit": f"{label}: unit" for key, label in LAB_LABELS.items()},
    "labs.magnesium.age_hours": "Serum magnesium: age of the result (hours)",
    "medications": "Medications",
    "medications.N": "Medication {n}",
    "medications.N.id": "Medication {n}",
    "medications.N.days": "Medication {n}: days taken",
    "gi": "Gut",
    "gi.diarrhea_ml_per_day": "Diarrhea (mL/day)",
    "gi.lower_gi_gvhd_stage": "Lower-GI GVHD stage (0-4)",
    "gi.vomiting": "Vomiting",
    "gi.mucositis_grade": "Oral mucositis grade (0-4)",
    "gi.high_output_stoma": "High-output stoma",
    "nutrition": "Nutrition",
    "nutrition.oral_intake": "Oral intake",
    "nutrition.parenteral_nutrition": "Parenteral nutrition",
    "nutrition.pn_mg_mmol_per_kg_day": "Magnesium in parenteral nutrition (mmol/kg/day)",
    "conditions": "Conditions",
    "conditions.N": "Condition {n}",
    "symptoms": "Symptoms",
    "symptoms.N": "Symptom {n}",
    "ecg": "ECG",
    "ecg.qtc_ms": "QTc (ms)",
    "magnesium_therapy": "Magnesium therapy",
    "magnesium_therapy.oral_current": "Taking oral magnesium now",
    "magnesium_therapy.iv_magnesium_last_24h": "IV magnesium given in the last 24 h",
    "save": "Save this assessment",
}

# Path -> the table that names its values (units: every `*.unit` path reads UNIT_LABELS).
VALUE_LABELS: dict[str, dict[str, str]] = {
    "patient.sex": SEX_LABELS,
    "setting": SETTING_LABELS,
    "site.magnesium_unit": UNIT_LABELS,
    "transplant.type": TRANSPLANT_TYPE_LABELS,
    "immunosuppressants": IMMUNOSUPPRESSANT_LABELS,
    "immunosuppressants.N.drug": IMMUNOSUPPRESSANT_LABELS,
    "immunosuppressants.N.route": DRUG_ROUTE_LABELS,
    "medications": MEDICATION_LABELS,
    "medications.N.id": MEDICATION_LABELS,
    "nutrition.oral_intake": ORAL_INTAKE_LABELS,
    "conditions": CONDITION_LABELS,
    "conditions.N": CONDITION_LABELS,
    "symptoms": SYMPTOM_LABELS,
    "symptoms.N": SYMPTOM_LABELS,
}

# --- Output ids ---------------------------------------------------------------------------------------------------

ROUTE_LABELS = {
    "none": "No replacement now",
    "oral": "Oral magnesium",
    "iv": "IV magnesium (infusion)",
    "iv_urgent": "Urgent IV magnesium (bolus)",
}
# The timeline's route row: a code drawn under each point, and its words in the legend and tooltips (short: the
# chart is 720 px wide).
ROUTE_CHART = {
    "none": ("–", "no magnesium"),
    "oral": ("PO", "oral"),
    "iv": ("IV", "IV"),
    "iv_urgent": ("IV!", "urgent IV"),
}

# The clinical severity (`severity.clinical_severity`), as a word that does not need its colour to be read.
SEVERITY_LABELS = {
    "emergency": "Emergency",
    "severe": "Severe",
    "moderate": "Moderate",
    "mild": "Mild",
    "none": "Not low",
}
# What a unit check's other reading would mean by level alone (the `tier` of its `readings`).
TIER_LABELS = {"none": "no replacement by level", "oral": "oral replacement", "iv": "IV replacement"}

# Why this route (`plan.reasons`), read after "Why this route:".
REASON_LABELS = {
    "hypermagnesemia": "magnesium above the upper limit of normal",
    "urgent_symptom": "urgent symptom",
    "normal_magnesium": "magnesium not below the lower limit of normal",
    "raised_target": "below the raised target",
    "grade_2_or_worse": "grade 2 or worse",
    "symptomatic": "symptomatic",
    "enteral_route_unavailable": "enteral route unavailable",
    "diarrhea_or_gut_gvhd": "diarrhea or gut GVHD",
    "qtc_critical": "critical QTc",
    "mild_asymptomatic_enteral_ok": "mild, no symptoms, and the gut can be used",
}

# The engine's own cause labels (the output carries them too): one source for the words.
CAUSE_LABELS = {cause_id: spec.label for cause_id, spec in CAUSES.items()}

WARNING_LABELS = {
    "unit_check": "Check the unit of the magnesium result",
    "recent_iv_magnesium": "Magnesium drawn soon after IV magnesium",
    "hypermagnesemia": "Magnesium above the upper limit of normal",
    "symptoms_not_explained_by_mg": "Symptoms not explained by the magnesium level",
    "qtc_critical": "Critical QTc",
    "qtc_prolonged": "Prolonged QTc",
    "qt_prolonging_drugs": "QT-prolonging drugs",
    "renal_function_unknown": "Renal function unknown",
    "severe_renal_impairment": "Severe renal impairment",
    "renal_dose_reduction": "Dose reduced for renal function",
    "hypermagnesemia_risk": "Risk of hypermagnesemia",
    "hyperkalemia": "High potassium",
    "potassium_sparing_with_cni": "Potassium-sparing diuretic with a calcineurin inhibitor",
    "replete_mg_before_k": "Replace magnesium before potassium",
    "replete_mg_before_ca": "Replace magnesium before calcium",
    "iv_mg_caution": "Caution with IV magnesium",
    "oral_mg_interaction": "Interaction with oral magnesium",
    # Rule set 2026.2.
    "stale_result": "Stale result",
    "digoxin_toxicity_risk": "Risk of digoxin toxicity",
    "first_degree_av_block": "First-degree AV block",
}

STEP_LABELS = {
    "follow_local_emergency_protocol": "Follow the local emergency protocol",
    "senior_review_heart_block": "Senior review: heart block",
    "give_oral_magnesium": "Give oral magnesium",
    "give_iv_magnesium": "Give IV magnesium",
    "give_iv_magnesium_urgent": "Give urgent IV magnesium",
    "no_replacement_needed": "No replacement needed",
    "raised_target": "Aim for the raised target",
    "renal_dose_reduction": "Reduce the dose for renal function",
    "replete_mg_before_k": "Replace magnesium before potassium",
    "replete_mg_before_ca": "Replace magnesium before calcium",
    "avoid_oral_magnesium": "Avoid oral magnesium",
    "review_ppi": "Review the proton pump inhibitor",
    "review_cni_level": "Review the calcineurin inhibitor level",
    "review_diuretic": "Review the diuretic",
    "review_nephrotoxic_antimicrobial": "Review the nephrotoxic antimicrobial",
    "review_parenteral_nutrition_mg": "Review the magnesium in parenteral nutrition",
    "consider_cni_neurotoxicity": "Consider calcineurin inhibitor neurotoxicity",
    "review_qt_prolonging_drugs": "Review QT-prolonging drugs",
    "separate_oral_interactions": "Space oral magnesium from interacting drugs",
    "search_for_cause": "Search for the cause",
    # Rule set 2026.2.
    "confirm_magnesium_unit": "Confirm the magnesium unit",
    "give_iv_calcium_now": "Give IV calcium now",
    "consider_holding_foscarnet": "Consider holding foscarnet",
    "check_oral_adherence": "Check adherence to oral magnesium",
    "review_mtor_level": "Review the mTOR inhibitor level",
    "follow_refeeding_protocol": "Follow the refeeding protocol",
}

# The reminder ids of PROTOCOL.md section 13, as a trainee would name them, most urgent first (hours read from the
# core's constants, so the words cannot drift from the rule).
REMINDER_LABELS = {
    "ecg_now": "12-lead ECG now for a baseline QTc",
    "check_k_and_ca_now": "Check potassium and calcium now (those not given)",
    "continuous_ecg": "Continuous ECG monitoring now",
    "hypermagnesemia_watch": "Watch reflexes, blood pressure and breathing during the infusion",
    "check_creatinine": "Check the serum creatinine now",
    "redraw_mg_after_iv": f"Redraw Mg at least {RECENT_IV_MIN_HOURS} h after the end of the last infusion",
    "recheck_mg_after_iv": f"Recheck Mg {LEVEL_AFTER_INFUSION_HOURS} h after the end of the IV dose",
    "recheck_before_next_dose": "Recheck Mg before any further dose",
    "recheck_k": "Recheck potassium",
    "daily_electrolytes": "Daily Mg, K, Ca, phosphate and creatinine",
    "check_cni_trough": "Check the CNI trough level",
    "repeat_ecg": f"Repeat the ECG in {ECG_REPEAT_HOURS} h",
    "femg_when_cause_unclear": "Spot urine Mg and creatinine for FEMg",
    "recheck_mg_oral": "Recheck Mg on oral replacement",
    "outpatient_cni_monitoring": "Mg with every trough level, at least weekly",
}

FEMG_LABELS = {
    "extrarenal": "extrarenal loss (gut or intake)",
    "renal_wasting": "renal wasting",
    "indeterminate": "indeterminate",
    "not_interpretable": "not interpretable",
}
FEMG_NOT_INTERPRETABLE_LABELS = {
    "iv_magnesium_last_24h": "IV magnesium in the last 24 h",
    "renal_function_below_60": "renal function below 60 mL/min",
    "renal_function_unknown": "renal function unknown",
}

# The bedside page's examples (the demo copies of the golden cases), by name: what each one shows, in words.
EXAMPLE_TITLES = {
    "P09_mgdl_boundary_1_2_is_grade1": "P09: adult, Mg exactly 1.2 mg/dL: grade 1, oral",
    "P10_meq_input_grade1_outpatient_cyclosporine": "P10: outpatient on cyclosporine, Mg in mEq/L: grade 1",
    "P11_oral_mild_eltrombopag_levothyroxine_interactions": "P11: oral Mg with eltrombopag and levothyroxine",
    "P13_grade0_normal_no_replacement": "P13: Mg not low: no replacement",
    "P14_autologous_no_cni": "P14: autologous, no calcineurin inhibitor",
    "P15_c1_mmol_1_45_is_low_in_mgdl_confirm_unit": "P15: 1.45 mmol/L that may be a mg/dL value: confirm the unit",
    "P16_c2_adult_aki_oral_halved_exact_text": "P16: adult with acute kidney injury: oral dose halved",
    "P17_m2_teen_14y_50kg_iv_per_kg_10_mmol": "P17: teenager, 14 years, 50 kg: IV dose per kg",
    "P18_m5_seizure_low_ionized_calcium_calcium_first": "P18: seizure with low ionized calcium: calcium first",
    "P19_c3_mgdl_0_4_implausibly_low_unit_check_first": "P19: 0.4 mg/dL, implausibly low: check the unit",
    "V1_adult_allo_d10_tacrolimus_mucositis_grade1": "V1: adult, day 10, tacrolimus, mucositis: grade 1",
    "V2_adult_allo_d35_gut_gvhd_cyclosporine_grade3_symptomatic": "V2: adult, day 35, gut GVHD, cyclosporine: grade 3",
    "V3_child_allo_d14_pn_cyclosporine_grade1": "V3: child of 6, day 14, parenteral nutrition: grade 1",
    "V4_child_cord_d21_seizure_foscarnet_high_tacrolimus_grade4": "V4: child of 3, seizure on foscarnet: grade 4",
    "V5_adult_auto_d6_no_cni_gi_losses_ppi_grade1": "V5: autologous, day 6, diarrhea and a PPI: grade 1",
    "V6_adult_allo_outpatient_d80_tacrolimus_mmf_interactions": "V6: outpatient, day 80, tacrolimus and mycophenolate",
    "V7_adult_allo_d28_aki_cyclosporine_high_liposomal_amb_grade2_renal": (
        "V7: adult, day 28, kidney injury, cyclosporine, amphotericin: grade 2"
    ),
    "V8_adult_allo_d12_torsades_qtc520_grade2_emergency": "V8: adult, day 12, torsades, QTc 520 ms: emergency",
}

# The tables the `label` template filter reads, by kind.
LABELS: dict[str, dict[str, str]] = {
    "route": ROUTE_LABELS,
    "severity": SEVERITY_LABELS,
    "tier": TIER_LABELS,
    "reason": REASON_LABELS,
    "cause": CAUSE_LABELS,
    "warning": WARNING_LABELS,
    "step": STEP_LABELS,
    "reminder": REMINDER_LABELS,
    "femg": FEMG_LABELS,
    "femg_not_interpretable": FEMG_NOT_INTERPRETABLE_LABELS,
    "unit": UNIT_LABELS,
    "medication": MEDICATION_LABELS,
    "condition": CONDITION_LABELS,
    "symptom": SYMPTOM_LABELS,
}


def _words(value: str) -> str:
    """The last resort for an id no table knows (data from an older rule set): at least no underscores."""
    return str(value).replace("_", " ")


def label(kind: str, value: Any) -> str:
    """`label("route", "iv")` -> "IV magnesium (infusion)"."""
    return LABELS[kind].get(str(value)) or _words(value)


def unit_label(unit: str) -> str:
    return UNIT_LABELS.get(unit, unit)


# The engine writes its sentences in ASCII ("45 umol/L"): on a page, the units are written as a clinician writes them.
_ASCII_UNITS = re.compile(r"\b(umol|ug)/L\b")


# An identifier in an engine sentence: rule set 2026.1 named causes by their id ("loop_diuretic"); plans saved
# under it keep their own words, shown with the id in plain words (the 2026.2 core never writes one).
_IDENTIFIER = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")


def unit_words(text: str) -> str:
    """An engine sentence with its ASCII units as a clinician writes them: "45 umol/L" -> "45 µmol/L", and an
    identifier in plain words ("loop_diuretic" -> "loop diuretic"). Only spelling changes; every number stays as
    the engine wrote it."""
    if "_" in text:
        # Not through plain's cache, which is for the rule set's own identifiers: these come from stored text.
        text = _IDENTIFIER.sub(lambda m: plain.__wrapped__(m.group(0)), text)
    return _ASCII_UNITS.sub(lambda m: f"µ{m.group(1)[1:]}/L", text) if "/L" in text else text


def drug_label(drug: str) -> str:
    """A medication or an immunosuppressant (a warning's `drug` is either)."""
    return MEDICATION_LABELS.get(drug) or IMMUNOSUPPRESSANT_LABELS.get(drug) or _words(drug)


@lru_cache(maxsize=4096)
def _pattern(path: str) -> tuple[str, int | None]:
    """`immunosuppressants.1.drug` -> ("immunosuppressants.N.drug", 1): the table key and the list index."""
    parts = path.split(".")
    index = next((int(part) for part in parts if part.isdigit()), None)
    return ".".join("N" if part.isdigit() else part for part in parts), index


@lru_cache(maxsize=4096)  # a pure function of a short string: pages name the same few paths again and again
def field_label(path: str) -> str:
    """The words for a contract path: `patient.sex` -> "Sex", `immunosuppressants.0.drug` -> "Immunosuppressant 1:
    drug". A path the contract lacks (an unknown key the parser reports) is named under its nearest known parent."""
    pattern, index = _pattern(path)
    if pattern in FIELD_LABELS:
        return FIELD_LABELS[pattern].format(n=(index or 0) + 1)
    parts = path.split(".")
    for end in range(len(parts) - 1, 0, -1):
        parent = ".".join(parts[:end])
        if _pattern(parent)[0] in FIELD_LABELS:
            return f"{field_label(parent)}: {_words(' '.join(parts[end:]))}"
    return _words(path)


def value_label(path: str, value: Any) -> str:
    """The words for a value entered at `path`: ids named, units written as a clinician does, yes or no."""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if value is None:
        return "Not recorded"
    pattern, _ = _pattern(path)
    if pattern.endswith(".unit"):
        return unit_label(str(value))
    if pattern.startswith("labs.") and isinstance(value, str):
        # A lab as imported, "70 umol/L": the number as written, the unit as a clinician writes it.
        number, _, unit = value.rpartition(" ")
        return f"{number} {unit_label(unit)}" if number else value
    table = VALUE_LABELS.get(pattern)
    if table is not None:
        return table.get(str(value)) or _words(value)
    return str(value)


def input_rows(data: dict[str, Any]) -> list[tuple[str, str]]:
    """A saved input as (field, value) rows in words, in the order entered: the record of what was known."""
    rows: list[tuple[str, str]] = []

    def walk(prefix: str, node: Any) -> None:
        if isinstance(node, dict) and "value" in node and "unit" in node:
            # A measurement in one row, as written: "1 mg/dL"; what else it carries (the Mg result's age) follows.
            rows.append((field_label(prefix), f"{node['value']} {unit_label(node['unit'])}"))
            for key, value in node.items():
                if key not in ("value", "unit"):
                    walk(f"{prefix}.{key}", value)
        elif isinstance(node, dict):
            for key, value in node.items():
                walk(f"{prefix}.{key}" if prefix else key, value)
        elif isinstance(node, list) and node and all(isinstance(item, dict) and "id" in item for item in node):
            # Medications: one row, each with its days when given.
            names = [
                value_label(f"{prefix}.{i}.id", item["id"])
                + (f" ({item['days']} days)" if item.get("days") is not None else "")
                for i, item in enumerate(node)
            ]
            rows.append((field_label(prefix), ", ".join(names)))
        elif isinstance(node, list):
            if all(not isinstance(item, dict | list) for item in node):
                words = [value_label(f"{prefix}.{i}", item) for i, item in enumerate(node)]
                rows.append((field_label(prefix), ", ".join(words) or "none"))
            for index, item in enumerate(node):
                if isinstance(item, dict | list):
                    walk(f"{prefix}.{index}", item)
        else:
            rows.append((field_label(prefix), value_label(prefix, node)))

    walk("", data)
    return rows


# --- The audit log --------------------------------------------------------------------------------------------------
# Each event's object kind and detail keys as a reader of the log says them (an auditor, not a developer: "Assessment
# 12", "reminders superseded: 4, 5", never "SavedAssessment" or "superseded: []"). A key no table knows (a row from
# an older version) still shows, without underscores.

AUDIT_OBJECT_LABELS = {
    "SavedAssessment": "Assessment",
    "Review": "Pharmacist review",
    "Reminder": "Reminder",
    "Patient": "Patient",
    "User": "User",
    "Ward": "Ward",
    "Group": "Role",
    "cds_card": "CDS card",
}
AUDIT_DETAIL_LABELS = {
    "ruleset": "rule set",
    "superseded": "reminders superseded",
    "outcome": "outcome",
    "assessment": "assessment",
    "why": "why",
    "state": "marked",
    "reason": "reason",
    "follow_up": "answered by assessment",
    "what": "exported",
    "via": "through",
    "deleted": "deleted",
    "model": "kind",
    "role": "role",
    "ward": "ward",
    "service": "CDS service",
    "outcomeTimestamp": "acted on at",
    "userComment": "comment",
}
AUDIT_VALUE_LABELS = {
    "via": {"admin": "the admin site", "add_user": "the add_user command (hospital IT)"},
    "state": {"open": "open", "done": "done", "not_needed": "not needed", "superseded": "superseded"},
}
AUDIT_CHANGE_LABELS = {"transplant_type": "transplant type", "transplant_date": "transplant date"}


def audit_object(object_type: str) -> str:
    return AUDIT_OBJECT_LABELS.get(object_type) or _words(object_type)


def _audit_value(value: Any) -> str:
    if value is None or value == "":
        return "(none)"
    if isinstance(value, list):
        return ", ".join(_audit_value(item) for item in value) or "(none)"
    if isinstance(value, dict):
        return "; ".join(f"{_words(key)} {_audit_value(item)}" for key, item in value.items()) or "(none)"
    return str(value)


def audit_detail(detail: Any) -> list[str]:
    """An audit event's detail as phrases: "rule set: 2026.2", "transplant date: 2026-11-30 → 2026-12-01". Empty
    values say nothing (an assessment that superseded no reminder shows no "superseded" at all)."""
    if not isinstance(detail, dict):
        return [_audit_value(detail)] if detail not in (None, "", [], {}) else []
    phrases = []
    for key, value in detail.items():
        if value is None or value in ("", [], {}):
            continue
        if key == "changes" and isinstance(value, dict):
            for field, change in value.items():
                before, after = change if isinstance(change, list) and len(change) == 2 else (None, change)
                name = AUDIT_CHANGE_LABELS.get(field) or _words(field)
                phrases.append(f"{name}: {_audit_value(before)} → {_audit_value(after)}")
            continue
        words = AUDIT_VALUE_LABELS.get(key, {})
        shown = words.get(value, _audit_value(value)) if isinstance(value, str) else _audit_value(value)
        if key == "model" and isinstance(value, str):  # "assessments.Ward": the kind of thing, in words
            shown = audit_object(value.rsplit(".", 1)[-1]).lower()
        phrases.append(f"{AUDIT_DETAIL_LABELS.get(key) or _words(key)}: {shown}")
    return phrases
