"""Teaching pages (issue 5): the case library, predict-then-reveal, the facilitator view, the trainee's history,
what-if, and the rule explorer. Thin: each view parses, calls the teaching package, a service or a selector, renders.

Teaching pages need the teaching capability (trainee, clinician, pharmacist). What-if is as open as the bedside
page it also serves, and `/rules/` is public: it shows the rules, not patients.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers

from assessments.api.http import JsonBodyError, json_loads
from assessments.bedside.form_mapping import input_to_form
from assessments.bedside.forms import AssessmentForm
from assessments.comparison import outputs_diff
from assessments.roles import Capability, capability_required
from assessments.selectors import teaching_attempt_list
from assessments.services import assessment_run, teaching_attempt_create, teaching_attempt_is_kept
from assessments.teaching.cases import (
    DIFFICULTIES,
    POPULATIONS,
    TOPICS,
    TeachingCase,
    teaching_case_filter,
    teaching_case_get,
    teaching_case_list,
)
from assessments.teaching.marking import QUESTION_NAMES, QUESTIONS, mark_answers, marks_record, teaching_history
from assessments.teaching.rules_explorer import rule_families
from assessments.teaching.whatif import variation_apply, variations_for

# The facilitator steps through these parts, one reveal at a time.
PRESENT_PARTS: tuple[tuple[str, str], ...] = (
    ("case", "The case"),
    *((q.id, q.text) for q in QUESTIONS),
    ("result", "The full result and the teaching point"),
)


def _case_or_404(name: str) -> TeachingCase:
    case = teaching_case_get(name=name)
    if case is None:
        raise Http404("No such teaching case")
    return case


def _case_output(case: TeachingCase) -> dict[str, Any]:
    outcome = assessment_run(data=case.input)
    if not outcome.ok:  # a case file the engine refuses is a defect, caught by tests/web/teaching/test_cases.py
        raise ValueError(f"teaching case {case.name} is refused by the engine: {outcome.errors}")
    return outcome.output  # type: ignore[return-value]


def _whatif_context(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "whatif_input_json": json.dumps(data),
        "whatif_variations": variations_for(data),
        "whatif_back": _form_pairs(input_to_form(data)),
    }


def _form_pairs(form: dict[str, Any]) -> list[tuple[str, str]]:
    """The bedside form's fields for this input, as hidden inputs post them: "Back to the assessment" without
    JavaScript (the browser's Back after a POST asks to resend the form)."""
    return [
        (name, str(item)) for name, value in form.items() for item in (value if isinstance(value, list) else [value])
    ]


@capability_required(Capability.TEACHING)
@require_GET
def teaching_list(request: HttpRequest) -> HttpResponse:
    chosen = {
        "topic": request.GET.get("topic", ""),
        "difficulty": request.GET.get("difficulty", ""),
        "population": request.GET.get("population", ""),
    }
    # An unknown filter value (an old link, a typo) is ignored rather than showing an empty list.
    for key, allowed in (("topic", TOPICS), ("difficulty", DIFFICULTIES), ("population", POPULATIONS)):
        if chosen[key] not in allowed:
            chosen[key] = ""
    cases = teaching_case_filter(teaching_case_list(), **chosen)
    context = {
        "cases": cases,
        "total": len(teaching_case_list()),
        "chosen": chosen,
        "topics": TOPICS,
        "difficulties": DIFFICULTIES,
        "populations": POPULATIONS,
    }
    return render(request, "teaching/list.html", context)


@capability_required(Capability.TEACHING)
@require_http_methods(["GET", "POST"])
def teaching_case(request: HttpRequest, name: str) -> HttpResponse:
    """GET asks the four questions; POST marks the answers against the engine and reveals the whole result."""
    case = _case_or_404(name)
    # Only a choice the question offers is kept (stored with the attempt); anything else posted is no answer, never
    # stored as sent (issue 15: a 2 MB "answer" was kept).
    answers: dict[str, str | None] = {
        q.id: given if (given := request.POST.get(q.id)) in q.choices else None for q in QUESTIONS
    }
    context: dict[str, Any] = {"case": case, "questions": QUESTIONS, "answers": answers, "marks": None}
    if request.method == "POST":
        output = _case_output(case)
        marks = mark_answers(answers=answers, output=output)
        kept = teaching_attempt_is_kept(user=request.user) and any(answers.values())
        if kept:
            teaching_attempt_create(user=request.user, case_name=case.name, answers=answers, marks=marks_record(marks))
        context |= {
            "marks": marks,
            "right": sum(m.correct for m in marks),
            "answered": sum(m.answer is not None for m in marks),
            "kept": kept,
            "output": output,
            "now": timezone.localtime(),
            **_whatif_context(case.input),
        }
    return render(request, "teaching/case.html", context)


@capability_required(Capability.TEACHING)
@require_GET
def teaching_present(request: HttpRequest, name: str) -> HttpResponse:
    """The facilitator's projector view: one part revealed per step (`?step=N`), so it works without JavaScript."""
    case = _case_or_404(name)
    try:
        step = int(request.GET.get("step", "0"))
    except ValueError:
        step = 0
    step = max(0, min(step, len(PRESENT_PARTS) - 1))
    output = _case_output(case)
    context = {
        "case": case,
        "step": step,
        "parts": [(i, part_id, label) for i, (part_id, label) in enumerate(PRESENT_PARTS)],
        "answers": mark_answers(answers={}, output=output),  # the engine's answers, no one's guesses
        "output": output,
        "now": timezone.localtime(),
        "previous_step": step - 1 if step > 0 else None,
        "next_step": step + 1 if step < len(PRESENT_PARTS) - 1 else None,
        "next_label": PRESENT_PARTS[step + 1][1] if step < len(PRESENT_PARTS) - 1 else "",
        # Home and End (and their links): back to the vignette alone, or everything revealed at once.
        "last_step": len(PRESENT_PARTS) - 1,
        **_whatif_context(case.input),
    }
    return render(request, "teaching/present.html", context)


@capability_required(Capability.TEACHING)
@require_GET
def teaching_history_view(request: HttpRequest) -> HttpResponse:
    kept = teaching_attempt_is_kept(user=request.user)
    history = teaching_history(teaching_attempt_list(user=request.user)) if kept else None
    cases = {case.name: case for case in teaching_case_list()}
    rows = [
        (
            attempt,
            cases.get(attempt.case_name),
            [(QUESTION_NAMES.get(q, q), right) for q, right in attempt.marks.items()],
        )
        for attempt in (history.attempts if history else [])
    ]
    context = {"history": history, "kept": kept, "attempt_rows": rows}
    return render(request, "teaching/history.html", context)


def _whatif_input(request: HttpRequest) -> tuple[dict[str, Any] | None, str]:
    """The contract input from a teaching page (`input`, JSON) or from the bedside form's own fields."""
    if "input" in request.POST:
        try:
            data = json_loads(request.POST["input"], what="the assessment input")
        except JsonBodyError as refused:
            return None, refused.message[:1].upper() + refused.message[1:] + "."
        return (data, "") if isinstance(data, dict) else (None, "The assessment input must be a JSON object.")
    form = AssessmentForm(request.POST)
    if not form.is_valid():
        return None, "Complete or correct the assessment first."
    return form.to_input(), ""


# Patient data when it comes from the bedside: never cached, and the fragment and the page differ (Vary).
@never_cache
@vary_on_headers("HX-Request")
@require_http_methods(["GET", "POST"])
def whatif(request: HttpRequest) -> HttpResponse:
    """Without `variation`: the choices for this input. With one: the changed result and what changed. A GET (an
    address typed or bookmarked) has no input to vary: it goes to the bedside page, where a what-if starts."""
    if request.method == "GET":
        return redirect("assess")
    template_name = "teaching/whatif.html" + ("#panel" if request.htmx else "")
    data, problem = _whatif_input(request)
    original = assessment_run(data=data) if data is not None else None
    if original is None or not original.ok:
        errors = original.errors if original is not None else []
        context = {"whatif_problem": problem or "The assessment input is not valid.", "whatif_errors": errors}
        return render(request, template_name, context, status=400)

    context: dict[str, Any] = {"output": original.output, "now": timezone.localtime(), **_whatif_context(data)}
    variation = request.POST.get("variation", "")
    if variation:
        try:
            changed, change = variation_apply(data=data, variation_id=variation)
        except (KeyError, ValueError):
            context["whatif_problem"] = "That change does not apply to this patient."
            return render(request, template_name, context, status=400)
        varied = assessment_run(data=changed)
        context |= {"whatif_variation": variation, "whatif_change": change}
        if varied.ok:
            context |= {"whatif_diff": outputs_diff(original.output, varied.output), "whatif_output": varied.output}
        else:
            context["whatif_errors"] = varied.errors
    return render(request, template_name, context)


@require_GET
def rules(request: HttpRequest) -> HttpResponse:
    return render(request, "teaching/rules.html", {"families": rule_families()})
