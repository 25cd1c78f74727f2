"""Plan steps (PROTOCOL.md section 11): which appear, when, and in what order.

Electrolyte and calcium steps are in test_electrolytes.py, `renal_dose_reduction` in test_renal.py and
`review_qt_prolonging_drugs` in test_ecg.py, beside the warnings they come with.
"""

import pytest

from tests.builders import ids, run

TACROLIMUS = {"drug": "tacrolimus", "trough": {"value": 10, "unit": "ng/mL"}}
NEPHROTOXIC = ["amphotericin_b_conventional", "amphotericin_b_liposomal", "aminoglycoside", "foscarnet"]
NEPHROTOXIC += ["pentamidine", "cidofovir"]
IV_ADHERENCE = (
    "Already on oral Mg and still low: IV now; review adherence, diarrhea and the oral dose before stopping IV."
)


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


def test_it_puts_senior_review_for_heart_block_after_an_urgent_bolus():
    # Section 11 row 7 (M10, change 37): no caveat above the emergency and give steps.
    out = run(symptoms=["torsades"], conditions=["heart_block"])
    assert ids(out["plan"]["steps"])[:3] == [
        "follow_local_emergency_protocol",
        "give_iv_magnesium_urgent",
        "senior_review_heart_block",
    ]
    assert step(out, "senior_review_heart_block")["text"] == (
        "Heart block: the emergency team decides on the bolus; any infusion after it only after senior review (the"
        " label lists heart block as a contraindication)."
    )


def test_senior_review_before_an_infusion_names_the_contraindication():
    out = run(gi={"vomiting": True}, conditions=["heart_block"])
    assert step(out, "senior_review_heart_block")["text"] == (
        "Heart block (second or third degree): the label lists heart block as a contraindication to IV Mg: senior"
        " review before this infusion."
    )
    assert step(out, "senior_review_heart_block")["references"] == ["S35", "S30"]


def test_a_seizure_at_grade_0_sent_to_iv_keeps_senior_review_before_the_infusion():
    # Section 11: with route iv (rule 3a) row 5 stays before the give step, because that infusion is not a bolus.
    out = run(mg=(0.75, "mmol/L"), symptoms=["seizure"], conditions=["heart_block"], immunosuppressants=[TACROLIMUS])
    assert out["plan"]["route"] == "iv"
    assert ids(out["plan"]["steps"])[:3] == [
        "follow_local_emergency_protocol",
        "senior_review_heart_block",
        "give_iv_magnesium",
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
    # 2.6 mg/dL is above the ULN in every unit: no unit check.
    assert steps(mg=(2.6, "mg/dL"), symptoms=["torsades"]) == ["follow_local_emergency_protocol"]


@pytest.mark.parametrize(
    ("changes", "reference"),
    [
        ({"symptoms": ["tetany"]}, "MgSO4 2 g (8.12 mmol) IV in 100 mL over 15 min; continuous ECG; check K and Ca"),
        (
            {"symptoms": ["seizure"], "patient": {"age_years": 8, "weight_kg": 20, "height_cm": 125}},
            "MgSO4 0.99 g (4 mmol) IV in 9.85 mL over 15 min; continuous ECG; check K and Ca",  # the child's bolus
        ),
        (
            {"mg": (2.6, "mg/dL"), "symptoms": ["torsades"]},
            "whether IV Mg is given is the emergency team's decision: torsades responds to IV Mg whatever the serum"
            " level; correct K; stop QT-prolonging drugs",
        ),
        (
            {"mg": (0.75, "mmol/L"), "symptoms": ["tetany"]},
            "this Mg level does not call for an urgent Mg bolus; treat the tetany per the local protocol",
        ),
        (
            # Y1, change 50: 1.2 mmol/L is 0.49 mmol/L (grade 1) if the lab reported mg/dL, where the seizure would
            # call for the urgent bolus.
            {"mg": (1.2, "mmol/L"), "symptoms": ["seizure"]},
            "if the unit is right, this Mg level does not call for an urgent Mg bolus; if the lab reported mg/dL, Mg is"
            " 0.49 mmol/L (CTCAE grade 1) and the seizure would call for the urgent bolus (MgSO4 2 g (8.12 mmol) IV in"
            " 100 mL over 15 min): confirm the unit now",
        ),
        (
            # 1.5 mmol/L: low only as mg/dL (0.62, grade 1); tetany holds there, so mg/dL is named.
            {"mg": (1.5, "mmol/L"), "symptoms": ["tetany", "seizure"]},
            "if the unit is right, this Mg level does not call for an urgent Mg bolus; if the lab reported mg/dL, Mg is"
            " 0.62 mmol/L (CTCAE grade 1) and the seizure and tetany would call for the urgent bolus (MgSO4 2 g (8.12"
            " mmol) IV in 100 mL over 15 min): confirm the unit now",
        ),
    ],
)
def test_the_emergency_step_carries_a_one_line_reference_action(changes, reference):
    out = run(**changes)
    emergency = step(out, "follow_local_emergency_protocol")
    assert emergency["text"] == (
        f"Follow the local emergency protocol now; HypoMag shows reference information only. Reference: {reference}."
    )
    assert emergency["because"][0].startswith("urgent symptom: ")
    assert {"S81", "S89", "S33"} <= set(emergency["references"])


def test_a_p1_reference_action_cites_the_unit_conversion():
    out = run(mg=(1.2, "mmol/L"), symptoms=["seizure"])
    assert "S53" in step(out, "follow_local_emergency_protocol")["references"]


def test_a_p1_reference_action_skips_a_reading_above_the_uln():
    # 2.2 mEq/L with a lab LLN of 1.0 mmol/L: the mmol/L reading (2.2) is above the ULN, the mg/dL reading (0.91
    # mmol/L) is below the lab's LLN, so the seizure would call for the bolus there (the first such reading).
    out = run(labs={"magnesium": {"value": 2.2, "unit": "mEq/L"}, "magnesium_lln": {"value": 1.0, "unit": "mmol/L"}},
              symptoms=["seizure"])  # fmt: skip
    assert (
        "if the lab reported mg/dL, Mg is 0.91 mmol/L (CTCAE grade 1) and the seizure would call"
        in (step(out, "follow_local_emergency_protocol")["text"])
    )


def test_it_needs_no_emergency_protocol_for_non_urgent_symptoms():
    assert "follow_local_emergency_protocol" not in steps(symptoms=["palpitations", "confusion", "tremor"])


def test_it_says_no_replacement_is_needed_at_a_normal_level():
    out = run(mg=(0.85, "mmol/L"))
    assert ids(out["plan"]["steps"]) == ["no_replacement_needed"]
    assert step(out, "no_replacement_needed")["because"] == ["Mg 0.85 mmol/L is at or above the LLN"]


def test_it_says_no_replacement_is_needed_above_the_uln():
    assert steps(mg=(2.6, "mg/dL")) == ["no_replacement_needed"]
    assert steps(mg=(2.0, "mmol/L")) == ["no_replacement_needed"]  # P1b: no reading is low


@pytest.mark.parametrize(("symptoms", "ending"), [([], "No Mg until the unit is confirmed."), (["tetany"], None)])
def test_a_p1_unit_check_asks_to_confirm_the_unit_instead_of_no_replacement(symptoms, ending):
    # C1, change 2: 1.06 mmol/L may be a low mg/dL or mEq/L value.
    out = run(mg=(1.06, "mmol/L"), symptoms=symptoms)
    assert "no_replacement_needed" not in ids(out["plan"]["steps"])
    confirm = step(out, "confirm_magnesium_unit")
    ending = ending or "Confirm it in parallel with the emergency treatment."
    assert confirm["text"] == (
        "Confirm the Mg unit on the lab report and re-assess with it: 1.06 mmol/L is above the ULN, but in mg/dL it is"
        " 0.44 mmol/L (CTCAE grade 2: IV tier); in mEq/L it is 0.53 mmol/L (CTCAE grade 1: oral tier). " + ending
    )
    assert confirm["references"] == ["S53", "S17"]


def test_confirming_the_unit_names_only_the_low_readings():
    confirm = step(run(mg=(1.5, "mmol/L")), "confirm_magnesium_unit")
    assert "but in mg/dL it is 0.62 mmol/L (CTCAE grade 1: oral tier). No Mg" in confirm["text"]
    assert "mEq/L" not in confirm["text"]


def test_it_says_no_replacement_is_needed_with_a_non_urgent_symptom():
    assert steps(mg=(0.85, "mmol/L"), symptoms=["fatigue"]) == ["no_replacement_needed"]


def test_it_sets_the_raised_target_step_when_the_route_says_so():
    out = run(mg=(0.75, "mmol/L"), ecg={"qtc_ms": 480})
    assert ids(out["plan"]["steps"])[:2] == ["give_oral_magnesium", "raised_target"]
    raised = step(out, "raised_target")
    assert raised["text"] == "Aim for Mg at or above 0.82 mmol/L (2.0 mg/dL)."
    assert raised["because"] == ["QTc 480 ms >= 470 ms"]
    assert raised["references"] == ["S89", "S90", "S41"]


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


def test_it_reviews_every_cni_level_in_one_step():
    # Section 11 row 15: one step however many CNIs qualify; its because names each.
    out = run(
        immunosuppressants=[
            {"drug": "tacrolimus"},
            {"drug": "cyclosporine", "trough": {"value": 301, "unit": "ng/mL"}},
        ]
    )
    (review,) = [s for s in out["plan"]["steps"] if s["id"] == "review_cni_level"]
    assert review["text"] == "Review the tacrolimus and cyclosporine level and dose with the transplant team."
    assert review["because"] == ["tacrolimus trough not given", "cyclosporine trough 301 ng/mL > 300 ng/mL"]


def test_it_reviews_only_the_cni_that_qualifies():
    out = run(immunosuppressants=[TACROLIMUS, {"drug": "cyclosporine"}])
    assert step(out, "review_cni_level")["text"] == "Review the cyclosporine level and dose with the transplant team."


@pytest.mark.parametrize(
    ("items", "because"),
    [
        (
            [{"drug": "sirolimus", "trough": {"value": 12.5, "unit": "ng/mL"}}],
            ["sirolimus trough 12.5 ng/mL > 12 ng/mL"],
        ),
        (
            [
                {"drug": "everolimus", "trough": {"value": 13, "unit": "ng/mL"}},
                {"drug": "sirolimus", "trough": {"value": 14, "unit": "ng/mL"}},
            ],
            ["sirolimus trough 14 ng/mL > 12 ng/mL", "everolimus trough 13 ng/mL > 12 ng/mL"],
        ),
    ],
)
def test_it_reviews_an_mtor_level_above_12(items, because):
    # m12, change 38: the trough that adds +10 in section 10.
    review = step(run(immunosuppressants=items), "review_mtor_level")
    assert review["text"] == (
        "Review the mTOR inhibitor level and dose with the transplant team (trough above 12 ng/mL)."
    )
    assert review["because"] == because
    assert review["references"] == ["S16"]


@pytest.mark.parametrize(
    "items",
    [[{"drug": "sirolimus", "trough": {"value": 12, "unit": "ng/mL"}}], [{"drug": "everolimus"}], [TACROLIMUS]],
)
def test_it_does_not_review_an_mtor_level_at_or_below_12_or_not_given(items):
    assert "review_mtor_level" not in steps(immunosuppressants=items)


@pytest.mark.parametrize(
    "diuretics", [["loop_diuretic"], ["thiazide_diuretic"], ["loop_diuretic", "thiazide_diuretic"]]
)
def test_it_reviews_a_diuretic(diuretics):
    out = run(medications=[{"id": d} for d in diuretics])
    assert step(out, "review_diuretic")["because"] == [" and ".join(d.replace("_", " ") for d in diuretics)]


@pytest.mark.parametrize("medication", NEPHROTOXIC)
def test_it_reviews_each_nephrotoxic_antimicrobial(medication):
    out = run(medications=[{"id": medication}])
    plain = {
        "amphotericin_b_conventional": "amphotericin B (conventional)",
        "amphotericin_b_liposomal": "amphotericin B (liposomal)",
    }.get(medication, medication)
    assert step(out, "review_nephrotoxic_antimicrobial")["because"] == [plain]


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


@pytest.mark.parametrize(
    ("phosphate", "text"),
    [
        (
            None,
            "Refeeding risk: check phosphate, K and Mg before and during feeding and follow the local refeeding"
            " protocol.",
        ),
        (
            {"value": 0.5, "unit": "mmol/L"},
            "Refeeding risk: check phosphate, K and Mg before and during feeding and follow the local refeeding"
            " protocol (phosphate 0.5 mmol/L).",
        ),
        (
            {"value": 1.4, "unit": "mg/dL"},  # as entered
            "Refeeding risk: check phosphate, K and Mg before and during feeding and follow the local refeeding"
            " protocol (phosphate 1.4 mg/dL).",
        ),
    ],
)
def test_it_follows_the_refeeding_protocol_with_a_refeeding_risk(phosphate, text):
    # m10, change 39.
    labs = {"phosphate": phosphate} if phosphate else {}
    refeeding = step(run(conditions=["refeeding_risk"], labs=labs), "follow_refeeding_protocol")
    assert refeeding["text"] == text
    assert refeeding["references"] == ["S61"]


def test_it_does_not_follow_the_refeeding_protocol_without_the_risk():
    assert "follow_refeeding_protocol" not in steps(labs={"phosphate": {"value": 0.5, "unit": "mmol/L"}})


@pytest.mark.parametrize(
    ("changes", "text"),
    [
        (
            {},
            "Already on oral Mg and still low: check adherence, diarrhea (the usual dose limit) and spacing from"
            " interacting drugs; consider IV if it stays low.",
        ),
        (
            # r2-m7, change 60: no "consider IV" on an IV plan.
            {"gi": {"vomiting": True}},
            IV_ADHERENCE,
        ),
        (
            {"symptoms": ["tetany"]},
            IV_ADHERENCE,
        ),
    ],
)
def test_it_checks_oral_adherence_when_already_on_oral_mg_and_still_low(changes, text):
    # M9, change 22.
    out = run(magnesium_therapy={"oral_current": True}, **changes)
    adherence = step(out, "check_oral_adherence")
    assert adherence["text"] == text
    assert adherence["because"] == ["already taking oral Mg", "Mg 0.6 mmol/L below the target 0.7 mmol/L"]
    assert adherence["references"] == ["S29", "S31"]


@pytest.mark.parametrize(
    "changes",
    [
        {"mg": (0.85, "mmol/L")},  # at the target, route none
        {"mg": (0.75, "mmol/L"), "ecg": {"qtc_ms": 480}, "magnesium_therapy": {}},  # not on oral Mg
    ],
)
def test_it_does_not_check_oral_adherence_otherwise(changes):
    changes = {"magnesium_therapy": {"oral_current": True}, **changes}
    assert "check_oral_adherence" not in steps(**changes)


def test_it_checks_oral_adherence_below_a_raised_target_at_grade_0():
    # Mg 0.75 is grade 0 but below the raised target 0.82 (rule 3a): still low.
    out = run(mg=(0.75, "mmol/L"), ecg={"qtc_ms": 480}, magnesium_therapy={"oral_current": True})
    assert step(out, "check_oral_adherence")["because"][1] == "Mg 0.75 mmol/L below the target 0.82 mmol/L"


# Closing steps.


def test_it_separates_oral_interactions():
    out = run(medications=[{"id": "levothyroxine"}, {"id": "iron_oral"}])
    separate = step(out, "separate_oral_interactions")
    assert separate["text"] == (
        "Space oral magnesium from levothyroxine and oral iron as each interaction warning says."
    )
    assert separate["because"] == ["levothyroxine with oral Mg", "oral iron with oral Mg"]
    assert separate["references"] == ["S80", "S79"]


def test_it_does_not_separate_oral_interactions_without_oral_magnesium():
    assert "separate_oral_interactions" not in steps(gi={"vomiting": True}, medications=[{"id": "levothyroxine"}])


def test_it_searches_for_a_cause_when_none_is_found():
    out = run(gi={"vomiting": False}, mg=(0.45, "mmol/L"))
    assert step(out, "search_for_cause")["because"] == ["no cause triggered by the inputs", "Mg replacement planned"]
    assert step(out, "search_for_cause")["text"] == (
        "No cause found in the inputs: search for one (consider FEMg, a drug history and GI losses)."
    )


def test_it_does_not_search_for_a_cause_when_one_is_found():
    assert "search_for_cause" not in steps(medications=[{"id": "loop_diuretic"}])


def test_it_does_not_search_for_a_cause_when_no_magnesium_is_given():
    assert "search_for_cause" not in steps(mg=(0.85, "mmol/L"))


# Order.


def test_it_orders_steps_as_a_ward_team_would_act_on_them():
    out = run(
        mg=(0.45, "mmol/L"),
        symptoms=["seizure"],
        conditions=["heart_block", "aki", "refeeding_risk"],
        labs={"potassium": {"value": 3.2, "unit": "mmol/L"}, "calcium_ionized": {"value": 1.0, "unit": "mmol/L"}},
        immunosuppressants=[{"drug": "tacrolimus"}, {"drug": "sirolimus", "trough": {"value": 13, "unit": "ng/mL"}}],
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
    # Section 11 (M10, change 37): the emergency step, then the calcium and Mg give steps, then the caveats (heart
    # block after the bolus), then the table's order.
    assert ids(out["plan"]["steps"]) == [
        "follow_local_emergency_protocol",
        "give_iv_calcium_now",
        "give_iv_magnesium_urgent",
        "consider_holding_foscarnet",
        "senior_review_heart_block",
        "renal_dose_reduction",
        "replete_mg_before_k",
        "replete_mg_before_ca",
        "check_oral_adherence",
        "review_ppi",
        "review_cni_level",
        "review_mtor_level",
        "review_diuretic",
        "review_nephrotoxic_antimicrobial",
        "review_parenteral_nutrition_mg",
        "follow_refeeding_protocol",
        "consider_cni_neurotoxicity",
        "review_qt_prolonging_drugs",
        "separate_oral_interactions",
    ]


def test_it_keeps_the_table_order_on_a_non_urgent_route():
    out = run(
        gi={"vomiting": True, "diarrhea_ml_per_day": 800},
        conditions=["heart_block", "aki"],
        labs={"potassium": {"value": 3.2, "unit": "mmol/L"}},
        magnesium_therapy={"oral_current": True},
    )
    assert ids(out["plan"]["steps"]) == [
        "senior_review_heart_block",
        "give_iv_magnesium",
        "renal_dose_reduction",
        "replete_mg_before_k",
        "check_oral_adherence",
        "avoid_oral_magnesium",
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
