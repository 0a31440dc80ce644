"""Transport policy: TLS is always verified, redirects are never followed, http only on loopback.

- The client passes nothing that would weaken TLS (no ``ssl=False``, no custom context): what
  the session verifies, it verifies. Against a console with a self-signed certificate, a
  default session (as Home Assistant's shared one) refuses the handshake and the client says
  ``MonogotoConnectionError``; the console never sees a request, so no password leaves.
- A redirect, to another host or the same, is an unexpected answer and is not followed: a 307
  on ``/Auth`` would otherwise carry the password to wherever ``Location`` points.
- ``http://`` is accepted only for loopback hosts, in every flow (``normalize_url``).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import ipaddress
from pathlib import Path
import re
from typing import Any

import aiohttp
from aiohttp import web
from hypothesis import given, strategies as st
import pytest

from custom_components.monogoto.api import (
    MonogotoClient,
    MonogotoConnectionError,
    MonogotoResponseError,
)
from custom_components.monogoto.config_flow import InvalidUrlError, normalize_url
from tests.network import CERTIFICATE, serve, tolerate_refused_handshakes
from tests.simulator import DEMO_PASSWORD, DEMO_USERNAME, Fault, MonogotoSimulator

PRODUCT = Path(__file__).parent.parent.parent / "custom_components" / "monogoto"


@pytest.fixture
async def trap(socket_enabled: None) -> AsyncIterator[tuple[str, list[str]]]:
    """Serve a host that records every request it gets; return its URL and the record."""
    hits: list[str] = []

    async def record(request: web.Request) -> web.Response:
        hits.append(f"{request.method} {request.path} {await request.text()}")
        return web.json_response({"token": "stolen", "CustomerId": "x"})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", record)
    async with serve(app) as server:
        yield str(server.make_url("")).rstrip("/"), hits


# -- TLS -----------------------------------------------------------------------------------


async def test_self_signed_console_is_refused(
    simulator: MonogotoSimulator, socket_enabled: None
) -> None:
    certificate = CERTIFICATE
    # The server's side of the refused handshake is not the client's error.
    with tolerate_refused_handshakes(asyncio.get_running_loop()):
        async with serve(
            simulator.create_app(), tls=certificate.server_context()
        ) as server:
            url = str(server.make_url("")).rstrip("/")
            assert url.startswith("https://127.0.0.1:")
            async with aiohttp.ClientSession() as session:  # defaults: verification on
                client = MonogotoClient(
                    session, DEMO_USERNAME, DEMO_PASSWORD, base_url=url
                )
                with pytest.raises(MonogotoConnectionError) as err:
                    await client.login()
            cause = err.value.__cause__
            assert isinstance(cause, aiohttp.ClientConnectorCertificateError)
            # The handshake failed: no request reached the console, no password left.
            assert not simulator.requests

            # The same console is fine for a session that trusts its certificate: the
            # refusal above was the verification, nothing else.
            connector = aiohttp.TCPConnector(ssl=certificate.client_context())
            async with aiohttp.ClientSession(connector=connector) as session:
                client = MonogotoClient(
                    session, DEMO_USERNAME, DEMO_PASSWORD, base_url=url
                )
                assert (await client.login()).customer_id == simulator.customer_id
        await asyncio.sleep(0)


async def test_client_never_weakens_tls(
    client: MonogotoClient, simulator: MonogotoSimulator
) -> None:
    """Every request leaves TLS to the session and redirects off, whatever the endpoint."""
    seen: list[dict[str, Any]] = []
    request = client._transport.session.request

    def spy(*args: Any, **kwargs: Any) -> Any:
        seen.append(kwargs)
        return request(*args, **kwargs)

    client._transport.session.request = spy  # type: ignore[method-assign]
    thing_id = simulator.thing_ids()[0]
    await client.list_things()
    await client.get_thing(thing_id)
    await client.get_thing_state(thing_id)
    await client.get_thing_statuses([thing_id])
    await client.search_events(thing_id)
    assert len(seen) == 7  # the login and the listing's page-size probe too
    for kwargs in seen:
        assert not {"ssl", "verify_ssl", "ssl_context", "fingerprint"} & set(kwargs)
        assert kwargs["allow_redirects"] is False


def test_no_tls_escape_hatch_in_the_product() -> None:
    """Nothing in the integration can switch verification off."""
    pattern = re.compile(
        r"ssl\s*=\s*False|verify_ssl|CERT_NONE|check_hostname|_create_unverified_context"
    )
    offenders = [
        str(path.relative_to(PRODUCT))
        for path in PRODUCT.rglob("*.py")
        if pattern.search(path.read_text())
    ]
    assert not offenders


# -- redirects -------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
@pytest.mark.parametrize("endpoint", ["auth", "things"])
async def test_redirects_are_not_followed(
    sim_url: str,
    simulator: MonogotoSimulator,
    trap: tuple[str, list[str]],
    status: int,
    endpoint: str,
) -> None:
    trap_url, hits = trap
    simulator.fail(
        endpoint, Fault(status=status, headers={"Location": f"{trap_url}/Auth"})
    )
    async with aiohttp.ClientSession() as session:
        client = MonogotoClient(session, DEMO_USERNAME, DEMO_PASSWORD, base_url=sim_url)
        with pytest.raises(MonogotoResponseError):
            await client.list_things()
    assert hits == []  # neither the password nor a token went to the other host


async def test_redirect_to_the_same_host_is_not_followed_either(
    client: MonogotoClient, simulator: MonogotoSimulator, sim_url: str
) -> None:
    simulator.fail("things", status=301, headers={"Location": f"{sim_url}/things"})
    with pytest.raises(MonogotoResponseError):
        await client.list_things()
    assert simulator.requests["things"] == 1


# -- http only for loopback ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://127.0.0.2:8099", "http://127.0.0.2:8099"),  # all of 127/8 is loopback
        ("HTTP://LOCALHOST:8099/", "http://localhost:8099"),
        ("http://[::ffff:127.0.0.1]:8099", "http://[::ffff:127.0.0.1]:8099"),
        ("https://10.0.0.5:8443", "https://10.0.0.5:8443"),  # https anywhere
        ("https://console.monogoto.io:443/", "https://console.monogoto.io"),
    ],
)
def test_normalize_url_more_accepted(url: str, expected: str) -> None:
    assert normalize_url(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        "http://localhost.evil.example:8099",  # a name that merely starts like localhost
        "http://127.0.0.1.nip.io",  # a name that resolves to loopback elsewhere
        "http://0.0.0.0:8099",  # "any address", not loopback
        "http://2130706433",  # 127.0.0.1 as a number: not accepted as loopback
        "http://0x7f000001",
        "http://[::]:8099",
        "http://10.0.0.5:8099",
        "http://[fe80::1]:8099",
        "http://localhost@console.monogoto.io",  # user info: the host is the other one
        "ws://127.0.0.1:8099",
        "ftp://127.0.0.1",
        "file:///etc/passwd",
        "javascript:alert(1)",
        "//console.monogoto.io",
        "console.monogoto.io",
        "https://console.monogoto.io/#x",
    ],
)
def test_normalize_url_more_rejected(url: str) -> None:
    with pytest.raises(InvalidUrlError):
        normalize_url(url)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    return ipaddress.ip_address(host.strip("[]")).is_loopback


@given(st.text(max_size=60))
def test_normalize_url_on_any_text(value: str) -> None:
    _check_url(value)


@given(
    st.builds(
        "{}://{}{}{}".format,
        st.sampled_from(["http", "https", "HTTP", "ws", ""]),
        st.sampled_from(
            [
                "127.0.0.1",
                "localhost",
                "[::1]",
                "10.0.0.1",
                "console.monogoto.io",
                "",
                "u@h",
            ]
        )
        | st.text(max_size=15),
        st.sampled_from(["", ":8099", ":0", ":99999", ":x"]),
        st.sampled_from(["", "/", "/x", "?a=1", "#f", "/a b"]),
    )
)
def test_normalize_url_on_url_shapes(value: str) -> None:
    _check_url(value)


def _check_url(value: str) -> None:
    """Return a URL or raise InvalidUrlError; http only ever with a loopback host."""
    try:
        url = normalize_url(value)
    except InvalidUrlError:
        return
    scheme, _, rest = url.partition("://")
    assert scheme in ("http", "https")
    assert "@" not in rest.split("/")[0]
    if scheme == "http":
        host = re.sub(r":\d+$", "", rest.split("/")[0])
        assert _is_loopback(host), url
