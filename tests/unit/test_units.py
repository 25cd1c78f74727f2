"""Units and conversions (PROTOCOL.md section 2): every factor of the table, round trips and display."""

from __future__ import annotations

import pytest

from assessments.clinical.units import Analyte, Measurement, Unit, convert, fmt, magnesium_all_units


@pytest.mark.parametrize(
    ("analyte", "value", "from_unit", "to_unit", "expected"),
    [
        # Mg: mg/dL / 2.4305, mEq/L / 2 [S53].
        (Analyte.MAGNESIUM, 2.4305, Unit.MG_DL, Unit.MMOL_L, 1.0),
        (Analyte.MAGNESIUM, 1.0, Unit.MEQ_L, Unit.MMOL_L, 0.5),
        (Analyte.MAGNESIUM, 0.52, Unit.MMOL_L, Unit.MG_DL, 1.263860),
        (Analyte.MAGNESIUM, 0.52, Unit.MMOL_L, Unit.MEQ_L, 1.04),
        (Analyte.MAGNESIUM, 2.4305, Unit.MG_DL, Unit.MEQ_L, 2.0),
        (Analyte.MAGNESIUM_LLN, 1.70, Unit.MG_DL, Unit.MMOL_L, 1.70 / 2.4305),
        (Analyte.URINE_MAGNESIUM, 24.305, Unit.MG_DL, Unit.MMOL_L, 10.0),
        # Calcium: mg/dL / 4.008.
        (Analyte.CALCIUM_TOTAL, 8.016, Unit.MG_DL, Unit.MMOL_L, 2.0),
        (Analyte.CALCIUM_IONIZED, 4.008, Unit.MG_DL, Unit.MMOL_L, 1.0),
        # Phosphate: mg/dL / 3.097.
        (Analyte.PHOSPHATE, 3.097, Unit.MG_DL, Unit.MMOL_L, 1.0),
        # Serum creatinine: mg/dL x 88.42 = umol/L.
        (Analyte.CREATININE, 1.0, Unit.MG_DL, Unit.UMOL_L, 88.42),
        (Analyte.CREATININE, 88.42, Unit.UMOL_L, Unit.MG_DL, 1.0),
        # Urine creatinine: umol/L / 1000; mg/dL x 0.08842 = mmol/L.
        (Analyte.URINE_CREATININE, 8200, Unit.UMOL_L, Unit.MMOL_L, 8.2),
        (Analyte.URINE_CREATININE, 100, Unit.MG_DL, Unit.MMOL_L, 8.842),
        (Analyte.URINE_CREATININE, 8.842, Unit.MMOL_L, Unit.UMOL_L, 8842),
        # Albumin: g/dL x 10 = g/L.
        (Analyte.ALBUMIN, 2.9, Unit.G_DL, Unit.G_L, 29.0),
        # Potassium and troughs: 1:1.
        (Analyte.POTASSIUM, 3.3, Unit.MEQ_L, Unit.MMOL_L, 3.3),
        (Analyte.TROUGH, 12, Unit.UG_L, Unit.NG_ML, 12),
    ],
    ids=lambda v: str(v),
)
def test_it_converts_with_the_protocol_factors(analyte, value, from_unit, to_unit, expected):
    assert convert(analyte, value, from_unit, to_unit) == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize(
    ("analyte", "units"),
    [
        (Analyte.MAGNESIUM, (Unit.MMOL_L, Unit.MG_DL, Unit.MEQ_L)),
        (Analyte.CALCIUM_TOTAL, (Unit.MMOL_L, Unit.MG_DL)),
        (Analyte.PHOSPHATE, (Unit.MMOL_L, Unit.MG_DL)),
        (Analyte.CREATININE, (Unit.UMOL_L, Unit.MG_DL)),
        (Analyte.URINE_CREATININE, (Unit.MMOL_L, Unit.UMOL_L, Unit.MG_DL)),
        (Analyte.ALBUMIN, (Unit.G_L, Unit.G_DL)),
    ],
    ids=lambda v: v.name if isinstance(v, Analyte) else "-",
)
def test_it_round_trips_every_unit_pair(analyte, units):
    for a in units:
        for b in units:
            there = convert(analyte, 0.73, a, b)
            # `convert` keeps 10 decimals, so a tiny intermediate (0.73 umol/L in mg/dL) loses ~1e-9 relative.
            assert convert(analyte, there, b, a) == pytest.approx(0.73, rel=1e-6), (a, b)


def test_it_removes_floating_point_noise_that_could_cross_a_cut_off():
    # 0.7 x 2.4305 is 1.7013500000000001 in binary floating point; rounding to 10 places keeps grading stable.
    assert convert(Analyte.MAGNESIUM, 0.7, Unit.MMOL_L, Unit.MG_DL) == 1.70135
    assert convert(Analyte.MAGNESIUM, 1.4, Unit.MEQ_L, Unit.MMOL_L) == 0.7


def test_a_measurement_keeps_the_value_as_entered_and_converts_on_request():
    mg = Measurement(Analyte.MAGNESIUM, 1.26, Unit.MG_DL)
    assert mg.value == 1.26
    assert mg.unit is Unit.MG_DL
    assert mg.in_(Unit.MMOL_L) == pytest.approx(0.5184, abs=1e-4)
    assert mg.canonical == mg.in_(Unit.MMOL_L)


def test_the_canonical_unit_of_creatinine_is_umol_per_l():
    assert Measurement(Analyte.CREATININE, 1.0, Unit.MG_DL).canonical == pytest.approx(88.42)


def test_a_measurement_shows_itself_with_its_unit():
    assert Measurement(Analyte.MAGNESIUM, 0.50, Unit.MMOL_L).show() == "0.5 mmol/L"
    assert Measurement(Analyte.ALBUMIN, 29.0, Unit.G_L).show() == "29 g/L"


@pytest.mark.parametrize(
    ("number", "places", "text"),
    [
        (4.0, 2, "4"),
        (16.24, 2, "16.24"),
        (0.25, 2, "0.25"),
        (0.5, 2, "0.5"),
        (100.0, 2, "100"),
        (1.26386, 2, "1.26"),
        (0.0, 2, "0"),
        (-0.001, 2, "0"),  # never "-0" on a page
        (-1.5, 2, "-1.5"),
        (0.121525, 4, "0.1215"),
        (133.333, 0, "133"),
        # With no decimals there is nothing to strip: 120 must not become "12".
        (120.0, 0, "120"),
        (10, 0, "10"),
        (-0.2, 0, "0"),
    ],
)
def test_fmt_drops_trailing_zeros_only(number, places, text):
    assert fmt(number, places) == text


def test_it_shows_magnesium_in_the_three_units():
    assert magnesium_all_units(0.52) == "0.52 mmol/L = 1.26 mg/dL = 1.04 mEq/L"


def test_it_shows_the_default_lln_in_the_three_units():
    assert magnesium_all_units(0.70) == "0.7 mmol/L = 1.7 mg/dL = 1.4 mEq/L"
