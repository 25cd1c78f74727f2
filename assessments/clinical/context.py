"""The facts every later rule reads, computed once per assessment in `engine.assess` and passed down.

Each lab value is converted once here (Mg, K, calcium), so the rules compare numbers instead of converting again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .inputs import AssessmentInput, Condition
from .route import IV, IV_URGENT, NONE, ORAL, RouteDecision

if TYPE_CHECKING:
    from .dose import DoseContext
    from .electrolytes import CalciumStatus
    from .plausibility import UnitCheck
    from .renal import RenalStatus
    from .results import Calculation, Cause, Dose, MagnesiumReading, Step
    from .severity import Target


@dataclass(frozen=True)
class Context:
    data: AssessmentInput
    reading: MagnesiumReading
    grade: int
    target: Target
    decision: RouteDecision
    renal: RenalStatus
    dose: Dose | None
    femg: Calculation | None
    femg_interpretation: str | None
    femg_reason: str | None  # why FEMg is not interpretable (section 9), else None
    causes: tuple[Cause, ...]
    calcium: CalciumStatus
    potassium_mmol_l: float | None
    qtc_level: str | None
    qtc_because: tuple[str, ...]
    qt_drugs: tuple[str, ...]
    unit_check: UnitCheck | None
    oral_interacting: tuple[str, ...]  # drugs that get an `oral_mg_interaction` warning (section 12)
    dosing: DoseContext  # what the dose was computed from (the reference bolus line reuses it)
    renal_step: Step | None  # section 5's `renal_dose_reduction` step, worded with its warning

    @property
    def route(self) -> str:
        return self.decision.route

    @property
    def replacing(self) -> bool:
        return self.route != NONE

    @property
    def intravenous(self) -> bool:
        return self.route in (IV, IV_URGENT)

    @property
    def urgent(self) -> bool:
        return bool(self.data.urgent_symptoms)

    @property
    def oral_magnesium(self) -> bool:
        """Oral Mg is given now or planned: the spacing of interacting drugs matters (section 12)."""
        return self.route == ORAL or self.data.magnesium_therapy.oral_current

    @property
    def mg_mmol_l(self) -> float:
        return self.reading.mmol_per_l

    @property
    def below_target(self) -> bool:
        return self.reading.mmol_per_l < self.target.mmol_per_l

    @property
    def heart_block(self) -> bool:
        return Condition.HEART_BLOCK in self.data.conditions

    @property
    def first_degree_av_block(self) -> bool:
        """A first-degree block alone; with both conditions, `heart_block` rules (section 12)."""
        return Condition.FIRST_DEGREE_AV_BLOCK in self.data.conditions and not self.heart_block

    @property
    def unit_may_be_low(self) -> bool:
        """Above the ULN as entered but low in another unit: unit check of kind P1 (section 2.1)."""
        return self.unit_check is not None and self.unit_check.kind == "P1"

    @property
    def unit_in_doubt(self) -> bool:
        """Above the ULN as entered but not in another unit's reading: kinds P1 and P1b (section 3's wording)."""
        return self.unit_check is not None and self.unit_check.kind in ("P1", "P1b")

    @property
    def follow_on(self) -> Dose | None:
        return self.dose.follow_on if self.dose is not None else None
