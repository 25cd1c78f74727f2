"""`assessments/labels.py` names every id and every contract path, so that no page shows a machine id to a person.

The completeness tests iterate over what the app itself defines (the contract input schema it ships, the enums of
`clinical/inputs.py`, the ids the engine can produce): a new id without words fails here, not on a ward PC.
"""

from __future__ import annotations

import html
import json
import re
from enum import StrEnum
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments import labels, services
from assessments.api.openapi import INPUT_SCHEMA_PATH
from assessments.clinical import engine, inputs, route, steps
from assessments.clinical.causes import CAUSES
from assessments.clinical.units import Unit
from assessments.selectors import demo_case_list
from assessments.teaching.cases import teaching_case_list
from tests.builders import payload, transplant_of

CLINICAL = Path(engine.__file__).resolve().parent
SCHEMA = json.loads(INPUT_SCHEMA_PATH.read_text(encoding="utf-8"))


def schema_paths(node: dict[str, Any], prefix: str = "") -> list[tuple[str, dict[str, Any]]]:
    """(path, schema) for every property of the contract input, list items as `N`."""
    found = []
    for key, child in node.get("properties", {}).items():
        path = f"{prefix}.{key}" if prefix else key
        found.append((path, child))
        if child.get("type") == "array" and isinstance(child.get("items"), dict):
            found.append((f"{path}.N", child["items"]))
            found += schema_paths(child["items"], f"{path}.N")
        found += schema_paths(child, path)
    return found


PATHS = schema_paths(SCHEMA)


def test_the_schema_walk_reaches_the_nested_and_list_paths():
    # A walk that stopped early would make the tests below pass on nothing.
    walked = {path for path, _ in PATHS}
    assert {"labs.magnesium.unit", "immunosuppressants.N.trough.value", "medications.N.id", "symptoms.N"} <= walked


@pytest.mark.parametrize("path", [path for path, _ in PATHS])
def test_every_contract_path_has_a_label(path):
    assert path in labels.FIELD_LABELS


@pytest.mark.parametrize(
    ("path", "value"), [(path, value) for path, schema in PATHS for value in schema.get("enum", ())]
)
def test_every_enum_value_of_the_contract_has_a_label(path, value):
    table = labels.UNIT_LABELS if path.endswith(".unit") else labels.VALUE_LABELS[path]
    assert value in table


# Each enum of the clinical input, and the table that names its values.
ENUM_TABLES: dict[type[StrEnum], dict[str, str]] = {
    inputs.Sex: labels.SEX_LABELS,
    inputs.Setting: labels.SETTING_LABELS,
    inputs.TransplantType: labels.TRANSPLANT_TYPE_LABELS,
    inputs.Drug: labels.IMMUNOSUPPRESSANT_LABELS,
    inputs.DrugRoute: labels.DRUG_ROUTE_LABELS,
    inputs.Med: labels.MEDICATION_LABELS,
    inputs.Condition: labels.CONDITION_LABELS,
    inputs.Symptom: labels.SYMPTOM_LABELS,
    inputs.OralIntake: labels.ORAL_INTAKE_LABELS,
    Unit: labels.UNIT_LABELS,
}


def test_every_enum_of_the_clinical_input_is_named_by_a_table():
    # A new enum in clinical/inputs.py must be given its table here (and its words in labels.py).
    enums = {
        value
        for value in vars(inputs).values()
        if isinstance(value, type) and issubclass(value, StrEnum) and value.__module__ == inputs.__name__
    }
    assert enums - set(ENUM_TABLES) == set()


@pytest.mark.parametrize(
    ("enum", "value"), [(enum, member.value) for enum in ENUM_TABLES for member in enum], ids=lambda v: str(v)
)
def test_every_enum_value_of_the_clinical_input_has_a_label(enum, value):
    assert value in ENUM_TABLES[enum]


# --- what the engine says -----------------------------------------------------------------------------------------

ID_IN_SOURCE = re.compile(r'\b(Step|Warning|Reminder|add)\(\s*(?:id=)?"([a-z0-9_]+)"')


def _ids_in_source() -> dict[str, set[str]]:
    """Ids the clinical core writes literally as the first argument of Step, Warning, Reminder (or its `add`)."""
    found: dict[str, set[str]] = {"step": set(), "warning": set(), "reminder": set()}
    kinds = {"Step": "step", "Warning": "warning", "Reminder": "reminder", "add": "reminder"}
    for module in CLINICAL.glob("*.py"):
        for call, item_id in ID_IN_SOURCE.findall(module.read_text(encoding="utf-8")):
            found[kinds[call]].add(item_id)
    return found


def _ids_in_outputs() -> dict[str, set[str]]:
    """Every id in the output of every demo and teaching case, run through the service as the pages do."""
    found: dict[str, set[str]] = {kind: set() for kind in ("step", "warning", "reminder", "reason", "cause", "route")}
    found |= {"femg": set(), "femg_not_interpretable": set(), "drug": set()}
    for data in [case.input for case in demo_case_list()] + [case.input for case in teaching_case_list()]:
        output = services.assessment_run(data=data).output
        assert output is not None
        found["step"] |= {s["id"] for s in output["plan"]["steps"]}
        found["warning"] |= {w["id"] for w in output["warnings"]}
        found["drug"] |= {w["drug"] for w in output["warnings"] if w.get("drug")}
        found["reminder"] |= {r["id"] for r in output["reminders"]}
        found["reason"] |= set(output["plan"]["reasons"])
        found["cause"] |= {c["id"] for c in output["causes"]}
        found["route"].add(output["plan"]["route"])
        derived = output["derived"]
        found["femg"] |= {derived["femg_interpretation"]} - {None}
        found["femg_not_interpretable"] |= {derived["femg_not_interpretable_reason"]} - {None}
    return found


def engine_ids() -> dict[str, set[str]]:
    found = _ids_in_outputs()
    for kind, ids in _ids_in_source().items():
        found[kind] |= ids
    found["warning"] |= set(engine.WARNING_ORDER)
    found["step"] |= set(steps.GIVE_STEP.values())
    found["reason"] |= set(route.REASON_SOURCES)
    found["route"] |= {route.NONE, route.ORAL, route.IV, route.IV_URGENT}
    found["cause"] |= set(CAUSES)
    return found


ENGINE_IDS = engine_ids()


def test_the_engine_ids_were_found():
    # Floors well below today's counts: a search that found nothing must not pass the test below on nothing.
    assert len(ENGINE_IDS["warning"]) >= 15 and len(ENGINE_IDS["step"]) >= 15 and len(ENGINE_IDS["reminder"]) >= 10
    assert len(ENGINE_IDS["reason"]) >= 8 and ENGINE_IDS["femg"] and ENGINE_IDS["drug"]


@pytest.mark.parametrize(
    ("kind", "item_id"), sorted((kind, item_id) for kind, ids in ENGINE_IDS.items() for item_id in ids)
)
def test_every_id_the_engine_can_produce_has_a_label(kind, item_id):
    if kind == "drug":
        assert item_id in labels.MEDICATION_LABELS or item_id in labels.IMMUNOSUPPRESSANT_LABELS
    else:
        assert item_id in labels.LABELS[kind]


@pytest.mark.parametrize(
    ("table", "item_id"),
    [
        *(("MEDICATION_LABELS", med) for med in ("spironolactone", "eplerenone", "triamterene")),
        ("CONDITION_LABELS", "first_degree_av_block"),
        *(("WARNING_LABELS", w) for w in ("stale_result", "digoxin_toxicity_risk", "first_degree_av_block")),
        *(
            ("STEP_LABELS", s)
            for s in (
                "confirm_magnesium_unit",
                "give_iv_calcium_now",
                "consider_holding_foscarnet",
                "check_oral_adherence",
                "review_mtor_level",
                "follow_refeeding_protocol",
            )
        ),
        *(("REMINDER_LABELS", r) for r in ("ecg_now", "check_k_and_ca_now", "redraw_mg_after_iv")),
        ("FIELD_LABELS", "labs.magnesium.age_hours"),
        ("FIELD_LABELS", "site.magnesium_unit"),
    ],
)
def test_rule_set_2026_2_ids_are_named_before_the_engine_produces_them(table, item_id):
    # Rule set 2026.2 is implemented in parallel: its ids have words already, so that the merge shows no id.
    assert item_id in getattr(labels, table)


# --- the words ----------------------------------------------------------------------------------------------------


def test_list_paths_are_numbered_from_one():
    assert labels.field_label("immunosuppressants.0.drug") == "Immunosuppressant 1: drug"
    assert labels.field_label("immunosuppressants.1.trough.value") == "Immunosuppressant 2: trough level"
    assert labels.field_label("medications.3.id") == "Medication 4"
    assert labels.field_label("medications.0.days") == "Medication 1: days taken"


def test_a_path_the_contract_lacks_is_named_under_its_parent():
    # The parser reports an unknown key by its path (`labs.magnezium`): the person sees where it was.
    assert labels.field_label("labs.magnezium") == "Labs: magnezium"
    assert labels.field_label("patient.sex") == "Sex"


def test_values_are_shown_in_words_and_units_as_a_clinician_writes_them():
    assert labels.value_label("labs.creatinine.unit", "umol/L") == "µmol/L"
    assert labels.value_label("labs.creatinine", "70 umol/L") == "70 µmol/L"
    assert labels.value_label("immunosuppressants.0.route", "iv") == "IV"
    assert labels.value_label("medications.2.id", "azole_antifungal").startswith("Azole antifungal")
    assert labels.value_label("gi.vomiting", True) == "Yes"


MACHINE_IDS = (
    "patient.sex",
    "azole_antifungal",
    "proton_pump_inhibitor",
    "umol/L",
    "citrate_exposure",
    "muscle_cramps",
)


def visible_text(content: bytes) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", content.decode())))


def test_a_saved_record_shows_what_was_entered_in_words(client_as, clinician, patient):
    data = payload(
        immunosuppressants=[{"drug": "tacrolimus", "route": "iv", "trough": {"value": 9, "unit": "ug/L"}}],
        medications=[{"id": "azole_antifungal"}, {"id": "proton_pump_inhibitor", "days": 120}],
        conditions=["citrate_exposure"],
        symptoms=["muscle_cramps"],
        transplant=transplant_of(patient, timezone.now()),
    )
    saved = services.assessment_save(user=clinician, patient=patient, data=data, sample_time=timezone.now())
    content = client_as("clinician").get(reverse("assessment-detail", args=[saved.pk])).content.decode()
    # The table of what was entered (the result's own texts are the clinical core's, tested there).
    table = content[content.index('id="input-heading"') :]
    entered = visible_text(table[: table.index("</table>")].encode())
    for machine_id in MACHINE_IDS:
        assert machine_id not in entered, machine_id
    assert "Immunosuppressant 1: route IV" in entered
    assert "Azole antifungal" in entered and "Proton pump inhibitor (PPI) (120 days)" in entered
    assert "Serum creatinine 70 µmol/L" in entered
