"""The contract parser (PROTOCOL.md sections 1-2, contract README): every error names its field path and says what
to fix; all errors come back in one pass; nothing out of range gets through to the rules.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from assessments.clinical import parse_input
from assessments.clinical.inputs import Drug, Med, Setting, Symptom
from assessments.clinical.units import Unit
from tests.builders import errors, payload

CONTRACT = Path(__file__).resolve().parents[2].parent / "shared" / "contract"


def accepted(data):
    result = parse_input(data)
    assert result.errors == (), result.errors
    return result.input


def readme_example() -> dict:
    text = (CONTRACT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"## Input.*?```json\n(.*?)```", text, re.S)
    assert block, "the README's input example was not found"
    return json.loads(block.group(1))


# --- A valid input --------------------------------------------------------------------------------------------


def test_it_parses_the_contract_readme_example():
    data = accepted(readme_example())
    assert data.labs.magnesium.value == 0.52
    assert data.labs.magnesium.unit is Unit.MMOL_L
    assert data.labs.urine_creatinine.value == 8.2
    assert data.immunosuppressants[0].drug is Drug.TACROLIMUS
    assert data.immunosuppressants[0].trough.value == 12
    assert [(m.id, m.days) for m in data.medications] == [
        (Med.PROTON_PUMP_INHIBITOR, 17),
        (Med.AZOLE_ANTIFUNGAL, None),
    ]
    assert data.gi.mucositis_grade == 3
    assert data.nutrition.pn_mg_mmol_per_kg_day is None
    assert data.qtc_ms == 452.0


def test_it_fills_defaults_for_what_was_not_given():
    data = accepted(
        {
            "patient": {"age_years": 45},
            "transplant": {"type": "autologous", "day": 0},
            "labs": {"magnesium": {"value": 0.6, "unit": "mmol/L"}},
        }
    )
    assert data.setting is Setting.INPATIENT
    assert (data.immunosuppressants, data.medications, data.symptoms) == ((), (), ())
    assert data.conditions == frozenset()
    assert data.qtc_ms is None
    assert (data.gi.vomiting, data.gi.high_output_stoma, data.gi.diarrhea_ml_per_day) == (False, False, None)
    assert (data.magnesium_therapy.oral_current, data.magnesium_therapy.iv_magnesium_last_24h) == (False, False)
    assert data.patient.sex is None


def test_it_keeps_symptoms_in_the_order_given():
    data = accepted(payload(symptoms=["tremor", "seizure"]))
    assert data.symptoms == (Symptom.TREMOR, Symptom.SEIZURE)


def test_it_accepts_a_trough_in_ug_per_l():
    data = accepted(payload(immunosuppressants=[{"drug": "cyclosporine", "trough": {"value": 250, "unit": "ug/L"}}]))
    assert data.immunosuppressants[0].trough.unit is Unit.UG_L


def test_it_accepts_save_as_a_boolean():
    accepted(payload(save=True))
    assert errors(payload(save="yes")) == {"save": "must be true or false, got text 'yes'"}


# --- Shape errors ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "must be an object, got a list"),
        (None, "must be an object, got null"),
        ("{}", "must be an object, got text '{}'"),
        (3, "must be an object, got 3"),
    ],
)
def test_it_refuses_an_input_that_is_not_an_object(data, message):
    assert errors(data) == {"input": message}


def test_it_refuses_an_unknown_top_level_key():
    data = payload()
    data["foo"] = 1
    assert errors(data) == {
        "foo": "unknown field 'foo'; accepted: conditions, ecg, gi, immunosuppressants, labs, magnesium_therapy,"
        " medications, nutrition, patient, save, setting, site, symptoms, transplant"
    }


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"labs": {"magnezium": {"value": 0.5, "unit": "mmol/L"}}}, "labs.magnezium"),
        ({"patient": {"foo": 1}}, "patient.foo"),
        ({"transplant": {"type": "allogeneic", "day": 3, "donor": "sibling"}}, "transplant.donor"),
        ({"immunosuppressants": [{"drug": "tacrolimus", "bar": 1}]}, "immunosuppressants.0.bar"),
        (
            {"immunosuppressants": [{"drug": "tacrolimus", "trough": {"value": 8, "unit": "ng/mL", "time": "8am"}}]},
            "immunosuppressants.0.trough.time",
        ),
        ({"medications": [{"id": "digoxin"}, {"id": "amiloride", "extra": True}]}, "medications.1.extra"),
        ({"labs": {"magnesium": {"value": 0.5, "unit": "mmol/L", "flag": "L"}}}, "labs.magnesium.flag"),
        ({"gi": {"stool_count": 3}}, "gi.stool_count"),
        ({"nutrition": {"tube": True}}, "nutrition.tube"),
        ({"ecg": {"qt_ms": 400}}, "ecg.qt_ms"),
        ({"magnesium_therapy": {"oral": True}}, "magnesium_therapy.oral"),
    ],
)
def test_an_unknown_key_is_an_error_on_its_own_path(change, field):
    # A typo must not be silently ignored: the field is the path of the unknown key.
    found = errors(payload(**change))
    assert field in found
    assert found[field].startswith(f"unknown field '{field.rsplit('.', 1)[1]}'; accepted: ")


def test_an_unknown_key_message_lists_the_accepted_keys():
    assert errors(payload(patient={"foo": 1}))["patient.foo"] == (
        "unknown field 'foo'; accepted: age_years, height_cm, sex, weight_kg"
    )


@pytest.mark.parametrize(
    ("drop", "field"),
    [
        ("patient.age_years", "patient.age_years"),
        ("transplant.type", "transplant.type"),
        ("transplant.day", "transplant.day"),
        ("labs.magnesium", "labs.magnesium"),
        ("labs.magnesium.unit", "labs.magnesium.unit"),
        ("labs.magnesium.value", "labs.magnesium.value"),
    ],
)
def test_a_missing_required_field_is_named(drop, field):
    assert errors(payload(drop=(drop,)))[field] == "is required"


@pytest.mark.parametrize("section", ["patient", "transplant", "labs"])
def test_a_missing_required_section_is_named(section):
    parsed = parse_input(payload(drop=(section,)))
    assert parsed.input is None
    assert (section, "is required") in [(e.field, e.message) for e in parsed.errors]


def test_a_trough_needs_a_value_and_a_unit():
    found = errors(payload(immunosuppressants=[{"drug": "tacrolimus", "trough": {"value": 8}}]))
    assert found == {"immunosuppressants.0.trough.unit": "is required"}


@pytest.mark.parametrize(
    ("section", "value", "message"),
    [
        ("patient", 45, "must be an object, got 45"),
        ("transplant", "allo", "must be an object, got text 'allo'"),
        ("labs", [], "must be an object, got a list"),
        ("gi", [], "must be an object, got a list"),
        ("nutrition", "normal", "must be an object, got text 'normal'"),
        ("ecg", 430, "must be an object, got 430"),
        ("magnesium_therapy", True, "must be an object, got true"),
    ],
)
def test_a_section_that_is_not_an_object_is_refused(section, value, message):
    assert errors(payload(**{section: value}))[section] == message


def test_a_lab_value_that_is_not_an_object_is_refused():
    assert errors(payload(labs={"magnesium": 0.5})) == {"labs.magnesium": "must be an object, got 0.5"}


@pytest.mark.parametrize("section", ["immunosuppressants", "medications", "conditions", "symptoms"])
@pytest.mark.parametrize(("value", "kind"), [({}, "an object"), ("seizure", "text 'seizure'"), (None, "null")])
def test_a_list_that_is_not_a_list_is_refused(section, value, kind):
    assert errors(payload(**{section: value})) == {section: f"must be a list, got {kind}"}


def test_a_list_item_that_is_not_an_object_is_refused():
    found = errors(payload(immunosuppressants=["tacrolimus"], medications=[5]))
    assert found == {
        "immunosuppressants.0": "must be an object, got text 'tacrolimus'",
        "medications.0": "must be an object, got 5",
    }


# --- Types ----------------------------------------------------------------------------------------------------


class Reading(float):
    """A float subclass, as a form library or numpy (float64) may hand over."""


class Count(int):
    """An int subclass (an IntEnum member, say)."""


@pytest.mark.parametrize("value", [Reading(0.5), Count(1)])
def test_a_number_of_a_numeric_subclass_is_accepted(value):
    data = accepted(payload(labs={"magnesium": {"value": value, "unit": "mmol/L"}}))
    assert data.labs.magnesium.value == float(value)


@pytest.mark.parametrize("value", [Reading("nan"), Reading("inf")])
def test_a_non_finite_number_of_a_float_subclass_is_refused(value):
    assert list(errors(payload(labs={"magnesium": {"value": value, "unit": "mmol/L"}}))) == ["labs.magnesium.value"]


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("0.5", "text '0.5'"),
        (True, "true"),
        (False, "false"),
        (None, "null"),
        (float("nan"), "nan"),
        (float("inf"), "inf"),
        (float("-inf"), "-inf"),
        ([0.5], "a list"),
        ({"v": 0.5}, "an object"),
    ],
)
def test_a_lab_value_must_be_a_finite_number(value, kind):
    # A boolean is an int in Python and NaN compares false with every bound: both must be refused explicitly.
    assert errors(payload(mg=(value, "mmol/L"))) == {"labs.magnesium.value": f"must be a number, got {kind}"}


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"patient": {"age_years": "45"}}, "patient.age_years", "must be a number in years, got text '45'"),
        ({"patient": {"weight_kg": True}}, "patient.weight_kg", "must be a number in kg, got true"),
        ({"patient": {"height_cm": float("nan")}}, "patient.height_cm", "must be a number in cm, got nan"),
        ({"ecg": {"qtc_ms": None}}, "ecg.qtc_ms", "must be a number in ms, got null"),
        (
            {"gi": {"diarrhea_ml_per_day": "lots"}},
            "gi.diarrhea_ml_per_day",
            "must be a number in mL/day, got text 'lots'",
        ),
        ({"gi": {"vomiting": "no"}}, "gi.vomiting", "must be true or false, got text 'no'"),
        ({"gi": {"high_output_stoma": 1}}, "gi.high_output_stoma", "must be true or false, got 1"),
        (
            {"nutrition": {"parenteral_nutrition": None}},
            "nutrition.parenteral_nutrition",
            "must be true or false, got null",
        ),
        (
            {"magnesium_therapy": {"iv_magnesium_last_24h": "yes"}},
            "magnesium_therapy.iv_magnesium_last_24h",
            "must be true or false, got text 'yes'",
        ),
        ({"magnesium_therapy": {"oral_current": 0}}, "magnesium_therapy.oral_current", "must be true or false, got 0"),
        ({"gi": {"mucositis_grade": 2.5}}, "gi.mucositis_grade", "must be a whole number (grade), got 2.5"),
        (
            {"gi": {"lower_gi_gvhd_stage": "1"}},
            "gi.lower_gi_gvhd_stage",
            "must be a whole number (stage), got text '1'",
        ),
        (
            {"transplant": {"type": "allogeneic", "day": True}},
            "transplant.day",
            "must be a whole number (days from transplant), got true",
        ),
    ],
)
def test_a_wrong_type_is_named_with_what_was_received(change, field, message):
    assert errors(payload(**change)) == {field: message}


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"patient": {"sex": "f"}}, "patient.sex", "'f' is not accepted; use one of female, male"),
        ({"setting": "ward"}, "setting", "'ward' is not accepted; use one of inpatient, outpatient"),
        (
            {"transplant": {"type": "syngeneic", "day": 3}},
            "transplant.type",
            "'syngeneic' is not accepted; use one of allogeneic, autologous",
        ),
        (
            {"immunosuppressants": [{"drug": "tacro"}]},
            "immunosuppressants.0.drug",
            "'tacro' is not accepted; use one of tacrolimus, cyclosporine, sirolimus, everolimus",
        ),
        (
            {"immunosuppressants": [{"drug": "tacrolimus", "route": "sc"}]},
            "immunosuppressants.0.route",
            "'sc' is not accepted; use one of oral, iv",
        ),
        (
            {"nutrition": {"oral_intake": 0}},
            "nutrition.oral_intake",
            "0 is not accepted; use one of normal, reduced, nil",
        ),
    ],
)
def test_a_value_outside_its_choices_names_the_choices(change, field, message):
    assert errors(payload(**change)) == {field: message}


@pytest.mark.parametrize(
    ("section", "value"),
    [("medications", [{"id": "aspirin"}]), ("conditions", ["gout"]), ("symptoms", ["itch"])],
)
def test_an_unknown_id_in_a_list_is_refused_on_its_index(section, value):
    field = f"{section}.0.id" if section == "medications" else f"{section}.0"
    assert list(errors(payload(**{section: value}))) == [field]


def test_a_long_value_is_shortened_in_the_message():
    message = errors(payload(setting="x" * 500))["setting"]
    assert message.startswith("'xxx")
    assert "..." in message
    assert message.endswith(" is not accepted; use one of inpatient, outpatient")
    assert len(message) < 120


@pytest.mark.parametrize(
    ("change", "field", "tail"),
    [
        (
            {"mg": (10**400, "mmol/L")},
            "labs.magnesium.value",
            " mmol/L is outside the accepted range 0.05 to 5 mmol/L for magnesium",
        ),
        (
            {"patient": {"age_years": 10**400}},
            "patient.age_years",
            " years is outside the accepted range 0 to 120 years",
        ),
        (
            {"transplant": {"type": "allogeneic", "day": -(10**400)}},
            "transplant.day",
            " is outside the accepted range -30 to 3650 (days from transplant)",
        ),
    ],
)
def test_an_integer_too_large_for_a_float_is_refused_not_crashed_on(change, field, tail):
    # JSON allows any number of digits; formatting such a number as a float would raise OverflowError.
    message = errors(payload(**change))[field]
    assert message.endswith(tail)
    assert len(message) < 200


def test_a_huge_float_is_named_in_exponent_form_not_in_309_digits():
    # An independent tester: Mg 1e308 from a FHIR bundle printed all 309 digits, 3,211 px wide on a phone.
    message = errors(payload(mg=(1e308, "mmol/L")))["labs.magnesium.value"]
    assert message.startswith("1e+308 mmol/L is outside the accepted range")
    assert errors(payload(mg=(12345.678, "mmol/L")))["labs.magnesium.value"].startswith("12345.678 mmol/L")


def test_an_empty_key_still_has_a_visible_field_path():
    found = errors(payload(patient={"": 1}))
    assert len(found) == 1
    field = next(iter(found))
    assert field.startswith("patient.") and field != "patient."


def test_a_value_json_cannot_carry_is_named_by_its_type():
    assert errors(payload(mg=((0.5,), "mmol/L"))) == {"labs.magnesium.value": "must be a number, got tuple"}


# --- Hard ranges (PROTOCOL.md section 2) ---------------------------------------------------------------------

LAB_RANGES = [
    # field, unit, low, high, just below, just above (canonical unit)
    ("magnesium", "mmol/L", 0.05, 5.0, 0.04, 5.01),
    ("magnesium_lln", "mmol/L", 0.5, 1.0, 0.49, 1.01),
    ("potassium", "mmol/L", 1.0, 10.0, 0.9, 10.1),
    ("calcium_total", "mmol/L", 0.5, 5.0, 0.49, 5.01),
    ("calcium_ionized", "mmol/L", 0.3, 3.0, 0.29, 3.01),
    ("albumin", "g/L", 5, 70, 4.9, 70.1),
    ("phosphate", "mmol/L", 0.1, 5.0, 0.09, 5.01),
    ("creatinine", "umol/L", 10, 2000, 9.9, 2000.1),
    ("urine_magnesium", "mmol/L", 0.05, 50, 0.04, 50.1),
    ("urine_creatinine", "mmol/L", 0.2, 60, 0.19, 60.1),
]


@pytest.mark.parametrize(("field", "unit", "low", "high", "below", "above"), LAB_RANGES, ids=lambda v: str(v))
def test_a_lab_value_at_either_end_of_its_hard_range_is_accepted(field, unit, low, high, below, above):
    for value in (low, high):
        accepted(payload(labs={field: {"value": value, "unit": unit}}))


@pytest.mark.parametrize(("field", "unit", "low", "high", "below", "above"), LAB_RANGES, ids=lambda v: str(v))
def test_a_lab_value_outside_its_hard_range_is_refused_with_the_range(field, unit, low, high, below, above):
    for value in (below, above):
        message = errors(payload(labs={field: {"value": value, "unit": unit}}))[f"labs.{field}.value"]
        # The message names the value and unit received and the accepted range in that unit.
        assert message.startswith(f"{value:g} {unit} is outside the accepted range {low:g} to {high:g} {unit} for ")


def test_mg_18_mmol_per_l_is_refused_with_the_value_and_the_range():
    # Golden case P12.
    assert errors(payload(mg=(18, "mmol/L"))) == {
        "labs.magnesium.value": "18 mmol/L is outside the accepted range 0.05 to 5 mmol/L for magnesium"
    }


def test_mg_18_mg_per_dl_is_refused_with_the_range_in_mg_per_dl():
    # 0.05-5.0 mmol/L is 0.1215-12.1525 mg/dL: the range is given in the unit the user chose.
    assert errors(payload(mg=(18, "mg/dL"))) == {
        "labs.magnesium.value": "18 mg/dL is outside the accepted range 0.1215 to 12.1525 mg/dL for magnesium"
    }


def test_a_value_that_fits_another_unit_suggests_that_unit():
    message = errors(payload(mg=(11, "mmol/L")))["labs.magnesium.value"]
    assert message.endswith("for magnesium; is the unit mg/dL?")


def test_a_value_that_fits_two_other_units_suggests_both():
    message = errors(payload(mg=(5.5, "mmol/L")))["labs.magnesium.value"]
    assert message.endswith("; is the unit mg/dL or mEq/L?")


def test_a_creatinine_in_mg_per_dl_entered_as_umol_per_l_is_caught():
    # 1.1 "umol/L" is below 10 umol/L but a normal creatinine in mg/dL.
    message = errors(payload(labs={"creatinine": {"value": 1.1, "unit": "umol/L"}}))["labs.creatinine.value"]
    assert (
        message == "1.1 umol/L is outside the accepted range 10 to 2000 umol/L for serum creatinine; is the unit mg/dL?"
    )


def test_a_lab_value_in_a_second_unit_is_ranged_in_that_unit():
    message = errors(payload(labs={"albumin": {"value": 0.4, "unit": "g/dL"}}))["labs.albumin.value"]
    assert message == "0.4 g/dL is outside the accepted range 0.5 to 7 g/dL for albumin"


@pytest.mark.parametrize(
    ("field", "unit", "accepted_units"),
    [
        ("magnesium", "g/L", "mmol/L, mg/dL, mEq/L"),
        ("potassium", "mg/dL", "mmol/L, mEq/L"),
        ("albumin", "mmol/L", "g/L, g/dL"),
        ("creatinine", "mmol/L", "umol/L, mg/dL"),
        ("urine_creatinine", "g/L", "mmol/L, umol/L, mg/dL"),
    ],
)
def test_a_unit_not_accepted_for_the_analyte_names_the_accepted_units(field, unit, accepted_units):
    found = errors(payload(labs={field: {"value": 1.0, "unit": unit}}))
    assert found == {f"labs.{field}.unit": f"'{unit}' is not accepted; use one of {accepted_units}"}


def test_a_wrong_unit_and_a_wrong_value_are_both_reported():
    found = errors(payload(labs={"potassium": {"value": "4", "unit": "mg/dL"}}))
    assert set(found) == {"labs.potassium.unit", "labs.potassium.value"}


@pytest.mark.parametrize(
    ("field", "low", "high", "below", "above", "unit"),
    [
        ("weight_kg", 0.5, 300, 0.4, 301, "kg"),
        ("height_cm", 30, 250, 29, 251, "cm"),
    ],
)
def test_weight_and_height_have_hard_ranges(field, low, high, below, above, unit):
    for value in (low, high):
        accepted(payload(patient={field: value}))
    for value in (below, above):
        message = errors(payload(patient={field: value}))[f"patient.{field}"]
        assert message == f"{value:g} {unit} is outside the accepted range {low:g} to {high:g} {unit}"


def test_age_has_a_hard_range_of_0_to_120_years():
    accepted(payload(patient={"age_years": 120}))
    assert errors(payload(patient={"age_years": 120.5})) == {
        "patient.age_years": "120.5 years is outside the accepted range 0 to 120 years"
    }
    assert errors(payload(patient={"age_years": -1})) == {
        "patient.age_years": "-1 years is outside the accepted range 0 to 120 years"
    }


def test_qtc_has_a_hard_range_of_250_to_800_ms():
    accepted(payload(ecg={"qtc_ms": 250}))
    accepted(payload(ecg={"qtc_ms": 800}))
    assert errors(payload(ecg={"qtc_ms": 249})) == {"ecg.qtc_ms": "249 ms is outside the accepted range 250 to 800 ms"}
    assert errors(payload(ecg={"qtc_ms": 801})) == {"ecg.qtc_ms": "801 ms is outside the accepted range 250 to 800 ms"}


def test_transplant_day_has_a_hard_range_of_minus_30_to_3650():
    accepted(payload(transplant={"type": "allogeneic", "day": -30}))
    accepted(payload(transplant={"type": "allogeneic", "day": 3650}))
    for day in (-31, 3651):
        assert errors(payload(transplant={"type": "allogeneic", "day": day})) == {
            "transplant.day": f"{day} is outside the accepted range -30 to 3650 (days from transplant)"
        }


def test_transplant_day_10_0_is_accepted_as_an_integer():
    data = accepted(payload(transplant={"type": "allogeneic", "day": 10.0}))
    assert data.transplant.day == 10
    assert type(data.transplant.day) is int


def test_transplant_day_10_5_is_refused():
    assert errors(payload(transplant={"type": "allogeneic", "day": 10.5})) == {
        "transplant.day": "must be a whole number (days from transplant), got 10.5"
    }


def test_diarrhea_has_a_hard_range_of_0_to_10000_ml_per_day():
    accepted(payload(gi={"diarrhea_ml_per_day": 10000}))
    assert errors(payload(gi={"diarrhea_ml_per_day": 10001})) == {
        "gi.diarrhea_ml_per_day": "10001 mL/day is outside the accepted range 0 to 10000 mL/day"
    }
    assert "gi.diarrhea_ml_per_day" in errors(payload(gi={"diarrhea_ml_per_day": -1}))


def test_mucositis_grade_and_gvhd_stage_run_from_0_to_4():
    data = accepted(payload(gi={"mucositis_grade": 4, "lower_gi_gvhd_stage": 0}))
    assert (data.gi.mucositis_grade, data.gi.lower_gi_gvhd_stage) == (4, 0)
    assert errors(payload(gi={"mucositis_grade": 5, "lower_gi_gvhd_stage": -1})) == {
        "gi.mucositis_grade": "5 is outside the accepted range 0 to 4 (grade)",
        "gi.lower_gi_gvhd_stage": "-1 is outside the accepted range 0 to 4 (stage)",
    }


@pytest.mark.parametrize(
    ("drug", "limit", "above"),
    [("tacrolimus", 60, 60.1), ("cyclosporine", 3000, 3001), ("sirolimus", 60, 61), ("everolimus", 60, 61)],
)
def test_each_drug_has_its_own_trough_limit(drug, limit, above):
    accepted(payload(immunosuppressants=[{"drug": drug, "trough": {"value": limit, "unit": "ng/mL"}}]))
    found = errors(payload(immunosuppressants=[{"drug": drug, "trough": {"value": above, "unit": "ng/mL"}}]))
    assert found == {
        "immunosuppressants.0.trough.value": (
            f"{above:g} ng/mL is outside the accepted range 0 to {limit} ng/mL for trough level"
        )
    }


def test_a_negative_trough_is_refused():
    found = errors(payload(immunosuppressants=[{"drug": "tacrolimus", "trough": {"value": -1, "unit": "ng/mL"}}]))
    assert list(found) == ["immunosuppressants.0.trough.value"]


def test_a_lab_lln_in_mg_per_dl_is_ranged_in_mg_per_dl():
    accepted(payload(labs={"magnesium_lln": {"value": 1.7, "unit": "mg/dL"}}))
    assert errors(payload(labs={"magnesium_lln": {"value": 2.5, "unit": "mg/dL"}})) == {
        "labs.magnesium_lln.value": (
            "2.5 mg/dL is outside the accepted range 1.2152 to 2.4305 mg/dL for magnesium lower limit of normal"
        )
    }


# --- Scope: neonates and children -----------------------------------------------------------------------------


@pytest.mark.parametrize("age", [0, 0.05, 0.083])
def test_a_neonate_is_refused_with_a_clear_message(age):
    message = errors(payload(patient={"age_years": age, "weight_kg": 3.5}))["patient.age_years"]
    assert "is a neonate (under 1 month" in message
    assert "out of scope" in message


def test_a_one_month_old_is_in_scope():
    accepted(payload(patient={"age_years": 0.0833, "weight_kg": 4.2, "height_cm": 55}))


def test_a_child_without_weight_is_refused_on_weight():
    # Pediatric doses are per kg (PROTOCOL.md section 5).
    assert errors(payload(patient={"age_years": 8}, drop=("patient.weight_kg",))) == {
        "patient.weight_kg": "is required for a child (under 18 years): pediatric doses are per kg"
    }


def test_an_adult_without_weight_is_accepted():
    data = accepted(payload(drop=("patient.weight_kg",)))
    assert data.patient.weight_kg is None


def test_a_child_with_a_null_weight_is_refused_as_a_wrong_type():
    assert errors(payload(patient={"age_years": 8, "weight_kg": None})) == {
        "patient.weight_kg": "must be a number in kg, got null"
    }


# --- Lists: repeats and days ----------------------------------------------------------------------------------


def test_a_drug_listed_twice_is_refused_on_the_repeat():
    found = errors(payload(immunosuppressants=[{"drug": "tacrolimus"}, {"drug": "tacrolimus", "route": "iv"}]))
    assert found == {"immunosuppressants.1.drug": "tacrolimus is listed twice; list each drug once"}


def test_a_medication_listed_twice_is_refused_on_the_repeat():
    meds = [{"id": "digoxin"}, {"id": "amiloride"}, {"id": "ondansetron"}, {"id": "digoxin", "days": 4}]
    assert errors(payload(medications=meds)) == {
        "medications.3.id": "digoxin is listed twice; list each medication once"
    }


def test_a_condition_listed_twice_is_refused():
    assert errors(payload(conditions=["aki", "dialysis", "aki"])) == {"conditions.2": "aki is listed twice"}


def test_a_symptom_listed_twice_is_refused():
    assert errors(payload(symptoms=["tremor", "tremor"])) == {"symptoms.1": "tremor is listed twice"}


def test_medication_days_must_be_a_whole_number_of_zero_or_more():
    accepted(payload(medications=[{"id": "proton_pump_inhibitor", "days": 0}]))
    found = errors(payload(medications=[{"id": "proton_pump_inhibitor", "days": -1}, {"id": "digoxin", "days": 1.5}]))
    assert found == {
        "medications.0.days": "-1 is outside the accepted range 0 to 16437 (days taken, at most the patient's age)",
        "medications.1.days": "must be a whole number (days taken, at most the patient's age), got 1.5",
    }


def test_an_item_with_a_bad_id_is_not_counted_as_a_repeat():
    found = errors(payload(medications=[{"id": "nope"}, {"id": "nope"}]))
    assert set(found) == {"medications.0.id", "medications.1.id"}


# --- Parenteral nutrition -------------------------------------------------------------------------------------


def test_pn_magnesium_may_be_null():
    data = accepted(payload(nutrition={"parenteral_nutrition": True, "pn_mg_mmol_per_kg_day": None}))
    assert data.nutrition.parenteral_nutrition is True
    assert data.nutrition.pn_mg_mmol_per_kg_day is None


@pytest.mark.parametrize("amount", [0, 0.35, 2.0])
def test_pn_magnesium_is_accepted_from_0_to_2_mmol_per_kg_day(amount):
    data = accepted(payload(nutrition={"parenteral_nutrition": True, "pn_mg_mmol_per_kg_day": amount}))
    assert data.nutrition.pn_mg_mmol_per_kg_day == amount


def test_pn_magnesium_above_2_mmol_per_kg_day_is_refused():
    # A larger number is almost always mmol/day typed as mmol/kg/day (section 2, change 8).
    found = errors(payload(nutrition={"parenteral_nutrition": True, "pn_mg_mmol_per_kg_day": 2.01}))
    assert found == {
        "nutrition.pn_mg_mmol_per_kg_day": "2.01 mmol/kg/day is outside the accepted range 0 to 2 mmol/kg/day"
    }


def test_pn_magnesium_may_not_be_negative():
    found = errors(payload(nutrition={"pn_mg_mmol_per_kg_day": -0.1}))
    assert list(found) == ["nutrition.pn_mg_mmol_per_kg_day"]
    assert (
        found["nutrition.pn_mg_mmol_per_kg_day"] == "-0.1 mmol/kg/day is outside the accepted range 0 to 2 mmol/kg/day"
    )


# --- Rule set 2026.2 inputs: the age of the Mg sample and the site's laboratory unit ---------------------------


@pytest.mark.parametrize("hours", [0, 3.5, 720])
def test_the_age_of_the_mg_sample_is_accepted_from_0_to_720_h(hours):
    data = accepted(payload(labs={"magnesium": {"value": 0.6, "unit": "mmol/L", "age_hours": hours}}))
    assert data.labs.magnesium_age_hours == hours
    assert data.labs.magnesium.value == 0.6


def test_the_age_of_the_mg_sample_is_optional():
    assert accepted(payload()).labs.magnesium_age_hours is None


@pytest.mark.parametrize("hours", [-1, 721])
def test_an_older_mg_sample_is_not_assessed(hours):
    # 720 h (30 days) is the longest monitoring interval in the fact base (section 2).
    assert errors(payload(labs={"magnesium": {"value": 0.6, "unit": "mmol/L", "age_hours": hours}})) == {
        "labs.magnesium.age_hours": f"{hours} h is outside the accepted range 0 to 720 h"
    }


def test_only_magnesium_carries_an_age():
    found = errors(payload(labs={"potassium": {"value": 4, "unit": "mmol/L", "age_hours": 3}}))
    assert list(found) == ["labs.potassium.age_hours"]


@pytest.mark.parametrize("unit", ["mmol/L", "mg/dL", "mEq/L"])
def test_the_site_laboratory_unit_is_one_of_the_magnesium_units(unit):
    assert accepted(payload(site={"magnesium_unit": unit})).site_magnesium_unit is Unit(unit)


def test_the_site_laboratory_unit_is_optional():
    assert accepted(payload()).site_magnesium_unit is None
    assert accepted(payload(site={})).site_magnesium_unit is None


def test_a_site_laboratory_unit_that_is_not_a_magnesium_unit_is_refused():
    assert errors(payload(site={"magnesium_unit": "umol/L"})) == {
        "site.magnesium_unit": "'umol/L' is not accepted; use one of mmol/L, mg/dL, mEq/L"
    }


def test_an_unknown_key_under_site_is_refused():
    assert list(errors(payload(site={"magnesium_units": "mmol/L"}))) == ["site.magnesium_units"]


# --- One pass -------------------------------------------------------------------------------------------------


def test_it_collects_every_error_in_one_pass():
    # A form shows them all at once and keeps the rest of what the user typed.
    data = payload(mg=(18, "mmol/L"), patient={"weight_kg": 0})
    assert set(errors(data)) == {"labs.magnesium.value", "patient.weight_kg"}


def test_it_collects_errors_from_every_section():
    data = payload(
        mg=("low", "mmol/L"),
        patient={"sex": "x"},
        transplant={"type": "allogeneic", "day": -99},
        setting="icu",
        immunosuppressants=[{"drug": "tacrolimus", "trough": {"value": 99, "unit": "ng/mL"}}],
        medications=[{"id": "ppi"}],
        gi={"vomiting": "often"},
        nutrition={"oral_intake": "some"},
        conditions=["x"],
        symptoms=["y"],
        ecg={"qtc_ms": 9000},
        magnesium_therapy={"oral_current": "y"},
        save=1,
    )
    assert set(errors(data)) == {
        "labs.magnesium.value",
        "patient.sex",
        "transplant.day",
        "setting",
        "immunosuppressants.0.trough.value",
        "medications.0.id",
        "gi.vomiting",
        "nutrition.oral_intake",
        "conditions.0",
        "symptoms.0",
        "ecg.qtc_ms",
        "magnesium_therapy.oral_current",
        "save",
    }


def test_a_drug_cannot_have_been_taken_longer_than_the_patient_has_lived():
    # Issue 15: `medications[].days` of 10^30 was accepted; the bound is the patient's age in days (45 y -> 16,437).
    message = errors(payload(medications=[{"id": "proton_pump_inhibitor", "days": 10**30}]))["medications.0.days"]
    assert "outside the accepted range 0 to 16437" in message
    assert parse_input(payload(medications=[{"id": "proton_pump_inhibitor", "days": 16437}])).input is not None
    assert errors(payload(medications=[{"id": "proton_pump_inhibitor", "days": 16438}]))["medications.0.days"]
