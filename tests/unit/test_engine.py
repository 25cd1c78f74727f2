"""`assess()` as a whole: the `missing` list, the order of warnings, the derived figures and the rule-set version
on every result. (FEMg and its interpretation, PROTOCOL.md section 9, are in test_femg.py.)
"""

from __future__ import annotations

from assessments.clinical import RULESET_VERSION, assess, parse_input
from assessments.clinical.engine import WARNING_ORDER
from assessments.clinical.inputs import AssessmentInput
from tests.builders import ids, payload, run


def parsed(**kwargs) -> AssessmentInput:
    result = parse_input(payload(**kwargs))
    assert result.input is not None, result.errors
    return result.input


# --- Missing --------------------------------------------------------------------------------------------------


def test_nothing_is_missing_when_nothing_was_wanted():
    assert run()["missing"] == []


def test_it_wants_creatinine_when_magnesium_is_to_be_given():
    assert run(drop=("labs.creatinine",))["missing"] == ["labs.creatinine"]


def test_it_does_not_want_creatinine_when_no_magnesium_is_given():
    out = run(mg=(0.85, "mmol/L"), drop=("labs.creatinine", "labs.potassium", "ecg"))
    assert out["plan"]["route"] == "none"
    assert out["missing"] == []


def test_it_wants_a_childs_height_for_the_schwartz_egfr():
    out = run(patient={"age_years": 8, "weight_kg": 25}, drop=("patient.height_cm",))
    assert out["missing"] == ["patient.height_cm"]


def test_it_wants_an_adults_sex_and_weight_for_the_renal_estimates():
    assert run(drop=("patient.sex", "patient.weight_kg"))["missing"] == ["patient.sex", "patient.weight_kg"]


def test_it_wants_the_trough_of_a_cni():
    out = run(immunosuppressants=[{"drug": "sirolimus"}, {"drug": "tacrolimus"}])
    # Only the CNI's trough is wanted; sirolimus (index 0) is not a CNI.
    assert out["missing"] == ["immunosuppressants.1.trough"]


def test_it_wants_a_cni_trough_even_when_no_magnesium_is_given():
    out = run(mg=(0.85, "mmol/L"), immunosuppressants=[{"drug": "cyclosporine"}])
    assert out["missing"] == ["immunosuppressants.0.trough"]


def test_it_wants_how_long_a_ppi_has_been_taken():
    out = run(medications=[{"id": "digoxin"}, {"id": "proton_pump_inhibitor"}])
    assert out["missing"] == ["medications.1.days"]


def test_it_does_not_want_days_when_given():
    assert run(medications=[{"id": "proton_pump_inhibitor", "days": 400}])["missing"] == []


def test_it_wants_the_magnesium_content_of_parenteral_nutrition():
    out = run(nutrition={"parenteral_nutrition": True})
    assert out["missing"] == ["nutrition.pn_mg_mmol_per_kg_day"]


def test_it_does_not_want_pn_magnesium_without_pn():
    assert run(nutrition={"parenteral_nutrition": False, "pn_mg_mmol_per_kg_day": None})["missing"] == []


def test_it_wants_potassium_when_magnesium_is_to_be_given():
    assert run(drop=("labs.potassium",))["missing"] == ["labs.potassium"]


def test_it_wants_ionized_calcium_when_no_calcium_is_given():
    assert run(drop=("labs.calcium_ionized",))["missing"] == ["labs.calcium_ionized"]


def test_it_wants_albumin_to_correct_a_total_calcium():
    labs = {"calcium_total": {"value": 2.3, "unit": "mmol/L"}}
    assert run(labs=labs, drop=("labs.calcium_ionized",))["missing"] == ["labs.albumin"]


def test_it_does_not_want_albumin_with_a_total_calcium_and_albumin():
    labs = {"calcium_total": {"value": 2.3, "unit": "mmol/L"}, "albumin": {"value": 35, "unit": "g/L"}}
    assert run(labs=labs, drop=("labs.calcium_ionized",))["missing"] == []


def test_it_does_not_want_albumin_when_ionized_calcium_is_given():
    assert run(labs={"calcium_total": {"value": 2.3, "unit": "mmol/L"}})["missing"] == []


def test_it_wants_the_qtc_when_magnesium_is_to_be_given():
    assert run(drop=("ecg",))["missing"] == ["ecg.qtc_ms"]


def test_it_lists_everything_missing_in_a_stable_order():
    out = run(
        immunosuppressants=[{"drug": "tacrolimus"}],
        medications=[{"id": "proton_pump_inhibitor"}],
        nutrition={"parenteral_nutrition": True},
        drop=("labs.creatinine", "labs.potassium", "labs.calcium_ionized", "ecg"),
    )
    assert out["missing"] == [
        "labs.creatinine",
        "labs.potassium",
        "labs.calcium_ionized",
        "ecg.qtc_ms",
        "immunosuppressants.0.trough",
        "medications.0.days",
        "nutrition.pn_mg_mmol_per_kg_day",
    ]


# --- Warnings order -------------------------------------------------------------------------------------------


def test_the_unit_check_comes_first():
    out = run(mg=(1.2, "mmol/L"), magnesium_therapy={"iv_magnesium_last_24h": True})
    assert ids(out["warnings"])[:3] == ["unit_check", "recent_iv_magnesium", "hypermagnesemia"]


def test_warnings_follow_the_declared_order():
    out = run(
        mg=(0.8, "mg/dL"),
        labs={"potassium": {"value": 3.1, "unit": "mmol/L"}, "calcium_ionized": {"value": 1.0, "unit": "mmol/L"}},
        ecg={"qtc_ms": 480},
        medications=[{"id": "ondansetron"}, {"id": "digoxin"}],
        drop=("labs.creatinine",),
    )
    found = ids(out["warnings"])
    # 0.8 mg/dL is a real low mg/dL result (P3): its unit check is the last warning (section 2.1).
    assert found[-1] == "unit_check"
    rest = found[:-1]
    assert rest == sorted(rest, key=WARNING_ORDER.__getitem__)
    # Several kinds really were present, so the order was tested and not trivially true.
    assert {"qtc_prolonged", "qt_prolonging_drugs", "renal_function_unknown", "replete_mg_before_k"} <= set(found)
    assert {"replete_mg_before_ca", "iv_mg_caution", "digoxin_toxicity_risk"} <= set(found)


def test_every_warning_explains_itself_and_cites_its_sources():
    out = run(
        mg=(1.10, "mmol/L"),
        symptoms=["seizure"],
        magnesium_therapy={"iv_magnesium_last_24h": True},
    )
    # 1.10 mmol/L is low when read as mg/dL: the unit check (P1) first, then the others in the declared order.
    assert ids(out["warnings"]) == [
        "unit_check",
        "recent_iv_magnesium",
        "hypermagnesemia",
        "symptoms_not_explained_by_mg",
    ]
    for warning in out["warnings"]:
        assert warning["because"]
        assert warning["references"]
        assert warning["drug"] is None


def test_every_warning_id_has_a_place_in_the_order():
    # A warning id missing from WARNING_ORDER would crash `assess` at the sort.
    out = run(mg=(0.8, "mg/dL"), symptoms=["tetany"], conditions=["heart_block"], medications=[{"id": "digoxin"}])
    assert set(ids(out["warnings"])) <= set(WARNING_ORDER)


# --- The whole result -----------------------------------------------------------------------------------------


def test_every_result_carries_the_rule_set_version():
    assert run()["ruleset"] == "2026.2"
    assert assess(parsed()).ruleset == RULESET_VERSION == "2026.2"


def test_the_derived_figures_of_an_adult_come_from_crcl_and_egfr():
    derived = run(
        patient={"age_years": 40, "sex": "male", "weight_kg": 75},
        labs={"creatinine": {"value": 80, "unit": "umol/L"}},
    )["derived"]
    assert (derived["crcl_ml_min"], derived["egfr_ml_min_1_73m2"]) == (115.13, 110.03)
    # The lower of the two is used for dosing.
    assert derived["renal_function_ml_min"] == 110.03
    assert derived["schwartz_egfr_ml_min_1_73m2"] is None
    assert ids(derived["calculations"]) == ["crcl", "egfr"]


def test_the_derived_figures_of_a_child_come_from_schwartz():
    derived = run(
        patient={"age_years": 8, "weight_kg": 25, "height_cm": 120},
        labs={"creatinine": {"value": 0.5, "unit": "mg/dL"}},
    )["derived"]
    assert (derived["crcl_ml_min"], derived["egfr_ml_min_1_73m2"]) == (None, None)
    assert derived["schwartz_egfr_ml_min_1_73m2"] == 99.12
    assert derived["renal_function_ml_min"] == 99.12


def test_corrected_calcium_is_derived_with_total_calcium_and_albumin():
    derived = run(
        labs={"calcium_total": {"value": 2.05, "unit": "mmol/L"}, "albumin": {"value": 29, "unit": "g/L"}},
        drop=("labs.calcium_ionized",),
    )["derived"]
    assert derived["corrected_calcium_mmol_per_l"] == 2.27
    assert "corrected_calcium" in ids(derived["calculations"])


def test_corrected_calcium_is_null_without_albumin():
    derived = run(labs={"calcium_total": {"value": 2.05, "unit": "mmol/L"}}, drop=("labs.calcium_ionized",))["derived"]
    assert derived["corrected_calcium_mmol_per_l"] is None


def test_an_oral_interaction_leads_to_a_spacing_step():
    out = run(medications=[{"id": "levothyroxine"}])
    assert out["plan"]["route"] == "oral"
    assert "separate_oral_interactions" in ids(out["plan"]["steps"])


def test_reminders_follow_a_plan_given_instead_of_the_protocols():
    # A pharmacist's amendment (issue 13): the reminders are those of the plan that will be given. The protocol's
    # plan here is oral (grade 1); given as an IV infusion, the Mg recheck is the infusion's, not the oral one's.
    from assessments.clinical.engine import PlanOverride, context_for, reminders_for_plan

    data = parse_input(payload(mg=(0.6, "mmol/L"))).input
    protocol = context_for(data)
    assert protocol.route == "oral"
    iv = context_for(parse_input(payload(mg=(0.45, "mmol/L"))).input).dose
    reminders = reminders_for_plan(data, PlanOverride(route="iv", dose=iv, because=("pharmacist amendment",)))
    assert "recheck_mg_after_iv" in ids(reminders_as_json(reminders))
    assert "recheck_mg_oral" not in ids(reminders_as_json(reminders))
    # The same route as the protocol's keeps the protocol's decision and reasons.
    same = context_for(data, PlanOverride(route="oral", dose=protocol.dose, because=("pharmacist amendment",)))
    assert same.decision.reasons == protocol.decision.reasons


def reminders_as_json(reminders):
    from assessments.clinical.serialize import reminder_to_json

    return [reminder_to_json(r) for r in reminders]
