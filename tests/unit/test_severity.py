"""Severity (PROTOCOL.md sections 1, 3, 7 and the unit check of section 2).

CTCAE grades are made in the unit the lab reported: a mg/dL value against the mg/dL cut-offs, so 1.2 mg/dL is
grade 1 although 1.2 / 2.4305 = 0.494 mmol/L would be grade 2 in mmol/L.
"""

from __future__ import annotations

import pytest

from assessments.clinical import grade_magnesium, parse_input
from assessments.clinical.inputs import AssessmentInput
from assessments.clinical.severity import (
    ctcae_grade,
    magnesium_reading,
    raised_target_reasons,
)
from assessments.clinical.severity import target as target_of
from assessments.clinical.units import Analyte, Measurement, Unit
from tests.builders import ids, payload, run


def parsed(**kwargs) -> AssessmentInput:
    result = parse_input(payload(**kwargs))
    assert result.input is not None, result.errors
    return result.input


def grade_of(value: float, unit: str, **kwargs) -> int:
    return run(mg=(value, unit), **kwargs)["severity"]["ctcae_grade"]


# --- CTCAE grade, each boundary in each unit -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "grade"),
    [(0.70, 0), (0.69, 1), (0.5, 1), (0.49, 2), (0.4, 2), (0.39, 3), (0.3, 3), (0.29, 4)],
)
def test_it_grades_mmol_per_l_against_the_mmol_per_l_cut_offs(value, grade):
    assert grade_of(value, "mmol/L") == grade


@pytest.mark.parametrize(
    ("value", "grade"),
    [(1.70, 0), (1.69, 1), (1.2, 1), (1.19, 2), (0.9, 2), (0.89, 3), (0.7, 3), (0.69, 4)],
)
def test_it_grades_mg_per_dl_against_the_mg_per_dl_cut_offs(value, grade):
    assert grade_of(value, "mg/dL") == grade


def test_it_grades_1_2_mg_dl_as_grade_1():
    # 1.2 mg/dL = 0.494 mmol/L: converting first would give grade 2 (golden case P09).
    out = run(mg=(1.2, "mg/dL"))
    assert out["severity"]["ctcae_grade"] == 1
    assert out["magnesium"]["mmol_per_l"] == 0.49


def test_it_grades_1_70_mg_dl_as_grade_0():
    # 1.70 mg/dL is 0.6994 mmol/L, below 0.70: the default LLN in mg/dL is 1.70 exactly, not 0.70 x 2.4305.
    assert grade_of(1.70, "mg/dL") == 0


@pytest.mark.parametrize(
    ("value", "grade"),
    [(1.40, 0), (1.38, 1), (1.0, 1), (0.98, 2), (0.8, 2), (0.78, 3), (0.6, 3), (0.58, 4)],
)
def test_it_grades_meq_per_l_after_converting_to_mmol_per_l(value, grade):
    # 1.0 mEq/L = 0.5 mmol/L is grade 1; 0.98 mEq/L = 0.49 mmol/L is grade 2.
    assert grade_of(value, "mEq/L") == grade


def test_it_grades_against_a_lab_lln_given_in_another_unit():
    # 1.80 mg/dL is above the default 1.70 but below the lab's 0.75 mmol/L (= 1.82 mg/dL).
    assert grade_of(1.80, "mg/dL") == 0
    assert grade_of(1.80, "mg/dL", labs={"magnesium_lln": {"value": 0.75, "unit": "mmol/L"}}) == 1


def test_it_grades_mmol_per_l_against_a_lab_lln_in_mg_per_dl():
    # 1.80 mg/dL = 0.7406 mmol/L, so 0.72 mmol/L is below the lab's LLN.
    assert grade_of(0.72, "mmol/L", labs={"magnesium_lln": {"value": 1.80, "unit": "mg/dL"}}) == 1
    assert grade_of(0.75, "mmol/L", labs={"magnesium_lln": {"value": 1.80, "unit": "mg/dL"}}) == 0


def test_it_grades_against_a_lab_lln_in_meq_per_l():
    assert grade_of(0.72, "mmol/L", labs={"magnesium_lln": {"value": 1.5, "unit": "mEq/L"}}) == 1


def test_a_lower_lab_lln_makes_a_value_normal():
    assert grade_of(0.65, "mmol/L", labs={"magnesium_lln": {"value": 0.6, "unit": "mmol/L"}}) == 0


def test_the_grade_text_shows_the_comparison_in_the_unit_graded():
    reading = magnesium_reading(Measurement(Analyte.MAGNESIUM, 1.0, Unit.MG_DL), None)
    assert ctcae_grade(reading) == (
        2,
        "Mg 1 mg/dL is below 1.2 mg/dL and at or above 0.9 mg/dL: CTCAE grade 2",
    )


def test_the_grade_1_text_names_the_lln_and_where_it_came_from():
    lab = Measurement(Analyte.MAGNESIUM_LLN, 0.75, Unit.MMOL_L)
    _, default_text = ctcae_grade(magnesium_reading(Measurement(Analyte.MAGNESIUM, 0.6, Unit.MMOL_L), None))
    _, lab_text = ctcae_grade(magnesium_reading(Measurement(Analyte.MAGNESIUM, 0.6, Unit.MMOL_L), lab))
    assert (
        default_text == "Mg 0.6 mmol/L is below the LLN 0.7 mmol/L (default) and at or above 0.5 mmol/L: CTCAE grade 1"
    )
    assert "LLN 0.75 mmol/L (lab)" in lab_text


def test_the_grade_0_and_grade_4_texts_say_so():
    _, normal = ctcae_grade(magnesium_reading(Measurement(Analyte.MAGNESIUM, 0.8, Unit.MMOL_L), None))
    _, worst = ctcae_grade(magnesium_reading(Measurement(Analyte.MAGNESIUM, 0.25, Unit.MMOL_L), None))
    assert normal == "Mg 0.8 mmol/L is at or above the LLN 0.7 mmol/L (default): CTCAE grade 0"
    assert worst == "Mg 0.25 mmol/L is below 0.3 mmol/L: CTCAE grade 4"


# --- The reading ----------------------------------------------------------------------------------------------


def test_the_reading_has_the_three_units():
    reading = magnesium_reading(Measurement(Analyte.MAGNESIUM, 1.04, Unit.MEQ_L), None)
    assert reading.mmol_per_l == 0.52
    assert reading.mg_per_dl == pytest.approx(1.26386)
    assert reading.meq_per_l == 1.04


def test_the_default_lln_is_in_the_unit_graded():
    mg_dl = magnesium_reading(Measurement(Analyte.MAGNESIUM, 1.5, Unit.MG_DL), None)
    meq = magnesium_reading(Measurement(Analyte.MAGNESIUM, 1.2, Unit.MEQ_L), None)
    assert (mg_dl.lln.value, mg_dl.lln.unit) == (1.70, Unit.MG_DL)
    # mEq/L is graded in mmol/L, so its default LLN is 0.70 mmol/L.
    assert (meq.lln.value, meq.lln.unit) == (0.70, Unit.MMOL_L)
    assert not mg_dl.lln_from_lab
    assert mg_dl.lln_mmol_per_l == pytest.approx(0.69945, abs=1e-5)


def test_the_lab_lln_is_kept_as_entered():
    lab = Measurement(Analyte.MAGNESIUM_LLN, 1.8, Unit.MG_DL)
    reading = magnesium_reading(Measurement(Analyte.MAGNESIUM, 0.6, Unit.MMOL_L), lab)
    assert reading.lln == lab
    assert reading.lln_from_lab
    assert reading.lln_mmol_per_l == pytest.approx(0.7406, abs=1e-4)


# --- Category -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "category"),
    [(0.8, "none"), (0.6, "mild"), (0.45, "moderate"), (0.35, "severe"), (0.25, "severe")],
)
def test_it_maps_the_grade_to_a_category(value, category):
    assert run(mg=(value, "mmol/L"))["severity"]["category"] == category


# --- Clinical severity ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("symptom", ["seizure", "tetany", "torsades", "ventricular_arrhythmia"])
@pytest.mark.parametrize("mg", [0.25, 0.6, 0.9, 1.2])
def test_an_urgent_symptom_is_an_emergency_whatever_the_mg(symptom, mg):
    # Even above the ULN (1.2 mmol/L): the patient needs the local emergency protocol.
    sev = run(mg=(mg, "mmol/L"), symptoms=[symptom])["severity"]
    assert sev["clinical_severity"] == "emergency"
    assert sev["urgent"] is True
    assert sev["symptomatic"] is True


def test_an_emergency_names_its_symptom_and_the_category_source():
    sev = run(mg=(0.9, "mmol/L"), symptoms=["tetany"])["severity"]
    assert "urgent symptom (tetany): follow the local emergency protocol" in sev["because"]
    assert "S33" in sev["references"]


@pytest.mark.parametrize("mg", [0.35, 0.25])
def test_grade_3_or_worse_is_severe_without_symptoms(mg):
    sev = run(mg=(mg, "mmol/L"))["severity"]
    assert sev["clinical_severity"] == "severe"
    assert sev["urgent"] is False
    assert sev["symptomatic"] is False


@pytest.mark.parametrize(
    "symptom", ["muscle_cramps", "paresthesia", "weakness", "palpitations", "nystagmus", "confusion"]
)
def test_a_specific_symptom_with_grade_1_is_severe(symptom):
    sev = run(mg=(0.6, "mmol/L"), symptoms=[symptom])["severity"]
    assert (sev["category"], sev["clinical_severity"], sev["urgent"]) == ("mild", "severe", False)
    assert f"symptomatic ({symptom.replace('_', ' ')}) with CTCAE grade 1" in sev["because"]
    assert {"S31", "S30"} <= set(sev["references"])


@pytest.mark.parametrize("symptoms", [["fatigue"], ["tremor"], ["fatigue", "tremor"]])
def test_fatigue_and_tremor_alone_do_not_make_grade_1_severe(symptoms):
    # Section 3 (m23, change 12): common after HSCT for other reasons; they count as symptoms but do not escalate.
    sev = run(mg=(0.6, "mmol/L"), symptoms=symptoms)["severity"]
    assert (sev["category"], sev["clinical_severity"], sev["symptomatic"]) == ("mild", "mild", True)
    words = " and ".join(symptoms)
    assert f"{words}: common after HSCT for other reasons, not escalating on its own" in sev["because"]


def test_tremor_beside_a_specific_symptom_is_severe():
    sev = run(mg=(0.6, "mmol/L"), symptoms=["tremor", "paresthesia"])["severity"]
    assert sev["clinical_severity"] == "severe"
    assert "symptomatic (paresthesia) with CTCAE grade 1" in sev["because"]


def test_a_non_urgent_symptom_at_grade_0_is_not_severe():
    sev = run(mg=(0.9, "mmol/L"), symptoms=["fatigue"])["severity"]
    assert (sev["clinical_severity"], sev["symptomatic"]) == ("none", True)


def test_grade_0_below_the_raised_target_is_mild():
    sev = run(mg=(0.75, "mmol/L"), ecg={"qtc_ms": 480})["severity"]
    assert (sev["ctcae_grade"], sev["category"], sev["clinical_severity"]) == (0, "none", "mild")
    assert "S89" in sev["references"]


def test_grade_2_without_symptoms_stays_moderate():
    sev = run(mg=(0.45, "mmol/L"))["severity"]
    assert (sev["category"], sev["clinical_severity"]) == ("moderate", "moderate")
    # The grade, the LLN and the category each cite their sources; no target source when no target decided.
    assert sev["references"] == ["S17", "S18", "S29", "S30", "S31", "S33"]


def test_normal_magnesium_is_none():
    sev = run(mg=(0.8, "mmol/L"))["severity"]
    assert (sev["ctcae_grade"], sev["category"], sev["clinical_severity"], sev["urgent"]) == (0, "none", "none", False)


# --- Target ---------------------------------------------------------------------------------------------------


def target(**kwargs) -> float:
    return run(**kwargs)["derived"]["target_mmol_per_l"]


def test_the_default_target_is_the_lln():
    assert target() == 0.70


def test_qtc_470_raises_the_target():
    assert target(ecg={"qtc_ms": 470}) == 0.82


def test_qtc_469_does_not_raise_the_target():
    assert target(ecg={"qtc_ms": 469}) == 0.70


@pytest.mark.parametrize("symptom", ["torsades", "ventricular_arrhythmia"])
def test_an_arrhythmia_symptom_raises_the_target(symptom):
    assert target(symptoms=[symptom]) == 0.82


def test_palpitations_are_not_an_arrhythmia_symptom():
    assert target(symptoms=["palpitations"]) == 0.70


def test_a_seizure_on_a_cni_raises_the_target():
    assert target(symptoms=["seizure"], immunosuppressants=[{"drug": "cyclosporine"}]) == 0.82


def test_a_seizure_without_a_cni_does_not_raise_the_target():
    assert target(symptoms=["seizure"]) == 0.70


def test_a_seizure_on_sirolimus_does_not_raise_the_target():
    # CNI means tacrolimus or cyclosporine only (PROTOCOL.md section 4).
    assert target(symptoms=["seizure"], immunosuppressants=[{"drug": "sirolimus"}]) == 0.70


def test_the_target_is_the_lab_lln_when_it_is_larger_than_0_82():
    lln = {"magnesium_lln": {"value": 0.9, "unit": "mmol/L"}}
    assert target(labs=lln, ecg={"qtc_ms": 480}) == 0.9
    assert target(labs=lln) == 0.9


def test_the_raised_target_reasons_name_every_trigger():
    data = parsed(
        ecg={"qtc_ms": 480},
        symptoms=["torsades", "seizure"],
        immunosuppressants=[{"drug": "tacrolimus", "trough": {"value": 8, "unit": "ng/mL"}}],
    )
    assert raised_target_reasons(data) == (
        "QTc 480 ms >= 470 ms",
        "arrhythmia symptom: torsades",
        "seizure on a calcineurin inhibitor",
    )


def test_no_raised_target_reason_without_a_qtc():
    data = parsed(drop=("ecg",))
    assert raised_target_reasons(data) == ()
    reading = magnesium_reading(data.labs.magnesium, None)
    assert target_of(reading, data).mmol_per_l == 0.70
    assert target_of(reading, data).raised is False


# --- Above the ULN --------------------------------------------------------------------------------------------


def test_mg_above_the_uln_is_hypermagnesemia_without_replacement():
    out = run(mg=(1.06, "mmol/L"))
    assert out["plan"]["route"] == "none"
    assert out["plan"]["reasons"] == ["hypermagnesemia"]
    assert out["plan"]["dose"] is None
    assert out["severity"]["category"] == "none"
    assert "hypermagnesemia" in ids(out["warnings"])
    assert "S56" in out["severity"]["references"]
    assert any("above the ULN 1.05 mmol/L" in b for b in out["severity"]["because"])


def test_mg_of_exactly_the_uln_is_not_above_it():
    out = run(mg=(1.05, "mmol/L"))
    assert out["plan"]["reasons"] == ["normal_magnesium"]
    assert "hypermagnesemia" not in ids(out["warnings"])


def test_the_uln_applies_in_mg_per_dl():
    # ULN 1.05 mmol/L = 2.55 mg/dL [S56].
    assert run(mg=(2.55, "mg/dL"))["plan"]["reasons"] == ["normal_magnesium"]
    assert run(mg=(2.56, "mg/dL"))["plan"]["reasons"] == ["hypermagnesemia"]


def test_an_urgent_symptom_above_the_uln_gets_no_magnesium():
    out = run(mg=(1.2, "mmol/L"), symptoms=["torsades"])
    assert (out["plan"]["route"], out["severity"]["category"]) == ("none", "none")


# --- The hypermagnesemia warning (section 3's three wordings) ---------------------------------------------------


def hypermagnesemia(**kwargs) -> dict:
    (warning,) = [w for w in run(**kwargs)["warnings"] if w["id"] == "hypermagnesemia"]
    return warning


def test_it_warns_about_hypermagnesemia_above_the_uln():
    # 2.6 mg/dL is above the ULN in every unit (no unit check): the plain wording.
    warning = hypermagnesemia(mg=(2.6, "mg/dL"))
    assert (
        warning["text"]
        == "Mg 1.07 mmol/L is above the ULN: withhold Mg; check renal function; IV calcium is the antidote."
    )
    assert warning["because"] == ["Mg 1.07 mmol/L = 2.6 mg/dL = 2.14 mEq/L is above the ULN 1.05 mmol/L"]
    assert warning["references"] == ["S56", "S53", "S35"]
    assert warning["drug"] is None


def test_it_does_not_warn_about_hypermagnesemia_at_the_uln():
    assert "hypermagnesemia" not in ids(run(mg=(1.05, "mmol/L"))["warnings"])


@pytest.mark.parametrize("mg", [1.06, 1.5, 2.0])
def test_hypermagnesemia_that_may_be_another_units_value_never_says_withhold(mg):
    # P1 (1.06, 1.5: low as mg/dL) and P1b (2.0: normal as mg/dL): "If the unit is right", never a bare "withhold".
    warning = hypermagnesemia(mg=(mg, "mmol/L"))
    assert warning["text"] == (
        f"If the unit is right, Mg {mg:g} mmol/L is above the ULN: no Mg replacement; check renal function; IV calcium"
        " is the antidote for Mg toxicity. Confirm the unit first (see the unit check)."
    )
    assert "withhold" not in warning["text"]
    assert "the same number in another unit is not above the ULN (unit check)" in warning["because"]


def test_hypermagnesemia_in_doubt_with_an_urgent_symptom_confirms_the_unit_in_parallel():
    # Y1, change 50: with an urgent symptom the last sentence never asks to confirm first.
    warning = hypermagnesemia(mg=(1.2, "mmol/L"), symptoms=["seizure"])
    assert warning["text"].endswith(" Confirm the unit in parallel (see the unit check).")
    assert "first" not in warning["text"]


@pytest.mark.parametrize("symptom", ["torsades", "ventricular_arrhythmia"])
@pytest.mark.parametrize(("value", "unit", "x"), [(1.2, "mmol/L", "1.2"), (2.6, "mg/dL", "1.07")])
def test_hypermagnesemia_with_an_arrhythmia_leaves_iv_mg_to_the_emergency_team(symptom, value, unit, x):
    # M8, change 13: torsades responds to IV Mg whatever the level; it never says "withhold Mg".
    warning = hypermagnesemia(mg=(value, unit), symptoms=[symptom])
    assert warning["text"] == (
        f"Mg {x} mmol/L is above the ULN: no routine Mg replacement. Whether IV Mg is given for the arrhythmia is the"
        " emergency team's decision: torsades responds to IV Mg whatever the serum level. Check renal function; IV"
        " calcium is the antidote for Mg toxicity."
    )
    assert f"arrhythmia symptom: {symptom.replace('_', ' ')}" in warning["because"]
    assert "S89" in warning["references"]
    assert "withhold" not in warning["text"]


# --- The grade alone, for integrations ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mg", "lab_lln", "grade"),
    [
        (Measurement(Analyte.MAGNESIUM, 1.2, Unit.MG_DL), None, 1),
        (Measurement(Analyte.MAGNESIUM, 0.98, Unit.MEQ_L), None, 2),
        (Measurement(Analyte.MAGNESIUM, 0.72, Unit.MMOL_L), Measurement(Analyte.MAGNESIUM_LLN, 0.75, Unit.MMOL_L), 1),
        (Measurement(Analyte.MAGNESIUM, 0.72, Unit.MMOL_L), None, 0),
    ],
)
def test_grade_magnesium_is_the_ctcae_grade_of_an_entered_value(mg, lab_lln, grade):
    assert grade_magnesium(mg, lab_lln) == grade
