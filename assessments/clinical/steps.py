"""Plan steps (PROTOCOL.md section 11): one small rule per row of the protocol's table, listed in `RULES` in the
table's order. A rule returns its step, or None when it does not apply.

With route `iv_urgent` the emergency step, then the calcium and Mg give steps, come first and no caveat is placed
above them (M10): `plan_steps` moves rows 1, 2 and 6 to the top in that case and keeps the table order otherwise.
"""

from __future__ import annotations

from collections.abc import Callable

from .causes import TROUGH_UPPER_NG_ML
from .context import Context
from .dose import bolus_one_line
from .ecg import qt_drug_references, qt_drugs_step_text
from .electrolytes import (
    consider_holding_foscarnet_step,
    give_iv_calcium_now_step,
    replete_mg_before_ca_step,
    replete_mg_before_k_step,
)
from .inputs import Condition, Drug, Med, Symptom
from .interactions import ORAL_SPACING
from .plausibility import TIER_WORDS
from .results import Step, UnitReading
from .route import IV, IV_URGENT, ORAL, urgent_symptom_reasons
from .severity import TARGET_SOURCES, raised_target_mg_dl_text
from .units import fmt
from .wording import lowered, plain, plain_list

PPI_REVIEW_DAYS = 90  # [S46]
NEPHROTOXIC_ANTIMICROBIALS = (
    Med.AMPHOTERICIN_B_CONVENTIONAL,
    Med.AMPHOTERICIN_B_LIPOSOMAL,
    Med.AMINOGLYCOSIDE,
    Med.FOSCARNET,
    Med.PENTAMIDINE,
    Med.CIDOFOVIR,
)
MTOR_INHIBITORS = (Drug.SIROLIMUS, Drug.EVEROLIMUS)
DIURETICS = (Med.LOOP_DIURETIC, Med.THIAZIDE_DIURETIC)
NEUROTOXICITY_SYMPTOMS = (Symptom.SEIZURE, Symptom.CONFUSION)
GIVE_STEP = {ORAL: "give_oral_magnesium", IV: "give_iv_magnesium", IV_URGENT: "give_iv_magnesium_urgent"}
EMERGENCY_SOURCES = ("S81", "S89", "S33")
HEART_BLOCK_SOURCES = ("S35", "S30")
ADHERENCE_SOURCES = ("S29", "S31")

Rule = Callable[[Context], Step | None]


# --- rows 1-4: the emergency, calcium, foscarnet and the unit -------------------------------------------------


def follow_local_emergency_protocol(ctx: Context) -> Step | None:
    urgent = ctx.data.urgent_symptoms
    if not urgent:
        return None
    action, references = reference_action(ctx)
    return Step(
        "follow_local_emergency_protocol",
        f"Follow the local emergency protocol now; HypoMag shows reference information only. Reference: {action}.",
        (f"urgent symptom: {plain_list(urgent)}",),
        tuple(dict.fromkeys((*EMERGENCY_SOURCES, *references))),
    )


def reference_action(ctx: Context) -> tuple[str, tuple[str, ...]]:
    """The one-line reference action of the emergency step (section 11), with its extra sources."""
    urgent = ctx.data.urgent_symptoms
    if ctx.route == IV_URGENT:
        return f"{bolus_one_line(ctx.dosing)}; continuous ECG; check K and Ca", ()
    if ctx.data.arrhythmia and ctx.reading.above_uln:
        return (
            "whether IV Mg is given is the emergency team's decision: torsades responds to IV Mg whatever the serum"
            " level; correct K; stop QT-prolonging drugs",
            ("S89",),
        )
    # With a P1 unit check another reading is low (grade >= 1), where the seizure or tetany that remains here calls
    # for the bolus: the first such reading is named (section 11, Y1).
    held = _urgent_in_another_unit(ctx) if ctx.unit_may_be_low else None
    if held is not None:
        reading, symptoms = held
        return (
            "if the unit is right, this Mg level does not call for an urgent Mg bolus; if the lab reported"
            f" {reading.unit}, Mg is {fmt(reading.mmol_per_l)} mmol/L (CTCAE grade {reading.ctcae_grade}) and"
            f" the {plain_list(symptoms)} would call for the urgent bolus ({bolus_one_line(ctx.dosing)}): confirm"
            " the unit now",
            ("S53",),
        )
    return (
        f"this Mg level does not call for an urgent Mg bolus; treat the {plain_list(urgent)} per the local protocol",
        (),
    )


def _urgent_in_another_unit(ctx: Context) -> tuple[UnitReading, dict] | None:
    """The first other reading (mmol/L, mg/dL, mEq/L) in which an urgent symptom's rule-2 condition holds."""
    found = (
        (reading, urgent_symptom_reasons(ctx.data, reading.mmol_per_l, reading.ctcae_grade, ctx.target.mmol_per_l))
        for reading in ctx.unit_check.readings  # type: ignore[union-attr]
        if not reading.above_uln
    )
    return next(((reading, held) for reading, held in found if held), None)


def confirm_magnesium_unit(ctx: Context) -> Step | None:
    if not ctx.unit_may_be_low:
        return None
    mg = ctx.data.labs.magnesium
    low = ctx.unit_check.below_lln  # type: ignore[union-attr]
    readings = "; ".join(
        f"in {r.unit} it is {fmt(r.mmol_per_l)} mmol/L (CTCAE grade {r.ctcae_grade}: {TIER_WORDS[r.tier]})" for r in low
    )
    ending = (
        "Confirm it in parallel with the emergency treatment." if ctx.urgent else "No Mg until the unit is confirmed."
    )
    return Step(
        "confirm_magnesium_unit",
        f"Confirm the Mg unit on the lab report and re-assess with it: {mg.show()} is above the ULN, but {readings}."
        f" {ending}",
        (f"Mg entered as {mg.show()}", "the same number is low in another unit (unit check)"),
        ("S53", "S17"),
    )


# --- rows 5-9: heart block, the replacement itself, or why there is none -------------------------------------


def senior_review_heart_block_iv(ctx: Context) -> Step | None:
    if not (ctx.heart_block and ctx.route == IV):
        return None
    return Step(
        "senior_review_heart_block",
        "Heart block (second or third degree): the label lists heart block as a contraindication to IV Mg: senior"
        " review before this infusion.",
        ("heart block (second or third degree)", "route IV"),
        HEART_BLOCK_SOURCES,
    )


def give_magnesium(ctx: Context) -> Step | None:
    dose = ctx.dose
    if dose is None:  # the dose is None exactly when the route is none
        return None
    text = dose.text
    if dose.follow_on is not None:
        text += f" After the bolus: {lowered(dose.follow_on.text)}"
    references = (*dose.references, *(dose.follow_on.references if dose.follow_on else ()), *ctx.decision.references)
    if ctx.route == IV_URGENT:
        references += ("S81",)  # a reference regimen that local protocol overrides, not an order
    return Step(GIVE_STEP[ctx.route], text, ctx.decision.because, tuple(dict.fromkeys(references)))


def senior_review_heart_block_urgent(ctx: Context) -> Step | None:
    if not (ctx.heart_block and ctx.route == IV_URGENT):
        return None
    return Step(
        "senior_review_heart_block",
        "Heart block: the emergency team decides on the bolus; any infusion after it only after senior review (the"
        " label lists heart block as a contraindication).",
        ("heart block (second or third degree)", "route urgent IV"),
        HEART_BLOCK_SOURCES,
    )


def no_replacement_needed(ctx: Context) -> Step | None:
    if ctx.replacing or ctx.urgent or ctx.unit_may_be_low:
        return None
    return Step(
        "no_replacement_needed",
        "No magnesium replacement needed now.",
        ctx.decision.because,
        ctx.decision.references,
    )


def raised_target(ctx: Context) -> Step | None:
    if "raised_target" not in ctx.decision.reasons:
        return None
    return Step(
        "raised_target",
        f"Aim for Mg at or above {raised_target_mg_dl_text()}.",
        ctx.target.raised_because,
        TARGET_SOURCES,
    )


# --- rows 10-13: renal function, co-electrolytes, oral Mg ----------------------------------------------------


def renal_dose_reduction(ctx: Context) -> Step | None:
    return ctx.renal_step


def check_oral_adherence(ctx: Context) -> Step | None:
    if not (ctx.data.magnesium_therapy.oral_current and ctx.below_target and ctx.replacing):
        return None
    if ctx.intravenous:
        text = (
            "Already on oral Mg and still low: IV now; review adherence, diarrhea and the oral dose before stopping IV."
        )
    else:
        text = (
            "Already on oral Mg and still low: check adherence, diarrhea (the usual dose limit) and spacing from"
            " interacting drugs; consider IV if it stays low."
        )
    because = (
        "already taking oral Mg",
        f"Mg {fmt(ctx.mg_mmol_l)} mmol/L below the target {fmt(ctx.target.mmol_per_l)} mmol/L",
    )
    return Step("check_oral_adherence", text, because, ADHERENCE_SOURCES)


def avoid_oral_magnesium(ctx: Context) -> Step | None:
    if "diarrhea_or_gut_gvhd" not in ctx.decision.reasons:
        return None
    return Step(
        "avoid_oral_magnesium",
        "Avoid oral magnesium: it worsens diarrhea.",
        tuple(b for b in ctx.decision.because if b.startswith("oral Mg worsens")),
        ("S29", "S31"),
    )


# --- rows 14-22: causes worth acting on -----------------------------------------------------------------------


def review_ppi(ctx: Context) -> Step | None:
    ppi = ctx.data.medication(Med.PROTON_PUMP_INHIBITOR)
    if ppi is None or (ppi.days is not None and ppi.days < PPI_REVIEW_DAYS):
        return None
    duration = "duration not given" if ppi.days is None else f"{ppi.days} days (>= {PPI_REVIEW_DAYS} days)"
    return Step(
        "review_ppi",
        "Review the proton pump inhibitor: stop it or consider an H2 antagonist.",
        (f"proton pump inhibitor, {duration}",),
        ("S46",),
    )


def review_cni_level(ctx: Context) -> Step | None:
    above = ctx.troughs_above
    drugs = [i.drug for i in ctx.data.cnis if i.drug in above or i.trough is None]
    if not drugs:
        return None
    why = [above[d][0] if d in above else f"{plain(d)} trough not given" for d in drugs]
    return Step(
        "review_cni_level",
        f"Review the {plain_list(drugs)} level and dose with the transplant team.",
        tuple(why),
        ("S5", "S7"),
    )


def review_mtor_level(ctx: Context) -> Step | None:
    above = [ctx.troughs_above[d] for d in MTOR_INHIBITORS if d in ctx.troughs_above]
    if not above:
        return None
    limit = TROUGH_UPPER_NG_ML[Drug.SIROLIMUS]
    return Step(
        "review_mtor_level",
        f"Review the mTOR inhibitor level and dose with the transplant team (trough above {limit} ng/mL).",
        tuple(text for text, _ in above),
        ("S16",),
    )


def review_diuretic(ctx: Context) -> Step | None:
    diuretics = [m for m in DIURETICS if m in ctx.data.by_med]
    if not diuretics:
        return None
    return Step(
        "review_diuretic", "Review whether the diuretic is still needed.", (plain_list(diuretics),), ("S12", "S14")
    )


def review_nephrotoxic_antimicrobial(ctx: Context) -> Step | None:
    antimicrobials = [m for m in NEPHROTOXIC_ANTIMICROBIALS if m in ctx.data.by_med]
    if not antimicrobials:
        return None
    return Step(
        "review_nephrotoxic_antimicrobial",
        "Review the nephrotoxic antimicrobial (dose for renal function, duration, alternatives) and check electrolytes"
        " often.",
        (plain_list(antimicrobials),),
        ("S85", "S12", "S86"),
    )


def review_parenteral_nutrition_mg(ctx: Context) -> Step | None:
    if not ctx.data.nutrition.parenteral_nutrition:
        return None
    return Step(
        "review_parenteral_nutrition_mg",
        "Review the Mg content of the parenteral nutrition with the pharmacist.",
        ("parenteral nutrition",),
        ("S35", "S90"),
    )


def follow_refeeding_protocol(ctx: Context) -> Step | None:
    if Condition.REFEEDING_RISK not in ctx.data.conditions:
        return None
    text = "Refeeding risk: check phosphate, K and Mg before and during feeding and follow the local refeeding protocol"
    phosphate = ctx.data.labs.phosphate
    if phosphate is not None:
        text += f" (phosphate {phosphate.show()})"
    return Step("follow_refeeding_protocol", text + ".", ("refeeding risk",), ("S61",))


def consider_cni_neurotoxicity(ctx: Context) -> Step | None:
    data = ctx.data
    neuro = [s for s in NEUROTOXICITY_SYMPTOMS if s in data.symptoms] if data.cnis else []
    if not neuro:
        return None
    return Step(
        "consider_cni_neurotoxicity",
        "Consider calcineurin inhibitor neurotoxicity (PRES): check the level, blood pressure and imaging with the"
        " transplant team.",
        (f"{plain_list(neuro)} on {plain_list(i.drug for i in ctx.data.cnis)}",),
        ("S3", "S67"),
    )


def review_qt_prolonging_drugs(ctx: Context) -> Step | None:
    if ctx.qtc_level is None or not ctx.qt_drugs:
        return None
    return Step(
        "review_qt_prolonging_drugs",
        qt_drugs_step_text(ctx.qt_drugs),
        (*ctx.qtc_because, f"QT-prolonging medicines: {plain_list(ctx.qt_drugs)}"),
        qt_drug_references(ctx.qt_drugs),
    )


# --- rows 23-24 -----------------------------------------------------------------------------------------------


def separate_oral_interactions(ctx: Context) -> Step | None:
    drugs = ctx.oral_interacting
    if not drugs:
        return None
    return Step(
        "separate_oral_interactions",
        f"Space oral magnesium from {plain_list(drugs)} as each interaction warning says.",
        tuple(f"{plain(d)} with oral Mg" for d in drugs),
        tuple(dict.fromkeys(r for d in drugs for r in ORAL_SPACING[d].references)),
    )


def search_for_cause(ctx: Context) -> Step | None:
    if ctx.causes or not ctx.replacing:
        return None
    return Step(
        "search_for_cause",
        "No cause found in the inputs: search for one (consider FEMg, a drug history and GI losses).",
        ("no cause triggered by the inputs", "Mg replacement planned"),
        ("S51", "S52"),
    )


# The protocol's table, in its order (section 11).
RULES: tuple[Rule, ...] = (
    follow_local_emergency_protocol,  # 1
    give_iv_calcium_now_step,  # 2
    consider_holding_foscarnet_step,  # 3
    confirm_magnesium_unit,  # 4
    senior_review_heart_block_iv,  # 5
    give_magnesium,  # 6
    senior_review_heart_block_urgent,  # 7
    no_replacement_needed,  # 8
    raised_target,  # 9
    renal_dose_reduction,  # 10
    replete_mg_before_k_step,  # 11
    replete_mg_before_ca_step,  # 11
    check_oral_adherence,  # 12
    avoid_oral_magnesium,  # 13
    review_ppi,  # 14
    review_cni_level,  # 15
    review_mtor_level,  # 16
    review_diuretic,  # 17
    review_nephrotoxic_antimicrobial,  # 18
    review_parenteral_nutrition_mg,  # 19
    follow_refeeding_protocol,  # 20
    consider_cni_neurotoxicity,  # 21
    review_qt_prolonging_drugs,  # 22
    separate_oral_interactions,  # 23
    search_for_cause,  # 24
)
URGENT_FIRST: tuple[Rule, ...] = (follow_local_emergency_protocol, give_iv_calcium_now_step, give_magnesium)
URGENT_RULES: tuple[Rule, ...] = (*URGENT_FIRST, *(r for r in RULES if r not in URGENT_FIRST))  # route iv_urgent


def plan_steps(ctx: Context) -> tuple[Step, ...]:
    rules = URGENT_RULES if ctx.route == IV_URGENT else RULES
    return tuple([step for rule in rules if (step := rule(ctx)) is not None])
