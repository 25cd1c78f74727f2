"""Sources: every id a rule cites exists, and `references.py` still matches KNOWLEDGE.md section 0.1."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assessments.clinical.references import REFERENCES
from assessments.clinical.rules import cited_source_ids

KNOWLEDGE = Path(__file__).resolve().parents[2].parent / "shared" / "clinical" / "KNOWLEDGE.md"
# | S12 | source (title · journal · year) | where found | Q2 |
ROW = re.compile(r"^\| (S\d+) \| (.*?) \| (.*?) \| (Q\d.*?) \|$")
# A year, but not the start of a code such as LOINC 2000-8.
YEAR = re.compile(r"(?<![\d.-])(?:19|20)\d\d(?![\d-])")


def knowledge_rows() -> dict[str, tuple[str, str, str]]:
    rows = {}
    for line in KNOWLEDGE.read_text(encoding="utf-8").splitlines():
        match = ROW.match(line)
        if match:
            rows[match.group(1)] = match.group(2, 3, 4)
    return rows


ROWS = knowledge_rows()


def test_the_knowledge_table_was_read():
    # Guards the parser above: an empty table would make every test below pass vacuously.
    assert len(ROWS) >= 90
    assert "S1" in ROWS and "S17" in ROWS


def test_every_cited_id_exists():
    cited = cited_source_ids()
    unknown = {module: [s for s in ids if s not in REFERENCES] for module, ids in cited.items()}
    assert {m: s for m, s in unknown.items() if s} == {}


def test_the_rules_do_cite_sources():
    cited = cited_source_ids()
    assert "S17" in cited["severity"]
    assert "S35" in cited["dose"]
    assert "references" not in cited


def test_references_has_exactly_the_ids_of_knowledge_md():
    assert set(REFERENCES) == set(ROWS)


def test_each_reference_is_filed_under_its_own_id():
    assert [key for key, ref in REFERENCES.items() if ref.id != key] == []


@pytest.mark.parametrize("sid", sorted(ROWS, key=lambda s: int(s[1:])))
def test_each_reference_matches_its_row(sid):
    source, _where, quality = ROWS[sid]
    ref = REFERENCES[sid]
    # The title is the source cell without markdown emphasis; it is what the page shows.
    assert ref.title.strip()
    assert ref.title == source.replace("*", "")
    years = YEAR.findall(source)
    # The year is the last one written in the source cell (the edition or revision cited), or none.
    assert ref.year == (int(years[-1]) if years else None)
    assert ref.quality == quality


def test_a_source_without_a_year_has_none():
    assert REFERENCES["S8"].year is None  # "(year not seen)"
    assert REFERENCES["S23"].year is None  # "2000-8" is a LOINC code, not a year
