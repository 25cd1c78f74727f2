"""What an assessment takes: dataclasses and enums mirroring the contract input
(`../shared/contract/assessment-input.schema.json`). Lab values are `Measurement`s, never bare floats.

Each input is built once by `parse.parse_input` and never changed afterwards. They are slotted rather than frozen:
a frozen dataclass sets every field through `object.__setattr__`, several times slower to build (issue 16).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from .units import Measurement, Unit

ADULT_AGE_YEARS = 18  # PROTOCOL.md section 1: adults >= 18 y
SCHOOL_AGE_YEARS = 12  # PROTOCOL.md section 5: pediatric dose rows < 12 y and 12-17 y [S38]


class Sex(StrEnum):
    FEMALE = "female"
    MALE = "male"


class Setting(StrEnum):
    INPATIENT = "inpatient"
    OUTPATIENT = "outpatient"


class TransplantType(StrEnum):
    ALLOGENEIC = "allogeneic"
    AUTOLOGOUS = "autologous"


class Drug(StrEnum):
    """Immunosuppressants. CNI means tacrolimus or cyclosporine only (PROTOCOL.md section 4)."""

    TACROLIMUS = "tacrolimus"
    CYCLOSPORINE = "cyclosporine"
    SIROLIMUS = "sirolimus"
    EVEROLIMUS = "everolimus"

    @property
    def is_cni(self) -> bool:
        return self in CNI_DRUGS


CNI_DRUGS = frozenset({Drug.TACROLIMUS, Drug.CYCLOSPORINE})


class DrugRoute(StrEnum):
    ORAL = "oral"
    IV = "iv"


class Med(StrEnum):
    """Medication ids of the contract (README 'Medication ids')."""

    AMPHOTERICIN_B_CONVENTIONAL = "amphotericin_b_conventional"
    AMPHOTERICIN_B_LIPOSOMAL = "amphotericin_b_liposomal"
    AMINOGLYCOSIDE = "aminoglycoside"
    FOSCARNET = "foscarnet"
    PENTAMIDINE = "pentamidine"
    CIDOFOVIR = "cidofovir"
    LOOP_DIURETIC = "loop_diuretic"
    THIAZIDE_DIURETIC = "thiazide_diuretic"
    PROTON_PUMP_INHIBITOR = "proton_pump_inhibitor"
    PLATINUM_CHEMOTHERAPY = "platinum_chemotherapy"
    IFOSFAMIDE = "ifosfamide"
    EGFR_ANTIBODY = "egfr_antibody"
    INSULIN_INFUSION = "insulin_infusion"
    BETA_AGONIST = "beta_agonist"
    THEOPHYLLINE = "theophylline"
    FLUOROQUINOLONE = "fluoroquinolone"
    TETRACYCLINE = "tetracycline"
    BISPHOSPHONATE_ORAL = "bisphosphonate_oral"
    ELTROMBOPAG = "eltrombopag"
    LEVOTHYROXINE = "levothyroxine"
    INTEGRASE_INHIBITOR = "integrase_inhibitor"
    MYCOPHENOLATE = "mycophenolate"
    IRON_ORAL = "iron_oral"
    GABAPENTIN = "gabapentin"
    AZOLE_ANTIFUNGAL = "azole_antifungal"
    ONDANSETRON = "ondansetron"
    MACROLIDE = "macrolide"
    METHADONE = "methadone"
    ARSENIC_TRIOXIDE = "arsenic_trioxide"
    NEUROMUSCULAR_BLOCKER = "neuromuscular_blocker"
    DIGOXIN = "digoxin"
    CALCIUM_CHANNEL_BLOCKER = "calcium_channel_blocker"
    AMILORIDE = "amiloride"
    SPIRONOLACTONE = "spironolactone"
    EPLERENONE = "eplerenone"
    TRIAMTERENE = "triamterene"


class Condition(StrEnum):
    REFEEDING_RISK = "refeeding_risk"
    CITRATE_EXPOSURE = "citrate_exposure"
    HYPERGLYCEMIA = "hyperglycemia"
    ALCOHOL_USE = "alcohol_use"
    POLYURIC_RECOVERY = "polyuric_recovery"
    DIALYSIS = "dialysis"
    HEART_BLOCK = "heart_block"  # second- or third-degree AV block (PROTOCOL.md section 12)
    FIRST_DEGREE_AV_BLOCK = "first_degree_av_block"
    AKI = "aki"
    OLIGURIA = "oliguria"


class Symptom(StrEnum):
    SEIZURE = "seizure"
    TETANY = "tetany"
    TORSADES = "torsades"
    VENTRICULAR_ARRHYTHMIA = "ventricular_arrhythmia"
    MUSCLE_CRAMPS = "muscle_cramps"
    TREMOR = "tremor"
    PARESTHESIA = "paresthesia"
    WEAKNESS = "weakness"
    FATIGUE = "fatigue"
    PALPITATIONS = "palpitations"
    NYSTAGMUS = "nystagmus"
    CONFUSION = "confusion"


# PROTOCOL.md section 3. Fatigue and tremor are common after HSCT for other reasons: they count as symptoms but do
# not escalate the route or the severity on their own (m23). Every other symptom escalates.
URGENT_SYMPTOMS = frozenset({Symptom.SEIZURE, Symptom.TETANY, Symptom.TORSADES, Symptom.VENTRICULAR_ARRHYTHMIA})
ARRHYTHMIA_SYMPTOMS = frozenset({Symptom.TORSADES, Symptom.VENTRICULAR_ARRHYTHMIA})
NON_SPECIFIC_SYMPTOMS = frozenset({Symptom.FATIGUE, Symptom.TREMOR})
# Potassium-sparing diuretics: a hyperkalemia risk with a CNI [S74, S102] (PROTOCOL.md section 6); not causes [S57].
POTASSIUM_SPARING = (Med.AMILORIDE, Med.SPIRONOLACTONE, Med.EPLERENONE, Med.TRIAMTERENE)


class OralIntake(StrEnum):
    NORMAL = "normal"
    REDUCED = "reduced"
    NIL = "nil"


@dataclass(slots=True)  # built once per assessment, never changed: slotted for speed
class Patient:
    age_years: float
    sex: Sex | None = None
    weight_kg: float | None = None
    height_cm: float | None = None

    @property
    def is_adult(self) -> bool:
        return self.age_years >= ADULT_AGE_YEARS

    @property
    def is_under_12(self) -> bool:
        return self.age_years < SCHOOL_AGE_YEARS


@dataclass(slots=True)  # built once per assessment, never changed: slotted for speed
class Transplant:
    type: TransplantType
    day: int


@dataclass(slots=True)  # built once per assessment, never changed: slotted for speed
class Immunosuppressant:
    drug: Drug
    trough: Measurement | None = None
    route: DrugRoute | None = None


@dataclass(slots=True)  # built once per assessment, never changed: slotted for speed
class Labs:
    magnesium: Measurement
    magnesium_age_hours: float | None = None  # time from the Mg sample to this assessment (section 2.2)
    magnesium_lln: Measurement | None = None
    potassium: Measurement | None = None
    calcium_total: Measurement | None = None
    calcium_ionized: Measurement | None = None
    albumin: Measurement | None = None
    phosphate: Measurement | None = None
    creatinine: Measurement | None = None
    urine_magnesium: Measurement | None = None
    urine_creatinine: Measurement | None = None


@dataclass(slots=True)  # built once per assessment, never changed: slotted for speed
class Medication:
    id: Med
    days: int | None = None


@dataclass(slots=True)  # built once per assessment, never changed: slotted for speed
class GI:
    diarrhea_ml_per_day: float | None = None
    lower_gi_gvhd_stage: int | None = None
    vomiting: bool = False
    mucositis_grade: int | None = None
    high_output_stoma: bool = False


@dataclass(slots=True)  # built once per assessment, never changed: slotted for speed
class Nutrition:
    oral_intake: OralIntake | None = None
    parenteral_nutrition: bool = False
    pn_mg_mmol_per_kg_day: float | None = None


@dataclass(slots=True)  # built once per assessment, never changed: slotted for speed
class MagnesiumTherapy:
    oral_current: bool = False
    iv_magnesium_last_24h: bool = False


@dataclass(slots=True)  # built once per assessment, never changed: slotted for speed
class AssessmentInput:
    patient: Patient
    transplant: Transplant
    labs: Labs
    setting: Setting = Setting.INPATIENT
    immunosuppressants: tuple[Immunosuppressant, ...] = ()
    medications: tuple[Medication, ...] = ()
    gi: GI = field(default_factory=GI)
    nutrition: Nutrition = field(default_factory=Nutrition)
    conditions: frozenset[Condition] = frozenset()
    symptoms: tuple[Symptom, ...] = ()
    qtc_ms: float | None = None
    magnesium_therapy: MagnesiumTherapy = field(default_factory=MagnesiumTherapy)
    site_magnesium_unit: Unit | None = None  # the unit the site's own laboratory reports Mg in (section 2.1)
    # Derived once from the fields above (every rule asks these questions, some many times).
    by_med: dict[Med, Medication] = field(init=False, repr=False, compare=False)  # each medication by its id
    cnis: tuple[Immunosuppressant, ...] = field(init=False, repr=False, compare=False)
    urgent_symptoms: tuple[Symptom, ...] = field(init=False, repr=False, compare=False)
    escalating_symptoms: tuple[Symptom, ...] = field(init=False, repr=False, compare=False)
    arrhythmia: bool = field(init=False, repr=False, compare=False)
    _symptoms: frozenset[Symptom] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        symptoms = self.symptoms
        self.by_med = {m.id: m for m in self.medications}
        self.cnis = tuple(i for i in self.immunosuppressants if i.drug in CNI_DRUGS)
        self.urgent_symptoms = tuple(s for s in symptoms if s in URGENT_SYMPTOMS)
        # Urgent or specific symptoms: those that escalate the route and the severity (section 3).
        self.escalating_symptoms = tuple(s for s in symptoms if s not in NON_SPECIFIC_SYMPTOMS)
        self.arrhythmia = not ARRHYTHMIA_SYMPTOMS.isdisjoint(symptoms)
        self._symptoms = frozenset(symptoms)

    def has(self, med: Med) -> bool:
        return med in self.by_med

    def medication(self, med: Med) -> Medication | None:
        return self.by_med.get(med)

    @property
    def on_cni(self) -> bool:
        return bool(self.cnis)

    def has_symptom(self, *symptoms: Symptom) -> bool:
        return not self._symptoms.isdisjoint(symptoms)
