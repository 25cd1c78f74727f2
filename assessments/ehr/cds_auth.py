"""The EHR's bearer JWT on every CDS Hooks call (CDS Hooks 2.0, "Trusting CDS Clients").

Takes the `Authorization` header and the URL called (the token's audience); returns the token's claims, or None
when no issuer is configured (`HYPOMAG_CDS_ISSUERS` empty: the service is open, as in development). Raises
`Unauthorized`, whose message names the problem, for anything else. The signature, the time claims and the
audience are checked by PyJWT with `cryptography`: nothing here does cryptography itself.

Spec: https://cds-hooks.hl7.org/2.0/#trusting-cds-clients. PyJWT: https://pyjwt.readthedocs.io/en/stable/usage.html
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import threading
import time
from pathlib import Path
from typing import Any

import jwt
from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)

# "The EHR signs the JWT with RS384 or ES384" (CDS Hooks 2.0). The key's type decides which of the two applies, so
# a token cannot pick another algorithm for a key (RS256, HS256 with the public key as secret, none).
ALGORITHM_FOR_KEY_TYPE = {"RSA": "RS384", "EC": "ES384"}
ALGORITHMS = sorted(ALGORITHM_FOR_KEY_TYPE.values())
REQUIRED_CLAIMS = ["iss", "sub", "aud", "exp", "iat", "jti"]
# Clock skew between the EHR and us, for `exp`, `iat` and `nbf`.
LEEWAY_SECONDS = 30
# CDS Hooks 2.0: `exp` "MUST be set to no more than five minutes in the future". A later one (an exp in
# milliseconds, or in the year 9999) is refused: it would be a token that can be replayed for ever, and its replay
# record could not be kept for that long (issue 15: it gave a 500).
MAX_LIFETIME_SECONDS = 300
TIME_CLAIMS = ("exp", "iat", "nbf")
JWKS_TIMEOUT_SECONDS = 3.0
JWKS_CACHE_SECONDS = 600


class Unauthorized(Exception):
    """The call may not proceed (HTTP 401); the message says why without echoing the token or the keys."""


def issuers() -> dict[str, dict[str, str]]:
    """`HYPOMAG_CDS_ISSUERS` (validated in settings): {iss: {"jwks_url": url} | {"jwks_file": path}}."""
    return getattr(settings, "HYPOMAG_CDS_ISSUERS", None) or {}


_clients: dict[str, jwt.PyJWKClient] = {}
_clients_lock = threading.Lock()


def _jwks_client(url: str) -> jwt.PyJWKClient:
    """One client per URL, so that its in-memory JWKS cache lasts across requests."""
    with _clients_lock:
        if url not in _clients:
            _clients[url] = jwt.PyJWKClient(url, lifespan=JWKS_CACHE_SECONDS, timeout=JWKS_TIMEOUT_SECONDS)
        return _clients[url]


def _signing_key(config: dict[str, str], kid: str) -> jwt.PyJWK:
    """The issuer's signing key with this `kid`; Unauthorized if the keys cannot be read or none has that id."""
    try:
        if "jwks_url" in config:
            client = _jwks_client(config["jwks_url"])
            client.get_signing_keys()  # an unreachable or malformed JWKS fails here (from the cache after once)
            try:
                # An unknown kid refetches the JWKS (the EHR may have rotated its keys), at most every 30 s.
                found: jwt.PyJWK | None = client.get_signing_key(kid)
            except jwt.PyJWKClientConnectionError:
                raise
            except jwt.PyJWKClientError:
                found = None
        else:
            data = json.loads(Path(config["jwks_file"]).read_text(encoding="utf-8"))
            if not isinstance(data, dict):
                raise ValueError("a JWKS is a JSON object with a list of keys")
            keys = jwt.PyJWKSet.from_dict(data)
            found = next((k for k in keys if k.key_id == kid and k.public_key_use in ("sig", None)), None)
    except (OSError, ValueError, jwt.PyJWTError) as exc:
        # The detail goes to the log, not to the caller.
        logger.warning("CDS Hooks: cannot read the JWKS %s: %s", config, exc)
        raise Unauthorized("the issuer's keys cannot be read") from exc
    if found is None:
        raise Unauthorized("the token's kid is not one of the issuer's keys")
    return found


def _unverified(token: str) -> tuple[str, str]:
    """(kid, iss) from the token, before any check: they say which key to verify it with."""
    try:
        header = jwt.get_unverified_header(token)
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.InvalidTokenError as exc:  # DecodeError, or a header field of the wrong type
        raise Unauthorized("the token is not a JWT") from exc
    if not isinstance(claims, dict):
        raise Unauthorized("the token is not a JWT")
    for name in TIME_CLAIMS:
        if name in claims and not _is_seconds(claims[name]):
            raise Unauthorized(f"the token's {name} must be a number of seconds since 1970-01-01")
    alg, kid, iss = header.get("alg"), header.get("kid"), claims.get("iss")
    if alg not in ALGORITHMS:
        raise Unauthorized(f"the token must be signed with {' or '.join(ALGORITHMS)}")
    if not isinstance(kid, str) or not kid:
        raise Unauthorized("the token's header has no kid (the id of the issuer's signing key)")
    if not isinstance(iss, str) or iss not in issuers():
        raise Unauthorized("the token's issuer is not allowed")
    return kid, iss


def _is_seconds(value: Any) -> bool:
    """A JSON number of seconds that Python can compare and PyJWT can read: not a text, a boolean, NaN or infinity."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return isinstance(value, float) and math.isfinite(value)


def bearer_verify(authorization: str | None, *, audience: str) -> dict[str, Any] | None:
    """The verified claims when the call may proceed; None when no issuer is configured; Unauthorized otherwise.

    Rules: signed with RS384 or ES384 by the key `kid` of an allowed `iss`; `aud` the URL called (or a list holding
    it); `exp`, `iat` and `nbf` numbers of seconds; `exp` not passed and at most MAX_LIFETIME_SECONDS ahead, `iat`
    not in the future (all within LEEWAY_SECONDS); `sub` and `jti` present; a `jti`
    seen before from the same issuer is a replay.
    """
    allowed = issuers()
    if not allowed:
        return None
    if not authorization or not authorization.startswith("Bearer "):
        raise Unauthorized("a bearer JWT from an allowed EHR is required")
    token = authorization.removeprefix("Bearer ").strip()
    kid, iss = _unverified(token)
    key = _signing_key(allowed[iss], kid)
    algorithm = ALGORITHM_FOR_KEY_TYPE.get(key.key_type)
    if algorithm is None:
        raise Unauthorized("the issuer's key is neither RSA nor EC")
    try:
        claims = jwt.decode(
            token,
            key.key,
            algorithms=[algorithm],
            audience=audience,
            issuer=iss,
            leeway=LEEWAY_SECONDS,
            options={"require": REQUIRED_CLAIMS, "enforce_minimum_key_length": True},
        )
    except jwt.InvalidAlgorithmError as exc:
        raise Unauthorized(f"the token's algorithm is not the one of the issuer's key ({algorithm})") from exc
    except jwt.InvalidSignatureError as exc:
        raise Unauthorized("the token's signature does not verify with the issuer's keys") from exc
    except jwt.InvalidKeyError as exc:
        raise Unauthorized("the issuer's key is not acceptable (RSA keys need 2048 bits, EC keys P-384)") from exc
    except jwt.MissingRequiredClaimError as exc:
        raise Unauthorized(f"the token has no {exc.claim}") from exc
    except jwt.ExpiredSignatureError as exc:
        raise Unauthorized("the token has expired") from exc
    except jwt.ImmatureSignatureError as exc:
        raise Unauthorized("the token is issued in the future (iat or nbf)") from exc
    except jwt.InvalidAudienceError as exc:
        raise Unauthorized(f"the token's audience is not {audience}") from exc
    except jwt.InvalidIssuerError as exc:
        raise Unauthorized("the token's issuer is not allowed") from exc
    except jwt.InvalidTokenError as exc:
        # Malformed claims (an iat that is not a number, a jti that is not a string, ...): name the class only.
        raise Unauthorized(f"the token is not valid ({type(exc).__name__})") from exc
    if claims["exp"] > time.time() + MAX_LIFETIME_SECONDS + LEEWAY_SECONDS:
        raise Unauthorized(
            f"the token's exp is more than {MAX_LIFETIME_SECONDS // 60} minutes ahead (CDS Hooks allows at most "
            f"{MAX_LIFETIME_SECONDS // 60}; is it in milliseconds?)"
        )
    if not isinstance(claims["jti"], str) or not claims["jti"] or len(claims["jti"]) > 256:
        raise Unauthorized("the token's jti must be a non-empty text of at most 256 characters")
    # A replay is refused: `add` succeeds only for a jti not seen before; it is kept as long as the token could pass.
    seen = hashlib.sha256(json.dumps([iss, claims["jti"]]).encode()).hexdigest()
    lifetime = max(int(claims["exp"] - time.time()), 0) + LEEWAY_SECONDS + 60
    if not cache.add(f"cds-jti:{seen}", True, timeout=lifetime):
        raise Unauthorized("the token has been used before (jti replayed)")
    return claims
