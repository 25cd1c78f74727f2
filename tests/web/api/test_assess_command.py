"""`python manage.py assess FILE|-` (contract README, "Entry points"): the output JSON on stdout and exit 0, or
`{"errors": [...]}` on stdout and exit 2 for bad input, never a traceback.

The subprocess tests run the command the way a user (and `check_cases.py`) does; `call_command` covers the rest
faster, in process.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from assessments.clinical import RULESET_VERSION
from assessments.services import assessment_run
from tests.builders import payload

REPO = Path(__file__).resolve().parents[3]
EXIT_INVALID = 2


def assess(*args: str, stdin: str | bytes = b"") -> subprocess.CompletedProcess[bytes]:
    """Run `manage.py assess` in a fresh interpreter, as from a shell."""
    return subprocess.run(
        [sys.executable, "manage.py", "assess", *args],
        cwd=REPO,
        input=stdin.encode() if isinstance(stdin, str) else stdin,
        capture_output=True,
        timeout=60,
        check=False,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
    )


def call(*args: str, stdin: str = "") -> tuple[int, str]:
    """Run the command in process; (exit status, stdout)."""
    out = io.StringIO()
    code = 0
    old_stdin, sys.stdin = sys.stdin, io.StringIO(stdin)
    try:
        call_command("assess", *args, stdout=out)
    except SystemExit as exc:
        code = int(exc.code or 0)
    finally:
        sys.stdin = old_stdin
    return code, out.getvalue()


def test_it_works():
    data = payload(mg=(0.52, "mmol/L"))

    result = assess("-", stdin=json.dumps(data))

    assert result.returncode == 0, result.stderr
    output = json.loads(result.stdout)
    assert output["ruleset"] == RULESET_VERSION
    assert output["severity"]["ctcae_grade"] == 1
    # One contract: the command prints what the API returns.
    assert output == assessment_run(data=data).output
    assert result.stderr == b""


def test_it_reports_invalid_input_with_exit_2():
    result = assess("-", stdin=json.dumps(payload(mg=(18, "mmol/L"))))

    assert result.returncode == EXIT_INVALID
    errors = json.loads(result.stdout)["errors"]
    assert [e["field"] for e in errors] == ["labs.magnesium.value"]
    assert b"Traceback" not in result.stderr


def test_it_reports_malformed_json_with_exit_2():
    result = assess("-", stdin='{"patient": ')

    assert result.returncode == EXIT_INVALID
    assert [e["field"] for e in json.loads(result.stdout)["errors"]] == ["input"]
    assert b"Traceback" not in result.stderr


def test_it_reports_bytes_that_are_not_utf8_with_exit_2():
    result = assess("-", stdin=b'{"setting": "in\xe9patient"}')

    assert result.returncode == EXIT_INVALID
    assert json.loads(result.stdout)["errors"]
    assert b"Traceback" not in result.stderr


def test_it_reports_json_nested_too_deeply_with_exit_2():
    result = assess("-", stdin="[" * 100_000 + "]" * 100_000)

    # Python cannot read it (RecursionError): still bad input, not a crash.
    assert result.returncode == EXIT_INVALID
    assert [e["field"] for e in json.loads(result.stdout)["errors"]] == ["input"]
    assert b"Traceback" not in result.stderr


def test_it_reads_a_file(tmp_path):
    case = tmp_path / "case.json"
    case.write_text(json.dumps(payload(mg=(1.2, "mg/dL"))), encoding="utf-8")

    result = assess(str(case))

    assert result.returncode == 0, result.stderr
    output = json.loads(result.stdout)
    assert output["magnesium"]["entered"] == {"value": 1.2, "unit": "mg/dL"}


def test_it_reports_a_missing_file_with_exit_2(tmp_path):
    result = assess(str(tmp_path / "missing.json"))

    assert result.returncode == EXIT_INVALID
    errors = json.loads(result.stdout)["errors"]
    assert [e["field"] for e in errors] == ["input"]
    assert "missing.json" in errors[0]["message"]
    assert b"Traceback" not in result.stderr


def test_it_reports_a_directory_with_exit_2(tmp_path):
    code, stdout = call(str(tmp_path))

    assert code == EXIT_INVALID
    assert json.loads(stdout)["errors"][0]["field"] == "input"


def test_it_reads_standard_input_in_process():
    code, stdout = call("-", stdin=json.dumps(payload()))

    assert code == 0
    assert json.loads(stdout)["plan"]["route"] == "oral"


@pytest.mark.parametrize(
    "text",
    ["", "[]", "42", "null", '{"patient": {"age_years": 45}}', '{"labs": {"magnezium": 1}}'],
    ids=["empty", "list", "number", "null", "incomplete", "unknown-key"],
)
def test_it_reports_every_kind_of_bad_input_with_exit_2(text):
    code, stdout = call("-", stdin=text)

    assert code == EXIT_INVALID
    errors = json.loads(stdout)["errors"]
    assert errors and all(e["field"] and e["message"] for e in errors)


def test_it_requires_a_file_argument():
    result = assess()

    # argparse's own usage error (exit 2) on stderr; nothing half-done on stdout.
    assert result.returncode == EXIT_INVALID
    assert b"Traceback" not in result.stderr
    assert result.stdout == b""
