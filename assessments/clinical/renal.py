"""Renal function used for dosing, and the renal warnings and step (PROTOCOL.md section 5, "Renal function")
[S30, S35, S29].

Adults: the lower of Cockcroft-Gault CrCl (actual body weight) and CKD-EPI 2021 eGFR, whichever can be computed;
without a sex, each formula for both sexes and the lower used. Children: bedside Schwartz eGFR when the height is
given. Dialysis and oliguria count as < 15 mL/min, AKI as < 30 mL/min, because a creatinine-based estimate
overstates the GFR while creatinine rises; the computed value is still reported as computed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from . import calculators
from .inputs import AssessmentInput, Condition, Sex
from .results import Calculation, Step, Warning
from .units import fmt
from .wording import capitalized, join_and, plain

HALVE_BELOW_ML_MIN = 30  # halve every non-urgent dose below 30 mL/min [S30, S29]
SEVERE_BELOW_ML_MIN = 15  # no routine replacement without renal advice [S35, S30]
SEVERE_RENAL_CAP_G_PER_48H = 20  # label cap in severe renal insufficiency [S35]
SOURCES = calculators.RENAL_RULE_SOURCES
SEVERE_SOURCES = ("S35", "S30")
HYPERMAGNESEMIA_RISK_SOURCES = ("S35",)
LOWER_OF_BOTH_SEXES = "lower_of_both_sexes"

# Conditions in the order the halving reason names them (m10): dialysis and oliguria count as < 15, AKI as < 30.
SEVERE_CONDITIONS = (Condition.DIALYSIS, Condition.OLIGURIA)
HALVING_CONDITIONS = (Condition.DIALYSIS, Condition.OLIGURIA, Condition.AKI)
SEVERE_CONDITIONS_SET = frozenset(SEVERE_CONDITIONS)
# What a missing input is called in a text (text never shows a field path).
MISSING_WORDS = {"labs.creatinine": "serum creatinine", "patient.sex": "sex", "patient.weight_kg": "weight",
                 "patient.height_cm": "height"}  # fmt: skip


@dataclass(slots=True)  # built once per assessment, never changed: slotted for speed
class RenalStatus:
    crcl: Calculation | None
    egfr: Calculation | None
    schwartz: Calculation | None
    function_ml_min: float | None
    sex_assumption: str | None
    conditions: tuple[Condition, ...]  # dialysis, oliguria and AKI as given, in that order
    below_30: bool
    below_15: bool
    unknown: bool
    missing: tuple[str, ...]  # contract paths
    unused_creatinine: str | None  # "serum creatinine 60 umol/L was given, but height is not, ..."
    because: tuple[str, ...]

    @property
    def calculations(self) -> tuple[Calculation, ...]:
        return tuple(c for c in (self.crcl, self.egfr, self.schwartz) if c is not None)

    @property
    def halving_reason(self) -> str:
        """'halved because renal function is below 30 mL/min', or the conditions that caused it (m10)."""
        if self.function_ml_min is not None and self.function_ml_min < HALVE_BELOW_ML_MIN:
            return f"halved because renal function is below {HALVE_BELOW_ML_MIN} mL/min"
        return f"halved because of {join_and(plain(c) for c in self.conditions)}"

    @property
    def severe_prefix(self) -> str:
        return f"Renal advice first (renal function below {SEVERE_BELOW_ML_MIN} mL/min, dialysis or oliguria):"

    @property
    def sex_note(self) -> str | None:
        if self.sex_assumption is None:
            return None
        return (
            f"renal function {fmt(self.function_ml_min)} mL/min (sex not given: the lower of the female and male"  # type: ignore[arg-type]
            " estimates is used)"
        )

    @property
    def missing_words(self) -> str:
        return join_and(MISSING_WORDS.get(path, path) for path in self.missing)


def _adult_estimates(data: AssessmentInput) -> tuple[Calculation | None, Calculation | None, str | None]:
    patient, creatinine = data.patient, data.labs.creatinine
    if creatinine is None:
        return None, None, None
    age, weight = patient.age_years, patient.weight_kg
    if patient.sex is not None:
        egfr = calculators.ckd_epi_2021(age_years=age, sex=patient.sex, creatinine=creatinine)
        crcl = None
        if weight is not None:
            crcl = calculators.cockcroft_gault(age_years=age, sex=patient.sex, weight_kg=weight, creatinine=creatinine)
        return crcl, egfr, None
    # Sex not given (M4): both sexes, the lower kept; for Cockcroft-Gault the female value is always the lower.
    note = " (sex not given: the lower of the female and male estimates)"
    both = [calculators.ckd_epi_2021(age_years=age, sex=sex, creatinine=creatinine) for sex in Sex]
    egfr = min(both, key=lambda c: c.value)
    egfr = replace(egfr, label=egfr.label + note)
    crcl = None
    if weight is not None:
        crcl = calculators.cockcroft_gault(age_years=age, sex=Sex.FEMALE, weight_kg=weight, creatinine=creatinine)
        crcl = replace(crcl, label=crcl.label + note)
    return crcl, egfr, LOWER_OF_BOTH_SEXES


def renal_status(data: AssessmentInput) -> RenalStatus:
    patient, creatinine = data.patient, data.labs.creatinine
    crcl = egfr = schwartz = None
    assumption = unused = None
    missing = [] if creatinine is not None else ["labs.creatinine"]
    if patient.is_adult:
        if patient.sex is None:
            missing.append("patient.sex")
        if patient.weight_kg is None:
            missing.append("patient.weight_kg")
        crcl, egfr, assumption = _adult_estimates(data)
    elif patient.height_cm is None:
        missing.append("patient.height_cm")
        if creatinine is not None:
            unused = (
                f"serum creatinine {creatinine.show()} was given, but height is not, so the bedside Schwartz eGFR"
                " cannot be computed"
            )
    elif creatinine is not None:
        schwartz = calculators.bedside_schwartz(height_cm=patient.height_cm, creatinine=creatinine)
    computed = [c.value for c in (crcl, egfr, schwartz) if c is not None]
    function = min(computed) if computed else None
    given = data.conditions
    conditions = tuple([c for c in HALVING_CONDITIONS if c in given]) if given else ()

    because = []
    if function is not None:
        because.append(f"renal function used {fmt(function)} mL/min (the lowest estimate that could be computed)")
    for condition in conditions:
        below = SEVERE_BELOW_ML_MIN if condition in SEVERE_CONDITIONS else HALVE_BELOW_ML_MIN
        because.append(f"{plain(condition)} counts as renal function below {below} mL/min")
    severe = not SEVERE_CONDITIONS_SET.isdisjoint(conditions)
    below_15 = severe or (function is not None and function < SEVERE_BELOW_ML_MIN)
    below_30 = bool(conditions) or (function is not None and function < HALVE_BELOW_ML_MIN)
    unknown = function is None and not conditions
    if unknown:
        because.append(unused or f"renal function cannot be computed: no {join_and(MISSING_WORDS[m] for m in missing)}")
    return RenalStatus(
        crcl=crcl,
        egfr=egfr,
        schwartz=schwartz,
        function_ml_min=function,
        sex_assumption=assumption,
        conditions=conditions,
        below_30=below_30,
        below_15=below_15,
        unknown=unknown,
        missing=tuple(missing),
        unused_creatinine=unused,
        because=tuple(because),
    )


def renal_findings(
    renal: RenalStatus, *, replacing: bool, urgent: bool, follow_on: bool
) -> tuple[list[Warning], Step | None]:
    """The renal warnings and step; none when no Mg is to be given. In route `iv_urgent` they speak of the
    follow-on infusion, never of the bolus (M10), or say that no follow-on is planned (m9)."""
    if not replacing:
        return [], None
    warnings: list[Warning] = []
    because = renal.because
    if renal.unknown:
        what = renal.unused_creatinine or f"no {renal.missing_words}"
        warnings.append(
            Warning(
                "renal_function_unknown",
                f"Renal function unknown ({what}): give the first dose only, at full strength; further doses wait for"
                " renal function.",
                because,
                SOURCES,
            )
        )
    if renal.below_15:
        advice = (
            f"renal function below {SEVERE_BELOW_ML_MIN} mL/min, dialysis or oliguria: no routine replacement without"
            f" renal advice; label cap {SEVERE_RENAL_CAP_G_PER_48H} g per 48 h; no daily continuation without a level."
        )
        if urgent and follow_on:
            text = f"For the follow-on infusion (not the bolus): {advice}"
        elif urgent:
            text = f"For any further dose (not the bolus; no follow-on infusion is planned): {advice}"
        else:
            text = capitalized(advice)
        warnings.append(Warning("severe_renal_impairment", text, because, SEVERE_SOURCES))
    step = None
    if renal.below_30:
        if urgent and not follow_on:
            text = (
                f"Renal function < {HALVE_BELOW_ML_MIN} mL/min (or dialysis, oliguria or AKI): no follow-on infusion is"
                f" planned; any further dose is halved and needs a level (and, below {SEVERE_BELOW_ML_MIN}, renal"
                " advice) first."
            )
        elif urgent:
            text = (
                f"Renal function < {HALVE_BELOW_ML_MIN} mL/min (or dialysis, oliguria or AKI): the follow-on infusion"
                " is halved; the bolus is not; avoid magnesium aspartate."
            )
        else:
            text = (
                f"Renal function < {HALVE_BELOW_ML_MIN} mL/min (or dialysis, oliguria or AKI): every non-urgent dose is"
                " halved; avoid magnesium aspartate."
            )
        warnings.append(Warning("renal_dose_reduction", text, because, SOURCES))
        step = Step("renal_dose_reduction", text, because, SOURCES)
        when = (
            "with the follow-on infusion"
            if urgent and follow_on
            else "with any further dose"
            if urgent
            else "with this replacement"
        )
        warnings.append(
            Warning(
                "hypermagnesemia_risk",
                f"Reduced Mg excretion: risk of hypermagnesemia {when}. Watch reflexes, blood pressure and respiratory"
                " rate during any infusion; keep IV calcium at hand.",
                because,
                HYPERMAGNESEMIA_RISK_SOURCES,
            )
        )
    return warnings, step
