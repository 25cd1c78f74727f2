"""The facts every later rule reads, computed once per assessment in `engine.assess` and passed down.

Each lab value is converted once (Mg, K, calcium) and each question the rules ask many times (the route, whether Mg
is being replaced, below the target, heart block) is answered once here, as a plain field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .inputs import AssessmentInput, Condition, Drug
from .route import IV, IV_URGENT, NONE, RouteDecision

if TYPE_CHECKING:
    from .dose import DoseContext
    from .electrolytes import CalciumStatus
    from .plausibility import UnitCheck
    from .renal import RenalStatus
    from .results import Calculation, Cause, Dose, MagnesiumReading, Step, Warning
    from .severity import Target


@dataclass(slots=True)
class Context:
    data: AssessmentInput
    reading: MagnesiumReading
    grade: int
    grade_text: str  # the comparison that gave the grade, in the unit graded
    target: Target
    decision: RouteDecision
    renal: RenalStatus
    dose: Dose | None
    femg: Calculation | None
    femg_interpretation: str | None
    femg_reason: str | None  # why FEMg is not interpretable (section 9), else None
    causes: tuple[Cause, ...]
    troughs_above: dict[Drug, tuple[str, int]]  # drugs whose trough is above range, with the sentence (section 10)
    calcium: CalciumStatus
    potassium_mmol_l: float | None
    qtc_level: str | None
    qtc_because: tuple[str, ...]
    qt_drugs: tuple[str, ...]
    unit_check: UnitCheck | None
    oral_interacting: tuple[str, ...]  # drugs that get an `oral_mg_interaction` warning (section 12)
    dosing: DoseContext  # what the dose was computed from (the reference bolus line reuses it)
    renal_warnings: tuple[Warning, ...]  # section 5's renal warnings (only when Mg is given)
    renal_step: Step | None  # section 5's `renal_dose_reduction` step, worded with its warning
    # Answered once from the fields above.
    route: str = field(init=False)
    replacing: bool = field(init=False)
    intravenous: bool = field(init=False)
    urgent: bool = field(init=False)  # an urgent symptom is given (section 3)
    mg_mmol_l: float = field(init=False)
    below_target: bool = field(init=False)
    heart_block: bool = field(init=False)
    first_degree_av_block: bool = field(init=False)  # alone: with both conditions `heart_block` rules (section 12)
    unit_may_be_low: bool = field(init=False)  # unit check P1: above the ULN as entered, low in another unit
    unit_in_doubt: bool = field(init=False)  # unit check P1 or P1b (section 3's hypermagnesemia wording)
    follow_on: Dose | None = field(init=False)

    def __post_init__(self) -> None:
        route = self.route = self.decision.route
        self.replacing = route != NONE
        self.intravenous = route in (IV, IV_URGENT)
        self.urgent = bool(self.data.urgent_symptoms)
        self.mg_mmol_l = self.reading.mmol_per_l
        self.below_target = self.mg_mmol_l < self.target.mmol_per_l
        conditions = self.data.conditions
        self.heart_block = Condition.HEART_BLOCK in conditions
        self.first_degree_av_block = Condition.FIRST_DEGREE_AV_BLOCK in conditions and not self.heart_block
        kind = self.unit_check.kind if self.unit_check is not None else None
        self.unit_may_be_low = kind == "P1"
        self.unit_in_doubt = kind in ("P1", "P1b")
        self.follow_on = self.dose.follow_on if self.dose is not None else None
