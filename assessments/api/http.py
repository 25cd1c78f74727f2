"""The one reader of JSON request bodies, and JSON answers that no one may store.

Used by the JSON API, the EHR endpoints (FHIR input, CDS Hooks), the FHIR import page, the what-if view and the
`assess` command, so that a body that is not JSON gets the same answer, in the same words, everywhere:

- text that is not JSON (or not UTF-8): `JsonBodyError` with status 415;
- well-formed JSON that Python will not read (nested deeper than the recursion limit, an integer of more than 4300
  digits): status 400, the client's input error, never a 500;
- a request whose content type is not one of the media types the endpoint takes: 415.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse


class JsonBodyError(Exception):
    """A body or text that cannot be read as JSON; `status` is the HTTP status, `errors` the contract-style errors."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message

    @property
    def errors(self) -> list[dict[str, str]]:
        return [{"field": "input", "message": self.message}]


def json_loads(text: str | bytes, *, what: str = "the body") -> Any:
    """The JSON value of `text`; JsonBodyError naming `what` when it cannot be read."""
    try:
        return json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise JsonBodyError(415, f"{what} is not valid JSON: {exc}") from exc
    except RecursionError as exc:
        raise JsonBodyError(400, f"{what} is nested too deeply") from exc
    except ValueError as exc:
        raise JsonBodyError(400, f"{what} cannot be read: {exc}") from exc


def read_json_body(request: HttpRequest, *, media_types: tuple[str, ...] = ("application/json",)) -> Any:
    """The request's JSON body; JsonBodyError(415) for another content type, and as `json_loads` for the text."""
    if request.content_type not in media_types:
        got = request.content_type or "no content type"
        raise JsonBodyError(415, f"send {' or '.join(media_types)}, not {got}")
    return json_loads(request.body)


def no_store(response: HttpResponse) -> HttpResponse:
    """Patient data, and error messages that quote it: no browser or proxy may keep a copy."""
    response["Cache-Control"] = "no-store"
    return response


def json_response(data: Any, *, status: int = 200) -> JsonResponse:
    response = JsonResponse(data, status=status)
    no_store(response)
    return response


def errors_response(errors: list[dict[str, str]], *, status: int) -> JsonResponse:
    return json_response({"errors": errors}, status=status)
