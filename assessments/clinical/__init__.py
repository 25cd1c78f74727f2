"""HypoMag's clinical core: plain Python, no Django. PROTOCOL.md rule set 2026.2, one module per section.

`parse_input(json) -> ParseResult` validates the contract input; `assess(input) -> Assessment` applies the rules;
`to_json(assessment)` gives the contract output; `grade_magnesium` is the CTCAE grade alone (for integrations).
"""

RULESET_VERSION = "2026.2"

from .engine import assess  # noqa: E402
from .parse import FieldError, ParseResult, parse_input  # noqa: E402
from .serialize import to_json  # noqa: E402
from .severity import grade_magnesium  # noqa: E402

__all__ = ["RULESET_VERSION", "FieldError", "ParseResult", "assess", "grade_magnesium", "parse_input", "to_json"]
