"""The content of `/rules/`: each rule family in plain language with its threshold table and sources.

Every number here is read from the clinical core's own constants at the time the page is built (module attribute
access, not copies taken at import), so the page cannot drift from what the engine does; the sources of a family
are the ids its module cites (`rules.cited_source_ids`, the same scan the start-up check uses).
"""

from __future__ import annotations

from dataclasses import dataclass

from assessments.clinical import (
    causes,
    dose,
    ecg,
    electrolytes,
    engine,
    interactions,
    reminders,
    renal,
    route,
    rules,
    severity,
)
from assessments.clinical.units import MG_MG_DL_PER_MMOL_L, Unit, fmt
from assessments.labels import REASON_LABELS, REMINDER_LABELS, ROUTE_LABELS, drug_label


@dataclass(frozen=True)
class Table:
    caption: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class RuleFamily:
    id: str
    title: str
    module: str
    summary: tuple[str, ...]
    tables: tuple[Table, ...]
    sources: tuple[str, ...]


def _refs(ids: tuple[str, ...]) -> str:
    return ", ".join(ids)


def _ctcae_rows() -> tuple[tuple[str, ...], ...]:
    mmol, mgdl = severity.CTCAE_BANDS[Unit.MMOL_L], severity.CTCAE_BANDS[Unit.MG_DL]
    rows = [("0", ">= LLN", ">= LLN")]
    upper_mmol, upper_mgdl = "LLN", "LLN"
    for (bound_mmol, grade), (bound_mgdl, _) in zip(mmol, mgdl, strict=True):
        rows.append(
            (
                str(grade),
                f"< {upper_mmol} and >= {fmt(bound_mmol)}",
                f"< {upper_mgdl} and >= {fmt(bound_mgdl)}",
            )
        )
        upper_mmol, upper_mgdl = fmt(bound_mmol), fmt(bound_mgdl)
    rows.append((str(mmol[-1][1] + 1), f"< {upper_mmol}", f"< {upper_mgdl}"))
    return tuple(rows)


def _severity() -> RuleFamily:
    lln = severity.DEFAULT_LLN
    return RuleFamily(
        "severity",
        "Severity: the CTCAE grade, the category and the target",
        "severity.py",
        (
            "The grade compares the magnesium with the lower limit of normal (LLN) in the unit the lab reported:"
            f" mg/dL against the mg/dL cut-offs, mmol/L against the mmol/L cut-offs (mEq/L is converted to mmol/L"
            f" first). The LLN is the lab's when given, otherwise {fmt(lln[Unit.MMOL_L])} mmol/L ="
            f" {fmt(lln[Unit.MG_DL])} mg/dL = {fmt(lln[Unit.MEQ_L])} mEq/L"
            f" [{_refs(severity.LLN_SOURCES)}]; CTCAE v5.0 and v6.0 agree [{_refs(severity.CTCAE_SOURCES)}].",
            f"Above the upper limit of normal, {fmt(severity.ULN_MMOL_L)} mmol/L"
            f" ({fmt(severity.ULN_MMOL_L * MG_MG_DL_PER_MMOL_L)} mg/dL), it is hypermagnesemia: nothing is given"
            f" [{_refs(severity.ULN_SOURCES)}].",
            "Any urgent symptom (seizure, tetany, torsades, ventricular arrhythmia) makes the clinical severity an"
            " emergency whatever the level; any other symptom with grade 1 or worse makes it severe.",
            f"The target is the LLN, raised to {fmt(severity.RAISED_TARGET_MMOL_L)} mmol/L with QTc >="
            f" {severity.RAISED_TARGET_QTC_MS} ms, an arrhythmia, or a seizure on a calcineurin inhibitor"
            f" [{_refs(severity.TARGET_SOURCES)}].",
        ),
        (
            Table("CTCAE v5.0 grade of hypomagnesemia", ("Grade", "mmol/L", "mg/dL"), _ctcae_rows()),
            Table(
                "Category by grade",
                ("Grade", "Category"),
                tuple((str(g), c) for g, c in severity.CATEGORY_BY_GRADE.items()),
            ),
        ),
        rules.cited_source_ids().get("severity", ()),
    )


def _route() -> RuleFamily:
    sources = route.REASON_SOURCES
    rows = (
        ("1", "none", "hypermagnesemia", f"Mg above the ULN {fmt(severity.ULN_MMOL_L)} mmol/L"),
        (
            "2",
            "iv_urgent",
            "urgent_symptom",
            "torsades at any Mg up to the ULN; ventricular arrhythmia with Mg below the target;"
            " seizure or tetany with grade 1 or worse",
        ),
        (
            "3a",
            "(as grade 1)",
            "raised_target",
            f"grade 0 but below the raised target {fmt(severity.RAISED_TARGET_MMOL_L)} mmol/L",
        ),
        ("3b", "none", "normal_magnesium", "grade 0 otherwise"),
        ("4", "iv", "grade_2_or_worse", "CTCAE grade 2 or worse"),
        ("4", "iv", "symptomatic", "any symptom"),
        (
            "4",
            "iv",
            "enteral_route_unavailable",
            f"oral intake nil, vomiting, or mucositis grade {route.ENTERAL_MUCOSITIS_GRADE} or worse",
        ),
        (
            "4",
            "iv",
            "diarrhea_or_gut_gvhd",
            f"diarrhea >= {route.DIARRHEA_ADULT_ML_DAY} mL/day (adults) or >= {route.DIARRHEA_CHILD_ML_KG_DAY}"
            " mL/kg/day (children), lower-GI GVHD stage 1 or more, or a high-output stoma",
        ),
        ("4", "iv", "qtc_critical", f"QTc >= {route.QTC_CRITICAL_MS} ms with Mg below the target"),
        ("5", "oral", "mild_asymptomatic_enteral_ok", "otherwise"),
    )
    return RuleFamily(
        "route",
        "Route: none, oral, IV or urgent IV",
        "route.py",
        (
            "The first rule that applies decides the route; every rule-4 reason that holds is listed, in order,"
            " so the result says all the reasons for IV, not only the first.",
            "Oral magnesium is for a mild deficit without symptoms in a patient who can take and absorb it: it"
            " worsens diarrhea, and it is too slow when the QTc is critical.",
        ),
        (
            Table(
                "Route rules, first that applies decides",
                ("Rule", "Route", "Reason", "When", "Sources"),
                tuple(
                    (rule, ROUTE_LABELS.get(route_id, route_id), REASON_LABELS[reason], when, _refs(sources[reason]))
                    for rule, route_id, reason, when in rows
                ),
            ),
        ),
        rules.cited_source_ids().get("route", ()),
    )


def _iv_row(label: str, regimen: dose.IvRegimen) -> tuple[str, ...]:
    if regimen.grams is not None:
        amount = f"{fmt(regimen.grams)} g MgSO4 = {fmt(regimen.grams * dose.MMOL_PER_GRAM)} mmol"
        volume = f"{fmt(regimen.volume_ml)} mL"  # type: ignore[arg-type]
    elif regimen.per_kg_mmol is not None:
        amount = f"{fmt(regimen.per_kg_mmol)} mmol/kg, at most {fmt(regimen.cap_mmol)} mmol"  # type: ignore[arg-type]
        volume = f"diluted to {dose.CHILD_CONCENTRATION_PERCENT}%"
    else:
        amount = f"{fmt(regimen.mmol)} mmol"  # type: ignore[arg-type]
        volume = f"diluted to {dose.CHILD_CONCENTRATION_PERCENT}%"
    hours = regimen.duration_hours
    duration = f"{fmt(hours * 60)} min" if hours < 1 else f"{fmt(hours)} h"
    return (label, amount, volume, duration, regimen.note, _refs(regimen.sources))


def _oral_row(label: str, regimen: dose.OralRegimen) -> tuple[str, ...]:
    if regimen.mmol_per_day is not None:
        low, high = regimen.mmol_per_day
        amount = f"{fmt(low)}-{fmt(high)} mmol/day"
    else:
        amount = f"{fmt(regimen.per_kg_mmol)} mmol/kg per dose, at most {fmt(regimen.cap_mmol)} mmol"  # type: ignore[arg-type]
    return (label, amount, "by mouth", "", regimen.note, _refs(regimen.sources))


def _dose() -> RuleFamily:
    return RuleFamily(
        "dose",
        "Dose: adult and pediatric regimens",
        "dose.py",
        (
            f"Magnesium sulfate heptahydrate carries {fmt(dose.MMOL_PER_GRAM)} mmol of magnesium per gram; 50%"
            f" solution holds 0.5 g/mL, so each gram is {fmt(dose.ML_50_PERCENT_PER_GRAM)} mL of 50%.",
            f"Every IV dose is diluted, the urgent bolus too: adults to {dose.MAX_ADULT_CONCENTRATION_PERCENT}% or"
            f" weaker, children to {dose.CHILD_CONCENTRATION_PERCENT}%. A non-urgent infusion runs at"
            f" {dose.MAX_NON_URGENT_RATE_MG_MIN} mg/min of MgSO4 or slower; a child's bolus at"
            f" {dose.CHILD_URGENT_MAX_RATE_MG_KG_MIN} mg/kg/min or slower.",
            f"Grade 3-4 in adults: after the first infusion, {dose.ADULT_CONTINUATION_G_PER_DAY} g per day guided by"
            f" levels, at most {dose.ADULT_CONTINUATION_MAX_G} g over {dose.ADULT_CONTINUATION_DAYS} days"
            f" [{_refs(dose.CONTINUATION_SOURCES)}]. An urgent bolus is followed by the infusion of the grade"
            " (at least grade 2) only while Mg is below the target.",
        ),
        (
            Table(
                "Regimens",
                ("Patient and route", "Amount", "Volume", "Over", "Note", "Sources"),
                (
                    _oral_row("Adult, oral", dose.ADULT_ORAL),
                    _iv_row("Adult, IV, grade 0-1", dose.ADULT_IV_GRADE_0_1),
                    _iv_row("Adult, IV, grade 2-4", dose.ADULT_IV_GRADE_2_4),
                    _iv_row("Adult, urgent IV bolus", dose.ADULT_IV_URGENT),
                    _oral_row(f"Child under 12, oral ({dose.CHILD_ORAL_UNDER_12.note})", dose.CHILD_ORAL_UNDER_12),
                    _oral_row("Child 12-17, oral", dose.CHILD_ORAL_12_17),
                    _iv_row("Child under 12, IV", dose.CHILD_IV_UNDER_12),
                    _iv_row("Child 12-17, IV", dose.CHILD_IV_12_17),
                    _iv_row("Child, urgent IV bolus", dose.CHILD_IV_URGENT),
                ),
            ),
        ),
        rules.cited_source_ids().get("dose", ()),
    )


def _renal() -> RuleFamily:
    factor = fmt(dose.RENAL_FACTOR)
    return RuleFamily(
        "renal",
        "Renal function: halving and caution",
        "renal.py",
        (
            "Adults: the lower of the Cockcroft-Gault creatinine clearance (actual body weight) and the CKD-EPI 2021"
            " eGFR, whichever can be computed. Children: the bedside Schwartz eGFR, which needs the height.",
            "Dialysis and oliguria count as the lowest band; acute kidney injury counts as below"
            f" {renal.HALVE_BELOW_ML_MIN} mL/min, because a creatinine-based estimate overstates the GFR while"
            " creatinine rises.",
            "When nothing can be computed, only the first dose is given at full strength and further doses wait"
            " for renal function. The urgent bolus is never reduced.",
        ),
        (
            Table(
                "Renal bands",
                ("Renal function", "What changes"),
                (
                    (
                        f"< {renal.HALVE_BELOW_ML_MIN} mL/min, or AKI",
                        f"every non-urgent dose x {factor}; watch for hypermagnesemia; recheck before the next dose",
                    ),
                    (
                        f"< {renal.SEVERE_BELOW_ML_MIN} mL/min, dialysis or oliguria",
                        "also: no routine replacement without renal advice; label cap"
                        f" {dose.SEVERE_RENAL_CAP_G_PER_48H} g per 48 h; no daily continuation",
                    ),
                    (
                        f"FEMg needs >= {engine.FEMG_MIN_RENAL_FUNCTION_ML_MIN} mL/min",
                        f"below it (or with IV Mg in the last 24 h) FEMg is not interpretable; < "
                        f"{fmt(engine.FEMG_EXTRARENAL_BELOW)}% extrarenal, > {fmt(engine.FEMG_RENAL_ABOVE)}% renal"
                        " wasting",
                    ),
                ),
            ),
        ),
        tuple(dict.fromkeys((*renal.SOURCES, *rules.cited_source_ids().get("renal", ())))),
    )


def _interactions() -> RuleFamily:
    return RuleFamily(
        "interactions",
        "Interactions: oral spacing, IV cautions and QT-prolonging drugs",
        "interactions.py",
        (
            "Oral magnesium binds several drugs in the gut: when oral Mg is planned or already taken, each listed"
            " drug gets its spacing advice.",
            "IV magnesium adds to the effect of some drugs, and with heart block it needs senior review first.",
            f"With QTc >= {ecg.QTC_PROLONGED_MS} ms (critical at {ecg.QTC_CRITICAL_MS} ms or with an arrhythmia),"
            f" QT-prolonging drugs are named for review [{_refs(ecg.QTC_SOURCES)}].",
        ),
        (
            Table(
                "Oral magnesium: spacing",
                ("Drug", "Spacing", "Sources"),
                tuple(
                    (drug_label(drug), s.advice, _refs(s.references)) for drug, s in interactions.ORAL_SPACING.items()
                ),
            ),
            Table(
                "IV magnesium: cautions",
                ("Drug", "Caution", "Sources"),
                tuple(
                    (drug_label(med), text, _refs(interactions.IV_CAUTION_SOURCES))
                    for med, text in interactions.IV_CAUTIONS.items()
                ),
            ),
            Table(
                "QT-prolonging drugs named for review",
                ("Drug",),
                tuple((drug_label(med),) for med in ecg.QT_PROLONGING_DRUGS),
            ),
        ),
        rules.cited_source_ids().get("interactions", ()),
    )


def _causes() -> RuleFamily:
    base = causes.EVIDENCE_BASE
    ppi_short, ppi_long = causes.PPI_SHORT_DAYS, causes.PPI_LONG_DAYS
    moderate, severe = causes.DIARRHEA_MODERATE, causes.DIARRHEA_SEVERE
    troughs = ", ".join(f"{drug} > {limit}" for drug, limit in causes.TROUGH_UPPER_NG_ML.items())
    modifiers = (
        ("Tacrolimus", f"+{causes.TACROLIMUS_BONUS}", "wastes more magnesium than cyclosporine"),
        ("Trough above range", f"+{causes.TROUGH_ABOVE_RANGE_BONUS}", f"{troughs} ng/mL; once per cause"),
        ("PPI", f"{causes.PPI_SHORT_POINTS:+d}", f"taken < {ppi_short} days"),
        ("PPI", f"{causes.PPI_LONG_POINTS:+d}", f"taken >= {ppi_long} days"),
        (
            "Diarrhea / gut GVHD",
            f"+{moderate[2]}",
            f">= {moderate[0]} mL/day (adult) or >= {moderate[1]} mL/kg/day (child), GVHD stage 1, or a stoma",
        ),
        (
            "Diarrhea / gut GVHD",
            f"+{severe[2]} instead",
            f">= {severe[0]} mL/day (adult) or >= {severe[1]} mL/kg/day (child), or GVHD stage >= 2",
        ),
        ("FEMg renal wasting", f"+{causes.FEMG_POINTS} / -{causes.FEMG_POINTS}", "renal causes / GI causes"),
        ("FEMg extrarenal", f"-{causes.FEMG_POINTS} / +{causes.FEMG_POINTS}", "renal causes / GI causes"),
    )
    return RuleFamily(
        "causes",
        "Causes: what triggers each one and how it is scored",
        "causes.py",
        (
            "A cause appears only when an input triggers it. Its score is the base of its evidence grade"
            f" (A {base['A']}, B {base['B']}, C {base['C']}) plus the modifiers below, clamped to 0-100, so anyone"
            " can recompute it from the page.",
            f"Likelihood: high at {causes.LIKELIHOOD_HIGH} or more, moderate from {causes.LIKELIHOOD_MODERATE},"
            " low below. Causes are sorted by score, then id.",
        ),
        (
            Table(
                "Causes",
                ("Id", "Cause", "Evidence", "Base score", "Kind", "Sources"),
                tuple(
                    (
                        cause_id,
                        spec.label,
                        spec.evidence,
                        str(base[spec.evidence]),
                        "renal" if spec.renal else "GI / intake" if spec.gi else "other",
                        _refs(spec.references),
                    )
                    for cause_id, spec in causes.CAUSES.items()
                ),
            ),
            Table("Score modifiers", ("Applies to", "Points", "When"), modifiers),
        ),
        rules.cited_source_ids().get("causes", ()),
    )


def _reminder_name(name: str) -> str:
    """`recheck_mg_after_iv (infusion)` -> "Recheck Mg after the IV dose (infusion)": the id in words."""
    reminder_id, _, qualifier = name.partition(" (")
    return REMINDER_LABELS[reminder_id] + (f" ({qualifier}" if qualifier else "")


def _reminders() -> RuleFamily:
    oral = reminders.RECHECK_ORAL_HOURS
    rows = (
        ("recheck_mg_after_iv (infusion)", f"infusion hours + {reminders.RECHECK_AFTER_INFUSION_HOURS}"),
        ("recheck_mg_after_iv (urgent bolus)", f"{reminders.RECHECK_AFTER_BOLUS_HOURS}: Mg, K and Ca"),
        ("recheck_mg_oral", ", ".join(f"{setting} {hours}" for setting, hours in oral.items())),
        ("daily_electrolytes", f"{reminders.DAILY_HOURS}: inpatients on a CNI or on IV Mg"),
        ("outpatient_cni_monitoring", f"{reminders.OUTPATIENT_CNI_HOURS}: Mg with every trough"),
        (
            "recheck_k",
            f"the earlier of the Mg recheck and {reminders.RECHECK_K_HOURS}"
            f" ({reminders.RECHECK_K_OUTPATIENT_HOURS} for outpatients with a milder K disorder);"
            f" K < {fmt(electrolytes.K_LOW_MMOL_L)} or > {fmt(electrolytes.K_HIGH_MMOL_L)} mmol/L",
        ),
        ("repeat_ecg", f"{reminders.ECG_REPEAT_HOURS}: QTc {ecg.QTC_PROLONGED_MS}-{ecg.QTC_CRITICAL_MS - 1} ms"),
        ("continuous_ecg", f"{reminders.NOW}: critical QTc, arrhythmia, urgent bolus, infusion with heart block"),
        ("check_creatinine", f"{reminders.NOW}: no creatinine and a replacement planned"),
        ("check_cni_trough", f"{reminders.DAILY_HOURS}: CNI trough above range or not given"),
        ("recheck_before_next_dose", "with the Mg recheck: IV with renal impairment or unknown renal function"),
        ("hypermagnesemia_watch", f"{reminders.NOW}: urgent bolus, or IV with renal impairment"),
        (
            "femg_when_cause_unclear",
            f"{reminders.FEMG_AFTER_IV_HOURS} after the IV course ends ({reminders.DAILY_HOURS} without IV):"
            " no high-likelihood cause and no FEMg",
        ),
    )
    return RuleFamily(
        "reminders",
        "Reminders: what to check, and when",
        "reminders.py",
        (
            "Each reminder is due a number of hours from the assessment; the result lists them soonest first and"
            " shows the clock time.",
            "A level drawn during or just after an infusion overstates the body's stores: the recheck after IV"
            " magnesium waits until the infusion has ended.",
        ),
        (
            Table(
                "Reminders",
                ("Reminder", "Due in hours, and when it applies"),
                tuple((_reminder_name(name), when) for name, when in rows),
            ),
        ),
        rules.cited_source_ids().get("reminders", ()),
    )


def rule_families() -> list[RuleFamily]:
    """Built on each call, from the constants as they are now."""
    return [_severity(), _route(), _dose(), _renal(), _interactions(), _causes(), _reminders()]
