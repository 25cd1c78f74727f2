"""The shape of FHIR JSON, checked before `fhir.resources` sees it.

`fhir.resources` picks the model class of every nested resource (a Bundle entry, a contained resource, a
Parameters value) from its `resourceType`, and for a `resourceType` that is not a text (a number, null, a list, an
object) or not an R4 resource name (a typo, an R5-only name such as `ActorDefinition`) it raises `TypeError` or
`KeyError` instead of a validation error. These checks find such places first and name them, so that the answer is a
400 that says what to fix. `model_errors` turns what the model raises into the same kind of message, whatever it
raises.

Plain Python; no Django.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from pydantic import ValidationError

from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.domainresource import DomainResource
from fhir.resources.R4B.resource import Resource

MAX_ERRORS = 20
# The Quantities HypoMag reads a value from: a result's, and its reference range's limits.
QUANTITY_KEYS = frozenset({"valueQuantity", "low", "high"})
# FHIR resource names: a capital letter, then letters (FHIR R4, "Resource.resourceType").
_NAME = re.compile(r"[A-Z][A-Za-z]{0,63}")
# What `fhir.resources` or pydantic may raise on JSON of an unexpected shape, besides ValidationError.
MODEL_FAILURES = (TypeError, KeyError, ValueError, AttributeError, IndexError, OverflowError, RecursionError)


@cache
def is_resource_name(name: str) -> bool:
    """True for the name of a concrete FHIR R4 resource (`Observation`, `Bundle`), False for anything else."""
    if not _NAME.fullmatch(name):
        return False
    try:
        model = get_fhir_model_class(name)
    except (KeyError, ValueError, AttributeError, ImportError):
        return False
    # Resource and DomainResource are abstract; data types (Quantity, Element) are not resources at all.
    return isinstance(model, type) and issubclass(model, Resource) and model not in (Resource, DomainResource)


def _join(path: str, key: str | int) -> str:
    return f"{path}.{key}" if path else str(key)


def _shown(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, str):
        return f'"{value[:40]}"' + ("..." if len(value) > 40 else "")
    return str(value)[:40]


_IN_ENTRY = re.compile(r"entry\.(\d+)\.resource(?:\.(.+))?\Z")


def place(data: Any, path: str) -> str:
    """A place in a Bundle as the EHR names it: "entry.1.resource.valueQuantity.value" is "Observation/mg-v1,
    valueQuantity.value" (the resource's type and id, then the path inside it); any other path as it is."""
    found = _IN_ENTRY.match(path)
    entries = data.get("entry") if isinstance(data, dict) else None
    if found is None or not isinstance(entries, list) or int(found.group(1)) >= len(entries):
        return path
    entry = entries[int(found.group(1))]
    resource = entry.get("resource") if isinstance(entry, dict) else None
    if not isinstance(resource, dict) or not isinstance(resource.get("id"), str):
        return path
    name = f"{str(resource.get('resourceType', 'resource'))[:40]}/{resource['id'][:64]}"
    return f"{name}, {found.group(2)}" if found.group(2) else name


def resource_type_errors(data: Any, *, root: str = "") -> list[dict[str, str]]:
    """Every object that carries a `resourceType` which is not the name of an R4 resource, and every Bundle entry
    that is not an object, as {field, message}; at most MAX_ERRORS."""
    errors: list[dict[str, str]] = []
    stack: list[tuple[str, Any]] = [(root, data)]
    while stack and len(errors) < MAX_ERRORS:
        path, item = stack.pop()
        if isinstance(item, list):
            stack.extend((_join(path, index), child) for index, child in reversed(list(enumerate(item))))
            continue
        if not isinstance(item, dict):
            continue
        if "resourceType" in item:
            kind = item["resourceType"]
            if not isinstance(kind, str):
                errors.append({"field": _join(path, "resourceType"), "message": (
                    f"the resource at {path or 'the top'} has resourceType {_shown(kind)}: it must be the name of "
                    "a FHIR R4 resource, such as Observation")})  # fmt: skip
            elif not is_resource_name(kind):
                errors.append({"field": _join(path, "resourceType"), "message": (
                    f"the resource at {path or 'the top'} has resourceType {_shown(kind)}, which is not a FHIR R4 "
                    "resource (an R5-only or misspelled name?): send FHIR R4 data")})  # fmt: skip
        if path.rsplit(".", 1)[-1] in QUANTITY_KEYS and isinstance(item.get("value"), str):
            # pydantic would read "0.52" as 0.52: the value is right, the export is not, and a decimal comma
            # ("0,52") would fail later with a vaguer message. FHIR JSON writes a decimal as a number.
            errors.append({"field": _join(path, "value"), "message": (
                f"{place(data, _join(path, 'value'))} is the text {_shown(item['value'])}: FHIR JSON writes a decimal"
                " as a number"
                " (0.52, without quotes); correct the export")})  # fmt: skip
        if item.get("resourceType") == "Bundle" and "entry" in item:
            entries = item["entry"]
            if not isinstance(entries, list):
                errors.append(
                    {
                        "field": _join(path, "entry"),
                        "message": f"Bundle.entry at {path or 'the top'} must be a list, not {_shown(entries)}",
                    }
                )
            else:
                for index, entry in enumerate(entries):
                    where = _join(_join(path, "entry"), index)
                    if not isinstance(entry, dict):
                        errors.append(
                            {
                                "field": where,
                                "message": f"the Bundle entry {where} must be an object, not {_shown(entry)}",
                            }
                        )
                    elif "resource" in entry and not isinstance(entry["resource"], dict):
                        errors.append(
                            {
                                "field": _join(where, "resource"),
                                "message": (
                                    f"the resource of {where} must be an object, not {_shown(entry['resource'])}"
                                ),
                            }
                        )
        stack.extend((_join(path, key), child) for key, child in reversed(list(item.items())))
    return errors[:MAX_ERRORS]


# The model's "Decimal value string does not match spec regex", as a person reads it: how FHIR writes that type.
_SPEC_REGEX = re.compile(r"(\w+) value string does not match spec regex")
_WRITTEN_AS = {
    "Decimal": "a number written with digits and a decimal point, e.g. 0.52",
    "DateTime": "a date and time such as 2026-03-02T06:00:00Z",
    "Date": "a date such as 2026-03-02",
    "Instant": "a date and time with seconds and a time zone, such as 2026-03-02T06:00:00Z",
    "Integer": "a whole number",
}


def _in_words(message: str) -> str:
    found = _SPEC_REGEX.search(message)
    if found is None:
        return message
    kind = found.group(1)
    return f"not written as FHIR writes a {kind.lower()}: expected {_WRITTEN_AS.get(kind, f'a FHIR {kind}')}"


def model_errors(kind: str, exc: Exception, data: Any = None) -> list[dict[str, str]]:
    """What `fhir.resources` raised, as {field, message} naming the place when the model names it (a Bundle's
    resource by its type and id, from `data`)."""
    if isinstance(exc, ValidationError):
        errors = []
        for problem in exc.errors()[:MAX_ERRORS]:
            where = ".".join(str(part) for part in problem["loc"] if part != "root") or kind
            message = f"{kind} is not valid FHIR R4 at {place(data, where)}: {_in_words(problem['msg'])}"
            errors.append({"field": where, "message": message})
        return errors
    # Anything else: the class only (the text may quote internals); the shape checks above catch the known causes.
    return [{"field": kind, "message": f"{kind} is not valid FHIR R4 and could not be read ({type(exc).__name__})"}]
