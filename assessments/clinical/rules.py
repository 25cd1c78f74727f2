"""Self-checks of the rule set, run at start-up by `assessments/checks.py` (a Django system check).

`cited_source_ids` reads every source id ("S12") written in the clinical modules, so no rule can cite a source
that `references.py` lacks; `threshold_tables_in_order` checks that cut-off tables are ordered and that every
non-urgent IV regimen respects the label's rate and dilution limits [S35].
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

from . import causes, dose, ecg, electrolytes, engine, renal, severity
from .units import Unit

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
    problems += _descending("FEMg renal > extrarenal", [engine.FEMG_RENAL_ABOVE, engine.FEMG_EXTRARENAL_BELOW])
    problems += _descending("likelihood high > moderate", [causes.LIKELIHOOD_HIGH, causes.LIKELIHOOD_MODERATE])
    problems += _descending("PPI long > short", [causes.PPI_LONG_DAYS, causes.PPI_SHORT_DAYS])
    for regimen in dose.ALL_IV_REGIMENS:
        urgent = regimen in (dose.ADULT_IV_URGENT, dose.CHILD_IV_URGENT)
        if regimen.grams is not None:
            grams = regimen.grams
            concentration = grams / regimen.volume_ml * 100  # type: ignore[operator]
            if concentration > dose.MAX_ADULT_CONCENTRATION_PERCENT:
                problems.append(f"adult regimen {regimen} is stronger than {dose.MAX_ADULT_CONCENTRATION_PERCENT}%")
        else:
            grams = dose.grams_from_mmol(regimen.cap_mmol or regimen.mmol)  # type: ignore[arg-type]
        rate = dose.rate_mg_per_min(grams, regimen.duration_hours)
        if not urgent and rate > dose.MAX_NON_URGENT_RATE_MG_MIN:
            problems.append(f"regimen {regimen} runs at {rate:.0f} mg/min, above {dose.MAX_NON_URGENT_RATE_MG_MIN}")
    return problems
