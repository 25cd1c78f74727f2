"""FEMg interpretation (PROTOCOL.md section 9, KNOWLEDGE.md section 4) [S50, S51, S52].

The calculation itself (`calculators.femg`) converts both Mg values and both creatinines to mmol/L first. Here:
whether the result can be read (renal function >= 60 mL/min and no IV Mg in the last 24 h) and its band.
"""

from __future__ import annotations

from . import calculators
from .inputs import AssessmentInput
from .renal import RenalStatus
from .results import Calculation
from .units import fmt

FEMG_MIN_RENAL_FUNCTION_ML_MIN = 60  # a design choice (KNOWLEDGE.md section 11 item 7)
FEMG_EXTRARENAL_BELOW = 2.0  # < 2 %: extrarenal [S50, S51, S52]
FEMG_RENAL_ABOVE = 4.0  # > 4 %: renal wasting; 2-4 % inclusive: indeterminate
FEMG_SOURCES = ("S50", "S51", "S52")
EXTRARENAL, INDETERMINATE, RENAL_WASTING, NOT_INTERPRETABLE = (
    "extrarenal",
    "indeterminate",
    "renal_wasting",
    "not_interpretable",
)
IV_MAGNESIUM_LAST_24H, RENAL_FUNCTION_BELOW_60, RENAL_FUNCTION_UNKNOWN = (
    "iv_magnesium_last_24h",
    "renal_function_below_60",
    "renal_function_unknown",
)


def femg(data: AssessmentInput) -> Calculation | None:
    """Computed when urine Mg, urine creatinine and serum creatinine are given."""
    labs = data.labs
    if labs.urine_magnesium is None or labs.urine_creatinine is None or labs.creatinine is None:
        return None
    return calculators.femg(
        urine_magnesium=labs.urine_magnesium,
        serum_magnesium=labs.magnesium,
        urine_creatinine=labs.urine_creatinine,
        creatinine=labs.creatinine,
    )


REASON_WORDS = {
    IV_MAGNESIUM_LAST_24H: "IV magnesium in the last 24 h",
    RENAL_FUNCTION_BELOW_60: f"renal function below {FEMG_MIN_RENAL_FUNCTION_ML_MIN} mL/min, dialysis, oliguria or AKI",
    RENAL_FUNCTION_UNKNOWN: "renal function unknown",
}


def femg_because(value: float, interpretation: str | None, reason: str | None) -> tuple[str, ...]:
    """'FEMg 3.22 %: 2-4 % is indeterminate', or why it cannot be read."""
    shown = f"FEMg {fmt(value)} %"
    if reason is not None:
        return (f"{shown} is not interpretable: {REASON_WORDS[reason]}",)
    if interpretation == EXTRARENAL:
        band = f"below {fmt(FEMG_EXTRARENAL_BELOW)} % points to extrarenal loss"
    elif interpretation == RENAL_WASTING:
        band = f"above {fmt(FEMG_RENAL_ABOVE)} % points to renal wasting"
    else:
        band = f"{fmt(FEMG_EXTRARENAL_BELOW)}-{fmt(FEMG_RENAL_ABOVE)} % is indeterminate"
    return (f"{shown}: {band}",)


def femg_interpretation(
    value: float | None, data: AssessmentInput, renal: RenalStatus
) -> tuple[str | None, str | None]:
    """(interpretation, reason it is not interpretable): the first reason that applies."""
    if value is None:
        return None, None
    value = round(value, 10)  # 4.000000000000001 % is 4 %: float noise must not cross a band edge
    if data.magnesium_therapy.iv_magnesium_last_24h:
        return NOT_INTERPRETABLE, IV_MAGNESIUM_LAST_24H
    if renal.conditions or (
        renal.function_ml_min is not None and renal.function_ml_min < FEMG_MIN_RENAL_FUNCTION_ML_MIN
    ):
        return NOT_INTERPRETABLE, RENAL_FUNCTION_BELOW_60
    if renal.unknown:
        return NOT_INTERPRETABLE, RENAL_FUNCTION_UNKNOWN
    if value < FEMG_EXTRARENAL_BELOW:
        return EXTRARENAL, None
    return (RENAL_WASTING if value > FEMG_RENAL_ABOVE else INDETERMINATE), None
