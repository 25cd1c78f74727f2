"""The one reader of JSON request bodies, and JSON answers that no one may store.

Used by the JSON API, the EHR endpoints (FHIR input, CDS Hooks), the FHIR import page, the what-if view and the
`assess` command, so that a body that is not JSON gets the same answer, in the same words, everywhere:

- text that is not JSON (or not UTF-8): `JsonBodyError` with status 415;
- well-formed JSON that Python will not read (nested deeper than the recursion limit, an integer of more than 4300
  digits): status 400, the client's input error, never a 500;
- JSON that is well formed but that no clinical input may carry (status 400, the message names the place):
  a key given twice in one object (`{"value": 0.5, "value": 5}`: Python would keep the last one silently, so which
  number was meant is unknown); a NUL character or a lone UTF-16 surrogate (`"\\u0000"`, `"\\ud800"`) in any key or
  text (PostgreSQL refuses them, a page cannot be encoded with them, and no clinical text contains them);
- a request whose content type is not one of the media types the endpoint takes: 415.
"""

from __future__ import annotations

import json
import re
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse

# NUL, and the UTF-16 surrogate range: a decoded JSON text holds a surrogate only when it was sent alone (a valid
# pair such as "\ud83d\ude00" is decoded into the one character it stands for).
FORBIDDEN_CHARACTERS = re.compile("[\x00\ud800-\udfff]")


class JsonBodyError(Exception):
    """A body or text that cannot be read as JSON; `status` is the HTTP status, `errors` the contract-style errors.

    `field` is where in the JSON the problem is (`labs.magnesium`), or `input` when it is the text as a whole."""

    def __init__(self, status: int, message: str, field: str = "input") -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field

    @property
    def errors(self) -> list[dict[str, str]]:
        return [{"field": self.field, "message": self.message}]


class _DuplicateKeys(dict):
    """An object in which a key was given more than once (kept aside to be reported with its place)."""

    duplicates: list[str]


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    value = dict(pairs)
    if len(value) == len(pairs):
        return value
    seen: set[str] = set()
    repeated: list[str] = []
    for key, _ in pairs:
        if key in seen and key not in repeated:
            repeated.append(key)
        seen.add(key)
    marked = _DuplicateKeys(value)
    marked.duplicates = repeated
    return marked


def _join(path: str, key: str | int) -> str:
    name = str(key) or '""'
    return f"{path}.{name}" if path else name


def describe_character(text: str) -> str:
    found = FORBIDDEN_CHARACTERS.search(text)
    assert found is not None
    return "a NUL character" if found.group() == "\x00" else "a lone UTF-16 surrogate (half of a character)"


def unsafe_text_error(value: Any, *, what: str = "the body") -> JsonBodyError | None:
    """The first key given twice, NUL or lone surrogate anywhere in a decoded JSON value, as an error naming its path;
    None when there is none. Walks iteratively: the depth is bounded only by the JSON parser."""
    stack: list[tuple[str, Any]] = [("", value)]
    while stack:
        path, item = stack.pop()
        if isinstance(item, str):
            if FORBIDDEN_CHARACTERS.search(item):
                return JsonBodyError(
                    400, f"{what} has {describe_character(item)} in the text at {path or 'the top'}: remove it",
                    path or "input",
                )  # fmt: skip
        elif isinstance(item, dict):
            if isinstance(item, _DuplicateKeys):
                key = item.duplicates[0]
                return JsonBodyError(
                    400, f'{what} gives the key "{key}" more than once in one object: send each key once, with the '
                    "value you mean", _join(path, key),
                )  # fmt: skip
            for key, child in item.items():
                if FORBIDDEN_CHARACTERS.search(key):
                    return JsonBodyError(
                        400, f"{what} has {describe_character(key)} in a key at {path or 'the top'}: remove it",
                        path or "input",
                    )  # fmt: skip
                stack.append((_join(path, key), child))
        elif isinstance(item, list):
            stack.extend((_join(path, index), child) for index, child in enumerate(item))
    return None


def json_loads(text: str | bytes, *, what: str = "the body") -> Any:
    """The JSON value of `text`; JsonBodyError naming `what` (and the place in it) when it cannot be read or carries a
    repeated key, a NUL or a lone surrogate."""
    try:
        value = json.loads(text, object_pairs_hook=_object)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise JsonBodyError(415, f"{what} is not valid JSON: {exc}") from exc
    except RecursionError as exc:
        raise JsonBodyError(400, f"{what} is nested too deeply") from exc
    except ValueError as exc:
        raise JsonBodyError(400, f"{what} cannot be read: {exc}") from exc
    refused = unsafe_text_error(value, what=what)
    if refused is not None:
        raise refused
    return value


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
