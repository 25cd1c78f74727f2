"""Presentation helpers for the assessment pages: reference links, due times, and filters that put engine ids and
contract paths into words. Filters only: the words themselves are `assessments/labels.py`'s."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import cache
from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from assessments import labels
from assessments.clinical.references import REFERENCES

register = template.Library()


@cache
def _references_url() -> str:
    """Resolved once per process: `refs` runs a dozen times per result (the profile in docs/performance.md)."""
    return reverse("references")


@register.simple_tag
def refs(ids: list[str]) -> str:
    """Links to the references page, one per source id, with the title on hover."""
    page = _references_url()
    return format_html(
        '<span class="refs">Sources: {}</span>',
        format_html_join(
            ", ",
            '<a href="{}#{}" title="{}">{}</a>',
            ((page, ref, REFERENCES[ref].title if ref in REFERENCES else ref, ref) for ref in ids),
        ),
    )


@register.filter
def due_at(hours: float, now: datetime) -> str:
    """The clock time `hours` from `now`, with the day when it is not today."""
    when = now + timedelta(hours=hours)
    return when.strftime("%H:%M") if when.date() == now.date() else when.strftime("%a %d %b %H:%M")


@register.filter
def hours(value: float) -> str:
    """0.25 -> '15 min', 4 -> '4 h', 1.5 -> '1.5 h'."""
    if value < 1:
        return f"{round(value * 60)} min"
    return f"{value:g} h"


@register.filter
def label(value: str, kind: str) -> str:
    """`{{ reason|label:"reason" }}`: an engine id in words (kinds: `labels.LABELS`)."""
    return labels.label(kind, value)


@register.filter
def route_label(value: str) -> str:
    return labels.label("route", value)


@register.filter
def field_label(path: str, form: Any) -> str:
    """A contract path as the label of the bedside form's field that shows it."""
    return form.label_for(path)


@register.filter
def path_label(path: str) -> str:
    """A contract path in words, for pages without the bedside form (saved records, review, teaching)."""
    return labels.field_label(path)


@register.filter
def value_label(value: Any, path: str) -> str:
    """`{{ row.typed|value_label:"transplant.type" }}`: a value entered at a contract path, in words."""
    return labels.value_label(path, value)


@register.filter
def amount(value: Any) -> str:
    """A figure as the protocol writes amounts: at most 2 decimals, no trailing zeros (20.3 mmol, 5 g)."""
    from assessments.clinical.units import fmt

    return "" if value is None else fmt(float(value))


@register.filter
def as_entered(value: Any) -> str:
    """A number as the user typed it (0.62, not 0.6200): `floatformat` pads to the places it is given."""
    return f"{value:g}" if isinstance(value, int | float) else str(value)


@register.filter
def mg_in(mmol_per_l: Any, unit: str) -> str:
    """A magnesium kept in mmol/L, shown in the site's unit (the engine's conversion, two decimals)."""
    from assessments.clinical.units import Analyte, Unit, convert, fmt

    return fmt(convert(Analyte.MAGNESIUM, float(mmol_per_l), Unit.MMOL_L, Unit(unit)))


@register.filter
def unit_label(unit: str) -> str:
    return labels.unit_label(unit)


@register.simple_tag
def step_ids(plan: dict[str, Any]) -> set[str]:
    """The ids of the plan's steps (a warning with the same id says the same thing as the step)."""
    return {step["id"] for step in plan["steps"]}


@register.simple_tag
def cited_references(output: Any) -> list[Any]:
    """Every source the result cites, once each, in the order of the references page (for the printed sheet)."""
    cited: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            cited.update(ref for ref in node.get("references") or () if isinstance(ref, str))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(output)
    return [ref for ref_id, ref in REFERENCES.items() if ref_id in cited]


@register.filter
def printable(value: Any) -> Any:
    """Text that can be sent as UTF-8: a lone surrogate (half of a character, which the edge now refuses but an older
    stored row may hold) is shown as its escape, `\\ud800`, instead of making the whole page fail (issue 15: one
    such row made `/audit/` answer 500 for good). Anything else passes through unchanged."""
    if isinstance(value, str):
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    return value
