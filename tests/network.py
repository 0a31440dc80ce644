"""Network faults that need more than the simulator: a self-signed TLS server and failing DNS.

Everything stays on 127.0.0.1. The certificate is made on the fly with ``cryptography`` (which
Home Assistant already depends on); the resolver stands in for the system's and raises the
error ``getaddrinfo`` raises for an unknown name, which aiohttp turns into
``ClientConnectorDNSError`` exactly as it does for a real lookup.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
import contextlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
import ipaddress
import socket
import ssl
import tempfile
from typing import Any

from aiohttp import web
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.test_utils import TestServer
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


@dataclass(frozen=True)
class Certificate:
    """A self-signed certificate for 127.0.0.1 and ``localhost``, as PEM."""

    cert_pem: bytes
    key_pem: bytes

    def server_context(self) -> ssl.SSLContext:
        """Return a server-side TLS context presenting this certificate."""
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        with tempfile.NamedTemporaryFile(suffix=".pem") as file:
            file.write(self.cert_pem + self.key_pem)
            file.flush()
            context.load_cert_chain(file.name)
        return context

    def client_context(self) -> ssl.SSLContext:
        """Return a verifying client context that trusts this one certificate."""
        context = ssl.create_default_context(cadata=self.cert_pem.decode())
        context.check_hostname = True
        return context


def self_signed_certificate(common_name: str = "Monogoto test console") -> Certificate:
    """Make a fresh self-signed certificate (a P-256 key, valid for a day)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [
                    x509.DNSName("localhost"),
                    x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                ]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    return Certificate(
        cert_pem=cert.public_bytes(serialization.Encoding.PEM),
        key_pem=key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
    )


#: Made once, at import: ``cryptography`` remembers the ``datetime`` class it first sees, and
#: inside a frozen-time test that is freezegun's stand-in, which real datetimes then fail.
CERTIFICATE = self_signed_certificate()


@contextlib.asynccontextmanager
async def serve(
    app: web.Application, *, tls: ssl.SSLContext | None = None
) -> AsyncIterator[TestServer]:
    """Serve ``app`` on 127.0.0.1 (over TLS with ``tls``), without an access log."""
    server = TestServer(app, host="127.0.0.1")
    await server.start_server(ssl=tls, access_log=None)
    try:
        yield server
    finally:
        await server.close()


class SwitchableResolver(AbstractResolver):
    """Resolves every name to 127.0.0.1, or fails like an unknown name when ``failing``."""

    def __init__(self) -> None:
        """Start resolving."""
        self.failing = False
        self.lookups = 0

    async def resolve(
        self, host: str, port: int = 0, family: Any = socket.AF_INET
    ) -> list[ResolveResult]:
        """Return 127.0.0.1, or raise what ``getaddrinfo`` raises for an unknown name."""
        self.lookups += 1
        if self.failing:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [
            ResolveResult(
                hostname=host,
                host="127.0.0.1",
                port=port,
                family=socket.AF_INET,
                proto=0,
                flags=socket.AI_NUMERICHOST,
            )
        ]

    async def close(self) -> None:
        """Nothing to release."""


#: What asyncio reports (in debug mode, as the test loop runs) when a TLS client refuses the
#: server's certificate: the *server's* side of the refusal, not an error of the client.
REFUSED_HANDSHAKE = "Error on transport creation for incoming connection"


@contextlib.contextmanager
def tolerate_refused_handshakes(loop: asyncio.AbstractEventLoop) -> Iterator[None]:
    """Keep the test TLS server's reports of refused handshakes out of the loop's handler.

    Home Assistant's test harness fails a test on anything reaching the exception handler;
    everything else still does.
    """
    handler = loop.get_exception_handler()

    def ignore_refused_handshakes(
        loop: asyncio.AbstractEventLoop, context: dict[str, Any]
    ) -> None:
        if context.get("message") == REFUSED_HANDSHAKE:
            return
        if handler is None:
            loop.default_exception_handler(context)
        else:
            handler(loop, context)

    loop.set_exception_handler(ignore_refused_handshakes)
    try:
        yield
    finally:
        loop.set_exception_handler(handler)
