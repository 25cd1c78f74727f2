"""Route of replacement (PROTOCOL.md section 4): the first rule that applies decides; each rule adds its reason
ids to `plan.reasons`, in order. Also the `symptoms_not_explained_by_mg` warning, which the same rule-2 conditions
decide.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from .ecg import QTC_CRITICAL_MS
from .inputs import AssessmentInput, OralIntake, Symptom
from .results import MagnesiumReading, Warning
from .severity import RAISED_TARGET_MMOL_L, RAISED_TARGET_WORDS, ULN_MMOL_L, ULN_WORDS, Target
from .units import fmt
from .wording import join_and, plain, plain_list

# Route ids.
NONE, ORAL, IV, IV_URGENT = "none", "oral", "iv", "iv_urgent"

ENTERAL_MUCOSITIS_GRADE = 3  # mucositis grade >= 3: enteral route unavailable
# Diarrhea that makes oral Mg unwise: MAGIC lower-GI stage 1 thresholds [S29, S31]; stage 2 doubles them (used by
# the cause scores, section 10).
DIARRHEA_ADULT_ML_DAY = 500
DIARRHEA_CHILD_ML_KG_DAY = 10
DIARRHEA_SEVERE_ADULT_ML_DAY = 1000
DIARRHEA_SEVERE_CHILD_ML_KG_DAY = 20

REASON_SOURCES: dict[str, tuple[str, ...]] = {
    "hypermagnesemia": ("S56", "S35"),
    "urgent_symptom": ("S89", "S33"),
    "normal_magnesium": ("S30",),
    "raised_target": ("S89", "S90", "S41"),
    "grade_2_or_worse": ("S30", "S31"),
    "symptomatic": ("S33",),
    "enteral_route_unavailable": ("S40",),
    "diarrhea_or_gut_gvhd": ("S29", "S31"),
    "qtc_critical": ("S89",),
    "mild_asymptomatic_enteral_ok": ("S30", "S31"),
}

# What to look for when an urgent symptom is not explained by the Mg level (m5), with its sources.
UNEXPLAINED_ADVICE: dict[Symptom, tuple[str, tuple[str, ...]]] = {
    Symptom.SEIZURE: ("check calcium (ionized)", ("S49",)),
    Symptom.TETANY: ("check ionized calcium (and pH)", ("S48",)),
    Symptom.TORSADES: ("check K, calcium, QT-prolonging drugs and bradycardia (including heart block)", ("S100",)),
    Symptom.VENTRICULAR_ARRHYTHMIA: (
        "check K, calcium, QT-prolonging drugs and bradycardia (including heart block)",
        ("S100",),
    ),
}
CNI_NEUROTOXICITY = ("consider CNI neurotoxicity (PRES)", ("S3", "S67"))
GRADE_1_URGENT_SYMPTOMS = (Symptom.SEIZURE, Symptom.TETANY)  # rule 2: urgent IV from CTCAE grade 1


@dataclass(slots=True)  # built once per assessment, never changed: slotted for speed
class RouteDecision:
    route: str
    reasons: tuple[str, ...]
    because: tuple[str, ...]
    references: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        self.references = reason_references(self.reasons)


@cache  # of the rule set only: route reason ids -> their sources
def reason_references(reasons: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(s for r in reasons for s in REASON_SOURCES[r]))


def diarrhea_threshold_met(data: AssessmentInput, adult_ml_day: float, child_ml_kg_day: float) -> str | None:
    """A sentence when diarrhea reaches the adult mL/day or the child mL/kg/day threshold, else None."""
    volume = data.gi.diarrhea_ml_per_day
    if not volume:
        return None
    if data.patient.is_adult:
        return f"diarrhea {fmt(volume)} mL/day >= {adult_ml_day} mL/day" if volume >= adult_ml_day else None
    # Children always have a weight: the parser requires it.
    per_kg = volume / data.patient.weight_kg  # type: ignore[operator]
    if per_kg >= child_ml_kg_day:
        return f"diarrhea {fmt(per_kg, 1)} mL/kg/day >= {child_ml_kg_day} mL/kg/day"
    return None


def urgent_symptom_reasons(data: AssessmentInput, mg_mmol_l: float, grade: int, target: float) -> dict[Symptom, str]:
    """Urgent symptoms whose own rule-2 condition holds at this Mg, each with the sentence that says why."""
    held: dict[Symptom, str] = {}
    if not data.urgent_symptoms:
        return held
    if data.has_symptom(Symptom.TORSADES) and mg_mmol_l <= ULN_MMOL_L:
        held[Symptom.TORSADES] = "torsades de pointes: IV Mg at any Mg up to the ULN"
    if data.has_symptom(Symptom.VENTRICULAR_ARRHYTHMIA) and mg_mmol_l < target:
        held[Symptom.VENTRICULAR_ARRHYTHMIA] = (
            f"ventricular arrhythmia with Mg {fmt(mg_mmol_l)} mmol/L below the target {fmt(target)} mmol/L"
        )
    for symptom in GRADE_1_URGENT_SYMPTOMS:
        if data.has_symptom(symptom) and grade >= 1:
            held[symptom] = f"{symptom} with CTCAE grade {grade}"
    return held


def decide_route(data: AssessmentInput, reading: MagnesiumReading, *, grade: int, target: Target) -> RouteDecision:
    mg = reading.mmol_per_l
    if reading.above_uln:  # rule 1
        return RouteDecision(NONE, ("hypermagnesemia",), (f"Mg {fmt(mg)} mmol/L is above the ULN {ULN_WORDS} mmol/L",))
    urgent = urgent_symptom_reasons(data, mg, grade, target.mmol_per_l)  # rule 2
    if urgent:
        return RouteDecision(IV_URGENT, ("urgent_symptom",), tuple(urgent.values()))

    reasons: list[str] = []
    because: list[str] = []
    if grade == 0:  # rule 3
        if not (target.raised and mg < RAISED_TARGET_MMOL_L):
            return RouteDecision(NONE, ("normal_magnesium",), (f"Mg {fmt(mg)} mmol/L is at or above the LLN",))
        reasons.append("raised_target")
        because.append(
            f"Mg {fmt(mg)} mmol/L is below the raised target {RAISED_TARGET_WORDS} mmol/L: {target.raised_because[0]}"
        )

    iv_reasons = _iv_reasons(data, grade)  # rule 4
    if iv_reasons:
        reasons.extend(iv_reasons)
        because.extend(iv_reasons.values())
        return RouteDecision(IV, tuple(reasons), tuple(because))
    reasons.append("mild_asymptomatic_enteral_ok")  # rule 5
    because.append(
        f"CTCAE grade {max(grade, 1)}, no escalating symptom, enteral route available, no significant diarrhea"
    )
    return RouteDecision(ORAL, tuple(reasons), tuple(because))


def _iv_reasons(data: AssessmentInput, grade: int) -> dict[str, str]:
    """Every rule-4 reason that holds, in protocol order, each with the inputs that triggered it."""
    reasons: dict[str, str] = {}
    if grade >= 2:
        reasons["grade_2_or_worse"] = f"CTCAE grade {grade} (>= 2)"
    escalating = data.escalating_symptoms
    if escalating:
        reasons["symptomatic"] = f"symptomatic: {plain_list(escalating)}"
    enteral = []
    if data.nutrition.oral_intake is OralIntake.NIL:
        enteral.append("oral intake nil")
    if data.gi.vomiting:
        enteral.append("vomiting")
    if data.gi.mucositis_grade is not None and data.gi.mucositis_grade >= ENTERAL_MUCOSITIS_GRADE:
        enteral.append(f"mucositis grade {data.gi.mucositis_grade}")
    if enteral:
        reasons["enteral_route_unavailable"] = f"enteral route unavailable: {', '.join(enteral)}"
    gut = gut_losses(data)
    if gut:
        reasons["diarrhea_or_gut_gvhd"] = f"oral Mg worsens diarrhea: {', '.join(gut)}"
    if data.qtc_ms is not None and data.qtc_ms >= QTC_CRITICAL_MS:
        reasons["qtc_critical"] = f"QTc {fmt(data.qtc_ms)} ms >= {QTC_CRITICAL_MS} ms: an oral course is too slow"
    return reasons


def gut_losses(data: AssessmentInput) -> list[str]:
    """Lower-GI losses that rule out oral Mg (route reason `diarrhea_or_gut_gvhd`)."""
    found = []
    diarrhea = diarrhea_threshold_met(data, DIARRHEA_ADULT_ML_DAY, DIARRHEA_CHILD_ML_KG_DAY)
    if diarrhea:
        found.append(diarrhea)
    if data.gi.lower_gi_gvhd_stage:
        found.append(f"lower-GI GVHD stage {data.gi.lower_gi_gvhd_stage}")
    if data.gi.high_output_stoma:
        found.append("high-output stoma")
    return found


def symptoms_not_explained_warning(
    data: AssessmentInput, mg_mmol_l: float, grade: int, target: float, *, unit_may_be_low: bool
) -> Warning | None:
    """One warning naming each urgent symptom whose own rule-2 condition does not hold (section 4, m5)."""
    if not data.urgent_symptoms:
        return None
    explained = urgent_symptom_reasons(data, mg_mmol_l, grade, target)
    unexplained = [s for s in data.urgent_symptoms if s not in explained]
    if not unexplained:
        return None
    groups: dict[str, list[Symptom]] = {}
    references: list[str] = []
    for symptom in unexplained:
        advice, sources = UNEXPLAINED_ADVICE[symptom]
        if symptom is Symptom.SEIZURE and data.on_cni:
            advice = f"{advice} and {CNI_NEUROTOXICITY[0]}"
            sources = (*sources, *CNI_NEUROTOXICITY[1])
        groups.setdefault(advice, []).append(symptom)
        references.extend(sources)
    names = join_and(f"the {plain(s)}" for s in unexplained)
    if len(groups) == 1:
        advice_text = next(iter(groups))
    else:
        advice_text = "; ".join(f"for {join_and(f'the {plain(s)}' for s in g)} {a}" for a, g in groups.items())
    lead = "If the unit is right, this" if unit_may_be_low else "This"
    return Warning(
        "symptoms_not_explained_by_mg",
        f"{lead} Mg level does not explain {names}: {advice_text}.",
        (
            f"{plain_list(unexplained)} with Mg {fmt(mg_mmol_l)} mmol/L, CTCAE grade {grade}"
            + (
                f", on {plain_list(i.drug for i in data.cnis)}"
                if data.on_cni and Symptom.SEIZURE in unexplained
                else ""
            ),
        ),
        tuple(dict.fromkeys(references)),
    )
