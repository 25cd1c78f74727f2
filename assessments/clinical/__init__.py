"""HypoMag's clinical core: plain Python, no Django. PROTOCOL.md rule set 2026.2, one module per section.

`parse_input(json) -> ParseResult` validates the contract input; `assess(input) -> Assessment` applies the rules;
`to_json(assessment)` gives the contract output; for integrations that hold a result but not a whole assessment,
`grade_magnesium` is the CTCAE grade alone and `result_warnings` the warnings that depend on the result alone.
"""

RULESET_VERSION = "2026.2"

from .engine import assess  # noqa: E402
from .parse import FieldError, ParseResult, parse_input  # noqa: E402
from .plausibility import STALE_AFTER_HOURS, result_warnings  # noqa: E402
from .serialize import to_json, warnings_to_json  # noqa: E402
from .severity import grade_magnesium  # noqa: E402

__all__ = [
    "RULESET_VERSION",
    "STALE_AFTER_HOURS",
    "FieldError",
    "ParseResult",
    "assess",
    "grade_magnesium",
    "parse_input",
    "result_warnings",
    "to_json",
    "warnings_to_json",
]
