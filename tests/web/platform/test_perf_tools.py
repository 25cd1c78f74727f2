"""The measuring tools' own logic (scripts/serving.py, scripts/engine_timer.py): what they post and what they time.

No speed is asserted here: `make bench` and `make load` report figures, they are not tests.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "scripts"))

import engine_timer  # noqa: E402
import serving  # noqa: E402

PAGE = """
<form method="post" action="/accounts/logout/"><input type="hidden" name="csrfmiddlewaretoken" value="t0"></form>
<form method="post" id="assessment-form">
  <input type="hidden" name="csrfmiddlewaretoken" value="t1">
  <input name="magnesium_value" value="0.55">
  <input inputmode="decimal" name="empty">
  <input type="checkbox" name="on_tacrolimus" checked>
  <input type="checkbox" name="on_cyclosporine" value="yes">
  <input type="radio" name="route" value="iv">
  <input type="radio" name="route" value="oral" checked>
  <input name="locked" value="x" disabled>
  <select name="unit"><option value="mmol/L">mmol/L</option><option value="mg/dL" selected>mg/dL</option></select>
  <select name="setting"><option value="inpatient">Inpatient</option><option>outpatient</option></select>
  <select name="drugs" multiple><option value="a">A</option></select>
  <textarea name="note">
line one &amp; two</textarea>
  <button type="submit" name="go" value="1">Go</button>
  <input type="submit" name="also" value="Save">
</form>
<section><select name="save-patient" form="assessment-form"><option value="">Choose</option>
  <option value="7">Bed 7</option></select>
  <input name="other" form="another-form" value="no"></section>
"""


def test_form_fields_are_what_a_browser_posts() -> None:
    assert serving.form_fields(PAGE, "assessment-form") == [
        ("csrfmiddlewaretoken", "t1"),
        ("magnesium_value", "0.55"),
        ("empty", ""),
        ("on_tacrolimus", "on"),
        ("route", "oral"),
        ("unit", "mg/dL"),
        ("setting", "inpatient"),
        ("note", "line one & two"),
        ("save-patient", ""),
    ]


def test_a_form_is_found_by_a_field_it_has() -> None:
    assert serving.form_fields(PAGE, having="csrfmiddlewaretoken") == [("csrfmiddlewaretoken", "t0")]
    assert serving.form_fields(PAGE, having="magnesium_value")[0] == ("csrfmiddlewaretoken", "t1")
    with pytest.raises(SystemExit):
        serving.form_fields(PAGE, "missing")


def test_with_field_replaces_every_value_of_a_name() -> None:
    pairs = [("a", "1"), ("b", "2"), ("a", "3")]
    assert serving.with_field(pairs, "a", "9") == [("b", "2"), ("a", "9")]
    assert serving.with_field(pairs, "c", "0") == [*pairs, ("c", "0")]


def test_demo_cases_are_contract_inputs() -> None:
    files = serving.demo_case_files()
    assert files
    for path in files:
        case = json.loads(path.read_text())
        assert case["name"] and isinstance(case["input"], dict)


def test_the_timed_engine_path_gives_the_contract_output(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "path", list(sys.path))
    parse_input, assess, to_json, where = engine_timer.engine_api(ROOT)
    assert Path(where) == ROOT / "assessments" / "clinical"
    output = to_json(assess(parse_input(serving.golden_case()["input"]).input))
    assert output["severity"]["ctcae_grade"] == 1


def test_the_engine_of_another_tree_is_refused_when_it_is_not_on_the_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "path", list(sys.path))
    # The tree's own package must be the one imported: here assessments.clinical is already this tree's.
    (tmp_path / "assessments" / "clinical").mkdir(parents=True)
    with pytest.raises(SystemExit, match="not from the tree"):
        engine_timer.engine_api(tmp_path)
