"""The engine output arranged for a tired clinician: what to do now, then why, then the details (issue 14).

Presentation only. Every number, sentence, reason and source comes from the output as the engine made it; this
module only chooses where each item is shown, so that the action comes first and each caution appears once:

- `caution`: of the cautions that change what to do now, the most decisive one (`CAUTION_ORDER`, an ordering of
  the engine's own ids), shown in "What to do now" and not again in the details; the others stay in the details,
  and the block says how many there are;
- `gates`: what must happen before any Mg is given (senior review for heart block, renal advice), named on the
  "Give" line itself;
- `recheck`: the first Mg recheck, as a clock time; `due_now`: the reminders due at once;
- `warnings` and `steps` for the details: a warning that a plan step repeats (the same id, or the heart-block
  caution and its senior-review step) is shown once, as the step; the emergency step that "What to do now" opens
  with is not repeated;
- `missing`: the inputs a rule needed, in words, each with the form field to jump to (on the bedside page).

Used by `templates/result/_output.html` (the bedside page, saved records, review, teaching, what-if) through the
`result_view` template tag. Plain Python: no Django.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from assessments import labels
from assessments.bedside.form_mapping import field_for_path

# The cautions that change what to do now, the most decisive first: whether to give Mg at all (the unit, a Mg
# already high), what must come first (senior review for heart block, IV calcium, renal advice, a fresh sample),
# then what changes how it is given or watched. Ids of warnings and steps alike.
CAUTION_ORDER = (
    "unit_check",
    "hypermagnesemia",
    "senior_review_heart_block",
    "give_iv_calcium_now",
    "severe_renal_impairment",
    "stale_result",
    "recent_iv_magnesium",
    "symptoms_not_explained_by_mg",
    "renal_function_unknown",
    "hyperkalemia",
    "qtc_critical",
    "first_degree_av_block",
    "digoxin_toxicity_risk",
    "renal_dose_reduction",
    "hypermagnesemia_risk",
    "potassium_sparing_with_cni",
    "replete_mg_before_k",
    "replete_mg_before_ca",
    "iv_mg_caution",
    "oral_mg_interaction",
    "qtc_prolonged",
)
# A unit check is decisive when the engine lists it first; a real low mg/dL result gets its unit check last
# (PROTOCOL.md section 2.1): a note to confirm, not a reason to stop.
UNIT_CHECK = "unit_check"
EMERGENCY_STEP = "follow_local_emergency_protocol"
HEART_BLOCK_STEP = "senior_review_heart_block"
# What must happen before the Mg on the Give line: the words name the engine's caution (shown beside them).
GATES = {
    HEART_BLOCK_STEP: "only after senior review (heart block)",
    "severe_renal_impairment": "renal advice first",
}
# The reminders that are a recheck of Mg, for the "Recheck" line (the first one due).
MG_RECHECKS = (
    "redraw_mg_after_iv",
    "recheck_mg_after_iv",
    "recheck_before_next_dose",
    "recheck_mg_oral",
    "daily_electrolytes",
    "outpatient_cni_monitoring",
)


@dataclass
class Reminder:
    item: dict[str, Any]
    label: str
    due_now: bool
    clock: str  # "14:30", or "Wed 26 Nov 08:00" when not today; "" when due now
    when: str  # "in 9 h 15 min", or "2 h ago" on a saved record read after it was due; "" when due now


@dataclass
class ResultView:
    severity_key: str
    severity_label: str
    urgent: bool
    emergency_step: dict[str, Any] | None
    route_label: str
    gates: list[str]
    gate_keys: list[str]
    caution: dict[str, Any] | None
    caution_kind: str  # "warning" or "step"
    more_cautions: int
    recheck: Reminder | None
    due_now: list[Reminder]
    reminders: list[Reminder]
    warnings: list[dict[str, Any]]
    steps: list[dict[str, Any]]
    unit_check: dict[str, Any] | None
    assessed_at: str  # "2026-11-25 14:30 (UTC)": when the result was made, in the hospital's time zone
    missing: list[tuple[str, str]] = field(default_factory=list)


def _key(item: dict[str, Any], kind: str) -> str:
    """A warning's identity for "shown once": the heart-block IV caution is the senior-review step's twin."""
    if kind == "warning" and item["id"] == "iv_mg_caution" and not item.get("drug"):
        return HEART_BLOCK_STEP
    return item["id"]


def wait_words(hours: float) -> str:
    """9.25 -> "9 h 15 min", 6 -> "6 h", 0.5 -> "30 min", 72 -> "3 days" (the engine's hours, in words)."""
    if hours >= 48 and hours % 24 == 0:
        return f"{int(hours // 24)} days"
    minutes = round(hours * 60)
    whole, rest = divmod(minutes, 60)
    if whole and rest:
        return f"{whole} h {rest} min"
    return f"{whole} h" if whole else f"{rest} min"


def clock(hours: float, now: dt.datetime) -> str:
    """The clock time `hours` after `now`, with the day when it is not today."""
    when = now + dt.timedelta(hours=hours)
    return when.strftime("%H:%M") if when.date() == now.date() else when.strftime("%a %d %b %H:%M")


def when_words(due: dt.datetime, viewed_at: dt.datetime) -> str:
    """How far the due time is from the moment the page is read: "in 9 h 15 min", "2 h 10 min ago", "now"."""
    hours = (due - viewed_at) / dt.timedelta(hours=1)
    if abs(hours) < 1 / 60:
        return "now"
    return f"in {wait_words(hours)}" if hours > 0 else f"{wait_words(-hours)} ago"


def _reminder(item: dict[str, Any], now: dt.datetime, viewed_at: dt.datetime) -> Reminder:
    hours = item.get("due_in_hours") or 0
    due_now = hours <= 0
    return Reminder(
        item=item,
        label=labels.label("reminder", item["id"]),
        due_now=due_now,
        clock="" if due_now else clock(hours, now),
        when="" if due_now else when_words(now + dt.timedelta(hours=hours), viewed_at),
    )


def result_view(
    output: dict[str, Any], *, now: dt.datetime, form_fields: bool = False, viewed_at: dt.datetime | None = None
) -> ResultView:
    """`output` (the contract output) arranged for the page; `now`: the time the result refers to (its due times
    count from it); `viewed_at`: when the page is read, for "in 9 h" (a saved record read hours later must not say
    "in 9 h" of a recheck that is 2 h away); `form_fields`: the bedside form is on the page, so each missing input
    links to its field."""
    severity = output["severity"]
    plan = output["plan"]
    warnings = output["warnings"]
    steps = plan["steps"]

    step_by_id = {step["id"]: step for step in steps}
    emergency_step = step_by_id.get(EMERGENCY_STEP)

    # The cautions that may lead "What to do now": the decisive warnings (a unit check only when listed first) and
    # the steps, each under the key of the step that repeats it where there is one.
    decisive = [w for index, w in enumerate(warnings) if w["id"] != UNIT_CHECK or index == 0]
    present = {_key(w, "warning") for w in decisive} | set(step_by_id)
    chosen_key = next((key for key in CAUTION_ORDER if key in present), None)
    caution, caution_kind = None, ""
    if chosen_key in step_by_id:
        caution, caution_kind = step_by_id[chosen_key], "step"
    elif chosen_key is not None:
        caution, caution_kind = next(w for w in decisive if _key(w, "warning") == chosen_key), "warning"

    # The details: each warning once. Not the one shown above (that very item: two drugs may share an id), not one
    # that a step repeats (shown as the step); the steps but the emergency one that opens the block and the caution.
    detail_warnings = [w for w in warnings if w is not caution and _key(w, "warning") not in step_by_id]
    shown_above = {EMERGENCY_STEP, chosen_key if caution_kind == "step" else None}
    detail_steps = [s for s in steps if s["id"] not in shown_above]
    more = len(detail_warnings)

    reminders = [_reminder(item, now, viewed_at or now) for item in output["reminders"]]
    rechecks = [r for r in reminders if not r.due_now and r.item["id"] in MG_RECHECKS]
    recheck = min(rechecks, key=lambda r: r.item["due_in_hours"]) if rechecks else None

    gate_keys = [key for key in GATES if key in present]
    unit_check = next((w for w in warnings if w["id"] == UNIT_CHECK), None)
    missing = []
    for path in output.get("missing") or ():
        name = field_for_path(path, {}) if form_fields else None
        missing.append((labels.field_label(path), f"id_{name}" if name else ""))

    return ResultView(
        severity_key=severity["clinical_severity"],
        severity_label=labels.label("severity", severity["clinical_severity"]),
        urgent=bool(severity.get("urgent")),
        emergency_step=emergency_step,
        route_label=labels.label("route", plan["route"]),
        gates=[GATES[key] for key in gate_keys],
        gate_keys=gate_keys,
        caution=caution,
        caution_kind=caution_kind,
        more_cautions=more,
        recheck=recheck,
        due_now=[r for r in reminders if r.due_now],
        reminders=reminders,
        warnings=detail_warnings,
        steps=detail_steps,
        unit_check=unit_check,
        assessed_at=f"{now:%Y-%m-%d %H:%M} ({now.tzname()})",
        missing=missing,
    )
