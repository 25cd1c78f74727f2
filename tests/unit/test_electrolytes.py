"""Co-electrolytes and the order of correction (PROTOCOL.md section 6): Mg with potassium and calcium,
hyperkalemia, K-sparing diuretics with a CNI, symptomatic hypocalcemia (IV calcium now), foscarnet and digoxin.

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
    assert replete["text"] == (
        "Give Mg with potassium: hypokalemia stays refractory until Mg is replaced; never delay potassium for a severe"
        " or symptomatic deficit."
    )
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
    assert hyper["because"] == ["K 5.01 mmol/L > 5 mmol/L"]  # amounts without trailing zeros
    assert hyper["references"] == ["S74"]
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


@pytest.mark.parametrize("sparing", ["amiloride", "spironolactone", "eplerenone", "triamterene"])
@pytest.mark.parametrize("cni", ["tacrolimus", "cyclosporine"])
def test_it_warns_about_a_potassium_sparing_diuretic_with_a_cni(cni, sparing):
    # Change 34 (doubt (c)): spironolactone, eplerenone and triamterene beside amiloride.
    out = run(medications=[{"id": sparing}], immunosuppressants=[{"drug": cni}])
    found = warning(out, "potassium_sparing_with_cni")
    assert found["because"] == [f"{sparing} with {cni}"]
    assert found["references"] == ["S74", "S102"]


def test_it_names_every_potassium_sparing_diuretic_and_cni_in_one_warning():
    out = run(
        medications=[{"id": "spironolactone"}, {"id": "amiloride"}, {"id": "triamterene"}, {"id": "eplerenone"}],
        immunosuppressants=[{"drug": "tacrolimus"}, {"drug": "cyclosporine"}],
    )
    assert [w for w in ids(out["warnings"]) if w == "potassium_sparing_with_cni"] == ["potassium_sparing_with_cni"]
    assert warning(out, "potassium_sparing_with_cni")["text"] == (
        "Amiloride, spironolactone, eplerenone and triamterene with tacrolimus and cyclosporine: risk of hyperkalemia"
        " (the calcineurin inhibitor labels advise avoiding potassium-sparing diuretics); check potassium."
    )


def test_a_potassium_sparing_diuretic_is_not_a_cause():
    out = run(medications=[{"id": "spironolactone"}], immunosuppressants=[TACROLIMUS])
    assert ids(out["causes"]) == ["cni_tacrolimus"]


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
    # M5, change 30: "Mg together with calcium", never "Mg first".
    assert replete["text"] == (
        "Give Mg together with calcium replacement: hypocalcemia does not correct while Mg is low. IV calcium for"
        " tetany, seizure or a severe deficit is never delayed for Mg."
    )
    assert "Mg first" not in replete["text"]
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
        "corrected Ca 2.19 + 0.02 x (40 - 40) = 2.19 mmol/L, < 2.2 mmol/L"
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


# Symptomatic hypocalcemia: IV calcium now (M5, Y2, Y3).

LOW_CA = {"calcium_ionized": {"value": 1.0, "unit": "mmol/L"}}


def step(out, step_id):
    found = [s for s in out["plan"]["steps"] if s["id"] == step_id]
    return found[0] if found else None


@pytest.mark.parametrize("symptoms", [["tetany"], ["seizure"], ["seizure", "tetany"]])
def test_it_gives_iv_calcium_now_for_tetany_or_seizure_with_a_low_calcium(symptoms):
    out = run(labs=LOW_CA, symptoms=symptoms)
    assert out["plan"]["route"] == "iv_urgent"
    names = " and ".join(symptoms)
    calcium_now = step(out, "give_iv_calcium_now")
    assert calcium_now["text"] == (
        f"Symptomatic hypocalcemia (ionized Ca 1 mmol/L with {names}): give IV calcium now per the local protocol, and"
        " Mg with it."
    )
    assert calcium_now["because"] == ["ionized Ca 1 mmol/L < 1.15 mmol/L (ionized decides)", f"symptoms: {names}"]
    assert calcium_now["references"] == ["S29", "S49"]
    # Right after the emergency step (section 11 rows 1-2).
    assert step_ids(out)[:2] == ["follow_local_emergency_protocol", "give_iv_calcium_now"]


@pytest.mark.parametrize(
    ("labs", "words"),
    [
        ({"calcium_total": {"value": 2.0, "unit": "mmol/L"}, "albumin": {"value": 40, "unit": "g/L"}}, "corrected"),
        ({"calcium_total": {"value": 2.0, "unit": "mmol/L"}}, "total"),
    ],
)
def test_iv_calcium_now_names_the_calcium_that_decided(labs, words):
    out = run(labs=labs, symptoms=["seizure"], drop=NO_IONIZED)
    assert step(out, "give_iv_calcium_now")["text"].startswith(
        f"Symptomatic hypocalcemia ({words} Ca 2 mmol/L with seizure): give IV calcium now"
    )


def test_iv_calcium_now_at_a_normal_mg_says_mg_is_not_part_of_the_treatment():
    # Y2: route none below the ULN.
    out = run(mg=(0.85, "mmol/L"), labs=LOW_CA, symptoms=["tetany"])
    assert out["plan"]["route"] == "none"
    assert step(out, "give_iv_calcium_now")["text"] == (
        "Symptomatic hypocalcemia (ionized Ca 1 mmol/L with tetany): give IV calcium now per the local protocol; Mg is"
        " not low: Mg is not part of this treatment."
    )


def test_iv_calcium_now_above_the_uln_gives_no_mg_and_names_the_antidote():
    out = run(mg=(2.6, "mg/dL"), labs=LOW_CA, symptoms=["tetany"])
    calcium_now = step(out, "give_iv_calcium_now")
    assert calcium_now["text"] == (
        "Symptomatic hypocalcemia (ionized Ca 1 mmol/L with tetany): give IV calcium now per the local protocol; Mg is"
        " above the ULN: give no Mg; IV calcium is also the antidote for Mg toxicity."
    )
    assert "S35" in calcium_now["references"]


def test_iv_calcium_now_above_the_uln_with_a_p1_unit_check_says_if_the_unit_is_right():
    out = run(mg=(1.2, "mmol/L"), labs=LOW_CA, symptoms=["tetany"])
    assert (
        "; Mg is above the ULN (if the unit is right; see the unit check): give no Mg; IV calcium is also"
        in (step(out, "give_iv_calcium_now")["text"])
    )


def test_iv_calcium_now_on_digoxin_adds_the_labels_heart_block_caution():
    # Y3, change 52.
    out = run(labs=LOW_CA, symptoms=["tetany"], medications=[{"id": "digoxin"}])
    calcium_now = step(out, "give_iv_calcium_now")
    assert calcium_now["text"].endswith(
        ", and Mg with it. On digoxin: give the calcium slowly with ECG monitoring and senior review; the magnesium"
        " sulfate label warns of heart block when IV calcium is given to a digitalized patient."
    )
    assert calcium_now["because"][-1] == "digoxin listed"
    assert calcium_now["references"] == ["S29", "S49", "S35"]


@pytest.mark.parametrize(
    "changes",
    [
        {"labs": LOW_CA, "symptoms": ["torsades"]},  # not tetany or seizure
        {"symptoms": ["tetany"]},  # calcium normal
        {"labs": LOW_CA, "symptoms": ["muscle_cramps"]},
        {"symptoms": ["seizure"], "drop": NO_IONIZED},  # no calcium measured
    ],
)
def test_no_iv_calcium_now_without_tetany_or_seizure_and_a_low_calcium(changes):
    out = run(medications=[{"id": "foscarnet"}], **changes)
    assert step(out, "give_iv_calcium_now") is None
    assert step(out, "consider_holding_foscarnet") is None


def test_it_considers_holding_foscarnet_with_symptomatic_hypocalcemia():
    out = run(labs=LOW_CA, symptoms=["seizure"], medications=[{"id": "foscarnet"}])
    holding = step(out, "consider_holding_foscarnet")
    assert holding["text"] == (
        "Foscarnet chelates ionized calcium and Mg: consider slowing or holding the foscarnet infusion (prescriber's"
        " decision)."
    )
    assert holding["references"] == ["S12", "S86"]


# Digoxin (M6).


@pytest.mark.parametrize(
    ("changes", "finding"),
    [
        ({}, "Mg 0.6 mmol/L below the target 0.7 mmol/L"),
        ({"mg": (0.85, "mmol/L"), "labs": potassium(3.4)}, "K 3.4 mmol/L < 3.5 mmol/L"),  # any route, route none here
        ({"mg": (0.8, "mmol/L"), "ecg": {"qtc_ms": 480}}, "Mg 0.8 mmol/L below the target 0.82 mmol/L"),
    ],
)
def test_it_warns_about_digoxin_toxicity_with_a_low_mg_or_k(changes, finding):
    found = warning(run(medications=[{"id": "digoxin"}], **changes), "digoxin_toxicity_risk")
    assert found["text"] == "Low Mg and/or K increase the risk of digoxin toxicity: check the digoxin level and an ECG."
    assert found["because"] == ["digoxin listed", finding]
    assert found["references"] == ["S30", "S101"]


def test_it_names_both_a_low_mg_and_a_low_k_on_digoxin():
    found = warning(run(medications=[{"id": "digoxin"}], labs=potassium(3.2)), "digoxin_toxicity_risk")
    assert found["because"] == [
        "digoxin listed",
        "Mg 0.6 mmol/L below the target 0.7 mmol/L",
        "K 3.2 mmol/L < 3.5 mmol/L",
    ]


@pytest.mark.parametrize(
    "changes",
    [
        {"mg": (0.85, "mmol/L")},  # Mg at target, K normal
        {"mg": (1.2, "mmol/L")},  # above the ULN is not "below the target"
        {"mg": (0.85, "mmol/L"), "drop": ("labs.potassium",)},
    ],
)
def test_it_does_not_warn_about_digoxin_toxicity_otherwise(changes):
    assert warning(run(medications=[{"id": "digoxin"}], **changes), "digoxin_toxicity_risk") is None


def test_it_does_not_warn_about_digoxin_toxicity_without_digoxin():
    assert warning(run(labs=potassium(3.2)), "digoxin_toxicity_risk") is None
