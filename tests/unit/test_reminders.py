"""Monitoring reminders and when they fall due (PROTOCOL.md section 13).

The base patient is an adult inpatient on oral Mg with no cause found (so `femg_when_cause_unclear` is due at 24 h)
and no CNI.
"""

import pytest

from tests.builders import ids, run

TACROLIMUS = [{"drug": "tacrolimus", "trough": {"value": 10, "unit": "ng/mL"}}]
CHILD = {"age_years": 8, "weight_kg": 20, "height_cm": 125}
VOMITING = {"vomiting": True}  # grade 1, enteral route unavailable: iv 4 g over 4 h
GRADE_2 = (0.45, "mmol/L")  # iv 5 g over 3 h
OUTPATIENT = "outpatient"
UNDER_30 = {"creatinine": {"value": 181.2, "unit": "umol/L"}}  # 29.93 mL/min
URINE = {"urine_magnesium": {"value": 2, "unit": "mmol/L"}, "urine_creatinine": {"value": 8, "unit": "mmol/L"}}


def due(**changes):
    """reminder id -> due hours (each id at most once in these tests)."""
    return {r["id"]: r["due_in_hours"] for r in run(**changes)["reminders"]}


def potassium(value):
    return {"potassium": {"value": value, "unit": "mmol/L"}}


def test_it_reminds_an_inpatient_on_oral_magnesium_to_recheck_in_72_h():
    assert due() == {"femg_when_cause_unclear": 24, "recheck_mg_oral": 72}


def test_it_reminds_an_outpatient_on_oral_magnesium_to_recheck_in_168_h():
    assert due(setting=OUTPATIENT)["recheck_mg_oral"] == 168


def test_it_treats_a_patient_as_an_inpatient_by_default():
    assert due(drop=("setting",))["recheck_mg_oral"] == 72


@pytest.mark.parametrize(
    ("changes", "hours"),
    [
        ({"gi": VOMITING}, 10),  # 4 h + 6
        ({"mg": GRADE_2}, 9),  # 3 h + 6
        ({"mg": GRADE_2, "conditions": ["aki"]}, 9),  # halved, same duration
        ({"patient": CHILD, "gi": VOMITING}, 9),  # child: 3 h + 6
        # m8, change 40: 6 h after the end of the last infusion: bolus 0.25 h + follow-on (grade 1: 4 h) + 6.
        ({"symptoms": ["torsades"]}, 10.25),
        ({"mg": GRADE_2, "symptoms": ["seizure"]}, 9.25),  # bolus + 3 h follow-on + 6
        ({"mg": (0.90, "mmol/L"), "symptoms": ["torsades"]}, 6.25),  # no follow-on: bolus + 6
    ],
)
def test_it_rechecks_magnesium_6_h_after_iv_magnesium(changes, hours):
    reminders = due(**changes)
    assert reminders["recheck_mg_after_iv"] == hours
    assert "recheck_mg_oral" not in reminders


@pytest.mark.parametrize(
    ("changes", "text"),
    [
        ({"gi": VOMITING}, "Recheck Mg 6 h after the end of the infusion."),
        (
            # m9, change 41: an outpatient's recheck is worded for the next visit.
            {"gi": VOMITING, "setting": OUTPATIENT},
            "Recheck Mg at the next visit and before any further infusion, not earlier than 6 h after the end of this"
            " infusion.",
        ),
        (
            {"symptoms": ["torsades"]},
            "Recheck Mg, K and Ca 6 h after the end of the last infusion (the bolus and the follow-on infusion).",
        ),
        (
            {"mg": (0.90, "mmol/L"), "symptoms": ["torsades"]},
            "Recheck Mg, K and Ca 6 h after the end of the last infusion (the bolus).",
        ),
    ],
)
def test_it_words_the_recheck_after_iv_magnesium_for_the_route_and_setting(changes, text):
    (reminder,) = [r for r in run(**changes)["reminders"] if r["id"] == "recheck_mg_after_iv"]
    assert reminder["text"] == text
    assert reminder["references"] == ["S30", "S101"]


def test_it_sets_no_magnesium_recheck_when_no_magnesium_is_given():
    assert due(mg=(0.85, "mmol/L")) == {}


# Daily and outpatient monitoring.


@pytest.mark.parametrize(
    ("changes", "present"),
    [
        ({"immunosuppressants": TACROLIMUS}, True),  # inpatient on a CNI, oral Mg
        ({"immunosuppressants": TACROLIMUS, "mg": (0.85, "mmol/L")}, True),  # on a CNI, no Mg needed
        ({"gi": VOMITING}, True),  # inpatient, iv
        ({"symptoms": ["tetany"]}, True),  # inpatient, iv_urgent
        ({}, False),  # inpatient, oral, no CNI
        ({"immunosuppressants": [{"drug": "sirolimus"}]}, False),  # mTOR is not a CNI
        ({"immunosuppressants": TACROLIMUS, "setting": OUTPATIENT}, False),
        ({"gi": VOMITING, "setting": OUTPATIENT}, False),
    ],
)
def test_it_checks_electrolytes_daily_for_an_inpatient_on_a_cni_or_iv_magnesium(changes, present):
    reminders = due(**changes)
    assert ("daily_electrolytes" in reminders) is present
    if present:
        assert reminders["daily_electrolytes"] == 24


@pytest.mark.parametrize(
    ("changes", "present"),
    [
        ({"setting": OUTPATIENT, "immunosuppressants": TACROLIMUS}, True),
        ({"setting": OUTPATIENT, "immunosuppressants": [{"drug": "cyclosporine"}], "mg": (0.85, "mmol/L")}, True),
        ({"setting": OUTPATIENT, "immunosuppressants": [{"drug": "everolimus"}]}, False),
        ({"immunosuppressants": TACROLIMUS}, False),
    ],
)
def test_it_monitors_an_outpatient_on_a_cni_weekly(changes, present):
    reminders = due(**changes)
    assert ("outpatient_cni_monitoring" in reminders) is present
    if present:
        assert reminders["outpatient_cni_monitoring"] == 168


# Potassium.


@pytest.mark.parametrize(
    ("changes", "hours"),
    [
        ({}, 24),  # oral inpatient: min(72, 24)
        ({"gi": VOMITING}, 10),  # min(10, 24)
        ({"symptoms": ["tetany"]}, 10.25),  # min(0.25 + 4 + 6, 24)
        ({"symptoms": ["torsades"]}, 6),  # an arrhythmia: at most 6 h (M7, change 33)
        ({"mg": (0.85, "mmol/L"), "symptoms": ["ventricular_arrhythmia"]}, 6),  # route none, still at most 6 h
        ({"mg": (0.85, "mmol/L")}, 24),  # no Mg recheck
        ({"setting": OUTPATIENT}, 72),  # outpatient band 3.0-3.5: min(168, 72)
        ({"setting": OUTPATIENT, "gi": VOMITING}, 10),  # min(10, 72)
        ({"setting": OUTPATIENT, "mg": (0.85, "mmol/L")}, 72),  # no Mg recheck, outpatient band
    ],
)
def test_it_rechecks_a_low_potassium_at_the_earlier_of_the_magnesium_recheck_and_its_own_limit(changes, hours):
    assert due(labs=potassium(3.4), **changes)["recheck_k"] == hours


@pytest.mark.parametrize(
    ("k", "hours"),
    [(2.9, 6), (3.0, 72), (3.49, 72), (5.01, 72), (5.99, 72), (6.0, 24), (6.5, 24)],
)
def test_it_rechecks_potassium_sooner_outside_the_outpatient_band(k, hours):
    # Below 3.0 at most 6 h (M7, change 33); 6.0 and above within 24 h.
    assert due(labs=potassium(k), setting=OUTPATIENT)["recheck_k"] == hours


@pytest.mark.parametrize(("k", "because"), [(2.99, "K below 3 mmol/L"), (2.5, "K below 3 mmol/L")])
def test_it_rechecks_a_potassium_below_3_within_6_h_and_says_why(k, because):
    (reminder,) = [r for r in run(labs=potassium(k))["reminders"] if r["id"] == "recheck_k"]
    assert reminder["due_in_hours"] == 6
    assert reminder["because"] == [f"K {k:g} mmol/L", because]
    assert reminder["text"] == "Recheck potassium in 6 h."
    assert reminder["references"] == ["S91", "S29", "S47"]


def test_a_high_potassium_recheck_cites_the_hyperkalemia_source():
    (reminder,) = [r for r in run(labs=potassium(5.4))["reminders"] if r["id"] == "recheck_k"]
    assert reminder["references"] == ["S91", "S74"]


@pytest.mark.parametrize("k", [3.5, 4.2, 5.0])
def test_it_does_not_recheck_a_normal_potassium(k):
    assert "recheck_k" not in due(labs=potassium(k))


def test_it_does_not_recheck_potassium_that_was_not_measured():
    assert "recheck_k" not in due(drop=("labs.potassium",))


def test_it_rechecks_a_high_potassium_in_an_inpatient_within_24_h():
    assert due(labs=potassium(5.4))["recheck_k"] == 24


# ECG.


@pytest.mark.parametrize(("qtc", "reminder"), [(469, None), (470, "repeat_ecg"), (499, "repeat_ecg")])
def test_it_repeats_the_ecg_in_24_h_for_a_prolonged_qtc(qtc, reminder):
    reminders = due(ecg={"qtc_ms": qtc})
    assert reminders.get("repeat_ecg") == (24 if reminder else None)
    assert "continuous_ecg" not in reminders


@pytest.mark.parametrize(
    "changes",
    [
        {"ecg": {"qtc_ms": 500}},
        {"symptoms": ["ventricular_arrhythmia"]},
        {"mg": (0.90, "mmol/L"), "symptoms": ["torsades"]},
        {"symptoms": ["seizure"]},  # every iv_urgent route
        {"gi": VOMITING, "conditions": ["heart_block"]},  # an infusion with heart block
    ],
)
def test_it_monitors_the_ecg_continuously(changes):
    reminders = due(**changes)
    assert reminders["continuous_ecg"] == 0
    assert "repeat_ecg" not in reminders


def test_it_does_not_monitor_the_ecg_continuously_for_heart_block_without_an_infusion():
    assert "continuous_ecg" not in due(conditions=["heart_block"])


@pytest.mark.parametrize(
    "changes",
    [{"symptoms": ["seizure"]}, {"gi": VOMITING, "conditions": ["heart_block"]}],
)
def test_it_replaces_the_repeat_ecg_but_keeps_the_prolonged_qtc_warning(changes):
    out = run(ecg={"qtc_ms": 480}, **changes)
    assert "continuous_ecg" in ids(out["reminders"])
    assert "repeat_ecg" not in ids(out["reminders"])
    assert "qtc_prolonged" in ids(out["warnings"])


def test_it_says_why_the_ecg_is_monitored_continuously():
    out = run(symptoms=["torsades"], ecg={"qtc_ms": 520}, conditions=["heart_block"])
    ecg = next(r for r in out["reminders"] if r["id"] == "continuous_ecg")
    assert ecg["because"] == ["QTc 500 ms or more, or an arrhythmia", "urgent IV bolus", "infusion with heart block"]


@pytest.mark.parametrize("changes", [{"gi": VOMITING}, {"symptoms": ["tetany"]}])
def test_it_monitors_the_ecg_during_an_infusion_with_a_first_degree_av_block(changes):
    # r2-m8, change 61: what the warning's "watch the ECG" promised.
    out = run(conditions=["first_degree_av_block"], **changes)
    ecg = next(r for r in out["reminders"] if r["id"] == "continuous_ecg")
    assert ecg["due_in_hours"] == 0
    assert "infusion with a first-degree AV block" in ecg["because"]


def test_it_does_not_monitor_a_first_degree_av_block_without_an_infusion():
    assert "continuous_ecg" not in due(conditions=["first_degree_av_block"])


# A 12-lead ECG now, and potassium and calcium now (section 6, M7).


@pytest.mark.parametrize(
    ("changes", "because"),
    [
        ({"mg": (0.49, "mmol/L")}, ["Mg 0.49 mmol/L < 0.5 mmol/L", "no QTc given"]),
        ({"labs": potassium(2.99)}, ["K 2.99 mmol/L < 3 mmol/L", "no QTc given"]),
        (
            {"mg": (0.45, "mmol/L"), "labs": potassium(2.8)},
            ["Mg 0.45 mmol/L < 0.5 mmol/L", "K 2.8 mmol/L < 3 mmol/L", "no QTc given"],
        ),
        ({"mg": (0.85, "mmol/L"), "labs": potassium(2.9)}, ["K 2.9 mmol/L < 3 mmol/L", "no QTc given"]),  # route none
    ],
)
def test_it_asks_for_a_baseline_ecg_now_for_a_low_mg_or_k_without_a_qtc(changes, because):
    (reminder,) = [r for r in run(drop=("ecg",), **changes)["reminders"] if r["id"] == "ecg_now"]
    assert (reminder["due_in_hours"], reminder["text"]) == (0, "12-lead ECG now for a baseline QTc.")
    assert reminder["because"] == because
    assert reminder["references"] == ["S101", "S17"]


@pytest.mark.parametrize(
    "changes",
    [
        {"mg": (0.45, "mmol/L")},  # a QTc is given (430 ms)
        {"mg": (0.5, "mmol/L"), "drop": ("ecg",)},  # 0.5 is not below 0.5
        {"labs": potassium(3.0), "drop": ("ecg",)},
        {"mg": (1.0, "mEq/L"), "drop": ("ecg",)},  # 0.5 mmol/L
    ],
)
def test_it_does_not_ask_for_an_ecg_now_otherwise(changes):
    assert "ecg_now" not in due(**changes)


@pytest.mark.parametrize(
    ("drop", "text", "missing"),
    [
        (("labs.potassium",), "Check potassium now.", "potassium not given"),
        (("labs.calcium_ionized",), "Check calcium now.", "calcium not given"),
        (
            ("labs.potassium", "labs.calcium_ionized"),
            "Check potassium and calcium now.",
            "potassium and calcium not given",
        ),
    ],
)
def test_it_asks_for_potassium_and_calcium_now_when_mg_is_to_be_given(drop, text, missing):
    (reminder,) = [r for r in run(drop=drop)["reminders"] if r["id"] == "check_k_and_ca_now"]
    assert (reminder["due_in_hours"], reminder["text"]) == (0, text)
    assert reminder["because"] == [missing, "Mg replacement planned"]
    assert reminder["references"] == ["S29", "S47", "S49"]


def test_it_asks_for_potassium_now_with_an_urgent_symptom_even_at_a_normal_mg():
    (reminder,) = [
        r
        for r in run(mg=(0.85, "mmol/L"), symptoms=["tetany"], drop=("labs.potassium",))["reminders"]
        if r["id"] == "check_k_and_ca_now"
    ]
    assert reminder["because"] == ["potassium not given", "urgent symptom"]


@pytest.mark.parametrize(
    "changes",
    [
        {},  # both given
        {"mg": (0.85, "mmol/L"), "drop": ("labs.potassium", "labs.calcium_ionized")},  # no Mg, no urgent symptom
        {"labs": {"calcium_total": {"value": 2.3, "unit": "mmol/L"}}, "drop": ("labs.calcium_ionized",)},
    ],
)
def test_it_does_not_ask_for_potassium_and_calcium_now_otherwise(changes):
    assert "check_k_and_ca_now" not in due(**changes)


# A sample drawn soon after an infusion (section 2.4).


@pytest.mark.parametrize("mg", [(0.6, "mmol/L"), (0.85, "mmol/L"), (1.2, "mmol/L")])
def test_it_asks_to_redraw_mg_after_a_recent_infusion_when_no_iv_is_planned(mg):
    (reminder,) = [
        r
        for r in run(mg=mg, magnesium_therapy={"iv_magnesium_last_24h": True})["reminders"]
        if r["id"] == "redraw_mg_after_iv"
    ]
    assert reminder["due_in_hours"] == 6
    assert reminder["text"] == (
        "If this sample was drawn less than 6 h after the end of the last infusion, redraw Mg at least 6 h after the"
        " end."
    )
    assert reminder["references"] == ["S30", "S101"]


@pytest.mark.parametrize("changes", [{"gi": VOMITING}, {"symptoms": ["torsades"]}, {}])
def test_it_does_not_ask_to_redraw_mg_with_an_iv_plan_or_without_a_recent_infusion(changes):
    recent = "gi" in changes or "symptoms" in changes
    assert "redraw_mg_after_iv" not in due(magnesium_therapy={"iv_magnesium_last_24h": recent}, **changes)


# Creatinine and trough.


def test_it_asks_for_a_creatinine_now_when_none_is_given():
    assert due(drop=("labs.creatinine",))["check_creatinine"] == 0


@pytest.mark.parametrize(
    "item",
    [{"drug": "tacrolimus"}, {"drug": "cyclosporine", "trough": {"value": 350, "unit": "ng/mL"}}],
)
def test_it_checks_a_cni_trough_above_range_or_not_given_within_24_h(item):
    assert due(immunosuppressants=[item])["check_cni_trough"] == 24


@pytest.mark.parametrize(
    "item",
    [{"drug": "tacrolimus", "trough": {"value": 15, "unit": "ng/mL"}}, {"drug": "sirolimus"}],
)
def test_it_does_not_check_a_trough_in_range_nor_an_mtor_trough(item):
    assert "check_cni_trough" not in due(immunosuppressants=[item])


def test_it_checks_each_cni_trough_that_is_not_given_in_one_reminder():
    # Section 13: one reminder, naming each CNI that qualifies.
    out = run(
        immunosuppressants=[
            {"drug": "tacrolimus"},
            {"drug": "sirolimus"},
            {"drug": "cyclosporine", "trough": {"value": 350, "unit": "ng/mL"}},
        ]
    )
    (reminder,) = [r for r in out["reminders"] if r["id"] == "check_cni_trough"]
    assert reminder["text"] == "Check the tacrolimus and cyclosporine trough levels."
    assert reminder["because"] == ["tacrolimus trough not given", "cyclosporine trough 350 ng/mL > 300 ng/mL"]


def test_a_single_cni_trough_is_a_level():
    (reminder,) = [
        r for r in run(immunosuppressants=[{"drug": "tacrolimus"}])["reminders"] if r["id"] == "check_cni_trough"
    ]
    assert reminder["text"] == "Check the tacrolimus trough level."


@pytest.mark.parametrize(
    ("day", "text"),
    [
        (100, "Mg with every CNI trough, at least weekly to day +100."),
        (
            101,
            "Mg with every CNI trough; at least weekly until Mg is stable on replacement (the routine interval after"
            " day +100 is the transplant team's).",
        ),
    ],
)
def test_the_outpatient_cni_monitoring_text_depends_on_the_transplant_day(day, text):
    # m3, change 42.
    out = run(setting=OUTPATIENT, immunosuppressants=TACROLIMUS, transplant={"type": "allogeneic", "day": day})
    (reminder,) = [r for r in out["reminders"] if r["id"] == "outpatient_cni_monitoring"]
    assert reminder["text"] == text
    assert reminder["because"] == [f"outpatient on tacrolimus, day +{day}"]


@pytest.mark.parametrize(
    ("changes", "because", "references"),
    [
        ({"gi": VOMITING}, "inpatient on IV Mg: Mg daily until stable", ["S30", "S101"]),
        # doubt (j), change 44: on a CNI without IV Mg the daily check is local practice.
        ({"immunosuppressants": TACROLIMUS}, "inpatient on tacrolimus", ["S32"]),
    ],
)
def test_daily_electrolytes_cite_honestly_why(changes, because, references):
    (reminder,) = [r for r in run(**changes)["reminders"] if r["id"] == "daily_electrolytes"]
    assert reminder["because"] == [because]
    assert reminder["references"] == references


# Renal.


@pytest.mark.parametrize(
    ("changes", "hours"),
    [
        ({"gi": VOMITING, "labs": UNDER_30}, 10),
        ({"gi": VOMITING, "conditions": ["dialysis"]}, 10),
        ({"gi": VOMITING, "conditions": ["oliguria"]}, 10),
        ({"mg": GRADE_2, "conditions": ["aki"]}, 9),
        ({"gi": VOMITING, "drop": ("labs.creatinine",)}, 10),  # renal function unknown
        ({"symptoms": ["torsades"], "conditions": ["aki"]}, 10.25),  # bolus + halved 4 h follow-on + 6
        ({"symptoms": ["torsades"], "drop": ("labs.creatinine",)}, 6.25),  # no follow-on until renal function
        ({"patient": CHILD, "gi": VOMITING, "drop": ("patient.height_cm",)}, 9),  # a child's creatinine unused
    ],
)
def test_it_rechecks_before_the_next_iv_dose_when_renal_function_is_low_or_unknown(changes, hours):
    reminders = due(**changes)
    assert reminders["recheck_before_next_dose"] == reminders["recheck_mg_after_iv"] == hours


@pytest.mark.parametrize(
    "changes",
    [
        {"gi": VOMITING, "labs": {"creatinine": {"value": 180.8, "unit": "umol/L"}}},  # 30.01 mL/min
        {"conditions": ["aki"]},  # oral
        {"drop": ("labs.creatinine",)},  # oral, renal function unknown
        {"gi": VOMITING, "drop": ("patient.sex",)},  # M4: the lower of both sexes is a known renal function
    ],
)
def test_it_does_not_recheck_before_the_next_dose_otherwise(changes):
    assert "recheck_before_next_dose" not in due(**changes)


@pytest.mark.parametrize(
    "changes",
    [
        {"symptoms": ["torsades"]},  # every urgent bolus
        {"mg": (0.90, "mmol/L"), "symptoms": ["torsades"]},
        {"gi": VOMITING, "labs": UNDER_30},
        {"gi": VOMITING, "conditions": ["dialysis"]},
        {"gi": VOMITING, "conditions": ["oliguria"]},
        {"gi": VOMITING, "conditions": ["aki"]},
    ],
)
def test_it_watches_for_hypermagnesemia_during_an_urgent_bolus_or_a_renally_reduced_infusion(changes):
    assert due(**changes)["hypermagnesemia_watch"] == 0


@pytest.mark.parametrize(
    "changes",
    [
        {"gi": VOMITING},
        {"gi": VOMITING, "drop": ("labs.creatinine",)},  # unknown is not < 30
        {"conditions": ["aki"]},  # oral
    ],
)
def test_it_does_not_watch_for_hypermagnesemia_otherwise(changes):
    assert "hypermagnesemia_watch" not in due(**changes)


def test_it_explains_the_renal_reminders_with_the_renal_findings():
    out = run(gi=VOMITING, conditions=["aki"])
    watch = next(r for r in out["reminders"] if r["id"] == "hypermagnesemia_watch")
    assert watch["because"][-1] == "AKI counts as renal function below 30 mL/min"
    urgent = next(r for r in run(symptoms=["torsades"])["reminders"] if r["id"] == "hypermagnesemia_watch")
    assert urgent["because"] == ["urgent IV bolus"]


# FEMg.


@pytest.mark.parametrize(
    ("changes", "hours"),
    [
        ({}, 24),  # oral
        ({"gi": VOMITING}, 28),  # 4 h infusion + 24; vomiting is a low-likelihood cause
        ({"mg": GRADE_2}, 27),  # 3 h + 24
        ({"symptoms": ["torsades"]}, 28.25),  # bolus 0.25 h + follow-on (grade 1: 4 h) + 24
        ({"patient": CHILD, "symptoms": ["seizure"]}, 27.25),  # child follow-on 3 h
        ({"mg": (0.90, "mmol/L"), "symptoms": ["torsades"]}, 24.25),  # no follow-on
        ({"symptoms": ["torsades"], "drop": ("labs.creatinine",)}, 24.25),  # no follow-on until renal function
        ({"medications": [{"id": "loop_diuretic"}]}, 24),  # moderate cause only
    ],
)
def test_it_asks_for_femg_24_h_after_the_course_when_the_cause_is_unclear(changes, hours):
    assert due(**changes)["femg_when_cause_unclear"] == hours


@pytest.mark.parametrize(
    "changes",
    [
        {"immunosuppressants": TACROLIMUS},  # a high-likelihood cause
        {"medications": [{"id": "proton_pump_inhibitor", "days": 400}]},  # 60: high
        {"mg": (0.85, "mmol/L")},  # no Mg given
        {"labs": URINE},  # FEMg computed and interpretable already
        # Renal function known to be below 60: FEMg would not be interpretable there (g, m22).
        {"labs": {"creatinine": {"value": 100, "unit": "umol/L"}}, "patient": {"age_years": 85}},
        {"conditions": ["dialysis"]},
        {"conditions": ["oliguria"]},
        {"conditions": ["aki"]},
        {"labs": URINE, "conditions": ["aki"]},  # computed, not interpretable because of the AKI
    ],
)
def test_it_does_not_ask_for_femg_otherwise(changes):
    assert "femg_when_cause_unclear" not in due(**changes)


@pytest.mark.parametrize(
    ("changes", "why"),
    [
        # Change 43 (doubt (g)): computed but not interpretable within 24 h of IV Mg...
        (
            {"labs": URINE, "magnesium_therapy": {"iv_magnesium_last_24h": True}},
            "FEMg not interpretable (iv magnesium last 24h)",
        ),
        # ... or with an unknown renal function (a child without height).
        (
            {"labs": URINE, "patient": CHILD, "drop": ("patient.height_cm",)},
            "FEMg not interpretable (renal function unknown)",
        ),
        ({}, "FEMg not computed"),
    ],
)
def test_it_asks_for_femg_when_it_is_not_yet_readable(changes, why):
    (reminder,) = [r for r in run(**changes)["reminders"] if r["id"] == "femg_when_cause_unclear"]
    assert reminder["because"] == ["no cause with high likelihood", why]
    assert reminder["text"] == (
        "Cause unclear: send a spot urine Mg and creatinine for FEMg (at least 24 h after IV Mg)."
    )


# Order.


def test_it_sorts_reminders_by_when_they_fall_due():
    out = run(
        gi=VOMITING,
        labs=potassium(3.2),
        immunosuppressants=[{"drug": "cyclosporine"}],
        ecg={"qtc_ms": 480},
        conditions=["aki"],
        drop=("labs.creatinine",),
    )
    assert [(r["id"], r["due_in_hours"]) for r in out["reminders"]] == [
        ("check_creatinine", 0),
        ("hypermagnesemia_watch", 0),
        ("recheck_mg_after_iv", 10),
        ("recheck_k", 10),
        ("recheck_before_next_dose", 10),
        ("daily_electrolytes", 24),
        ("repeat_ecg", 24),
        ("check_cni_trough", 24),
    ]


def test_it_explains_and_cites_every_reminder():
    out = run(symptoms=["torsades"], labs=potassium(3.2), immunosuppressants=[{"drug": "tacrolimus"}])
    assert len(out["reminders"]) >= 6
    for reminder in out["reminders"]:
        assert reminder["text"]
        assert reminder["because"]
        assert reminder["references"]
