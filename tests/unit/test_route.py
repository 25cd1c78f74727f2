"""Route of replacement (PROTOCOL.md section 4): the first rule that applies decides, reasons in protocol order.

The base patient (builders.BASE) is an adult inpatient with Mg 0.60 mmol/L (CTCAE grade 1), no symptom, normal
intake, no diarrhea and QTc 430 ms: route `oral`. Each test changes only what its rule needs.
"""

import pytest

from tests.builders import ids, run

CHILD = {"age_years": 8, "weight_kg": 20, "height_cm": 125}
TACROLIMUS = [{"drug": "tacrolimus", "trough": {"value": 8, "unit": "ng/mL"}}]


def route(out):
    return out["plan"]["route"], out["plan"]["reasons"]


def unexplained(out):
    return [w for w in out["warnings"] if w["id"] == "symptoms_not_explained_by_mg"]


def test_it_gives_oral_magnesium_for_mild_asymptomatic_hypomagnesemia():
    assert route(run()) == ("oral", ["mild_asymptomatic_enteral_ok"])


# Rule 1: above the ULN nothing is given, whatever the symptoms.


def test_it_withholds_magnesium_above_the_uln():
    out = run(mg=(1.06, "mmol/L"))
    assert route(out) == ("none", ["hypermagnesemia"])
    assert out["plan"]["dose"] is None


def test_it_treats_mg_at_the_uln_as_normal():
    # The ULN itself (1.05 mmol/L) is not "above the ULN".
    assert route(run(mg=(1.05, "mmol/L"))) == ("none", ["normal_magnesium"])


def test_it_withholds_magnesium_above_the_uln_even_with_torsades():
    out = run(mg=(1.10, "mmol/L"), symptoms=["torsades"])
    assert route(out) == ("none", ["hypermagnesemia"])
    # Torsades above the ULN is not explained by a low Mg: the team must look elsewhere.
    assert [w["because"][0].split(" ")[0] for w in unexplained(out)] == ["torsades"]


# Rule 2: urgent symptoms.


def test_it_gives_urgent_iv_for_torsades_at_the_uln():
    out = run(mg=(1.05, "mmol/L"), symptoms=["torsades"])
    assert out["severity"]["ctcae_grade"] == 0
    assert route(out) == ("iv_urgent", ["urgent_symptom"])
    assert unexplained(out) == []


def test_it_gives_urgent_iv_for_torsades_at_a_normal_magnesium():
    out = run(mg=(0.90, "mmol/L"), symptoms=["torsades"])
    assert route(out) == ("iv_urgent", ["urgent_symptom"])
    assert unexplained(out) == []


def test_it_gives_urgent_iv_for_a_ventricular_arrhythmia_below_the_raised_target():
    # Grade 0 (0.80 >= LLN 0.70) but below the raised target 0.82 that the arrhythmia itself sets.
    out = run(mg=(0.80, "mmol/L"), symptoms=["ventricular_arrhythmia"])
    assert out["derived"]["target_mmol_per_l"] == 0.82
    assert route(out) == ("iv_urgent", ["urgent_symptom"])


def test_it_gives_no_magnesium_for_a_ventricular_arrhythmia_at_the_target():
    out = run(mg=(0.82, "mmol/L"), symptoms=["ventricular_arrhythmia"])
    assert route(out) == ("none", ["normal_magnesium"])
    assert len(unexplained(out)) == 1


@pytest.mark.parametrize("symptom", ["seizure", "tetany"])
def test_it_gives_urgent_iv_for_seizure_or_tetany_with_grade_1(symptom):
    out = run(symptoms=[symptom])
    assert route(out) == ("iv_urgent", ["urgent_symptom"])
    assert unexplained(out) == []


@pytest.mark.parametrize("symptom", ["seizure", "tetany"])
def test_it_does_not_blame_a_normal_magnesium_for_seizure_or_tetany(symptom):
    # No CNI, so a seizure does not raise the target: grade 0 is simply normal.
    out = run(mg=(0.75, "mmol/L"), symptoms=[symptom])
    assert route(out) == ("none", ["normal_magnesium"])
    assert len(unexplained(out)) == 1
    assert symptom in unexplained(out)[0]["text"]


def test_it_raises_the_target_for_a_seizure_on_a_cni_at_grade_0_and_gives_iv():
    # Rule 2 needs grade >= 1, so the seizure is not "urgent" for Mg; rule 3a (seizure on a CNI, Mg < 0.82)
    # then rule 4 (any symptom) decide.
    out = run(mg=(0.75, "mmol/L"), symptoms=["seizure"], immunosuppressants=TACROLIMUS)
    assert route(out) == ("iv", ["raised_target", "symptomatic"])
    assert len(unexplained(out)) == 1


def test_it_warns_about_the_urgent_symptom_that_mg_does_not_explain_even_when_another_leads_to_rule_2():
    out = run(mg=(0.75, "mmol/L"), symptoms=["torsades", "tetany"])
    assert route(out) == ("iv_urgent", ["urgent_symptom"])
    # Tetany needs grade >= 1 (0.75 is grade 0); torsades holds at any Mg up to the ULN.
    (warning,) = unexplained(out)
    assert warning["text"] == "This Mg level does not explain the tetany: check ionized calcium (and pH)."


# Rule 3: grade 0.


def test_it_gives_oral_magnesium_below_the_raised_target_at_grade_0():
    out = run(mg=(0.75, "mmol/L"), ecg={"qtc_ms": 480})
    assert route(out) == ("oral", ["raised_target", "mild_asymptomatic_enteral_ok"])


def test_it_gives_iv_magnesium_below_the_raised_target_when_the_patient_vomits():
    out = run(mg=(0.75, "mmol/L"), ecg={"qtc_ms": 480}, gi={"vomiting": True})
    assert route(out) == ("iv", ["raised_target", "enteral_route_unavailable"])


def test_it_adds_qtc_critical_below_the_raised_target_at_grade_0():
    out = run(mg=(0.75, "mmol/L"), ecg={"qtc_ms": 500})
    assert route(out) == ("iv", ["raised_target", "qtc_critical"])


def test_it_needs_no_magnesium_at_the_raised_target():
    assert route(run(mg=(0.82, "mmol/L"), ecg={"qtc_ms": 480})) == ("none", ["normal_magnesium"])


def test_it_needs_no_magnesium_for_a_normal_level_without_a_raised_target():
    out = run(mg=(0.75, "mmol/L"))
    assert route(out) == ("none", ["normal_magnesium"])
    assert out["plan"]["dose"] is None


def test_it_ignores_non_urgent_symptoms_at_a_normal_level():
    # Rule 4 ("symptomatic") is only reached from grade >= 1 or a raised target.
    assert route(run(mg=(0.75, "mmol/L"), symptoms=["fatigue"])) == ("none", ["normal_magnesium"])


# Rule 4: every reason alone, then all together in order.


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"mg": (0.45, "mmol/L")}, "grade_2_or_worse"),
        ({"mg": (0.25, "mmol/L")}, "grade_2_or_worse"),
        ({"symptoms": ["muscle_cramps"]}, "symptomatic"),
        ({"symptoms": ["paresthesia"]}, "symptomatic"),
        ({"symptoms": ["weakness"]}, "symptomatic"),
        ({"symptoms": ["palpitations"]}, "symptomatic"),
        ({"symptoms": ["nystagmus"]}, "symptomatic"),
        ({"symptoms": ["confusion"]}, "symptomatic"),
        ({"nutrition": {"oral_intake": "nil"}}, "enteral_route_unavailable"),
        ({"gi": {"vomiting": True}}, "enteral_route_unavailable"),
        ({"gi": {"mucositis_grade": 3}}, "enteral_route_unavailable"),
        ({"gi": {"diarrhea_ml_per_day": 500}}, "diarrhea_or_gut_gvhd"),
        ({"gi": {"lower_gi_gvhd_stage": 1}}, "diarrhea_or_gut_gvhd"),
        ({"gi": {"high_output_stoma": True}}, "diarrhea_or_gut_gvhd"),
        ({"ecg": {"qtc_ms": 500}}, "qtc_critical"),
    ],
)
def test_it_gives_iv_magnesium_for_each_rule_4_reason_alone(changes, reason):
    assert route(run(**changes)) == ("iv", [reason])


@pytest.mark.parametrize("symptoms", [["fatigue"], ["tremor"], ["fatigue", "tremor"]])
def test_fatigue_or_tremor_alone_keeps_the_oral_route(symptoms):
    # m23, change 12: common after HSCT for other reasons; they do not escalate the route on their own.
    assert route(run(symptoms=symptoms)) == ("oral", ["mild_asymptomatic_enteral_ok"])


def test_tremor_beside_a_specific_symptom_names_only_the_specific_one():
    out = run(symptoms=["tremor", "weakness"])
    assert route(out) == ("iv", ["symptomatic"])
    assert out["plan"]["steps"][0]["because"] == ["symptomatic: weakness"]


def test_it_lists_every_rule_4_reason_in_protocol_order():
    out = run(
        mg=(0.45, "mmol/L"),
        symptoms=["paresthesia"],
        nutrition={"oral_intake": "nil"},
        gi={"vomiting": True, "mucositis_grade": 3, "diarrhea_ml_per_day": 1200, "lower_gi_gvhd_stage": 2},
        ecg={"qtc_ms": 510},
    )
    assert route(out) == (
        "iv",
        ["grade_2_or_worse", "symptomatic", "enteral_route_unavailable", "diarrhea_or_gut_gvhd", "qtc_critical"],
    )
    give = out["plan"]["steps"][0]
    assert give["id"] == "give_iv_magnesium"
    # One sentence per reason, naming every input that triggered it.
    assert give["because"][2] == "enteral route unavailable: oral intake nil, vomiting, mucositis grade 3"
    assert give["because"][3] == "oral Mg worsens diarrhea: diarrhea 1200 mL/day >= 500 mL/day, lower-GI GVHD stage 2"


@pytest.mark.parametrize(("oral_intake", "mucositis"), [("reduced", 2), ("normal", 2), ("reduced", 0)])
def test_it_keeps_the_oral_route_for_reduced_intake_or_moderate_mucositis(oral_intake, mucositis):
    out = run(nutrition={"oral_intake": oral_intake}, gi={"mucositis_grade": mucositis})
    assert route(out) == ("oral", ["mild_asymptomatic_enteral_ok"])


def test_it_keeps_the_oral_route_for_adult_diarrhea_just_below_500_ml_a_day():
    assert route(run(gi={"diarrhea_ml_per_day": 499})) == ("oral", ["mild_asymptomatic_enteral_ok"])


def test_it_avoids_the_oral_route_for_adult_diarrhea_of_500_ml_a_day():
    assert route(run(gi={"diarrhea_ml_per_day": 500})) == ("iv", ["diarrhea_or_gut_gvhd"])


def test_it_keeps_the_oral_route_for_a_child_just_below_10_ml_per_kg_a_day():
    # 199 mL/day for 20 kg = 9.95 mL/kg/day.
    assert route(run(patient=CHILD, gi={"diarrhea_ml_per_day": 199})) == ("oral", ["mild_asymptomatic_enteral_ok"])


def test_it_avoids_the_oral_route_for_a_child_at_10_ml_per_kg_a_day():
    out = run(patient=CHILD, gi={"diarrhea_ml_per_day": 200})
    assert route(out) == ("iv", ["diarrhea_or_gut_gvhd"])
    assert out["plan"]["steps"][0]["because"] == ["oral Mg worsens diarrhea: diarrhea 10 mL/kg/day >= 10 mL/kg/day"]


def test_it_judges_a_childs_diarrhea_per_kg_not_against_the_adult_threshold():
    # 300 mL/day is below the adult 500 mL/day but 15 mL/kg/day for a 20 kg child.
    assert route(run(patient=CHILD, gi={"diarrhea_ml_per_day": 300})) == ("iv", ["diarrhea_or_gut_gvhd"])


def test_it_keeps_the_oral_route_without_gut_gvhd():
    assert route(run(gi={"lower_gi_gvhd_stage": 0, "high_output_stoma": False})) == (
        "oral",
        ["mild_asymptomatic_enteral_ok"],
    )


def test_it_keeps_the_oral_route_for_a_qtc_just_below_500():
    # QTc 499 raises the target, but only >= 500 makes an oral course too slow.
    assert route(run(ecg={"qtc_ms": 499})) == ("oral", ["mild_asymptomatic_enteral_ok"])


def test_it_does_not_call_a_qtc_of_500_critical_for_the_route_when_mg_is_at_the_target():
    assert route(run(mg=(0.85, "mmol/L"), ecg={"qtc_ms": 510})) == ("none", ["normal_magnesium"])


def test_it_needs_no_qtc_to_choose_a_route():
    assert route(run(drop=("ecg",))) == ("oral", ["mild_asymptomatic_enteral_ok"])


def test_it_cites_the_sources_of_each_reason_on_the_give_step():
    out = run(gi={"vomiting": True, "diarrhea_ml_per_day": 600})
    give = out["plan"]["steps"][0]
    assert ids(out["plan"]["steps"])[0] == "give_iv_magnesium"
    # enteral_route_unavailable [S40], diarrhea_or_gut_gvhd [S29, S31], beside the dose's own sources.
    assert {"S40", "S29", "S31"} <= set(give["references"])


# Urgent symptoms that Mg does not explain (section 4, m5): one warning naming each, with advice per symptom.


@pytest.mark.parametrize(
    ("changes", "text", "references"),
    [
        (
            {"mg": (2.6, "mg/dL"), "symptoms": ["torsades"]},  # above the ULN (no unit check at 2.6 mg/dL)
            "This Mg level does not explain the torsades: check K, calcium, QT-prolonging drugs and bradycardia"
            " (including heart block).",
            ["S100"],
        ),
        (
            {"mg": (0.85, "mmol/L"), "symptoms": ["ventricular_arrhythmia"]},  # at or above the raised target
            "This Mg level does not explain the ventricular arrhythmia: check K, calcium, QT-prolonging drugs and"
            " bradycardia (including heart block).",
            ["S100"],
        ),
        (
            {"mg": (0.75, "mmol/L"), "symptoms": ["seizure"]},  # grade 0
            "This Mg level does not explain the seizure: check calcium (ionized).",
            ["S49"],
        ),
        (
            {"mg": (0.75, "mmol/L"), "symptoms": ["tetany"]},
            "This Mg level does not explain the tetany: check ionized calcium (and pH).",
            ["S48"],
        ),
        (
            {"mg": (0.75, "mmol/L"), "symptoms": ["seizure"], "immunosuppressants": TACROLIMUS},
            "This Mg level does not explain the seizure: check calcium (ionized) and consider CNI neurotoxicity"
            " (PRES).",
            ["S49", "S3", "S67"],
        ),
        (
            {"mg": (0.75, "mmol/L"), "symptoms": ["seizure"], "immunosuppressants": [{"drug": "sirolimus"}]},
            "This Mg level does not explain the seizure: check calcium (ionized).",  # CNI neurotoxicity only on a CNI
            ["S49"],
        ),
    ],
)
def test_it_says_when_an_urgent_symptom_is_not_explained_by_the_magnesium(changes, text, references):
    (warning,) = unexplained(run(**changes))
    assert warning["text"] == text
    assert warning["references"] == references
    assert warning["drug"] is None


def test_the_unexplained_warning_names_what_it_saw():
    (warning,) = unexplained(run(mg=(0.75, "mmol/L"), symptoms=["seizure"], immunosuppressants=TACROLIMUS))
    assert warning["because"] == ["seizure with Mg 0.75 mmol/L, CTCAE grade 0, on tacrolimus"]


@pytest.mark.parametrize(
    "changes",
    [
        {"symptoms": ["torsades"], "mg": (1.05, "mmol/L")},
        {"symptoms": ["ventricular_arrhythmia"], "mg": (0.81, "mmol/L")},
        {"symptoms": ["seizure", "tetany"]},
        {"symptoms": ["fatigue", "confusion", "palpitations"], "mg": (0.85, "mmol/L")},
    ],
)
def test_it_does_not_warn_when_the_magnesium_explains_the_urgent_symptom_or_none_is_urgent(changes):
    assert unexplained(run(**changes)) == []


def test_it_warns_once_naming_every_unexplained_urgent_symptom_with_its_own_advice():
    out = run(mg=(2.6, "mg/dL"), symptoms=["seizure", "torsades", "tetany", "ventricular_arrhythmia"])
    (warning,) = unexplained(out)
    assert warning["text"] == (
        "This Mg level does not explain the seizure, the torsades, the tetany and the ventricular arrhythmia: for the"
        " seizure check calcium (ionized); for the torsades and the ventricular arrhythmia check K, calcium,"
        " QT-prolonging drugs and bradycardia (including heart block); for the tetany check ionized calcium (and pH)."
    )
    # References: the union of those cited for the symptoms named.
    assert warning["references"] == ["S49", "S100", "S48"]


@pytest.mark.parametrize(("mg", "lead"), [(1.2, "If the unit is right, this"), (2.0, "This")])
def test_with_a_p1_unit_check_the_unexplained_warning_begins_if_the_unit_is_right(mg, lead):
    # Y1, change 50: 1.2 mmol/L is low in mg/dL (P1), where the seizure may be Mg's; 2.0 is P1b (normal in mg/dL).
    (warning,) = unexplained(run(mg=(mg, "mmol/L"), symptoms=["seizure"]))
    assert warning["text"] == f"{lead} Mg level does not explain the seizure: check calcium (ionized)."
