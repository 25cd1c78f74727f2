"""Renal function used for dosing (PROTOCOL.md section 5, "Renal adjustment") [S30, S35, S29].

Adults: the lower of Cockcroft-Gault CrCl (actual body weight) and CKD-EPI 2021 eGFR, whichever can be
computed. Children: bedside Schwartz eGFR when the height is given. Dialysis and oliguria count as < 15 mL/min,
AKI as < 30 mL/min, because a creatinine-based estimate overstates the GFR while creatinine rises; the computed
value is still reported as computed.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import calculators
from .inputs import AssessmentInput, Condition
from .results import Calculation
from .units import fmt

HALVE_BELOW_ML_MIN = 30  # halve every non-urgent dose below 30 mL/min [S30, S29]
SEVERE_BELOW_ML_MIN = 15  # no routine replacement without renal advice; label cap 20 g per 48 h [S35]
SOURCES = calculators.RENAL_RULE_SOURCES

_SEVERE_CONDITIONS = (Condition.DIALYSIS, Condition.OLIGURIA)


@dataclass(frozen=True)
class RenalStatus:
    crcl: Calculation | None
    egfr: Calculation | None
    schwartz: Calculation | None
    function_ml_min: float | None
    below_30: bool
    below_15: bool
    unknown: bool
    missing: tuple[str, ...]
    because: tuple[str, ...]

    @property
    def calculations(self) -> tuple[Calculation, ...]:
        return tuple(c for c in (self.crcl, self.egfr, self.schwartz) if c is not None)


def renal_status(data: AssessmentInput) -> RenalStatus:
    patient, creatinine = data.patient, data.labs.creatinine
    crcl = egfr = schwartz = None
    missing = [] if creatinine is not None else ["labs.creatinine"]
    if patient.is_adult:
        if patient.sex is None:
            missing.append("patient.sex")
        if patient.weight_kg is None:
            missing.append("patient.weight_kg")
        if creatinine is not None and patient.sex is not None:
            egfr = calculators.ckd_epi_2021(age_years=patient.age_years, sex=patient.sex, creatinine=creatinine)
            if patient.weight_kg is not None:
                crcl = calculators.cockcroft_gault(
                    age_years=patient.age_years, sex=patient.sex, weight_kg=patient.weight_kg, creatinine=creatinine
                )
    else:
        if patient.height_cm is None:
            missing.append("patient.height_cm")
        elif creatinine is not None:
            schwartz = calculators.bedside_schwartz(height_cm=patient.height_cm, creatinine=creatinine)
    computed = [c.value for c in (crcl, egfr, schwartz) if c is not None]
    function = min(computed) if computed else None

    because = []
    if function is not None:
        because.append(f"renal function used {fmt(function)} mL/min (the lowest estimate that could be computed)")
    severe_conditions = [c for c in _SEVERE_CONDITIONS if c in data.conditions]
    because.extend(f"{c} counts as renal function below {SEVERE_BELOW_ML_MIN} mL/min" for c in severe_conditions)
    aki = Condition.AKI in data.conditions
    if aki:
        because.append(f"aki counts as renal function below {HALVE_BELOW_ML_MIN} mL/min")
    below_15 = bool(severe_conditions) or (function is not None and function < SEVERE_BELOW_ML_MIN)
    below_30 = below_15 or aki or (function is not None and function < HALVE_BELOW_ML_MIN)
    unknown = function is None and not severe_conditions and not aki
    if unknown:
        because.append(f"renal function cannot be computed: missing {', '.join(missing)}")
    return RenalStatus(
        crcl=crcl,
        egfr=egfr,
        schwartz=schwartz,
        function_ml_min=function,
        below_30=below_30,
        below_15=below_15,
        unknown=unknown,
        missing=tuple(missing),
        because=tuple(because),
    )
