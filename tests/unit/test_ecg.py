"""QTc (PROTOCOL.md section 8): prolonged 470-499 ms, critical at 500 ms or with an arrhythmia symptom, and the
QT-prolonging co-medications that matter only then.
"""

import pytest

from tests.builders import ids, run

QT_DRUGS = ["azole_antifungal", "ondansetron", "fluoroquinolone", "macrolide", "methadone", "arsenic_trioxide"]
QTC_WARNINGS = {"qtc_prolonged", "qtc_critical", "qt_prolonging_drugs"}


def qtc_warnings(out):
    return [w for w in out["warnings"] if w["id"] in QTC_WARNINGS]


def qtc(value):
    return {"qtc_ms": value}


@pytest.mark.parametrize(("value", "expected"), [(469, []), (470, ["qtc_prolonged"]), (499, ["qtc_prolonged"])])
def test_it_calls_a_qtc_of_470_to_499_prolonged(value, expected):
    assert ids(qtc_warnings(run(ecg=qtc(value)))) == expected


def test_it_explains_a_prolonged_qtc():
    (warning,) = qtc_warnings(run(ecg=qtc(480)))
    assert warning["because"] == ["QTc 480 ms in 470-499 ms"]
    assert warning["references"] == ["S89", "S91"]
    assert "repeat the ECG in 24 h" in warning["text"]


@pytest.mark.parametrize("value", [500, 650])
def test_it_calls_a_qtc_of_500_or_more_critical_instead_of_prolonged(value):
    (warning,) = qtc_warnings(run(ecg=qtc(value)))
    assert warning["id"] == "qtc_critical"
    assert warning["because"] == [f"QTc {value} ms >= 500 ms"]


@pytest.mark.parametrize("symptom", ["torsades", "ventricular_arrhythmia"])
def test_it_calls_an_arrhythmia_symptom_critical_whatever_the_qtc(symptom):
    (warning,) = qtc_warnings(run(symptoms=[symptom], ecg=qtc(430)))
    assert warning["id"] == "qtc_critical"
    assert warning["because"] == [f"arrhythmia symptom: {symptom.replace('_', ' ')}"]


def test_it_calls_an_arrhythmia_symptom_critical_without_a_qtc():
    out = run(symptoms=["ventricular_arrhythmia"], drop=("ecg",))
    assert ids(qtc_warnings(out)) == ["qtc_critical"]


def test_it_names_both_a_critical_qtc_and_an_arrhythmia():
    (warning,) = qtc_warnings(run(symptoms=["torsades"], ecg=qtc(520)))
    assert warning["because"] == ["QTc 520 ms >= 500 ms", "arrhythmia symptom: torsades"]


def test_it_does_not_count_palpitations_as_an_arrhythmia():
    assert qtc_warnings(run(symptoms=["palpitations"], ecg=qtc(430))) == []


def test_it_says_nothing_about_the_qtc_without_an_ecg():
    assert qtc_warnings(run(drop=("ecg",))) == []


def test_it_warns_about_the_qtc_even_when_no_magnesium_is_given():
    out = run(mg=(0.90, "mmol/L"), ecg=qtc(510))
    assert out["plan"]["route"] == "none"
    assert ids(qtc_warnings(out)) == ["qtc_critical"]


@pytest.mark.parametrize("drug", QT_DRUGS)
@pytest.mark.parametrize("value", [470, 500])
def test_it_reviews_each_qt_prolonging_drug_with_a_long_qtc(drug, value):
    out = run(ecg=qtc(value), medications=[{"id": drug}])
    warning = qtc_warnings(out)[1]
    assert warning["id"] == "qt_prolonging_drugs"
    # Text never shows an identifier: "azole antifungal", "arsenic trioxide" (change 11).
    name = drug.replace("_", " ")
    assert f": {name} (other QT-prolonging drugs may apply)." in warning["text"]
    assert warning["because"][-1] == f"QT-prolonging medicines: {name}"
    assert "review_qt_prolonging_drugs" in ids(out["plan"]["steps"])


def test_it_names_every_qt_prolonging_drug_in_the_protocols_order():
    medications = [{"id": d} for d in reversed(QT_DRUGS)]
    out = run(symptoms=["torsades"], medications=medications)
    warning = qtc_warnings(out)[1]
    # m11: the warning says the list is partial.
    assert warning["text"] == (
        "QT-prolonging medicines with a long QTc: azole antifungal, ondansetron, fluoroquinolone, macrolide, methadone"
        " and arsenic trioxide (other QT-prolonging drugs may apply)."
    )
    assert warning["references"] == ["S89", "S91"]
    step = next(s for s in out["plan"]["steps"] if s["id"] == "review_qt_prolonging_drugs")
    assert step["text"] == (
        "Review the QT-prolonging medicines (azole antifungal, ondansetron, fluoroquinolone, macrolide, methadone and"
        " arsenic trioxide): stop or replace where possible."
    )
    assert step["because"] == warning["because"]


@pytest.mark.parametrize("route", ["oral", "iv", None])
def test_tacrolimus_is_on_the_qt_list_whatever_its_route(route):
    # m11, change 35: the tacrolimus label's QT warning [S74]; the step keeps tacrolimus and checks its level.
    tacrolimus = {"drug": "tacrolimus", "trough": {"value": 8, "unit": "ng/mL"}}
    if route:
        tacrolimus["route"] = route
    out = run(ecg=qtc(480), medications=[{"id": "ondansetron"}], immunosuppressants=[tacrolimus])
    warning = qtc_warnings(out)[1]
    assert warning["text"] == (
        "QT-prolonging medicines with a long QTc: ondansetron and tacrolimus (other QT-prolonging drugs may apply)."
    )
    assert warning["references"] == ["S89", "S91", "S74"]
    step = next(s for s in out["plan"]["steps"] if s["id"] == "review_qt_prolonging_drugs")
    assert step["text"] == (
        "Review the QT-prolonging medicines (ondansetron and tacrolimus): stop or replace where possible (keep"
        " tacrolimus and check its level)."
    )
    assert step["references"] == ["S89", "S91", "S74"]


def test_cyclosporine_is_not_on_the_qt_list():
    out = run(ecg=qtc(480), immunosuppressants=[{"drug": "cyclosporine", "trough": {"value": 200, "unit": "ng/mL"}}])
    assert ids(qtc_warnings(out)) == ["qtc_prolonged"]


def test_a_critical_qtc_warning_keeps_k_and_mg_up():
    (warning,) = qtc_warnings(run(ecg=qtc(510)))
    assert warning["text"] == (
        "QTc 500 ms or more, or an arrhythmia: continuous ECG monitoring; keep K 4.0-5.0 mmol/L and Mg at or above the"
        " raised target."
    )


def test_it_does_not_review_qt_prolonging_drugs_with_a_normal_qtc():
    out = run(ecg=qtc(469), medications=[{"id": d} for d in QT_DRUGS])
    assert qtc_warnings(out) == []
    assert "review_qt_prolonging_drugs" not in ids(out["plan"]["steps"])


def test_it_does_not_review_other_drugs_with_a_long_qtc():
    out = run(ecg=qtc(480), medications=[{"id": "digoxin"}, {"id": "loop_diuretic"}])
    assert ids(qtc_warnings(out)) == ["qtc_prolonged"]
    assert "review_qt_prolonging_drugs" not in ids(out["plan"]["steps"])
