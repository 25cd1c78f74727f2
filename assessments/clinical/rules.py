"""Self-checks of the rule set, run at start-up by `assessments/checks.py` (a Django system check).

`cited_source_ids` reads every source id ("S12") written in the clinical modules, so no rule can cite a source
that `references.py` lacks; `threshold_tables_in_order` checks that cut-off tables are ordered and that every
non-urgent IV regimen respects the label's rate and dilution limits [S35].
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

from . import causes, dose, ecg, electrolytes, femg, renal, route, severity
from .units import MG_MG_DL_PER_MMOL_L, Unit

_SOURCE_ID = re.compile(r"""["'](S\d+)["']""")
_HERE = Path(__file__).resolve().parent


def cited_source_ids() -> dict[str, tuple[str, ...]]:
    """Module name -> the source ids its rules cite."""
    cited = {}
    for module in sorted(_HERE.glob("*.py")):
        if module.name == "references.py":
            continue
        ids = tuple(dict.fromkeys(_SOURCE_ID.findall(module.read_text(encoding="utf-8"))))
        if ids:
            cited[module.stem] = ids
    return cited


def _descending(name: str, values: list[float]) -> list[str]:
    ordered = all(a > b for a, b in itertools.pairwise(values))
    return [] if ordered else [f"{name} must be strictly descending: {values}"]


def threshold_tables_in_order() -> list[str]:
    problems = []
    for unit, bands in severity.CTCAE_BANDS.items():
        bounds = [severity.DEFAULT_LLN[unit], *(bound for bound, _ in bands)]
        problems += _descending(f"CTCAE bands in {unit} (with the default LLN first)", bounds)
        grades = [grade for _, grade in bands]
        if grades != sorted(grades):
            problems.append(f"CTCAE grades in {unit} must rise as Mg falls: {grades}")
    problems += _descending(
        "ULN > raised target > default LLN",
        [severity.ULN_MMOL_L, severity.RAISED_TARGET_MMOL_L, severity.DEFAULT_LLN[Unit.MMOL_L]],
    )
    problems += _descending("QTc critical > prolonged", [ecg.QTC_CRITICAL_MS, ecg.QTC_PROLONGED_MS])
    problems += _descending("K high > low", [electrolytes.K_HIGH_MMOL_L, electrolytes.K_LOW_MMOL_L])
    problems += _descending("renal halve > severe", [renal.HALVE_BELOW_ML_MIN, renal.SEVERE_BELOW_ML_MIN])
    problems += _descending("FEMg renal > extrarenal", [femg.FEMG_RENAL_ABOVE, femg.FEMG_EXTRARENAL_BELOW])
    problems += _descending("K high > low > severe low", [electrolytes.K_HIGH_MMOL_L, electrolytes.K_LOW_MMOL_L,
                                                          electrolytes.K_SEVERE_LOW_MMOL_L])  # fmt: skip
    problems += _descending(
        "diarrhea severe > moderate (adult)", [route.DIARRHEA_SEVERE_ADULT_ML_DAY, route.DIARRHEA_ADULT_ML_DAY]
    )
    problems += _descending(
        "diarrhea severe > moderate (child)", [route.DIARRHEA_SEVERE_CHILD_ML_KG_DAY, route.DIARRHEA_CHILD_ML_KG_DAY]
    )
    # The raised target is written 0.82 mmol/L and 2.0 mg/dL: the two must agree (0.82 x 2.4305 = 1.99).
    if abs(severity.RAISED_TARGET_MMOL_L * MG_MG_DL_PER_MMOL_L - severity.RAISED_TARGET_MG_DL) > 0.05:
        problems.append("the raised target in mg/dL does not match its mmol/L value")
    problems += _descending("likelihood high > moderate", [causes.LIKELIHOOD_HIGH, causes.LIKELIHOOD_MODERATE])
    problems += _descending("PPI long > short", [causes.PPI_LONG_DAYS, causes.PPI_SHORT_DAYS])
    for regimen in dose.ALL_ADULT_IV:
        concentration = regimen.grams / regimen.volume_ml * 100
        if concentration > dose.MAX_ADULT_CONCENTRATION_PERCENT:
            problems.append(f"adult regimen {regimen} is stronger than {dose.MAX_ADULT_CONCENTRATION_PERCENT}%")
        rate = dose.rate_mg_per_min(regimen.grams, regimen.hours)
        # Every non-urgent adult IV dose stays at or below 150 mg/min [S35]; the urgent bolus's rate is the local
        # emergency protocol's (section 5, change 56), so it is not held to it.
        if regimen is not dose.ADULT_BOLUS and rate > dose.MAX_ADULT_RATE_MG_MIN:
            problems.append(f"regimen {regimen} runs at {rate:.0f} mg/min, above {dose.MAX_ADULT_RATE_MG_MIN}")
    for child in dose.ALL_CHILD_IV:
        # Per kg, the rate is the same at every weight below the cap: it must stay within 10 mg/kg/min [S38].
        if child.hours is None:
            problems.append(f"child IV regimen {child} has no duration")
            continue
        per_kg_rate = dose.rate_mg_per_min(dose.grams_from_mmol(child.per_kg_mmol), child.hours)
        if per_kg_rate > dose.CHILD_MAX_RATE_MG_KG_MIN:
            problems.append(f"child regimen {child} runs at {per_kg_rate:.1f} mg/kg/min")
    return problems
