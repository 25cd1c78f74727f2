"""The teaching case library: every case is valid contract input and passes its own `expect` through the engine,
so a rule change that breaks a lesson fails the build; and together the cases cover what the issue asks for."""

from __future__ import annotations

import json

import jsonschema
import pytest

from assessments.clinical import reminders
from assessments.clinical.causes import CAUSES
from assessments.clinical.route import IV, IV_URGENT, NONE, ORAL
from assessments.services import assessment_run
from assessments.teaching.cases import (
    CASES_DIR,
    case_from_json,
    teaching_case_filter,
    teaching_case_get,
    teaching_case_list,
)
from assessments.teaching.marking import MONITORING_CHOICES, NO_REMINDER
from tests.web.teaching.expectations import SCHEMA_PATH, case_failures

CASES = teaching_case_list()
SCHEMA = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def _outputs() -> dict[str, dict]:
    return {case.name: assessment_run(data=case.input).output for case in CASES}


OUTPUTS = _outputs()


def test_the_library_has_at_least_24_cases():
    # An empty folder would parametrize nothing and pass silently.
    assert len(CASES) >= 24
    assert len(CASES) == len(list(CASES_DIR.glob("*.json")))


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.code)
def test_the_case_input_is_valid_against_the_contract_schema(case):
    validator = jsonschema.validators.validator_for(SCHEMA)(SCHEMA)
    assert [e.message for e in validator.iter_errors(case.input)] == []


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.code)
def test_the_case_passes_its_own_expectations(case):
    failures = case_failures(input=case.input, expect=case.expect)
    assert failures == [], "\n".join(failures)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.code)
def test_the_case_asserts_what_a_trainee_is_asked(case):
    # Grade and route are asked on every case page: each case pins them, so the marking cannot drift unnoticed.
    assert {"ctcae_grade", "route", "traceable"} <= set(case.expect)
    assert case.vignette and case.teaching_point and case.title


def test_a_broken_expectation_is_reported():
    # The checker must be able to fail: a wrong grade on a real case is caught.
    case = teaching_case_get(name="T01_adult_tacrolimus_grade1_oral")
    failures = case_failures(input=case.input, expect={"ctcae_grade": 3, "route": "iv"})
    assert len(failures) == 2
    assert "ctcae_grade" in failures[0]


def test_an_unknown_expectation_key_is_reported():
    case = teaching_case_get(name="T01_adult_tacrolimus_grade1_oral")
    assert case_failures(input=case.input, expect={"ctcae_grad": 1}) != []


def test_every_cause_id_of_the_protocol_is_taught():
    # PROTOCOL.md section 10: the engine's CAUSES is that table; each id must lead or appear in some case.
    taught = {cause["id"] for output in OUTPUTS.values() for cause in output["causes"]}
    assert set(CAUSES) - taught == set()


def test_every_route_and_every_grade_is_taught():
    assert {o["plan"]["route"] for o in OUTPUTS.values()} == {NONE, ORAL, IV, IV_URGENT}
    assert {o["severity"]["ctcae_grade"] for o in OUTPUTS.values()} == {0, 1, 2, 3, 4}


def test_adults_children_renal_qtc_and_interactions_are_taught():
    assert {c.population for c in CASES} == {"adult", "pediatric"}
    warnings = {w["id"] for o in OUTPUTS.values() for w in o["warnings"]}
    assert {"renal_dose_reduction", "severe_renal_impairment"} <= warnings
    assert {"qtc_prolonged", "qtc_critical", "qt_prolonging_drugs"} <= warnings
    assert {"oral_mg_interaction", "iv_mg_caution"} <= warnings
    assert {t for c in CASES for t in c.topics} >= {"renal", "qtc", "interactions"}


def test_every_reminder_a_case_produces_can_be_chosen_as_the_first_monitoring_step():
    produced = {r["id"] for o in OUTPUTS.values() for r in o["reminders"]}
    assert produced - set(MONITORING_CHOICES) == set()


# PROTOCOL.md section 13 (rule set 2026.2), every row of the reminders table.
PROTOCOL_REMINDERS = {
    "recheck_mg_after_iv",
    "recheck_mg_oral",
    "daily_electrolytes",
    "outpatient_cni_monitoring",
    "recheck_k",
    "ecg_now",
    "check_k_and_ca_now",
    "repeat_ecg",
    "continuous_ecg",
    "check_creatinine",
    "check_cni_trough",
    "recheck_before_next_dose",
    "hypermagnesemia_watch",
    "redraw_mg_after_iv",
    "femg_when_cause_unclear",
}


def test_every_reminder_of_the_protocol_can_be_chosen_even_if_no_case_produces_it_yet():
    assert set(MONITORING_CHOICES) - {NO_REMINDER} == PROTOCOL_REMINDERS
    # The core's rules are named after their reminder (one rule writes continuous_ecg or repeat_ecg): a reminder
    # added to the core without a choice here fails this test.
    rule_ids = {rule.__name__ for rule in reminders.RULES} - {"ecg_monitoring"}
    assert rule_ids - PROTOCOL_REMINDERS == set()


def test_what_rule_set_2026_2_changed_is_taught():
    # "Changes from 2026.1": the unit check and its step (C1), halved texts from the same values (C2), per-kg IV
    # doses with their caps for 12-17 y (M2, m1), IV calcium now (M5), digoxin (M6), ECG and check-now reminders (M7),
    # the redraw after a recent infusion (m19) and the refeeding step (m10).
    assert all(o["ruleset"] == "2026.2" for o in OUTPUTS.values())
    warnings = {w["id"] for o in OUTPUTS.values() for w in o["warnings"]}
    steps = {s["id"] for o in OUTPUTS.values() for s in o["plan"]["steps"]}
    produced = {r["id"] for o in OUTPUTS.values() for r in o["reminders"]}
    assert {"unit_check", "digoxin_toxicity_risk", "symptoms_not_explained_by_mg"} <= warnings
    assert {"confirm_magnesium_unit", "give_iv_calcium_now", "consider_holding_foscarnet"} <= steps
    assert {"review_mtor_level", "follow_refeeding_protocol"} <= steps
    assert {"ecg_now", "check_k_and_ca_now", "redraw_mg_after_iv"} <= produced
    doses = [o["plan"]["dose"] for o in OUTPUTS.values() if o["plan"]["dose"]]
    assert any(d["mmol_before_cap"] and d["mmol_before_cap"] > d["mmol"] for d in doses)  # a cap that binds
    assert any("halved because of AKI" in d["text"] for d in doses)
    teen = [c for c in CASES if c.population == "pediatric" and c.input["patient"]["age_years"] >= 12]
    assert teen and all(OUTPUTS[c.name]["plan"]["dose"]["per_kg_mmol"] for c in teen)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.code)
def test_the_case_names_the_rule_set_it_was_checked_against(case):
    # A case checked against an older rule set must not reach a trainee unnoticed.
    assert "rule set 2026.2" in case.description
    assert "2026.1" not in (case.description + case.vignette + case.teaching_point + case.title)


def test_a_case_file_with_an_unknown_topic_is_refused():
    data = json.loads(next(CASES_DIR.glob("*.json")).read_text(encoding="utf-8"))
    data["topics"] = ["severity", "renall"]
    with pytest.raises(ValueError, match="unknown topic"):
        case_from_json(data)


def test_the_filters_combine():
    children = teaching_case_filter(CASES, population="pediatric")
    assert children and all(c.population == "pediatric" for c in children)
    renal_advanced = teaching_case_filter(CASES, topic="renal", difficulty="advanced")
    assert renal_advanced and all("renal" in c.topics and c.difficulty == "advanced" for c in renal_advanced)
    assert teaching_case_filter(CASES) == list(CASES)
