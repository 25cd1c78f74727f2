"""`python manage.py assess FILE|-`: the contract output JSON on stdout (exit 0), or
`{"errors": [...]}` for invalid input (exit 2). Never a traceback for bad input.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandParser

from assessments.api.http import JsonBodyError, json_loads
from assessments.services import assessment_run

EXIT_INVALID = 2


class Command(BaseCommand):
    help = "Assess one case from a contract input JSON file (or - for standard input)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="input JSON file, or - for standard input")

    def handle(self, *args: object, **options: object) -> None:
        source = str(options["file"])
        try:
            text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            self._fail([{"field": "input", "message": f"cannot read {source}: {exc}"}])
        try:
            data = json_loads(text, what="the input")
        except JsonBodyError as refused:
            # Not JSON, or JSON nested deeper than Python reads: bad input, so exit 2, not a traceback.
            self._fail(refused.errors)
        outcome = assessment_run(data=data)
        if not outcome.ok:
            self._fail(outcome.errors)
        self.stdout.write(json.dumps(outcome.output, indent=2, ensure_ascii=False))

    def _fail(self, errors: list[dict[str, str]]) -> None:
        self.stdout.write(json.dumps({"errors": errors}, indent=2, ensure_ascii=False))
        sys.exit(EXIT_INVALID)
