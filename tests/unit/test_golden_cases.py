"""The golden cases of `../shared/clinical/cases`, checked in-process with the contract's own checker.

`check_cases.py` runs a command per case; here its `CHECKS` are applied to `assessment_run`'s output directly, so
the whole set runs in a fraction of a second and a failure names the case and every expectation it missed.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import jsonschema
import pytest

from assessments.services import assessment_run

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
CASES = sorted((SHARED / "clinical" / "cases").glob("*.json"))
SCHEMA = json.loads((SHARED / "contract" / "assessment-input.schema.json").read_text(encoding="utf-8"))


def _load_checker():
    spec = importlib.util.spec_from_file_location("check_cases", SHARED / "contract" / "check_cases.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)
    spec.loader.exec_module(module)
    return module


checker = _load_checker()


def _case(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _name(path: Path) -> str:
    return str(_case(path).get("name") or path.stem)


def _output(case: dict) -> tuple[int, dict]:
    """(exit code, output) as `manage.py assess -` would give them, through a JSON round trip."""
    outcome = assessment_run(data=case["input"])
    output = outcome.output if outcome.ok else {"errors": outcome.errors}
    return (0 if outcome.ok else 2), json.loads(json.dumps(output))


def test_the_cases_were_found():
    # An empty glob would parametrize nothing and pass silently.
    assert len(CASES) >= 14


@pytest.mark.parametrize("path", CASES, ids=_name)
def test_golden_case(path):
    case = _case(path)
    expect = case["expect"]
    failures = [
        checker.Failure(key, "a known expectation key", "unknown key")
        for key in expect
        if key not in checker.KNOWN_KEYS
    ]
    exit_code, output = _output(case)
    if exit_code != expect.get("exit_code", 0):
        failures.append(checker.Failure("exit_code", expect.get("exit_code", 0), f"{exit_code} (output: {output})"))
    else:
        for key, expected in expect.items():
            if key in checker.CHECKS:
                failures.extend(checker.CHECKS[key](expected, output))
    name = _name(path)
    assert not failures, "\n" + "\n".join(failure.line(name) for failure in failures)


@pytest.mark.parametrize("path", [p for p in CASES if not _case(p).get("invalid_input")], ids=_name)
def test_golden_case_input_is_valid_against_the_schema(path):
    validator = jsonschema.validators.validator_for(SCHEMA)(SCHEMA)
    problems = [
        f"{'.'.join(str(p) for p in e.absolute_path) or '(root)'}: {e.message}"
        for e in validator.iter_errors(_case(path)["input"])
    ]
    assert problems == []


def test_the_schema_is_itself_valid():
    jsonschema.validators.validator_for(SCHEMA).check_schema(SCHEMA)
