"""Is the Mg result plausible as entered? (PROTOCOL.md sections 2.1, 2.2 and 2.4; `plausibility.py`).

The unit check reads the entered number in each other accepted unit and warns in exactly the cases of section
2.1's table (kinds P1, P1b, P2, P3 and S); it never blocks the plan. Then the age of the sample (`stale_result`)
and a recent infusion (`recent_iv_magnesium`).
"""

from __future__ import annotations

import pytest

from assessments.clinical import parse_input
from assessments.clinical.plausibility import reading_in, unit_check
from assessments.clinical.units import Analyte, Measurement, Unit
from tests.builders import ids, payload, run


def warnings(out, warning_id):
    return [w for w in out["warnings"] if w["id"] == warning_id]


def the_unit_check(**kwargs) -> dict:
    (warning,) = warnings(run(**kwargs), "unit_check")
    return warning


def kind(value: float, unit: str, **kwargs) -> str | None:
    parsed = parse_input(payload(mg=(value, unit), **kwargs))
    assert parsed.input is not None, parsed.errors
    check = unit_check(parsed.input)
    return None if check is None else check.kind


# --- Readings -------------------------------------------------------------------------------------------------


def test_a_reading_is_the_number_graded_in_that_unit():
    # 1.06 read as mg/dL is 0.436 mmol/L, graded against the mg/dL cut-offs: grade 2, IV tier.
    reading = reading_in(1.06, Unit.MG_DL, None)
    assert (reading.unit, reading.ctcae_grade, reading.above_uln, reading.tier) == ("mg/dL", 2, False, "iv")
    assert reading.mmol_per_l == pytest.approx(0.43612, abs=1e-5)


@pytest.mark.parametrize(
    ("value", "unit", "grade", "above", "tier"),
    [
        (0.8, Unit.MMOL_L, 0, False, "none"),
        (0.6, Unit.MMOL_L, 1, False, "oral"),
        (0.45, Unit.MMOL_L, 2, False, "iv"),
        (0.25, Unit.MMOL_L, 4, False, "iv"),
        (1.06, Unit.MMOL_L, 0, True, "none"),  # above the ULN: grade 0 and tier none
        (1.3, Unit.MEQ_L, 1, False, "oral"),  # mEq/L is graded in mmol/L: 0.65
    ],
)
def test_a_readings_tier_is_the_route_by_level_alone(value, unit, grade, above, tier):
    reading = reading_in(value, unit, None)
    assert (reading.ctcae_grade, reading.above_uln, reading.tier) == (grade, above, tier)


def test_a_reading_follows_the_labs_lln():
    lln = Measurement(Analyte.MAGNESIUM_LLN, 0.8, Unit.MMOL_L)
    assert reading_in(0.75, Unit.MMOL_L, None).ctcae_grade == 0
    assert reading_in(0.75, Unit.MMOL_L, lln).ctcae_grade == 1


# --- Kinds: exactly the table's bands -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        # mmol/L: above the ULN and low in another unit (P1) up to 1.69; normal in mg/dL (P1b) up to 2.55.
        (0.6, "mmol/L", None),
        (1.05, "mmol/L", None),
        (1.06, "mmol/L", "P1"),
        (1.69, "mmol/L", "P1"),
        (1.70, "mmol/L", "P1b"),
        (2.55, "mmol/L", "P1b"),
        (2.56, "mmol/L", None),  # above the ULN in every unit: the unit cannot change the management
        (3.2, "mmol/L", None),
        # mg/dL: grade 4 (< 0.7) is implausibly severe (P2, Y4); grade 2-3 is a real low result (P3).
        (0.69, "mg/dL", "P2"),
        (0.70, "mg/dL", "P3"),
        (1.19, "mg/dL", "P3"),
        (1.20, "mg/dL", None),  # grade 1 in mg/dL: open question 4
        (2.56, "mg/dL", None),
        # mEq/L: every low value (P2); above the ULN only up to 2.55, where the mg/dL reading is normal (m21).
        (1.39, "mEq/L", "P2"),
        (1.40, "mEq/L", None),
        (2.10, "mEq/L", None),
        (2.11, "mEq/L", "P1b"),
        (2.55, "mEq/L", "P1b"),
        (2.56, "mEq/L", None),
        (4.0, "mEq/L", None),
    ],
)
def test_the_unit_check_kinds_follow_the_table_exactly(value, unit, expected):
    assert kind(value, unit) == expected


def test_the_bands_follow_a_labs_lln():
    # With a lab LLN of 0.80 mmol/L, 1.55 mmol/L read as mEq/L (0.775) is low too.
    lln = {"magnesium_lln": {"value": 0.8, "unit": "mmol/L"}}
    assert kind(1.55, "mEq/L") is None
    assert kind(1.55, "mEq/L", labs=lln) == "P2"


@pytest.mark.parametrize(
    ("value", "unit", "site", "expected"),
    [
        (0.6, "mmol/L", "mg/dL", "S"),  # no kind above applies: the different unit alone raises one
        (0.6, "mmol/L", "mmol/L", None),
        (0.8, "mg/dL", "mmol/L", "P3"),  # a kind of the table keeps its name
        (3.2, "mmol/L", "mEq/L", "S"),
    ],
)
def test_a_site_laboratory_unit_that_differs_always_raises_a_unit_check(value, unit, site, expected):
    assert kind(value, unit, site={"magnesium_unit": site}) == expected


# --- Readings in the output -----------------------------------------------------------------------------------


def test_the_warning_carries_both_other_readings_in_unit_order():
    warning = the_unit_check(mg=(1.06, "mmol/L"))
    assert warning["readings"] == [
        {"unit": "mg/dL", "mmol_per_l": 0.44, "ctcae_grade": 2, "above_uln": False, "tier": "iv"},
        {"unit": "mEq/L", "mmol_per_l": 0.53, "ctcae_grade": 1, "above_uln": False, "tier": "oral"},
    ]


def test_a_reading_above_the_uln_has_grade_0_and_tier_none():
    warning = the_unit_check(mg=(1.1, "mg/dL"))
    assert warning["readings"][0] == {
        "unit": "mmol/L",
        "mmol_per_l": 1.1,
        "ctcae_grade": 0,
        "above_uln": True,
        "tier": "none",
    }


def test_only_the_unit_check_has_readings():
    out = run(mg=(1.06, "mmol/L"))
    assert all(("readings" in w) is (w["id"] == "unit_check") for w in out["warnings"])


# --- Texts, kind by kind --------------------------------------------------------------------------------------


def test_p1_names_each_reading_asks_before_acting_and_doubts_true_hypermagnesemia():
    warning = the_unit_check(mg=(1.06, "mmol/L"))
    assert warning["text"] == (
        "Unit check: Mg 1.06 mmol/L (above the ULN). The same number in mg/dL would be 0.44 mmol/L (CTCAE grade 2: IV"
        " tier); in mEq/L would be 0.53 mmol/L (CTCAE grade 1: oral tier). Confirm the unit on the lab report before"
        " acting on this plan. True hypermagnesemia is uncommon unless renal function is poor or Mg was given."
    )
    assert warning["because"] == [
        "Mg entered as 1.06 mmol/L = 2.58 mg/dL = 2.12 mEq/L",
        "above the ULN as entered, but low when read as mg/dL (CTCAE grade 2), mEq/L (CTCAE grade 1)",
    ]
    assert warning["references"] == ["S53", "S17", "S18", "S35", "S55"]


def test_p1b_asks_before_acting_without_doubting_hypermagnesemia():
    warning = the_unit_check(mg=(2.0, "mmol/L"))
    assert warning["text"] == (
        "Unit check: Mg 2 mmol/L (above the ULN). The same number in mg/dL would be 0.82 mmol/L (CTCAE grade 0: no"
        " replacement by level); in mEq/L would be 1 mmol/L (CTCAE grade 0: no replacement by level). Confirm the unit"
        " on the lab report before acting on this plan."
    )
    assert warning["because"][1] == "above the ULN as entered, but within the reference range in another unit"


def test_a_unit_check_of_another_unit_shows_its_mmol_value_first():
    warning = the_unit_check(mg=(2.2, "mEq/L"))
    assert warning["text"].startswith(
        "Unit check: Mg 2.2 mEq/L is 1.1 mmol/L (above the ULN). The same number in mmol/L would be 2.2 mmol/L (above"
        " the ULN: no replacement by level); in mg/dL would be 0.91 mmol/L (CTCAE grade 0: no replacement by level)."
    )


def test_p2_in_mg_per_dl_cites_the_critical_call_limits():
    warning = the_unit_check(mg=(0.4, "mg/dL"))
    assert warning["text"] == (
        "Unit check: Mg 0.4 mg/dL is 0.16 mmol/L (CTCAE grade 4). The same number in mmol/L would be 0.4 mmol/L (CTCAE"
        " grade 2: IV tier); in mEq/L would be 0.2 mmol/L (CTCAE grade 4: IV tier). Confirm the unit on the lab report"
        " before acting on this plan."
    )
    assert warning["because"][1] == (
        "0.4 mg/dL is CTCAE grade 4 in mg/dL, below the critical-call limits of most laboratories"
    )
    assert {"S26", "S27"} <= set(warning["references"])


def test_p2_in_meq_per_l_says_meq_is_twice_the_mmol_number():
    warning = the_unit_check(mg=(1.0, "mEq/L"))
    assert warning["text"].endswith(
        " Confirm the unit on the lab report before acting on this plan. mEq/L is twice the mmol/L number; most labs"
        " report mmol/L or mg/dL."
    )
    assert warning["because"][1] == "a low mEq/L value is also a plausible mmol/L value of another grade"
    assert "S26" not in warning["references"]


def test_p3_is_checked_not_doubted_and_says_what_the_number_is_in_mmol_per_l():
    # Y4: 0.8 mg/dL is grade 3 in mg/dL, but a normal 0.8 mmol/L if the lab reports mmol/L.
    warning = the_unit_check(mg=(0.8, "mg/dL"))
    assert warning["text"] == (
        "Unit check: Mg 0.8 mg/dL is 0.33 mmol/L (CTCAE grade 3). The same number in mmol/L would be 0.8 mmol/L (CTCAE"
        " grade 0: no replacement by level); in mEq/L would be 0.4 mmol/L (CTCAE grade 2: IV tier). Confirm the unit on"
        " the lab report. If your laboratory reports mmol/L, this is 0.8 mmol/L (normal): give no IV Mg."
    )
    assert "before acting" not in warning["text"]


def test_p3_above_the_uln_in_mmol_per_l_says_so():
    assert the_unit_check(mg=(1.1, "mg/dL"))["text"].endswith(
        " If your laboratory reports mmol/L, this is 1.1 mmol/L (above the ULN): give no IV Mg."
    )


def test_p3_whose_mmol_reading_is_low_adds_nothing_about_mmol():
    # With a lab LLN of 0.95 mmol/L, 0.9 read as mmol/L is grade 1: no "give no IV Mg".
    warning = the_unit_check(mg=(0.9, "mg/dL"), labs={"magnesium_lln": {"value": 0.95, "unit": "mmol/L"}})
    assert warning["readings"][0]["ctcae_grade"] == 1
    assert "If your laboratory reports mmol/L" not in warning["text"]


def test_a_different_site_unit_is_named_and_asks_before_acting():
    warning = the_unit_check(mg=(0.6, "mmol/L"), site={"magnesium_unit": "mg/dL"})
    assert warning["text"].endswith(
        " Your laboratory reports Mg in mg/dL, but mmol/L was entered. Confirm the unit on the lab report before acting"
        " on this plan."
    )
    assert warning["because"][1] == "the site's laboratory reports Mg in mg/dL, but mmol/L was entered"


def test_p3_with_a_different_site_unit_asks_before_acting():
    warning = the_unit_check(mg=(0.8, "mg/dL"), site={"magnesium_unit": "mmol/L"})
    assert (
        "Your laboratory reports Mg in mmol/L, but mg/dL was entered. Confirm the unit on the lab report before acting"
        " on this plan." in warning["text"]
    )


def test_p2_in_meq_per_l_at_a_meq_site_takes_p3s_wording():
    # r2-m16: a low mEq/L value at a site that reports mEq/L is checked, not doubted.
    warning = the_unit_check(mg=(1.0, "mEq/L"), site={"magnesium_unit": "mEq/L"})
    assert "Confirm the unit on the lab report. mEq/L is twice the mmol/L number" in warning["text"]
    assert "before acting" not in warning["text"]
    assert "Your laboratory reports" not in warning["text"]


@pytest.mark.parametrize(
    ("value", "unit"), [(1.5, "mmol/L"), (2.0, "mmol/L"), (0.4, "mg/dL"), (0.8, "mg/dL"), (1.0, "mEq/L")]
)
@pytest.mark.parametrize("symptom", ["seizure", "tetany", "torsades", "ventricular_arrhythmia"])
def test_with_an_urgent_symptom_it_never_says_before_acting(value, unit, symptom):
    # M1: "Treat per the local emergency protocol now; confirm the unit in parallel."
    warning = the_unit_check(mg=(value, unit), symptoms=[symptom])
    assert "before acting" not in warning["text"]
    assert "Confirm the unit on the lab report" not in warning["text"]
    assert "Treat per the local emergency protocol now; confirm the unit in parallel." in warning["text"]


def test_an_urgent_symptom_at_a_different_site_unit_still_names_the_site_unit():
    warning = the_unit_check(mg=(0.6, "mmol/L"), site={"magnesium_unit": "mg/dL"}, symptoms=["tetany"])
    assert warning["text"].endswith(
        " Your laboratory reports Mg in mg/dL, but mmol/L was entered. Treat per the local emergency protocol now;"
        " confirm the unit in parallel."
    )


# --- Position: first, or last for a real low result in the laboratory's own unit -------------------------------


@pytest.mark.parametrize(
    ("changes", "first"),
    [
        ({"mg": (1.06, "mmol/L")}, True),  # P1
        ({"mg": (2.0, "mmol/L")}, True),  # P1b
        ({"mg": (0.4, "mg/dL")}, True),  # P2 mg/dL
        ({"mg": (1.0, "mEq/L")}, True),  # P2 mEq/L
        ({"mg": (1.0, "mEq/L"), "site": {"magnesium_unit": "mEq/L"}}, False),  # P2 at a mEq/L site: last
        ({"mg": (1.0, "mEq/L"), "site": {"magnesium_unit": "mmol/L"}}, True),
        ({"mg": (0.8, "mg/dL")}, False),  # P3: last
        ({"mg": (0.8, "mg/dL"), "site": {"magnesium_unit": "mg/dL"}}, False),
        ({"mg": (0.8, "mg/dL"), "site": {"magnesium_unit": "mmol/L"}}, True),  # P3 with a different site unit
        ({"mg": (0.6, "mmol/L"), "site": {"magnesium_unit": "mEq/L"}}, True),  # S
    ],
)
def test_the_unit_check_is_the_first_warning_or_the_last(changes, first):
    # Extra warnings on both sides: recent IV Mg, a QT drug and an oral interaction.
    out = run(
        magnesium_therapy={"iv_magnesium_last_24h": True, "oral_current": True},
        medications=[{"id": "levothyroxine"}],
        **changes,
    )
    found = ids(out["warnings"])
    assert len(found) > 2
    assert found.index("unit_check") == (0 if first else len(found) - 1)


def test_a_p1_unit_check_comes_before_hypermagnesemia():
    assert ids(run(mg=(1.5, "mmol/L"))["warnings"]) == ["unit_check", "hypermagnesemia"]


def test_the_unit_check_never_blocks_the_assessment():
    out = run(mg=(0.8, "mg/dL"))
    assert out["plan"]["route"] == "iv"  # 0.8 mg/dL is grade 3 in mg/dL and is treated as such
    assert out["severity"]["ctcae_grade"] == 3


def test_no_unit_check_for_a_plain_mmol_value():
    assert "unit_check" not in ids(run()["warnings"])


# --- Age of the sample (section 2.2) -------------------------------------------------------------------------


def aged(hours, **kwargs):
    return run(labs={"magnesium": {"value": 0.6, "unit": "mmol/L", "age_hours": hours}}, **kwargs)


def test_a_result_older_than_24_h_is_stale():
    (warning,) = warnings(aged(30), "stale_result")
    assert warning["text"] == "The Mg result is 30 h old: repeat it before acting on this plan."
    assert warning["because"] == ["Mg sample taken 30 h ago, more than 24 h"]
    assert warning["references"] == ["S30", "S101"]


def test_a_stale_result_with_an_urgent_symptom_is_treated_now():
    (warning,) = warnings(aged(24.5, symptoms=["tetany"]), "stale_result")
    assert warning["text"] == (
        "The Mg result is 24.5 h old: treat per the emergency protocol now and send a fresh level."
    )
    assert "before acting" not in warning["text"]


@pytest.mark.parametrize("hours", [0, 23.9, 24])
def test_a_result_of_24_h_or_less_is_not_stale(hours):
    assert warnings(aged(hours), "stale_result") == []


def test_nothing_is_said_when_the_age_is_not_given():
    out = run()
    assert warnings(out, "stale_result") == []
    assert "labs.magnesium.age_hours" not in out["missing"]


def test_the_age_is_echoed_beside_the_entered_value():
    assert aged(30)["magnesium"]["entered"] == {"value": 0.6, "unit": "mmol/L", "age_hours": 30}
    assert run()["magnesium"]["entered"] == {"value": 0.6, "unit": "mmol/L"}


# --- Recent IV magnesium (section 2.4) ------------------------------------------------------------------------


@pytest.mark.parametrize("mg", [0.60, 0.85])
def test_it_asks_whether_the_sample_followed_a_recent_infusion(mg):
    out = run(mg=(mg, "mmol/L"), magnesium_therapy={"iv_magnesium_last_24h": True})
    (warning,) = warnings(out, "recent_iv_magnesium")
    assert warning["text"] == (
        "IV magnesium in the last 24 h: confirm the sample was drawn at least 6 h after the end of the last infusion;"
        " a level taken during or just after an infusion overstates the body's stores and can lead to a missed or"
        " repeated course."
    )
    assert warning["because"] == ["IV magnesium given in the last 24 h"]
    assert warning["references"] == ["S30"]


def test_it_does_not_ask_about_an_infusion_that_was_not_given():
    out = run(magnesium_therapy={"iv_magnesium_last_24h": False, "oral_current": True})
    assert warnings(out, "recent_iv_magnesium") == []


def test_the_result_alone_gives_the_same_unit_check_and_stale_warning_as_a_whole_assessment():
    # A CDS card without the transplant type and day shows these two warnings; they must read as the assessment's.
    from assessments.clinical import result_warnings, warnings_to_json

    mg = Measurement(Analyte.MAGNESIUM, 1.5, Unit.MMOL_L)
    whole = run(mg=(1.5, "mmol/L"), labs={"magnesium": {"value": 1.5, "unit": "mmol/L", "age_hours": 30}})
    alone = warnings_to_json(result_warnings(mg, age_hours=30))
    assert [w["id"] for w in alone] == ["unit_check", "stale_result"]
    assert alone == [w for w in whole["warnings"] if w["id"] in ("unit_check", "stale_result")]


def test_the_result_alone_lists_a_real_low_mg_dl_value_last_and_without_before_acting():
    from assessments.clinical import result_warnings

    mg = Measurement(Analyte.MAGNESIUM, 1.0, Unit.MG_DL)
    found = result_warnings(mg, age_hours=30, urgent=True)
    assert [w.id for w in found] == ["stale_result", "unit_check"]
    assert "before acting" not in found[1].text and "in parallel" in found[1].text
    assert result_warnings(Measurement(Analyte.MAGNESIUM, 0.6, Unit.MMOL_L)) == ()
