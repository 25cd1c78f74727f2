"""GET one FHIR query from the EHR's FHIR server, with the EHR's access token, for the CDS Hooks service.

The rules (issue 15), each because of something that went wrong:
- **https only, and the token never leaves the server's origin.** A redirect is followed only to the same scheme,
  host and port (at most `MAX_REDIRECTS`); a redirect anywhere else (https to http, another host, another port)
  is not followed at all, so the bearer token is never sent there. `urllib` followed an https -> http redirect and
  resent the token in clear.
- **Bounded in time.** A connect timeout, a read timeout for each read, and one deadline for the whole hook call
  (`cds_hooks.FETCH_DEADLINE_SECONDS`), enforced by closing the socket when it passes: a server that accepts the
  connection and then sends nothing, or one byte at a time, cannot hold a worker until gunicorn kills it.
- **Bounded in size** (`MAX_BYTES`), and the answer read by the one JSON reader (`api/http.py`).

Every failure is a `FetchFailed` whose message says, in words, what happened; the token is never in it.
Standard library only (`http.client`, `ssl`): no redirect handler or connection pool to configure around.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import ssl
import threading
import time
from typing import Any
from urllib.parse import urljoin, urlsplit

from assessments.api.http import JsonBodyError, json_loads

CONNECT_TIMEOUT_SECONDS = 2.0
READ_TIMEOUT_SECONDS = 3.0
MAX_REDIRECTS = 3
MAX_BYTES = 5 * 1024 * 1024
REDIRECTS = (301, 302, 303, 307, 308)


class FetchFailed(Exception):
    """The data could not be fetched; the message says why, for a clinician (no token, no internals)."""


def ssl_context() -> ssl.SSLContext:
    """The system's trusted CAs with hostname checking (tests replace this to trust their own test CA)."""
    return ssl.create_default_context()


def origin(url: str) -> tuple[str, str, int]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError as exc:
        raise FetchFailed(f"the address {_shown(url)} has an invalid port") from exc
    return scheme, (parts.hostname or "").lower(), port or (443 if scheme == "https" else 80)


def _shown(url: str) -> str:
    """An address as it may appear in a message: scheme, host and path, never a query (it names the patient)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"[:120]


def fetch(url: str, access_token: str | None, deadline: float) -> Any:
    """The JSON at `url` (https), with `Authorization: Bearer <token>` when a token is given; `deadline` is a
    `time.monotonic()` value after which nothing more is waited for. Raises FetchFailed."""
    headers = {"Accept": "application/fhir+json"}
    if access_token:
        headers["Authorization"] = f"Bearer {access_token}"
    start = origin(url)
    if start[0] != "https" or not start[1]:
        raise FetchFailed(f"the FHIR server address {_shown(url)} is not an https URL")
    for _ in range(MAX_REDIRECTS + 1):
        status, location, body = _get(url, headers, deadline)
        if status in REDIRECTS:
            if not location:
                raise FetchFailed(f"the FHIR server redirected {_shown(url)} without saying where to")
            target = urljoin(url, location)
            if origin(target) != start:
                # Not followed: the token would go to another origin, perhaps in clear (issue 15).
                raise FetchFailed(
                    f"the FHIR server redirected to another address ({_shown(target)}); HypoMag does not follow it "
                    "with the EHR's token"
                )
            url = target
            continue
        if status != 200:
            raise FetchFailed(f"the FHIR server answered HTTP {status} for {_shown(url)}")
        try:
            return json_loads(body, what="the FHIR server's answer")
        except JsonBodyError as refused:
            raise FetchFailed(refused.message) from refused
    raise FetchFailed(f"the FHIR server redirected more than {MAX_REDIRECTS} times")


def _get(url: str, headers: dict[str, str], deadline: float) -> tuple[int, str | None, bytes]:
    """(status, Location header, body) of one GET; the socket is shut when the deadline passes, whatever it is
    waiting for (the TLS handshake, the headers, the body)."""
    parts = urlsplit(url)
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise FetchFailed("the FHIR server did not answer in time")
    connection = http.client.HTTPSConnection(
        parts.hostname or "", parts.port or 443, timeout=min(CONNECT_TIMEOUT_SECONDS, remaining), context=ssl_context()
    )
    cut = threading.Event()
    timer = threading.Timer(remaining, _cut, args=(connection, cut))
    timer.daemon = True
    timer.start()
    try:
        connection.connect()
        assert connection.sock is not None
        connection.sock.settimeout(READ_TIMEOUT_SECONDS)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        chunks, size = [], 0
        while chunk := response.read1(65536):
            size += len(chunk)
            if size > MAX_BYTES:
                raise FetchFailed(f"the FHIR server's answer is larger than {MAX_BYTES // (1024 * 1024)} MB")
            chunks.append(chunk)
        if cut.is_set():
            # Shut at the deadline: what was read may end anywhere (a header, half a body) and is never used.
            raise FetchFailed("the FHIR server did not answer in time")
        return response.status, response.getheader("Location"), b"".join(chunks)
    except (OSError, http.client.HTTPException, ValueError) as exc:
        if cut.is_set() or time.monotonic() >= deadline:
            raise FetchFailed("the FHIR server did not answer in time") from exc
        if isinstance(exc, TimeoutError):
            raise FetchFailed(f"the FHIR server did not answer within {READ_TIMEOUT_SECONDS:g} s") from exc
        raise FetchFailed(f"the FHIR server could not be reached ({type(exc).__name__})") from exc
    finally:
        timer.cancel()
        connection.close()


def _cut(connection: http.client.HTTPSConnection, cut: threading.Event) -> None:
    """At the deadline: shut the socket, so that whatever read is waiting returns at once."""
    cut.set()
    sock = connection.sock
    if sock is not None:
        with contextlib.suppress(OSError):  # already closed
            sock.shutdown(socket.SHUT_RDWR)
