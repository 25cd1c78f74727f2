"""Real FHIR servers on loopback for the fetch tests: an https one (with a test CA the fetcher is told to trust), a
plain http one, one that accepts connections and says nothing, and one that answers one byte at a time.

Each records what it received (path and Authorization header), so a test can assert that a token never arrived.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from tempfile import mkdtemp
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


@dataclass(frozen=True)
class LoopbackCa:
    ca_pem: bytes
    cert_file: str
    key_file: str

    def client_context(self) -> ssl.SSLContext:
        """What the fetcher uses in these tests: the test CA only, hostname checked as in production."""
        context = ssl.create_default_context(cadata=self.ca_pem.decode())
        return context


@cache
def loopback_ca() -> LoopbackCa:
    """A CA and a server certificate for 127.0.0.1 and localhost, valid for a day (EC P-256: quick to make)."""
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "HypoMag test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                key_cert_sign=True,
                crl_sign=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    folder = Path(mkdtemp(prefix="hypomag-test-ca-"))
    cert_file, key_file = folder / "server.pem", folder / "server.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return LoopbackCa(ca.public_bytes(serialization.Encoding.PEM), str(cert_file), str(key_file))


@dataclass
class Received:
    """What a test server was sent: one (path, Authorization header) per request."""

    requests: list[tuple[str, str | None]] = field(default_factory=list)

    @property
    def tokens(self) -> list[str | None]:
        return [authorization for _, authorization in self.requests]


# (path) -> (status, headers, body as JSON or bytes)
Answer = Callable[[str], tuple[int, dict[str, str], Any]]


def _handler(answer: Answer, received: Received) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            received.requests.append((self.path, self.headers.get("Authorization")))
            status, headers, body = answer(self.path)
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            self.send_response(status)
            for name, value in {"Content-Type": "application/fhir+json", **headers}.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    return Handler


@contextmanager
def serve(answer: Answer, *, tls: bool) -> Iterator[tuple[str, Received]]:
    """A server on 127.0.0.1 (https with the test CA's certificate, or plain http); yields (base URL, received)."""
    received = Received()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(answer, received))
    if tls:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(loopback_ca().cert_file, loopback_ca().key_file)
        server.socket = context.wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"{'https' if tls else 'http'}://127.0.0.1:{server.server_address[1]}", received
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def silent_server() -> Iterator[str]:
    """Accepts TCP connections and never sends a byte (not even the TLS handshake): the slowest FHIR server."""
    listener = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join()
        for connection in held:
            connection.close()
        listener.close()


@contextmanager
def dripping_server(every: float = 0.2) -> Iterator[str]:
    """Completes the TLS handshake, then sends a never-ending header one byte every `every` seconds: no read ever
    waits long enough for a read timeout, so only an overall deadline ends it."""
    listener = socket.create_server(("127.0.0.1", 0))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(loopback_ca().cert_file, loopback_ca().key_file)
    stop = threading.Event()

    def drip(raw: socket.socket) -> None:
        try:
            with context.wrap_socket(raw, server_side=True) as connection:
                connection.recv(65536)
                connection.sendall(b"HTTP/1.1 200 OK\r\nX-Drip: ")
                while not stop.is_set():
                    connection.sendall(b"a")
                    time.sleep(every)
        except OSError:
            pass

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                raw = listener.accept()[0]
            except OSError:
                continue
            threading.Thread(target=drip, args=(raw,), daemon=True).start()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join()
        listener.close()
