"""QTc (PROTOCOL.md section 8, KNOWLEDGE.md section 5) [S89, S91].

Takes the QTc, the symptoms and the drugs; returns the QTc level, its warning and the QT-drug warning and step
text. The raised Mg target that a prolonged QTc calls for is section 7's (`severity.target`).
"""

from __future__ import annotations

from .inputs import ARRHYTHMIA_SYMPTOMS, AssessmentInput, Drug, Med
from .results import Warning
from .units import fmt
from .wording import plain, plain_list

QTC_PROLONGED_MS = 470
QTC_CRITICAL_MS = 500
QTC_SOURCES = ("S89", "S91")
K_TARGET_MMOL_L = (4.0, 5.0)  # keep K 4.0-5.0 mmol/L with a critical QTc [S89, S91]
PROLONGED, CRITICAL = "prolonged", "critical"
QT_PROLONGING_DRUGS = (
    Med.AZOLE_ANTIFUNGAL,
    Med.ONDANSETRON,
    Med.FLUOROQUINOLONE,
    Med.MACROLIDE,
    Med.METHADONE,
    Med.ARSENIC_TRIOXIDE,
)
QT_DRUG_SOURCES = ("S89", "S91")
TACROLIMUS_QT_SOURCES = ("S74",)  # the tacrolimus label's QT warning (m11)


def qtc_level(data: AssessmentInput) -> tuple[str | None, tuple[str, ...]]:
    """('critical' | 'prolonged' | None, the inputs that decided it)."""
    arrhythmias = [s for s in data.symptoms if s in ARRHYTHMIA_SYMPTOMS]
    qtc = data.qtc_ms
    if (qtc is not None and qtc >= QTC_CRITICAL_MS) or arrhythmias:
        because = [f"QTc {fmt(qtc)} ms >= {QTC_CRITICAL_MS} ms"] if qtc is not None and qtc >= QTC_CRITICAL_MS else []
        because += [f"arrhythmia symptom: {plain(s)}" for s in arrhythmias]
        return CRITICAL, tuple(because)
    if qtc is not None and qtc >= QTC_PROLONGED_MS:
        return PROLONGED, (f"QTc {fmt(qtc)} ms in {QTC_PROLONGED_MS}-{QTC_CRITICAL_MS - 1} ms",)
    return None, ()


def _k_range() -> str:
    low, high = K_TARGET_MMOL_L
    return f"{low:.1f}-{high:.1f} mmol/L"


def qtc_warning(level: str | None, because: tuple[str, ...]) -> Warning | None:
    if level == CRITICAL:
        return Warning(
            "qtc_critical",
            f"QTc {QTC_CRITICAL_MS} ms or more, or an arrhythmia: continuous ECG monitoring; keep K {_k_range()} and"
            " Mg at or above the raised target.",
            because,
            QTC_SOURCES,
        )
    if level == PROLONGED:
        return Warning(
            "qtc_prolonged",
            f"QTc prolonged ({QTC_PROLONGED_MS}-{QTC_CRITICAL_MS - 1} ms): repeat the ECG in 24 h; keep K"
            f" {_k_range()} and Mg at or above the raised target.",
            because,
            QTC_SOURCES,
        )
    return None


def qt_prolonging_drugs(data: AssessmentInput) -> tuple[str, ...]:
    """The listed QT-prolonging drugs the patient takes: medications, then tacrolimus (any route)."""
    drugs = [str(m) for m in QT_PROLONGING_DRUGS if m in data.by_med]
    if any(i.drug is Drug.TACROLIMUS for i in data.immunosuppressants):
        drugs.append(str(Drug.TACROLIMUS))
    return tuple(drugs)


def qt_drug_references(drugs: tuple[str, ...]) -> tuple[str, ...]:
    return (*QT_DRUG_SOURCES, *(TACROLIMUS_QT_SOURCES if Drug.TACROLIMUS in drugs else ()))


def qt_drugs_warning(drugs: tuple[str, ...], because: tuple[str, ...]) -> Warning:
    return Warning(
        "qt_prolonging_drugs",
        f"QT-prolonging medicines with a long QTc: {plain_list(drugs)} (other QT-prolonging drugs may apply).",
        (*because, f"QT-prolonging medicines: {plain_list(drugs)}"),
        qt_drug_references(drugs),
    )


def qt_drugs_step_text(drugs: tuple[str, ...]) -> str:
    text = f"Review the QT-prolonging medicines ({plain_list(drugs)}): stop or replace where possible"
    if Drug.TACROLIMUS in drugs:
        text += " (keep tacrolimus and check its level)"
    return text + "."
