"""What an assessment returns: dataclasses that mirror the contract output (`../shared/contract/README.md`,
"Output"). Every item a clinician acts on carries `because` (the inputs that triggered it) and `references` (source
ids of KNOWLEDGE.md).

Each result is built once, by the rule that owns it, and never changed afterwards. They are slotted rather than
frozen: a frozen dataclass sets every field through `object.__setattr__`, which made building the 30-odd items of
one assessment several times slower (issue 16); the inputs (`inputs.py`) are slotted for the same reason.
"""

from __future__ import annotations

from dataclasses import dataclass

from .units import Measurement


@dataclass(slots=True)
class MagnesiumReading:
    entered: Measurement
    mmol_per_l: float
    mg_per_dl: float
    meq_per_l: float
    lln: Measurement  # as entered by the lab, or the default in the unit graded
    lln_mmol_per_l: float
    lln_from_lab: bool
    above_uln: bool


@dataclass(slots=True)
class Severity:
    ctcae_grade: int
    category: str
    clinical_severity: str
    symptomatic: bool
    urgent: bool
    because: tuple[str, ...]
    references: tuple[str, ...]


@dataclass(slots=True)
class Calculation:
    """One calculator's result with its working, so the arithmetic on screen can be checked by hand."""

    id: str
    label: str
    value: float
    unit: str
    formula: str
    working: str
    references: tuple[str, ...]


@dataclass(slots=True)
class Derived:
    crcl_ml_min: float | None
    egfr_ml_min_1_73m2: float | None
    schwartz_egfr_ml_min_1_73m2: float | None
    renal_function_ml_min: float | None
    renal_sex_assumption: str | None
    corrected_calcium_mmol_per_l: float | None
    femg_percent: float | None
    femg_interpretation: str | None
    femg_not_interpretable_reason: str | None
    target_mmol_per_l: float
    calculations: tuple[Calculation, ...]
    # Why each derived figure is what it is, and where from: {"target" | "lln" | "femg": (because, references)}.
    basis: dict[str, tuple[tuple[str, ...], tuple[str, ...]]]


@dataclass(slots=True)
class Cause:
    id: str
    label: str
    score: int
    likelihood: str
    evidence: str
    because: tuple[str, ...]
    references: tuple[str, ...]


@dataclass(slots=True)
class Dose:
    """One regimen. Fields that do not apply are None (contract README, 'dose'); `text` is built from these same
    values, never from a fixed string (PROTOCOL.md section 5)."""

    text: str
    because: tuple[str, ...]
    references: tuple[str, ...]
    renal_adjusted: bool = False
    follow_on: Dose | None = None
    mmol: float | None = None
    grams_mgso4: float | None = None
    ml_50_percent: float | None = None
    volume_ml: float | None = None
    duration_hours: float | None = None
    rate_mg_per_min: float | None = None
    max_rate_mg_per_min: float | None = None
    pump_rate_ml_per_h: float | None = None
    concentration_percent: float | None = None
    per_kg_mmol: float | None = None
    mmol_before_cap: float | None = None
    weight_kg: float | None = None  # the weight a per-kg dose was computed from
    mmol_per_day_min: float | None = None
    mmol_per_day_max: float | None = None
    mmol_per_dose_min: float | None = None
    mmol_per_dose_max: float | None = None
    start_mmol_per_day: float | None = None
    doses_per_day: int | None = None  # oral doses: how often the per-dose amount is given


@dataclass(slots=True)
class Step:
    id: str
    text: str
    because: tuple[str, ...]
    references: tuple[str, ...]


@dataclass(slots=True)
class UnitReading:
    """The entered number taken as a value in another unit (PROTOCOL.md section 2.1)."""

    unit: str
    mmol_per_l: float
    ctcae_grade: int
    above_uln: bool
    tier: str  # none | oral | iv: the route by level alone


@dataclass(slots=True)
class Warning:
    id: str
    text: str
    because: tuple[str, ...]
    references: tuple[str, ...]
    drug: str | None = None
    readings: tuple[UnitReading, ...] | None = None  # the unit_check warning only


@dataclass(slots=True)
class Reminder:
    id: str
    text: str
    due_in_hours: float
    because: tuple[str, ...]
    references: tuple[str, ...]


@dataclass(slots=True)
class Plan:
    route: str
    reasons: tuple[str, ...]
    dose: Dose | None
    steps: tuple[Step, ...]


@dataclass(slots=True)
class Assessment:
    ruleset: str
    magnesium: MagnesiumReading
    severity: Severity
    derived: Derived
    causes: tuple[Cause, ...]
    plan: Plan
    warnings: tuple[Warning, ...]
    reminders: tuple[Reminder, ...]
    missing: tuple[str, ...]
    magnesium_age_hours: float | None = None
