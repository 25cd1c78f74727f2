"""The OpenAPI 3.1 document of the JSON API, served at `GET /api/v1/openapi.json`.

Integrators generate clients from it, and the test suite runs schemathesis against it (tests/web/api), so it must
say exactly what `assessments/api/views.py` answers: a response the document does not allow fails CI.

The request schema is the contract's input schema, copied into `assessments/api/` because the app must not
read `../shared` at run time; a test keeps the copy equal to the shared original. OpenAPI 3.1 schema objects are
JSON Schema 2020-12, so the contract schema is used as it is, minus `$schema` and `$id` (an `$id` would move the
base URI of references inside the document).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from assessments.clinical import RULESET_VERSION

INPUT_SCHEMA_PATH = Path(__file__).resolve().parent / "input.schema.json"

JSON = "application/json"


def input_schema() -> dict[str, Any]:
    """The contract input schema as stored in the repository."""
    return json.loads(INPUT_SCHEMA_PATH.read_text(encoding="utf-8"))


def _nullable(kind: str | list[str]) -> dict[str, Any]:
    kinds = [kind] if isinstance(kind, str) else list(kind)
    return {"type": [*kinds, "null"]}


def _strings() -> dict[str, Any]:
    return {"type": "array", "items": {"type": "string"}}


def _explained(required: list[str], properties: dict[str, Any]) -> dict[str, Any]:
    """An output item that shows its working: every one has a non-empty `because` (contract README)."""
    return {
        "type": "object",
        "required": [*required, "because"],
        "properties": {**properties, "because": {**_strings(), "minItems": 1}},
    }


_ENTERED = {
    "type": "object",
    "required": ["value", "unit"],
    "properties": {"value": {"type": "number"}, "unit": {"type": "string"}},
}

# Rule set 2026.2 (contract README, "dose"): every field is present on every dose and on its follow_on.
_DOSE: dict[str, Any] = {
    "type": ["object", "null"],
    "required": [
        "mmol",
        "grams_mgso4",
        "ml_50_percent",
        "volume_ml",
        "duration_hours",
        "rate_mg_per_min",
        "max_rate_mg_per_min",
        "per_kg_mmol",
        "mmol_before_cap",
        "mmol_per_day_min",
        "mmol_per_day_max",
        "mmol_per_dose_min",
        "mmol_per_dose_max",
        "start_mmol_per_day",
        "renal_adjusted",
        "follow_on",
        "text",
    ],
    "properties": {
        "mmol": _nullable("number"),
        "grams_mgso4": _nullable("number"),
        "ml_50_percent": _nullable("number"),
        "volume_ml": _nullable("number"),
        "duration_hours": _nullable("number"),
        # IV: the MgSO4 rate and the largest allowed (150 mg/min for adults; min(10 x kg, 150) for children).
        "rate_mg_per_min": _nullable("number"),
        "max_rate_mg_per_min": _nullable("number"),
        "per_kg_mmol": _nullable("number"),
        # A per-kg dose before its cap in mmol (children: every IV dose, and oral under 12 y).
        "mmol_before_cap": _nullable("number"),
        "mmol_per_day_min": _nullable("number"),
        "mmol_per_day_max": _nullable("number"),
        # Oral, adults and 12-17 y: each of the three daily doses, and the dose to start with.
        "mmol_per_dose_min": _nullable("number"),
        "mmol_per_dose_max": _nullable("number"),
        "start_mmol_per_day": _nullable("number"),
        "renal_adjusted": {"type": "boolean"},
        "follow_on": {"$ref": "#/components/schemas/Dose"},
        "text": {"type": "string"},
        "references": _strings(),
    },
}

_READING: dict[str, Any] = {
    "type": "object",
    "required": ["unit", "mmol_per_l", "ctcae_grade", "above_uln", "tier"],
    "properties": {
        "unit": {"enum": ["mmol/L", "mg/dL", "mEq/L"]},
        "mmol_per_l": {"type": "number"},
        "ctcae_grade": {"type": "integer", "minimum": 0, "maximum": 4},
        "above_uln": {"type": "boolean"},
        "tier": {"enum": ["none", "oral", "iv"]},
    },
}

# The output as the contract README describes it. Objects stay open (no additionalProperties: false): a new output
# field is not a breaking change for a client, but a missing or mistyped documented one is.
OUTPUT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["ruleset", "magnesium", "severity", "derived", "causes", "plan", "warnings", "reminders", "missing"],
    "properties": {
        "ruleset": {"type": "string"},
        "magnesium": {
            "type": "object",
            "required": ["entered", "mmol_per_l", "mg_per_dl", "meq_per_l", "lln_mmol_per_l"],
            "properties": {
                "entered": _ENTERED,
                "mmol_per_l": {"type": "number"},
                "mg_per_dl": {"type": "number"},
                "meq_per_l": {"type": "number"},
                "lln_mmol_per_l": {"type": "number"},
            },
        },
        "severity": {
            "type": "object",
            "required": [
                "ctcae_grade",
                "category",
                "clinical_severity",
                "symptomatic",
                "urgent",
                "because",
                "references",
            ],
            "properties": {
                "ctcae_grade": {"type": "integer", "minimum": 0, "maximum": 4},
                "category": {"type": "string"},
                "clinical_severity": {"type": "string"},
                "symptomatic": {"type": "boolean"},
                "urgent": {"type": "boolean"},
                "because": {**_strings(), "minItems": 1},
                "references": _strings(),
            },
        },
        "derived": {
            "type": "object",
            "required": [
                "crcl_ml_min",
                "egfr_ml_min_1_73m2",
                "schwartz_egfr_ml_min_1_73m2",
                "renal_function_ml_min",
                "corrected_calcium_mmol_per_l",
                "femg_percent",
                "femg_interpretation",
                "femg_not_interpretable_reason",
                "target_mmol_per_l",
                "renal_sex_assumption",
            ],
            "properties": {
                "crcl_ml_min": _nullable("number"),
                "egfr_ml_min_1_73m2": _nullable("number"),
                "schwartz_egfr_ml_min_1_73m2": _nullable("number"),
                "renal_function_ml_min": _nullable("number"),
                # 2026.2: an adult's renal function from the lower of the female and male estimates (sex not given).
                "renal_sex_assumption": {"enum": ["lower_of_both_sexes", None]},
                "corrected_calcium_mmol_per_l": _nullable("number"),
                "femg_percent": _nullable("number"),
                "femg_interpretation": _nullable("string"),
                "femg_not_interpretable_reason": _nullable("string"),
                "target_mmol_per_l": {"type": "number"},
            },
        },
        "causes": {
            "type": "array",
            "items": _explained(
                ["id", "label", "score", "likelihood", "references"],
                {
                    "id": {"type": "string"},
                    "label": {"type": "string"},
                    "score": {"type": "integer"},
                    "likelihood": {"type": "string"},
                    "references": _strings(),
                },
            ),
        },
        "plan": {
            "type": "object",
            "required": ["route", "reasons", "dose", "steps"],
            "properties": {
                "route": {"type": "string"},
                "reasons": _strings(),
                "dose": {"$ref": "#/components/schemas/Dose"},
                "steps": {
                    "type": "array",
                    "items": _explained(
                        ["id", "text", "references"],
                        {"id": {"type": "string"}, "text": {"type": "string"}, "references": _strings()},
                    ),
                },
            },
        },
        "warnings": {
            "type": "array",
            "items": {
                **_explained(
                    ["id", "text", "references", "drug"],
                    {
                        "id": {"type": "string"},
                        "text": {"type": "string"},
                        "references": _strings(),
                        "drug": _nullable("string"),
                        "readings": {"type": "array", "minItems": 2, "maxItems": 2, "items": _READING},
                    },
                ),
                # 2026.2 (PROTOCOL.md section 2.1): the unit check carries the reading of the number in each of the
                # two other accepted units; no other warning has readings.
                "if": {"properties": {"id": {"const": "unit_check"}}},
                "then": {"required": ["readings"]},
                "else": {"not": {"required": ["readings"]}},
            },
        },
        "reminders": {
            "type": "array",
            "items": _explained(
                ["id", "text", "due_in_hours"],
                {"id": {"type": "string"}, "text": {"type": "string"}, "due_in_hours": {"type": "number"}},
            ),
        },
        "missing": _strings(),
    },
}

# Every error names the field it concerns (a contract path such as `labs.magnesium.value`, or `input` for the
# body as a whole): a client can put the message next to what the user typed.
ERRORS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["errors"],
    "properties": {
        "errors": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {"field": {"type": "string", "minLength": 1}, "message": {"type": "string"}},
            },
        }
    },
}


def _json(description: str, ref: str) -> dict[str, Any]:
    return {"description": description, "content": {JSON: {"schema": {"$ref": f"#/components/schemas/{ref}"}}}}


def _not_allowed() -> dict[str, Any]:
    # Django's require_POST/require_GET answer 405 with an Allow header and an empty body.
    return {
        "description": "Method not allowed; the Allow header lists the one that is.",
        "headers": {"Allow": {"schema": {"type": "string"}}},
    }


@cache
def openapi_document() -> dict[str, Any]:
    """Built once per process: the input schema file is read at the first request, not at import time."""
    request_schema = {key: value for key, value in input_schema().items() if key not in ("$schema", "$id")}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "HypoMag API",
            "version": RULESET_VERSION,
            "description": (
                "Assessment of low serum magnesium after stem cell transplant: the contract input in, the "
                "assessment out. Stateless: nothing is stored. A decision aid for health-care professionals."
            ),
        },
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "paths": {
            "/api/v1/assessments": {
                "post": {
                    "operationId": "assessments_create",
                    "summary": "Assess one patient's magnesium",
                    "requestBody": {
                        "required": True,
                        "content": {JSON: {"schema": {"$ref": "#/components/schemas/AssessmentInput"}}},
                    },
                    "responses": {
                        "200": _json("The assessment.", "AssessmentOutput"),
                        "400": _json("The input is invalid; each error names its field.", "Errors"),
                        "415": _json("The body is not JSON (wrong content type, or not valid JSON).", "Errors"),
                        "405": _not_allowed(),
                    },
                }
            },
            "/healthz": {
                "get": {
                    "operationId": "healthz",
                    "summary": "Liveness: the app and its database answer",
                    "responses": {
                        "200": _json("The app and its database answer.", "HealthOk"),
                        "503": _json("The database does not answer.", "HealthDown"),
                        "405": _not_allowed(),
                    },
                }
            },
        },
        "components": {
            "schemas": {
                "AssessmentInput": request_schema,
                "AssessmentOutput": OUTPUT_SCHEMA,
                "Dose": _DOSE,
                "Errors": ERRORS_SCHEMA,
                "HealthOk": {
                    "type": "object",
                    "required": ["status", "database", "ruleset"],
                    "properties": {
                        "status": {"const": "ok"},
                        "database": {"const": "ok"},
                        "ruleset": {"type": "string"},
                    },
                },
                "HealthDown": {
                    "type": "object",
                    "required": ["status", "database"],
                    "properties": {"status": {"const": "error"}, "database": {"const": "unavailable"}},
                },
            }
        },
    }
