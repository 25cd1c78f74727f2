"""The hazard log and the hazard tests stay in step, so that `make test` fails when a hazard has no test.

This reads files only (it runs no test twice); `make safety-report` runs the hazard tests and prints their results.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LOG = ROOT / "docs" / "safety" / "hazard-log.md"
HEADING = re.compile(r"^## (HAZ\d{2}): (.+?)\s*$")
TESTS_LINE = re.compile(r"^(?:[-*]\s+)?Tests:\s*(.*)$")
TEST_DEF = re.compile(r"^\s*(?:async\s+)?def (test_haz(\d{2})_\w+)\s*\(", re.MULTILINE)
# The hazards issues 7 and 13 ask for, by id: renumbering one must be a deliberate edit here too.
REQUIRED = {f"HAZ{n:02d}" for n in (*range(1, 17), *range(30, 40))}


def hazards() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    current = None
    for line in LOG.read_text(encoding="utf-8").splitlines():
        heading = HEADING.match(line)
        if heading:
            assert heading.group(1) not in found, f"{heading.group(1)} appears twice"
            current = heading.group(1)
            found[current] = []
        elif (tests := TESTS_LINE.match(line.strip())) and current is not None:
            found[current] += [name.strip() for name in tests.group(1).split(",") if name.strip()]
    return found


def defined() -> set[str]:
    return {m.group(1) for p in (ROOT / "tests").rglob("*.py") for m in TEST_DEF.finditer(p.read_text("utf-8"))}


def test_the_log_has_every_hazard_of_the_issue():
    assert REQUIRED - set(hazards()) == set()


def test_every_hazard_lists_at_least_one_test():
    assert [hazard for hazard, tests in hazards().items() if not tests] == []


def test_every_listed_test_exists_and_carries_its_hazard_id():
    tests = defined()
    for hazard, names in hazards().items():
        for name in names:
            assert name in tests, f"{hazard} lists {name}, which is not defined in tests/"
            assert name.startswith(f"test_{hazard.lower()}_"), f"{hazard} lists {name}"


def test_every_hazard_test_is_in_the_log_under_its_hazard():
    log = hazards()
    listed = {name for names in log.values() for name in names}
    for name in defined():
        hazard = name[len("test_") : len("test_haz00")].upper()
        assert hazard in log, f"{name} is about {hazard}, which is not in the hazard log"
        assert name in listed, f"{name} is not listed under {hazard} in the hazard log"
