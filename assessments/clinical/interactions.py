"""Interactions (PROTOCOL.md section 12, KNOWLEDGE.md section 8).

Oral Mg binds several drugs in the gut: when oral Mg is planned or already taken, each listed drug gets an
`oral_mg_interaction` warning with its spacing. IV Mg potentiates or adds to some drugs: `iv_mg_caution`.
"""

from __future__ import annotations

from dataclasses import dataclass

from .context import Context
from .inputs import Condition, Drug, DrugRoute, Med
from .results import Warning
from .route import IV_URGENT


@dataclass(frozen=True)
class Spacing:
    advice: str
    references: tuple[str, ...]


ORAL_SPACING: dict[str, Spacing] = {
    Med.FLUOROQUINOLONE: Spacing(
        "give the quinolone 2 h before or 6 h after Mg (moxifloxacin: 4 h before or 8 h after)", ("S77",)
    ),
    Med.TETRACYCLINE: Spacing("keep at least 4 h apart", ("S29",)),
    Med.BISPHOSPHONATE_ORAL: Spacing(
        "give the bisphosphonate first; Mg at least 30 min later (ibandronate 60 min)", ("S80",)
    ),
    Med.ELTROMBOPAG: Spacing(
        "keep at least 4 h before or after Mg (EU SmPC; the US label allows 2 h before)", ("S75",)
    ),
    Med.LEVOTHYROXINE: Spacing("keep at least 4 h apart", ("S80",)),
    Med.INTEGRASE_INHIBITOR: Spacing(
        "give the integrase inhibitor 2 h before or 6 h after Mg; raltegravir: do not co-administer", ("S76",)
    ),
    Med.MYCOPHENOLATE: Spacing("keep at least 2 h apart", ("S78",)),
    Drug.TACROLIMUS: Spacing("keep about 2 h apart", ("S74",)),
    Med.IRON_ORAL: Spacing("keep at least 2 h apart", ("S79",)),
    Med.GABAPENTIN: Spacing("give gabapentin at least 2 h after Mg", ("S79",)),
}
IV_CAUTIONS: dict[Med, str] = {
    Med.NEUROMUSCULAR_BLOCKER: "IV Mg potentiates neuromuscular blockers",
    Med.DIGOXIN: "digoxin with IV Mg: risk of heart block",
    Med.CALCIUM_CHANNEL_BLOCKER: "calcium channel blocker with IV Mg: risk of hypotension",
}
IV_CAUTION_SOURCES = ("S35", "S30")


def interaction_warnings(ctx: Context) -> list[Warning]:
    data = ctx.data
    warnings = []
    if ctx.oral_magnesium:
        why = "oral Mg planned" if ctx.route == "oral" else "already taking oral Mg"
        interacting = [m.id.value for m in data.medications if m.id.value in ORAL_SPACING]
        for item in data.immunosuppressants:
            if item.drug is Drug.TACROLIMUS and item.route in (DrugRoute.ORAL, None):
                interacting.append(Drug.TACROLIMUS.value)
        for drug in sorted(interacting, key=list(ORAL_SPACING).index):
            spacing = ORAL_SPACING[drug]
            warnings.append(
                Warning(
                    "oral_mg_interaction",
                    f"Oral Mg and {drug}: {spacing.advice}.",
                    (f"{drug} listed", why),
                    spacing.references,
                    drug=drug,
                )
            )
    if ctx.intravenous:
        for med, text in IV_CAUTIONS.items():
            if data.has(med):
                warnings.append(
                    Warning(
                        "iv_mg_caution",
                        f"Caution: {text}.",
                        (f"{med} listed", "IV Mg planned"),
                        IV_CAUTION_SOURCES,
                        drug=med.value,
                    )
                )
        if Condition.HEART_BLOCK in data.conditions:
            governs = "the local emergency protocol governs" if ctx.route == IV_URGENT else "senior review first"
            warnings.append(
                Warning(
                    "iv_mg_caution",
                    f"Heart block: IV Mg is contraindicated; {governs}.",
                    ("condition: heart_block", "IV Mg planned"),
                    IV_CAUTION_SOURCES,
                )
            )
    return warnings
