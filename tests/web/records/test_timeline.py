"""The magnesium timeline SVG (assessments/records/timeline.py): parsed as XML, never matched as a picture.

The base series is three assessments: day -3 above the LLN (grade 0, no Mg), day 5 with a tacrolimus trough (grade
1, oral) and day 12 at 0.42 mmol/L (grade 2, IV). LLN 0.70 and target 0.80 mmol/L.
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from decimal import Decimal

import pytest

from assessments.clinical.units import MG_MG_DL_PER_MMOL_L
from assessments.records.timeline import LEFT, RIGHT, SAME_DAY_GAP, SAME_DAY_SPREAD, TimelinePoint, timeline_svg

NS = "{http://www.w3.org/2000/svg}"
LLN, TARGET = Decimal("0.70"), Decimal("0.80")
BASE = TimelinePoint(
    transplant_day=-3,
    mg_mmol_per_l=Decimal("0.82"),
    ctcae_grade=0,
    clinical_severity="none",
    route="none",
    trough_drug="",
    trough_value=None,
    trough_unit="",
    label="2026-11-05 08:00",
)
SERIES = [
    BASE,
    replace(
        BASE,
        transplant_day=5,
        mg_mmol_per_l=Decimal("0.60"),
        ctcae_grade=1,
        clinical_severity="mild",
        route="oral",
        trough_drug="tacrolimus",
        trough_value=Decimal("8.1"),
        trough_unit="ng/mL",
        label="2026-11-13 08:00",
    ),
    replace(
        BASE,
        transplant_day=12,
        mg_mmol_per_l=Decimal("0.42"),
        ctcae_grade=2,
        clinical_severity="moderate",
        route="iv",
        label="2026-11-20 08:00",
    ),
]


def svg(points=SERIES, unit="mmol/L", **kwargs) -> str:
    return timeline_svg(points, unit=unit, lln_mmol_per_l=LLN, target_mmol_per_l=TARGET, **kwargs)


def tree(points=SERIES, unit="mmol/L", **kwargs) -> ET.Element:
    return ET.fromstring(svg(points, unit, **kwargs))  # raises on markup that is not well-formed


def by_class(root: ET.Element, name: str) -> list[ET.Element]:
    return [el for el in root.iter() if el.get("class") == name]


def texts(root: ET.Element, name: str) -> list[str]:
    return [el.text or "" for el in by_class(root, name)]


def position(el: ET.Element) -> tuple[float, float]:
    x, y = re.fullmatch(r"translate\(([-\d.]+),([-\d.]+)\)", el.get("transform", "")).groups()
    return float(x), float(y)


def test_it_is_an_accessible_svg_that_scales_with_its_container():
    root = tree()
    assert root.tag == f"{NS}svg"
    assert root.get("viewBox") == "0 0 720 320"
    assert root.get("preserveAspectRatio")
    # A fixed width would overflow a phone screen; the viewBox alone lets it shrink.
    assert "width" not in root.attrib and "height" not in root.attrib
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "timeline-title timeline-desc"


def test_its_description_summarises_the_series_in_one_sentence():
    desc = tree().find(f"{NS}desc")
    assert desc.text == "3 assessments from day -3 to day 12; lowest magnesium 0.42 mmol/L on day 12."


def test_it_draws_one_marker_per_point():
    assert len(by_class(tree(), "tl-point")) == len(SERIES)


def test_each_point_has_a_title_that_reads_as_a_sentence():
    titles = [el.find(f"{NS}title").text for el in by_class(tree(), "tl-point")]
    assert titles[2] == "Day 12: 0.42 mmol/L, grade 2 (moderate), IV, 2026-11-20 08:00"
    assert titles[0] == "Day -3: 0.82 mmol/L, grade 0 (none), no magnesium, 2026-11-05 08:00"


def test_it_sorts_points_by_day():
    markers = by_class(tree(list(reversed(SERIES))), "tl-point")
    xs = [position(el)[0] for el in markers]
    assert xs == sorted(xs)


def test_the_grade_is_a_shape_and_a_text_not_only_a_colour():
    points = [replace(BASE, transplant_day=day, ctcae_grade=day) for day in range(5)]
    markers = by_class(tree(points), "tl-point")
    assert [el.find(f"{NS}text").text for el in markers] == ["G0", "G1", "G2", "G3", "G4"]
    shapes = {(el[1].tag, el[1].get("fill")) for el in markers}
    assert len(shapes) == 5


def test_it_writes_the_route_under_each_point_and_explains_the_codes():
    root = tree()
    assert texts(root, "tl-route") == ["–", "PO", "IV"]
    assert any((el.text or "").startswith("Route: – no magnesium · PO oral · IV") for el in root.iter(f"{NS}text"))


def test_the_y_axis_is_labelled_in_the_requested_unit():
    root = tree(unit="mg/dL")
    labels = [el.text for el in root.iter(f"{NS}text")]
    assert "Mg (mg/dL)" in labels
    # mmol/L ticks would stay below 1; in mg/dL the same range runs from about 1 to 2.
    assert max(float(t) for t in texts(root, "tl-y-tick")) >= 1.5
    assert by_class(root, "tl-point")[2].find(f"{NS}title").text.startswith("Day 12: 1.02 mg/dL,")


def test_a_point_sits_at_the_same_height_in_mg_dl_and_mmol_l():
    mmol = [position(el) for el in by_class(tree(unit="mmol/L"), "tl-point")]
    mg_dl = [position(el) for el in by_class(tree(unit="mg/dL"), "tl-point")]
    assert mmol == mg_dl


def test_mg_dl_tick_labels_sit_at_the_height_of_their_value():
    # Two points give the scale: a tick of v mg/dL must sit at v / 2.4305 mmol/L between them.
    points = [
        replace(BASE, mg_mmol_per_l=Decimal("0.5")),
        replace(BASE, transplant_day=2, mg_mmol_per_l=Decimal("1.0")),
    ]
    root = tree(points, unit="mg/dL")
    (_, y_half), (_, y_one) = (position(el) for el in by_class(root, "tl-point"))
    for tick in by_class(root, "tl-y-tick"):
        mmol = float(tick.text) / MG_MG_DL_PER_MMOL_L
        expected = y_half + (mmol - 0.5) / 0.5 * (y_one - y_half)
        assert float(tick.get("y")) - 4 == pytest.approx(expected, abs=0.15)  # the label is 4 px below its line


def test_it_shades_below_the_lln_and_names_it():
    root = tree()
    (band,) = by_class(root, "tl-lln")
    above, _, below = (position(el)[1] for el in by_class(root, "tl-point"))
    assert above < float(band.get("y")) < below  # 0.82 above the band's top edge, 0.42 inside it
    assert texts(root, "tl-lln-label") == ["Below LLN (0.7 mmol/L)"]
    assert texts(tree(unit="mg/dL"), "tl-lln-label") == ["Below LLN (1.7 mg/dL)"]


def test_it_draws_and_names_the_target():
    root = tree()
    assert len(by_class(root, "tl-target")) == 1
    assert texts(root, "tl-target-label") == ["Target 0.8 mmol/L"]


def test_a_point_with_a_trough_is_on_the_second_track_and_one_without_is_not():
    root = tree()
    (trough,) = by_class(root, "tl-trough")
    assert trough.find(f"{NS}title").text == "Day 5: tacrolimus 8.1 ng/mL, 2026-11-13 08:00"
    mg_x, _ = position(by_class(root, "tl-point")[1])
    trough_x, trough_y = position(trough)
    assert trough_x == mg_x  # the two panels share the day axis
    assert trough_y > 200  # below the Mg panel
    assert texts(root, "tl-trough-tick")  # the track has its own scale


def test_samples_of_the_same_day_sit_side_by_side_around_their_day_in_the_order_taken():
    # A tester: two assessments of one day drew their markers, grades and route codes over each other.
    morning = replace(SERIES[1], label="2026-11-13 06:00")
    evening = replace(SERIES[2], transplant_day=5, label="2026-11-13 18:00")
    alone = position(by_class(tree([BASE, morning, SERIES[2]]), "tl-point")[1])[0]
    root = tree([BASE, morning, evening, SERIES[2]])  # the same days -3 to 12: the same scale
    xs = [position(el)[0] for el in by_class(root, "tl-point")][1:3]
    assert xs[1] - xs[0] == pytest.approx(SAME_DAY_GAP, abs=0.2)
    assert (xs[0] + xs[1]) / 2 == pytest.approx(alone, abs=0.2)  # centred on the day
    titles = [el.find(f"{NS}title").text for el in by_class(root, "tl-point")][1:3]
    assert titles[0].endswith("2026-11-13 06:00") and titles[1].endswith("2026-11-13 18:00")
    routes = [float(el.get("x")) for el in by_class(root, "tl-route")][1:3]
    assert routes == pytest.approx(xs, abs=0.2)  # each route code under its own point
    (trough,) = by_class(root, "tl-trough")
    assert position(trough)[0] == pytest.approx(xs[0], abs=0.2)  # the trough under the sample it was taken with


def test_a_crowded_day_stays_in_its_frame_and_leaves_its_labels_to_the_table():
    # A tester saved 75 samples on one day: the markers ran from x = -655 to 2110, over the axis and its numbers.
    crowded = [replace(SERIES[2], label=f"2026-11-20 {i // 60:02d}:{i % 60:02d}") for i in range(75)]
    root = tree([BASE, *crowded])
    xs = [position(el)[0] for el in by_class(root, "tl-point")]
    assert all(LEFT < px < RIGHT for px in xs)
    assert max(xs[1:]) - min(xs[1:]) == pytest.approx(SAME_DAY_SPREAD, abs=0.2)
    assert len(by_class(root, "tl-route")) == 1  # only the day with one sample has room for its route code
    labels = [el for el in root.iter(f"{NS}text") if (el.text or "").startswith("G")]
    assert len(labels) == 1


def test_each_trough_carries_its_drugs_letter_and_the_track_names_the_letters():
    # A tester: tacrolimus and cyclosporine troughs on one scale, with nothing to tell them apart.
    points = [
        SERIES[1],
        replace(SERIES[2], trough_drug="cyclosporine", trough_value=Decimal("180"), trough_unit="ng/mL"),
    ]
    root = tree(points)
    # Two drugs share the scale, so tacrolimus's 8.1 sits near the baseline: each trough also gives its value.
    assert texts(root, "tl-trough-drug") == ["T 8.1", "C 180"]
    assert texts(root, "tl-trough-key") == ["Trough (ng/mL): T tacrolimus · C cyclosporine"]
    assert texts(tree([BASE]), "tl-trough-key") == ["Trough (ng/mL)"]
    assert texts(tree([SERIES[1]]), "tl-trough-drug") == ["T"]  # one drug: its letter, read on the scale


def test_a_plan_on_two_immunosuppressants_draws_both_troughs_at_its_point():
    # A tester saved tacrolimus 12 and cyclosporine 250 in one plan: the chart and its table showed only the first.
    both = replace(SERIES[1], other_troughs=(("cyclosporine", Decimal("250"), "ng/mL"),))
    root = tree([BASE, both])
    troughs = by_class(root, "tl-trough")
    assert [el.find(f"{NS}title").text for el in troughs] == [
        "Day 5: tacrolimus 8.1 ng/mL, 2026-11-13 08:00",
        "Day 5: cyclosporine 250 ng/mL, 2026-11-13 08:00",
    ]
    mg_x = position(by_class(root, "tl-point")[1])[0]
    assert {position(el)[0] for el in troughs} == {mg_x}  # both under their sample


def test_a_trough_in_ug_per_l_is_drawn_as_the_same_ng_per_ml():
    points = [replace(SERIES[1], trough_value=Decimal("8.1"), trough_unit="ug/L")]
    (trough,) = by_class(tree(points), "tl-trough")
    assert "8.1 ng/mL" in trough.find(f"{NS}title").text


def test_without_any_trough_the_track_says_so():
    root = tree([BASE])
    assert not by_class(root, "tl-trough")
    assert "No trough entered" in [el.text for el in root.iter(f"{NS}text")]


@pytest.mark.parametrize(
    "points",
    [
        [BASE],
        [replace(BASE, mg_mmol_per_l=Decimal("0.5")), replace(BASE, mg_mmol_per_l=Decimal("0.6"))],  # same day
        [replace(BASE, mg_mmol_per_l=LLN), replace(BASE, transplant_day=4, mg_mmol_per_l=LLN)],  # flat series
        [replace(BASE, trough_drug="sirolimus", trough_value=Decimal("0"), trough_unit="ng/mL")],  # trough of 0
    ],
    ids=["single point", "one day", "flat", "zero trough"],
)
def test_degenerate_series_draw_without_dividing_by_zero(points):
    # Target equal to the LLN too: every Mg value on the page is the same number.
    markup = timeline_svg(points, unit="mmol/L", lln_mmol_per_l=LLN, target_mmol_per_l=LLN)
    assert "nan" not in markup and "inf" not in markup
    xs = [position(el)[0] for el in by_class(ET.fromstring(markup), "tl-point")]
    assert all(64 <= x <= 704 for x in xs)  # inside the panel, not on its edge or beyond


def test_no_points_gives_a_short_svg_that_says_so():
    root = tree([])
    assert root.get("role") == "img"
    assert root.find(f"{NS}desc").text == "No saved assessments yet."
    assert not by_class(root, "tl-point")


@pytest.mark.parametrize("field", ["label", "route", "trough_drug", "clinical_severity"])
def test_user_text_is_escaped(field):
    hostile = '<script>alert("x")</script>'
    point = replace(SERIES[1], **{field: hostile})
    markup = svg([point])
    assert "<script>" not in markup
    assert "&lt;script&gt;" in markup
    # Escaped, not dropped: the reader still sees what was typed.
    root = ET.fromstring(markup)
    assert any(hostile in (el.text or "") for el in root.iter())
    assert not list(root.iter(f"{NS}script"))


def test_there_is_no_inline_style_anywhere():
    # The Content-Security-Policy blocks inline styles: the chart would lose its paint in production.
    for points in (SERIES, [], [BASE]):
        markup = svg(points)
        assert "style=" not in markup
        assert all("style" not in el.attrib for el in ET.fromstring(markup).iter())
        assert not list(ET.fromstring(markup).iter(f"{NS}style"))


def test_all_text_is_dark_enough_to_read_on_white():
    assert {el.get("fill") for el in tree().iter(f"{NS}text")} == {"#212529"}


@pytest.mark.parametrize("unit", ["mEq/L", "mmol", "", "MG/DL"])
def test_an_invalid_unit_raises(unit):
    with pytest.raises(ValueError, match="unit"):
        svg(unit=unit)
    with pytest.raises(ValueError):  # even with nothing to draw: the misconfiguration should not hide
        svg([], unit=unit)


def test_ids_use_the_prefix_so_two_charts_can_share_a_page():
    root = tree(id_prefix="mg-7")
    ids = [el.get("id") for el in root.iter() if el.get("id")]
    assert ids == ["mg-7-title", "mg-7-desc"]
    assert root.get("aria-labelledby") == "mg-7-title mg-7-desc"
    assert not set(ids) & {el.get("id") for el in tree(id_prefix="mg-8").iter() if el.get("id")}


@pytest.mark.parametrize("prefix", ["", "has space", '"><b', "7starts-with-digit"])
def test_a_prefix_that_is_not_an_id_is_refused(prefix):
    with pytest.raises(ValueError, match="id_prefix"):
        svg(id_prefix=prefix)


def test_coordinates_are_finite_numbers():
    numbers = re.findall(r' (?:x|y|x1|y1|x2|y2|width|height)="([^"]+)"', svg())
    assert numbers and all(math.isfinite(float(n)) for n in numbers)
