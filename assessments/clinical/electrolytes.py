"""Co-electrolytes and order of correction (PROTOCOL.md section 6, KNOWLEDGE.md sections 5, 6.8).

Takes potassium and calcium (ionized, or total with albumin) as entered, the symptoms and the drugs; returns the
warnings that say to give Mg with potassium or calcium, the hyperkalemia, K-sparing and digoxin cautions, the
`give_iv_calcium_now` and `consider_holding_foscarnet` steps, and the facts the ECG and "check now" reminders need.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import calculators
from .context import Context
from .inputs import POTASSIUM_SPARING, AssessmentInput, Med, Symptom
from .results import Calculation, Step, Warning
from .units import Unit, fmt
from .wording import capitalized, plain_list

K_LOW_MMOL_L = 3.5  # [S29, S47]
K_SEVERE_LOW_MMOL_L = 3.0  # CTCAE hypokalemia grade 3 [S17]
K_HIGH_MMOL_L = 5.0  # [S74]
K_ECG_NOW_MMOL_L = 6.0  # [S74]
MG_ECG_NOW_MMOL_L = 0.5  # Mg < 0.5 mmol/L without a QTc: baseline ECG (K section 7, unconfirmed; open question 9)
IONIZED_CA_LOW_MMOL_L = 1.15  # [S29, S49]
CORRECTED_CA_LOW_MMOL_L = 2.20  # [S29, S49]
# Floating-point noise (1.88 + 0.02 x 16 = 2.1999999999999997) must not move a corrected Ca across the cut-off
# (the same guard as `units.convert`).
_PRECISION = 10
# The thresholds as the texts write them (the same numbers, formatted once).
K_LOW_WORDS = fmt(K_LOW_MMOL_L)
K_SEVERE_LOW_WORDS = fmt(K_SEVERE_LOW_MMOL_L)
K_HIGH_WORDS = fmt(K_HIGH_MMOL_L)
IONIZED_CA_LOW_WORDS = fmt(IONIZED_CA_LOW_MMOL_L)
CORRECTED_CA_LOW_WORDS = fmt(CORRECTED_CA_LOW_MMOL_L)
MG_ECG_NOW_WORDS = fmt(MG_ECG_NOW_MMOL_L)
HYPOCALCEMIA_SYMPTOMS = (Symptom.SEIZURE, Symptom.TETANY)  # with low calcium: IV calcium now (M5)

K_WITH_MG_SOURCES = ("S29", "S47")
CA_WITH_MG_SOURCES = ("S29", "S49")
HYPERKALEMIA_SOURCES = ("S74",)
K_SPARING_SOURCES = ("S74", "S102")
IV_CALCIUM_SOURCES = ("S29", "S49")
ANTIDOTE_SOURCES = ("S35",)
FOSCARNET_SOURCES = ("S12", "S86")
DIGOXIN_SOURCES = ("S30", "S101")
ECG_NOW_SOURCES = ("S101", "S17")
CHECK_NOW_SOURCES = ("S29", "S47", "S49")

REPLETE_MG_BEFORE_K = (
    "Give Mg with potassium: hypokalemia stays refractory until Mg is replaced; never delay potassium for a severe or"
    " symptomatic deficit."
)
REPLETE_MG_BEFORE_CA = (
    "Give Mg together with calcium replacement: hypocalcemia does not correct while Mg is low. IV calcium for tetany,"
    " seizure or a severe deficit is never delayed for Mg."
)


def potassium_mmol_l(data: AssessmentInput) -> float | None:
    k = data.labs.potassium
    return None if k is None else k.in_(Unit.MMOL_L)


@dataclass(slots=True)  # built once per assessment, never changed: slotted for speed
class CalciumStatus:
    low: bool
    kind: str | None  # "ionized" | "corrected" | "total" (uncorrected) | None when no calcium was given
    mmol_per_l: float | None
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
        because = f"ionized Ca {fmt(value)} mmol/L {relation} {IONIZED_CA_LOW_WORDS} mmol/L (ionized decides)"
        return CalciumStatus(low, "ionized", value, because, corrected)
    if corrected is not None:
        value = round(corrected.value, _PRECISION)
        low = value < CORRECTED_CA_LOW_MMOL_L
        relation = "<" if low else ">="
        because = f"corrected Ca {corrected.working}, {relation} {CORRECTED_CA_LOW_WORDS} mmol/L"
        return CalciumStatus(low, "corrected", value, because, corrected)
    if labs.calcium_total is not None:
        value = labs.calcium_total.in_(Unit.MMOL_L)
        low = value < CORRECTED_CA_LOW_MMOL_L
        relation = "<" if low else ">="
        because = (
            f"total Ca {fmt(value)} mmol/L {relation} {CORRECTED_CA_LOW_WORDS} mmol/L, uncorrected (no albumin given)"
        )
        return CalciumStatus(low, "total", value, because, None)
    return CalciumStatus(False, None, None, None, None)


def electrolyte_warnings(ctx: Context) -> list[Warning]:
    warnings: list[Warning] = []
    data, k = ctx.data, ctx.potassium_mmol_l
    if k is not None and k < K_LOW_MMOL_L and ctx.replacing:
        warnings.append(Warning("replete_mg_before_k", REPLETE_MG_BEFORE_K, _k_because(k), K_WITH_MG_SOURCES))
    if k is not None and k > K_HIGH_MMOL_L:
        text = "Hyperkalemia: give no potassium supplement and stop potassium-sparing diuretics."
        if k >= K_ECG_NOW_MMOL_L:
            text += " ECG now; follow the local hyperkalemia protocol."
        because = (f"K {fmt(k)} mmol/L > {K_HIGH_WORDS} mmol/L",)
        warnings.append(Warning("hyperkalemia", text, because, HYPERKALEMIA_SOURCES))
    sparing = [m for m in POTASSIUM_SPARING if m in data.by_med]
    if sparing and data.on_cni:
        cnis = plain_list(i.drug for i in data.cnis)
        warnings.append(
            Warning(
                "potassium_sparing_with_cni",
                f"{capitalized(plain_list(sparing))} with {cnis}: risk of hyperkalemia (the calcineurin inhibitor"
                " labels advise avoiding potassium-sparing diuretics); check potassium.",
                (f"{plain_list(sparing)} with {cnis}",),
                K_SPARING_SOURCES,
            )
        )
    if ctx.calcium.low and ctx.replacing:
        warnings.append(Warning("replete_mg_before_ca", REPLETE_MG_BEFORE_CA, _ca_because(ctx), CA_WITH_MG_SOURCES))
    digoxin = digoxin_toxicity_risk(ctx)
    if digoxin:
        warnings.append(
            Warning(
                "digoxin_toxicity_risk",
                "Low Mg and/or K increase the risk of digoxin toxicity: check the digoxin level and an ECG.",
                ("digoxin listed", *digoxin),
                DIGOXIN_SOURCES,
            )
        )
    return warnings


def _k_because(k: float) -> tuple[str, ...]:
    return (f"K {fmt(k)} mmol/L < {K_LOW_WORDS} mmol/L", "Mg replacement planned")


def _ca_because(ctx: Context) -> tuple[str, ...]:
    return (ctx.calcium.because or "", "Mg replacement planned")


def replete_mg_before_k_step(ctx: Context) -> Step | None:
    k = ctx.potassium_mmol_l
    if k is None or k >= K_LOW_MMOL_L or not ctx.replacing:
        return None
    return Step("replete_mg_before_k", REPLETE_MG_BEFORE_K, _k_because(k), K_WITH_MG_SOURCES)


def replete_mg_before_ca_step(ctx: Context) -> Step | None:
    if not (ctx.calcium.low and ctx.replacing):
        return None
    return Step("replete_mg_before_ca", REPLETE_MG_BEFORE_CA, _ca_because(ctx), CA_WITH_MG_SOURCES)


def digoxin_toxicity_risk(ctx: Context) -> tuple[str, ...]:
    """The findings that raise digoxin toxicity: Mg below the target (not above the ULN) or K < 3.5 (M6)."""
    if not ctx.data.has(Med.DIGOXIN):
        return ()
    found = []
    if ctx.below_target and not ctx.reading.above_uln:
        found.append(f"Mg {fmt(ctx.mg_mmol_l)} mmol/L below the target {fmt(ctx.target.mmol_per_l)} mmol/L")
    k = ctx.potassium_mmol_l
    if k is not None and k < K_LOW_MMOL_L:
        found.append(f"K {fmt(k)} mmol/L < {K_LOW_WORDS} mmol/L")
    return tuple(found)


def symptomatic_hypocalcemia(ctx: Context) -> tuple[Symptom, ...]:
    """Tetany or seizure with low calcium, whatever the Mg and the route (M5)."""
    if not ctx.calcium.low:
        return ()
    return tuple(s for s in ctx.data.symptoms if s in HYPOCALCEMIA_SYMPTOMS)


def give_iv_calcium_now_step(ctx: Context) -> Step | None:
    symptoms = symptomatic_hypocalcemia(ctx)
    if not symptoms:
        return None
    calcium = ctx.calcium
    references = [*IV_CALCIUM_SOURCES]
    if ctx.replacing:
        clause = ", and Mg with it."
    elif ctx.reading.above_uln:
        where = (
            "Mg is above the ULN (if the unit is right; see the unit check)"
            if ctx.unit_may_be_low
            else ("Mg is above the ULN")
        )
        clause = f"; {where}: give no Mg; IV calcium is also the antidote for Mg toxicity."
        references.extend(ANTIDOTE_SOURCES)
    else:
        clause = "; Mg is not low: Mg is not part of this treatment."
    text = (
        f"Symptomatic hypocalcemia ({calcium.kind} Ca {fmt(calcium.mmol_per_l)} mmol/L with {plain_list(symptoms)}):"  # type: ignore[arg-type]
        f" give IV calcium now per the local protocol{clause}"
    )
    because = [calcium.because or "", f"symptoms: {plain_list(symptoms)}"]
    if ctx.data.has(Med.DIGOXIN):
        text += (
            " On digoxin: give the calcium slowly with ECG monitoring and senior review; the magnesium sulfate label"
            " warns of heart block when IV calcium is given to a digitalized patient."
        )
        because.append("digoxin listed")
        references.extend(ANTIDOTE_SOURCES)
    return Step("give_iv_calcium_now", text, tuple(because), tuple(dict.fromkeys(references)))


def consider_holding_foscarnet_step(ctx: Context) -> Step | None:
    if not (symptomatic_hypocalcemia(ctx) and ctx.data.has(Med.FOSCARNET)):
        return None
    return Step(
        "consider_holding_foscarnet",
        "Foscarnet chelates ionized calcium and Mg: consider slowing or holding the foscarnet infusion (prescriber's"
        " decision).",
        ("foscarnet listed", "symptomatic hypocalcemia"),
        FOSCARNET_SOURCES,
    )


def ecg_now_because(ctx: Context) -> tuple[str, ...]:
    """Why a baseline 12-lead ECG is due now: Mg < 0.5 mmol/L or K < 3.0, and no QTc given (M7)."""
    if ctx.data.qtc_ms is not None:
        return ()
    found = []
    if ctx.mg_mmol_l < MG_ECG_NOW_MMOL_L and not ctx.reading.above_uln:
        found.append(f"Mg {fmt(ctx.mg_mmol_l)} mmol/L < {MG_ECG_NOW_WORDS} mmol/L")
    k = ctx.potassium_mmol_l
    if k is not None and k < K_SEVERE_LOW_MMOL_L:
        found.append(f"K {fmt(k)} mmol/L < {K_SEVERE_LOW_WORDS} mmol/L")
    return (*found, "no QTc given") if found else ()


def missing_k_and_ca(ctx: Context) -> tuple[str, ...]:
    """'potassium', 'calcium' or both, when Mg is to be given (or a symptom is urgent) and they were not given."""
    if not (ctx.replacing or ctx.urgent):
        return ()
    labs = ctx.data.labs
    missing = []
    if labs.potassium is None:
        missing.append("potassium")
    if labs.calcium_ionized is None and labs.calcium_total is None:
        missing.append("calcium")
    return tuple(missing)
