"""Plan steps (PROTOCOL.md section 11): which appear, when, and in what order.

Electrolyte steps are in test_electrolytes.py, `renal_dose_reduction` in test_cautions.py and
`review_qt_prolonging_drugs` in test_ecg.py, beside the warnings they come with.
"""

import pytest

from tests.builders import ids, run

TACROLIMUS = {"drug": "tacrolimus", "trough": {"value": 10, "unit": "ng/mL"}}
NEPHROTOXIC = ["amphotericin_b_conventional", "amphotericin_b_liposomal", "aminoglycoside", "foscarnet"]
NEPHROTOXIC += ["pentamidine", "cidofovir"]


def steps(**changes):
    return ids(run(**changes)["plan"]["steps"])


def step(out, step_id):
    return next(s for s in out["plan"]["steps"] if s["id"] == step_id)


# Leading steps.


def test_it_gives_oral_magnesium_with_a_search_for_the_cause():
    assert steps() == ["give_oral_magnesium", "search_for_cause"]


def test_it_gives_iv_magnesium():
    assert steps(gi={"vomiting": True})[0] == "give_iv_magnesium"


def test_it_gives_urgent_iv_magnesium_after_the_emergency_protocol():
    assert steps(symptoms=["tetany"])[:2] == ["follow_local_emergency_protocol", "give_iv_magnesium_urgent"]


def test_it_words_the_urgent_step_as_a_reference_regimen():
    out = run(symptoms=["seizure"])
    urgent = step(out, "give_iv_magnesium_urgent")
    assert urgent["text"].startswith("Reference regimen (the local emergency protocol takes precedence)")
    assert "S81" in urgent["references"]


def test_it_puts_senior_review_for_heart_block_first_before_an_infusion():
    assert steps(gi={"vomiting": True}, conditions=["heart_block"])[:2] == [
        "senior_review_heart_block",
        "give_iv_magnesium",
    ]


def test_it_puts_senior_review_for_heart_block_first_before_an_urgent_bolus():
    assert steps(symptoms=["torsades"], conditions=["heart_block"])[:3] == [
        "senior_review_heart_block",
        "follow_local_emergency_protocol",
        "give_iv_magnesium_urgent",
    ]


@pytest.mark.parametrize("mg", [0.60, 0.85])
def test_it_needs_no_senior_review_for_heart_block_without_iv_magnesium(mg):
    assert "senior_review_heart_block" not in steps(mg=(mg, "mmol/L"), conditions=["heart_block"])


@pytest.mark.parametrize("symptom", ["seizure", "tetany", "torsades", "ventricular_arrhythmia"])
def test_it_follows_the_local_emergency_protocol_for_every_urgent_symptom(symptom):
    assert "follow_local_emergency_protocol" in steps(symptoms=[symptom])


def test_it_follows_the_emergency_protocol_even_when_magnesium_is_not_given():
    # Tetany at a normal Mg: no replacement, but the patient is still an emergency, so no "no replacement" step.
    assert steps(mg=(0.75, "mmol/L"), symptoms=["tetany"]) == ["follow_local_emergency_protocol"]


def test_it_follows_the_emergency_protocol_above_the_uln():
    assert steps(mg=(1.10, "mmol/L"), symptoms=["torsades"]) == ["follow_local_emergency_protocol"]


def test_it_needs_no_emergency_protocol_for_non_urgent_symptoms():
    assert "follow_local_emergency_protocol" not in steps(symptoms=["palpitations", "confusion", "tremor"])


def test_it_says_no_replacement_is_needed_at_a_normal_level():
    out = run(mg=(0.85, "mmol/L"))
    assert ids(out["plan"]["steps"]) == ["no_replacement_needed"]
    assert step(out, "no_replacement_needed")["because"] == ["Mg 0.85 mmol/L is at or above the LLN"]


def test_it_says_no_replacement_is_needed_above_the_uln():
    assert steps(mg=(1.20, "mmol/L")) == ["no_replacement_needed"]


def test_it_says_no_replacement_is_needed_with_a_non_urgent_symptom():
    assert steps(mg=(0.85, "mmol/L"), symptoms=["fatigue"]) == ["no_replacement_needed"]


def test_it_sets_the_raised_target_step_when_the_route_says_so():
    out = run(mg=(0.75, "mmol/L"), ecg={"qtc_ms": 480})
    assert ids(out["plan"]["steps"])[:2] == ["give_oral_magnesium", "raised_target"]
    raised = step(out, "raised_target")
    assert raised["text"] == "Aim for Mg at or above 0.82 mmol/L (2.0 mg/dL)."
    assert raised["because"] == ["Mg 0.75 mmol/L is below the raised target 0.82 mmol/L: QTc 480 ms >= 470 ms"]


def test_it_has_no_raised_target_step_at_grade_1():
    # The raised target still applies (target 0.82), but only rule 3a adds the reason and the step.
    out = run(ecg={"qtc_ms": 480})
    assert out["derived"]["target_mmol_per_l"] == 0.82
    assert "raised_target" not in ids(out["plan"]["steps"])


# Review steps.


def test_it_avoids_oral_magnesium_with_diarrhea():
    out = run(gi={"diarrhea_ml_per_day": 800, "vomiting": True})
    avoid = step(out, "avoid_oral_magnesium")
    assert avoid["because"] == ["oral Mg worsens diarrhea: diarrhea 800 mL/day >= 500 mL/day"]


@pytest.mark.parametrize(
    "changes",
    [
        {"gi": {"vomiting": True}},
        {"gi": {"diarrhea_ml_per_day": 499}},
        # Rule 2 decides before rule 4, so the reason (and the step) is not there.
        {"gi": {"diarrhea_ml_per_day": 800}, "symptoms": ["tetany"]},
    ],
)
def test_it_does_not_avoid_oral_magnesium_without_the_diarrhea_reason(changes):
    assert "avoid_oral_magnesium" not in steps(**changes)


@pytest.mark.parametrize(("days", "present"), [(89, False), (90, True), (365, True), (None, True)])
def test_it_reviews_a_ppi_taken_90_days_or_more_or_for_an_unknown_time(days, present):
    medication = {"id": "proton_pump_inhibitor"} if days is None else {"id": "proton_pump_inhibitor", "days": days}
    assert ("review_ppi" in steps(medications=[medication])) is present


def test_it_says_why_the_ppi_is_reviewed():
    out = run(medications=[{"id": "proton_pump_inhibitor"}])
    assert step(out, "review_ppi")["because"] == ["proton pump inhibitor, duration not given"]


@pytest.mark.parametrize(
    ("item", "why"),
    [
        ({"drug": "tacrolimus"}, "tacrolimus trough not given"),
        ({"drug": "tacrolimus", "trough": {"value": 16, "unit": "ng/mL"}}, "tacrolimus trough 16 ng/mL > 15 ng/mL"),
        ({"drug": "cyclosporine"}, "cyclosporine trough not given"),
        (
            {"drug": "cyclosporine", "trough": {"value": 301, "unit": "ng/mL"}},
            "cyclosporine trough 301 ng/mL > 300 ng/mL",
        ),
    ],
)
def test_it_reviews_a_cni_level_above_range_or_not_given(item, why):
    out = run(immunosuppressants=[item])
    assert step(out, "review_cni_level")["because"] == [why]


@pytest.mark.parametrize(
    "item",
    [
        {"drug": "tacrolimus", "trough": {"value": 15, "unit": "ng/mL"}},
        {"drug": "cyclosporine", "trough": {"value": 300, "unit": "ng/mL"}},
        {"drug": "sirolimus"},
        {"drug": "everolimus", "trough": {"value": 20, "unit": "ng/mL"}},
    ],
)
def test_it_does_not_review_a_cni_level_in_range_nor_an_mtor_level(item):
    assert "review_cni_level" not in steps(immunosuppressants=[item])


def test_it_reviews_each_cni_level_on_its_own():
    out = run(immunosuppressants=[{"drug": "tacrolimus"}, {"drug": "cyclosporine"}])
    assert [s["text"] for s in out["plan"]["steps"] if s["id"] == "review_cni_level"] == [
        "Review the tacrolimus level and dose with the transplant team.",
        "Review the cyclosporine level and dose with the transplant team.",
    ]


@pytest.mark.parametrize(
    "diuretics", [["loop_diuretic"], ["thiazide_diuretic"], ["loop_diuretic", "thiazide_diuretic"]]
)
def test_it_reviews_a_diuretic(diuretics):
    out = run(medications=[{"id": d} for d in diuretics])
    assert step(out, "review_diuretic")["because"] == [", ".join(diuretics)]


@pytest.mark.parametrize("medication", NEPHROTOXIC)
def test_it_reviews_each_nephrotoxic_antimicrobial(medication):
    out = run(medications=[{"id": medication}])
    assert step(out, "review_nephrotoxic_antimicrobial")["because"] == [medication]


def test_it_reviews_nothing_without_a_diuretic_or_nephrotoxic_antimicrobial():
    listed = steps(medications=[{"id": "proton_pump_inhibitor", "days": 10}, {"id": "ifosfamide"}])
    assert {"review_diuretic", "review_nephrotoxic_antimicrobial", "review_ppi"} & set(listed) == set()


@pytest.mark.parametrize("content", [None, 0.05, 0.2])
def test_it_reviews_the_magnesium_in_any_parenteral_nutrition(content):
    nutrition = {"parenteral_nutrition": True}
    if content is not None:
        nutrition["pn_mg_mmol_per_kg_day"] = content
    assert "review_parenteral_nutrition_mg" in steps(nutrition=nutrition)


def test_it_does_not_review_parenteral_nutrition_that_is_not_given():
    assert "review_parenteral_nutrition_mg" not in steps(nutrition={"parenteral_nutrition": False})


@pytest.mark.parametrize(
    ("symptom", "drug", "why"),
    [
        ("seizure", "tacrolimus", "seizure on tacrolimus"),
        ("confusion", "cyclosporine", "confusion on cyclosporine"),
    ],
)
def test_it_considers_cni_neurotoxicity_for_seizure_or_confusion_on_a_cni(symptom, drug, why):
    out = run(symptoms=[symptom], immunosuppressants=[{"drug": drug, "trough": {"value": 10, "unit": "ng/mL"}}])
    assert step(out, "consider_cni_neurotoxicity")["because"] == [why]


@pytest.mark.parametrize(
    ("symptoms", "immunosuppressants"),
    [
        (["confusion"], []),
        (["confusion"], [{"drug": "sirolimus"}]),
        (["tremor", "paresthesia"], [TACROLIMUS]),
    ],
)
def test_it_does_not_consider_cni_neurotoxicity_otherwise(symptoms, immunosuppressants):
    assert "consider_cni_neurotoxicity" not in steps(symptoms=symptoms, immunosuppressants=immunosuppressants)


# Closing steps.


def test_it_separates_oral_interactions():
    out = run(medications=[{"id": "levothyroxine"}, {"id": "iron_oral"}])
    separate = step(out, "separate_oral_interactions")
    assert separate["text"] == "Space oral magnesium from levothyroxine, iron_oral as each warning says."
    assert separate["because"] == ["levothyroxine with oral Mg", "iron_oral with oral Mg"]
    assert separate["references"] == ["S80", "S79"]


def test_it_does_not_separate_oral_interactions_without_oral_magnesium():
    assert "separate_oral_interactions" not in steps(gi={"vomiting": True}, medications=[{"id": "levothyroxine"}])


def test_it_searches_for_a_cause_when_none_is_found():
    out = run(gi={"vomiting": False}, mg=(0.45, "mmol/L"))
    assert step(out, "search_for_cause")["because"] == ["no cause triggered by the inputs", "route iv"]


def test_it_does_not_search_for_a_cause_when_one_is_found():
    assert "search_for_cause" not in steps(medications=[{"id": "loop_diuretic"}])


def test_it_does_not_search_for_a_cause_when_no_magnesium_is_given():
    assert "search_for_cause" not in steps(mg=(0.85, "mmol/L"))


# Order.


def test_it_orders_steps_as_a_ward_team_would_act_on_them():
    out = run(
        mg=(0.45, "mmol/L"),
        symptoms=["seizure"],
        conditions=["heart_block", "aki"],
        labs={"potassium": {"value": 3.2, "unit": "mmol/L"}, "calcium_ionized": {"value": 1.0, "unit": "mmol/L"}},
        immunosuppressants=[{"drug": "tacrolimus"}],
        medications=[
            {"id": "azole_antifungal"},
            {"id": "proton_pump_inhibitor"},
            {"id": "loop_diuretic"},
            {"id": "foscarnet"},
        ],
        nutrition={"parenteral_nutrition": True},
        ecg={"qtc_ms": 520},
        magnesium_therapy={"oral_current": True},
    )
    assert ids(out["plan"]["steps"]) == [
        "senior_review_heart_block",
        "follow_local_emergency_protocol",
        "give_iv_magnesium_urgent",
        "renal_dose_reduction",
        "replete_mg_before_k",
        "replete_mg_before_ca",
        "review_ppi",
        "review_cni_level",
        "review_diuretic",
        "review_nephrotoxic_antimicrobial",
        "review_parenteral_nutrition_mg",
        "consider_cni_neurotoxicity",
        "review_qt_prolonging_drugs",
        "separate_oral_interactions",
    ]


def test_it_explains_and_cites_every_step():
    out = run(
        mg=(0.75, "mmol/L"),
        ecg={"qtc_ms": 480},
        gi={"diarrhea_ml_per_day": 700},
        medications=[{"id": "mycophenolate"}, {"id": "azole_antifungal"}],
        magnesium_therapy={"oral_current": True},
    )
    assert len(out["plan"]["steps"]) >= 5
    for item in out["plan"]["steps"]:
        assert item["text"]
        assert item["because"]
        assert item["references"]
