"""Co-electrolytes and the order of correction (PROTOCOL.md section 6).

The base patient has K 4.2 mmol/L and ionized Ca 1.20 mmol/L, both normal.
"""

import pytest

from tests.builders import ids, run

TACROLIMUS = {"drug": "tacrolimus", "trough": {"value": 10, "unit": "ng/mL"}}
NO_IONIZED = ("labs.calcium_ionized",)


def warning(out, warning_id):
    found = [w for w in out["warnings"] if w["id"] == warning_id]
    return found[0] if found else None


def step_ids(out):
    return ids(out["plan"]["steps"])


def potassium(value, unit="mmol/L"):
    return {"potassium": {"value": value, "unit": unit}}


def calcium(total=None, albumin=None, ionized=None):
    labs = {}
    if total is not None:
        labs["calcium_total"] = {"value": total, "unit": "mmol/L"}
    if albumin is not None:
        labs["albumin"] = {"value": albumin, "unit": "g/L"}
    if ionized is not None:
        labs["calcium_ionized"] = {"value": ionized, "unit": "mmol/L"}
    return labs


# Potassium.


def test_it_replaces_magnesium_before_a_low_potassium():
    out = run(labs=potassium(3.49))
    replete = warning(out, "replete_mg_before_k")
    assert replete["because"] == ["K 3.49 mmol/L < 3.5 mmol/L", "Mg replacement planned"]
    assert "Never delay potassium for a severe or symptomatic deficit" in replete["text"]
    assert replete["references"] == ["S29", "S47"]
    assert "replete_mg_before_k" in step_ids(out)


def test_it_accepts_potassium_in_meq_l():
    assert warning(run(labs=potassium(3.4, "mEq/L")), "replete_mg_before_k") is not None


def test_it_does_not_call_a_potassium_of_3_5_low():
    out = run(labs=potassium(3.5))
    assert warning(out, "replete_mg_before_k") is None
    assert "replete_mg_before_k" not in step_ids(out)


def test_it_does_not_ask_to_replace_magnesium_first_when_none_is_given():
    # Section 6: the step and warning need a route; the K recheck does not.
    out = run(mg=(0.85, "mmol/L"), labs=potassium(3.2))
    assert warning(out, "replete_mg_before_k") is None
    assert "replete_mg_before_k" not in step_ids(out)
    assert "recheck_k" in ids(out["reminders"])


def test_it_ignores_a_potassium_that_was_not_measured():
    out = run(drop=("labs.potassium",))
    assert {"replete_mg_before_k", "hyperkalemia"} & set(ids(out["warnings"])) == set()


def test_it_warns_about_hyperkalemia_above_5():
    out = run(labs=potassium(5.01))
    hyper = warning(out, "hyperkalemia")
    assert hyper["text"] == "Hyperkalemia: give no potassium supplement and stop potassium-sparing diuretics."
    assert hyper["because"] == ["K 5.01 mmol/L > 5.0 mmol/L"]
    assert warning(out, "replete_mg_before_k") is None


def test_it_does_not_call_a_potassium_of_5_high():
    assert warning(run(labs=potassium(5.0)), "hyperkalemia") is None


def test_it_asks_for_an_ecg_now_at_a_potassium_of_6():
    assert warning(run(labs=potassium(6.0)), "hyperkalemia")["text"].endswith(
        " ECG now; follow the local hyperkalemia protocol."
    )


def test_it_does_not_ask_for_an_ecg_now_just_below_6():
    assert "ECG now" not in warning(run(labs=potassium(5.99)), "hyperkalemia")["text"]


def test_it_warns_about_hyperkalemia_even_when_no_magnesium_is_given():
    assert warning(run(mg=(0.85, "mmol/L"), labs=potassium(5.6)), "hyperkalemia") is not None


@pytest.mark.parametrize("cni", ["tacrolimus", "cyclosporine"])
def test_it_warns_about_amiloride_with_a_cni(cni):
    out = run(medications=[{"id": "amiloride"}], immunosuppressants=[{"drug": cni}])
    sparing = warning(out, "potassium_sparing_with_cni")
    assert sparing["because"] == [f"amiloride with {cni}"]
    assert sparing["references"] == ["S74"]


@pytest.mark.parametrize(
    ("medications", "immunosuppressants"),
    [
        ([{"id": "amiloride"}], []),
        ([{"id": "amiloride"}], [{"drug": "sirolimus"}]),
        ([{"id": "loop_diuretic"}], [TACROLIMUS]),
    ],
)
def test_it_does_not_warn_about_potassium_sparing_without_amiloride_and_a_cni(medications, immunosuppressants):
    out = run(medications=medications, immunosuppressants=immunosuppressants)
    assert warning(out, "potassium_sparing_with_cni") is None


# Calcium.


def test_it_replaces_magnesium_before_a_low_ionized_calcium():
    out = run(labs=calcium(ionized=1.14))
    replete = warning(out, "replete_mg_before_ca")
    assert replete["because"] == [
        "ionized Ca 1.14 mmol/L < 1.15 mmol/L (ionized decides)",
        "Mg replacement planned",
    ]
    assert "Never delay IV calcium for tetany, seizure or a severe deficit" in replete["text"]
    assert "replete_mg_before_ca" in step_ids(out)


def test_it_does_not_call_an_ionized_calcium_of_1_15_low():
    out = run(labs=calcium(ionized=1.15))
    assert warning(out, "replete_mg_before_ca") is None
    assert "replete_mg_before_ca" not in step_ids(out)


def test_it_lets_a_normal_ionized_calcium_decide_over_a_low_total():
    out = run(labs=calcium(total=1.80, albumin=40, ionized=1.20))
    assert out["derived"]["corrected_calcium_mmol_per_l"] == 1.8
    assert warning(out, "replete_mg_before_ca") is None


def test_it_lets_a_low_ionized_calcium_decide_over_a_normal_total():
    out = run(labs=calcium(total=2.40, albumin=40, ionized=1.10))
    assert warning(out, "replete_mg_before_ca") is not None


def test_it_accepts_ionized_calcium_in_mg_dl():
    # 4.6 mg/dL / 4.008 = 1.148 mmol/L.
    out = run(labs={"calcium_ionized": {"value": 4.6, "unit": "mg/dL"}})
    assert warning(out, "replete_mg_before_ca")["because"][0].startswith("ionized Ca 1.15 mmol/L < 1.15")


def test_it_replaces_magnesium_before_a_low_corrected_calcium():
    out = run(labs=calcium(total=2.19, albumin=40), drop=NO_IONIZED)
    assert out["derived"]["corrected_calcium_mmol_per_l"] == 2.19
    assert warning(out, "replete_mg_before_ca")["because"][0] == (
        "corrected Ca 2.19 + 0.02 x (40 - 40) = 2.19 mmol/L, < 2.2"
    )


def test_it_does_not_call_a_corrected_calcium_of_2_20_low():
    out = run(labs=calcium(total=2.20, albumin=40), drop=NO_IONIZED)
    assert warning(out, "replete_mg_before_ca") is None


@pytest.mark.parametrize(("total", "albumin"), [(1.88, 24), (2.05, 32.5), (2.06, 33), (2.11, 35.5), (2.0, 30)])
def test_it_does_not_call_a_corrected_calcium_of_exactly_2_20_low_whatever_the_arithmetic(total, albumin):
    # 1.88 + 0.02 x 16 is 2.1999999999999997 in floating point: noise must not cross the cut-off.
    out = run(labs=calcium(total=total, albumin=albumin), drop=NO_IONIZED)
    assert out["derived"]["corrected_calcium_mmol_per_l"] == 2.2
    assert warning(out, "replete_mg_before_ca") is None


def test_it_corrects_a_low_total_calcium_for_a_low_albumin():
    # 2.10 + 0.02 x (40 - 30) = 2.30: not low, although the total is.
    out = run(labs=calcium(total=2.10, albumin=30), drop=NO_IONIZED)
    assert out["derived"]["corrected_calcium_mmol_per_l"] == 2.3
    assert warning(out, "replete_mg_before_ca") is None


def test_it_uses_the_total_calcium_uncorrected_without_an_albumin():
    out = run(labs=calcium(total=2.19), drop=NO_IONIZED)
    assert out["derived"]["corrected_calcium_mmol_per_l"] is None
    assert warning(out, "replete_mg_before_ca")["because"][0] == (
        "total Ca 2.19 mmol/L < 2.2 mmol/L, uncorrected (no albumin given)"
    )


def test_it_does_not_call_an_uncorrected_total_calcium_of_2_20_low():
    out = run(labs=calcium(total=2.20), drop=NO_IONIZED)
    assert warning(out, "replete_mg_before_ca") is None


def test_it_ignores_calcium_that_was_not_measured():
    out = run(labs=calcium(albumin=25), drop=NO_IONIZED)
    assert warning(out, "replete_mg_before_ca") is None
    assert out["derived"]["corrected_calcium_mmol_per_l"] is None


def test_it_does_not_ask_to_replace_magnesium_before_calcium_when_none_is_given():
    out = run(mg=(0.85, "mmol/L"), labs=calcium(ionized=1.0))
    assert warning(out, "replete_mg_before_ca") is None
    assert "replete_mg_before_ca" not in step_ids(out)


def test_it_lists_the_potassium_step_before_the_calcium_step():
    out = run(labs={**potassium(3.0), **calcium(ionized=1.0)})
    assert step_ids(out)[1:3] == ["replete_mg_before_k", "replete_mg_before_ca"]
