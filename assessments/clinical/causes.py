"""Contributing causes with scores anyone can recompute (PROTOCOL.md section 10, KNOWLEDGE.md sections 3, 10).

A cause appears only when an input triggers it. Score = evidence base + the listed modifiers, clamped to 0-100;
each modifier applied is written into `because` with its points.
"""

from __future__ import annotations

from dataclasses import dataclass

from .inputs import AssessmentInput, Condition, Drug, Med, OralIntake
from .results import Cause
from .route import (
    DIARRHEA_ADULT_ML_DAY,
    DIARRHEA_CHILD_ML_KG_DAY,
    DIARRHEA_SEVERE_ADULT_ML_DAY,
    DIARRHEA_SEVERE_CHILD_ML_KG_DAY,
    diarrhea_threshold_met,
)
from .units import Unit, fmt
from .wording import plain, plain_list

EVIDENCE_BASE = {"A": 70, "B": 45, "C": 20}
LIKELIHOOD_HIGH = 60  # high >= 60, moderate 30-59, low < 30
LIKELIHOOD_MODERATE = 30
TACROLIMUS_BONUS = 5  # tacrolimus wastes more than cyclosporine [S4]
TROUGH_ABOVE_RANGE_BONUS = 10  # weak evidence, a modest weight (KNOWLEDGE.md section 11 item 2)
# Trough above range, ng/mL (PROTOCOL.md section 10).
TROUGH_UPPER_NG_ML = {Drug.TACROLIMUS: 15, Drug.CYCLOSPORINE: 300, Drug.SIROLIMUS: 12, Drug.EVEROLIMUS: 12}
# PPI duration [S46]: < 90 days -20; 90-364 days 0; >= 365 days +15; not given 0.
PPI_SHORT_DAYS, PPI_SHORT_POINTS = 90, -20
PPI_LONG_DAYS, PPI_LONG_POINTS = 365, 15
# Diarrhea / gut GVHD: +10 at MAGIC stage 1 volumes, +20 instead at stage 2 volumes or GVHD stage >= 2; the
# volumes are section 4's (one constant each, in `route`).
DIARRHEA_MODERATE = (DIARRHEA_ADULT_ML_DAY, DIARRHEA_CHILD_ML_KG_DAY, 10)  # adult mL/day, child mL/kg/day, points
DIARRHEA_SEVERE = (DIARRHEA_SEVERE_ADULT_ML_DAY, DIARRHEA_SEVERE_CHILD_ML_KG_DAY, 20)
PN_MG_LOW_MMOL_KG_DAY = 0.1  # [S35]
FEMG_POINTS = 15  # [S50, S51]


@dataclass(frozen=True)
class CauseSpec:
    label: str
    evidence: str
    references: tuple[str, ...]
    renal: bool = False  # renal causes gain with renal wasting on FEMg; GI/intake causes gain with extrarenal loss
    gi: bool = False


CAUSES: dict[str, CauseSpec] = {
    "cni_tacrolimus": CauseSpec("Tacrolimus (renal Mg wasting)", "A", ("S4", "S9", "S10"), renal=True),
    "cni_cyclosporine": CauseSpec("Cyclosporine (renal Mg wasting)", "A", ("S1", "S2", "S3", "S4"), renal=True),
    "mtor_inhibitor": CauseSpec("mTOR inhibitor (sirolimus/everolimus)", "C", ("S16",), renal=True),
    "amphotericin_b_conventional": CauseSpec("Amphotericin B, conventional", "B", ("S85", "S12"), renal=True),
    "amphotericin_b_liposomal": CauseSpec("Amphotericin B, liposomal", "B", ("S85", "S12"), renal=True),
    "aminoglycoside": CauseSpec("Aminoglycoside", "B", ("S12",), renal=True),
    "foscarnet": CauseSpec("Foscarnet (chelation and tubular loss)", "B", ("S12", "S86"), renal=True),
    "pentamidine": CauseSpec("Pentamidine", "C", ("S12",), renal=True),
    "cidofovir": CauseSpec("Cidofovir", "C", ("S12",), renal=True),
    "loop_diuretic": CauseSpec("Loop diuretic", "B", ("S12", "S14"), renal=True),
    "thiazide_diuretic": CauseSpec("Thiazide diuretic", "B", ("S12", "S14"), renal=True),
    "proton_pump_inhibitor": CauseSpec("Proton pump inhibitor (reduced absorption)", "B", ("S46",), gi=True),
    "platinum_chemotherapy": CauseSpec("Platinum chemotherapy", "B", ("S12", "S29"), renal=True),
    "ifosfamide": CauseSpec("Ifosfamide", "C", ("S87",), renal=True),
    "egfr_antibody": CauseSpec("EGFR antibody (cetuximab, panitumumab)", "B", ("S83",), renal=True),
    "diarrhea_gut_gvhd": CauseSpec("Diarrhea / lower-GI GVHD", "B", ("S60", "S32"), gi=True),
    "vomiting": CauseSpec("Vomiting", "C", ("S60",), gi=True),
    "poor_oral_intake": CauseSpec("Poor oral intake / mucositis", "C", ("S32",), gi=True),
    "parenteral_nutrition_low_mg": CauseSpec("Parenteral nutrition low in Mg", "C", ("S35",), gi=True),
    "refeeding_syndrome": CauseSpec("Refeeding syndrome", "B", ("S61",)),
    "citrate_exposure": CauseSpec("Citrate exposure (apheresis, ECP, transfusion)", "B", ("S62",)),
    "osmotic_diuresis": CauseSpec("Osmotic diuresis (hyperglycemia)", "C", ("S31", "S95"), renal=True),
    "insulin_shift": CauseSpec("Insulin (shift into cells)", "C", ("S93",)),
    "alcohol_use": CauseSpec("Alcohol use", "B", ("S29",)),
    "polyuric_recovery": CauseSpec("Polyuric recovery (ATN, post-obstructive)", "C", ("S29",), renal=True),
    "beta_agonist_theophylline": CauseSpec("Beta-agonist / theophylline", "C", ("S33", "S12")),
}

# Each CNI's cause, with what it adds to the score beyond being given.
CNI_CAUSES: tuple[tuple[Drug, str, tuple[Term, ...]], ...] = (
    (Drug.TACROLIMUS, "cni_tacrolimus", (("tacrolimus wastes more Mg than cyclosporine", TACROLIMUS_BONUS),)),
    (Drug.CYCLOSPORINE, "cni_cyclosporine", ()),
)
MTOR_DRUGS = (Drug.SIROLIMUS, Drug.EVEROLIMUS)
BETA_AGONIST_THEOPHYLLINE = (Med.BETA_AGONIST, Med.THEOPHYLLINE)
POOR_INTAKE = (OralIntake.REDUCED, OralIntake.NIL)
# Medications that trigger a cause of the same id.
_MEDICATION_CAUSES = frozenset(
    {
        Med.AMPHOTERICIN_B_CONVENTIONAL,
        Med.AMPHOTERICIN_B_LIPOSOMAL,
        Med.AMINOGLYCOSIDE,
        Med.FOSCARNET,
        Med.PENTAMIDINE,
        Med.CIDOFOVIR,
        Med.LOOP_DIURETIC,
        Med.THIAZIDE_DIURETIC,
        Med.PLATINUM_CHEMOTHERAPY,
        Med.IFOSFAMIDE,
        Med.EGFR_ANTIBODY,
    }
)
_CONDITION_CAUSES = {
    Condition.REFEEDING_RISK: "refeeding_syndrome",
    Condition.CITRATE_EXPOSURE: "citrate_exposure",
    Condition.HYPERGLYCEMIA: "osmotic_diuresis",
    Condition.ALCOHOL_USE: "alcohol_use",
    Condition.POLYURIC_RECOVERY: "polyuric_recovery",
}


def likelihood(score: int) -> str:
    if score >= LIKELIHOOD_HIGH:
        return "high"
    return "moderate" if score >= LIKELIHOOD_MODERATE else "low"


Term = tuple[str, int]  # (what the input says, points it adds to the score)


def troughs_above_range(data: AssessmentInput) -> dict[Drug, Term]:
    """drug -> ('tacrolimus trough 16 ng/mL > 15 ng/mL', +10) for each drug whose trough is above range."""
    found = {}
    for item in data.immunosuppressants:
        if item.trough is not None:
            level, upper = item.trough.in_(Unit.NG_ML), TROUGH_UPPER_NG_ML[item.drug]
            if level > upper:
                found[item.drug] = (
                    f"{plain(item.drug)} trough {fmt(level)} ng/mL > {upper} ng/mL",
                    TROUGH_ABOVE_RANGE_BONUS,
                )
    return found


def _triggers(data: AssessmentInput, above: dict[Drug, Term]) -> dict[str, list[Term]]:
    """cause id -> the inputs that triggered it, each with the points it adds, in protocol order."""
    found: dict[str, list[Term]] = {}
    drugs = {i.drug: i for i in data.immunosuppressants}
    day = f"day {data.transplant.day:+d}"
    for drug, cause, bonus in CNI_CAUSES:
        if drug in drugs:
            trough = drugs[drug].trough
            level = f"trough {trough.show()}" if trough is not None else "trough not given"
            found[cause] = [(f"{plain(drug)} ({level}), {day}", 0), *bonus]
            if drug in above:
                found[cause].append(above[drug])
    mtor = [d for d in MTOR_DRUGS if d in drugs]
    if mtor:
        mtor_above = [above[d] for d in mtor if d in above]
        found["mtor_inhibitor"] = [(f"{plain_list(mtor)}, {day}", 0), *mtor_above[:1]]  # +10 once
    for item in data.medications:
        if item.id in _MEDICATION_CAUSES:
            days = f" for {item.days} days" if item.days is not None else ""
            found[str(item.id)] = [(plain(item.id) + days, 0)]
    ppi = data.medication(Med.PROTON_PUMP_INHIBITOR)
    if ppi is not None:
        found["proton_pump_inhibitor"] = [_ppi_term(ppi.days)]
    gut = _gut_terms(data)
    if gut:
        found["diarrhea_gut_gvhd"] = gut
    if data.gi.vomiting:
        found["vomiting"] = [("vomiting", 0)]
    intake = []
    if data.nutrition.oral_intake in POOR_INTAKE:
        intake.append((f"oral intake {data.nutrition.oral_intake}", 0))
    if data.gi.mucositis_grade is not None and data.gi.mucositis_grade >= 2:
        intake.append((f"mucositis grade {data.gi.mucositis_grade}", 0))
    if intake:
        found["poor_oral_intake"] = intake
    pn_mg = data.nutrition.pn_mg_mmol_per_kg_day
    if data.nutrition.parenteral_nutrition and (pn_mg is None or pn_mg < PN_MG_LOW_MMOL_KG_DAY):
        content = "Mg content not given" if pn_mg is None else f"Mg {fmt(pn_mg)} mmol/kg/day < {PN_MG_LOW_MMOL_KG_DAY}"
        found["parenteral_nutrition_low_mg"] = [(f"parenteral nutrition, {content}", 0)]
    conditions = data.conditions
    if conditions:
        for condition, cause in _CONDITION_CAUSES.items():
            if condition in conditions:
                found[cause] = [(f"condition: {plain(condition)}", 0)]
    if data.has(Med.INSULIN_INFUSION):
        found["insulin_shift"] = [("insulin infusion", 0)]
    agents = [m for m in BETA_AGONIST_THEOPHYLLINE if m in data.by_med]
    if agents:
        found["beta_agonist_theophylline"] = [(plain_list(agents), 0)]
    return found


def _ppi_term(days: int | None) -> Term:
    if days is None:
        return "proton pump inhibitor, duration not given", 0
    if days < PPI_SHORT_DAYS:
        return f"proton pump inhibitor for {days} days (< {PPI_SHORT_DAYS} days)", PPI_SHORT_POINTS
    if days < PPI_LONG_DAYS:
        return f"proton pump inhibitor for {days} days ({PPI_SHORT_DAYS}-{PPI_LONG_DAYS - 1} days)", 0
    return f"proton pump inhibitor for {days} days (>= {PPI_LONG_DAYS} days)", PPI_LONG_POINTS


def _gut_terms(data: AssessmentInput) -> list[Term]:
    gi = data.gi
    terms: list[Term] = []
    if gi.diarrhea_ml_per_day:
        terms.append((f"diarrhea {fmt(gi.diarrhea_ml_per_day)} mL/day", 0))
    stage = gi.lower_gi_gvhd_stage or 0
    if stage:
        terms.append((f"lower-GI GVHD stage {stage}", 0))
    if gi.high_output_stoma:
        terms.append(("high-output stoma", 0))
    if not terms:
        return []
    adult_ml, child_ml_kg, points = DIARRHEA_SEVERE
    severe = diarrhea_threshold_met(data, adult_ml, child_ml_kg) or (f"GVHD stage {stage} >= 2" if stage >= 2 else "")
    if severe:
        return [*terms, (severe, points)]
    adult_ml, child_ml_kg, points = DIARRHEA_MODERATE
    moderate = diarrhea_threshold_met(data, adult_ml, child_ml_kg) or ("GVHD stage 1" if stage == 1 else "")
    moderate = moderate or ("high-output stoma" if gi.high_output_stoma else "")
    return [*terms, (moderate, points)] if moderate else terms


def _femg_terms(spec: CauseSpec, sign: int) -> tuple[Term, ...]:
    """Renal wasting on FEMg (sign 1) favours renal causes over GI/intake causes; extrarenal loss (-1) the reverse."""
    if not sign or not (spec.renal or spec.gi):
        return ()
    label = "renal wasting" if sign > 0 else "extrarenal loss"
    return ((f"FEMg points to {label}", FEMG_POINTS * sign * (1 if spec.renal else -1)),)


FEMG_SIGN = {"renal_wasting": 1, "extrarenal": -1}
FEMG_REFERENCES = ("S50", "S51")
# What depends on the rule set alone, per cause: its spec, evidence base, and for each FEMg sign the FEMg term and the
# references (its own, then FEMg's when that term applies).
_SCORING = {
    cause_id: (
        spec,
        EVIDENCE_BASE[spec.evidence],
        {
            sign: (terms, spec.references + FEMG_REFERENCES if terms else spec.references)
            for sign in (-1, 0, 1)
            for terms in (_femg_terms(spec, sign),)
        },
    )
    for cause_id, spec in CAUSES.items()
}


def rank_causes(
    data: AssessmentInput, femg_interpretation: str | None, above: dict[Drug, Term] | None = None
) -> tuple[Cause, ...]:
    causes = []
    sign = FEMG_SIGN.get(femg_interpretation or "", 0)
    for cause_id, terms in _triggers(data, troughs_above_range(data) if above is None else above).items():
        spec, base, by_sign = _SCORING[cause_id]
        femg, references = by_sign[sign]
        if femg:
            terms.extend(femg)
        score = base
        because = []
        for text, points in terms:
            score += points
            because.append(f"{text} ({points:+d})" if points else text)
        score = max(0, min(100, score))
        because.append(
            f"score {score}: evidence grade {spec.evidence} starts at {base}, plus the points above,"
            " kept within 0 to 100"
        )
        causes.append(
            Cause(
                id=cause_id,
                label=spec.label,
                score=score,
                likelihood=likelihood(score),
                evidence=spec.evidence,
                because=tuple(because),
                references=references,
            )
        )
    causes.sort(key=_rank)
    return tuple(causes)


def _rank(cause: Cause) -> tuple[int, str]:
    return -cause.score, cause.id
