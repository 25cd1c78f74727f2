"""Every code HypoMag reads from FHIR, in one module: LOINC for results, RxNorm for drugs, UCUM for units.

A code maps to one contract field and one kind of quantity (molar concentration, mass concentration, ...). The
unit on the result (UCUM `valueQuantity.code`) must be of that kind: a molar code reported in a mass unit is a
mislabelled result and is rejected, never converted (KNOWLEDGE.md section 1.3, "Pitfall"). A unit of the right kind
that the contract does not accept (potassium in mg/dL, weight in pounds) is left unused, also never converted.

Sources are the KNOWLEDGE.md ids. Codes marked [unconfirmed] are not in KNOWLEDGE.md and need a check against
the LOINC table or RxNav before clinical use.

LOINC 8636-3 (QTc): the issue asks for it to be confirmed against KNOWLEDGE.md. KNOWLEDGE.md section 1.3 does not
list it (nor any ECG code, nor body weight or height): it covers laboratory analytes only. 8636-3 is, as far as we
know, LOINC "Q-T interval corrected" (property Time, reported in ms), which is what `ecg.qtc_ms` needs; it is
[unconfirmed] here and must be checked against the LOINC table. Only `ms` is read: a QTc in `s` is left unused.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

LOINC = "http://loinc.org"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
UCUM = "http://unitsofmeasure.org"


class Kind(StrEnum):
    """What a code measures (the LOINC property), so that a unit of another kind can be refused."""

    MOLAR = "substance concentration (moles per volume)"
    MASS = "mass concentration (mass per volume)"
    BODY_MASS = "body mass"
    LENGTH = "length"
    DURATION = "duration"


# UCUM code -> (kind, contract unit or None when HypoMag does not take it). UCUM is case-sensitive: `meq/L` is the
# code, `mEq/L` only its display (KNOWLEDGE.md section 1.4, S24). `L` and `l` are both UCUM liters.
UNITS: dict[str, tuple[Kind, str | None]] = {
    "mmol/L": (Kind.MOLAR, "mmol/L"),
    "mmol/l": (Kind.MOLAR, "mmol/L"),
    "meq/L": (Kind.MOLAR, "mEq/L"),
    "meq/l": (Kind.MOLAR, "mEq/L"),
    "umol/L": (Kind.MOLAR, "umol/L"),
    "umol/l": (Kind.MOLAR, "umol/L"),
    "mol/L": (Kind.MOLAR, None),
    "mg/dL": (Kind.MASS, "mg/dL"),
    "mg/dl": (Kind.MASS, "mg/dL"),
    "g/L": (Kind.MASS, "g/L"),
    "g/l": (Kind.MASS, "g/L"),
    "g/dL": (Kind.MASS, "g/dL"),
    "g/dl": (Kind.MASS, "g/dL"),
    "mg/L": (Kind.MASS, None),
    "ug/dL": (Kind.MASS, None),
    "kg": (Kind.BODY_MASS, "kg"),
    "g": (Kind.BODY_MASS, None),
    "[lb_av]": (Kind.BODY_MASS, None),
    "cm": (Kind.LENGTH, "cm"),
    "m": (Kind.LENGTH, None),
    "[in_i]": (Kind.LENGTH, None),
    "ms": (Kind.DURATION, "ms"),
    "s": (Kind.DURATION, None),
}


@dataclass(frozen=True)
class LoincCode:
    code: str
    display: str
    field: str  # contract path: `labs.magnesium`, `patient.weight_kg`, `ecg.qtc_ms`
    kind: Kind
    accepted: tuple[str, ...]  # contract units taken as they are (never converted)
    source: str


OBSERVATIONS: dict[str, LoincCode] = {
    entry.code: entry
    for entry in (
        # Serum/plasma magnesium: 2601-3 is the molar code, 19123-9 the mass code [S21] (HL7 PDDI IG, LOINC 2.82);
        # lab catalogues report 19123-9 in mg/dL [S25, S26, S27].
        LoincCode("2601-3", "Magnesium [Moles/volume] in Serum or Plasma", "labs.magnesium", Kind.MOLAR,
                  ("mmol/L", "mEq/L"), "S21"),
        LoincCode("19123-9", "Magnesium [Mass/volume] in Serum or Plasma", "labs.magnesium", Kind.MASS,
                  ("mg/dL",), "S21"),
        # Potassium [S21]. The contract takes mmol/L or mEq/L only: a mass result (22760-3) is not used.
        LoincCode("2823-3", "Potassium [Moles/volume] in Serum or Plasma", "labs.potassium", Kind.MOLAR,
                  ("mmol/L", "mEq/L"), "S21"),
        LoincCode("22760-3", "Potassium [Mass/volume] in Serum or Plasma", "labs.potassium", Kind.MASS, (), "S21"),
        # Total calcium [S21, S23].
        LoincCode("2000-8", "Calcium [Moles/volume] in Serum or Plasma", "labs.calcium_total", Kind.MOLAR,
                  ("mmol/L",), "S21"),
        LoincCode("17861-6", "Calcium [Mass/volume] in Serum or Plasma", "labs.calcium_total", Kind.MASS,
                  ("mg/dL",), "S21"),
        # Ionized calcium [S21]: serum/plasma, whole blood, and the mass code by ISE.
        LoincCode("1995-0", "Calcium.ionized [Moles/volume] in Serum or Plasma", "labs.calcium_ionized",
                  Kind.MOLAR, ("mmol/L",), "S21"),
        LoincCode("1994-3", "Calcium.ionized [Moles/volume] in Blood", "labs.calcium_ionized", Kind.MOLAR,
                  ("mmol/L",), "S21"),
        LoincCode("17864-0", "Calcium.ionized [Mass/volume] in Serum or Plasma by ISE",
                  "labs.calcium_ionized", Kind.MASS, ("mg/dL",), "S21"),
        # Albumin [S23].
        LoincCode("1751-7", "Albumin [Mass/volume] in Serum or Plasma", "labs.albumin", Kind.MASS,
                  ("g/L", "g/dL"), "S23"),
        # Serum creatinine [S22].
        LoincCode("14682-9", "Creatinine [Moles/volume] in Serum or Plasma", "labs.creatinine", Kind.MOLAR,
                  ("umol/L",), "S22"),
        LoincCode("2160-0", "Creatinine [Mass/volume] in Serum or Plasma", "labs.creatinine", Kind.MASS,
                  ("mg/dL",), "S22"),
        # Phosphate [S23].
        LoincCode("14879-1", "Phosphate [Moles/volume] in Serum or Plasma", "labs.phosphate", Kind.MOLAR,
                  ("mmol/L",), "S23"),
        LoincCode("2777-1", "Phosphate [Mass/volume] in Serum or Plasma", "labs.phosphate", Kind.MASS,
                  ("mg/dL",), "S23"),
        # Urine magnesium, random sample [S23] (the 24-hour codes 2599-9/24447-5 are amounts per day, not used).
        LoincCode("2598-1", "Magnesium [Moles/volume] in Urine", "labs.urine_magnesium", Kind.MOLAR,
                  ("mmol/L",), "S23"),
        LoincCode("19124-7", "Magnesium [Mass/volume] in Urine", "labs.urine_magnesium", Kind.MASS,
                  ("mg/dL",), "S23"),
        # Urine creatinine [S23].
        LoincCode("14683-7", "Creatinine [Moles/volume] in Urine", "labs.urine_creatinine", Kind.MOLAR,
                  ("mmol/L", "umol/L"), "S23"),
        LoincCode("2161-8", "Creatinine [Mass/volume] in Urine", "labs.urine_creatinine", Kind.MASS,
                  ("mg/dL",), "S23"),
        # Vital signs: the codes of the FHIR R4 vital-signs profiles [unconfirmed: not in KNOWLEDGE.md].
        LoincCode("29463-7", "Body weight", "patient.weight_kg", Kind.BODY_MASS, ("kg",), "unconfirmed"),
        LoincCode("8302-2", "Body height", "patient.height_cm", Kind.LENGTH, ("cm",), "unconfirmed"),
        # QTc: see the module docstring [unconfirmed: not in KNOWLEDGE.md].
        LoincCode("8636-3", "Q-T interval corrected", "ecg.qtc_ms", Kind.DURATION, ("ms",), "unconfirmed"),
    )
}  # fmt: skip

# The LOINC codes each contract field is fed by (for the CDS Hooks prefetch queries and the provenance).
CODES_BY_FIELD: dict[str, tuple[str, ...]] = {}
for _code in OBSERVATIONS.values():
    CODES_BY_FIELD[_code.field] = (*CODES_BY_FIELD.get(_code.field, ()), _code.code)
MAGNESIUM_CODES = CODES_BY_FIELD["labs.magnesium"]

# RxNorm ingredient (IN) codes -> contract id. Immunosuppressants (`immunosuppressants.N.drug`) are the issue's
# own list. The others feed `medications.N.id`, only for classes whose members are a short, closed list; each is
# [unconfirmed] (RxNorm is not in KNOWLEDGE.md) and needs a pharmacist's check against RxNav before clinical use.
# A product code (SCD/SBD) is not an ingredient code: it is listed as not mapped, never looked up or guessed.
# Amphotericin B (ingredient 732) is deliberately absent: the contract separates the conventional and liposomal
# forms, which the ingredient code cannot tell apart.
IMMUNOSUPPRESSANTS: dict[str, str] = {
    "42316": "tacrolimus",
    "3008": "cyclosporine",
    "35302": "sirolimus",
    "141704": "everolimus",
}
MEDICATIONS: dict[str, str] = {
    # Proton pump inhibitors (KNOWLEDGE.md section 3.9).
    "7646": "proton_pump_inhibitor",  # omeprazole
    "283742": "proton_pump_inhibitor",  # esomeprazole
    "40790": "proton_pump_inhibitor",  # pantoprazole
    "17128": "proton_pump_inhibitor",  # lansoprazole
    "114979": "proton_pump_inhibitor",  # rabeprazole
    # Loop diuretics (section 3.8).
    "4603": "loop_diuretic",  # furosemide
    "1808": "loop_diuretic",  # bumetanide
    "38413": "loop_diuretic",  # torsemide
    # Thiazide and thiazide-like diuretics (section 3.8).
    "5487": "thiazide_diuretic",  # hydrochlorothiazide
    "2409": "thiazide_diuretic",  # chlorthalidone
    # Azole antifungals (QT, section 8).
    "4450": "azole_antifungal",  # fluconazole
    "121243": "azole_antifungal",  # voriconazole
    "282446": "azole_antifungal",  # posaconazole
    "28031": "azole_antifungal",  # itraconazole
    # Aminoglycosides (section 3.4).
    "4413": "aminoglycoside",  # gentamicin
    "10627": "aminoglycoside",  # tobramycin
    "641": "aminoglycoside",  # amikacin
    # Fluoroquinolones (sections 8.1 and 8, QT).
    "2551": "fluoroquinolone",  # ciprofloxacin
    "82122": "fluoroquinolone",  # levofloxacin
    "139462": "fluoroquinolone",  # moxifloxacin
    # Single-ingredient classes.
    "26225": "ondansetron",
    "10582": "levothyroxine",
    "3407": "digoxin",
    "6813": "methadone",
    "25480": "gabapentin",
    "68149": "mycophenolate",  # mycophenolate mofetil
    # Potassium-sparing diuretics (rule set 2026.2: warning potassium_sparing_with_cni with a CNI; KNOWLEDGE.md
    # section 6.6 [S102]); one ingredient each. [unconfirmed]: from RxNav, not in KNOWLEDGE.md.
    "644": "amiloride",
    "9997": "spironolactone",
    "298869": "eplerenone",
    "10763": "triamterene",
}
