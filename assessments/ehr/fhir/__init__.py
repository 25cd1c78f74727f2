"""FHIR R4 input for HypoMag (issue 6): codes, safety checks and the mapping to the contract input. No Django."""

from .mapping import FhirImport, fhir_to_input

__all__ = ["FhirImport", "fhir_to_input"]
