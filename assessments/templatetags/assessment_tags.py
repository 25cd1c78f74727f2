"""Presentation helpers for the assessment pages: reference links, due times, and filters that put engine ids and
contract paths into words. Filters only: the words themselves are `assessments/labels.py`'s."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from html import escape
from typing import Any

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

from assessments import labels
from assessments.clinical import dose as dose_words
from assessments.clinical.references import REFERENCES
from assessments.clinical.units import fmt
from assessments.labels import unit_words
from assessments.result import ResultView
from assessments.result import result_view as arrange

register = template.Library()


@cache
def _references_url() -> str:
    """Resolved once per process: `refs` runs a dozen times per result (the profile in docs/performance.md)."""
    return reverse("references")


# The lists a result repeats a hundred times (reasons, sources, items) are built here with the standard library's
# escape, not by template loops: they are the live update's hot path (scripts/profile-partial, docs/performance.md).
# Every value is escaped; only the tags written here are markup.


@cache
def _ref_link(ref: str) -> str:
    """One source id as a link to its entry on the references page, its title on hover (built once per id)."""
    title = REFERENCES[ref].title if ref in REFERENCES else ref
    return f'<a href="{_references_url()}#{escape(ref)}" title="{escape(title)}">{escape(ref)}</a>'


def refs_html(ids: list[str]) -> str:
    """The sources of an item; none (a pharmacist's own amended dose) leaves no empty "Sources:" behind."""
    if not ids:
        return ""
    return ' <span class="refs">Sources: ' + ", ".join(_ref_link(ref) for ref in ids) + "</span>"


def because_html(reasons: list[str]) -> str:
    return '<ul class="because">' + "".join(f"<li>{escape(unit_words(r))}</li>" for r in reasons) + "</ul>"


@register.simple_tag
def refs(ids: list[str]) -> str:
    """Links to the references page, one per source id, with the title on hover."""
    return mark_safe(refs_html(ids))


@register.simple_tag
def because(reasons: list[str]) -> str:
    """An item's reasons, as the list under it."""
    return mark_safe(because_html(reasons))


def item_html(entry: dict[str, Any]) -> str:
    """A warning, step or reminder: its text, why (its reasons) and where from (its sources)."""
    return escape(unit_words(entry["text"])) + because_html(entry["because"]) + refs_html(entry["references"])


@register.simple_tag
def item_list(entries: list[dict[str, Any]], css: str = "") -> str:
    """Warnings or steps as list items (`<li class="{css}">`), each with its text, reasons and sources."""
    opening = f'<li class="{escape(css)}">' if css else "<li>"
    return mark_safe("".join(f"{opening}{item_html(entry)}</li>" for entry in entries))


@register.simple_tag
def reminder_list(reminders: list[Any]) -> str:
    """Reminders as list items: when (now, or the clock time and how long from now: on screen only, as "in 6 h"
    goes stale on paper), then the reminder itself."""
    return mark_safe("".join(f"<li><strong>{_due_html(r)}:</strong> {item_html(r.item)}</li>" for r in reminders))


def _due_html(reminder: Any) -> str:
    if reminder.due_now:
        return "Now"
    return f'{escape(reminder.clock)}<span class="recheck-when"> ({escape(reminder.when)})</span>'


@register.simple_tag
def cause_list(causes: list[dict[str, Any]]) -> str:
    """The likely causes, most likely first: label, score, likelihood and evidence, then why and where from."""
    return mark_safe(
        "".join(
            f"<li><strong>{escape(c['label'])}</strong>: {escape(str(c['score']))}/100, {escape(c['likelihood'])}"
            f" likelihood (evidence {escape(c['evidence'])}){because_html(c['because'])}{refs_html(c['references'])}"
            "</li>"
            for c in causes
        )
    )


@register.simple_tag
def calculation_list(calculations: list[dict[str, Any]]) -> str:
    """Each calculation with its result, its formula and working (on screen), and its sources."""
    return mark_safe(
        "".join(
            f"<dt>{escape(c['label'])}: {escape(num(c['value']))} {escape(c['unit'])}</dt>"
            f'<dd><span class="calc-working">Formula: {escape(unit_words(c["formula"]))}<br>'
            f"Working: {escape(unit_words(c['working']))}"
            f"<br></span>{refs_html(c['references'])}</dd>"
            for c in calculations
        )
    )


def _fixed(value: float, places: int = 2) -> str:
    """`floatformat:2` without its Decimal machinery: the same half-up rounding of the number as written."""
    return str(Decimal(repr(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


@register.simple_tag
def why_facts(output: dict[str, Any]) -> str:
    """The basis of the result in figures: Mg as entered and in all three units, the lower limit of normal and
    where it came from, the target, why this route, and the renal function used (with the sex assumption)."""
    mg, derived, plan = output["magnesium"], output["derived"], output["plan"]
    entered = mg["entered"]
    # The entered value in the other two units (not the entered unit again: "1 mg/dL = ... = 1 mg/dL").
    others = "".join(
        f" = {_fixed(mg[key])} {unit}"
        for key, unit in (("mmol_per_l", "mmol/L"), ("mg_per_dl", "mg/dL"), ("meq_per_l", "mEq/L"))
        if unit != entered["unit"]
    )
    lines = [
        f'<p class="mb-1 mt-2">Magnesium, entered: <strong>{escape(as_entered(entered["value"]))}'
        f" {escape(labels.unit_label(entered['unit']))}</strong>{others}</p>",
        f'<p class="mb-1">Lower limit of normal: {_fixed(mg["lln_mmol_per_l"])} mmol/L'
        f" ({'from the lab' if mg['lln_source'] == 'lab' else 'default'})"
        f" · Target: at least {_fixed(derived['target_mmol_per_l'])} mmol/L</p>",
    ]
    if plan["reasons"]:
        reasons = "; ".join(escape(labels.label("reason", reason)) for reason in plan["reasons"])
        lines.append(f'<p class="mb-1">Why this route: {reasons}</p>')
    if derived.get("renal_function_ml_min") is not None:
        assumption = (
            " (sex not given: the lower of the female and male estimates)"
            if derived.get("renal_sex_assumption")
            else ""
        )
        lines.append(
            f'<p class="mb-1">Renal function used: {num(derived["renal_function_ml_min"])} mL/min{assumption}</p>'
        )
    return mark_safe("".join(lines))


@register.filter
def due_at(hours: float, now: datetime) -> str:
    """The clock time `hours` from `now`, with the day when it is not today."""
    when = now + timedelta(hours=hours)
    return when.strftime("%H:%M") if when.date() == now.date() else when.strftime("%a %d %b %H:%M")


@register.simple_tag(takes_context=True)
def result_view(context: Any, output: dict[str, Any], now: datetime, form_fields: bool = False) -> ResultView:
    """`{% result_view output now as view %}`: the output arranged action first (assessments/result.py). A page
    of a saved plan also sets `viewed_at` (the time it is read), so that waits count from then."""
    # Clock times in the hospital's time zone (TIME_ZONE), as Django's `date` filter shows them.
    local = timezone.localtime(now) if timezone.is_aware(now) else now
    viewed_at = context.get("viewed_at")
    return arrange(output, now=local, form_fields=bool(form_fields), viewed_at=viewed_at)


@register.filter
def num(value: Any, places: int = 2) -> str:
    """A number written as the engine writes it in its sentences (`clinical.units.fmt`: 16.24, 4, 166.7 with
    places=1), so that a figure on the page and the same figure in a sentence read alike."""
    if value is None or value == "":
        return ""
    return fmt(float(value), int(places))


@register.filter
def rate(value: Any) -> str:
    """A rate in whole mg/min, as the dose sentence beside it writes the same value (`clinical.dose.rate_shown`):
    27.78 on the page beside the sentence's 28 read as two rates. The field is the rate to 2 decimals; only at a
    half (27.50) could the whole number differ from the sentence's, rounded from the unrounded rate, so a half is
    shown as given (27.5)."""
    if value is None or value == "":
        return ""
    if round(float(value) % 1, 2) == 0.5:
        return fmt(float(value))
    return dose_words.rate_shown(float(value))


@register.filter
def rate_limit(value: Any) -> str:
    """A rate limit in whole mg/min, rounded down, as the dose sentence writes it (`clinical.dose.limit_shown`)."""
    return "" if value is None or value == "" else dose_words.limit_shown(float(value))


@register.filter
def times_daily(value: Any) -> str:
    """3 -> 'three times daily', in the engine's own words for the same field (its dose sentence says it so)."""
    try:
        return dose_words.times_daily(int(value))
    except (KeyError, TypeError, ValueError):
        return f"{value} times daily"


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
def any_changed(rows: list[Any]) -> bool:
    """Whether a comparison (`comparison.outputs_diff`) has a changed row: a table of "Same" says so in words."""
    return any(row.changed for row in rows)


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


@register.filter(name="unit_words")
def unit_words_filter(text: str) -> str:
    """An engine sentence with its units as a clinician writes them (labels.unit_words)."""
    return unit_words(str(text))


@register.filter
def unit_label(unit: str) -> str:
    return labels.unit_label(unit)


@register.simple_tag
def input_rows(data: dict[str, Any]) -> list[tuple[str, str]]:
    """A contract input as (field, value) rows in words, for the inputs a result was made from."""
    return labels.input_rows(data)


@register.simple_tag
def step_ids(plan: dict[str, Any]) -> set[str]:
    """The ids of the plan's steps (a warning with the same id says the same thing as the step)."""
    return {step["id"] for step in plan["steps"]}


@cache
def _source_item(ref_id: str) -> str:
    ref = REFERENCES[ref_id]
    return (
        f'<li><a href="{_references_url()}#{escape(ref.id)}">{escape(ref.id)}</a>'
        f'<span class="source-title">: {escape(ref.title)}</span></li>'
    )


@register.simple_tag
def cited_sources(output: Any) -> str:
    """Every source the result cites, once each, in the order of the references page: an id linked to its entry,
    then its title (the title is left off the printed sheet)."""
    return mark_safe("".join(_source_item(ref.id) for ref in cited_references(output)))


@register.simple_tag
def inputs_used(data: dict[str, Any]) -> str:
    """The contract input as the rows of a definition list, in words (what the result was made from)."""
    return mark_safe(
        "".join(
            f"<div><dt>{escape(name)}</dt><dd>{escape(value)}</dd></div>" for name, value in labels.input_rows(data)
        )
    )


@register.simple_tag
def cited_references(output: Any) -> list[Any]:
    """Every source the result cites, once each, in the order of the references page (for the printed sheet)."""
    cited: set[str] = set()
    stack = [output]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            refs = node.get("references")
            if refs:
                cited.update(refs)
            stack.extend(value for value in node.values() if value.__class__ in (dict, list))
        elif node.__class__ is list:
            stack.extend(value for value in node if value.__class__ in (dict, list))
    return [ref for ref_id, ref in REFERENCES.items() if ref_id in cited]


@register.filter
def printable(value: Any) -> Any:
    """Text that can be sent as UTF-8: a lone surrogate (half of a character, which the edge now refuses but an older
    stored row may hold) is shown as its escape, `\\ud800`, instead of making the whole page fail (issue 15: one
    such row made `/audit/` answer 500 for good). Anything else passes through unchanged."""
    if isinstance(value, str):
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    return value


@register.filter
def audit_object(object_type: str) -> str:
    """ "SavedAssessment" -> "Assessment": the audit log's object kinds in words."""
    return labels.audit_object(object_type)


@register.filter
def audit_detail(detail: Any) -> str:
    """An audit event's detail in words ("rule set 2026.2; reminders superseded: 4, 5"), never raw keys."""
    return printable("; ".join(labels.audit_detail(detail)))
