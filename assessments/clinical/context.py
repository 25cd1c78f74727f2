"""The facts every later rule reads, computed once per assessment in `engine.assess` and passed down."""

from __future__ import annotations

from dataclasses import dataclass

from .inputs import AssessmentInput
from .renal import RenalStatus
from .results import Calculation, Cause, Dose, MagnesiumReading
from .route import IV, IV_URGENT, NONE, ORAL, RouteDecision


@dataclass(frozen=True)
class Context:
    data: AssessmentInput
    reading: MagnesiumReading
    grade: int
    target: float
    decision: RouteDecision
    renal: RenalStatus
    dose: Dose | None
    femg: Calculation | None
    femg_interpretation: str | None
    causes: tuple[Cause, ...]

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
    def oral_magnesium(self) -> bool:
        """Oral Mg is given now or planned: the spacing of interacting drugs matters (section 12)."""
        return self.route == ORAL or self.data.magnesium_therapy.oral_current

    @property
    def mg_mmol_l(self) -> float:
        return self.reading.mmol_per_l
