"""Plan steps (PROTOCOL.md section 11): what to do, in the order a ward team would act on it."""

from __future__ import annotations

from .causes import trough_above_range
from .context import Context
from .inputs import URGENT_SYMPTOMS, Condition, Med, Symptom
from .results import Step
from .route import IV, IV_URGENT, ORAL
from .severity import RAISED_TARGET_MMOL_L

PPI_REVIEW_DAYS = 90  # [S46]
NEPHROTOXIC_ANTIMICROBIALS = (
    Med.AMPHOTERICIN_B_CONVENTIONAL,
    Med.AMPHOTERICIN_B_LIPOSOMAL,
    Med.AMINOGLYCOSIDE,
    Med.FOSCARNET,
    Med.PENTAMIDINE,
    Med.CIDOFOVIR,
)
GIVE_STEP = {ORAL: "give_oral_magnesium", IV: "give_iv_magnesium", IV_URGENT: "give_iv_magnesium_urgent"}


def leading_steps(ctx: Context) -> list[Step]:
    """Heart block review, the emergency protocol, then the replacement itself (or why there is none)."""
    data, steps = ctx.data, []
    if Condition.HEART_BLOCK in data.conditions and ctx.intravenous:
        steps.append(
            Step(
                "senior_review_heart_block",
                "Heart block: IV magnesium is contraindicated; get senior review before any infusion.",
                ("condition: heart_block", f"route {ctx.route}"),
                ("S35", "S30"),
            )
        )
    urgent = [str(s) for s in data.symptoms if s in URGENT_SYMPTOMS]
    if urgent:
        steps.append(
            Step(
                "follow_local_emergency_protocol",
                "Follow the local emergency protocol now; HypoMag shows reference information only.",
                (f"urgent symptom: {', '.join(urgent)}",),
                ("S81", "S89", "S33"),
            )
        )
    dose = ctx.dose
    if dose is not None:  # the dose is None exactly when the route is none
        steps.append(
            Step(
                GIVE_STEP[ctx.route],
                dose.text,
                ctx.decision.because,
                tuple(dict.fromkeys((*dose.references, *ctx.decision.references, *(("S81",) if urgent else ())))),
            )
        )
    elif not urgent:
        steps.append(
            Step(
                "no_replacement_needed",
                "No magnesium replacement needed now.",
                ctx.decision.because,
                ctx.decision.references,
            )
        )
    if "raised_target" in ctx.decision.reasons:
        steps.append(
            Step(
                "raised_target",
                f"Aim for Mg at or above {RAISED_TARGET_MMOL_L} mmol/L (2.0 mg/dL).",
                ctx.decision.because[:1],
                ("S89", "S90", "S41"),
            )
        )
    return steps


def review_steps(ctx: Context) -> list[Step]:
    """Causes worth acting on: medicines to review, nutrition, neurotoxicity."""
    data, steps = ctx.data, []
    if "diarrhea_or_gut_gvhd" in ctx.decision.reasons:
        steps.append(
            Step(
                "avoid_oral_magnesium",
                "Avoid oral magnesium: it worsens diarrhea.",
                tuple(b for b in ctx.decision.because if b.startswith("oral Mg worsens")),
                ("S29", "S31"),
            )
        )
    ppi = data.medication(Med.PROTON_PUMP_INHIBITOR)
    if ppi is not None and (ppi.days is None or ppi.days >= PPI_REVIEW_DAYS):
        duration = "duration not given" if ppi.days is None else f"{ppi.days} days"
        steps.append(
            Step(
                "review_ppi",
                "Review the proton pump inhibitor: stop it or consider an H2 antagonist.",
                (f"proton pump inhibitor, {duration}",),
                ("S46",),
            )
        )
    for item in data.cnis:
        above = trough_above_range(data, item.drug)
        if item.trough is None or above:
            why = above[0] if above else f"{item.drug} trough not given"
            steps.append(
                Step(
                    "review_cni_level",
                    f"Review the {item.drug} level and dose with the transplant team.",
                    (why,),
                    ("S5", "S7"),
                )
            )
    diuretics = [str(m) for m in (Med.LOOP_DIURETIC, Med.THIAZIDE_DIURETIC) if data.has(m)]
    if diuretics:
        steps.append(
            Step(
                "review_diuretic",
                "Review whether the diuretic is still needed.",
                (", ".join(diuretics),),
                ("S12", "S14"),
            )
        )
    antimicrobials = [str(m) for m in NEPHROTOXIC_ANTIMICROBIALS if data.has(m)]
    if antimicrobials:
        steps.append(
            Step(
                "review_nephrotoxic_antimicrobial",
                "Review the nephrotoxic antimicrobial (dose for renal function, duration, alternatives) and check"
                " electrolytes often.",
                (", ".join(antimicrobials),),
                ("S85", "S12", "S86"),
            )
        )
    if data.nutrition.parenteral_nutrition:
        steps.append(
            Step(
                "review_parenteral_nutrition_mg",
                "Review the Mg content of the parenteral nutrition with the pharmacist.",
                ("parenteral nutrition",),
                ("S35", "S90"),
            )
        )
    neuro = [str(s) for s in (Symptom.SEIZURE, Symptom.CONFUSION) if data.has_symptom(s)]
    if neuro and data.on_cni:
        steps.append(
            Step(
                "consider_cni_neurotoxicity",
                "Consider calcineurin inhibitor neurotoxicity (PRES): check the level, blood pressure and imaging"
                " with the transplant team.",
                (f"{', '.join(neuro)} on {', '.join(i.drug.value for i in data.cnis)}",),
                ("S3", "S67"),
            )
        )
    return steps


def closing_steps(ctx: Context, interaction_drugs: list[str], interaction_refs: tuple[str, ...]) -> list[Step]:
    steps = []
    if interaction_drugs:
        steps.append(
            Step(
                "separate_oral_interactions",
                f"Space oral magnesium from {', '.join(interaction_drugs)} as each warning says.",
                tuple(f"{d} with oral Mg" for d in interaction_drugs),
                interaction_refs,
            )
        )
    if not ctx.causes and ctx.replacing:
        steps.append(
            Step(
                "search_for_cause",
                "No cause found in the inputs: search for one (consider FEMg, a drug history and GI losses).",
                ("no cause triggered by the inputs", f"route {ctx.route}"),
                ("S51", "S52"),
            )
        )
    return steps
