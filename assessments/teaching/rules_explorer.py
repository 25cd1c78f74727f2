"""The content of `/rules/`: each rule family of PROTOCOL.md (rule set 2026.2) in plain words, with its threshold
tables and its sources.

Every number here is read from the clinical core's own constants at the time the page is built (module attribute
access, not copies taken at import), so the page cannot drift from what the engine does. Medicines, symptoms, routes
and reasons are named in plain words (`wording.plain`, the marking's choice labels), never by their machine ids. The
sources of a family are the ids its modules cite (`rules.cited_source_ids`, the same scan the start-up check uses),
plus the named source tuples of the rules it describes.
"""

from __future__ import annotations

from dataclasses import dataclass

from assessments.clinical import (
    calculators,
    causes,
    dose,
    ecg,
    electrolytes,
    femg,
    inputs,
    interactions,
    plausibility,
    reminders,
    renal,
    route,
    rules,
    severity,
    units,
)
from assessments.clinical.units import Unit, fmt
from assessments.clinical.wording import capitalized, plain, plain_list
from assessments.labels import REASON_LABELS, REMINDER_LABELS, ROUTE_LABELS


@dataclass(frozen=True)
class Table:
    caption: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class RuleFamily:
    id: str
    title: str
    modules: tuple[str, ...]  # the files of `assessments/clinical/` that hold these rules
    summary: tuple[str, ...]
    tables: tuple[Table, ...]
    sources: tuple[str, ...]


def _refs(ids: tuple[str, ...] | list[str]) -> str:
    return ", ".join(dict.fromkeys(ids))


def _sources(*modules: str, extra: tuple[str, ...] = ()) -> tuple[str, ...]:
    """The ids the named modules cite, then any named source tuples, each once."""
    cited = rules.cited_source_ids()
    return tuple(dict.fromkeys((*(s for m in modules for s in cited.get(m, ())), *extra)))


def _symptoms(group: frozenset[inputs.Symptom] | None = None, *, exclude: frozenset = frozenset()) -> str:
    """Symptoms in the contract's order, in plain words."""
    return plain_list(s for s in inputs.Symptom if (group is None or s in group) and s not in exclude)


def _places(number: float, places: int) -> str:
    """A laboratory value written as labs write it, trailing zeros kept: 1.70 mmol/L, K 4.0 mmol/L."""
    return f"{number:.{places}f}"


def _hours(hours: float) -> str:
    return f"{fmt(hours * 60)} min" if hours < 1 else f"{fmt(hours)} h"


def _route_words(route_id: str | None) -> str:
    """The route in the words the trainee chooses from; None: the route is left to the next rules."""
    return ROUTE_LABELS[route_id] if route_id is not None else "Decided by rules 4-5, as for grade 1"


# --- units and the unit check (section 2) --------------------------------------------------------------------------


def _grade_bound(unit: Unit, grade: int) -> float:
    """The lower (inclusive) bound of a CTCAE grade in a grading unit."""
    return dict((g, b) for b, g in severity.CTCAE_BANDS[unit])[grade]


def _units() -> RuleFamily:
    mg_dl, meq = units.MG_MG_DL_PER_MMOL_L, units.MG_MEQ_L_PER_MMOL_L
    lln, uln = severity.DEFAULT_LLN, severity.ULN_MMOL_L
    uln_mg_dl, uln_meq = uln * mg_dl, uln * meq
    p2_below = _grade_bound(Unit.MG_DL, plausibility.P2_MG_DL_GRADE - 1)
    p3_low = _grade_bound(Unit.MG_DL, max(plausibility.P3_MG_DL_GRADES))
    p3_high = _grade_bound(Unit.MG_DL, min(plausibility.P3_MG_DL_GRADES) - 1)
    tiers = plausibility.TIER_WORDS
    kinds = (
        (
            plausibility.P1,
            "the number is above the ULN as entered, but below the LLN in another unit",
            f"mmol/L above {_places(uln, 2)} and below {_places(lln[Unit.MG_DL], 2)} (a low mg/dL value; below"
            f" {_places(lln[Unit.MEQ_L], 2)} also a low mEq/L value)",
            "first warning; the step 'confirm the Mg unit and re-assess' replaces 'no replacement needed': no Mg until"
            " the unit is confirmed",
            _refs((*plausibility.UNIT_SOURCES, *severity.CTCAE_SOURCES, *plausibility.HYPERMAGNESEMIA_CAUSE_SOURCES)),
        ),
        (
            plausibility.P1B,
            "above the ULN as entered, low in no other unit, normal in at least one",
            f"mmol/L {_places(lln[Unit.MG_DL], 2)} - {_places(uln_mg_dl, 2)}; mEq/L above {_places(uln_meq, 2)} up"
            f" to {_places(uln_mg_dl, 2)} (a normal mg/dL value)",
            "first warning",
            _refs(plausibility.UNIT_SOURCES),
        ),
        (
            plausibility.P2,
            f"an implausibly severe reading: mg/dL at CTCAE grade {plausibility.P2_MG_DL_GRADE} in mg/dL, or any low"
            " mEq/L value (every low mEq/L number is also a plausible mmol/L number of another grade)",
            f"mg/dL below {_places(p2_below, 1)}; mEq/L below {_places(lln[Unit.MEQ_L], 2)}",
            "first warning (a mEq/L value where the laboratory reports mEq/L: last)",
            _refs((*plausibility.UNIT_SOURCES, *severity.CTCAE_SOURCES, *plausibility.CRITICAL_CALL_SOURCES)),
        ),
        (
            plausibility.P3,
            "a real low mg/dL result, common where the laboratory reports mg/dL (CTCAE grade"
            f" {min(plausibility.P3_MG_DL_GRADES)}-{max(plausibility.P3_MG_DL_GRADES)} in mg/dL)",
            f"mg/dL {_places(p3_low, 1)} - below {_places(p3_high, 1)}",
            "last warning, 'confirm the unit on the lab report' (first, with 'before acting', when the entered"
            " unit differs from the laboratory's); when the mmol/L reading is normal or above the ULN it adds: give"
            " no IV Mg",
            _refs((*plausibility.UNIT_SOURCES, *severity.CTCAE_SOURCES)),
        ),
        (
            plausibility.SITE,
            "the site's laboratory unit is set, a different unit is entered, and no kind above applies",
            "any value",
            "first warning",
            _refs(plausibility.UNIT_SOURCES),
        ),
    )
    return RuleFamily(
        "units",
        "Units and the unit check",
        ("plausibility.py", "units.py"),
        (
            f"Magnesium is compared in mmol/L: 1 mmol/L = {fmt(mg_dl, 4)} mg/dL = {fmt(meq)} mEq/L"
            f" [{_refs(plausibility.UNIT_SOURCES)}]. The value is kept as entered, and shown in all three units.",
            "A number typed in the wrong unit is the commonest dangerous input error. The unit check reads the entered"
            " number in each of the other two units: its mmol/L value, its CTCAE grade graded in that unit, whether it"
            f" is above the ULN, and the route its level alone would call for ({tiers[plausibility.TIER_NONE]} at"
            f" grade 0 or above the ULN, {tiers[plausibility.TIER_ORAL]} at grade 1, {tiers[plausibility.TIER_IV]} at"
            " grade 2-4). It warns in exactly the cases below, names both other readings, and never blocks the plan.",
            "When every reading is above the ULN the unit cannot change the management, and nothing is said. With an"
            " urgent symptom a unit check never says 'before acting': treat per the local emergency protocol now and"
            " confirm the unit in parallel.",
            f"A Mg result more than {plausibility.STALE_AFTER_HOURS} h old is repeated before acting on the plan"
            f" [{_refs(plausibility.STALE_SOURCES)}]. After IV magnesium in the last 24 hours the sample must be drawn"
            f" at least {plausibility.RECENT_IV_MIN_HOURS} h after the end of the infusion: an earlier level overstates"
            f" the body's stores [{_refs(plausibility.RECENT_IV_SOURCES)}].",
        ),
        (
            Table(
                "Unit check kinds (default LLN and ULN; a laboratory LLN moves the bands)",
                ("Kind", "When", "Band", "Shown", "Sources"),
                kinds,
            ),
        ),
        _sources("plausibility", "units", extra=severity.CTCAE_SOURCES),
    )


# --- severity and target (sections 1, 3 and 7) ---------------------------------------------------------------------


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
    lln, uln = severity.DEFAULT_LLN, severity.ULN_MMOL_L
    urgent, arrhythmia = inputs.URGENT_SYMPTOMS, inputs.ARRHYTHMIA_SYMPTOMS
    non_specific = inputs.NON_SPECIFIC_SYMPTOMS
    symptoms = (
        ("Urgent", _symptoms(urgent), "clinical severity 'emergency' whatever the Mg: follow the local protocol"),
        (
            "Arrhythmia",
            _symptoms(arrhythmia),
            f"also raises the target to {fmt(severity.RAISED_TARGET_MMOL_L)} mmol/L",
        ),
        (
            "Specific",
            _symptoms(exclude=urgent | non_specific),
            "with CTCAE grade 1 or worse: clinical severity 'severe', and IV",
        ),
        (
            "Non-specific",
            _symptoms(non_specific),
            "common after transplant for other reasons: shown, but they do not escalate the route or the severity",
        ),
    )
    return RuleFamily(
        "severity",
        "Severity: the CTCAE grade, the category and the target",
        ("severity.py",),
        (
            "The grade compares the magnesium with the lower limit of normal (LLN) in the unit the lab reported:"
            " mg/dL against the mg/dL cut-offs, mmol/L against the mmol/L cut-offs (mEq/L is converted to mmol/L"
            f" first). The LLN is the lab's when given, otherwise {_places(lln[Unit.MMOL_L], 2)} mmol/L ="
            f" {_places(lln[Unit.MG_DL], 2)} mg/dL = {_places(lln[Unit.MEQ_L], 2)} mEq/L"
            f" [{_refs(severity.LLN_SOURCES)}]; CTCAE v5.0 and v6.0 agree [{_refs(severity.CTCAE_SOURCES)}].",
            f"Above the upper limit of normal, {_places(uln, 2)} mmol/L"
            f" ({_places(uln * units.MG_MG_DL_PER_MMOL_L, 2)} mg/dL = {_places(uln * units.MG_MEQ_L_PER_MMOL_L, 2)}"
            " mEq/L), it is hypermagnesemia: no replacement, check renal"
            f" function; IV calcium is the antidote [{_refs(severity.ANTIDOTE_SOURCES)}]. When the number may be a low"
            " value in another unit the warning says 'if the unit is right' and never a bare 'withhold Mg'; with"
            " torsades or a ventricular arrhythmia, IV Mg is the emergency team's decision, because torsades responds"
            f" to it whatever the level [{_refs(severity.TORSADES_ANY_LEVEL_SOURCES)}].",
            f"The target is the LLN, raised to {fmt(severity.RAISED_TARGET_MMOL_L)} mmol/L"
            f" ({_places(severity.RAISED_TARGET_MG_DL, 1)} mg/dL) with QTc >= {severity.RAISED_TARGET_QTC_MS} ms, an"
            f" arrhythmia, or a seizure on a calcineurin inhibitor [{_refs(severity.TARGET_SOURCES)}].",
        ),
        (
            Table("CTCAE v5.0 grade of hypomagnesemia", ("Grade", "mmol/L", "mg/dL"), _ctcae_rows()),
            Table(
                "Category by grade",
                ("Grade", "Category"),
                tuple((str(g), c) for g, c in severity.CATEGORY_BY_GRADE.items()),
            ),
            Table("Symptoms", ("Kind", "Symptoms", "Effect"), symptoms),
        ),
        _sources("severity"),
    )


# --- route (section 4) ---------------------------------------------------------------------------------------------


def _route() -> RuleFamily:
    sources = route.REASON_SOURCES
    non_specific = _symptoms(inputs.NON_SPECIFIC_SYMPTOMS)
    rows = (
        (
            "1",
            route.NONE,
            "hypermagnesemia",
            f"Mg above the ULN {fmt(severity.ULN_MMOL_L)} mmol/L, whatever the symptoms",
        ),
        (
            "2",
            route.IV_URGENT,
            "urgent_symptom",
            "torsades at any Mg up to the ULN; ventricular arrhythmia with Mg below the target; seizure or tetany"
            " with CTCAE grade 1 or worse",
        ),
        (
            "3a",
            None,
            "raised_target",
            f"grade 0 but below the raised target {fmt(severity.RAISED_TARGET_MMOL_L)} mmol/L: rules 4-5 then decide"
            " as for grade 1",
        ),
        ("3b", route.NONE, "normal_magnesium", "grade 0 otherwise"),
        ("4", route.IV, "grade_2_or_worse", "CTCAE grade 2 or worse"),
        ("4", route.IV, "symptomatic", f"any symptom other than {non_specific}"),
        (
            "4",
            route.IV,
            "enteral_route_unavailable",
            f"oral intake nil, vomiting, or mucositis grade {route.ENTERAL_MUCOSITIS_GRADE} or worse",
        ),
        (
            "4",
            route.IV,
            "diarrhea_or_gut_gvhd",
            f"diarrhea >= {route.DIARRHEA_ADULT_ML_DAY} mL/day (adults) or >= {route.DIARRHEA_CHILD_ML_KG_DAY}"
            " mL/kg/day (children), lower-GI GVHD stage 1 or more, or a high-output stoma: oral Mg worsens diarrhea",
        ),
        ("4", route.IV, "qtc_critical", f"QTc >= {route.QTC_CRITICAL_MS} ms: an oral course is too slow"),
        ("5", route.ORAL, "mild_asymptomatic_enteral_ok", "otherwise"),
    )
    unexplained = [
        (capitalized(plain(symptom)), advice, _refs(refs))
        for symptom, (advice, refs) in route.UNEXPLAINED_ADVICE.items()
    ]
    advice, refs = route.CNI_NEUROTOXICITY
    unexplained.append(("Seizure on a calcineurin inhibitor", f"also {advice}", _refs(refs)))
    return RuleFamily(
        "route",
        "Route: none, oral, IV or urgent IV",
        ("route.py",),
        (
            "The first rule that applies decides the route; every rule-4 reason that holds is listed, in order,"
            " so the result says all the reasons for IV, not only the first.",
            "Oral magnesium is for a mild deficit in a patient who can take and absorb it: it worsens diarrhea, and"
            f" it is too slow when the QTc is critical. {capitalized(non_specific)} alone do not make the route IV.",
            "An urgent symptom that the Mg level does not explain is named in a warning, with what to look for"
            " instead (also above the ULN).",
        ),
        (
            Table(
                "Route rules, first that applies decides",
                ("Rule", "Route", "Reason", "When", "Sources"),
                tuple(
                    (number, _route_words(route_id), capitalized(REASON_LABELS[reason]), when, _refs(sources[reason]))
                    for number, route_id, reason, when in rows
                ),
            ),
            Table(
                "Urgent symptoms the Mg level does not explain", ("Symptom", "Look for", "Sources"), tuple(unexplained)
            ),
        ),
        _sources("route"),
    )


# --- dose (section 5) ----------------------------------------------------------------------------------------------


def _adult_iv(regimen: dose.AdultIvRegimen) -> tuple[str, str, str, str]:
    """Amount, dilution, duration and rate of an adult regimen, from its grams."""
    rate = dose.rate_mg_per_min(regimen.grams, regimen.hours)
    return (
        f"{fmt(regimen.grams)} g MgSO4 = {fmt(regimen.grams * dose.MMOL_PER_GRAM)} mmol",
        f"in {fmt(regimen.volume_ml)} mL",
        _hours(regimen.hours),
        f"{fmt(rate, 0)} mg/min",
    )


def _per_kg(regimen: dose.PerKgRegimen, *, per: str = "") -> str:
    return f"{fmt(regimen.per_kg_mmol)} mmol/kg{per}, at most {fmt(regimen.cap_mmol)} mmol"


def _dose() -> RuleFamily:
    oral, grade_0_1, grade_2_4, bolus = (
        dose.ADULT_ORAL,
        dose.ADULT_IV_GRADE_0_1,
        dose.ADULT_IV_GRADE_2_4,
        dose.ADULT_BOLUS,
    )
    low, high = oral.mmol_per_day
    per_dose = f"{fmt(low / oral.doses_per_day)}-{fmt(high / oral.doses_per_day)} mmol"
    nhs = (
        f"further doses guided by the level {dose.LEVEL_AFTER_INFUSION_HOURS} h after the end of the infusion (NHS"
        f" Highland gives {dose.NHS_DOSES} doses {dose.NHS_INTERVAL_HOURS}-hourly below {fmt(dose.NHS_BELOW_MMOL_L)}"
        " mmol/L)"
    )
    continuation = (
        f"then {fmt(dose.CONTINUATION_G_PER_DAY)} g per day guided by levels, at most {fmt(dose.CONTINUATION_MAX_G)} g"
        f" MgSO4 ({fmt(dose.CONTINUATION_MAX_G * dose.MMOL_PER_GRAM, 0)} mmol; the SmPC rounds it to"
        f" {dose.SMPC_CONTINUATION_MMOL} mmol) over {dose.CONTINUATION_DAYS} days"
    )
    adult_limit = f"at most {dose.MAX_ADULT_RATE_MG_MIN} mg/min"
    adults = (
        (
            "Oral",
            f"{fmt(low)}-{fmt(high)} mmol elemental Mg a day in {oral.doses_per_day} doses with food ({per_dose} each,"
            f" e.g. {dose.ORAL_TABLET_MMOL} mmol tablets); start at {fmt(oral.start_mmol_per_day)} mmol/day; reduce if"
            " diarrhea develops",
            "by mouth",
            "",
            "",
            _refs((*oral.sources, *dose.ORAL_PRODUCT_SOURCES)),
        ),
        (
            "IV, grade 0-1",
            *_adult_iv(grade_0_1)[:3],
            f"{_adult_iv(grade_0_1)[3]}; {adult_limit}",
            _refs(grade_0_1.sources),
        ),
        (
            "IV, grade 2",
            f"{_adult_iv(grade_2_4)[0]}; {nhs}",
            *_adult_iv(grade_2_4)[1:3],
            f"{_adult_iv(grade_2_4)[3]}; {adult_limit}",
            _refs((*grade_2_4.sources, *dose.NHS_SOURCES)),
        ),
        (
            "IV, grade 3-4",
            f"{_adult_iv(grade_2_4)[0]}; {continuation}",
            *_adult_iv(grade_2_4)[1:3],
            f"{_adult_iv(grade_2_4)[3]}; {adult_limit}",
            _refs((*grade_2_4.sources, *dose.CONTINUATION_SOURCES)),
        ),
        (
            "Urgent bolus (reference)",
            f"{_adult_iv(bolus)[0]}; may be repeated {'once' if dose.BOLUS_REPEATS == 1 else dose.BOLUS_REPEATS},"
            f" at most {fmt(bolus.grams * (1 + dose.BOLUS_REPEATS))} g; then the IV regimen of the grade while Mg is"
            " below the target",
            *_adult_iv(bolus)[1:3],
            f"{_adult_iv(bolus)[3]}; the local emergency protocol sets the rate",
            _refs(bolus.sources),
        ),
    )
    under, teen = f"under {inputs.SCHOOL_AGE_YEARS} y", f"{inputs.SCHOOL_AGE_YEARS}-{inputs.ADULT_AGE_YEARS - 1} y"
    child_limit = (
        f"at most {dose.CHILD_MAX_RATE_MG_KG_MIN} mg/kg/min and never above {dose.MAX_ADULT_RATE_MG_MIN} mg/min"
    )
    diluted = f"diluted to {dose.CHILD_CONCENTRATION_PERCENT}%"
    repeat = f"{dose.CHILD_REPEAT_HOURS}-hourly as needed"
    iv_under, iv_teen, child_bolus = dose.CHILD_IV_UNDER_12, dose.CHILD_IV_12_17, dose.CHILD_BOLUS
    pmh = (
        f"Perth Children's Hospital's alternative, {fmt(dose.PMH_PER_KG_MMOL)} mmol/kg (at most"
        f" {fmt(dose.PMH_CAP_MMOL)} mmol), is shown only when the dose is not halved and renal function is known"
    )
    children = (
        (
            f"Oral, {under}",
            f"{_per_kg(dose.CHILD_ORAL_UNDER_12, per=' per dose')}, three times daily with food",
            "by mouth",
            "",
            "",
            _refs(dose.CHILD_ORAL_UNDER_12.sources),
        ),
        (f"Oral, {teen}", f"as adults: {fmt(low)}-{fmt(high)} mmol a day", "by mouth", "", "", _refs(oral.sources)),
        (
            f"IV, {under}",
            f"{_per_kg(iv_under)}; {repeat}",
            diluted,
            _hours(iv_under.hours),  # type: ignore[arg-type]
            child_limit,
            _refs(iv_under.sources),
        ),
        (
            f"IV, {teen}",
            f"{_per_kg(iv_teen)}; {repeat}; {pmh}",
            diluted,
            _hours(iv_teen.hours),  # type: ignore[arg-type]
            child_limit,
            _refs((*iv_teen.sources, *dose.PMH_SOURCES)),
        ),
        (
            "Urgent bolus (reference)",
            f"{_per_kg(child_bolus)}; then the child's IV regimen for the age while Mg is below the target",
            diluted,
            _hours(child_bolus.hours),  # type: ignore[arg-type]
            f"{child_limit}; the local emergency protocol sets the rate",
            _refs(child_bolus.sources),
        ),
    )
    factor = dose.RENAL_FACTOR
    halved_caps = ", ".join(
        f"{label} {fmt(r.per_kg_mmol * factor)} mmol/kg, at most {fmt(r.cap_mmol * factor)} mmol"
        for label, r in (
            (f"oral {under}", dose.CHILD_ORAL_UNDER_12),
            (f"IV {under}", iv_under),
            (f"IV {teen}", iv_teen),
        )
    )
    headers = ("Who and route", "Amount", "Dilution", "Over", "Rate", "Sources")
    return RuleFamily(
        "dose",
        "Dose: adult and children's regimens",
        ("dose.py",),
        (
            f"Magnesium sulfate heptahydrate carries {fmt(dose.MMOL_PER_GRAM)} mmol of magnesium per gram; 50%"
            f" solution holds 0.5 g/mL, so each gram is {fmt(dose.ML_50_PERCENT_PER_GRAM)} mL of 50%.",
            f"Every IV dose is diluted, the urgent bolus too: adults to {dose.MAX_ADULT_CONCENTRATION_PERCENT}% or"
            f" weaker, children to {dose.CHILD_CONCENTRATION_PERCENT}%. Every non-urgent adult infusion runs at"
            f" {dose.MAX_ADULT_RATE_MG_MIN} mg/min of MgSO4 or slower; a child's dose at"
            f" {dose.CHILD_MAX_RATE_MG_KG_MIN} mg/kg/min or slower and never above {dose.MAX_ADULT_RATE_MG_MIN} mg/min."
            " The rate of an urgent bolus is the local emergency protocol's.",
            f"Every child's IV dose is set per kilogram, capped by age ({fmt(iv_under.cap_mmol)} mmol {under},"
            f" {fmt(iv_teen.cap_mmol)} mmol at {teen}), so the dose grows with the child. When the cap binds, the text"
            " shows both numbers: 'mmol/kg x weight = amount, capped at the cap'.",
            f"Below {renal.HALVE_BELOW_ML_MIN} mL/min (or with AKI, dialysis or oliguria) every non-urgent dose is"
            f" multiplied by {fmt(factor)}, children's caps too ({halved_caps}), and a halved dose never shows an"
            " unhalved amount anywhere in its text. The urgent bolus is never halved.",
            "Every sentence that states an amount is written from the same numbers as the dose fields.",
        ),
        (
            Table(f"Adults ({inputs.ADULT_AGE_YEARS} y and older)", headers, adults),
            Table("Children (1 month to 17 y; weight required)", headers, children),
        ),
        _sources("dose"),
    )


# --- renal function (section 5) ------------------------------------------------------------------------------------


def _renal() -> RuleFamily:
    cg = (
        f"the Cockcroft-Gault creatinine clearance (actual body weight: ({calculators.CG_AGE_OFFSET} - age) x weight"
        f" kg / ({calculators.CG_DIVISOR} x creatinine mg/dL), x {fmt(calculators.CG_FEMALE_FACTOR)} if female)"
    )
    ckd = "the CKD-EPI 2021 eGFR (the creatinine equation without race)"
    schwartz = f"bedside Schwartz eGFR = {fmt(calculators.SCHWARTZ_K, 3)} x height cm / creatinine mg/dL"
    estimates = (
        (
            "Adult",
            f"the lower of {cg} and {ckd}, whichever can be computed",
            _refs((*calculators.CG_SOURCES, *calculators.CKD_EPI_SOURCES)),
        ),
        (
            "Adult, sex not given",
            "each formula computed for both sexes and the lower value used (for Cockcroft-Gault the female value); the"
            " dose text says so, and sex stays in the list of what is missing",
            _refs((*calculators.CG_SOURCES, *calculators.CKD_EPI_SOURCES)),
        ),
        (
            "Child",
            f"{schwartz}; without a height renal function stays unknown, and the warning names the creatinine it"
            " could not use",
            _refs(calculators.SCHWARTZ_SOURCES),
        ),
    )
    factor = fmt(dose.RENAL_FACTOR)
    bands = (
        (
            f"< {renal.HALVE_BELOW_ML_MIN} mL/min, or AKI",
            f"every non-urgent dose x {factor} (children's caps too), with the reason in words ('halved because renal"
            f" function is below {renal.HALVE_BELOW_ML_MIN} mL/min' or 'halved because of AKI'); watch for"
            " hypermagnesemia; recheck Mg before any further IV dose",
            _refs(renal.SOURCES),
        ),
        (
            f"< {renal.SEVERE_BELOW_ML_MIN} mL/min, dialysis or oliguria",
            "also: the dose text begins 'Renal advice first'; no routine replacement without renal advice; label cap"
            f" {renal.SEVERE_RENAL_CAP_G_PER_48H} g per 48 h; no repeat interval and no daily continuation without a"
            " level and renal advice",
            _refs(renal.SEVERE_SOURCES),
        ),
        (
            "Unknown (no creatinine, or a child without height)",
            "the first dose only, at full strength; further doses wait for renal function; check the creatinine now"
            " when none was given",
            _refs(renal.SOURCES),
        ),
    )
    return RuleFamily(
        "renal",
        "Renal function: which estimate, halving and caution",
        ("renal.py", "calculators.py"),
        (
            "AKI counts as below"
            f" {renal.HALVE_BELOW_ML_MIN} mL/min and dialysis or oliguria as below {renal.SEVERE_BELOW_ML_MIN} mL/min,"
            " because a creatinine-based estimate overstates the GFR while creatinine rises; the computed value is"
            " still shown as computed.",
            "The urgent bolus is never reduced: in an emergency the renal caveats apply to the infusion that follows"
            " it, and say so. Renal warnings appear only when Mg is to be given.",
        ),
        (
            Table("Renal function used", ("Patient", "Estimate", "Sources"), estimates),
            Table("Renal bands", ("Renal function", "What changes", "Sources"), bands),
        ),
        _sources(
            "renal",
            extra=(*calculators.CG_SOURCES, *calculators.CKD_EPI_SOURCES, *calculators.SCHWARTZ_SOURCES),
        ),
    )


# --- FEMg (section 9) ----------------------------------------------------------------------------------------------


def _femg() -> RuleFamily:
    low, high = femg.FEMG_EXTRARENAL_BELOW, femg.FEMG_RENAL_ABOVE
    points = causes.FEMG_POINTS
    return RuleFamily(
        "femg",
        "FEMg: renal or extrarenal loss",
        ("femg.py",),
        (
            "FEMg % = (urine Mg x serum creatinine) / ("
            f"{fmt(calculators.FEMG_ULTRAFILTERABLE_FRACTION)} x serum Mg x urine creatinine) x 100, all in mmol/L;"
            " it is computed when urine Mg, urine creatinine and serum creatinine are given.",
            f"It is read only with renal function >= {femg.FEMG_MIN_RENAL_FUNCTION_ML_MIN} mL/min (not with dialysis,"
            " oliguria or AKI) and no IV magnesium in the last 24 hours; otherwise it is shown as not interpretable,"
            " with the reason.",
        ),
        (
            Table(
                "Reading the FEMg",
                ("FEMg", "Meaning", "Effect on the cause scores"),
                (
                    (
                        f"< {fmt(low)}%",
                        "extrarenal loss (gut, intake)",
                        f"GI and intake causes +{points}, renal -{points}",
                    ),
                    (f"{fmt(low)}-{fmt(high)}%", "indeterminate", "none"),
                    (f"> {fmt(high)}%", "renal wasting", f"renal causes +{points}, GI and intake -{points}"),
                ),
            ),
        ),
        _sources("femg", extra=femg.FEMG_SOURCES),
    )


# --- co-electrolytes, calcium now, digoxin, ECG now (section 6) ----------------------------------------------------


def _electrolytes() -> RuleFamily:
    e = electrolytes
    rows = (
        (
            f"K < {_places(e.K_LOW_MMOL_L, 1)} mmol/L, Mg to be given",
            e.REPLETE_MG_BEFORE_K,
            _refs(e.K_WITH_MG_SOURCES),
        ),
        (
            f"K > {_places(e.K_HIGH_MMOL_L, 1)} mmol/L",
            "hyperkalemia: no potassium supplement, stop potassium-sparing diuretics; at K >="
            f" {_places(e.K_ECG_NOW_MMOL_L, 1)} mmol/L an ECG now and the local hyperkalemia protocol",
            _refs(e.HYPERKALEMIA_SOURCES),
        ),
        (
            f"{capitalized(plain_list(inputs.POTASSIUM_SPARING))} with a calcineurin inhibitor",
            "risk of hyperkalemia (the calcineurin inhibitor labels advise avoiding them); check potassium",
            _refs(e.K_SPARING_SOURCES),
        ),
        (
            f"Low calcium: ionized Ca < {_places(e.IONIZED_CA_LOW_MMOL_L, 2)} mmol/L (it alone decides when given),"
            f" else corrected Ca = total Ca + {fmt(calculators.CA_ALBUMIN_FACTOR)} x"
            f" ({calculators.CA_ALBUMIN_REFERENCE_G_L} - albumin g/L) < {_places(e.CORRECTED_CA_LOW_MMOL_L, 2)} mmol/L"
            " (without albumin the total, uncorrected); Mg to be given",
            e.REPLETE_MG_BEFORE_CA,
            _refs(e.CA_WITH_MG_SOURCES),
        ),
        (
            "Tetany or seizure with a low calcium, whatever the Mg",
            "symptomatic hypocalcemia: give IV calcium now per the local protocol, right after the emergency step;"
            " with Mg when Mg is to be given; no Mg above the ULN (IV calcium is also the antidote); at a normal Mg,"
            " Mg is not part of this treatment. On digoxin: slowly, with ECG monitoring and senior review. On"
            " foscarnet: consider slowing or holding it (the prescriber's decision)",
            _refs((*e.IV_CALCIUM_SOURCES, *e.ANTIDOTE_SOURCES, *e.FOSCARNET_SOURCES)),
        ),
        (
            f"Digoxin with Mg below the target or K < {_places(e.K_LOW_MMOL_L, 1)} mmol/L",
            "low Mg and/or K increase the risk of digoxin toxicity: check the digoxin level and an ECG",
            _refs(e.DIGOXIN_SOURCES),
        ),
        (
            f"Mg < {_places(e.MG_ECG_NOW_MMOL_L, 2)} mmol/L or K < {_places(e.K_SEVERE_LOW_MMOL_L, 1)} mmol/L, no QTc"
            " given",
            "a 12-lead ECG now for a baseline QTc (not continuous monitoring)",
            _refs(e.ECG_NOW_SOURCES),
        ),
        (
            "Mg to be given, or an urgent symptom, without a potassium or calcium result",
            "check potassium and/or calcium now",
            _refs(e.CHECK_NOW_SOURCES),
        ),
    )
    return RuleFamily(
        "electrolytes",
        "Potassium, calcium and digoxin",
        ("electrolytes.py",),
        (
            "Low magnesium keeps potassium and calcium low: they are replaced together, and potassium or IV calcium"
            " for a severe or symptomatic deficit is never delayed for Mg.",
            "Potassium-sparing diuretics are not causes of low magnesium; with a calcineurin inhibitor they are a"
            " hyperkalemia risk.",
        ),
        (Table("Co-electrolyte rules", ("Finding", "What HypoMag says", "Sources"), rows),),
        _sources("electrolytes"),
    )


# --- QTc (section 8) -----------------------------------------------------------------------------------------------


def _qtc() -> RuleFamily:
    prolonged, critical = ecg.QTC_PROLONGED_MS, ecg.QTC_CRITICAL_MS
    k_low, k_high = ecg.K_TARGET_MMOL_L
    drugs = [(capitalized(plain(d)), "", _refs(ecg.QT_DRUG_SOURCES)) for d in ecg.QT_PROLONGING_DRUGS]
    drugs.append(
        (
            capitalized(plain(inputs.Drug.TACROLIMUS)),
            "whatever its route; keep it and check its level",
            _refs(ecg.TACROLIMUS_QT_SOURCES),
        )
    )
    return RuleFamily(
        "qtc",
        "QTc and QT-prolonging drugs",
        ("ecg.py",),
        (
            f"A long QTc raises the Mg target to {fmt(severity.RAISED_TARGET_MMOL_L)} mmol/L; keep K"
            f" {_places(k_low, 1)}-{_places(k_high, 1)} mmol/L [{_refs(ecg.QTC_SOURCES)}].",
            "With a prolonged or critical QTc the QT-prolonging medicines taken are named for review. The list is"
            " partial: other QT-prolonging drugs may apply.",
        ),
        (
            Table(
                "QTc bands",
                ("QTc", "Warning", "ECG"),
                (
                    (
                        f"{prolonged}-{critical - 1} ms",
                        "prolonged",
                        f"repeat the ECG in {reminders.ECG_REPEAT_HOURS} h",
                    ),
                    (
                        f">= {critical} ms, or an arrhythmia",
                        "critical (it replaces 'prolonged')",
                        "continuous ECG monitoring now",
                    ),
                ),
            ),
            Table("QT-prolonging drugs named for review", ("Drug", "Note", "Sources"), tuple(drugs)),
        ),
        _sources("ecg"),
    )


# --- interactions (section 12) -------------------------------------------------------------------------------------


def _interactions() -> RuleFamily:
    block = (
        ("Heart block (second or third degree), IV infusion", interactions.HEART_BLOCK_IV),
        ("Heart block, urgent bolus", interactions.HEART_BLOCK_URGENT),
        (
            "First-degree AV block alone",
            "not treated as the label's heart-block contraindication: watch the ECG during IV Mg (continuous ECG) and"
            " stop for a higher-degree block",
        ),
    )
    return RuleFamily(
        "interactions",
        "Interactions: oral spacing, IV cautions and heart block",
        ("interactions.py",),
        (
            "Oral magnesium binds several drugs in the gut: when oral Mg is planned or already taken, each listed"
            " drug gets its spacing advice (tacrolimus only when it is taken by mouth).",
            "IV magnesium adds to the effect of some drugs. The caution with digoxin is the label's: heart block may"
            " occur if IV calcium is needed to treat Mg toxicity.",
        ),
        (
            Table(
                "Oral magnesium: spacing",
                ("Drug", "Spacing", "Sources"),
                tuple(
                    (capitalized(plain(drug)), s.advice, _refs(s.references))
                    for drug, s in interactions.ORAL_SPACING.items()
                ),
            ),
            Table(
                "IV magnesium: cautions",
                ("Drug", "Caution", "Sources"),
                tuple(
                    (capitalized(plain(med)), text, _refs(interactions.IV_CAUTION_SOURCES))
                    for med, text in interactions.IV_CAUTIONS.items()
                ),
            ),
            Table(
                "IV magnesium and the conduction system",
                ("Condition", "What HypoMag says", "Sources"),
                (
                    (block[0][0], block[0][1], _refs(interactions.IV_CAUTION_SOURCES)),
                    (block[1][0], block[1][1], _refs(interactions.IV_CAUTION_SOURCES)),
                    (block[2][0], block[2][1], _refs(interactions.FIRST_DEGREE_SOURCES)),
                ),
            ),
        ),
        _sources("interactions"),
    )


# --- causes (section 10) -------------------------------------------------------------------------------------------


def _causes() -> RuleFamily:
    base = causes.EVIDENCE_BASE
    ppi_short, ppi_long = causes.PPI_SHORT_DAYS, causes.PPI_LONG_DAYS
    moderate = (route.DIARRHEA_ADULT_ML_DAY, route.DIARRHEA_CHILD_ML_KG_DAY, causes.DIARRHEA_MODERATE[2])
    severe = (route.DIARRHEA_SEVERE_ADULT_ML_DAY, route.DIARRHEA_SEVERE_CHILD_ML_KG_DAY, causes.DIARRHEA_SEVERE[2])
    troughs = ", ".join(f"{plain(drug)} > {limit}" for drug, limit in causes.TROUGH_UPPER_NG_ML.items())
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
        ("causes.py",),
        (
            "A cause appears only when an input triggers it, whatever the route. Its score is the base of its evidence"
            f" grade (A {base['A']}, B {base['B']}, C {base['C']}) plus the modifiers below, kept within 0 to 100, so"
            " anyone can recompute it from the page.",
            f"Likelihood: high at {causes.LIKELIHOOD_HIGH} or more, moderate from {causes.LIKELIHOOD_MODERATE},"
            f" low below. Causes are sorted by score. {capitalized(plain_list(inputs.POTASSIUM_SPARING))} are not"
            " causes.",
        ),
        (
            Table(
                "Causes",
                ("Cause", "Evidence", "Base score", "Kind", "Sources"),
                tuple(
                    (
                        spec.label,
                        spec.evidence,
                        str(base[spec.evidence]),
                        "renal" if spec.renal else "GI / intake" if spec.gi else "other",
                        _refs(spec.references),
                    )
                    for spec in causes.CAUSES.values()
                ),
            ),
            Table("Score modifiers", ("Applies to", "Points", "When"), modifiers),
        ),
        _sources("causes"),
    )


# --- reminders (section 13) ----------------------------------------------------------------------------------------


def _reminders() -> RuleFamily:
    r, e = reminders, electrolytes
    after = dose.LEVEL_AFTER_INFUSION_HOURS
    oral = ", ".join(f"{setting} {hours}" for setting, hours in r.RECHECK_ORAL_HOURS.items())
    halve = renal.HALVE_BELOW_ML_MIN
    rows = (
        (
            "recheck_mg_after_iv",
            f"infusion hours + {after}",
            "an IV infusion (outpatients: at the next visit, not earlier)",
        ),
        (
            "recheck_mg_after_iv urgent",
            f"bolus + infusion hours + {after}",
            "an urgent bolus: Mg, K and Ca 6 h after the end of the last infusion",
        ),
        ("recheck_mg_oral", oral, "oral replacement"),
        ("daily_electrolytes", str(r.DAILY_HOURS), "inpatients on a calcineurin inhibitor or on IV Mg"),
        (
            "outpatient_cni_monitoring",
            str(r.OUTPATIENT_CNI_HOURS),
            f"outpatients on a calcineurin inhibitor: with every trough, at least weekly to day"
            f" +{r.OUTPATIENT_CNI_UNTIL_DAY}, later until Mg is stable on replacement",
        ),
        (
            "recheck_k",
            f"the earlier of the Mg recheck and {r.RECHECK_K_HOURS} ({r.RECHECK_K_OUTPATIENT_HOURS} for outpatients"
            f" with a milder K disorder); at most {r.RECHECK_K_URGENT_HOURS} with K <"
            f" {_places(e.K_SEVERE_LOW_MMOL_L, 1)} mmol/L or an arrhythmia",
            f"K < {_places(e.K_LOW_MMOL_L, 1)} or > {_places(e.K_HIGH_MMOL_L, 1)} mmol/L",
        ),
        (
            "ecg_now",
            str(r.NOW),
            f"Mg < {_places(e.MG_ECG_NOW_MMOL_L, 2)} mmol/L or K < {_places(e.K_SEVERE_LOW_MMOL_L, 1)} mmol/L, and no"
            " QTc given",
        ),
        ("check_k_and_ca_now", str(r.NOW), "Mg to be given or an urgent symptom, and no K or no Ca result"),
        ("repeat_ecg", str(r.ECG_REPEAT_HOURS), f"QTc {ecg.QTC_PROLONGED_MS}-{ecg.QTC_CRITICAL_MS - 1} ms"),
        (
            "continuous_ecg",
            str(r.NOW),
            "critical QTc or an arrhythmia, every urgent bolus, an infusion with heart block or first-degree AV block",
        ),
        ("check_creatinine", str(r.NOW), "no creatinine and Mg to be given"),
        ("check_cni_trough", str(r.DAILY_HOURS), "a calcineurin inhibitor trough above range or not given"),
        (
            "recheck_before_next_dose",
            "with the Mg recheck",
            f"IV Mg with renal function < {halve} mL/min, dialysis, oliguria, AKI or unknown",
        ),
        (
            "hypermagnesemia_watch",
            str(r.NOW),
            f"an urgent bolus, or IV Mg below {halve} mL/min, dialysis, oliguria or AKI",
        ),
        (
            "redraw_mg_after_iv",
            str(plausibility.RECENT_IV_MIN_HOURS),
            "IV Mg in the last 24 hours and no IV Mg planned now",
        ),
        (
            "femg_when_cause_unclear",
            f"{r.FEMG_AFTER_IV_HOURS} after the IV course ends ({r.DAILY_HOURS} without IV)",
            "Mg to be given, no high-likelihood cause, no readable FEMg yet, and renal function not known to be below"
            f" {femg.FEMG_MIN_RENAL_FUNCTION_ML_MIN} mL/min",
        ),
    )
    return RuleFamily(
        "reminders",
        "Reminders: what to check, and when",
        ("reminders.py",),
        (
            "Each reminder is due a number of hours from the assessment (0: now); the result lists them soonest first"
            " and shows the clock time.",
            "A level drawn during or just after an infusion overstates the body's stores: the recheck after IV"
            " magnesium waits until the last infusion has ended.",
        ),
        (
            Table(
                "Reminders",
                ("Reminder", "Due in hours", "When"),
                tuple((_reminder_words(rid), due, when) for rid, due, when in rows),
            ),
        ),
        _sources("reminders"),
    )


def _reminder_words(row_id: str) -> str:
    """The reminder as the trainee chooses it; the recheck after IV Mg has a row for the infusion and the bolus."""
    reminder_id, _, variant = row_id.partition(" ")
    return REMINDER_LABELS[reminder_id] + (" (after an urgent bolus)" if variant else "")


def rule_families() -> list[RuleFamily]:
    """Built on each call, from the constants as they are now."""
    return [
        _units(),
        _severity(),
        _route(),
        _dose(),
        _renal(),
        _femg(),
        _electrolytes(),
        _qtc(),
        _interactions(),
        _causes(),
        _reminders(),
    ]
