"""Helpers for the CDS Hooks tests: requests shaped like the spec's examples, and JWTs signed with keys the tests
generate with `cryptography` (RSA 2048, EC P-384) and encode with PyJWT, as an EHR would."""

from __future__ import annotations

import time
import uuid
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from assessments.ehr import cds_hooks
from tests.web.ehr.samples import sample

SERVICE = "http://testserver/cds-services/hypomag-patient-view"
DISCOVERY = "http://testserver/cds-services"
FEEDBACK = f"{SERVICE}/feedback"
ISSUER = "https://ehr.example.org"


def searchset(resources: list[dict[str, Any]]) -> dict[str, Any]:
    return {"resourceType": "Bundle", "type": "searchset", "entry": [{"resource": r} for r in resources]}


def prefetch_from(bundle: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """(patient id, prefetch) as an EHR would fill the discovery's templates from this sample bundle."""
    resources = [entry["resource"] for entry in bundle["entry"]]
    patient = next(r for r in resources if r["resourceType"] == "Patient")
    prefetch: dict[str, Any] = {"patient": patient, "medicationRequests": searchset(
        [r for r in resources if r["resourceType"] == "MedicationRequest"])}  # fmt: skip
    for key, template in cds_hooks.PREFETCH.items():
        if template.startswith("Observation?"):
            codes = {code.split("|")[1] for code in template.split("code=")[1].split(",")}
            prefetch[key] = searchset(
                [r for r in resources if r["resourceType"] == "Observation" and r["code"]["coding"][0]["code"] in codes]
            )
    return patient["id"], prefetch


def hook_request(name: str, **extra: Any) -> dict[str, Any]:
    patient_id, prefetch = prefetch_from(sample(name))
    return {
        "hookInstance": str(uuid.uuid4()),
        "hook": "patient-view",
        "context": {"userId": "Practitioner/example", "patientId": patient_id},
        "prefetch": prefetch,
        **extra,
    }


class RsaKey:
    """An RSA 2048 key pair: the EHR signs RS384 with the private half, the JWKS publishes the public half."""

    alg = "RS384"

    def __init__(self, kid: str = "rsa-1") -> None:
        self.private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = kid

    def jwk(self) -> dict[str, Any]:
        return RSAAlgorithm.to_jwk(self.private.public_key(), as_dict=True) | {"kid": self.kid}


class EcKey:
    """An EC P-384 key pair, for ES384."""

    alg = "ES384"

    def __init__(self, kid: str = "ec-1") -> None:
        self.private = ec.generate_private_key(ec.SECP384R1())
        self.kid = kid

    def jwk(self) -> dict[str, Any]:
        return ECAlgorithm.to_jwk(self.private.public_key(), as_dict=True) | {"kid": self.kid}


# What an attacker without the private key might sign with instead (HS256 needs a secret of 32 bytes or more).
HMAC_SECRET = "a-shared-secret-that-nobody-should-trust"


def signed_token(key: RsaKey | EcKey, *, alg: str | None = None, kid: str | None = None, **claims: Any) -> str:
    """A CDS Hooks JWT for SERVICE, valid for 5 minutes; a claim given as None is left out. `kid` names another key
    than the one that signs."""
    now = int(time.time())
    payload = {"iss": ISSUER, "sub": "ehr-client", "aud": SERVICE, "exp": now + 300, "iat": now,
               "jti": str(uuid.uuid4())} | claims  # fmt: skip
    payload = {k: v for k, v in payload.items() if v is not None}
    alg = alg or key.alg
    signing_key = {"none": None, "HS256": HMAC_SECRET}.get(alg, key.private)
    return jwt.encode(payload, signing_key, algorithm=alg, headers={"kid": kid or key.kid})
