"""Monitoring reminders with due hours (PROTOCOL.md section 13, KNOWLEDGE.md section 7): one small rule per row of
the protocol's table, listed in `RULES` in the table's order; the plan lists them by when they fall due.
"""

from __future__ import annotations

from collections.abc import Callable

from .context import Context
from .dose import LEVEL_AFTER_INFUSION_HOURS
from .ecg import CRITICAL, PROLONGED, QTC_SOURCES
from .electrolytes import (
    CHECK_NOW_SOURCES,
    ECG_NOW_SOURCES,
    K_ECG_NOW_MMOL_L,
    K_HIGH_MMOL_L,
    K_LOW_MMOL_L,
    K_SEVERE_LOW_MMOL_L,
    K_SEVERE_LOW_WORDS,
    ecg_now_because,
    missing_k_and_ca,
)
from .femg import FEMG_MIN_RENAL_FUNCTION_ML_MIN, IV_MAGNESIUM_LAST_24H, RENAL_FUNCTION_UNKNOWN
from .inputs import Setting
from .plausibility import RECENT_IV_MIN_HOURS
from .results import Reminder
from .route import IV, IV_URGENT, NONE, ORAL
from .units import fmt
from .wording import join_and, plain, plain_list

RECHECK_SOURCES = ("S30", "S101")  # Mg 6 h after the end of the last infusion, then daily until stable
RECHECK_ORAL_HOURS = {Setting.INPATIENT: 72, Setting.OUTPATIENT: 168}  # [S31, S91]
DAILY_HOURS = 24
OUTPATIENT_CNI_HOURS = 168  # Mg with every trough, at least weekly [S91, K section 7]
OUTPATIENT_CNI_UNTIL_DAY = 100
RECHECK_K_HOURS = 24  # [S91]
RECHECK_K_OUTPATIENT_HOURS = 72  # outpatient with 3.0 <= K < 3.5 or 5.0 < K < 6.0
RECHECK_K_URGENT_HOURS = 6  # K < 3.0 or an arrhythmia: "recheck 4-6 h" [S91] (M7, m18; open question 9)
ECG_REPEAT_HOURS = 24  # [S89, S91]
NOW = 0
FEMG_AFTER_IV_HOURS = 24  # FEMg is not interpretable within 24 h of IV Mg (section 9)

Rule = Callable[[Context], Reminder | None]


def mg_recheck_hours(ctx: Context) -> float | None:
    """When Mg is rechecked: 6 h after the end of the last infusion, or the oral interval; None for route none."""
    if ctx.intravenous:
        return course_hours(ctx) + LEVEL_AFTER_INFUSION_HOURS
    if ctx.route == ORAL:
        return RECHECK_ORAL_HOURS[ctx.data.setting]
    return None


def course_hours(ctx: Context) -> float:
    """Infusion hours of the first IV course: the infusion, or the bolus plus its follow-on when there is one."""
    dose = ctx.dose
    follow_on = dose.follow_on  # type: ignore[union-attr]
    return dose.duration_hours + (follow_on.duration_hours if follow_on else 0)  # type: ignore[union-attr,operator]


def recheck_mg_after_iv(ctx: Context) -> Reminder | None:
    if not ctx.intravenous:
        return None
    hours = mg_recheck_hours(ctx)
    after = LEVEL_AFTER_INFUSION_HOURS
    if ctx.route == IV_URGENT:
        last = "the bolus and the follow-on infusion" if ctx.follow_on else "the bolus"
        text = f"Recheck Mg, K and Ca {after} h after the end of the last infusion ({last})."
        because = f"urgent IV: {fmt(course_hours(ctx))} h of infusion + {after} h"
    elif ctx.data.setting is Setting.OUTPATIENT:
        text = (
            "Recheck Mg at the next visit and before any further infusion, not earlier than"
            f" {after} h after the end of this infusion."
        )
        because = f"outpatient IV infusion over {fmt(course_hours(ctx))} h + {after} h"
    else:
        text = f"Recheck Mg {after} h after the end of the infusion."
        because = f"IV infusion over {fmt(course_hours(ctx))} h + {after} h"
    return Reminder("recheck_mg_after_iv", text, hours, (because,), RECHECK_SOURCES)  # type: ignore[arg-type]


def recheck_mg_oral(ctx: Context) -> Reminder | None:
    if ctx.route != ORAL:
        return None
    hours = RECHECK_ORAL_HOURS[ctx.data.setting]
    return Reminder(
        "recheck_mg_oral",
        f"Recheck Mg in {fmt(hours)} h on oral replacement.",
        hours,
        (f"oral Mg, {ctx.data.setting}",),
        ("S31", "S91"),
    )


def daily_electrolytes(ctx: Context) -> Reminder | None:
    cnis = [i.drug for i in ctx.data.cnis]
    if ctx.data.setting is not Setting.INPATIENT or not (cnis or ctx.intravenous):
        return None
    references: tuple[str, ...]
    if ctx.intravenous:
        why, references = "inpatient on IV Mg: Mg daily until stable", RECHECK_SOURCES
    else:  # local practice on a CNI (K section 7, unconfirmed), kept as the conservative default
        why, references = f"inpatient on {plain_list(cnis)}", ("S32",)
    return Reminder("daily_electrolytes", "Daily Mg, K, Ca, phosphate and creatinine.", DAILY_HOURS, (why,), references)


def outpatient_cni_monitoring(ctx: Context) -> Reminder | None:
    data = ctx.data
    if data.setting is not Setting.OUTPATIENT or not data.on_cni:
        return None
    day = OUTPATIENT_CNI_UNTIL_DAY
    if data.transplant.day <= day:
        text = f"Mg with every CNI trough, at least weekly to day +{day}."
    else:
        text = (
            "Mg with every CNI trough; at least weekly until Mg is stable on replacement (the routine interval after"
            f" day +{day} is the transplant team's)."
        )
    because = (f"outpatient on {plain_list(i.drug for i in data.cnis)}, day {data.transplant.day:+d}",)
    return Reminder("outpatient_cni_monitoring", text, OUTPATIENT_CNI_HOURS, because, ("S91",))


def recheck_k(ctx: Context) -> Reminder | None:
    k = ctx.potassium_mmol_l
    if k is None or K_LOW_MMOL_L <= k <= K_HIGH_MMOL_L:
        return None
    milder = ctx.data.setting is Setting.OUTPATIENT and (
        K_SEVERE_LOW_MMOL_L <= k < K_LOW_MMOL_L or K_HIGH_MMOL_L < k < K_ECG_NOW_MMOL_L
    )
    cap = RECHECK_K_OUTPATIENT_HOURS if milder else RECHECK_K_HOURS
    recheck = mg_recheck_hours(ctx)
    due = min(recheck, cap) if recheck is not None else cap
    because = [f"K {fmt(k)} mmol/L"]
    if k < K_SEVERE_LOW_MMOL_L or ctx.data.arrhythmia:
        due = min(due, RECHECK_K_URGENT_HOURS)
        because.append(f"K below {K_SEVERE_LOW_WORDS} mmol/L" if k < K_SEVERE_LOW_MMOL_L else "arrhythmia")
    references = ("S91", *(("S29", "S47") if k < K_LOW_MMOL_L else ("S74",)))
    return Reminder("recheck_k", f"Recheck potassium in {fmt(due)} h.", due, tuple(because), references)


def ecg_now(ctx: Context) -> Reminder | None:
    because = ecg_now_because(ctx)
    if not because:
        return None
    return Reminder("ecg_now", "12-lead ECG now for a baseline QTc.", NOW, because, ECG_NOW_SOURCES)


def check_k_and_ca_now(ctx: Context) -> Reminder | None:
    missing = missing_k_and_ca(ctx)
    if not missing:
        return None
    why = "urgent symptom" if ctx.urgent and not ctx.replacing else "Mg replacement planned"
    return Reminder(
        "check_k_and_ca_now",
        f"Check {join_and(missing)} now.",
        NOW,
        (f"{join_and(missing)} not given", why),
        CHECK_NOW_SOURCES,
    )


def ecg_monitoring(ctx: Context) -> Reminder | None:
    """`continuous_ecg` (which replaces `repeat_ecg`) or `repeat_ecg` (section 8, m8)."""
    why = [
        text
        for text, on in (
            ("QTc 500 ms or more, or an arrhythmia", ctx.qtc_level == CRITICAL),
            ("urgent IV bolus", ctx.route == IV_URGENT),
            ("infusion with heart block", ctx.intravenous and ctx.heart_block),
            ("infusion with a first-degree AV block", ctx.intravenous and ctx.first_degree_av_block),
        )
        if on
    ]
    if why:
        return Reminder("continuous_ecg", "Continuous ECG monitoring.", NOW, tuple(why), ("S89", "S91", "S35"))
    if ctx.qtc_level == PROLONGED:
        return Reminder(
            "repeat_ecg", f"Repeat the ECG in {ECG_REPEAT_HOURS} h.", ECG_REPEAT_HOURS, ctx.qtc_because, QTC_SOURCES
        )
    return None


def check_creatinine(ctx: Context) -> Reminder | None:
    if ctx.data.labs.creatinine is not None or not ctx.replacing:
        return None
    return Reminder(
        "check_creatinine",
        "Check serum creatinine now (renal dose adjustment).",
        NOW,
        ("no serum creatinine given",),
        ("S30", "S35"),
    )


def check_cni_trough(ctx: Context) -> Reminder | None:
    above = ctx.troughs_above
    drugs = [i.drug for i in ctx.data.cnis if i.drug in above or i.trough is None]
    if not drugs:
        return None
    why = [above[d][0] if d in above else f"{plain(d)} trough not given" for d in drugs]
    noun = "level" if len(drugs) == 1 else "levels"
    return Reminder(
        "check_cni_trough", f"Check the {plain_list(drugs)} trough {noun}.", DAILY_HOURS, tuple(why), ("S5", "S7")
    )


def recheck_before_next_dose(ctx: Context) -> Reminder | None:
    renal = ctx.renal
    if not (ctx.intravenous and (renal.below_30 or renal.unknown)):
        return None
    return Reminder(
        "recheck_before_next_dose",
        "Recheck Mg before any further dose.",
        mg_recheck_hours(ctx),  # type: ignore[arg-type]
        renal.because,
        ("S30",),
    )


def hypermagnesemia_watch(ctx: Context) -> Reminder | None:
    if not (ctx.route == IV_URGENT or (ctx.route == IV and ctx.renal.below_30)):
        return None
    return Reminder(
        "hypermagnesemia_watch",
        "During the infusion watch reflexes, blood pressure and respiratory rate; keep IV calcium at hand.",
        NOW,
        ("urgent IV bolus",) if ctx.route == IV_URGENT else ctx.renal.because,
        ("S35", "S36"),
    )


def redraw_mg_after_iv(ctx: Context) -> Reminder | None:
    if not ctx.data.magnesium_therapy.iv_magnesium_last_24h or ctx.route not in (NONE, ORAL):
        return None
    hours = RECENT_IV_MIN_HOURS
    return Reminder(
        "redraw_mg_after_iv",
        f"If this sample was drawn less than {hours} h after the end of the last infusion, redraw Mg at least"
        f" {hours} h after the end.",
        hours,
        ("IV magnesium in the last 24 h",),
        ("S30", "S101"),
    )


def femg_when_cause_unclear(ctx: Context) -> Reminder | None:
    if not ctx.replacing or any(c.likelihood == "high" for c in ctx.causes):
        return None
    unreadable = ctx.femg_interpretation == "not_interpretable"
    reason = ctx.femg_reason
    if ctx.femg is not None and not (unreadable and reason in (IV_MAGNESIUM_LAST_24H, RENAL_FUNCTION_UNKNOWN)):
        return None
    renal = ctx.renal
    if renal.conditions or (
        renal.function_ml_min is not None and renal.function_ml_min < FEMG_MIN_RENAL_FUNCTION_ML_MIN
    ):
        return None  # FEMg would not be interpretable there
    hours = course_hours(ctx) + FEMG_AFTER_IV_HOURS if ctx.intravenous else DAILY_HOURS
    why = "FEMg not computed" if ctx.femg is None else f"FEMg not interpretable ({plain(reason)})"
    return Reminder(
        "femg_when_cause_unclear",
        f"Cause unclear: send a spot urine Mg and creatinine for FEMg (at least {FEMG_AFTER_IV_HOURS} h after IV Mg).",
        hours,
        ("no cause with high likelihood", why),
        ("S51", "S52"),
    )


# The protocol's table, in its order (section 13).
RULES: tuple[Rule, ...] = (
    recheck_mg_after_iv,
    recheck_mg_oral,
    daily_electrolytes,
    outpatient_cni_monitoring,
    recheck_k,
    ecg_now,
    check_k_and_ca_now,
    ecg_monitoring,
    check_creatinine,
    check_cni_trough,
    recheck_before_next_dose,
    hypermagnesemia_watch,
    redraw_mg_after_iv,
    femg_when_cause_unclear,
)


def plan_reminders(ctx: Context) -> tuple[Reminder, ...]:
    """Every reminder that applies, by when it falls due (table order among those due together)."""
    found = [r for rule in RULES if (r := rule(ctx)) is not None]
    found.sort(key=_due)
    return tuple(found)


def _due(reminder: Reminder) -> float:
    return reminder.due_in_hours
