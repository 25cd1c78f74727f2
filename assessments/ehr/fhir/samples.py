"""The sample FHIR bundles in `examples/`: test fixtures, and the demo's "try a sample" links on the import page.

All invented (no official serum Mg example exists); see each file's resources for the case it shows. The files are
drawn against one clock, `DRAWN_FOR` (their results three hours old, or 75 for the stale one); the tests freeze
time there. The import page shows them re-dated to the moment it is opened (`sample_text(name, now=...)`), so that
a sample keeps showing what it was made to show: a sample read months later would otherwise be an old result that
rule set 2026.2 does not assess (over 720 h, PROTOCOL.md section 2). A time after `DRAWN_FOR` (the future-dated
sample's 9999-12-31) is left as it is, and birth dates are never moved.
"""

from __future__ import annotations

import datetime as dt
import json
from functools import cache
from pathlib import Path
from typing import Any

EXAMPLES_DIR = Path(__file__).resolve().parent / "examples"
DRAWN_FOR = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
# The keys whose times are when something happened to the patient (not when they were born).
_TIME_KEYS = ("effectiveDateTime", "effectiveInstant", "issued", "authoredOn", "start", "end")


# What each sample shows, in words for the import page's list (a test checks that every file has its title).
SAMPLE_TITLES = {
    "v1_full": "A full bundle: golden case V1 (Mg, an older Mg, potassium, calcium, albumin, creatinine, weight)",
    "severe_magnesium": "Severe: Mg 0.35 mmol/L with potassium 2.9 mmol/L",
    "stale_magnesium": "A Mg result 75 hours old (stale)",
    "mg_mass_units": "Mg in mg/dL under its own code, potassium in mEq/L",
    "mismatch_2601_3_in_mg_dl": "Mg in mg/dL under the mmol/L code (refused)",
    "future_dated_magnesium": "A second Mg result dated in the future (refused)",
    "two_patients": "Results of two patients in one bundle (refused)",
    "amended_observation": "One amended Mg result, not in a bundle",
}


@cache
def sample_names() -> tuple[str, ...]:
    return tuple(sorted(path.stem for path in EXAMPLES_DIR.glob("*.json")))


def sample_list() -> list[tuple[str, str]]:
    """(name, title) of each sample, in the order of SAMPLE_TITLES; a file without a title is listed by name."""
    order = {name: index for index, name in enumerate(SAMPLE_TITLES)}
    names = sorted(sample_names(), key=lambda name: (order.get(name, len(order)), name))
    return [(name, SAMPLE_TITLES.get(name, name)) for name in names]


def sample_text(name: str, *, now: dt.datetime | None = None) -> str | None:
    """The file's text, or None for a name that is not a sample (the name comes from a URL: no paths); with `now`,
    the bundle re-dated so that its results are as old at `now` as they were at DRAWN_FOR."""
    if name not in sample_names():
        return None
    text = (EXAMPLES_DIR / f"{name}.json").read_text(encoding="utf-8")
    if now is None:
        return text
    return json.dumps(_shifted(json.loads(text), now - DRAWN_FOR), indent=2) + "\n"


def sample_load(name: str) -> dict[str, Any]:
    text = sample_text(name)
    if text is None:
        raise KeyError(name)
    return json.loads(text)


def _shifted(value: Any, by: dt.timedelta) -> Any:
    if isinstance(value, dict):
        return {key: _moved(child, by) if key in _TIME_KEYS else _shifted(child, by) for key, child in value.items()}
    if isinstance(value, list):
        return [_shifted(child, by) for child in value]
    return value


def _moved(value: Any, by: dt.timedelta) -> Any:
    """A full date and time at or before DRAWN_FOR, moved by `by` (in UTC, written with Z); anything else as it is."""
    if not isinstance(value, str) or "T" not in value:
        return value
    try:
        when = dt.datetime.fromisoformat(value)
    except ValueError:
        return value
    if when.tzinfo is None or when > DRAWN_FOR:
        return value
    return (when + by).astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
