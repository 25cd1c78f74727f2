"""Co-electrolytes and order of correction (PROTOCOL.md section 6, KNOWLEDGE.md sections 5, 6.8).

Takes potassium and calcium (total with albumin, or ionized) as entered; returns the warnings and steps that
say to replace Mg first or together, and the hyperkalemia and K-sparing cautions.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import calculators
from .context import Context
from .inputs import AssessmentInput, Med
from .results import Calculation, Step, Warning
from .units import Unit, fmt

K_LOW_MMOL_L = 3.5  # [S29, S47]
K_HIGH_MMOL_L = 5.0  # [S74]
K_ECG_NOW_MMOL_L = 6.0
IONIZED_CA_LOW_MMOL_L = 1.15  # [S29, S49]
CORRECTED_CA_LOW_MMOL_L = 2.20  # [S29, S49]
# Floating-point noise (1.88 + 0.02 x 16 = 2.1999999999999997) must not move a corrected Ca across the cut-off
# (the same guard as `units.convert`).
_PRECISION = 10

K_FIRST_SOURCES = ("S29", "S47")
CA_FIRST_SOURCES = ("S29", "S49")
HYPERKALEMIA_SOURCES = ("S74",)


def potassium_mmol_l(data: AssessmentInput) -> float | None:
    k = data.labs.potassium
    return None if k is None else k.in_(Unit.MMOL_L)


@dataclass(frozen=True)
class CalciumStatus:
    low: bool
    because: str | None
    corrected: Calculation | None


def calcium_status(data: AssessmentInput) -> CalciumStatus:
    """Ionized Ca alone decides when given; else albumin-corrected total Ca; else total Ca, uncorrected."""
    labs = data.labs
    corrected = None
    if labs.calcium_total is not None and labs.albumin is not None:
        corrected = calculators.corrected_calcium(calcium_total=labs.calcium_total, albumin=labs.albumin)
    if labs.calcium_ionized is not None:
        value = labs.calcium_ionized.in_(Unit.MMOL_L)
        low = value < IONIZED_CA_LOW_MMOL_L
        relation = "<" if low else ">="
        return CalciumStatus(
            low,
            f"ionized Ca {fmt(value)} mmol/L {relation} {IONIZED_CA_LOW_MMOL_L} mmol/L (ionized decides)",
            corrected,
        )
    if corrected is not None:
        low = round(corrected.value, _PRECISION) < CORRECTED_CA_LOW_MMOL_L
        relation = "<" if low else ">="
        return CalciumStatus(low, f"corrected Ca {corrected.working}, {relation} {CORRECTED_CA_LOW_MMOL_L}", corrected)
    if labs.calcium_total is not None:
        value = labs.calcium_total.in_(Unit.MMOL_L)
        low = value < CORRECTED_CA_LOW_MMOL_L
        relation = "<" if low else ">="
        return CalciumStatus(
            low,
            f"total Ca {fmt(value)} mmol/L {relation} {CORRECTED_CA_LOW_MMOL_L} mmol/L, uncorrected (no albumin given)",
            None,
        )
    return CalciumStatus(False, None, None)


def _k_first(k: float) -> tuple[str, tuple[str, ...]]:
    return (
        "Replace Mg first or together with potassium: hypokalemia stays refractory until Mg is replaced."
        " Never delay potassium for a severe or symptomatic deficit.",
        (f"K {fmt(k)} mmol/L < {K_LOW_MMOL_L} mmol/L", "Mg replacement planned"),
    )


def _ca_first(because: str) -> tuple[str, tuple[str, ...]]:
    return (
        "Replace Mg first or together with calcium: hypocalcemia does not correct until Mg is replaced."
        " Never delay IV calcium for tetany, seizure or a severe deficit.",
        (because, "Mg replacement planned"),
    )


def electrolyte_findings(ctx: Context) -> tuple[list[Warning], list[Step]]:
    warnings: list[Warning] = []
    steps: list[Step] = []
    data = ctx.data
    k = potassium_mmol_l(data)
    if k is not None and k < K_LOW_MMOL_L and ctx.replacing:
        text, because = _k_first(k)
        warnings.append(Warning("replete_mg_before_k", text, because, K_FIRST_SOURCES))
        steps.append(Step("replete_mg_before_k", text, because, K_FIRST_SOURCES))
    if k is not None and k > K_HIGH_MMOL_L:
        text = "Hyperkalemia: give no potassium supplement and stop potassium-sparing diuretics."
        if k >= K_ECG_NOW_MMOL_L:
            text += " ECG now; follow the local hyperkalemia protocol."
        warnings.append(
            Warning("hyperkalemia", text, (f"K {fmt(k)} mmol/L > {K_HIGH_MMOL_L} mmol/L",), HYPERKALEMIA_SOURCES)
        )
    cnis = [i.drug.value for i in data.cnis]
    if data.has(Med.AMILORIDE) and cnis:
        warnings.append(
            Warning(
                "potassium_sparing_with_cni",
                "Amiloride with a calcineurin inhibitor: risk of hyperkalemia; check potassium.",
                (f"amiloride with {', '.join(cnis)}",),
                HYPERKALEMIA_SOURCES,
            )
        )
    calcium = calcium_status(data)
    if calcium.low and ctx.replacing:
        text, because = _ca_first(calcium.because)  # type: ignore[arg-type]
        warnings.append(Warning("replete_mg_before_ca", text, because, CA_FIRST_SOURCES))
        steps.append(Step("replete_mg_before_ca", text, because, CA_FIRST_SOURCES))
    return warnings, steps
