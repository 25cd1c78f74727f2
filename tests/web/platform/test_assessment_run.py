"""`assessment_run(*, data)`: the one service the API, the command and the page call. It returns the contract
output or the field errors, never both and never neither.
"""

from __future__ import annotations

import copy
import dataclasses
import json

import pytest

from assessments.clinical import RULESET_VERSION, assess, parse_input, to_json
from assessments.services import AssessmentOutcome, assessment_run
from tests.builders import payload


def test_it_returns_the_output_for_a_valid_input():
    outcome = assessment_run(data=payload())

    assert outcome.ok
    assert outcome.errors == []
    assert outcome.output is not None
    assert outcome.output["ruleset"] == RULESET_VERSION


def test_it_returns_what_the_clinical_core_returns():
    data = payload(mg=(0.35, "mmol/L"), symptoms=["tetany"])

    outcome = assessment_run(data=data)

    # The service adds nothing and drops nothing: the contract output is the core's.
    assert outcome.output == to_json(assess(parse_input(data).input))


def test_it_returns_field_errors_for_an_invalid_input():
    outcome = assessment_run(data=payload(mg=(18, "mmol/L")))

    assert not outcome.ok
    assert outcome.output is None
    assert [e["field"] for e in outcome.errors] == ["labs.magnesium.value"]
    # Plain dicts with exactly these keys: the API and the command dump them as they are.
    assert all(set(e) == {"field", "message"} for e in outcome.errors)


@pytest.mark.parametrize(
    "data",
    [
        payload(),
        payload(mg=(2.0, "mmol/L")),
        payload(mg=(0.2, "mg/dL"), symptoms=["torsades"]),
        payload(mg=(18, "mmol/L")),
        payload(patient={"age_years": 0.01}),
        {},
        [],
        None,
        "text",
        {"labs": {"magnezium": 1}},
    ],
    ids=["valid", "hyper", "urgent", "out-of-range", "neonate", "empty", "list", "null", "text", "unknown-key"],
)
def test_it_returns_output_or_errors_never_both(data):
    outcome = assessment_run(data=data)

    assert (outcome.output is None) != (outcome.errors == [])
    assert outcome.ok == (outcome.output is not None)
    # Whatever came back goes out as JSON unchanged.
    json.dumps(dataclasses.asdict(outcome), allow_nan=False)


def test_it_leaves_the_input_alone():
    data = payload(medications=[{"id": "proton_pump_inhibitor"}], symptoms=["tremor"])
    before = copy.deepcopy(data)

    assessment_run(data=data)

    # The page re-renders the form from the same dict it sent.
    assert data == before


def test_it_takes_keyword_arguments_only():
    with pytest.raises(TypeError):
        assessment_run(payload())  # type: ignore[misc]


def test_its_outcome_is_immutable():
    outcome = assessment_run(data=payload())

    with pytest.raises(dataclasses.FrozenInstanceError):
        outcome.errors = [{"field": "x", "message": "y"}]  # type: ignore[misc]
    assert isinstance(outcome, AssessmentOutcome)
