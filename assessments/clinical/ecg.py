"""QTc (PROTOCOL.md section 8, KNOWLEDGE.md section 5) [S89, S91].

Takes the QTc, the symptoms and the medications; returns the QTc warning, the QT-drug warning and step.
"""

from __future__ import annotations

from .inputs import ARRHYTHMIA_SYMPTOMS, AssessmentInput, Med
from .results import Step, Warning
from .units import fmt

QTC_PROLONGED_MS = 470
QTC_CRITICAL_MS = 500
QTC_SOURCES = ("S89", "S91")
QT_PROLONGING_DRUGS = (
    Med.AZOLE_ANTIFUNGAL,
    Med.ONDANSETRON,
    Med.FLUOROQUINOLONE,
    Med.MACROLIDE,
    Med.METHADONE,
    Med.ARSENIC_TRIOXIDE,
)


def qtc_level(data: AssessmentInput) -> tuple[str | None, tuple[str, ...]]:
    """('critical' | 'prolonged' | None, the inputs that decided it)."""
    arrhythmias = [str(s) for s in data.symptoms if s in ARRHYTHMIA_SYMPTOMS]
    qtc = data.qtc_ms
    if (qtc is not None and qtc >= QTC_CRITICAL_MS) or arrhythmias:
        because = [f"QTc {fmt(qtc)} ms >= {QTC_CRITICAL_MS} ms"] if qtc is not None and qtc >= QTC_CRITICAL_MS else []
        because += [f"arrhythmia symptom: {s}" for s in arrhythmias]
        return "critical", tuple(because)
    if qtc is not None and qtc >= QTC_PROLONGED_MS:
        return "prolonged", (f"QTc {fmt(qtc)} ms in {QTC_PROLONGED_MS}-{QTC_CRITICAL_MS - 1} ms",)
    return None, ()


def ecg_findings(data: AssessmentInput) -> tuple[list[Warning], list[Step]]:
    level, because = qtc_level(data)
    if level is None:
        return [], []
    if level == "critical":
        warning = Warning(
            "qtc_critical",
            "QTc 500 ms or more, or an arrhythmia: continuous ECG monitoring; keep K 4.0-5.0 mmol/L and Mg at"
            " or above the raised target.",
            because,
            QTC_SOURCES,
        )
    else:
        warning = Warning(
            "qtc_prolonged",
            "QTc prolonged (470-499 ms): repeat the ECG in 24 h; keep K 4.0-5.0 mmol/L and Mg at or above the raised"
            " target.",
            because,
            QTC_SOURCES,
        )
    warnings, steps = [warning], []
    drugs = [str(m) for m in QT_PROLONGING_DRUGS if data.has(m)]
    if drugs:
        text = f"Review QT-prolonging medicines ({', '.join(drugs)}): stop or replace where possible."
        drug_because = (*because, f"QT-prolonging medicines: {', '.join(drugs)}")
        warnings.append(Warning("qt_prolonging_drugs", text, drug_because, ("S89",)))
        steps.append(Step("review_qt_prolonging_drugs", text, drug_because, ("S89",)))
    return warnings, steps
