"""Units, conversions and hard ranges (PROTOCOL.md section 2, KNOWLEDGE.md section 1.2).

A lab value never travels as a bare float: it is a `Measurement` (analyte, value, unit) and is converted only
when a rule asks for it in a named unit, e.g. ``labs.magnesium.in_(Unit.MMOL_L)``. Values are kept as entered,
so the page can always show what the user typed beside the converted figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum, StrEnum

# Magnesium molar mass 24.305 g/mol and valence 2: 1 mmol/L = 2.4305 mg/dL = 2 mEq/L [S53].
MG_MG_DL_PER_MMOL_L = 2.4305
MG_MEQ_L_PER_MMOL_L = 2.0
# Other analytes' mass factors (PROTOCOL.md section 2 table).
CA_MG_DL_PER_MMOL_L = 4.008
PHOSPHATE_MG_DL_PER_MMOL_L = 3.097
CREATININE_UMOL_L_PER_MG_DL = 88.42
URINE_CREATININE_MMOL_L_PER_MG_DL = 0.08842

# Floating-point noise (0.7 x 2.4305 = 1.7013500000000001) must not move a value across a cut-off.
_PRECISION = 10


class Unit(StrEnum):
    MMOL_L = "mmol/L"
    MG_DL = "mg/dL"
    MEQ_L = "mEq/L"
    UMOL_L = "umol/L"
    G_L = "g/L"
    G_DL = "g/dL"
    NG_ML = "ng/mL"
    UG_L = "ug/L"


@dataclass(frozen=True)
class AnalyteSpec:
    """How one analyte converts: ``factors[unit]`` multiplies a value in ``unit`` into ``canonical``."""

    label: str
    canonical: Unit
    factors: dict[Unit, float]
    hard_range: tuple[float, float]  # in the canonical unit
    sources: tuple[str, ...] = ()


def _from_canonical(spec: AnalyteSpec, value: float, unit: Unit) -> float:
    """`convert` from the canonical unit, for the ranges computed while `Analyte` is built."""
    if unit is spec.canonical:
        return value
    return round(value * spec.factors[spec.canonical] / spec.factors[unit], _PRECISION)


class Analyte(Enum):
    MAGNESIUM = AnalyteSpec(
        "magnesium",
        Unit.MMOL_L,
        {Unit.MMOL_L: 1.0, Unit.MG_DL: 1 / MG_MG_DL_PER_MMOL_L, Unit.MEQ_L: 1 / MG_MEQ_L_PER_MMOL_L},
        (0.05, 5.0),
        ("S53",),
    )
    MAGNESIUM_LLN = AnalyteSpec(
        "magnesium lower limit of normal",
        Unit.MMOL_L,
        {Unit.MMOL_L: 1.0, Unit.MG_DL: 1 / MG_MG_DL_PER_MMOL_L, Unit.MEQ_L: 1 / MG_MEQ_L_PER_MMOL_L},
        (0.5, 1.0),
        ("S53",),
    )
    POTASSIUM = AnalyteSpec("potassium", Unit.MMOL_L, {Unit.MMOL_L: 1.0, Unit.MEQ_L: 1.0}, (1.0, 10.0))
    CALCIUM_TOTAL = AnalyteSpec(
        "total calcium", Unit.MMOL_L, {Unit.MMOL_L: 1.0, Unit.MG_DL: 1 / CA_MG_DL_PER_MMOL_L}, (0.5, 5.0)
    )
    CALCIUM_IONIZED = AnalyteSpec(
        "ionized calcium", Unit.MMOL_L, {Unit.MMOL_L: 1.0, Unit.MG_DL: 1 / CA_MG_DL_PER_MMOL_L}, (0.3, 3.0)
    )
    ALBUMIN = AnalyteSpec("albumin", Unit.G_L, {Unit.G_L: 1.0, Unit.G_DL: 10.0}, (5.0, 70.0))
    PHOSPHATE = AnalyteSpec(
        "phosphate", Unit.MMOL_L, {Unit.MMOL_L: 1.0, Unit.MG_DL: 1 / PHOSPHATE_MG_DL_PER_MMOL_L}, (0.1, 5.0)
    )
    CREATININE = AnalyteSpec(
        "serum creatinine",
        Unit.UMOL_L,
        {Unit.UMOL_L: 1.0, Unit.MG_DL: CREATININE_UMOL_L_PER_MG_DL},
        (10.0, 2000.0),
    )
    URINE_MAGNESIUM = AnalyteSpec(
        "urine magnesium", Unit.MMOL_L, {Unit.MMOL_L: 1.0, Unit.MG_DL: 1 / MG_MG_DL_PER_MMOL_L}, (0.05, 50.0)
    )
    URINE_CREATININE = AnalyteSpec(
        "urine creatinine",
        Unit.MMOL_L,
        {Unit.MMOL_L: 1.0, Unit.UMOL_L: 1 / 1000, Unit.MG_DL: URINE_CREATININE_MMOL_L_PER_MG_DL},
        (0.2, 60.0),
    )
    TROUGH = AnalyteSpec("trough level", Unit.NG_ML, {Unit.NG_ML: 1.0, Unit.UG_L: 1.0}, (0.0, 3000.0))

    def __init__(self, spec: AnalyteSpec) -> None:
        # Plain attributes, read on every conversion: an Enum's `.value` goes through a descriptor each time.
        self.spec = spec
        self.factors = spec.factors
        # The hard range in each accepted unit, converted once (the parser checks every value against it).
        self.range_in = {unit: (_from_canonical(spec, spec.hard_range[0], unit),
                                _from_canonical(spec, spec.hard_range[1], unit)) for unit in spec.factors}  # fmt: skip


def convert(analyte: Analyte, value: float, from_unit: Unit, to_unit: Unit) -> float:
    """Convert between two accepted units of one analyte, through its canonical unit."""
    if from_unit is to_unit:
        return value
    factors = analyte.factors
    return round(value * factors[from_unit] / factors[to_unit], _PRECISION)


@dataclass(slots=True)  # built once per value, never changed: slotted for speed
class Measurement:
    """A value exactly as entered, with its unit and what it measures."""

    analyte: Analyte
    value: float
    unit: Unit

    def in_(self, unit: Unit) -> float:
        if unit is self.unit:
            return self.value
        factors = self.analyte.factors
        return round(self.value * factors[self.unit] / factors[unit], _PRECISION)

    @property
    def canonical(self) -> float:
        return self.in_(self.analyte.spec.canonical)

    def show(self) -> str:
        return f"{fmt(self.value)} {self.unit}"


_FIXED = {places: f"%.{places}f" for places in range(7)}


def fmt(number: float, places: int = 2) -> str:
    """Display a number without trailing zeros: 4.0 -> '4', 16.24 -> '16.24', 0.25 -> '0.25'."""
    if number.__class__ is int or number.is_integer():  # most numbers in the texts are whole (5 g, 500 mL, 3 h)
        return str(int(number))
    text = _FIXED[places] % number
    if text[-1] != "0":  # the commonest: no trailing zero to strip, and not '-0'
        return text
    if places:  # with places=0 there is no decimal part: '120' must keep its zero
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def magnesium_all_units(mmol_per_l: float, *, besides: Unit | None = None) -> str:
    """'0.52 mmol/L = 1.26 mg/dL = 1.04 mEq/L': the three units side by side, as the page shows them; `besides`
    leaves out the unit already written before it ("Mg entered as 1 mg/dL = 0.41 mmol/L = 0.82 mEq/L", not
    "... = 1 mg/dL = ...", an independent tester)."""
    shown = (
        (Unit.MMOL_L, mmol_per_l),
        (Unit.MG_DL, mmol_per_l * MG_MG_DL_PER_MMOL_L),
        (Unit.MEQ_L, mmol_per_l * MG_MEQ_L_PER_MMOL_L),
    )
    return " = ".join(f"{fmt(value)} {unit.value}" for unit, value in shown if unit is not besides)
