"""Monitoring reminders with due hours (PROTOCOL.md section 13, KNOWLEDGE.md section 7).

Takes the route, the dose (its infusion hours), the setting, potassium, QTc, renal status and the causes;
returns reminders sorted by when they fall due.
"""

from __future__ import annotations

from .causes import trough_above_range
from .context import Context
from .electrolytes import K_HIGH_MMOL_L, K_LOW_MMOL_L, potassium_mmol_l
from .inputs import Condition, Setting
from .results import Reminder
from .route import IV, IV_URGENT, ORAL
from .units import fmt

RECHECK_AFTER_INFUSION_HOURS = 6  # a level at least 6 h after the infusion ends [S30]
RECHECK_AFTER_BOLUS_HOURS = 6  # Mg, K and Ca [S35, S36]
RECHECK_ORAL_HOURS = {Setting.INPATIENT: 72, Setting.OUTPATIENT: 168}  # [S31, S91]
DAILY_HOURS = 24
OUTPATIENT_CNI_HOURS = 168  # Mg with every trough, at least weekly to day +100 [S4, S42]
RECHECK_K_HOURS = 24
RECHECK_K_OUTPATIENT_HOURS = 72  # outpatient with 3.0 <= K < 3.5 or 5.0 < K < 6.0
OUTPATIENT_K_BAND = (3.0, 6.0)
ECG_REPEAT_HOURS = 24  # [S89, S91]
NOW = 0
FEMG_AFTER_IV_HOURS = 24  # FEMg is not interpretable within 24 h of IV Mg (PROTOCOL.md section 9)


def mg_recheck_hours(ctx: Context) -> float | None:
    if ctx.route == IV:
        return ctx.dose.duration_hours + RECHECK_AFTER_INFUSION_HOURS  # type: ignore[union-attr,operator]
    if ctx.route == IV_URGENT:
        return RECHECK_AFTER_BOLUS_HOURS
    if ctx.route == ORAL:
        return RECHECK_ORAL_HOURS[ctx.data.setting]
    return None


def _course_hours(ctx: Context) -> float:
    """Infusion hours of the first IV course: the bolus plus its follow-on when there is one."""
    dose = ctx.dose
    follow_on = dose.follow_on  # type: ignore[union-attr]
    return dose.duration_hours + (follow_on.duration_hours if follow_on else 0)  # type: ignore[union-attr,operator]


def plan_reminders(ctx: Context, *, qtc_level: str | None) -> tuple[Reminder, ...]:
    data, renal, items = ctx.data, ctx.renal, []

    def add(rid: str, text: str, hours: float, because: tuple[str, ...], refs: tuple[str, ...]) -> None:
        items.append(Reminder(rid, text, hours, because, refs))

    recheck = mg_recheck_hours(ctx)
    if ctx.route == IV:
        add(
            "recheck_mg_after_iv",
            f"Recheck Mg {RECHECK_AFTER_INFUSION_HOURS} h after the infusion ends.",
            recheck,  # type: ignore[arg-type]
            (f"IV infusion over {fmt(ctx.dose.duration_hours)} h + {RECHECK_AFTER_INFUSION_HOURS} h",),  # type: ignore[union-attr,arg-type]
            ("S30",),
        )
    elif ctx.route == IV_URGENT:
        add(
            "recheck_mg_after_iv",
            "Recheck Mg, K and Ca 6 h after the bolus.",
            recheck,
            ("urgent IV bolus",),  # type: ignore[arg-type]
            ("S35", "S36"),
        )
    elif ctx.route == ORAL:
        add(
            "recheck_mg_oral",
            "Recheck Mg on oral replacement.",
            recheck,
            (f"oral Mg, {data.setting}",),  # type: ignore[arg-type]
            ("S31", "S91"),
        )

    cnis = [i.drug.value for i in data.cnis]
    if data.setting is Setting.INPATIENT and (cnis or ctx.intravenous):
        why = f"inpatient on {', '.join(cnis)}" if cnis else f"inpatient, route {ctx.route}"
        add("daily_electrolytes", "Daily Mg, K, Ca, phosphate and creatinine.", DAILY_HOURS, (why,), ("S32", "S4"))
    if data.setting is Setting.OUTPATIENT and cnis:
        add(
            "outpatient_cni_monitoring",
            "Mg with every trough level, at least weekly to day +100.",
            OUTPATIENT_CNI_HOURS,
            (f"outpatient on {', '.join(cnis)}",),
            ("S4", "S42"),
        )

    k = potassium_mmol_l(data)
    if k is not None and (k < K_LOW_MMOL_L or k > K_HIGH_MMOL_L):
        low, high = OUTPATIENT_K_BAND
        milder = data.setting is Setting.OUTPATIENT and (low <= k < K_LOW_MMOL_L or K_HIGH_MMOL_L < k < high)
        cap = RECHECK_K_OUTPATIENT_HOURS if milder else RECHECK_K_HOURS
        due = min(recheck, cap) if recheck is not None else cap
        add(
            "recheck_k",
            "Recheck potassium.",
            due,
            (f"K {fmt(k)} mmol/L",),
            ("S29", "S47") if k < K_LOW_MMOL_L else ("S74",),
        )

    heart_block_infusion = Condition.HEART_BLOCK in data.conditions and ctx.intravenous
    if qtc_level == "critical" or ctx.route == IV_URGENT or heart_block_infusion:
        why = [
            w
            for w, on in (
                ("QTc critical or arrhythmia", qtc_level == "critical"),
                ("urgent IV bolus", ctx.route == IV_URGENT),
                ("infusion with heart block", heart_block_infusion),
            )
            if on
        ]
        add("continuous_ecg", "Continuous ECG monitoring.", NOW, tuple(why), ("S89", "S91"))
    elif qtc_level == "prolonged":
        add("repeat_ecg", "Repeat the ECG.", ECG_REPEAT_HOURS, (f"QTc {fmt(data.qtc_ms)} ms",), ("S89", "S91"))  # type: ignore[arg-type]

    if data.labs.creatinine is None and ctx.replacing:
        add(
            "check_creatinine",
            "Check serum creatinine now (renal dose adjustment).",
            NOW,
            ("no serum creatinine given",),
            ("S30", "S35"),
        )
    for item in data.cnis:
        above = trough_above_range(data, item.drug)
        if item.trough is None or above:
            add(
                "check_cni_trough",
                f"Check the {item.drug} trough level.",
                DAILY_HOURS,
                (above[0] if above else f"{item.drug} trough not given",),
                ("S5", "S7"),
            )

    if ctx.intravenous and (renal.below_30 or renal.unknown):
        add(
            "recheck_before_next_dose",
            "Recheck Mg before any further dose.",
            recheck,  # type: ignore[arg-type]
            renal.because,
            ("S30",),
        )
    if ctx.route == IV_URGENT or (ctx.route == IV and renal.below_30):
        add(
            "hypermagnesemia_watch",
            "During the infusion watch reflexes, blood pressure and respiratory rate; keep IV calcium at hand.",
            NOW,
            ("urgent IV bolus",) if ctx.route == IV_URGENT else renal.because,
            ("S35", "S36"),
        )

    if ctx.replacing and ctx.femg is None and not any(c.likelihood == "high" for c in ctx.causes):
        hours = _course_hours(ctx) + FEMG_AFTER_IV_HOURS if ctx.intravenous else DAILY_HOURS
        add(
            "femg_when_cause_unclear",
            "Cause unclear: send a spot urine Mg and creatinine for FEMg (at least 24 h after IV Mg).",
            hours,
            ("no cause with high likelihood", "FEMg not computed"),
            ("S51", "S52"),
        )
    return tuple(sorted(items, key=lambda r: r.due_in_hours))
