"""Warnings about magnesium itself: a recent infusion, hypermagnesemia, symptoms Mg does not explain, and
renal function (PROTOCOL.md sections 2, 3, 4 and 5).
"""

from __future__ import annotations

from .context import Context
from .inputs import URGENT_SYMPTOMS
from .renal import HALVE_BELOW_ML_MIN, SEVERE_BELOW_ML_MIN
from .renal import SOURCES as RENAL_SOURCES
from .results import Step, Warning
from .route import urgent_symptom_reasons
from .severity import ULN_MMOL_L
from .units import magnesium_all_units

RECENT_IV_MIN_HOURS = 6  # sample at least 6 h after the end of the infusion [S30]


def magnesium_cautions(ctx: Context) -> list[Warning]:
    data, warnings = ctx.data, []
    if data.magnesium_therapy.iv_magnesium_last_24h:
        warnings.append(
            Warning(
                "recent_iv_magnesium",
                f"IV magnesium in the last 24 h: confirm the sample was drawn at least {RECENT_IV_MIN_HOURS} h after"
                " the infusion ended. A level taken during or just after an infusion overstates the body's stores"
                " and can lead to a missed or repeated course.",
                ("magnesium_therapy.iv_magnesium_last_24h is true",),
                ("S30",),
            )
        )
    if ctx.mg_mmol_l > ULN_MMOL_L:
        warnings.append(
            Warning(
                "hypermagnesemia",
                "Hypermagnesemia: withhold Mg; check renal function; IV calcium is the antidote.",
                (f"Mg {magnesium_all_units(ctx.mg_mmol_l)} > ULN {ULN_MMOL_L} mmol/L",),
                ("S35", "S56"),
            )
        )
    explained = urgent_symptom_reasons(data, ctx.mg_mmol_l, ctx.grade, ctx.target)
    for symptom in data.symptoms:
        if symptom in URGENT_SYMPTOMS and symptom not in explained:
            warnings.append(
                Warning(
                    "symptoms_not_explained_by_mg",
                    f"{symptom} is not explained by this Mg level: look at calcium, potassium and calcineurin"
                    " inhibitor neurotoxicity.",
                    (f"{symptom} with Mg {magnesium_all_units(ctx.mg_mmol_l)}, CTCAE grade {ctx.grade}",),
                    ("S67",),
                )
            )
    return warnings


def renal_cautions(ctx: Context) -> tuple[list[Warning], list[Step]]:
    """Renal warnings appear only when Mg is to be given (PROTOCOL.md section 5)."""
    if not ctx.replacing:
        return [], []
    renal, warnings, steps = ctx.renal, [], []
    because = renal.because
    if renal.unknown:
        warnings.append(
            Warning(
                "renal_function_unknown",
                f"Renal function unknown (missing: {', '.join(renal.missing)}): give the first dose only, at full"
                " strength; further doses wait for renal function.",
                because,
                RENAL_SOURCES,
            )
        )
    if renal.below_15:
        warnings.append(
            Warning(
                "severe_renal_impairment",
                f"Renal function below {SEVERE_BELOW_ML_MIN} mL/min, dialysis or oliguria: no routine replacement"
                " without renal advice; label cap 20 g per 48 h; no daily continuation without a level.",
                because,
                ("S35", "S30"),
            )
        )
    if renal.below_30:
        text = (
            f"Renal function below {HALVE_BELOW_ML_MIN} mL/min (or AKI): every non-urgent dose is halved;"
            " avoid magnesium aspartate."
        )
        warnings.append(Warning("renal_dose_reduction", text, because, RENAL_SOURCES))
        warnings.append(
            Warning(
                "hypermagnesemia_risk",
                "Reduced Mg excretion: risk of hypermagnesemia. Watch reflexes, blood pressure and respiratory rate"
                " during infusion; keep IV calcium at hand.",
                because,
                ("S35",),
            )
        )
        steps.append(Step("renal_dose_reduction", text, because, RENAL_SOURCES))
    return warnings, steps
