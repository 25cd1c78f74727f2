"""Rule set 2026.2: one or more tests for each entry of "Changes from 2026.1" (PROTOCOL.md, end), named after the
finding id in brackets at the end of the entry (entries 46-62: the second review's ids, "r2-m4" written `r2_m4`).

Every expectation is read from PROTOCOL.md, not from the core: quoted texts are the protocol's words (bracketed
source ids such as "[S35]" are not part of a text; they are in `references`). Inputs are realistic bedside cases
built with `tests/unit/builders.py`: the base is a 45 y, 70 kg woman, creatinine 70 umol/L (renal function about
94 mL/min), K 4.2, ionized Ca 1.20, QTc 430, Mg 0.60 mmol/L (grade 1).

Readings of PROTOCOL.md that could go two ways are marked "Two readings:" in a comment, with the safer one tested.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.builders import errors, ids, payload, run

# --- helpers ---------------------------------------------------------------------------------------------------

Out = dict[str, Any]


def item(items: list[dict[str, Any]], wanted: str) -> dict[str, Any]:
    found = [i for i in items if i["id"] == wanted]
    assert found, f"{wanted} not in {ids(items)}"
    return found[0]


def step(out: Out, wanted: str) -> dict[str, Any]:
    return item(out["plan"]["steps"], wanted)


def warning(out: Out, wanted: str) -> dict[str, Any]:
    return item(out["warnings"], wanted)


def reminder(out: Out, wanted: str) -> dict[str, Any]:
    return item(out["reminders"], wanted)


def step_ids(out: Out) -> list[str]:
    return ids(out["plan"]["steps"])


def warning_ids(out: Out) -> list[str]:
    return ids(out["warnings"])


def reminder_ids(out: Out) -> list[str]:
    return ids(out["reminders"])


def dose(out: Out) -> dict[str, Any]:
    assert out["plan"]["dose"] is not None, "route none has no dose"
    return out["plan"]["dose"]


def all_texts(out: Out) -> list[str]:
    texts = [i["text"] for key in ("warnings", "reminders") for i in out[key]]
    texts += [s["text"] for s in out["plan"]["steps"]]
    d = out["plan"]["dose"]
    while d is not None:
        texts.append(d["text"])
        d = d["follow_on"]
    return texts


def no_unit_check(out: Out) -> bool:
    return "unit_check" not in warning_ids(out)


def creatinine(value: float, unit: str = "umol/L") -> dict[str, Any]:
    return {"creatinine": {"value": value, "unit": unit}}


def child(age: float, weight: float, height: float | None = None, **rest: Any) -> dict[str, Any]:
    """Keyword arguments for `run`: a child of that age and weight (height optional), renal function normal for
    a child (creatinine 35 umol/L) unless `labs` says otherwise."""
    kwargs: dict[str, Any] = {"patient": {"age_years": age, "weight_kg": weight}, "labs": creatinine(35)}
    if height is None:
        kwargs["drop"] = ("patient.height_cm",)
    else:
        kwargs["patient"]["height_cm"] = height
    labs = rest.pop("labs", {})
    kwargs["labs"].update(labs)
    kwargs.update(rest)
    return kwargs


def unhalved_word(text: str, phrase: str) -> bool:
    """`phrase` stands in `text` as its own number ('5 g per day' is not in '2.5 g per day')."""
    return re.search(r"(?<![\d.])" + re.escape(phrase), text) is not None


# Renal states of an adult (the base woman, 45 y, 70 kg).
SEVERE_CREATININE = creatinine(600)  # CKD-EPI about 7 mL/min: below 15
LOW_CREATININE = creatinine(300)  # CKD-EPI about 16 mL/min: 15 - < 30
GRADE_2 = (0.45, "mmol/L")  # CTCAE grade 2 in mmol/L: route iv
GRADE_3 = (0.35, "mmol/L")  # grade 3: iv with the daily continuation
HIGH_K = {"potassium": {"value": 5.5, "unit": "mmol/L"}}  # warning `hyperkalemia` whatever the route
IONIZED_LOW = {"calcium_ionized": {"value": 0.85, "unit": "mmol/L"}}

ORAL_FULL = (
    "12-24 mmol elemental Mg per day in 3 divided doses with food, i.e. 4-8 mmol three times daily (e.g."
    " magnesium glycerophosphate 4 mmol tablets, 1-2 tablets three times daily); start at 12 mmol/day and go to 24 if"
    " still low at recheck; reduce the dose if diarrhea develops."
)
ORAL_HALVED = (
    "6-12 mmol elemental Mg per day in 3 divided doses with food, i.e. 2-4 mmol three times daily (e.g. magnesium"
    " glycerophosphate liquid 5 mmol/5 mL, 2-4 mL three times daily; one 4 mmol tablet three times daily is the upper"
    " end, 12 mmol/day); halved because renal function is below 30 mL/min; start at 6 mmol/day; reduce the dose if"
    " diarrhea develops."
)
ADULT_BOLUS_LINE = "MgSO4 2 g (8.12 mmol) IV in 100 mL over 15 min"


# === Units and input (changes 1-11) ==============================================================================


@pytest.mark.parametrize("value", [1.06, 1.1, 1.38, 1.69])
def test_c1_mmol_value_above_uln_that_reads_low_in_mg_dl_gets_a_unit_check(value):
    """Change 1 (C1, doubt (a)): kind P1, mmol/L above 1.05 and below 1.70, is a unit check shown first; 2026.1
    missed 1.06-1.19 mmol/L. The mg/dL reading of the same number is below the LLN."""
    out = run(mg=(value, "mmol/L"))
    assert warning_ids(out)[0] == "unit_check"
    mg_dl = warning(out, "unit_check")["readings"][0]
    assert mg_dl["unit"] == "mg/dL"
    assert mg_dl["ctcae_grade"] >= 1
    assert not mg_dl["above_uln"]
    assert "confirm_magnesium_unit" in step_ids(out)
    assert out["plan"]["route"] == "none"


@pytest.mark.parametrize(
    ("value", "unit", "kind"),
    [
        (1.05, "mmol/L", None),  # at the ULN: not above it, a normal value
        (1.06, "mmol/L", "P1"),
        (1.39, "mmol/L", "P1"),  # also low as mEq/L (below 1.40)
        (1.69, "mmol/L", "P1"),
        (1.70, "mmol/L", "P1b"),  # a normal mg/dL value
        (2.55, "mmol/L", "P1b"),
        (2.56, "mmol/L", None),  # above the ULN in every unit
        (3.2, "mmol/L", None),
        (2.11, "mEq/L", "P1b"),
        (4.0, "mEq/L", None),
    ],
)
def test_doubt_a_unit_check_bands_above_the_uln_follow_the_other_readings(value, unit, kind):
    """Change 1 (C1, doubt (a)), section 2.1's table with the default LLN and ULN: P1 first with step
    `confirm_magnesium_unit`; P1b first without it; no unit check where every reading is above the ULN or the
    number is normal."""
    out = run(mg=(value, unit))
    if kind is None:
        assert no_unit_check(out)
        assert "confirm_magnesium_unit" not in step_ids(out)
        return
    assert warning_ids(out)[0] == "unit_check"
    assert ("confirm_magnesium_unit" in step_ids(out)) is (kind == "P1")
    text = warning(out, "unit_check")["text"]
    assert ("True hypermagnesemia is uncommon unless renal function is poor or Mg was given." in text) is (kind == "P1")


def test_doubt_a_p1_band_follows_a_lab_lln():
    """Change 1 (doubt (a)): "with a lab LLN the bands follow it": with LLN 0.80 mmol/L (1.94 mg/dL), 1.90 mmol/L
    reads as a low mg/dL value (P1), where with the default LLN (1.70 mg/dL) it is P1b."""
    lab_lln = {"magnesium_lln": {"value": 0.80, "unit": "mmol/L"}}
    with_lln = run(mg=(1.90, "mmol/L"), labs=lab_lln)
    default = run(mg=(1.90, "mmol/L"))
    assert warning(with_lln, "unit_check")["readings"][0]["ctcae_grade"] == 1
    assert "confirm_magnesium_unit" in step_ids(with_lln)
    assert warning(default, "unit_check")["readings"][0]["ctcae_grade"] == 0
    assert "confirm_magnesium_unit" not in step_ids(default)


def test_c1_confirm_step_replaces_no_replacement_needed_and_the_hypermagnesemia_text_is_conditional():
    """Change 2 (C1): P1 adds step `confirm_magnesium_unit` (section 11 row 4), which replaces
    `no_replacement_needed`; `hypermagnesemia` never says a bare "withhold Mg" (section 3)."""
    out = run(mg=(1.38, "mmol/L"))
    assert step_ids(out) == ["confirm_magnesium_unit"]
    assert step(out, "confirm_magnesium_unit")["text"] == (
        "Confirm the Mg unit on the lab report and re-assess with it: 1.38 mmol/L is above the ULN, but in mg/dL it is"
        " 0.57 mmol/L (CTCAE grade 1: oral tier); in mEq/L it is 0.69 mmol/L (CTCAE grade 1: oral tier). No Mg until"
        " the unit is confirmed."
    )
    assert warning(out, "hypermagnesemia")["text"] == (
        "If the unit is right, Mg 1.38 mmol/L is above the ULN: no Mg replacement; check renal function; IV calcium"
        " is the antidote for Mg toxicity. Confirm the unit first (see the unit check)."
    )
    assert not any("withhold" in t for t in all_texts(out))
    # A number that is above the ULN in every unit keeps the plain wording and the plain step.
    plain = run(mg=(3.2, "mmol/L"))
    assert warning(plain, "hypermagnesemia")["text"] == (
        "Mg 3.2 mmol/L is above the ULN: withhold Mg; check renal function; IV calcium is the antidote."
    )
    assert step_ids(plain) == ["no_replacement_needed"]


def test_c3_mg_dl_below_0_7_and_low_meq_values_get_a_unit_check_shown_first():
    """Change 3 (C3): mg/dL values below 0.7 (change 53) and low mEq/L values get a unit check shown first; a
    grade 3 mEq/L value that is grade 1 in mmol/L is no longer silently a 5-day IV plan."""
    meq = run(mg=(0.65, "mEq/L"))  # 0.325 mmol/L: grade 3; as mmol/L 0.65 is grade 1
    assert out_grade(meq) == 3
    assert meq["plan"]["route"] == "iv"
    assert warning_ids(meq)[0] == "unit_check"
    text = warning(meq, "unit_check")["text"]
    assert "in mmol/L would be 0.65 mmol/L (CTCAE grade 1: oral tier)" in text
    assert "Confirm the unit on the lab report before acting on this plan." in text
    assert "mEq/L is twice the mmol/L number; most labs report mmol/L or mg/dL." in text

    mg_dl = run(mg=(0.45, "mg/dL"))  # the 0.45 mmol/L typed as mg/dL: grade 4 in mg/dL
    assert out_grade(mg_dl) == 4
    assert warning_ids(mg_dl)[0] == "unit_check"
    assert (
        "The same number in mmol/L would be 0.45 mmol/L (CTCAE grade 2: IV tier)"
        in warning(mg_dl, "unit_check")["text"]
    )


def out_grade(out: Out) -> int:
    return out["severity"]["ctcae_grade"]


def test_m1_real_low_mg_dl_unit_check_is_last_and_never_says_before_acting_with_an_urgent_symptom():
    """Change 4 (M1): the unit check of a real low mg/dL value (P3, 0.7 - < 1.2 mg/dL) is the last warning; with
    an urgent symptom no unit check says "before acting": "Treat per the local emergency protocol now; confirm the
    unit in parallel." (section 2.1's wording; the change list abbreviates it)."""
    calm = run(mg=(0.9, "mg/dL"), labs={"potassium": {"value": 3.2, "unit": "mmol/L"}})
    assert len(calm["warnings"]) > 1
    assert warning_ids(calm)[-1] == "unit_check"
    calm_text = warning(calm, "unit_check")["text"]
    assert "Confirm the unit on the lab report." in calm_text
    assert "before acting" not in calm_text

    for mg in ((0.9, "mg/dL"), (1.38, "mmol/L"), (0.45, "mg/dL"), (1.2, "mEq/L")):
        urgent = run(mg=mg, symptoms=["tetany"])
        text = warning(urgent, "unit_check")["text"]
        assert "Treat per the local emergency protocol now; confirm the unit in parallel." in text, mg
        assert not any("before acting" in t for t in all_texts(urgent)), mg


def test_c1_readings_carry_both_other_units_in_order_with_grade_and_tier():
    """Change 5 (C1, C3; testability): `readings` has one object for each of the two other units, in the order
    mmol/L, mg/dL, mEq/L (`mmol_per_l` to 2 decimals; above the ULN: grade 0, tier none); the text names each
    reading's grade and tier. Other warnings carry no `readings`."""
    out = run(mg=(0.46, "mg/dL"))
    assert warning(out, "unit_check")["readings"] == [
        {"unit": "mmol/L", "mmol_per_l": 0.46, "ctcae_grade": 2, "above_uln": False, "tier": "iv"},
        {"unit": "mEq/L", "mmol_per_l": 0.23, "ctcae_grade": 4, "above_uln": False, "tier": "iv"},
    ]
    assert warning(out, "unit_check")["text"].startswith(
        "Unit check: Mg 0.46 mg/dL is 0.19 mmol/L (CTCAE grade 4). The same number in mmol/L would be 0.46 mmol/L"
        " (CTCAE grade 2: IV tier); in mEq/L would be 0.23 mmol/L (CTCAE grade 4: IV tier)."
    )
    high = run(mg=(2.2, "mEq/L"))
    assert warning(high, "unit_check")["readings"] == [
        {"unit": "mmol/L", "mmol_per_l": 2.2, "ctcae_grade": 0, "above_uln": True, "tier": "none"},
        {"unit": "mg/dL", "mmol_per_l": 0.91, "ctcae_grade": 0, "above_uln": False, "tier": "none"},
    ]
    assert (
        "in mmol/L would be 2.2 mmol/L (above the ULN: no replacement by level)" in warning(high, "unit_check")["text"]
    )
    assert all("readings" not in w for w in high["warnings"] if w["id"] != "unit_check")


@pytest.mark.parametrize(("value", "checked"), [(2.10, False), (2.11, True), (2.55, True), (2.56, False), (4.0, False)])
def test_m21_meq_value_above_the_uln_is_checked_only_up_to_2_55(value, checked):
    """Change 6 (m21): values above the ULN in every unit get no unit check (4 mEq/L is not "a normal value in
    mg/dL"); mEq/L above the ULN is checked only up to 2.55, where the mg/dL reading is normal."""
    out = run(mg=(value, "mEq/L"))
    assert (not no_unit_check(out)) is checked
    if checked:
        assert warning(out, "unit_check")["readings"][1] == {
            "unit": "mg/dL",
            "mmol_per_l": round(value / 2.4305, 2),
            "ctcae_grade": 0,
            "above_uln": False,
            "tier": "none",
        }
    assert not any("a normal value in mg/dL" in t for t in all_texts(out))


def test_doubt_d_sample_age_range_and_stale_result_above_24_h():
    """Change 7 (doubt (d)): `labs.magnesium.age_hours` 0-720 h; warning `stale_result` above 24 h (section 2.2);
    nothing said (and nothing missing) when the age is not given."""

    def aged(hours: float, **rest: Any) -> Out:
        return run(labs={"magnesium": {"value": 0.60, "unit": "mmol/L", "age_hours": hours}}, **rest)

    for hours in (0, 24):
        assert "stale_result" not in warning_ids(aged(hours))
    assert warning(aged(24.5), "stale_result")["text"].startswith(
        "The Mg result is 24.5 h old: repeat it before acting on this plan"
    )
    assert warning(aged(720), "stale_result")["text"].startswith("The Mg result is 720 h old")
    urgent = aged(30, symptoms=["seizure"])
    assert warning(urgent, "stale_result")["text"].startswith(
        "The Mg result is 30 h old: treat per the emergency protocol now and send a fresh level"
    )
    assert "before acting" not in warning(urgent, "stale_result")["text"]
    for bad in (720.5, -1):
        message = errors(payload(labs={"magnesium": {"value": 0.6, "unit": "mmol/L", "age_hours": bad}}))
        assert set(message) == {"labs.magnesium.age_hours"}
        assert "720" in message["labs.magnesium.age_hours"]
    no_age = run()
    assert "stale_result" not in warning_ids(no_age)
    assert "labs.magnesium.age_hours" not in no_age["missing"]


def test_doubt_i_parenteral_nutrition_mg_hard_range_is_0_to_2_mmol_per_kg_day():
    """Change 8 (doubt (i)): hard range 0-2.0 mmol/kg/day for `nutrition.pn_mg_mmol_per_kg_day`; the message names
    the field, the value and unit received and the range."""
    for accepted in (0, 2.0):
        run(nutrition={"parenteral_nutrition": True, "pn_mg_mmol_per_kg_day": accepted})
    for refused in (2.01, 12, -0.1):
        message = errors(payload(nutrition={"parenteral_nutrition": True, "pn_mg_mmol_per_kg_day": refused}))
        assert set(message) == {"nutrition.pn_mg_mmol_per_kg_day"}
        text = message["nutrition.pn_mg_mmol_per_kg_day"]
        assert str(refused) in text
        assert "mmol/kg/day" in text


def test_doubt_h_neonate_cut_off_is_age_below_0_0833_compared_as_written():
    """Change 9 (doubt (h)): `age_years < 0.0833` is refused; 0.0833 itself is in scope."""
    infant = {"age_years": 0.0833, "weight_kg": 4.2, "height_cm": 54}
    out = run(patient=infant, labs=creatinine(20))
    assert out["plan"]["route"] == "oral"
    assert set(errors(payload(patient={**infant, "age_years": 0.0832}, labs=creatinine(20)))) == {"patient.age_years"}


def test_m19_redraw_mg_after_iv_with_recent_iv_magnesium_and_route_none_or_oral():
    """Change 10 (m19), section 2.4: reminder `redraw_mg_after_iv` (due 6 h) with IV Mg in the last 24 h and route
    `none` or `oral`; not with an IV plan."""
    recent = {"iv_magnesium_last_24h": True}
    text = (
        "If this sample was drawn less than 6 h after the end of the last infusion, redraw Mg at least 6 h after the"
        " end"
    )
    for mg, route in (((0.80, "mmol/L"), "none"), ((0.60, "mmol/L"), "oral")):
        out = run(mg=mg, magnesium_therapy=recent)
        assert out["plan"]["route"] == route
        redraw = reminder(out, "redraw_mg_after_iv")
        assert redraw["due_in_hours"] == 6
        assert redraw["text"].startswith(text)
        assert "recent_iv_magnesium" in warning_ids(out)
    iv = run(mg=GRADE_2, magnesium_therapy=recent)
    assert iv["plan"]["route"] == "iv"
    assert "redraw_mg_after_iv" not in reminder_ids(iv)
    assert "recent_iv_magnesium" in warning_ids(iv)


ACRONYMS = {"Mg", "MgSO4", "IV", "AKI", "K", "Ca", "ECG", "QTc", "CNI", "FEMg", "PN", "EGFR", "NHS", "PMH", "PRES"}


def test_m2_plain_names_two_decimal_amounts_and_lower_case_clauses():
    """Change 11 (m2), "Text conventions": no identifier in any text (the listed plain names instead), amounts with
    at most 2 decimals and no trailing zeros (20.3 mmol), and a clause after a semicolon in lower case."""
    out = run(
        mg=(0.60, "mmol/L"),
        medications=[
            {"id": "bisphosphonate_oral"},
            {"id": "iron_oral"},
            {"id": "amphotericin_b_liposomal"},
            {"id": "egfr_antibody"},
            {"id": "proton_pump_inhibitor", "days": 400},
        ],
        conditions=["first_degree_av_block", "aki"],
        immunosuppressants=[{"drug": "tacrolimus", "trough": {"value": 18, "unit": "ng/mL"}}],
    )
    texts = all_texts(out)
    joined = " | ".join(texts)
    for identifier in ("bisphosphonate_oral", "iron_oral", "amphotericin_b", "egfr_antibody", "proton_pump", "_"):
        assert identifier not in joined
    assert "Oral Mg and oral bisphosphonate:" in joined
    assert "Oral Mg and oral iron:" in joined
    assert "halved because of AKI" in joined
    for text in texts:
        for word in re.findall(r"; ([A-Z]\w*)", text):
            assert word in ACRONYMS, f"clause after a semicolon starts with {word!r}: {text}"
    iv = dose(run(mg=GRADE_2))
    assert "sulfate 5 g (20.3 mmol Mg)" in iv["text"]
    assert not re.search(r"\d\.\d{3}|\.\d*0(?!\d)\b", iv["text"].replace("0.9%", ""))


# === Severity and route (changes 12-15) ==========================================================================


@pytest.mark.parametrize("symptom", ["fatigue", "tremor"])
def test_m23_fatigue_or_tremor_alone_does_not_make_the_route_iv_or_the_severity_severe(symptom):
    """Change 12 (m23): `fatigue` and `tremor` count as symptoms but do not escalate the route or severity."""
    out = run(mg=(0.60, "mmol/L"), symptoms=[symptom])
    assert out["plan"]["route"] == "oral"
    assert out["severity"]["clinical_severity"] == "mild"
    assert out["severity"]["symptomatic"] is True
    normal = run(mg=(0.80, "mmol/L"), symptoms=[symptom])
    assert normal["plan"]["route"] == "none"
    cramps = run(mg=(0.60, "mmol/L"), symptoms=["muscle_cramps", symptom])  # a specific symptom escalates
    assert cramps["plan"]["route"] == "iv"
    assert cramps["severity"]["clinical_severity"] == "severe"


def test_m8_hypermagnesemia_with_an_arrhythmia_defers_to_the_emergency_team():
    """Change 13 (M8), section 3: above the ULN with torsades, route `none` and the emergency team decides on IV
    Mg; never "withhold Mg"."""
    out = run(mg=(3.2, "mmol/L"), symptoms=["torsades"])
    assert out["plan"]["route"] == "none"
    assert out["plan"]["reasons"] == ["hypermagnesemia"]
    hyper = warning(out, "hypermagnesemia")
    assert hyper["text"] == (
        "Mg 3.2 mmol/L is above the ULN: no routine Mg replacement. Whether IV Mg is given for the arrhythmia is the"
        " emergency team's decision: torsades responds to IV Mg whatever the serum level. Check renal function; IV"
        " calcium is the antidote for Mg toxicity."
    )
    assert {"S89", "S35"} <= set(hyper["references"])
    assert step(out, "follow_local_emergency_protocol")["text"].endswith(
        "Reference: whether IV Mg is given is the emergency team's decision: torsades responds to IV Mg whatever the"
        " serum level; correct K; stop QT-prolonging drugs."
    )
    assert not any("withhold" in t for t in all_texts(out))


def test_m5_symptoms_not_explained_by_mg_is_specific_to_each_symptom():
    """Change 14 (m5), section 4: CNI neurotoxicity only on a CNI; tetany: ionized calcium and pH; arrhythmias:
    K, calcium, QT drugs and bradycardia."""
    seizure = warning(run(mg=(0.80, "mmol/L"), symptoms=["seizure"]), "symptoms_not_explained_by_mg")
    assert "check calcium (ionized)" in seizure["text"]
    assert "PRES" not in seizure["text"]
    assert "S49" in seizure["references"]
    on_cni = warning(
        run(
            mg=(0.80, "mmol/L"),
            symptoms=["seizure"],
            immunosuppressants=[{"drug": "cyclosporine", "trough": {"value": 200, "unit": "ng/mL"}}],
        ),
        "symptoms_not_explained_by_mg",
    )
    assert "check calcium (ionized)" in on_cni["text"]
    assert "consider CNI neurotoxicity (PRES)" in on_cni["text"]
    assert {"S3", "S67"} <= set(on_cni["references"])
    tetany = warning(run(mg=(0.80, "mmol/L"), symptoms=["tetany"]), "symptoms_not_explained_by_mg")
    assert "check ionized calcium (and pH)" in tetany["text"]
    assert "S48" in tetany["references"]
    torsades = warning(run(mg=(3.2, "mmol/L"), symptoms=["torsades"]), "symptoms_not_explained_by_mg")
    assert "check K, calcium, QT-prolonging drugs and bradycardia (including heart block)" in torsades["text"]
    assert "S100" in torsades["references"]
    # Ventricular arrhythmia at Mg at or above the raised target (0.82) is not Mg's either.
    va = run(mg=(0.85, "mmol/L"), symptoms=["ventricular_arrhythmia"])
    assert va["plan"]["route"] == "none"
    assert "QT-prolonging drugs and bradycardia" in warning(va, "symptoms_not_explained_by_mg")["text"]


@pytest.mark.parametrize(
    ("qtc", "route", "reasons"), [(499, "oral", ["mild_asymptomatic_enteral_ok"]), (500, "iv", ["qtc_critical"])]
)
def test_doubt_e_qtc_critical_needs_no_extra_below_target_clause(qtc, route, reasons):
    """Change 15 (doubt (e)): rule 4 `qtc_critical` is QTc >= 500 ms alone (Mg is always below the raised target
    where rule 4 applies)."""
    out = run(mg=(0.60, "mmol/L"), ecg={"qtc_ms": qtc})
    assert out["plan"]["route"] == route
    assert out["plan"]["reasons"] == reasons
    grade_0 = run(mg=(0.75, "mmol/L"), ecg={"qtc_ms": 500})  # below the raised target 0.82: rule 3a, then rule 4
    assert grade_0["plan"]["reasons"] == ["raised_target", "qtc_critical"]


# === Dose (changes 16-29) ========================================================================================


def test_c2_halved_oral_dose_has_the_exact_text_and_per_dose_fields():
    """Change 16 (C2): halved oral dose for adults and 12-17 y: the exact text, per-dose fields, and never the
    full-dose tablet count."""
    adult = dose(run(mg=(0.60, "mmol/L"), labs=LOW_CREATININE))
    teen = dose(run(mg=(0.60, "mmol/L"), **child(15, 50, 160, labs=creatinine(250))))  # Schwartz about 23
    for got in (adult, teen):
        assert got["text"] == ORAL_HALVED
        assert (got["mmol_per_day_min"], got["mmol_per_day_max"]) == (6, 12)
        assert (got["mmol_per_dose_min"], got["mmol_per_dose_max"]) == (2, 4)
        assert got["start_mmol_per_day"] == 6
        assert got["renal_adjusted"] is True
        assert "1-2 tablets" not in got["text"]
    full = dose(run(mg=(0.60, "mmol/L")))
    assert full["text"] == ORAL_FULL
    assert (full["mmol_per_dose_min"], full["mmol_per_dose_max"]) == (4, 8)


@pytest.mark.parametrize(
    ("age", "weight", "mmol", "before_cap"),
    [
        (11.9, 45, 8, 9),  # below 12 y: capped at 8 mmol
        (12.0, 45, 9, 9),  # 12-17 y: cap 20 mmol, so no halving on the 12th birthday
        (16, 62, 12.4, 12.4),
        (16, 110, 20, 22),
        (0.5, 7, 1.4, 1.4),
    ],
)
def test_m2_child_iv_dose_is_0_2_mmol_per_kg_capped_8_below_12_and_20_from_12(age, weight, mmol, before_cap):
    """Change 17 (M2): every child's IV dose is 0.2 mmol/kg, capped at 8 mmol (< 12 y) and 20 mmol (12-17 y); PMH's
    0.4 mmol/kg shown as the alternative."""
    got = dose(run(mg=GRADE_2, **child(age, weight, 60 + 6 * age)))
    assert got["per_kg_mmol"] == 0.2
    assert got["mmol"] == mmol
    assert got["mmol_before_cap"] == before_cap
    assert got["grams_mgso4"] == round(mmol / 4.06, 2)
    assert got["volume_ml"] == round(mmol / 4.06 * 10, 2)  # diluted to 10%
    assert got["duration_hours"] == 3
    assert "Perth Children's Hospital uses 0.4 mmol/kg, at most 20 mmol" in got["text"]


def test_m2_child_follow_on_is_per_kg_and_the_urgent_bolus_stays_0_2_mmol_per_kg_at_most_8():
    """Change 17 (M2): the 12-17 y follow-on is per kg too; the urgent bolus stays 0.2 mmol/kg, at most 8 mmol. An
    18-year-old gets the adult regimen."""
    teen = dose(run(mg=GRADE_2, symptoms=["tetany"], **child(14, 50, 160)))
    assert (teen["per_kg_mmol"], teen["mmol_before_cap"], teen["mmol"]) == (0.2, 10, 8)
    assert teen["duration_hours"] == 0.25
    assert (teen["follow_on"]["per_kg_mmol"], teen["follow_on"]["mmol"]) == (0.2, 10)
    assert teen["follow_on"]["duration_hours"] == 3
    small = dose(run(mg=GRADE_2, symptoms=["tetany"], **child(3, 14, 95)))
    assert (small["mmol"], small["follow_on"]["mmol"]) == (2.8, 2.8)
    assert dose(run(mg=GRADE_2, **child(17.9, 70, 175)))["per_kg_mmol"] == 0.2
    adult = dose(run(mg=GRADE_2, patient={"age_years": 18, "weight_kg": 70, "height_cm": 175}))
    assert (adult["grams_mgso4"], adult["per_kg_mmol"]) == (5, None)


def test_m3_every_iv_dose_has_a_rate_and_a_limit_and_a_child_text_states_the_limit_in_mg_per_min():
    """Change 18 (M3): every IV dose has `rate_mg_per_min` and `max_rate_mg_per_min`; a child's IV text states
    10 mg/kg/min in mg/min for that weight, never above 150."""
    adult = dose(run(mg=GRADE_2, symptoms=["tetany"]))
    for d in (adult, adult["follow_on"]):
        assert d["max_rate_mg_per_min"] == 150
        assert d["rate_mg_per_min"] == round(d["grams_mgso4"] * 1000 / (d["duration_hours"] * 60), 2)
    assert adult["follow_on"]["rate_mg_per_min"] == 27.78  # 5 g over 3 h
    small = dose(run(mg=GRADE_2, **child(2, 12, 86)))
    assert small["max_rate_mg_per_min"] == 120
    assert "at most 10 mg/kg/min = 120 mg/min for 12 kg" in small["text"]
    big = dose(run(mg=GRADE_2, **child(13, 60, 165)))
    assert big["max_rate_mg_per_min"] == 150
    assert "150 mg/min for 60 kg" in big["text"]
    assert "600 mg/min" not in big["text"]


def test_m3_child_rate_limit_is_written_in_whole_mg_per_min():
    """Change 18 (M3) with "Text conventions": rates in whole mg/min. An infant of 7.35 kg has a limit of 73.5 mg/min
    (the field keeps 2 decimals); the text must state a whole number. Two readings: rounding to nearest (74) would
    state a limit above 10 mg/kg/min; the safer reading, tested here, is a whole number not above the limit."""
    got = dose(run(mg=GRADE_2, **child(1, 7.35, 72, labs=creatinine(25))))
    assert got["max_rate_mg_per_min"] == 73.5
    stated = re.search(r"at most 10 mg/kg/min = ([\d.]+) mg/min for 7.35 kg", got["text"])
    assert stated is not None
    assert re.fullmatch(r"\d+", stated.group(1))
    assert int(stated.group(1)) <= 73.5


def test_m1_per_kg_dose_states_the_amount_before_the_cap():
    """Change 19 (m1): `mmol_before_cap` on per-kg doses and the text "= 12.4 mmol, capped at 8 mmol"."""
    capped = dose(run(mg=GRADE_2, **child(10, 62, 150)))
    assert (capped["mmol_before_cap"], capped["mmol"]) == (12.4, 8)
    assert "0.2 mmol/kg x 62 kg = 12.4 mmol, capped at 8 mmol" in capped["text"]
    not_capped = dose(run(mg=GRADE_2, **child(8, 20, 125)))
    assert not_capped["mmol_before_cap"] == not_capped["mmol"] == 4
    assert "0.2 mmol/kg x 20 kg = 4 mmol (" in not_capped["text"]
    assert "capped" not in not_capped["text"]
    oral = dose(run(mg=(0.60, "mmol/L"), **child(10, 45, 145)))
    assert (oral["mmol_before_cap"], oral["mmol"]) == (9, 8)
    assert oral["text"].startswith("0.2 mmol/kg x 45 kg = 9 mmol, capped at 8 mmol per dose")


def test_m6_every_oral_text_says_with_food_and_reduce_the_dose_if_diarrhea_develops():
    """Change 20 (m6): oral texts say "with food" (12-17 y too) and "reduce the dose if diarrhea develops"."""
    small = dose(run(mg=(0.60, "mmol/L"), **child(8, 20, 125)))
    assert small["text"] == (
        "0.2 mmol/kg x 20 kg = 4 mmol per dose, three times daily with food; reduce the dose if diarrhea develops."
    )
    teen = dose(run(mg=(0.60, "mmol/L"), **child(14, 50, 160)))
    assert teen["text"] == ORAL_FULL
    assert (teen["mmol_per_day_min"], teen["mmol_per_day_max"], teen["per_kg_mmol"]) == (12, 24, None)
    assert "with food" in dose(run(mg=(0.60, "mmol/L")))["text"]


def test_m7_grade_3_continuation_is_40_g_162_mmol_with_the_smpc_rounding():
    """Change 21 (m7, doubt (b)): one wording, "40 g MgSO4 (162 mmol; the SmPC rounds it to 160 mmol)"."""
    got = dose(run(mg=GRADE_3))
    assert (
        "then 5 g per day guided by levels, at most 40 g MgSO4 (162 mmol; the SmPC rounds it to 160 mmol) over 5 days"
        in got["text"]
    )


def test_doubt_b_mmol_are_computed_with_4_06_mmol_per_gram():
    """Change 21 (doubt (b)): the salt carries 4.06 mmol per gram: 5 g = 20.3 mmol, 4 g = 16.24, 2 g = 8.12; a
    child's grams = mmol / 4.06."""
    assert dose(run(mg=GRADE_2))["mmol"] == 20.3
    assert dose(run(mg=(0.60, "mmol/L"), gi={"vomiting": True}))["mmol"] == 16.24
    assert dose(run(mg=GRADE_2, symptoms=["tetany"]))["mmol"] == 8.12
    assert dose(run(mg=GRADE_2, **child(8, 20, 125)))["grams_mgso4"] == 0.99  # 4 mmol / 4.06


def test_m9_already_on_oral_mg_and_still_low_gets_the_upper_dose_and_an_adherence_step():
    """Change 22 (M9): `oral_current` and still low: `start_mmol_per_day` is the upper end (24, or 12 halved), the
    text says so instead of "start at ...", plus step `check_oral_adherence`."""
    on_oral = {"oral_current": True}
    full = run(mg=(0.60, "mmol/L"), magnesium_therapy=on_oral)
    assert dose(full)["start_mmol_per_day"] == 24
    assert dose(full)["text"] == (
        "12-24 mmol elemental Mg per day in 3 divided doses with food, i.e. 4-8 mmol three times daily (e.g."
        " magnesium glycerophosphate 4 mmol tablets, 1-2 tablets three times daily); already on oral Mg and still"
        " low: give the upper dose, 24 mmol/day (8 mmol three times daily); reduce the dose if diarrhea develops."
    )
    assert step(full, "check_oral_adherence")["text"].startswith(
        "Already on oral Mg and still low: check adherence, diarrhea (the usual dose limit) and spacing from"
        " interacting drugs; consider IV if it stays low"
    )
    halved = run(mg=(0.60, "mmol/L"), magnesium_therapy=on_oral, conditions=["aki"])
    assert dose(halved)["start_mmol_per_day"] == 12
    assert (
        "already on oral Mg and still low: give the upper dose, 12 mmol/day (4 mmol three times daily)"
        in dose(halved)["text"]
    )
    assert "start at" not in dose(halved)["text"]
    small = run(mg=(0.60, "mmol/L"), magnesium_therapy=on_oral, **child(8, 20, 125))
    assert (dose(small)["per_kg_mmol"], dose(small)["mmol"]) == (0.2, 4)  # the same per-kg dose (open question 8)
    assert "check_oral_adherence" in step_ids(small)
    normal = run(mg=(0.80, "mmol/L"), magnesium_therapy=on_oral)
    assert "check_oral_adherence" not in step_ids(normal)


def test_m16_urgent_follow_on_is_the_iv_regimen_of_the_grade():
    """Change 23 (m16): after a torsades bolus at Mg 0.78 (grade 0, below the raised target 0.82) the follow-on is
    4 g over 4 h (1 g/h), not 5 g over 3 h."""
    grade_0 = dose(run(mg=(0.78, "mmol/L"), symptoms=["torsades"]))
    follow_on = grade_0["follow_on"]
    assert (follow_on["grams_mgso4"], follow_on["duration_hours"], follow_on["volume_ml"]) == (4, 4, 250)
    assert follow_on["grams_mgso4"] / follow_on["duration_hours"] <= 1  # within 0.5-1 g/h [S89]
    grade_2 = dose(run(mg=GRADE_2, symptoms=["torsades"]))["follow_on"]
    assert (grade_2["grams_mgso4"], grade_2["duration_hours"], grade_2["volume_ml"]) == (5, 3, 500)
    grade_3 = dose(run(mg=GRADE_3, symptoms=["torsades"]))["follow_on"]
    assert "then 5 g per day guided by levels" in grade_3["text"]
    at_target = dose(run(mg=(0.85, "mmol/L"), symptoms=["torsades"]))
    assert at_target["follow_on"] is None


def test_m24_grade_2_adult_text_guides_further_doses_by_the_level_6_h_after():
    """Change 24 (m24): grade 2 adult text: further doses guided by the level 6 h after the infusion (NHS
    Highland: 3 doses 12-hourly)."""
    text = dose(run(mg=GRADE_2))["text"]
    assert (
        "Further doses guided by the level 6 h after the end of the infusion (NHS Highland gives 3 doses 12-hourly"
        " below 0.5 mmol/L)" in text
    )
    assert "per day" not in text
    grade_1 = dose(run(mg=(0.60, "mmol/L"), gi={"vomiting": True}))
    assert "NHS Highland" not in grade_1["text"]


def test_m4_adult_without_sex_uses_the_lower_of_both_sexes():
    """Change 25 (M4): an adult without sex gets CrCl and eGFR for both sexes, the lower used (Cockcroft-Gault:
    the female value); `derived.renal_sex_assumption`, `patient.sex` in `missing`, and the dose text names it."""
    patient = {"age_years": 70, "weight_kg": 60, "height_cm": 165}
    labs = creatinine(150)
    female = run(patient={**patient, "sex": "female"}, labs=labs)["derived"]
    male = run(patient={**patient, "sex": "male"}, labs=labs)["derived"]
    out = run(patient=patient, labs=labs, drop=("patient.sex",))
    derived = out["derived"]
    assert derived["renal_sex_assumption"] == "lower_of_both_sexes"
    assert derived["crcl_ml_min"] == female["crcl_ml_min"]
    assert derived["egfr_ml_min_1_73m2"] == min(female["egfr_ml_min_1_73m2"], male["egfr_ml_min_1_73m2"])
    expected = min(female["crcl_ml_min"], female["egfr_ml_min_1_73m2"], male["egfr_ml_min_1_73m2"])
    assert derived["renal_function_ml_min"] == expected
    assert "patient.sex" in out["missing"]
    assert female["renal_sex_assumption"] is None
    x = f"{expected:.2f}".rstrip("0").rstrip(".")
    assert (
        f"renal function {x} mL/min (sex not given: the lower of the female and male estimates is used)".lower()
        in dose(out)["text"].lower()
    )
    # No sex and no weight: still known (eGFR), so never "renal function unknown".
    no_weight = run(patient={"age_years": 70}, labs=labs, drop=("patient.sex", "patient.weight_kg"))
    assert "renal_function_unknown" not in warning_ids(no_weight)
    assert no_weight["derived"]["renal_function_ml_min"] is not None


@pytest.mark.parametrize(("value", "unit"), [(40, "umol/L"), (0.5, "mg/dL")])
def test_m4_renal_function_unknown_names_the_creatinine_it_could_not_use(value, unit):
    """Change 26 (M4): a child with a creatinine but no height: "serum creatinine {value} {unit} was given, but
    height is not, so the bedside Schwartz eGFR cannot be computed"; first dose only."""
    out = run(mg=GRADE_2, **child(8, 25, None, labs=creatinine(value, unit)))
    words = f"serum creatinine {value} {unit} was given, but height is not, so the bedside Schwartz eGFR cannot be"
    assert (words + " computed").lower() in warning(out, "renal_function_unknown")["text"].lower()
    assert words.lower() in dose(out)["text"].lower()
    assert "12-hourly" not in dose(out)["text"]
    assert "patient.height_cm" in out["missing"]
    assert out["derived"]["renal_function_ml_min"] is None


def test_m4_renal_function_unknown_quotes_the_unused_creatinine_word_for_word():
    """Change 26 (M4), exact text: the warning names the creatinine "serum creatinine {value} {unit} was given, but
    height is not, so the bedside Schwartz eGFR cannot be computed" (in mid-sentence, so in lower case)."""
    out = run(mg=GRADE_2, **child(8, 25, None, labs=creatinine(40)))
    assert (
        "serum creatinine 40 umol/L was given, but height is not, so the bedside Schwartz eGFR cannot be computed"
        in warning(out, "renal_function_unknown")["text"]
    )


def test_m20_severe_renal_impairment_dose_text_begins_renal_advice_first():
    """Change 27 (m20, M10): below 15 mL/min, dialysis or oliguria the dose text begins "Renal advice first (renal
    function below 15 mL/min, dialysis or oliguria):"; in `iv_urgent` on the follow-on only."""
    prefix = "Renal advice first (renal function below 15 mL/min, dialysis or oliguria):"
    for renal in ({"labs": SEVERE_CREATININE}, {"conditions": ["dialysis"]}, {"conditions": ["oliguria"]}):
        assert dose(run(mg=GRADE_2, **renal))["text"].startswith(prefix), renal
        assert dose(run(mg=(0.60, "mmol/L"), **renal))["text"].startswith(prefix), renal
        urgent = dose(run(mg=GRADE_2, symptoms=["tetany"], **renal))
        assert "renal advice" not in urgent["text"].lower()
        assert urgent["follow_on"]["text"].startswith(prefix)
    assert not dose(run(mg=GRADE_2, labs=LOW_CREATININE))["text"].startswith("Renal advice")


def test_m10_caveats_in_iv_urgent_apply_to_the_follow_on():
    """Change 28 (M10): in `iv_urgent` the renal and heart-block caveats apply to the follow-on and say so; the
    bolus is never halved and carries no heart-block clause."""
    out = run(mg=GRADE_2, symptoms=["tetany"], conditions=["dialysis", "heart_block"])
    bolus = dose(out)
    assert (bolus["renal_adjusted"], bolus["grams_mgso4"]) == (False, 2)
    assert "heart block" not in bolus["text"].lower()
    assert bolus["follow_on"]["renal_adjusted"] is True
    assert bolus["follow_on"]["grams_mgso4"] == 2.5
    assert bolus["follow_on"]["text"].startswith(
        "After senior review (heart block): renal advice first (renal function below 15 mL/min, dialysis or oliguria):"
    )
    assert "the follow-on infusion is halved; the bolus is not" in warning(out, "renal_dose_reduction")["text"]
    assert "the follow-on infusion is halved; the bolus is not" in step(out, "renal_dose_reduction")["text"]
    assert "with the follow-on infusion" in warning(out, "hypermagnesemia_risk")["text"]
    assert warning(out, "severe_renal_impairment")["text"].startswith("For the follow-on infusion (not the bolus):")
    heart = [w for w in out["warnings"] if w["id"] == "iv_mg_caution" and w["drug"] is None]
    assert [w["text"] for w in heart] == [
        "Heart block: the emergency team decides on the bolus; any infusion after it only after senior review."
    ]
    assert not any("contraindicated" in t for t in all_texts(out))


def test_doubt_k_renal_formulas_cite_their_sources():
    """Change 29 (doubt (k)): Cockcroft-Gault [S105], CKD-EPI 2021 [S103], bedside Schwartz [S104]."""
    adult = {c["id"]: c for c in run()["derived"]["calculations"]}
    assert adult["crcl"]["references"] == ["S105"]
    assert adult["egfr"]["references"] == ["S103"]
    kid = {c["id"]: c for c in run(**child(8, 25, 128))["derived"]["calculations"]}
    assert kid["schwartz_egfr"]["references"] == ["S104"]
    assert "crcl" not in kid


# === Co-electrolytes, cardiac, interactions (changes 30-36) ======================================================


def test_m5_tetany_with_low_calcium_gives_iv_calcium_now_right_after_the_emergency_step():
    """Change 30 (M5): step `give_iv_calcium_now` for tetany or seizure with low Ca, right after the emergency step;
    with foscarnet also `consider_holding_foscarnet`; `replete_mg_before_ca` reworded."""
    out = run(mg=GRADE_2, symptoms=["tetany"], labs=IONIZED_LOW, medications=[{"id": "foscarnet"}])
    assert step_ids(out)[:4] == [
        "follow_local_emergency_protocol",
        "give_iv_calcium_now",
        "give_iv_magnesium_urgent",
        "consider_holding_foscarnet",
    ]
    assert step(out, "give_iv_calcium_now")["text"] == (
        "Symptomatic hypocalcemia (ionized Ca 0.85 mmol/L with tetany): give IV calcium now per the local protocol,"
        " and Mg with it."
    )
    assert step(out, "consider_holding_foscarnet")["text"].startswith(
        "Foscarnet chelates ionized calcium and Mg: consider slowing or holding the foscarnet infusion (prescriber's"
        " decision)"
    )
    reworded = (
        "Give Mg together with calcium replacement: hypocalcemia does not correct while Mg is low. IV calcium for"
        " tetany, seizure or a severe deficit is never delayed for Mg."
    )
    assert step(out, "replete_mg_before_ca")["text"] == reworded
    assert warning(out, "replete_mg_before_ca")["text"] == reworded
    assert not any("Mg first" in t for t in all_texts(out))
    # Corrected calcium (albumin given) and total calcium uncorrected name their kind.
    corrected = run(
        mg=GRADE_2,
        symptoms=["seizure"],
        labs={"calcium_total": {"value": 1.95, "unit": "mmol/L"}, "albumin": {"value": 30, "unit": "g/L"}},
        drop=("labs.calcium_ionized",),
    )
    assert "(corrected Ca 2.15 mmol/L with seizure)" in step(corrected, "give_iv_calcium_now")["text"]
    total = run(
        mg=GRADE_2,
        symptoms=["seizure"],
        labs={"calcium_total": {"value": 2.05, "unit": "mmol/L"}},
        drop=("labs.calcium_ionized",),
    )
    assert "(total Ca 2.05 mmol/L with seizure)" in step(total, "give_iv_calcium_now")["text"]
    normal_ca = run(mg=GRADE_2, symptoms=["tetany"], medications=[{"id": "foscarnet"}])
    assert "give_iv_calcium_now" not in step_ids(normal_ca)
    assert "consider_holding_foscarnet" not in step_ids(normal_ca)


def test_m6_digoxin_toxicity_risk_with_low_mg_or_low_k_on_any_route():
    """Change 31 (M6): warning `digoxin_toxicity_risk` (digoxin with Mg below the target or K < 3.5, any route);
    the IV caution text follows the label's reasoning; oral Mg-digoxin spacing 2-3 h [S79]."""
    digoxin = [{"id": "digoxin"}]
    text = "Low Mg and/or K increase the risk of digoxin toxicity: check the digoxin level and an ECG"
    oral = run(mg=(0.60, "mmol/L"), medications=digoxin)
    assert warning(oral, "digoxin_toxicity_risk")["text"].startswith(text)
    low_k = run(mg=(0.80, "mmol/L"), medications=digoxin, labs={"potassium": {"value": 3.4, "unit": "mmol/L"}})
    assert low_k["plan"]["route"] == "none"
    assert "digoxin_toxicity_risk" in warning_ids(low_k)
    k_at_limit = run(mg=(0.80, "mmol/L"), medications=digoxin, labs={"potassium": {"value": 3.5, "unit": "mmol/L"}})
    assert "digoxin_toxicity_risk" not in warning_ids(k_at_limit)
    assert "digoxin_toxicity_risk" not in warning_ids(run(mg=(3.2, "mmol/L"), medications=digoxin))
    spacing = [w for w in oral["warnings"] if w["id"] == "oral_mg_interaction" and w["drug"] == "digoxin"]
    assert len(spacing) == 1
    assert "2-3 h" in spacing[0]["text"]
    assert spacing[0]["references"] == ["S79"]
    iv = run(mg=GRADE_2, medications=digoxin)
    caution = [w for w in iv["warnings"] if w["id"] == "iv_mg_caution" and w["drug"] == "digoxin"]
    assert len(caution) == 1
    assert (
        "give IV Mg with caution in a digitalized patient: heart block may occur if IV calcium is needed to treat Mg"
        " toxicity" in caution[0]["text"]
    )


def test_m7_ecg_now_and_check_k_and_ca_now_are_due_at_once():
    """Change 32 (M7), section 6: `ecg_now` for Mg < 0.5 mmol/L or K < 3.0 without a QTc; `check_k_and_ca_now`
    when Mg is to be given (or a symptom is urgent) and K or Ca is missing; both due 0."""
    no_qtc = ("ecg",)
    for mg, k, due in (((0.49, "mmol/L"), 4.2, True), ((0.50, "mmol/L"), 4.2, False), ((0.6, "mmol/L"), 2.99, True),
                       ((0.6, "mmol/L"), 3.0, False)):  # fmt: skip
        out = run(mg=mg, labs={"potassium": {"value": k, "unit": "mmol/L"}}, drop=no_qtc)
        assert ("ecg_now" in reminder_ids(out)) is due, (mg, k)
        if due:
            assert reminder(out, "ecg_now")["due_in_hours"] == 0
            assert reminder(out, "ecg_now")["text"].startswith("12-lead ECG now for a baseline QTc")
    assert "ecg_now" not in reminder_ids(run(mg=(0.49, "mmol/L")))  # a QTc is given

    def check_now(**kwargs: Any) -> str | None:
        found = [r for r in run(**kwargs)["reminders"] if r["id"] == "check_k_and_ca_now"]
        assert all(r["due_in_hours"] == 0 for r in found)
        return found[0]["text"] if found else None

    assert check_now(drop=("labs.potassium",)).startswith("Check potassium now")
    assert check_now(drop=("labs.calcium_ionized",)).startswith("Check calcium now")
    assert check_now(drop=("labs.potassium", "labs.calcium_ionized")).startswith("Check potassium and calcium now")
    total_only = {"calcium_total": {"value": 2.3, "unit": "mmol/L"}}
    assert check_now(labs=total_only, drop=("labs.calcium_ionized",)) is None
    assert check_now(mg=(0.80, "mmol/L"), drop=("labs.potassium",)) is None  # route none, nothing urgent
    assert check_now(mg=(0.80, "mmol/L"), symptoms=["seizure"], drop=("labs.potassium",)).startswith(
        "Check potassium now"
    )


@pytest.mark.parametrize(
    ("k", "symptoms", "setting", "due"),
    [
        (2.9, [], "inpatient", 6),
        (3.0, [], "inpatient", 24),
        (3.2, [], "outpatient", 72),
        (3.4, ["torsades"], "inpatient", 6),
        (6.2, ["ventricular_arrhythmia"], "inpatient", 6),
    ],
)
def test_m7_recheck_k_within_6_h_for_k_below_3_or_an_arrhythmia(k, symptoms, setting, due):
    """Change 33 (M7, m18), section 13: `recheck_k` at most 6 h when K < 3.0 or with an arrhythmia symptom;
    otherwise the earlier of the Mg recheck and 24 h (72 h in the outpatient band)."""
    out = run(mg=(0.60, "mmol/L"), labs={"potassium": {"value": k, "unit": "mmol/L"}}, symptoms=symptoms,
              setting=setting)  # fmt: skip
    assert reminder(out, "recheck_k")["due_in_hours"] == due


def test_doubt_c_potassium_sparing_diuretics_with_a_cni_get_one_warning_naming_them():
    """Change 34 (doubt (c)): `spironolactone`, `eplerenone`, `triamterene` beside `amiloride`: one warning
    `potassium_sparing_with_cni` naming them; they are not causes [S57]."""
    sparing = ["amiloride", "spironolactone", "eplerenone", "triamterene"]
    out = run(
        medications=[{"id": m} for m in sparing],
        immunosuppressants=[{"drug": "tacrolimus", "trough": {"value": 9, "unit": "ng/mL"}}],
    )
    found = [w for w in out["warnings"] if w["id"] == "potassium_sparing_with_cni"]
    assert len(found) == 1
    for name in sparing:
        assert name in found[0]["text"].lower()
    assert {"S74", "S102"} <= set(found[0]["references"])
    assert not set(sparing) & set(ids(out["causes"]))
    no_cni = run(
        medications=[{"id": "spironolactone"}],
        immunosuppressants=[{"drug": "sirolimus", "trough": {"value": 8, "unit": "ng/mL"}}],
    )
    assert "potassium_sparing_with_cni" not in warning_ids(no_cni)


def test_m11_tacrolimus_is_on_the_partial_qt_list():
    """Change 35 (m11): `tacrolimus` (any route) is QT-prolonging [S74]; the warning says the list is partial; the
    step adds "(keep tacrolimus and check its level)"."""
    out = run(
        ecg={"qtc_ms": 480},
        immunosuppressants=[{"drug": "tacrolimus", "trough": {"value": 9, "unit": "ng/mL"}, "route": "iv"}],
    )
    qt = warning(out, "qt_prolonging_drugs")
    assert "tacrolimus" in qt["text"]
    assert "(other QT-prolonging drugs may apply)" in qt["text"]
    assert "S74" in qt["references"]
    assert "(keep tacrolimus and check its level)" in step(out, "review_qt_prolonging_drugs")["text"]
    assert "qt_prolonging_drugs" not in warning_ids(
        run(ecg={"qtc_ms": 450}, immunosuppressants=[{"drug": "tacrolimus", "trough": {"value": 9, "unit": "ng/mL"}}])
    )


def test_m13_first_degree_av_block_is_not_the_heart_block_contraindication():
    """Change 36 (m13), section 12: `first_degree_av_block` has no senior-review gate; with IV Mg it gets its own
    warning; with both conditions `heart_block` rules."""
    first = run(mg=GRADE_2, conditions=["first_degree_av_block"])
    assert "senior_review_heart_block" not in step_ids(first)
    assert not dose(first)["text"].startswith("Only after senior review")
    assert warning(first, "first_degree_av_block")["text"].startswith(
        "First-degree AV block: not treated as the label's heart-block contraindication; watch the ECG during IV Mg"
        " and stop for a higher-degree block"
    )
    both = run(mg=GRADE_2, conditions=["first_degree_av_block", "heart_block"])
    assert "senior_review_heart_block" in step_ids(both)
    assert "first_degree_av_block" not in warning_ids(both)
    assert dose(both)["text"].startswith("Only after senior review (heart block):")
    assert "first_degree_av_block" not in warning_ids(run(conditions=["first_degree_av_block"]))  # oral


# === Plan and reminders (changes 37-45) ==========================================================================


def test_m10_step_order_emergency_calcium_bolus_then_caveats():
    """Change 37 (M10), section 11: emergency step (with its one-line reference action), calcium, Mg bolus, then
    caveats; heart block after the bolus in `iv_urgent`."""
    out = run(
        mg=GRADE_2,
        symptoms=["tetany"],
        conditions=["heart_block", "aki"],
        medications=[{"id": "foscarnet"}],
        labs={**IONIZED_LOW, "potassium": {"value": 3.2, "unit": "mmol/L"}},
    )
    assert step_ids(out)[:8] == [
        "follow_local_emergency_protocol",
        "give_iv_calcium_now",
        "give_iv_magnesium_urgent",
        "consider_holding_foscarnet",
        "senior_review_heart_block",
        "renal_dose_reduction",
        "replete_mg_before_k",
        "replete_mg_before_ca",
    ]
    assert step(out, "follow_local_emergency_protocol")["text"] == (
        "Follow the local emergency protocol now; HypoMag shows reference information only. Reference:"
        f" {ADULT_BOLUS_LINE}; continuous ECG; check K and Ca."
    )
    assert step(out, "senior_review_heart_block")["text"].startswith(
        "Heart block: the emergency team decides on the bolus; any infusion after it only after senior review (the"
        " label lists heart block as a contraindication"
    )
    # Route iv (a seizure at grade 0 on a CNI, rule 3a): the heart-block review stays before the infusion.
    iv = run(
        mg=(0.75, "mmol/L"),
        symptoms=["seizure"],
        conditions=["heart_block"],
        immunosuppressants=[{"drug": "tacrolimus", "trough": {"value": 9, "unit": "ng/mL"}}],
    )
    assert iv["plan"]["route"] == "iv"
    assert step_ids(iv)[:3] == ["follow_local_emergency_protocol", "senior_review_heart_block", "give_iv_magnesium"]
    assert step(iv, "senior_review_heart_block")["text"].startswith(
        "Heart block (second or third degree): the label lists heart block as a contraindication to IV Mg: senior"
        " review before this infusion"
    )


@pytest.mark.parametrize(("drug", "trough", "shown"), [("sirolimus", 12, False), ("sirolimus", 12.5, True),
                                                       ("everolimus", 15, True)])  # fmt: skip
def test_m12_review_mtor_level_for_a_trough_above_12(drug, trough, shown):
    """Change 38 (m12): step `review_mtor_level` for an mTOR trough above 12 ng/mL [S16]."""
    out = run(immunosuppressants=[{"drug": drug, "trough": {"value": trough, "unit": "ng/mL"}}])
    assert ("review_mtor_level" in step_ids(out)) is shown
    if shown:
        assert step(out, "review_mtor_level")["references"] == ["S16"]


def test_m10_refeeding_step_names_the_phosphate_as_entered():
    """Change 39 (m10): step `follow_refeeding_protocol` with `refeeding_risk`, naming the phosphate as entered."""
    text = "Refeeding risk: check phosphate, K and Mg before and during feeding and follow the local refeeding protocol"
    with_p = run(conditions=["refeeding_risk"], labs={"phosphate": {"value": 0.5, "unit": "mmol/L"}})
    assert step(with_p, "follow_refeeding_protocol")["text"].startswith(text + " (phosphate 0.5 mmol/L)")
    mg_dl = run(conditions=["refeeding_risk"], labs={"phosphate": {"value": 1.6, "unit": "mg/dL"}})
    assert step(mg_dl, "follow_refeeding_protocol")["text"].startswith(text + " (phosphate 1.6 mg/dL)")
    without = run(conditions=["refeeding_risk"])
    assert step(without, "follow_refeeding_protocol")["text"].rstrip(".") == text
    assert "S61" in step(without, "follow_refeeding_protocol")["references"]
    assert "follow_refeeding_protocol" not in step_ids(run())


def test_m8_urgent_recheck_is_6_h_after_the_end_of_the_last_infusion():
    """Change 40 (m8): `recheck_mg_after_iv` in `iv_urgent` is bolus hours + follow-on hours + 6 (Mg, K and Ca)."""
    with_follow_on = run(mg=GRADE_2, symptoms=["tetany"])
    recheck = reminder(with_follow_on, "recheck_mg_after_iv")
    assert recheck["due_in_hours"] == 0.25 + 3 + 6
    assert recheck["text"].startswith("Recheck Mg, K and Ca 6 h after the end of the last infusion")
    bolus_only = run(mg=(0.90, "mmol/L"), symptoms=["torsades"])
    assert reminder(bolus_only, "recheck_mg_after_iv")["due_in_hours"] == 0.25 + 6
    grade_0 = run(mg=(0.78, "mmol/L"), symptoms=["torsades"])  # follow-on 4 h
    assert reminder(grade_0, "recheck_mg_after_iv")["due_in_hours"] == 0.25 + 4 + 6
    kid = run(mg=GRADE_2, symptoms=["seizure"], **child(6, 20, 115))
    assert reminder(kid, "recheck_mg_after_iv")["due_in_hours"] == 0.25 + 3 + 6


def test_m9_outpatient_iv_recheck_is_worded_for_the_next_visit():
    """Change 41 (m9): the outpatient IV recheck is for the next visit, not earlier than 6 h after the infusion."""
    out = run(mg=GRADE_2, setting="outpatient")
    recheck = reminder(out, "recheck_mg_after_iv")
    assert recheck["text"].startswith(
        "Recheck Mg at the next visit and before any further infusion, not earlier than 6 h after the end of this"
        " infusion"
    )
    assert recheck["due_in_hours"] == 3 + 6
    inpatient = reminder(run(mg=GRADE_2), "recheck_mg_after_iv")
    assert "next visit" not in inpatient["text"]


@pytest.mark.parametrize(
    ("day", "text"),
    [
        (100, "Mg with every CNI trough, at least weekly to day +100"),
        (
            101,
            "Mg with every CNI trough; at least weekly until Mg is stable on replacement (the routine interval after"
            " day +100 is the transplant team's)",
        ),
    ],
)
def test_m3_outpatient_cni_monitoring_text_depends_on_the_transplant_day(day, text):
    """Change 42 (m3): `outpatient_cni_monitoring` (168 h) by transplant day."""
    out = run(
        setting="outpatient",
        transplant={"type": "allogeneic", "day": day},
        immunosuppressants=[{"drug": "cyclosporine", "trough": {"value": 150, "unit": "ng/mL"}}],
    )
    found = reminder(out, "outpatient_cni_monitoring")
    assert found["text"].startswith(text)
    assert found["due_in_hours"] == 168


URINE = {"urine_magnesium": {"value": 3.0, "unit": "mmol/L"}, "urine_creatinine": {"value": 8.0, "unit": "mmol/L"}}


def test_doubt_g_femg_reminder_when_femg_is_uninterpretable_but_never_below_60():
    """Change 43 (doubt (g), m22): `femg_when_cause_unclear` also when FEMg was computed but uninterpretable
    because of recent IV Mg (or unknown renal function); never with renal function known below 60 or with
    dialysis, oliguria or AKI."""

    def femg_due(**kwargs: Any) -> float | None:
        found = [r for r in run(**kwargs)["reminders"] if r["id"] == "femg_when_cause_unclear"]
        return found[0]["due_in_hours"] if found else None

    assert femg_due() == 24  # not computed, oral
    assert femg_due(mg=GRADE_2) == 3 + 24  # IV: 24 h after the course ends
    assert femg_due(labs=URINE) is None  # computed and interpretable
    recent = run(labs=URINE, magnesium_therapy={"iv_magnesium_last_24h": True})
    assert recent["derived"]["femg_not_interpretable_reason"] == "iv_magnesium_last_24h"
    assert "femg_when_cause_unclear" in reminder_ids(recent)
    for renal in ({"conditions": ["aki"]}, {"conditions": ["dialysis"]}, {"conditions": ["oliguria"]}):
        assert femg_due(**renal) is None, renal
    low = run(patient={"age_years": 75, "sex": "female", "weight_kg": 60, "height_cm": 160}, labs=creatinine(110))
    assert low["derived"]["renal_function_ml_min"] < 60
    assert "femg_when_cause_unclear" not in reminder_ids(low)
    # A high-likelihood cause makes the search unnecessary.
    assert femg_due(immunosuppressants=[{"drug": "tacrolimus", "trough": {"value": 9, "unit": "ng/mL"}}]) is None


def test_doubt_j_daily_electrolytes_cites_s30_s101_for_iv_and_local_practice_on_a_cni():
    """Change 44 (doubt (j)): references S30/S101 for IV courses; S32 (local practice, K§7) on a CNI without IV."""
    cni = [{"drug": "tacrolimus", "trough": {"value": 9, "unit": "ng/mL"}}]
    assert reminder(run(mg=GRADE_2), "daily_electrolytes")["references"] == ["S30", "S101"]
    assert reminder(run(immunosuppressants=cni), "daily_electrolytes")["references"] == ["S32"]
    assert "daily_electrolytes" not in reminder_ids(run())  # inpatient, oral, no CNI
    assert "daily_electrolytes" not in reminder_ids(run(mg=GRADE_2, setting="outpatient"))


def test_doubt_f_cause_scores_span_5_to_100_so_the_clamp_never_binds():
    """Change 45 (doubt (f)), section 10: the highest sum is tacrolimus 70 + 5 + 10 + 15 = 100 and the lowest a
    C-evidence GI cause with renal-wasting FEMg, 20 - 15 = 5."""
    out = run(
        labs=URINE,  # FEMg (3 x 0.07) / (0.7 x 0.6 x 8) x 100 = 6.25 %: renal wasting
        gi={"vomiting": True, "diarrhea_ml_per_day": 0, "mucositis_grade": 0},
        immunosuppressants=[{"drug": "tacrolimus", "trough": {"value": 20, "unit": "ng/mL"}}],
    )
    assert out["derived"]["femg_interpretation"] == "renal_wasting"
    scores = {c["id"]: c["score"] for c in out["causes"]}
    assert scores["cni_tacrolimus"] == 100
    assert scores["vomiting"] == 5


# === Second review of the draft (changes 46-62) ==================================================================


@pytest.mark.parametrize("renal", [{"conditions": ["aki"]}, {"labs": LOW_CREATININE}])
def test_x1a_halved_grade_3_adult_continuation_is_halved_too(renal):
    """Change 46 (X1a): "then 2.5 g per day guided by levels, at most 20 g MgSO4 (81 mmol) over 5 days" beside a
    halved first dose; never the full 5 g/day and 40 g."""
    got = dose(run(mg=GRADE_3, **renal))
    assert got["renal_adjusted"] is True
    assert got["grams_mgso4"] == 2.5
    assert "then 2.5 g per day guided by levels, at most 20 g MgSO4 (81 mmol) over 5 days" in got["text"]
    for unhalved in ("5 g per day", "40 g", "162 mmol", "160 mmol", "20.3 mmol"):
        assert not unhalved_word(got["text"], unhalved), unhalved
    severe = dose(run(mg=GRADE_3, conditions=["dialysis"]))
    assert "per day" not in severe["text"]


def test_x1b_child_iv_text_shows_the_pmh_alternative_only_at_full_dose_with_known_renal_function():
    """Change 47 (X1b): PMH's 0.4 mmol/kg only when the dose is not halved and renal function is known."""
    pmh = "0.4 mmol/kg"
    assert pmh in dose(run(mg=GRADE_2, **child(8, 25, 128)))["text"]
    for renal in (
        child(8, 25, 128, conditions=["aki"]),
        child(8, 25, 128, labs=creatinine(200)),  # Schwartz about 23 mL/min
        child(8, 25, None),  # renal function unknown
        child(8, 25, 128, conditions=["dialysis"]),
    ):
        got = dose(run(mg=GRADE_2, **renal))
        assert pmh not in got["text"], renal
        assert "Perth" not in got["text"], renal


@pytest.mark.parametrize(
    "renal", [{"conditions": ["dialysis"]}, {"conditions": ["oliguria"]}, {"labs": creatinine(400)}]
)
def test_x1c_child_below_15_gets_a_further_dose_only_after_a_level_and_renal_advice(renal):
    """Change 48 (X1c): a child below 15 mL/min, on dialysis or with oliguria: "a further dose only after a level
    and renal advice" replaces "12-hourly as needed"."""
    out = run(mg=GRADE_2, **child(8, 25, 128, **renal))
    got = dose(out)
    assert "a further dose only after a level and renal advice" in got["text"].lower()
    assert "12-hourly" not in got["text"]
    assert got["per_kg_mmol"] == 0.1
    aki = dose(run(mg=GRADE_2, **child(8, 25, 128, conditions=["aki"])))
    assert "12-hourly as needed" in aki["text"]


ADULT_UNHALVED = ("12-24 mmol", "4-8 mmol", "1-2 tablets", "24 mmol/day", "5 g", "20.3 mmol", "40 g", "162 mmol")
CHILD_UNHALVED = ("0.2 mmol/kg", "0.4 mmol/kg", "at most 20 mmol", "capped at 8 mmol", "capped at 20 mmol")
X1_CASES = [
    pytest.param((0.60, "mmol/L"), {"conditions": ["aki"]}, ADULT_UNHALVED, id="adult-oral-aki"),
    pytest.param((0.60, "mmol/L"), {"labs": SEVERE_CREATININE}, ADULT_UNHALVED, id="adult-oral-below-15"),
    pytest.param(GRADE_2, {"conditions": ["oliguria"]}, ADULT_UNHALVED, id="adult-iv-2-oliguria"),
    pytest.param(GRADE_3, {"labs": LOW_CREATININE}, ADULT_UNHALVED, id="adult-iv-3-below-30"),
    pytest.param(GRADE_3, {"conditions": ["dialysis"]}, ADULT_UNHALVED, id="adult-iv-3-dialysis"),
    pytest.param(GRADE_2, child(9, 60, 140, conditions=["aki"]), CHILD_UNHALVED, id="child-iv-aki-capped"),
    pytest.param(GRADE_2, child(15, 110, 180, conditions=["aki"]), CHILD_UNHALVED, id="teen-iv-aki-capped"),
    pytest.param((0.60, "mmol/L"), child(9, 60, 140, conditions=["aki"]), CHILD_UNHALVED, id="child-oral-aki"),
    pytest.param((0.60, "mmol/L"), child(15, 50, 160, conditions=["aki"]), ADULT_UNHALVED, id="teen-oral-aki"),
]


@pytest.mark.parametrize(("mg", "renal", "unhalved"), X1_CASES)
def test_x1_a_renal_adjusted_dose_never_states_an_unhalved_amount(mg, renal, unhalved):
    """Change 49 (X1): a dose marked `renal_adjusted` never shows an unhalved amount anywhere in its text
    (continuation, alternative, example, tablet count); below 15 mL/min no repeat interval or continuation."""
    out = run(mg=mg, **renal)
    got = dose(out)
    assert got["renal_adjusted"] is True
    for phrase in unhalved:
        assert not unhalved_word(got["text"], phrase), (phrase, got["text"])
    severe = "dialysis" in renal.get("conditions", ()) or "oliguria" in renal.get("conditions", ())
    severe = severe or (out["derived"]["renal_function_ml_min"] or 99) < 15
    if severe:
        for continuation in ("12-hourly", "per day guided", "Further doses guided", "go to"):
            assert continuation not in got["text"], continuation


@pytest.mark.parametrize(
    "case",
    [
        pytest.param({"mg": GRADE_3, "drop": ("labs.creatinine",)}, id="adult-grade-3-no-creatinine"),
        pytest.param({"mg": GRADE_2, **child(8, 25, None)}, id="child-no-height"),
        pytest.param({"mg": GRADE_3, "symptoms": ["tetany"], "drop": ("labs.creatinine",)}, id="urgent-unknown"),
    ],
)
def test_x1_unknown_renal_function_shows_no_repeat_interval_or_continuation(case):
    """Change 49 (X1): with renal function unknown, the first dose only: no `follow_on`, no "then 5 g per day", no
    "12-hourly"; the text says further doses wait for renal function."""
    got = dose(run(**case))
    assert got["follow_on"] is None
    for continuation in ("12-hourly", "per day guided", "Further doses guided", "Perth"):
        assert continuation not in got["text"], continuation
    assert "further doses wait for renal function" in got["text"]


def test_y1_p1_reference_action_names_the_other_reading_and_the_bolus():
    """Change 50 (Y1): with a P1 unit check the reference action says "if the unit is right, ..."; the
    `symptoms_not_explained_by_mg` text begins "If the unit is right, "; `hypermagnesemia` says "Confirm the unit
    in parallel" with an urgent symptom."""
    out = run(mg=(1.38, "mmol/L"), symptoms=["seizure"])
    emergency = step(out, "follow_local_emergency_protocol")["text"]
    # Two readings: "{the bolus in one line, as for route iv_urgent}" may or may not carry route iv_urgent's
    # "; continuous ECG; check K and Ca"; either is accepted, the bolus itself is checked.
    assert emergency.startswith(
        "Follow the local emergency protocol now; HypoMag shows reference information only. Reference: if the unit is"
        " right, this Mg level does not call for an urgent Mg bolus; if the lab reported mg/dL, Mg is 0.57 mmol/L"
        f" (CTCAE grade 1) and the seizure would call for the urgent bolus ({ADULT_BOLUS_LINE}"
    )
    assert emergency.endswith("): confirm the unit now.")
    assert warning(out, "symptoms_not_explained_by_mg")["text"].startswith("If the unit is right, ")
    assert warning(out, "hypermagnesemia")["text"].endswith("Confirm the unit in parallel (see the unit check).")
    assert step(out, "confirm_magnesium_unit")["text"].endswith("Confirm it in parallel with the emergency treatment.")
    kid = run(mg=(1.38, "mmol/L"), symptoms=["tetany"], **child(8, 25, 128))
    assert "(MgSO4 1.23 g (5 mmol) IV in 12.32 mL over 15 min)" in step(kid, "follow_local_emergency_protocol")["text"]
    # P1b (2.0 mmol/L: normal as mg/dL): the hypermagnesemia text confirms in parallel, but only P1 says "If the
    # unit is right" in the symptom warning and reference action.
    p1b = run(mg=(2.0, "mmol/L"), symptoms=["tetany"])
    assert warning(p1b, "hypermagnesemia")["text"].endswith("Confirm the unit in parallel (see the unit check).")
    assert warning(p1b, "symptoms_not_explained_by_mg")["text"].startswith("This Mg level")
    assert step(p1b, "follow_local_emergency_protocol")["text"].endswith(
        "Reference: this Mg level does not call for an urgent Mg bolus; treat the tetany per the local protocol."
    )


@pytest.mark.parametrize(
    ("mg", "extra", "clause"),
    [
        pytest.param((3.2, "mmol/L"), {}, "; Mg is above the ULN: give no Mg; IV calcium is also the antidote for Mg"
                     " toxicity.", id="above-uln"),
        pytest.param((1.38, "mmol/L"), {}, "; Mg is above the ULN (if the unit is right; see the unit check): give no"
                     " Mg; IV calcium is also the antidote for Mg toxicity.", id="p1"),
        pytest.param((0.80, "mmol/L"), {}, "; Mg is not low: Mg is not part of this treatment.", id="normal"),
        pytest.param(GRADE_2, {}, ", and Mg with it.", id="iv-urgent"),
        pytest.param((0.75, "mmol/L"), {"immunosuppressants": [{"drug": "tacrolimus", "trough": {"value": 9,
                     "unit": "ng/mL"}}], "symptoms": ["seizure"]}, ", and Mg with it.", id="iv-rule-3a"),
    ],
)  # fmt: skip
def test_y2_iv_calcium_step_mg_clause_follows_the_route(mg, extra, clause):
    """Change 51 (Y2): ", and Mg with it." only on a replacement route; "give no Mg" above the ULN; "Mg is not part
    of this treatment" at a normal Mg."""
    kwargs = {"symptoms": ["tetany"], **extra}
    out = run(mg=mg, labs=IONIZED_LOW, **kwargs)
    text = step(out, "give_iv_calcium_now")["text"]
    assert text.endswith("give IV calcium now per the local protocol" + clause), text
    if out["plan"]["route"] == "none":
        assert "Mg with it" not in text


def test_y3_iv_calcium_on_digoxin_adds_the_labels_heart_block_caution():
    """Change 52 (Y3): `give_iv_calcium_now` on digoxin adds the label's heart-block caution for IV calcium [S35]."""
    out = run(mg=GRADE_2, symptoms=["tetany"], labs=IONIZED_LOW, medications=[{"id": "digoxin"}])
    calcium = step(out, "give_iv_calcium_now")
    assert calcium["text"].endswith(
        "On digoxin: give the calcium slowly with ECG monitoring and senior review; the magnesium sulfate label warns"
        " of heart block when IV calcium is given to a digitalized patient."
    )
    assert "S35" in calcium["references"]
    without = step(run(mg=GRADE_2, symptoms=["tetany"], labs=IONIZED_LOW), "give_iv_calcium_now")
    assert "digoxin" not in without["text"]


@pytest.mark.parametrize(
    ("value", "position", "sentence"),
    [
        (0.69, "first", None),  # P2: CTCAE grade 4 in mg/dL
        (0.71, "last", "If your laboratory reports mmol/L, this is 0.71 mmol/L (normal): give no IV Mg."),
        (1.19, "last", "If your laboratory reports mmol/L, this is 1.19 mmol/L (above the ULN): give no IV Mg."),
        (1.2, None, None),  # grade 1 in mg/dL: no unit check (open question 4)
    ],
)
def test_y4_p2_band_is_below_0_7_mg_dl_and_p3_adds_give_no_iv_mg(value, position, sentence):
    """Change 53 (Y4): the P2 band for mg/dL is < 0.7 (CTCAE grade 4 in mg/dL [S17]); P3 is 0.7 - < 1.2 mg/dL, last,
    and with a normal or above-ULN mmol/L reading adds "If your laboratory reports mmol/L, this is {x} mmol/L
    (...): give no IV Mg."."""
    out = run(mg=(value, "mg/dL"), labs=HIGH_K)
    if position is None:
        assert no_unit_check(out)
        return
    assert len(out["warnings"]) > 1
    assert warning_ids(out).index("unit_check") == (0 if position == "first" else len(out["warnings"]) - 1)
    text = warning(out, "unit_check")["text"]
    assert ("before acting on this plan" in text) is (position == "first")
    if sentence:
        assert text.endswith(sentence)
    else:
        assert "give no IV Mg" not in text


def test_y4_p3_with_a_low_mmol_reading_under_a_lab_lln_does_not_say_give_no_iv_mg():
    """Change 53 (Y4): the "give no IV Mg" sentence needs a normal or above-ULN mmol/L reading: with a lab LLN of
    0.80 mmol/L, 0.75 read as mmol/L is low, so P3 stays (last) without it."""
    out = run(mg=(0.75, "mg/dL"), labs={"magnesium_lln": {"value": 0.80, "unit": "mmol/L"}})
    assert warning_ids(out)[-1] == "unit_check"
    assert "give no IV Mg" not in warning(out, "unit_check")["text"]


@pytest.mark.parametrize(
    ("site", "mg", "first", "before_acting"),
    [
        ("mmol/L", (1.8, "mg/dL"), True, True),  # kind S: no other kind applies
        ("mg/dL", (1.8, "mg/dL"), None, False),  # same unit, normal: no unit check
        ("mmol/L", (0.9, "mg/dL"), True, True),  # P3 with a different site unit: first
        ("mg/dL", (0.9, "mg/dL"), False, False),  # P3 at a mg/dL site: last
        ("mEq/L", (1.2, "mEq/L"), False, False),  # P2 of a mEq/L value at a mEq/L site: last, P3's wording
        ("mmol/L", (1.2, "mEq/L"), True, True),
        ("mg/dL", (3.2, "mmol/L"), True, True),  # kind S even where every reading is above the ULN
    ],
)
def test_y4_site_unit_raises_a_unit_check_first_when_the_entered_unit_differs(site, mg, first, before_acting):
    """Change 54 (Y4; r2-m16; open question 4): `site.magnesium_unit`: a different entered unit always raises a
    unit check (kind S if no other kind applies), first, with "before acting"; a matching unit keeps P3 last and
    puts a low mEq/L value at a mEq/L site last with P3's wording. Never in `missing`."""
    out = run(mg=mg, site={"magnesium_unit": site}, labs=HIGH_K)  # warning `hyperkalemia` on every route
    assert "site.magnesium_unit" not in out["missing"]
    if first is None:
        assert no_unit_check(out)
        return
    assert len(out["warnings"]) > 1
    assert warning_ids(out).index("unit_check") == (0 if first else len(out["warnings"]) - 1)
    text = warning(out, "unit_check")["text"]
    site_sentence = f"Your laboratory reports Mg in {site}, but {mg[1]} was entered."
    assert (site_sentence in text) is (site != mg[1])
    if before_acting:
        assert "Confirm the unit on the lab report before acting on this plan." in text
        assert text.index(site_sentence) < text.index("Confirm the unit on the lab report before acting")
    else:
        assert "Confirm the unit on the lab report." in text
        assert "before acting" not in text
    urgent = run(mg=mg, site={"magnesium_unit": site}, symptoms=["tetany"])
    if site != mg[1]:
        urgent_text = warning(urgent, "unit_check")["text"]
        assert "Treat per the local emergency protocol now; confirm the unit in parallel." in urgent_text
        assert "before acting" not in urgent_text


@pytest.mark.parametrize(
    ("weight", "limit"),
    [
        (14.9, "at most 10 mg/kg/min = 149 mg/min for 14.9 kg"),
        (15.1, "at most 10 mg/kg/min and never above 150 mg/min: 150 mg/min for 15.1 kg"),
        (45, "at most 10 mg/kg/min and never above 150 mg/min: 150 mg/min for 45 kg"),
    ],
)
def test_r2_m4_child_rate_text_is_capped_at_150_mg_per_min_from_15_kg(weight, limit):
    """Change 55 (r2-m4): from 15 kg "at most 10 mg/kg/min and never above 150 mg/min: 150 mg/min for {w} kg"
    ("10 mg/kg/min = 150 mg/min for 45 kg" was false arithmetic)."""
    got = dose(run(mg=GRADE_2, **child(4 if weight < 15 else 12, weight, 100 if weight < 15 else 150)))
    assert limit in got["text"]
    assert re.search(r"10 mg/kg/min = 150 mg/min for (?!15 kg)", got["text"]) is None


def test_r2_m4_child_rate_text_at_exactly_15_kg_states_150_mg_per_min():
    """Change 55 (r2-m4) at the boundary. Two readings: section 5 says "up to 15 kg" for the first wording and "from
    15 kg" for the second, so 15 kg belongs to both. Either wording is true there (10 x 15 = 150): this test accepts
    both and checks the number."""
    got = dose(run(mg=GRADE_2, **child(4, 15, 100)))
    assert got["max_rate_mg_per_min"] == 150
    assert (
        "at most 10 mg/kg/min = 150 mg/min for 15 kg" in got["text"]
        or "at most 10 mg/kg/min and never above 150 mg/min: 150 mg/min for 15 kg" in got["text"]
    )


def test_r2_m5_non_urgent_adult_iv_stays_at_150_mg_per_min_and_the_bolus_rate_is_the_emergency_teams():
    """Change 56 (r2-m5): every non-urgent adult IV dose at or below 150 mg/min [S35]; the bolus text says the local
    emergency protocol sets the rate and pulseless torsades may need it faster; "the urgent bolus included" is
    gone."""
    for mg, extra in ((GRADE_2, {}), ((0.60, "mmol/L"), {"gi": {"vomiting": True}}), (GRADE_3, {})):
        got = dose(run(mg=mg, **extra))
        assert got["rate_mg_per_min"] <= 150
        assert got["max_rate_mg_per_min"] == 150
        assert "at most 150 mg/min" in got["text"]
    out = run(mg=GRADE_2, symptoms=["torsades"])
    bolus = dose(out)
    assert (
        "(133 mg/min; the local emergency protocol sets the rate, and pulseless torsades may need it faster)"
        in (bolus["text"])
    )
    assert bolus["max_rate_mg_per_min"] == 150
    assert bolus["follow_on"]["rate_mg_per_min"] <= 150
    assert not any("the urgent bolus included" in t for t in all_texts(out))
    kid = dose(run(mg=GRADE_2, symptoms=["tetany"], **child(8, 25, 128)))
    assert "150 mg/min for 25 kg; the local emergency protocol sets the rate)" in kid["text"]


@pytest.mark.parametrize(
    ("renal", "reason"),
    [
        ({"labs": LOW_CREATININE}, "halved because renal function is below 30 mL/min"),
        ({"labs": LOW_CREATININE, "conditions": ["aki"]}, "halved because renal function is below 30 mL/min"),
        ({"conditions": ["aki"]}, "halved because of AKI"),
        ({"conditions": ["oliguria"]}, "halved because of oliguria"),
        ({"conditions": ["aki", "dialysis"]}, "halved because of dialysis and AKI"),
    ],
)
def test_r2_m10_halving_reason_names_its_cause(renal, reason):
    """Change 57 (r2-m10): "halved because renal function is below 30 mL/min" only with a computed value below 30,
    else "halved because of {dialysis | oliguria | AKI}" (in that order); renal texts say "AKI", never "aki".
    Two readings of "several joined with 'and'": 'dialysis and oliguria and AKI' or 'dialysis, oliguria and AKI';
    only two conditions are tested here, where both readings agree."""
    for mg in ((0.60, "mmol/L"), GRADE_2):
        out = run(mg=mg, **renal)
        assert reason in dose(out)["text"], mg
        other = (
            "halved because of" if "renal function" in reason else "halved because renal function is below 30 mL/min"
        )
        assert other not in dose(out)["text"]
        assert not any(re.search(r"\baki\b", t) for t in all_texts(out))
    kid = dose(run(mg=GRADE_2, **child(8, 25, 128, **renal)))
    assert "halved because" in kid["text"]


def test_r2_m9_urgent_without_follow_on_says_no_follow_on_is_planned():
    """Change 58 (r2-m9): route `iv_urgent` without a `follow_on` (Mg at or above the target): the renal warnings
    and step say no follow-on is planned and any further dose is halved and needs a level first."""
    out = run(mg=(0.90, "mmol/L"), symptoms=["torsades"], conditions=["aki"])
    assert out["plan"]["route"] == "iv_urgent"
    assert dose(out)["follow_on"] is None
    text = (
        "Renal function < 30 mL/min (or dialysis, oliguria or AKI): no follow-on infusion is planned; any further dose"
        " is halved and needs a level (and, below 15, renal advice) first"
    )
    assert warning(out, "renal_dose_reduction")["text"].startswith(text)
    assert step(out, "renal_dose_reduction")["text"].startswith(text)
    assert "with any further dose" in warning(out, "hypermagnesemia_risk")["text"]
    severe = run(mg=(0.90, "mmol/L"), symptoms=["torsades"], conditions=["dialysis"])
    assert warning(severe, "severe_renal_impairment")["text"].startswith(
        "For any further dose (not the bolus; no follow-on infusion is planned):"
    )
    assert not any("follow-on infusion is halved" in t for t in all_texts(severe))


def test_r2_m11_halved_grade_2_adult_follows_the_nhs_renal_schedule():
    """Change 59 (r2-m11, same defect as X1): halved grade 2 adult text: "(NHS Highland, eGFR < 30: half doses;
    check Mg 6 h after the 2nd dose, before the 3rd)" instead of "3 doses 12-hourly"; below 15 mL/min, dialysis or
    oliguria the whole clause is "no further dose without a level and renal advice"."""
    halved = dose(run(mg=GRADE_2, labs=LOW_CREATININE))["text"]
    assert "(NHS Highland, eGFR < 30: half doses; check Mg 6 h after the 2nd dose, before the 3rd)" in halved
    assert "3 doses 12-hourly" not in halved
    for renal in ({"conditions": ["dialysis"]}, {"conditions": ["oliguria"]}, {"labs": SEVERE_CREATININE}):
        severe = dose(run(mg=GRADE_2, **renal))["text"]
        assert "no further dose without a level and renal advice" in severe.lower(), renal
        assert "Further doses guided" not in severe
        assert "12-hourly" not in severe


def test_r2_m7_adherence_step_on_an_iv_plan_says_iv_now():
    """Change 60 (r2-m7): `check_oral_adherence` on route `iv`/`iv_urgent`: "IV now; review adherence, diarrhea and
    the oral dose before stopping IV" (no "consider IV" on an IV plan)."""
    text = "Already on oral Mg and still low: IV now; review adherence, diarrhea and the oral dose before stopping IV"
    for extra in ({}, {"symptoms": ["tetany"]}):
        out = run(mg=GRADE_2, magnesium_therapy={"oral_current": True}, **extra)
        adherence = step(out, "check_oral_adherence")["text"]
        assert adherence.startswith(text)
        assert "consider IV" not in adherence


def test_r2_m8_continuous_ecg_during_an_infusion_with_first_degree_av_block():
    """Change 61 (r2-m8): `continuous_ecg` (due 0) during an infusion with `first_degree_av_block`, which the
    warning's "watch the ECG" promised; not on an oral plan."""
    iv = run(mg=GRADE_2, conditions=["first_degree_av_block"])
    assert reminder(iv, "continuous_ecg")["due_in_hours"] == 0
    assert "repeat_ecg" not in reminder_ids(iv)
    oral = run(conditions=["first_degree_av_block"])
    assert "continuous_ecg" not in reminder_ids(oral)
    assert "continuous_ecg" not in reminder_ids(run(mg=GRADE_2))


@pytest.mark.parametrize(
    ("mg", "grade", "route"),
    [
        ((0.9, "mmol/L"), 0, "none"),  # a mg/dL value of 0.70-1.05 typed as mmol/L reads as normal
        ((1.5, "mg/dL"), 1, "oral"),  # a mmol/L value of 1.2-1.69 typed as mg/dL reads as grade 1
        ((1.5, "mEq/L"), 0, "none"),  # a grade-1 mg/dL value typed as mEq/L reads as normal
        ((0.95, "mmol/L"), 0, "none"),  # a grade 1-2 mEq/L value typed as mmol/L reads as normal
    ],
)
def test_r2_m19_open_question_4_mix_ups_are_unseen_without_a_site_unit(mg, grade, route):
    """Change 62 (r2-m19, r2-m18): open question 4 rewritten: these mix-ups raise no unit check without
    `site.magnesium_unit`; with a site unit that differs they raise one, first. Readings carry exactly the five
    documented keys (the "class" was dropped)."""
    out = run(mg=mg)
    assert (out_grade(out), out["plan"]["route"]) == (grade, route)
    assert no_unit_check(out)
    other_site = "mg/dL" if mg[1] != "mg/dL" else "mmol/L"
    checked = run(mg=mg, site={"magnesium_unit": other_site})
    assert warning_ids(checked)[0] == "unit_check"
    for reading in warning(checked, "unit_check")["readings"]:
        assert set(reading) == {"unit", "mmol_per_l", "ctcae_grade", "above_uln", "tier"}
