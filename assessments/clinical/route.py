"""Route of replacement (PROTOCOL.md section 4): the first rule that applies decides; each rule adds its reason
ids to `plan.reasons`, in order.
"""

from __future__ import annotations

from dataclasses import dataclass

from .inputs import AssessmentInput, OralIntake, Symptom
from .results import MagnesiumReading
from .severity import RAISED_TARGET_MMOL_L, ULN_MMOL_L, raised_target_reasons
from .units import fmt

# Route ids.
NONE, ORAL, IV, IV_URGENT = "none", "oral", "iv", "iv_urgent"

ENTERAL_MUCOSITIS_GRADE = 3  # mucositis grade >= 3: enteral route unavailable
# Diarrhea that makes oral Mg unwise: MAGIC lower-GI stage 1 thresholds [S29, S31].
DIARRHEA_ADULT_ML_DAY = 500
DIARRHEA_CHILD_ML_KG_DAY = 10
QTC_CRITICAL_MS = 500  # [S89]

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


@dataclass(frozen=True)
class RouteDecision:
    route: str
    reasons: tuple[str, ...]
    because: tuple[str, ...]
    below_target: bool

    @property
    def references(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(s for r in self.reasons for s in REASON_SOURCES[r]))


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
    """Urgent symptoms whose own rule-2 condition holds, each with the sentence that says why."""
    held: dict[Symptom, str] = {}
    if data.has_symptom(Symptom.TORSADES) and mg_mmol_l <= ULN_MMOL_L:
        held[Symptom.TORSADES] = "torsades de pointes: IV Mg at any Mg up to the ULN"
    if data.has_symptom(Symptom.VENTRICULAR_ARRHYTHMIA) and mg_mmol_l < target:
        held[Symptom.VENTRICULAR_ARRHYTHMIA] = (
            f"ventricular arrhythmia with Mg {fmt(mg_mmol_l)} mmol/L below the target {fmt(target)} mmol/L"
        )
    for symptom in (Symptom.SEIZURE, Symptom.TETANY):
        if data.has_symptom(symptom) and grade >= 1:
            held[symptom] = f"{symptom} with CTCAE grade {grade}"
    return held


def decide_route(data: AssessmentInput, reading: MagnesiumReading, *, grade: int, target: float) -> RouteDecision:
    mg = reading.mmol_per_l
    below_target = mg < target
    if mg > ULN_MMOL_L:
        return RouteDecision(
            NONE, ("hypermagnesemia",), (f"Mg {fmt(mg)} mmol/L is above the ULN {ULN_MMOL_L} mmol/L",), below_target
        )
    urgent = urgent_symptom_reasons(data, mg, grade, target)
    if urgent:
        return RouteDecision(IV_URGENT, ("urgent_symptom",), tuple(urgent.values()), below_target)

    reasons: list[str] = []
    because: list[str] = []
    if grade == 0:
        raised = raised_target_reasons(data)
        if not (raised and mg < RAISED_TARGET_MMOL_L):
            return RouteDecision(
                NONE, ("normal_magnesium",), (f"Mg {fmt(mg)} mmol/L is at or above the LLN",), below_target
            )
        reasons.append("raised_target")
        because.append(f"Mg {fmt(mg)} mmol/L is below the raised target {RAISED_TARGET_MMOL_L} mmol/L: {raised[0]}")

    iv_reasons = _iv_reasons(data, grade, mg, target)
    if iv_reasons:
        reasons.extend(iv_reasons)
        because.extend(iv_reasons.values())
        return RouteDecision(IV, tuple(reasons), tuple(because), below_target)
    reasons.append("mild_asymptomatic_enteral_ok")
    because.append(f"CTCAE grade {max(grade, 1)}, no symptom, enteral route available, no significant diarrhea")
    return RouteDecision(ORAL, tuple(reasons), tuple(because), below_target)


def _iv_reasons(data: AssessmentInput, grade: int, mg: float, target: float) -> dict[str, str]:
    """Every rule-4 reason that holds, in protocol order, each with the inputs that triggered it."""
    reasons: dict[str, str] = {}
    if grade >= 2:
        reasons["grade_2_or_worse"] = f"CTCAE grade {grade} (>= 2)"
    if data.symptoms:
        reasons["symptomatic"] = f"symptomatic: {', '.join(data.symptoms)}"
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
    if data.qtc_ms is not None and data.qtc_ms >= QTC_CRITICAL_MS and mg < target:
        reasons["qtc_critical"] = f"QTc {fmt(data.qtc_ms)} ms >= {QTC_CRITICAL_MS} ms with Mg below the target"
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
