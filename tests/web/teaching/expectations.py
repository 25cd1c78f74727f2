"""A teaching case's `expect` checked against an engine output, with the contract's own checker.

The checker is `../shared/contract/check_cases.py` (its `CHECKS`), the one that judges the golden cases, loaded
from the shared folder beside the repository as `tests/unit/test_golden_cases.py` does. Test code: the running app
never reads `../shared`.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

from assessments.services import assessment_run

# The repository's root is the folder holding manage.py, wherever this helper sits below it.
ROOT = next(p for p in Path(__file__).resolve().parents if (p / "manage.py").exists())
SHARED = ROOT.parent / "shared"
CHECKER_PATH = SHARED / "contract" / "check_cases.py"
SCHEMA_PATH = SHARED / "contract" / "assessment-input.schema.json"


@cache
def contract_checker() -> ModuleType:
    spec = importlib.util.spec_from_file_location("check_cases", CHECKER_PATH)
    if spec is None or spec.loader is None:
        raise FileNotFoundError(CHECKER_PATH)
    module = sys.modules.get(spec.name)
    if module is None:
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
    return module


def expectation_failures(*, expect: dict[str, Any], output: dict[str, Any]) -> list[str]:
    """One line per expectation the output misses (an unknown key is itself a failure, as in check_cases.py)."""
    checker = contract_checker()
    failures = [checker.Failure(key, "a known expectation key", "unknown key") for key in expect]
    failures = [f for f in failures if f["key"] not in checker.KNOWN_KEYS]
    # Through JSON, as the command line would print it: tuples become lists, numbers stay numbers.
    output = json.loads(json.dumps(output))
    for key, expected in expect.items():
        if key in checker.CHECKS:
            failures.extend(checker.CHECKS[key](expected, output))
    return [f.line("case") for f in failures]


def case_failures(*, input: dict[str, Any], expect: dict[str, Any]) -> list[str]:
    """Runs the input through the service, as the ward page does, then checks `expect`."""
    outcome = assessment_run(data=input)
    if not outcome.ok:
        return [f"input refused: {outcome.errors}"]
    return expectation_failures(expect=expect, output=outcome.output)
