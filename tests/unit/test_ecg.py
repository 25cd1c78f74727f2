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
    assert warning["because"] == [f"arrhythmia symptom: {symptom}"]


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
    assert drug in warning["text"]
    assert warning["because"][-1] == f"QT-prolonging medicines: {drug}"
    assert "review_qt_prolonging_drugs" in ids(out["plan"]["steps"])


def test_it_names_every_qt_prolonging_drug_in_the_protocols_order():
    medications = [{"id": d} for d in reversed(QT_DRUGS)]
    out = run(symptoms=["torsades"], medications=medications)
    warning = qtc_warnings(out)[1]
    assert warning["text"] == (
        "Review QT-prolonging medicines (azole_antifungal, ondansetron, fluoroquinolone, macrolide, methadone,"
        " arsenic_trioxide): stop or replace where possible."
    )
    step = next(s for s in out["plan"]["steps"] if s["id"] == "review_qt_prolonging_drugs")
    assert step["text"] == warning["text"]
    assert step["because"] == warning["because"]


def test_it_does_not_review_qt_prolonging_drugs_with_a_normal_qtc():
    out = run(ecg=qtc(469), medications=[{"id": d} for d in QT_DRUGS])
    assert qtc_warnings(out) == []
    assert "review_qt_prolonging_drugs" not in ids(out["plan"]["steps"])


def test_it_does_not_review_other_drugs_with_a_long_qtc():
    out = run(ecg=qtc(480), medications=[{"id": "digoxin"}, {"id": "loop_diuretic"}])
    assert ids(qtc_warnings(out)) == ["qtc_prolonged"]
    assert "review_qt_prolonging_drugs" not in ids(out["plan"]["steps"])
