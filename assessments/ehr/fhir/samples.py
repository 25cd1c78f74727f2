"""The sample FHIR bundles in `examples/`: test fixtures, and the demo's "try a sample" links on the import page.

All invented (no official serum Mg example exists); see each file's resources for the case it shows.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

EXAMPLES_DIR = Path(__file__).resolve().parent / "examples"


@cache
def sample_names() -> tuple[str, ...]:
    return tuple(sorted(path.stem for path in EXAMPLES_DIR.glob("*.json")))


def sample_text(name: str) -> str | None:
    """The file's text, or None for a name that is not a sample (the name comes from a URL: no paths)."""
    if name not in sample_names():
        return None
    return (EXAMPLES_DIR / f"{name}.json").read_text(encoding="utf-8")


def sample_load(name: str) -> dict[str, Any]:
    text = sample_text(name)
    if text is None:
        raise KeyError(name)
    return json.loads(text)
