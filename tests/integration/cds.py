"""Helpers for the CDS Hooks tests: requests shaped like the spec's examples, and JWTs signed with keys the tests
generate (RSA by Miller-Rabin primes, EC P-384 by a random scalar): no crypto library is needed."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
import uuid
from typing import Any

from assessments import cds_hooks
from tests.integration.conftest import sample

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


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _int_b64(value: int, size: int | None = None) -> str:
    return b64(value.to_bytes(size or (value.bit_length() + 7) // 8, "big"))


def _probable_prime(bits: int) -> int:
    while True:
        candidate = secrets.randbits(bits) | (1 << (bits - 1)) | 1
        if all(candidate % p for p in (3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37)) and _miller_rabin(candidate):
            return candidate


def _miller_rabin(n: int, rounds: int = 24) -> bool:
    d, r = n - 1, 0
    while d % 2 == 0:
        d, r = d // 2, r + 1
    for _ in range(rounds):
        x = pow(secrets.randbelow(n - 3) + 2, d, n)
        if x in (1, n - 1):
            continue
        for _ in range(r - 1):
            x = pow(x, 2, n)
            if x == n - 1:
                break
        else:
            return False
    return True


class RsaKey:
    def __init__(self, kid: str = "rsa-1") -> None:
        e = 65537
        while True:
            p, q = _probable_prime(1024), _probable_prime(1024)
            phi = (p - 1) * (q - 1)
            if p != q and phi % e and (p * q).bit_length() == 2048:
                break
        self.n, self.e, self.d, self.kid = p * q, e, pow(e, -1, phi), kid

    def jwk(self) -> dict[str, str]:
        return {"kty": "RSA", "kid": self.kid, "alg": "RS384", "n": _int_b64(self.n), "e": _int_b64(self.e)}

    def sign(self, signed: bytes) -> bytes:
        size = 256
        tail = bytes.fromhex("3041300d060960864801650304020205000430") + hashlib.sha384(signed).digest()
        encoded = b"\x00\x01" + b"\xff" * (size - 3 - len(tail)) + b"\x00" + tail
        return pow(int.from_bytes(encoded, "big"), self.d, self.n).to_bytes(size, "big")


class EcKey:
    alg = "ES384"

    def __init__(self, kid: str = "ec-1") -> None:
        self.d = secrets.randbelow(cds_hooks.P384_N - 1) + 1
        self.public = cds_hooks.ec_multiply(self.d, cds_hooks.P384_G)
        self.kid = kid

    def jwk(self) -> dict[str, str]:
        x, y = self.public
        return {"kty": "EC", "crv": "P-384", "kid": self.kid, "x": _int_b64(x, 48), "y": _int_b64(y, 48)}

    def sign(self, signed: bytes) -> bytes:
        n = cds_hooks.P384_N
        z = int.from_bytes(hashlib.sha384(signed).digest(), "big")
        while True:
            k = secrets.randbelow(n - 1) + 1
            r = cds_hooks.ec_multiply(k, cds_hooks.P384_G)[0] % n
            s = pow(k, -1, n) * (z + r * self.d) % n
            if r and s:
                return r.to_bytes(48, "big") + s.to_bytes(48, "big")


def jwt(key: RsaKey | EcKey, *, alg: str | None = None, **claims: Any) -> str:
    now = int(time.time())
    payload = {"iss": ISSUER, "sub": "ehr-client", "aud": SERVICE, "exp": now + 300, "iat": now,
               "jti": str(uuid.uuid4())} | claims  # fmt: skip
    payload = {k: v for k, v in payload.items() if v is not None}
    header = {"alg": alg or getattr(key, "alg", "RS384"), "typ": "JWT", "kid": key.kid}
    signed = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(payload).encode())}"
    return f"{signed}.{b64(key.sign(signed.encode()))}"
