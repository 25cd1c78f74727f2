"""Structured logs that keep patient identifiers out: one JSON object per line, and a filter that redacts.

A filter cannot know which strings are hospital identifiers, so it redacts by shape: the query string of any logged
path (forms and filters put data there), the values of dict keys that name an identifier, a label or a secret,
PostgreSQL's `Key (column)=(value)` details, and bearer tokens. Paths themselves stay: they hold database ids only
(assessments/records/urls.py). Wired in settings.LOGGING; tests/web/platform/test_logging.py holds it to this.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime
from typing import Any

REDACTED = "[redacted]"
SENSITIVE_KEY = re.compile(r"hospital_id|label|password|token|secret|authori[sz]ation|cookie|session", re.IGNORECASE)
PATTERNS = [
    (re.compile(r"(/[^\s?\"']*)\?[^\s\"']*"), r"\1"),  # /patients/?ward=2&q=H0001 -> /patients/
    (re.compile(r"\b(bearer)\s+[\w.~+/=-]+", re.IGNORECASE), rf"\1 {REDACTED}"),
    (re.compile(r"\(([^()]*)\)=\([^()]*\)"), rf"(\1)=({REDACTED})"),  # IntegrityError: Key (hospital_id)=(H0001)
]


def redact(value: Any) -> Any:
    """The value with sensitive dict values replaced and the patterns above applied to every string in it."""
    if isinstance(value, str):
        for pattern, replacement in PATTERNS:
            value = pattern.sub(replacement, value)
        return value
    if isinstance(value, dict):
        return {key: REDACTED if SENSITIVE_KEY.search(str(key)) else redact(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(redact(item) for item in value)
    return value


class RedactFilter(logging.Filter):
    """Formats the message from redacted arguments, redacts the result and the traceback; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not isinstance(record.msg, str):
            record.msg = redact(record.msg)  # logger.info({"hospital_id": ...})
        try:
            message = str(record.msg) % redact(record.args) if record.args else str(record.msg)
        except (TypeError, ValueError, KeyError):  # a broken call must not break the request, nor leak its args
            message = str(record.msg)
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


class JsonFormatter(logging.Formatter):
    """One line of JSON: time, level, logger, message; path, method and status when the record has a request."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            # django.request and django.security attach the request; request.path never holds the query string.
            "path": getattr(getattr(record, "request", None), "path", None),
            "method": getattr(getattr(record, "request", None), "method", None),
            "status": getattr(record, "status_code", None),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        return json.dumps({key: value for key, value in entry.items() if value is not None}, default=str)
