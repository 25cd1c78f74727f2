"""A patient's magnesium timeline as an inline SVG string, drawn on the server.

Takes one `TimelinePoint` per saved assessment (Mg always in mmol/L) and returns SVG markup in the site's unit.
Drawn server-side so the chart needs no JavaScript and no CDN, and works on the ward PCs with scripts off.

Rules the markup keeps, and why:
- No ``style`` attribute: the Content-Security-Policy forbids inline styles, so only presentation attributes.
- Every text is escaped here, because labels come from user data. The result is therefore safe markup: the
  caller marks it safe (``mark_safe``) and must not escape it again.
- The vertical scale is computed in mmol/L whatever the display unit, so a point sits at the same height in
  mg/dL and mmol/L; only the tick labels are converted (with `units.convert`, never a literal factor).
- Colour is never the only cue: the CTCAE grade is also a marker shape and a "G2" text, the route a text code.
- No points gives a short SVG that says so (not an empty string), so the page keeps one layout and screen
  readers still hear why there is no chart.
- Samples of the same day sit side by side around their day, in the order they were taken, `SAME_DAY_GAP` apart:
  drawn on one x they hid each other's marker, grade and route (a tester's finding). Each title still names the day.
- A trough is marked with its drug's letter (T, C, S): the track can hold tacrolimus and cyclosporine, whose levels
  differ tenfold, on one scale.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils import timezone

from assessments.clinical.units import Analyte, Unit, convert, fmt
from assessments.labels import ROUTE_CHART

if TYPE_CHECKING:
    from assessments.models import SavedAssessment


@dataclass(frozen=True)
class TimelinePoint:
    transplant_day: int  # x axis: day after transplant (negative during conditioning)
    mg_mmol_per_l: Decimal
    ctcae_grade: int  # 0-4
    clinical_severity: str  # "none" | "mild" | "moderate" | "severe" | "emergency"
    route: str  # route id from clinical.route
    trough_drug: str  # "" or "tacrolimus" | "cyclosporine" | "sirolimus"
    trough_value: Decimal | None
    trough_unit: str  # "ng/mL" | "ug/L" | ""
    label: str  # sample time, shown in the point's <title>
    # The troughs of any further immunosuppressant of the same plan, as (drug, value, unit): a plan on tacrolimus and
    # cyclosporine drew only the first (an independent tester).
    other_troughs: tuple[tuple[str, Decimal, str], ...] = ()

    @property
    def troughs(self) -> tuple[tuple[str, Decimal, str], ...]:
        """Every trough of the plan, the first one first."""
        first = ((self.trough_drug, self.trough_value, self.trough_unit),) if self.trough_value is not None else ()
        return first + self.other_troughs


WIDTH, HEIGHT = 720, 320
LEFT, RIGHT = 64, 704
MG_TOP, MG_BOTTOM = 34, 178  # Mg panel
ROUTE_Y = 194  # row of route codes between the panels
TR_TOP, TR_BOTTOM = 206, 270  # CNI trough panel, same x axis
TEXT, AXIS, GRID = "#212529", "#495057", "#dee2e6"  # text and axes pass WCAG AA on white
LLN_FILL, TARGET = "#fbe3e5", "#0b5394"  # a pale band under dark text; the target line is dark blue
DISPLAY_UNITS = (Unit.MMOL_L, Unit.MG_DL)
# Grade -> (shape, fill). Markers only: the outline is always dark, so the shape reads without the fill.
GRADES = {
    0: ("circle", "#ffffff"),
    1: ("circle", "#ffe08a"),
    2: ("square", "#fd7e14"),
    3: ("triangle", "#d63384"),
    4: ("diamond", "#842029"),
}
# Route id -> (code drawn under the point, words for tooltips and the legend).
ROUTES = ROUTE_CHART
# Pixels between samples of the same day: the width of a grade label ("G2") or a route code ("IV!") and a gap. A day
# spreads over at most SAME_DAY_SPREAD: more samples than fit sit closer, without their labels (the table below the
# chart lists each), and never outside the frame (an independent tester saved 75 samples on one day).
SAME_DAY_GAP = 20
SAME_DAY_SPREAD = 3 * SAME_DAY_GAP
# Immunosuppressant -> the letter beside its trough.
TROUGH_LETTERS = {"tacrolimus": "T", "cyclosporine": "C", "sirolimus": "S"}
_ID = re.compile(r"[A-Za-z][\w-]*\Z")


def timeline_points(assessments: list[SavedAssessment]) -> list[TimelinePoint]:
    """The saved assessments as timeline points, oldest first (the SVG and its table read the same list)."""
    return [
        TimelinePoint(
            transplant_day=a.transplant_day,
            mg_mmol_per_l=a.mg_mmol_per_l,
            ctcae_grade=a.ctcae_grade,
            clinical_severity=a.clinical_severity,
            route=a.route,
            trough_drug=a.trough_drug,
            trough_value=a.trough_value,
            trough_unit=a.trough_unit,
            label=timezone.localtime(a.sample_time).strftime("%Y-%m-%d %H:%M"),
            other_troughs=_other_troughs(a.input, a.trough_drug),
        )
        for a in sorted(assessments, key=lambda a: (a.sample_time, a.pk))
    ]


def _other_troughs(data: dict, first_drug: str) -> tuple[tuple[str, Decimal, str], ...]:
    """The troughs of the saved input after the first one (`SavedAssessment.trough_*` holds the first)."""
    troughs = [
        (item["drug"], Decimal(str(item["trough"]["value"])), item["trough"]["unit"])
        for item in (data.get("immunosuppressants") or ())
        if isinstance(item, dict) and item.get("trough")
    ]
    return tuple(troughs[1:]) if troughs and troughs[0][0] == first_drug else ()


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _attrs(attrs: dict[str, object]) -> str:
    """Keyword arguments as SVG attributes: ``stroke_width=1`` -> ``stroke-width="1"``, ``class_`` -> ``class``."""
    out = []
    for key, value in attrs.items():
        text = f"{value:.1f}" if isinstance(value, float) else str(value)
        out.append(f' {key.rstrip("_").replace("_", "-")}="{_e(text)}"')
    return "".join(out)


def _el(tag: str, **attrs: object) -> str:
    return f"<{tag}{_attrs(attrs)}/>"


def _text(x: float, y: float, content: str, *, size: int = 11, anchor: str = "start", **attrs: object) -> str:
    attrs = {"x": x, "y": y, "font_size": size, "text_anchor": anchor, "fill": TEXT, **attrs}
    return f"<text{_attrs(attrs)}>{_e(content)}</text>"


def _marker(grade: int, r: float = 5.0) -> str:
    """The grade's shape centred on 0,0; the caller positions it with a translate()."""
    shape, fill = GRADES[grade]
    paint = f'fill="{fill}" stroke="{TEXT}" stroke-width="1.2"'
    if shape == "circle":
        return f'<circle cx="0" cy="0" r="{r}" {paint}/>'
    if shape == "square":
        return f'<rect x="{-r}" y="{-r}" width="{2 * r}" height="{2 * r}" {paint}/>'
    k = 1.3 * r
    corners = [(0, -k), (k, 0.8 * r), (-k, 0.8 * r)] if shape == "triangle" else [(0, -k), (k, 0), (0, k), (-k, 0)]
    return f'<polygon points="{" ".join(f"{a:.1f},{b:.1f}" for a, b in corners)}" {paint}/>'


def _ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """Round values (1, 2 or 5 x 10^n apart) between lo and hi, so the axis reads 0.4, 0.6, 0.8 rather than 0.43."""
    raw = (hi - lo) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    first = math.ceil(lo / step - 1e-9)
    return [round((first + i) * step, 10) for i in range(int((hi - lo) / step) + 2) if (first + i) * step <= hi + 1e-9]


def _trough_ng_ml(value: Decimal | None, unit_text: str) -> float:
    """ng/mL and ug/L are the same quantity; an empty unit with a value is read as ng/mL for that reason."""
    unit = Unit(unit_text or Unit.NG_ML)
    if unit not in Analyte.TROUGH.spec.factors:
        raise ValueError(f"Trough unit {unit} is not a trough unit")
    return convert(Analyte.TROUGH, float(value or 0), unit, Unit.NG_ML)


def _svg(prefix: str, height: int, title: str, desc: str, body: list[str]) -> str:
    """The root: no width attribute, so the viewBox scales the chart down with its container on a phone."""
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" preserveAspectRatio="xMidYMid meet"'
        f' role="img" aria-labelledby="{prefix}-title {prefix}-desc" font-family="system-ui, sans-serif"'
        ' class="timeline">'
    )
    named = [f'<title id="{prefix}-title">{_e(title)}</title>', f'<desc id="{prefix}-desc">{_e(desc)}</desc>']
    return "\n".join([head, *named, *body, "</svg>"])


def _trough_panel(pts: list[TimelinePoint], xs: list[float]) -> list[str]:
    """The immunosuppressant trough track: its own scale from 0, each trough at its Mg point's x (`xs`); points
    without a trough left out. Each trough carries its drug's letter, and the title names the letters used. With two
    drugs on the track (their levels differ tenfold, so one sits on the baseline) each trough also shows its value."""
    troughs = [
        (p, px, drug, _trough_ng_ml(value, unit))
        for p, px in zip(pts, xs, strict=True)
        for drug, value, unit in p.troughs
    ]
    drugs = list(dict.fromkeys(drug for _, _, drug, _ in troughs if drug in TROUGH_LETTERS))
    key = " · ".join(f"{TROUGH_LETTERS[d]} {d}" for d in drugs)
    body = [_text(LEFT + 4, TR_TOP + 12, f"Trough (ng/mL){': ' + key if key else ''}", size=10, class_="tl-trough-key")]
    if not troughs:
        return [*body, _text((LEFT + RIGHT) / 2, (TR_TOP + TR_BOTTOM) / 2 + 4, "No trough entered", anchor="middle")]
    top = max(v for _, _, _, v in troughs) * 1.25 or 1.0  # a trough of 0 still gets a scale

    def y(value: float) -> float:
        return TR_BOTTOM - value / top * (TR_BOTTOM - TR_TOP)

    body += [
        _text(LEFT - 6, y(t) + 4, fmt(t), size=10, anchor="end", class_="tl-trough-tick") for t in _ticks(0, top, 2)
    ]
    for p, px, drug, value in troughs:
        tip = f"Day {p.transplant_day}: {drug or 'trough'} {fmt(value)} ng/mL, {p.label}"
        letter = TROUGH_LETTERS.get(drug, "")
        words = f"{letter} {fmt(value)}" if len(drugs) > 1 else letter
        mark = _text(0, -6, words, size=9, anchor="middle", class_="tl-trough-drug") if words else ""
        body.append(
            f'<g class="tl-trough" transform="translate({px:.1f},{y(value):.1f})">'
            f"<title>{_e(tip)}</title>{_el('circle', cx=0, cy=0, r=4, fill=AXIS, stroke=TEXT)}{mark}</g>"
        )
    return body


def _same_day_spread(days: list[int], x: Callable[[float], float]) -> tuple[list[float], list[bool]]:
    """Each point's x, moved apart from the other samples of its day and centred on the day, in the frame; and
    whether the point has room for its labels (grade and route)."""
    counts: dict[int, int] = {}
    for day in days:
        counts[day] = counts.get(day, 0) + 1
    seen: dict[int, int] = {}
    xs, roomy = [], []
    for day in days:
        index, count = seen.get(day, 0), counts[day]
        seen[day] = index + 1
        gap = min(SAME_DAY_GAP, SAME_DAY_SPREAD / (count - 1)) if count > 1 else 0.0
        xs.append(min(max(x(day) + (index - (count - 1) / 2) * gap, LEFT + 6), RIGHT - 6))
        roomy.append(count == 1 or gap >= SAME_DAY_GAP)
    return xs, roomy


def timeline_svg(
    points: Sequence[TimelinePoint],
    *,
    unit: str,
    lln_mmol_per_l: Decimal,
    target_mmol_per_l: Decimal,
    id_prefix: str = "timeline",
) -> str:
    """SVG markup of Mg over transplant days, with LLN band, target line, grade, route and a CNI trough track."""
    if unit not in DISPLAY_UNITS:
        raise ValueError(f"Timeline unit must be mmol/L or mg/dL, not {unit!r}")
    if not _ID.match(id_prefix):
        raise ValueError(f"id_prefix {id_prefix!r} is not a valid id")
    shown = Unit(unit)

    def show(mmol: float) -> float:
        return convert(Analyte.MAGNESIUM, mmol, Unit.MMOL_L, shown)

    title = "Serum magnesium by day after transplant"
    if not points:
        message = _text(WIDTH / 2, 34, "No saved assessments yet", size=14, anchor="middle")
        return _svg(id_prefix, 60, title, "No saved assessments yet.", [message])

    pts = sorted(points, key=lambda p: p.transplant_day)  # stable: same-day samples keep their order
    lln, target = float(lln_mmol_per_l), float(target_mmol_per_l)
    mgs = [float(p.mg_mmol_per_l) for p in pts]
    lo, hi = min(*mgs, lln, target), max(*mgs, lln, target)
    margin = max((hi - lo) * 0.12, 0.05)  # never zero, so a flat series does not divide by zero
    lo, hi = max(lo - margin, 0.0), hi + margin
    d_lo, d_hi = pts[0].transplant_day, pts[-1].transplant_day
    pad = max((d_hi - d_lo) * 0.04, 1.0)  # a single day still gets a width
    x0, x1 = d_lo - pad, d_hi + pad

    def x(day: float) -> float:
        return LEFT + (day - x0) / (x1 - x0) * (RIGHT - LEFT)

    def y(mmol: float) -> float:
        return MG_BOTTOM - (mmol - lo) / (hi - lo) * (MG_BOTTOM - MG_TOP)

    lowest = min(pts, key=lambda p: p.mg_mmol_per_l)
    days = f"on day {d_lo}" if d_lo == d_hi else f"from day {d_lo} to day {d_hi}"
    desc = (
        f"{len(pts)} assessment{'s' if len(pts) > 1 else ''} {days}; lowest magnesium"
        f" {fmt(show(float(lowest.mg_mmol_per_l)))} {unit} on day {lowest.transplant_day}."
    )
    # Legend: grade shapes and route codes, so that neither depends on colour.
    body = [_text(LEFT, 16, "CTCAE grade:")]
    for g in GRADES:
        body += [f'<g transform="translate({LEFT + 86 + g * 34},12)">{_marker(g, 4.5)}</g>']
        body += [_text(LEFT + 94 + g * 34, 16, str(g))]
    routes = " · ".join(code if code == words else f"{code} {words}" for code, words in ROUTES.values())
    body.append(_text(RIGHT, 16, f"Route: {routes}", anchor="end"))
    # The LLN band first, so that the grid lines stay visible over it.
    band, goal = y(lln), y(target)
    body.append(
        _el("rect", class_="tl-lln", x=LEFT, y=band, width=RIGHT - LEFT, height=MG_BOTTOM - band, fill=LLN_FILL)
    )
    # Mg axis: labels in the display unit, positions in mmol/L.
    for t in _ticks(show(lo), show(hi)):
        ty = y(convert(Analyte.MAGNESIUM, t, shown, Unit.MMOL_L))
        body.append(_el("line", x1=LEFT, y1=ty, x2=RIGHT, y2=ty, stroke=GRID))
        body.append(_text(LEFT - 6, ty + 4, fmt(t), anchor="end", class_="tl-y-tick"))
    mid = (MG_TOP + MG_BOTTOM) / 2
    body.append(_text(16, mid, f"Mg ({unit})", anchor="middle", transform=f"rotate(-90 16 {mid})"))
    # LLN and target, each named in words.
    body.append(
        _text(RIGHT - 4, band + 13, f"Below LLN ({fmt(show(lln))} {unit})", anchor="end", class_="tl-lln-label")
    )
    dash = {"stroke": TARGET, "stroke_width": 1.5, "stroke_dasharray": "6 4"}
    body.append(_el("line", class_="tl-target", x1=LEFT, y1=goal, x2=RIGHT, y2=goal, **dash))
    body.append(
        _text(RIGHT - 4, goal - 5, f"Target {fmt(show(target))} {unit}", anchor="end", class_="tl-target-label")
    )
    # Shared x axis: grid through both panels, whole days labelled under the trough panel.
    for day in (d for d in _ticks(x0, x1, 8) if d == int(d)):
        body.append(_el("line", x1=x(day), y1=MG_TOP, x2=x(day), y2=TR_BOTTOM, stroke=GRID))
        body.append(_text(x(day), TR_BOTTOM + 14, str(int(day)), anchor="middle", class_="tl-x-tick"))
    body.append(_text((LEFT + RIGHT) / 2, HEIGHT - 6, "Day after transplant", anchor="middle"))
    for top, bottom in ((MG_TOP, MG_BOTTOM), (TR_TOP, TR_BOTTOM)):
        body.append(_el("rect", x=LEFT, y=top, width=RIGHT - LEFT, height=bottom - top, fill="none", stroke=AXIS))
    xs, roomy = _same_day_spread([p.transplant_day for p in pts], x)
    line = " ".join(f"{px:.1f},{y(mg):.1f}" for px, mg in zip(xs, mgs, strict=True))
    body.append(_el("polyline", points=line, fill="none", stroke=AXIS, stroke_width=1.5))
    body.append(_text(LEFT - 6, ROUTE_Y + 4, "Route", size=10, anchor="end"))
    for p, mg, px, room in zip(pts, mgs, xs, roomy, strict=True):
        code, words = ROUTES.get(p.route, (p.route, p.route))
        tip = f"Day {p.transplant_day}: {fmt(show(mg))} {unit}, grade {p.ctcae_grade} ({p.clinical_severity}), {words}"
        grade = _text(0, -9, f"G{p.ctcae_grade}", size=9, anchor="middle") if room else ""
        body.append(
            f'<g class="tl-point" transform="translate({px:.1f},{y(mg):.1f})">'
            f"<title>{_e(f'{tip}, {p.label}')}</title>{_marker(p.ctcae_grade)}{grade}</g>"
        )
        if room:
            body.append(_text(px, ROUTE_Y + 4, code, size=10, anchor="middle", class_="tl-route"))
    return _svg(id_prefix, HEIGHT, title, desc, body + _trough_panel(pts, xs))
