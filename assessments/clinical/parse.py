"""Contract JSON -> `AssessmentInput`, or a list of field errors (PROTOCOL.md section 2, contract README).

Every error names the field path (`labs.magnesium.value`, `medications.3.id`) and says what to fix: the value
and unit received and the accepted range in that unit. All errors are collected in one pass, so a form can show
them all at once and keep everything else the user typed. Unknown keys are errors: a typo must not be ignored.
"""

from __future__ import annotations

import math
import reprlib
from dataclasses import dataclass
from enum import Enum
from typing import Any, TypeVar

from .inputs import (
    GI,
    AssessmentInput,
    Condition,
    Drug,
    DrugRoute,
    Immunosuppressant,
    Labs,
    MagnesiumTherapy,
    Med,
    Medication,
    Nutrition,
    OralIntake,
    Patient,
    Setting,
    Sex,
    Symptom,
    Transplant,
    TransplantType,
)
from .units import Analyte, Measurement, Unit, convert, fmt

# Hard ranges of inputs that are not lab values (PROTOCOL.md section 2).
AGE_RANGE_YEARS = (0.0, 120.0)
DAYS_PER_YEAR = 365.25  # a calendar fact, to bound how long a drug can have been taken
NEONATE_BELOW_YEARS = 0.0833  # < 1 month: out of scope (PROTOCOL.md section 1)
WEIGHT_RANGE_KG = (0.5, 300.0)
HEIGHT_RANGE_CM = (30.0, 250.0)
QTC_RANGE_MS = (250.0, 800.0)
DAY_RANGE = (-30, 3650)
DIARRHEA_RANGE_ML_DAY = (0.0, 10000.0)
GRADE_RANGE = (0, 4)  # mucositis grade, lower-GI GVHD stage (contract schema)
TROUGH_RANGE_NG_ML = {Drug.TACROLIMUS: 60.0, Drug.CYCLOSPORINE: 3000.0, Drug.SIROLIMUS: 60.0, Drug.EVEROLIMUS: 60.0}

LAB_FIELDS: dict[str, tuple[Analyte, tuple[Unit, ...]]] = {
    "magnesium": (Analyte.MAGNESIUM, (Unit.MMOL_L, Unit.MG_DL, Unit.MEQ_L)),
    "magnesium_lln": (Analyte.MAGNESIUM_LLN, (Unit.MMOL_L, Unit.MG_DL, Unit.MEQ_L)),
    "potassium": (Analyte.POTASSIUM, (Unit.MMOL_L, Unit.MEQ_L)),
    "calcium_total": (Analyte.CALCIUM_TOTAL, (Unit.MMOL_L, Unit.MG_DL)),
    "calcium_ionized": (Analyte.CALCIUM_IONIZED, (Unit.MMOL_L, Unit.MG_DL)),
    "albumin": (Analyte.ALBUMIN, (Unit.G_L, Unit.G_DL)),
    "phosphate": (Analyte.PHOSPHATE, (Unit.MMOL_L, Unit.MG_DL)),
    "creatinine": (Analyte.CREATININE, (Unit.UMOL_L, Unit.MG_DL)),
    "urine_magnesium": (Analyte.URINE_MAGNESIUM, (Unit.MMOL_L, Unit.MG_DL)),
    "urine_creatinine": (Analyte.URINE_CREATININE, (Unit.MMOL_L, Unit.UMOL_L, Unit.MG_DL)),
}
TROUGH_UNITS = (Unit.NG_ML, Unit.UG_L)
TOP_LEVEL = {
    "patient", "setting", "site", "transplant", "immunosuppressants", "labs", "medications", "gi", "nutrition",
    "conditions", "symptoms", "ecg", "magnesium_therapy", "save",
}  # fmt: skip
MAGNESIUM_UNITS = (Unit.MMOL_L, Unit.MG_DL, Unit.MEQ_L)
# The keys each object of the contract input accepts.
SITE_KEYS = frozenset({"magnesium_unit"})
ECG_KEYS = frozenset({"qtc_ms"})
PATIENT_KEYS = frozenset({"age_years", "sex", "weight_kg", "height_cm"})
TRANSPLANT_KEYS = frozenset({"type", "day"})
IMMUNOSUPPRESSANT_KEYS = frozenset({"drug", "trough", "route"})
MEDICATION_KEYS = frozenset({"id", "days"})
NUTRITION_KEYS = frozenset({"oral_intake", "parenteral_nutrition", "pn_mg_mmol_per_kg_day"})
THERAPY_KEYS = frozenset({"oral_current", "iv_magnesium_last_24h"})
GI_KEYS = frozenset({"diarrhea_ml_per_day", "lower_gi_gvhd_stage", "vomiting", "mucositis_grade", "high_output_stoma"})
_UNITS: dict[str, Unit] = {str(u): u for u in Unit}
_MEASUREMENT_KEYS = frozenset({"value", "unit"})
_MEASUREMENT_REQUIRED = ("value", "unit")
_LAB_KEYS = frozenset(LAB_FIELDS)
# Each lab field's path, analyte, units and keys (the Mg result may carry the age of its sample).
_LAB_READERS = tuple(
    (key, f"labs.{key}", analyte, units, _MEASUREMENT_KEYS | {"age_hours"} if key == "magnesium" else _MEASUREMENT_KEYS)
    for key, (analyte, units) in LAB_FIELDS.items()
)
SAMPLE_AGE_RANGE_HOURS = (0.0, 720.0)  # 30 days: the longest monitoring interval in the fact base (section 2)
PN_MG_RANGE_MMOL_KG_DAY = (0.0, 2.0)  # above the label's largest per-kg PN amount in scope (section 2) [S35]

E = TypeVar("E", bound=Enum)
# Each choice's members by value, read once: an attribute of an Enum class is a slow lookup on Python 3.11.
_MEMBERS: dict[type[Enum], dict[Any, Enum]] = {
    enum: dict(enum._value2member_map_)
    for enum in (Setting, Sex, TransplantType, Drug, DrugRoute, Med, Condition, Symptom, OralIntake)
}
_LARGEST_FLOAT = 1e308  # an integer beyond this cannot become a float


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str


@dataclass(slots=True)  # built once per assessment, never changed: slotted for speed
class ParseResult:
    input: AssessmentInput | None
    errors: tuple[FieldError, ...]


def _join(path: str, key: str | int) -> str:
    name = str(key) or '""'  # an empty key still needs a visible field path
    return f"{path}.{name}" if path else name


class _Reader:
    """Collects errors while reading; each reader returns None for a value it could not accept."""

    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def error(self, path: str, message: str) -> None:
        self.errors.append(FieldError(path, message))

    def obj(
        self, value: Any, path: str, allowed: frozenset[str] | set[str], required: tuple[str, ...] = ()
    ) -> dict | None:
        if value.__class__ is not dict and not isinstance(value, dict):
            self.error(path or "input", f"must be an object, got {_kind(value)}")
            return None
        if not allowed.issuperset(value):
            for key in value:
                if key not in allowed:
                    self.error(_join(path, key), f"unknown field '{key}'; accepted: {', '.join(sorted(allowed))}")
        for key in required:
            if key not in value:
                self.error(_join(path, key), "is required")
        return value

    def number(self, value: Any, path: str, bounds: tuple[float, float], unit: str) -> float | None:
        if not _is_number(value):
            self.error(path, f"must be a number in {unit}, got {_kind(value)}")
            return None
        low, high = bounds
        if not (low <= value <= high) or abs(value) > _LARGEST_FLOAT:
            accepted = (
                f"{fmt(low, 4)} to {fmt(high, 4)} {unit}" if math.isfinite(high) else f"{fmt(low, 4)} {unit} or more"
            )
            self.error(path, f"{_number_text(value)} {unit} is outside the accepted range {accepted}")
            return None
        return float(value)

    def integer(self, value: Any, path: str, bounds: tuple[int, int | None], what: str) -> int | None:
        if not _is_number(value) or value != int(value):
            self.error(path, f"must be a whole number ({what}), got {_kind(value)}")
            return None
        low, high = bounds
        if value < low or (high is not None and value > high):
            accepted = f"{low} to {high}" if high is not None else f"{low} or more"
            self.error(path, f"{_number_text(value)} is outside the accepted range {accepted} ({what})")
            return None
        return int(value)

    def unit_choice(self, value: Any, path: str, units: tuple[Unit, ...]) -> Unit | None:
        if not isinstance(value, str) or value not in units:
            self.error(path, f"{_show(value)} is not accepted; use one of {', '.join(units)}")
            return None
        return Unit(value)

    def boolean(self, value: Any, path: str) -> bool | None:
        if not isinstance(value, bool):
            self.error(path, f"must be true or false, got {_kind(value)}")
            return None
        return value

    def choice(self, value: Any, path: str, enum: type[E]) -> E | None:
        member = _MEMBERS[enum].get(value) if isinstance(value, str) else None
        if member is None:
            shown = "null" if value is None else _show(value)
            self.error(path, f"{shown} is not accepted; use one of {', '.join(e.value for e in enum)}")
            return None
        return member  # type: ignore[return-value]

    def measurement(
        self,
        value: Any,
        path: str,
        analyte: Analyte,
        units: tuple[Unit, ...],
        high: float | None = None,
        allowed: frozenset[str] = _MEASUREMENT_KEYS,
    ) -> Measurement | None:
        """A lab value: the range check is made in the unit entered, and a likely unit mix-up is named."""
        data = self.obj(value, path, allowed, _MEASUREMENT_REQUIRED)
        if data is None or "value" not in data or "unit" not in data:
            return None
        unit = _UNITS.get(data["unit"]) if isinstance(data["unit"], str) else None
        if unit not in units:
            unit = None
            self.error(_join(path, "unit"), f"{_show(data['unit'])} is not accepted; use one of {', '.join(units)}")
        raw = data["value"]
        if not _is_number(raw):
            self.error(_join(path, "value"), f"must be a number, got {_kind(raw)}")
            return None
        if unit is None:
            return None
        if high is None:
            low_here, top_here = analyte.range_in[unit]
        else:
            low_here, top_here = analyte.range_in[unit][0], convert(analyte, high, analyte.spec.canonical, unit)
        if low_here <= raw <= top_here:
            return Measurement(analyte, float(raw), unit)
        spec = analyte.spec
        low, top = spec.hard_range[0], spec.hard_range[1] if high is None else high
        message = (
            f"{_number_text(raw)} {unit} is outside the accepted range {fmt(low_here, 4)} to {fmt(top_here, 4)} {unit}"
            f" for {spec.label}"
        )
        other = [u for u in units if u is not unit and convert(analyte, low, spec.canonical, u) <= raw
                 <= convert(analyte, top, spec.canonical, u)]  # fmt: skip
        if other:
            message += f"; is the unit {' or '.join(other)}?"
        self.error(_join(path, "value"), message)
        return None


def _is_number(value: Any) -> bool:
    """A JSON number: not a boolean, not NaN or infinity (a 400-digit integer is a number, range checks follow)."""
    kind = value.__class__
    if kind is float:
        return value - value == 0  # False for NaN and for +/- infinity
    if kind is int:
        return True
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return isinstance(value, int) or math.isfinite(value)


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return _show(value)
    if isinstance(value, str):
        return f"text {_show(value)}"
    return "a list" if isinstance(value, list) else "an object" if isinstance(value, dict) else type(value).__name__


def _number_text(value: float) -> str:
    """A number as received; an integer too large for a float is shown abbreviated instead of in full, and a float
    of 16 digits or more in exponent form ("1e+308", not 309 digits across a phone's screen)."""
    if abs(value) > _LARGEST_FLOAT:
        return _show(value)
    if abs(value) >= _EXPONENT_FROM:
        return f"{value:.6g}"
    return fmt(value, 4)


_EXPONENT_FROM = 1e15  # beyond a float's 15 exact digits, fixed-point digits say nothing


_SHOW = reprlib.Repr()
_SHOW.maxlevel, _SHOW.maxstring, _SHOW.maxother, _SHOW.maxlong = 2, 40, 40, 40


def _show(value: Any) -> str:
    """A short, safe rendering of what was received (deeply nested or huge values are abbreviated)."""
    return _SHOW.repr(value)


def parse_input(payload: Any) -> ParseResult:
    reader = _Reader()
    data = reader.obj(payload, "", TOP_LEVEL, ("patient", "transplant", "labs"))
    if data is None:
        return ParseResult(None, tuple(reader.errors))
    # A missing required section is already reported as "is required"; don't report it twice.
    patient = _patient(reader, data["patient"]) if "patient" in data else None
    transplant = _transplant(reader, data["transplant"]) if "transplant" in data else None
    labs = _labs(reader, data["labs"]) if "labs" in data else None
    setting = reader.choice(data["setting"], "setting", Setting) if "setting" in data else None
    immunosuppressants = _immunosuppressants(reader, data.get("immunosuppressants", []))
    medications = _medications(reader, data.get("medications", []), patient.age_years if patient else None)
    gi = _gi(reader, data.get("gi", {}))
    nutrition = _nutrition(reader, data.get("nutrition", {}))
    conditions = _unique_choices(reader, data.get("conditions", []), "conditions", Condition)
    symptoms = _unique_choices(reader, data.get("symptoms", []), "symptoms", Symptom)
    site = reader.obj(data.get("site", {}), "site", SITE_KEYS)
    site_unit = (
        (
            reader.unit_choice(site["magnesium_unit"], "site.magnesium_unit", MAGNESIUM_UNITS)
            if "magnesium_unit" in site
            else None
        )
        if site
        else None
    )
    ecg = reader.obj(data.get("ecg", {}), "ecg", ECG_KEYS)
    qtc = (reader.number(ecg["qtc_ms"], "ecg.qtc_ms", QTC_RANGE_MS, "ms") if "qtc_ms" in ecg else None) if ecg else None
    therapy = _therapy(reader, data.get("magnesium_therapy", {}))
    (reader.boolean(data["save"], "save") if "save" in data else None)
    if reader.errors:
        return ParseResult(None, tuple(reader.errors))
    return ParseResult(
        AssessmentInput(
            patient=patient,  # type: ignore[arg-type]
            transplant=transplant,  # type: ignore[arg-type]
            labs=labs,  # type: ignore[arg-type]
            setting=setting or Setting.INPATIENT,
            immunosuppressants=immunosuppressants,
            medications=medications,
            gi=gi,  # type: ignore[arg-type]
            nutrition=nutrition,  # type: ignore[arg-type]
            conditions=frozenset(conditions),
            symptoms=tuple(symptoms),
            qtc_ms=qtc,
            magnesium_therapy=therapy,  # type: ignore[arg-type]
            site_magnesium_unit=site_unit,
        ),
        (),
    )


def _patient(reader: _Reader, value: Any) -> Patient | None:
    data = reader.obj(value, "patient", PATIENT_KEYS, ("age_years",))
    if data is None:
        return None
    age = (
        reader.number(data["age_years"], "patient.age_years", AGE_RANGE_YEARS, "years") if "age_years" in data else None
    )
    if age is not None and age < NEONATE_BELOW_YEARS:
        reader.error(
            "patient.age_years",
            f"{fmt(age, 4)} years is a neonate (under 1 month, < {NEONATE_BELOW_YEARS} years): out of scope of"
            " HypoMag; follow neonatal guidance",
        )
        age = None
    sex = reader.choice(data["sex"], "patient.sex", Sex) if "sex" in data else None
    weight = (
        reader.number(data["weight_kg"], "patient.weight_kg", WEIGHT_RANGE_KG, "kg") if "weight_kg" in data else None
    )
    height = (
        reader.number(data["height_cm"], "patient.height_cm", HEIGHT_RANGE_CM, "cm") if "height_cm" in data else None
    )
    if age is not None and age < 18 and "weight_kg" not in data:
        reader.error("patient.weight_kg", "is required for a child (under 18 years): pediatric doses are per kg")
    return Patient(age, sex, weight, height) if age is not None else None


def _transplant(reader: _Reader, value: Any) -> Transplant | None:
    data = reader.obj(value, "transplant", TRANSPLANT_KEYS, ("type", "day"))
    if data is None:
        return None
    kind = reader.choice(data["type"], "transplant.type", TransplantType) if "type" in data else None
    day = reader.integer(data["day"], "transplant.day", DAY_RANGE, "days from transplant") if "day" in data else None
    return Transplant(kind, day) if kind is not None and day is not None else None


def _labs(reader: _Reader, value: Any) -> Labs | None:
    data = reader.obj(value, "labs", _LAB_KEYS, ("magnesium",))
    if data is None:
        return None
    values = {
        key: reader.measurement(data[key], path, analyte, units, allowed=allowed)
        for key, path, analyte, units, allowed in _LAB_READERS
        if key in data
    }
    age = None
    if isinstance(data.get("magnesium"), dict) and "age_hours" in data["magnesium"]:
        age = reader.number(data["magnesium"]["age_hours"], "labs.magnesium.age_hours", SAMPLE_AGE_RANGE_HOURS, "h")
    magnesium = values.pop("magnesium", None)
    if magnesium is None:
        return None
    return Labs(magnesium, magnesium_age_hours=age, **values)


def _immunosuppressants(reader: _Reader, value: Any) -> tuple[Immunosuppressant, ...]:
    if not isinstance(value, list):
        reader.error("immunosuppressants", f"must be a list, got {_kind(value)}")
        return ()
    items, seen = [], set()
    for index, raw in enumerate(value):
        path = f"immunosuppressants.{index}"
        data = reader.obj(raw, path, IMMUNOSUPPRESSANT_KEYS, ("drug",))
        if data is None:
            continue
        drug = reader.choice(data["drug"], f"{path}.drug", Drug) if "drug" in data else None
        route = reader.choice(data["route"], f"{path}.route", DrugRoute) if "route" in data else None
        if drug is None:
            continue
        if drug in seen:
            reader.error(f"{path}.drug", f"{drug} is listed twice; list each drug once")
            continue
        seen.add(drug)
        trough = None
        if "trough" in data:
            trough = reader.measurement(
                data["trough"], f"{path}.trough", Analyte.TROUGH, TROUGH_UNITS, high=TROUGH_RANGE_NG_ML[drug]
            )
        items.append(Immunosuppressant(drug, trough, route))
    return tuple(items)


def _medications(reader: _Reader, value: Any, age_years: float | None) -> tuple[Medication, ...]:
    """Each medication once; how long it has been taken, at most the patient's age in days (a longer time is a
    typing slip, not a history; without an age the other errors stand and no upper bound is checked)."""
    days_range = (0, math.ceil(age_years * DAYS_PER_YEAR) if age_years is not None else None)
    if not isinstance(value, list):
        reader.error("medications", f"must be a list, got {_kind(value)}")
        return ()
    items, seen = [], set()
    for index, raw in enumerate(value):
        path = f"medications.{index}"
        data = reader.obj(raw, path, MEDICATION_KEYS, ("id",))
        if data is None:
            continue
        med = reader.choice(data["id"], f"{path}.id", Med) if "id" in data else None
        days = (
            reader.integer(data["days"], f"{path}.days", days_range, "days taken, at most the patient's age")
            if "days" in data
            else None
        )
        if med is None:
            continue
        if med in seen:
            reader.error(f"{path}.id", f"{med} is listed twice; list each medication once")
            continue
        seen.add(med)
        items.append(Medication(med, days))
    return tuple(items)


def _unique_choices(reader: _Reader, value: Any, path: str, enum: type[E]) -> list[E]:
    if not isinstance(value, list):
        reader.error(path, f"must be a list, got {_kind(value)}")
        return []
    chosen: list[E] = []
    for index, raw in enumerate(value):
        item = reader.choice(raw, f"{path}.{index}", enum)
        if item is not None and item in chosen:
            reader.error(f"{path}.{index}", f"{item} is listed twice")
        elif item is not None:
            chosen.append(item)
    return chosen


def _gi(reader: _Reader, value: Any) -> GI | None:
    data = reader.obj(value, "gi", GI_KEYS)
    if data is None:
        return None
    return GI(
        diarrhea_ml_per_day=(
            reader.number(data["diarrhea_ml_per_day"], "gi.diarrhea_ml_per_day", DIARRHEA_RANGE_ML_DAY, "mL/day")
            if "diarrhea_ml_per_day" in data
            else None
        ),
        lower_gi_gvhd_stage=(
            reader.integer(data["lower_gi_gvhd_stage"], "gi.lower_gi_gvhd_stage", GRADE_RANGE, "stage")
            if "lower_gi_gvhd_stage" in data
            else None
        ),
        vomiting=bool(reader.boolean(data["vomiting"], "gi.vomiting") if "vomiting" in data else None),
        mucositis_grade=(
            reader.integer(data["mucositis_grade"], "gi.mucositis_grade", GRADE_RANGE, "grade")
            if "mucositis_grade" in data
            else None
        ),
        high_output_stoma=bool(
            reader.boolean(data["high_output_stoma"], "gi.high_output_stoma") if "high_output_stoma" in data else None
        ),
    )


def _nutrition(reader: _Reader, value: Any) -> Nutrition | None:
    data = reader.obj(value, "nutrition", NUTRITION_KEYS)
    if data is None:
        return None
    pn_mg = data.get("pn_mg_mmol_per_kg_day")
    if pn_mg is not None:
        # A larger number is almost always mmol/day typed as mmol/kg/day (section 2).
        pn_mg = reader.number(pn_mg, "nutrition.pn_mg_mmol_per_kg_day", PN_MG_RANGE_MMOL_KG_DAY, "mmol/kg/day")
    return Nutrition(
        oral_intake=(
            reader.choice(data["oral_intake"], "nutrition.oral_intake", OralIntake) if "oral_intake" in data else None
        ),
        parenteral_nutrition=bool(
            reader.boolean(data["parenteral_nutrition"], "nutrition.parenteral_nutrition")
            if "parenteral_nutrition" in data
            else None
        ),
        pn_mg_mmol_per_kg_day=pn_mg,
    )


def _therapy(reader: _Reader, value: Any) -> MagnesiumTherapy | None:
    data = reader.obj(value, "magnesium_therapy", THERAPY_KEYS)
    if data is None:
        return None
    return MagnesiumTherapy(
        oral_current=bool(
            reader.boolean(data["oral_current"], "magnesium_therapy.oral_current") if "oral_current" in data else None
        ),
        iv_magnesium_last_24h=bool(
            reader.boolean(data["iv_magnesium_last_24h"], "magnesium_therapy.iv_magnesium_last_24h")
            if "iv_magnesium_last_24h" in data
            else None
        ),
    )
