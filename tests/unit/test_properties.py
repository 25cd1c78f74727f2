"""Properties of the clinical core that must hold for every input, checked with Hypothesis.

`valid_inputs()` draws inputs that the JSON Schema accepts AND that lie inside the hard ranges of PROTOCOL.md
section 2 (adults and children from 1 month, every unit, optional fields present or absent). `schema_inputs()`
draws inputs that only the schema accepts: any number, huge or negative, and repeated drugs. The properties:

- a lower Mg (same unit, same LLN, at or below the ULN) is never graded milder nor routed less urgently;
- every cause, step and warning shows why (`because`) and where from (`references`, ids of `REFERENCES`);
- nothing the schema accepts, and nothing at all, makes the core raise: it answers or names the field;
- mmol/L and mg/dL give the same grade, route and dose away from the cut-offs where the two tables differ.
"""

from __future__ import annotations

import copy
import json
import math
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from assessments.clinical import assess, parse_input, to_json
from assessments.clinical.references import REFERENCES
from assessments.services import assessment_run

SCHEMA_PATH = Path(__file__).resolve().parents[3] / "shared" / "contract" / "assessment-input.schema.json"
SCHEMA = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
SCHEMA_VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)
PROPS = SCHEMA["properties"]


def enum_of(*path: str) -> list[str]:
    """The schema's enum at `path` (through `properties`/`items`), so the strategies follow the contract."""
    node: dict[str, Any] = SCHEMA
    for key in path:
        node = node["items"] if key == "[]" else node["properties"][key]
    return node["enum"] if "enum" in node else node["items"]["enum"]


DRUGS = enum_of("immunosuppressants", "[]", "drug")
MEDICATIONS = enum_of("medications", "[]", "id")
CONDITIONS = enum_of("conditions")
SYMPTOMS = enum_of("symptoms")

# PROTOCOL.md section 2, written out here rather than read from the core: factor x value in that unit = value in
# the canonical unit, and the hard range in the canonical unit.
MG_UNITS = {"mmol/L": 1.0, "mg/dL": 1 / 2.4305, "mEq/L": 0.5}
LABS: dict[str, tuple[dict[str, float], tuple[float, float]]] = {
    "magnesium": (MG_UNITS, (0.05, 5.0)),
    "magnesium_lln": (MG_UNITS, (0.5, 1.0)),
    "potassium": ({"mmol/L": 1.0, "mEq/L": 1.0}, (1.0, 10.0)),
    "calcium_total": ({"mmol/L": 1.0, "mg/dL": 1 / 4.008}, (0.5, 5.0)),
    "calcium_ionized": ({"mmol/L": 1.0, "mg/dL": 1 / 4.008}, (0.3, 3.0)),
    "albumin": ({"g/L": 1.0, "g/dL": 10.0}, (5.0, 70.0)),
    "phosphate": ({"mmol/L": 1.0, "mg/dL": 1 / 3.097}, (0.1, 5.0)),
    "creatinine": ({"umol/L": 1.0, "mg/dL": 88.42}, (10.0, 2000.0)),
    "urine_magnesium": ({"mmol/L": 1.0, "mg/dL": 1 / 2.4305}, (0.05, 50.0)),
    "urine_creatinine": ({"mmol/L": 1.0, "umol/L": 1 / 1000, "mg/dL": 0.08842}, (0.2, 60.0)),
}
TROUGH_MAX_NG_ML = {"tacrolimus": 60.0, "cyclosporine": 3000.0, "sirolimus": 60.0, "everolimus": 60.0}
ULN_MMOL_L = 1.05
ROUTE_URGENCY = {"none": 0, "oral": 1, "iv": 2, "iv_urgent": 3}
CLINICAL_SEVERITY = {"none": 0, "mild": 1, "moderate": 2, "severe": 3, "emergency": 4}

# 300 examples a property keeps the whole file under ~40 s on 2 cores; assessments take well under a millisecond,
# so most of the time goes into drawing the inputs.
PROPERTY = settings(max_examples=300, deadline=None)


# --- strategies ----------------------------------------------------------------------------------------------------


def within(low: float, high: float) -> st.SearchStrategy[float]:
    """Floats in [low, high], pulled in by a hair so that a conversion's rounding cannot push a value out; half of
    them rounded to 2 decimals, as a lab reports them."""
    low, high = low * (1 + 1e-6) if low else low, high * (1 - 1e-6)
    raw = st.floats(low, high, allow_nan=False, allow_infinity=False)
    return st.one_of(raw, raw.map(lambda v: round(v, 2)).filter(lambda v: low <= v <= high))


def measurement(name: str, units: list[str] | None = None) -> st.SearchStrategy[dict[str, Any]]:
    factors, (low, high) = LABS[name]

    def in_unit(unit: str) -> st.SearchStrategy[dict[str, Any]]:
        return within(low / factors[unit], high / factors[unit]).map(lambda v: {"value": v, "unit": unit})

    return st.sampled_from(units or list(factors)).flatmap(in_unit)


def fields(required: dict[str, Any], optional: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(required, optional=optional)


@st.composite
def patients(draw: st.DrawFn) -> dict[str, Any]:
    child = draw(st.booleans())
    # Children from 1 month (0.0833 y, PROTOCOL.md section 1) need a weight; adults may omit it.
    age = draw(within(0.0833, 17.999) if child else within(18, 120))
    optional = {"sex": st.sampled_from(["female", "male"]), "height_cm": within(30, 250)}
    required: dict[str, Any] = {"age_years": st.just(age)}
    (required if child else optional)["weight_kg"] = within(0.5, 300)
    return draw(fields(required, optional))


@st.composite
def immunosuppressants(draw: st.DrawFn) -> list[dict[str, Any]]:
    items = []
    for drug in draw(st.lists(st.sampled_from(DRUGS), unique=True)):
        trough = within(0, TROUGH_MAX_NG_ML[drug]).flatmap(
            lambda v: st.sampled_from(["ng/mL", "ug/L"]).map(lambda u, v=v: {"value": v, "unit": u})
        )
        items.append(
            draw(fields({"drug": st.just(drug)}, {"trough": trough, "route": st.sampled_from(["oral", "iv"])}))
        )
    return items


def medications() -> st.SearchStrategy[list[dict[str, Any]]]:
    med = st.sampled_from(MEDICATIONS).flatmap(lambda m: fields({"id": st.just(m)}, {"days": st.integers(0, 5000)}))
    return st.lists(med, max_size=8, unique_by=lambda m: m["id"])


LAB_STRATEGIES = {name: measurement(name) for name in LABS if name != "magnesium"}


def _inputs_in_range() -> st.SearchStrategy[dict[str, Any]]:
    labs = fields({"magnesium": measurement("magnesium")}, LAB_STRATEGIES)
    return fields(
        {
            "patient": patients(),
            "transplant": fields(
                {"type": st.sampled_from(["allogeneic", "autologous"]), "day": st.integers(-30, 3650)}, {}
            ),
            "labs": labs,
        },
        {
            "setting": st.sampled_from(["inpatient", "outpatient"]),
            "immunosuppressants": immunosuppressants(),
            "medications": medications(),
            "gi": fields(
                {},
                {
                    "diarrhea_ml_per_day": within(0, 10000),
                    "lower_gi_gvhd_stage": st.integers(0, 4),
                    "vomiting": st.booleans(),
                    "mucositis_grade": st.integers(0, 4),
                    "high_output_stoma": st.booleans(),
                },
            ),
            "nutrition": fields(
                {},
                {
                    "oral_intake": st.sampled_from(["normal", "reduced", "nil"]),
                    "parenteral_nutrition": st.booleans(),
                    "pn_mg_mmol_per_kg_day": st.none() | within(0, 1),
                },
            ),
            "conditions": st.lists(st.sampled_from(CONDITIONS), unique=True),
            "symptoms": st.lists(st.sampled_from(SYMPTOMS), unique=True, max_size=4),
            "ecg": fields({}, {"qtc_ms": within(250, 800)}),
            "magnesium_therapy": fields({}, {"oral_current": st.booleans(), "iv_magnesium_last_24h": st.booleans()}),
            "save": st.booleans(),
        },
    )


def _days_within_age(data: dict[str, Any]) -> dict[str, Any]:
    """A drug cannot have been taken longer than the patient has lived (the parser's bound on `days`)."""
    most = math.floor(data["patient"]["age_years"] * 365.25)
    for item in data.get("medications", []):
        if "days" in item:
            item["days"] = min(item["days"], most)
    return data


def valid_inputs() -> st.SearchStrategy[dict[str, Any]]:
    """Inputs valid by the schema and inside every hard range of PROTOCOL.md section 2."""
    return _inputs_in_range().map(_days_within_age)


# Numbers the schema accepts but the protocol does not: huge, tiny, negative, integral and not.
HUGE_NUMBERS = [10**400, -(10**400), 1e308, -1e308, 5e-324, 2**63, -(2**63)]
ANY_NUMBER = st.one_of(st.floats(allow_nan=False, allow_infinity=False), st.integers(), st.sampled_from(HUGE_NUMBERS))
ANY_INTEGER = st.one_of(st.integers(), st.sampled_from([10**400, -(10**400), 2**63, 1e300]))


def any_measurement(units: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({"value": ANY_NUMBER, "unit": st.sampled_from(units)})


def schema_inputs() -> st.SearchStrategy[dict[str, Any]]:
    """Inputs the JSON Schema accepts, with no regard to the hard ranges (and drugs may repeat: the schema cannot
    say that an object's field is unique)."""
    labs = {name: any_measurement(enum_of("labs", name, "unit")) for name in PROPS["labs"]["properties"]}
    immunosuppressant = fields(
        {"drug": st.sampled_from(DRUGS)},
        {"trough": any_measurement(["ng/mL", "ug/L"]), "route": st.sampled_from(["oral", "iv"])},
    )
    medication = fields(
        {"id": st.sampled_from(MEDICATIONS)},
        {"days": st.one_of(st.integers(min_value=0), st.sampled_from([10**400, 0.0, 1e300]))},
    )
    return fields(
        {
            "patient": fields(
                {"age_years": ANY_NUMBER},
                {"sex": st.sampled_from(["female", "male"]), "weight_kg": ANY_NUMBER, "height_cm": ANY_NUMBER},
            ),
            "transplant": fields({"type": st.sampled_from(["allogeneic", "autologous"]), "day": ANY_INTEGER}, {}),
            "labs": fields({"magnesium": labs.pop("magnesium")}, labs),
        },
        {
            "setting": st.sampled_from(["inpatient", "outpatient"]),
            "immunosuppressants": st.lists(immunosuppressant, max_size=5),
            "medications": st.lists(medication, max_size=6),
            "gi": fields(
                {},
                {
                    "diarrhea_ml_per_day": ANY_NUMBER,
                    "lower_gi_gvhd_stage": st.integers(0, 4),
                    "vomiting": st.booleans(),
                    "mucositis_grade": st.integers(0, 4),
                    "high_output_stoma": st.booleans(),
                },
            ),
            "nutrition": fields(
                {},
                {
                    "oral_intake": st.sampled_from(["normal", "reduced", "nil"]),
                    "parenteral_nutrition": st.booleans(),
                    "pn_mg_mmol_per_kg_day": st.none() | ANY_NUMBER,
                },
            ),
            "conditions": st.lists(st.sampled_from(CONDITIONS), unique=True),
            "symptoms": st.lists(st.sampled_from(SYMPTOMS), unique=True),
            "ecg": fields({}, {"qtc_ms": ANY_NUMBER}),
            "magnesium_therapy": fields({}, {"oral_current": st.booleans(), "iv_magnesium_last_24h": st.booleans()}),
            "save": st.booleans(),
        },
    )


JSON_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=10)
)
# Keys the parser knows, so that arbitrary values reach the readers behind them, not only the top-level check.
KNOWN_KEYS = sorted(
    {"value", "unit", "drug", "trough", "route", "id", "days", *PROPS, *PROPS["labs"]["properties"]}
    | {key for name in ("patient", "transplant", "gi", "nutrition", "ecg", "magnesium_therapy") for key in
       PROPS[name]["properties"]}
)  # fmt: skip
ANY_JSON = st.recursive(
    JSON_SCALARS,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.sampled_from(KNOWN_KEYS) | st.text(max_size=8), children, max_size=5)
    ),
    max_leaves=20,
)
# What a careless client sends instead of the right value.
REPLACEMENTS = st.one_of(
    st.text(max_size=8),
    st.none(),
    st.booleans(),
    st.lists(JSON_SCALARS, max_size=3),
    st.dictionaries(st.text(max_size=5), JSON_SCALARS, max_size=3),
    st.sampled_from([*HUGE_NUMBERS, float("nan"), float("inf"), -1, 0, 1.5]),
)


def paths(data: Any, prefix: tuple = ()) -> list[tuple]:
    """Every key or index path inside `data`."""
    found = []
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else []
    for key, value in items:
        found.append((*prefix, key))
        found.extend(paths(value, (*prefix, key)))
    return found


@st.composite
def mutated_inputs(draw: st.DrawFn) -> dict[str, Any]:
    """A valid input with one thing broken: a key renamed or removed, or a value replaced."""
    data = draw(valid_inputs())
    path = draw(st.sampled_from(paths(data)))
    parent = data
    for key in path[:-1]:
        parent = parent[key]
    last = path[-1]
    action = draw(st.sampled_from(["rename", "remove", "replace"]))
    if action == "rename" and isinstance(parent, dict):
        parent[draw(st.text(min_size=1, max_size=12).filter(lambda k: k not in parent))] = parent.pop(last)
    elif action == "remove":
        del parent[last]
    else:
        parent[last] = draw(REPLACEMENTS)
    return data


# --- helpers -------------------------------------------------------------------------------------------------------


def assessed(data: dict[str, Any]) -> dict[str, Any]:
    parsed = parse_input(data)
    assert parsed.input is not None, f"a valid input was rejected: {parsed.errors}"
    return to_json(assess(parsed.input))


def with_mg(data: dict[str, Any], value: float, unit: str) -> dict[str, Any]:
    changed = copy.deepcopy(data)
    changed["labs"]["magnesium"] = {"value": value, "unit": unit}
    return changed


def assert_answers_or_names_the_field(data: Any) -> None:
    outcome = assessment_run(data=data)
    # Exactly one of the two, and an error a user can act on: where, and what is wrong.
    assert (outcome.output is None) != (not outcome.errors)
    for error in outcome.errors:
        assert isinstance(error["field"], str) and error["field"], error
        assert isinstance(error["message"], str) and error["message"].strip(), error
    if outcome.output is not None:
        # The output goes out as JSON: a NaN or an infinity would be invalid JSON.
        json.dumps(outcome.output, allow_nan=False)


# --- a) a lower Mg is never milder -----------------------------------------------------------------------------------


@st.composite
def mg_pairs_at_or_below_uln(draw: st.DrawFn) -> tuple[float, float, str]:
    unit = draw(st.sampled_from(list(MG_UNITS)))
    factor = MG_UNITS[unit]
    # Mostly where the grades and targets change (below 1.05 mmol/L), always within the hard range.
    value = within(0.05 / factor, ULN_MMOL_L / factor)
    low, high = sorted((draw(value), draw(value)))
    return low, high, unit


@PROPERTY
@given(data=valid_inputs(), pair=mg_pairs_at_or_below_uln())
def test_a_lower_magnesium_is_never_graded_milder_or_routed_less_urgently(data, pair):
    low, high, unit = pair
    at_low, at_high = assessed(with_mg(data, low, unit)), assessed(with_mg(data, high, unit))

    assert at_low["severity"]["ctcae_grade"] >= at_high["severity"]["ctcae_grade"], (low, high, unit)
    # Urgency of the route: none < oral < iv < iv_urgent (PROTOCOL.md section 4). Above the ULN "none" is the
    # right answer for a higher Mg, which is why both values stay at or below it.
    route_low, route_high = at_low["plan"]["route"], at_high["plan"]["route"]
    assert ROUTE_URGENCY[route_low] >= ROUTE_URGENCY[route_high], (low, high, unit, route_low, route_high)
    # Section 3 orders the clinical severity the same way (grade 0 below a raised target is "mild").
    severity_low, severity_high = at_low["severity"]["clinical_severity"], at_high["severity"]["clinical_severity"]
    assert CLINICAL_SEVERITY[severity_low] >= CLINICAL_SEVERITY[severity_high], (low, high, unit)


# --- b) every item shows its basis ----------------------------------------------------------------------------------


def all_references(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = list(node.get("references", []))
        return found + [ref for key, value in node.items() if key != "references" for ref in all_references(value)]
    if isinstance(node, list):
        return [ref for item in node for ref in all_references(item)]
    return []


@PROPERTY
@given(data=valid_inputs())
def test_every_cause_step_and_warning_shows_why_and_where_from(data):
    output = assessed(data)

    for item in [*output["causes"], *output["plan"]["steps"], *output["warnings"]]:
        # A recommendation without its basis is a defect (STYLE.md, "show the working").
        assert item["because"] and all(text.strip() for text in item["because"]), item
        assert item["references"], item
    for reminder in output["reminders"]:
        assert reminder["because"] and all(text.strip() for text in reminder["because"]), reminder
    # The contract: every `because` list is non-empty, every reference names a source of KNOWLEDGE.md.
    assert output["severity"]["because"] and output["severity"]["references"]
    if output["plan"]["dose"] is not None:
        assert output["plan"]["dose"]["because"] and output["plan"]["dose"]["references"]
    unknown = set(all_references(output)) - set(REFERENCES)
    assert not unknown, f"references to unknown sources: {sorted(unknown)}"


# --- c) whatever the schema accepts gets an answer or a field error --------------------------------------------------


@PROPERTY
@given(data=schema_inputs())
def test_any_schema_valid_input_gets_a_result_or_field_errors(data):
    SCHEMA_VALIDATOR.validate(data)  # the strategy itself must stay inside the contract

    assert_answers_or_names_the_field(data)


@PROPERTY
@given(data=valid_inputs())
def test_every_input_inside_the_hard_ranges_is_accepted(data):
    SCHEMA_VALIDATOR.validate(data)

    outcome = assessment_run(data=data)

    assert outcome.errors == [], outcome.errors


NUMERIC_PATHS = [
    ("patient", "age_years"),
    ("patient", "weight_kg"),
    ("patient", "height_cm"),
    ("transplant", "day"),
    ("labs", "magnesium", "value"),
    ("labs", "potassium", "value"),
    ("labs", "creatinine", "value"),
    ("gi", "diarrhea_ml_per_day"),
    ("ecg", "qtc_ms"),
    ("nutrition", "pn_mg_mmol_per_kg_day"),
]


@pytest.mark.parametrize("path", NUMERIC_PATHS, ids=".".join)
@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_field_errors(path, number):
    # Not JSON, so not in the schema, but Python's json module reads them: they must be refused by name.
    data = assessed_base()
    target = data
    for key in path[:-1]:
        target = target.setdefault(key, {})
    target[path[-1]] = json.loads(number)

    outcome = assessment_run(data=data)

    assert outcome.output is None
    assert [e["field"] for e in outcome.errors] == [".".join(path)]


def assessed_base() -> dict[str, Any]:
    return {
        "patient": {"age_years": 45, "sex": "female", "weight_kg": 70, "height_cm": 165},
        "transplant": {"type": "allogeneic", "day": 30},
        "labs": {
            "magnesium": {"value": 0.6, "unit": "mmol/L"},
            "potassium": {"value": 4.0, "unit": "mmol/L"},
            "creatinine": {"value": 70, "unit": "umol/L"},
        },
    }


# --- d) mmol/L and mg/dL agree away from the cut-offs ----------------------------------------------------------------

MG_DL_PER_MMOL_L = 2.4305
# Where a value in one unit may legitimately be graded or routed differently from the same value in the other:
# the CTCAE cut-offs in mmol/L and in mg/dL (converted), the default LLNs, the raised target, the ULN, and the
# unit-check bands (PROTOCOL.md sections 2, 3, 7).
THRESHOLDS_MMOL_L = [
    0.3, 0.4, 0.5, 0.7,
    *(v / MG_DL_PER_MMOL_L for v in (0.7, 0.9, 1.2, 1.7, 0.5)),
    0.82, ULN_MMOL_L, 1.2, 3.0,
]  # fmt: skip
NEAR_MMOL_L = 0.02


def away_from_thresholds(value: float) -> bool:
    return all(abs(value - threshold) > NEAR_MMOL_L for threshold in THRESHOLDS_MMOL_L)


def without_text(node: Any) -> Any:
    """A dose with its wording left out: the numbers must agree, the sentences may quote the unit entered."""
    if isinstance(node, dict):
        return {k: without_text(v) for k, v in node.items() if k not in ("text", "because")}
    return node


@PROPERTY
@given(
    data=valid_inputs(),
    mmol=st.one_of(within(0.06, 1.3), within(0.06, 4.9)).filter(away_from_thresholds),
)
def test_mmol_and_mg_dl_agree_away_from_the_cut_offs(data, mmol):
    data["labs"].pop("magnesium_lln", None)  # the default LLN, which differs slightly between the two units
    in_mmol = assessed(with_mg(data, mmol, "mmol/L"))
    in_mg_dl = assessed(with_mg(data, mmol * MG_DL_PER_MMOL_L, "mg/dL"))

    assert in_mg_dl["severity"]["ctcae_grade"] == in_mmol["severity"]["ctcae_grade"]
    assert in_mg_dl["plan"]["route"] == in_mmol["plan"]["route"]
    assert without_text(in_mg_dl["plan"]["dose"]) == without_text(in_mmol["plan"]["dose"])
    assert math.isclose(in_mg_dl["magnesium"]["mmol_per_l"], in_mmol["magnesium"]["mmol_per_l"], abs_tol=0.01)


# --- e) nothing at all makes it raise --------------------------------------------------------------------------------


@PROPERTY
@given(data=ANY_JSON)
@example(data=[])
@example(data={"labs": {"magnesium": {"value": [], "unit": {}}}})
def test_arbitrary_json_never_raises(data):
    assert_answers_or_names_the_field(data)


@PROPERTY
@given(data=st.fixed_dictionaries({}, optional={key: ANY_JSON for key in PROPS}))
def test_arbitrary_values_under_the_known_sections_never_raise(data):
    assert_answers_or_names_the_field(data)


@settings(PROPERTY, suppress_health_check=[HealthCheck.filter_too_much])
@given(data=mutated_inputs())
def test_a_broken_valid_input_never_raises(data):
    assert_answers_or_names_the_field(data)


def deepest_json_list(key: str) -> Any:
    """`{key: [[[...]]]}` as deep as Python's json module can read it from here."""
    for depth in range(sys.getrecursionlimit(), 0, -1):
        try:
            return json.loads(f'{{"{key}": {"[" * depth}{"]" * depth}}}')
        except RecursionError:
            continue
    raise AssertionError("unreachable")


@pytest.mark.parametrize("key", ["setting", "symptoms", "labs"])
def test_the_deepest_json_python_reads_never_raises(key):
    # Whatever json.loads can read, the parser must answer for: an error message must not recurse into the
    # rejected value without bound.
    assert_answers_or_names_the_field(deepest_json_list(key))
