"""The facts every later rule reads (`context.py`): computed once per assessment in `engine.assess`.

The context is caught on its way into the plan steps, so it is the one the real rules saw.
"""

from __future__ import annotations

import pytest

from assessments.clinical import engine, parse_input
from assessments.clinical.context import Context
from tests.builders import payload


@pytest.fixture
def context_of(monkeypatch):
    seen: list[Context] = []
    plan_steps = engine.plan_steps

    def catch(ctx: Context):
        seen.append(ctx)
        return plan_steps(ctx)

    monkeypatch.setattr(engine, "plan_steps", catch)

    def assess(**kwargs) -> Context:
        parsed = parse_input(payload(**kwargs))
        assert parsed.input is not None, parsed.errors
        engine.assess(parsed.input)
        return seen[-1]

    return assess


def test_it_carries_the_route_and_what_follows_from_it(context_of):
    ctx = context_of(symptoms=["torsades"])
    assert (ctx.route, ctx.replacing, ctx.intravenous, ctx.urgent) == ("iv_urgent", True, True, True)
    assert ctx.follow_on is not None and ctx.follow_on is ctx.dose.follow_on
    none = context_of(mg=(0.85, "mmol/L"))
    assert (none.route, none.replacing, none.intravenous, none.urgent, none.follow_on) == (
        "none",
        False,
        False,
        False,
        None,
    )


def test_it_compares_mg_with_the_target_in_mmol_per_l(context_of):
    ctx = context_of(mg=(1.9, "mg/dL"), ecg={"qtc_ms": 480})  # 0.78 mmol/L, grade 0, raised target 0.82
    assert ctx.mg_mmol_l == pytest.approx(0.7817, abs=1e-4)
    assert (ctx.grade, ctx.target.mmol_per_l, ctx.below_target) == (0, 0.82, True)


@pytest.mark.parametrize(
    ("conditions", "heart_block", "first_degree"),
    [
        ([], False, False),
        (["heart_block"], True, False),
        (["first_degree_av_block"], False, True),
        (["first_degree_av_block", "heart_block"], True, False),  # with both, heart_block rules
    ],
)
def test_it_tells_the_two_kinds_of_av_block_apart(context_of, conditions, heart_block, first_degree):
    ctx = context_of(conditions=conditions)
    assert (ctx.heart_block, ctx.first_degree_av_block) == (heart_block, first_degree)


@pytest.mark.parametrize(
    ("mg", "may_be_low", "in_doubt"),
    [
        ((1.06, "mmol/L"), True, True),  # P1
        ((2.0, "mmol/L"), False, True),  # P1b
        ((0.8, "mg/dL"), False, False),  # P3
        ((0.6, "mmol/L"), False, False),  # no unit check
    ],
)
def test_it_says_whether_the_unit_may_hide_a_low_value(context_of, mg, may_be_low, in_doubt):
    ctx = context_of(mg=mg)
    assert (ctx.unit_may_be_low, ctx.unit_in_doubt) == (may_be_low, in_doubt)
