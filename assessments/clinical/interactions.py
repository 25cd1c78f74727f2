"""Interactions (PROTOCOL.md section 12, KNOWLEDGE.md section 8).

Oral Mg binds several drugs in the gut: when oral Mg is planned or already taken, each listed drug gets an
`oral_mg_interaction` warning with its spacing. IV Mg potentiates or adds to some drugs, and the label lists heart
block as a contraindication: `iv_mg_caution`; a first-degree AV block alone is watched, not gated.
"""

from __future__ import annotations

from dataclasses import dataclass

from .context import Context
from .inputs import AssessmentInput, Drug, DrugRoute, Med
from .results import Warning
from .route import IV_URGENT, ORAL
from .wording import capitalized, plain


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
    Med.DIGOXIN: Spacing("keep 2-3 h apart", ("S79",)),  # on the SmPC's list (M6)
}
IV_CAUTIONS: dict[Med, str] = {
    Med.NEUROMUSCULAR_BLOCKER: "neuromuscular blockade is potentiated",
    Med.DIGOXIN: (
        "give IV Mg with caution in a digitalized patient: heart block may occur if IV calcium is needed to treat Mg"
        " toxicity"
    ),
    Med.CALCIUM_CHANNEL_BLOCKER: "additive hypotension",
}
IV_CAUTION_SOURCES = ("S35", "S30")
HEART_BLOCK_IV = "Heart block: the label lists it as a contraindication to IV Mg: senior review before any infusion."
HEART_BLOCK_URGENT = (
    "Heart block: the emergency team decides on the bolus; any infusion after it only after senior review."
)
FIRST_DEGREE_SOURCES = ("S35",)


def oral_interacting_drugs(data: AssessmentInput, *, oral_magnesium: bool) -> tuple[str, ...]:
    """The drugs that need spacing from oral Mg, in the table's order (oral tacrolimus, or route not given)."""
    if not oral_magnesium:
        return ()
    found: set[str] = {str(m.id) for m in data.medications if m.id in ORAL_SPACING}
    if any(i.drug is Drug.TACROLIMUS and i.route in (DrugRoute.ORAL, None) for i in data.immunosuppressants):
        found.add(Drug.TACROLIMUS.value)
    return tuple(str(d) for d in ORAL_SPACING if d in found)


def interaction_warnings(ctx: Context) -> list[Warning]:
    data = ctx.data
    warnings = []
    why = "oral Mg planned" if ctx.route == ORAL else "already taking oral Mg"
    for drug in ctx.oral_interacting:
        spacing = ORAL_SPACING[drug]
        warnings.append(
            Warning(
                "oral_mg_interaction",
                f"Oral Mg and {plain(drug)}: {spacing.advice}.",
                (f"{plain(drug)} listed", why),
                spacing.references,
                drug=drug,
            )
        )
    if not ctx.intravenous:
        return warnings
    for med, text in IV_CAUTIONS.items():
        if data.has(med):
            warnings.append(
                Warning(
                    "iv_mg_caution",
                    f"{capitalized(plain(med))} with IV Mg: {text}.",
                    (f"{plain(med)} listed", "IV Mg planned"),
                    IV_CAUTION_SOURCES,
                    drug=med.value,
                )
            )
    if ctx.heart_block:
        warnings.append(
            Warning(
                "iv_mg_caution",
                HEART_BLOCK_URGENT if ctx.route == IV_URGENT else HEART_BLOCK_IV,
                ("heart block (second or third degree)", "IV Mg planned"),
                IV_CAUTION_SOURCES,
            )
        )
    if ctx.first_degree_av_block:
        warnings.append(
            Warning(
                "first_degree_av_block",
                "First-degree AV block: not treated as the label's heart-block contraindication; watch the ECG during"
                " IV Mg and stop for a higher-degree block.",
                ("first-degree AV block", "IV Mg planned"),
                FIRST_DEGREE_SOURCES,
            )
        )
    return warnings
