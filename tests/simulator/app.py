"""The simulator's aiohttp application and its state."""

from __future__ import annotations

import asyncio
import base64
from collections import Counter, deque
from collections.abc import Awaitable, Callable, Mapping, Sequence
import copy
from dataclasses import dataclass, field
import hashlib
import hmac
import itertools
import json
from pathlib import Path
import random
import time
from typing import Any

from aiohttp import web

from .push import handle_push_request
from .quirks import ANSWER_KINDS, Quirks
from .respell import respell_answer

#: The largest page ``GET /things`` serves: the console's documented cap (the client's
#: ``PAGE_SIZE`` asks for exactly this; the simulator stays free of the product's code).
MAX_LIMIT = 50
DEMO_USERNAME = "demo@example.com"
DEMO_PASSWORD = "demo-password"
DEMO_CUSTOMER_ID = "cid_00000000-0000-4000-8000-00000000c1d0"
THING_TEMPLATE = json.loads(
    (Path(__file__).parent.parent / "fixtures" / "thing.json").read_text()
)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

_NAMES = ("Tracker {n}", "Camera {n}", "Gateway {n}", "Holiday home router {n}", None)
# SIMs 1-6 cover every state, so small fleets in tests show all of them.
_STATES = (
    "ACTIVE",
    "SUSPENDED",
    "PROVISIONED",
    "ACTIVE",
    "TEST_ACTIVE",
    "RETIRED",
    "ACTIVE",
    "SUSPENDED",
    "ACTIVE",
    "ACTIVE",
    "ACTIVE",
)


#: Serving networks (MCC, MNC) the generated SIMs roam in, by index.
_NETWORKS = (("240", "07"), ("208", "01"), ("262", "01"), ("310", "410"), ("901", "99"))
#: The longest SMS the simulated console takes (it answers 400 beyond).
SMS_MAX_LENGTH = 1600


@dataclass
class Fault:
    """One scripted misbehaviour, served instead of the normal answer."""

    status: int = 500
    #: Text, or raw bytes (sent as they are, for fuzzing the client's decoding).
    body: str | bytes = "Internal Server Error"
    content_type: str = "text/plain"
    headers: dict[str, str] = field(default_factory=dict)
    #: Seconds to wait before answering (a stall past the client's timeout is a timeout).
    stall: float = 0.0
    #: Close the connection without an answer.
    disconnect: bool = False
    #: Answer normally (lets a test fault the second call, not the first).
    passthrough: bool = False
    #: Send the headers and half the body, then wait this long before the rest (a stall
    #: in the middle of the body, past the client's timeout, is a timeout too).
    body_stall: float = 0.0
    #: Called when the fault is served, before answering (with ``passthrough``: change the
    #: console between two calls, e.g. revoke tokens or remove a thing mid-listing).
    before: Callable[[], object] | None = None


def make_thing(
    index: int, state: str | None = None, *, seed: int = 0
) -> dict[str, Any]:
    """Build a thing object shaped like the real 2025 payload, with made-up identifiers."""
    rnd = random.Random(seed * 1_000_003 + index)
    thing = copy.deepcopy(THING_TEMPLATE)
    iccid = f"89999{index:014d}"
    imsi = f"99999{index:010d}"
    thing_id = f"ThingId_ICCID_{iccid}"
    name_pattern = _NAMES[index % len(_NAMES)]
    thing.update(
        ThingId=thing_id,
        ExternalUniqueId=iccid,
        ThingName=name_pattern.format(n=index) if name_pattern else f"ICCID {iccid}",
        State=state or _STATES[(index - 1) % len(_STATES)],
        IMEI=f"35{index:013d}",
        IMSI=imsi,
        ActiveMobileSubscriber=imsi,
        MSISDN=f"+99900{index:07d}",
        MnoName=("Orange", "Telia", "Vodafone", "T-Mobile")[index % 4],
        Last_DATA_Time=1_764_000_000_000 + rnd.randrange(0, 3_000_000_000),
        LastLocationUpdateTime=f"2026-11-{1 + index % 27:02d} {index % 24:02d}:{index % 60:02d}:07",
    )
    thing["ActualUsage"] = {
        "Alarm": 0,
        "Data_": rnd.randrange(0, 5_000_000_000),
        "MO_SMS_CDR_": rnd.randrange(0, 200),
        "Voice_": 0,
    }
    thing["IPs"][0]["IP"] = f"10.140.{index // 250 % 250}.{index % 250 + 1}"
    mcc, mnc = _NETWORKS[index % len(_NETWORKS)]
    thing["LastLocation"].update(IMSI=imsi, MCC=mcc, MNC=mnc, CellId=6200 + index)
    thing["CellId"] = 6200 + index
    subscriber = thing["MobileSubscribers"][0]
    subscriber.update(
        IMSI=imsi, LocationICCID=iccid, ThingId=thing_id, State=thing["State"]
    )
    for key in ("PIN1", "PIN2"):
        thing[key] = subscriber[key] = f"{rnd.randrange(10_000):04d}"
    for key in ("PUK1", "PUK2"):
        thing[key] = subscriber[key] = f"{rnd.randrange(100_000_000):08d}"
    return thing


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class MonogotoSimulator:
    """The simulated console: things, accounts, tokens, knobs and counters."""

    def __init__(
        self,
        things: int = 3,
        *,
        username: str = DEMO_USERNAME,
        password: str = DEMO_PASSWORD,
        customer_id: str = DEMO_CUSTOMER_ID,
        token_lifetime: float | None = 4 * 3600,
        quirks: Quirks | None = None,
        latency: float = 0.0,
        jitter: float = 0.0,
        seed: int = 0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """Create a console holding ``things`` generated SIMs.

        ``latency`` delays every answer; ``jitter`` adds a random delay of up to that many
        seconds per request, part of it *before* the request counts as arrived (the console
        stamps arrivals, ``request_log``), the rest before the answer.
        """
        self.username = username
        self.password = password
        self.customer_id = customer_id
        #: Lifetime of issued tokens in seconds; None issues tokens that never expire.
        self.token_lifetime = token_lifetime
        self.quirks = quirks if quirks is not None else Quirks()
        self.latency = latency
        self.jitter = jitter
        self._jitter_random = random.Random(seed)
        self.clock = clock
        self.things: dict[str, dict[str, Any]] = {}
        self.connection: dict[str, str] = {}
        self.requests: Counter[str] = Counter()
        #: ``(clock(), endpoint)`` of every counted request, in arrival order.
        self.request_log: list[tuple[float, str]] = []
        #: ``(clock(), endpoint, fault)`` of every fault served, scripted or random.
        self.faults_served: list[tuple[float, str, Fault]] = []
        #: Requests waiting in a stall, the latency or the jitter (so a time-travelling test or
        #: benchmark knows the server is idle, only waiting on its own timers).
        self.parked: list[web.Request] = []
        self._released = asyncio.Event()
        self._chaos: (
            tuple[float, random.Random, Mapping[str, Sequence[Fault]]] | None
        ) = None
        self.put_bodies: list[tuple[str, Any]] = []
        #: The body of every ``PUT /thing/update/`` received (the IMEI lock), in order.
        self.update_bodies: list[Any] = []
        self._cas_serial = itertools.count(1)
        #: ``(thing_id, body)`` of every SMS, ping and connection reset received, in order.
        self.sms_bodies: list[tuple[str, Any]] = []
        self.ping_bodies: list[tuple[str, Any]] = []
        self.resets: list[str] = []
        #: When each SIM last attached (a reset re-attaches it).
        self.attached_at: dict[str, float] = {}
        #: Round-trip time of the simulated ping answers, in milliseconds.
        self.ping_rtt_ms = 48.0
        self._faults: dict[str, deque[Fault]] = {}
        self._respell_counts: Counter[str] = Counter()
        self._tokens: dict[str, float | None] = {}
        #: Every token ever issued (revoked ones included), for secret-hygiene tests.
        self.issued_tokens: list[str] = []
        self._token_serial = itertools.count(1)
        self._secret = b"simulator-secret"
        self.seed = seed
        for index in range(1, things + 1):
            self.add_thing(make_thing(index, seed=seed))

    # -- knobs used by tests -----------------------------------------------------------------

    def add_thing(self, thing: dict[str, Any]) -> str:
        """Add (or replace) a thing object; return its id."""
        thing_id: str = thing["ThingId"]
        self.things[thing_id] = thing
        self.connection.setdefault(
            thing_id, "CONNECTED" if thing.get("State") == "ACTIVE" else "DISCONNECTED"
        )
        return thing_id

    def remove_thing(self, thing_id: str) -> None:
        """Make a thing leave the account."""
        self.things.pop(thing_id, None)
        self.connection.pop(thing_id, None)

    def set_state(self, thing_id: str, state: str) -> None:
        """Change a thing's state as if it happened in the console."""
        self.things[thing_id]["State"] = state

    def touch(self, thing_id: str) -> str:
        """Change a thing's ``cas`` as any edit in the console would; return the new one."""
        cas = f"17399560307130{next(self._cas_serial):05d}"
        self.things[thing_id]["cas"] = cas
        return cas

    def swap_device(self, thing_id: str, imei: str | None) -> None:
        """Move the SIM to another device (None: the console no longer knows its IMEI)."""
        self.things[thing_id]["IMEI"] = imei
        self.touch(thing_id)

    def locate(
        self,
        thing_id: str,
        latitude: float | None,
        longitude: float | None,
        accuracy_km: float = 1.5,
    ) -> None:
        """Give a SIM coordinates in ``LastLocation`` (None: take them away again)."""
        location = self.things[thing_id]["LastLocation"]
        if latitude is None or longitude is None:
            location.pop("Latitude", None)
            location.pop("Longitude", None)
            return
        location.update(
            Latitude=latitude,
            Longitude=longitude,
            AccuracyInKM=accuracy_km,
            Timestamp=int(self.clock() * 1000),
        )

    def roam(self, thing_id: str, mcc: str, mnc: str, cell_id: int) -> None:
        """Move a SIM to another serving network and cell."""
        self.things[thing_id]["LastLocation"].update(MCC=mcc, MNC=mnc, CellId=cell_id)
        self.things[thing_id]["CellId"] = cell_id

    def thing_ids(self) -> list[str]:
        """Return the ids in listing order."""
        return list(self.things)

    def fail(
        self,
        endpoint: str,
        fault: Fault | None = None,
        *,
        times: int = 1,
        **kwargs: Any,
    ) -> None:
        """Serve ``fault`` (or ``Fault(**kwargs)``) for the next ``times`` calls of ``endpoint``.

        Endpoints: auth, things, thing, thing_update, state_get, state_put, status, search_cdr, sms, ping,
        refresh_connection, or ``*`` for any.
        """
        self._faults.setdefault(endpoint, deque()).extend(
            [fault or Fault(**kwargs)] * times
        )

    def clear_faults(self) -> None:
        """Drop every queued fault."""
        self._faults.clear()

    def chaos(
        self,
        rate: float,
        faults: Sequence[Fault] | Mapping[str, Sequence[Fault]],
        *,
        seed: int = 0,
    ) -> None:
        """Serve one of ``faults`` (seeded random choice) instead of ``rate`` of all answers.

        ``faults`` may map endpoints (``*`` for the others) to their own choices. Queued
        faults (``fail``) still come first; ``chaos(0, [])`` turns it off.
        """
        choices = faults if isinstance(faults, Mapping) else {"*": faults}
        self._chaos = (rate, random.Random(seed), choices) if rate and faults else None

    def parked_live(self) -> int:
        """Return how many stalled requests still have a client waiting for them."""
        return sum(
            1
            for request in self.parked
            if request.transport is not None and not request.transport.is_closing()
        )

    def release_stalls(self) -> None:
        """End every stall now and skip future ones (lets a test's server shut down)."""
        self._released.set()

    def revoke_tokens(self) -> None:
        """Invalidate every issued token (as a password change or server restart would)."""
        self._tokens.clear()

    def issue_token(self) -> str:
        """Issue a JWT as ``/Auth`` would; its ``exp`` follows ``token_lifetime``."""
        now = self.clock()
        claims: dict[str, Any] = {
            "CustomerId": self.customer_id,
            "UserId": "UserId_00000000-0000-4000-8000-000000000003",
            "Role": "UserProfileId_00000000-0000-4000-8000-000000000009",
            "iat": int(now),
            "jti": next(self._token_serial),
        }
        expires = None if self.token_lifetime is None else now + self.token_lifetime
        if self.quirks.token_kind == "opaque":
            token = hashlib.sha256(
                self._secret + str(next(self._token_serial)).encode()
            ).hexdigest()
            self._tokens[token] = expires
            self.issued_tokens.append(token)
            return token
        if expires is not None and self.quirks.exp_claim:
            claims["exp"] = int(expires)
        header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
        payload = _b64(json.dumps(claims).encode())
        signature = _b64(
            hmac.new(
                self._secret, f"{header}.{payload}".encode(), hashlib.sha256
            ).digest()
        )
        token = f"{header}.{payload}.{signature}"
        self._tokens[token] = expires
        self.issued_tokens.append(token)
        return token

    # -- the application ---------------------------------------------------------------------

    def create_app(self) -> web.Application:
        """Build the aiohttp application serving this console."""
        app = web.Application(middlewares=[self._middleware])
        add = app.router.add_route
        add("POST", "/Auth", self._auth, name="auth")
        add("GET", "/things", self._things, name="things")
        add("GET", "/thing/status", self._status, name="status")
        add("GET", "/thing/status/", self._status)
        add("POST", "/thing/searchCDR", self._search_cdr, name="search_cdr")
        add("GET", "/thing/{thing_id:[^/]+}/state", self._get_state, name="state_get")
        add("GET", "/thing/{thing_id:[^/]+}/state/", self._get_state)
        add("PUT", "/thing/update/", self._update_thing, name="thing_update")
        add("PUT", "/thing/update", self._update_thing)
        add("PUT", "/thing/{thing_id:[^/]+}/state/", self._put_state, name="state_put")
        add("PUT", "/thing/{thing_id:[^/]+}/state", self._put_state)
        add("POST", "/thing/{thing_id:[^/]+}/sms", self._sms, name="sms")
        add("POST", "/thing/{thing_id:[^/]+}/ping", self._ping, name="ping")
        add(
            "GET",
            "/thing/{thing_id:[^/]+}/refreshConnection",
            self._refresh_connection,
            name="refresh_connection",
        )
        add("GET", "/thing/{thing_id:[^/]+}", self._thing, name="thing")
        add("GET", "/_sim/stats", self._sim_stats)
        add("POST", "/_sim/things/{thing_id:[^/]+}/state", self._sim_set_state)
        add("POST", "/_sim/push", self._sim_push)
        return app

    def _endpoint(self, request: web.Request) -> str:
        route = request.match_info.route
        name = route.name
        if name is None and route.resource is not None:
            # Trailing-slash twins share the counter of their named sibling.
            canonical = route.resource.canonical.rstrip("/")
            for other in request.app.router.routes():
                if (
                    other.name
                    and other.method == request.method
                    and other.resource is not None
                    and other.resource.canonical.rstrip("/") == canonical
                ):
                    return other.name
        return name or "other"

    @web.middleware
    async def _middleware(
        self, request: web.Request, handler: Handler
    ) -> web.StreamResponse:
        if request.path.startswith("/_sim/"):
            return await handler(request)
        endpoint = self._endpoint(request)
        after = self.latency
        if self.jitter:
            total = self._jitter_random.uniform(0, self.jitter)
            before = self._jitter_random.uniform(0, total)
            after += total - before
            await self._park(request, before)
        self.requests[endpoint] += 1
        self.request_log.append((self.clock(), endpoint))
        if after:
            await self._park(request, after)
        fault = self._next_fault(endpoint)
        if fault is not None:
            self.faults_served.append((self.clock(), endpoint, fault))
            if fault.before is not None:
                fault.before()
            if not fault.passthrough:
                return await self._serve_fault(request, fault)
        if endpoint != "auth" and not self._token_ok(request):
            return self._error(self.quirks.expired_token_status, "Unauthorized")
        if endpoint in self.quirks.refuses:
            return self._error(403, "Access denied: permission required")
        return self._respelled(endpoint, request, await handler(request))

    def _respelled(
        self, endpoint: str, request: web.Request, response: web.StreamResponse
    ) -> web.StreamResponse:
        """Re-spell a successful answer when the quirks ask for it (``Quirks.respell``).

        Each answer draws its own choices from the seed, the request and how often that request
        came, so concurrent requests do not change each other's spelling.
        """
        kind = ANSWER_KINDS.get(endpoint)
        if (
            endpoint not in self.quirks.respell
            or kind is None
            or not isinstance(response, web.Response)
            or not 200 <= response.status < 300
            or response.text is None
        ):
            return response
        if kind == "json" and response.content_type != "application/json":
            return response  # a login rejection in text is not an answer to re-spell
        asked = f"{request.method} {request.path_qs}"
        self._respell_counts[asked] += 1
        rnd = random.Random(f"{self.seed}:{asked}:{self._respell_counts[asked]}")
        return web.Response(
            status=response.status,
            text=respell_answer(kind, response.text, rnd),
            content_type=response.content_type,
        )

    def _error(self, status: int, message: str) -> web.Response:
        """Answer an error in the console's error-body style (``Quirks.error_bodies``)."""
        if self.quirks.error_bodies == "json":
            return web.json_response(
                {
                    "status_code": status,
                    "message": message,
                    "request_id": f"req-{next(self._token_serial)}",
                },
                status=status,
            )
        return web.Response(status=status, text=message)

    def _next_fault(self, endpoint: str) -> Fault | None:
        for key in (endpoint, "*"):
            queue = self._faults.get(key)
            if queue:
                return queue.popleft()
        if self._chaos is not None:
            rate, rnd, choices = self._chaos
            faults = choices.get(endpoint, choices.get("*", ()))
            if faults and rnd.random() < rate:
                return rnd.choice(faults)
        return None

    async def _park(self, request: web.Request, seconds: float) -> None:
        """Wait ``seconds`` (or until ``release_stalls``), counted as parked meanwhile.

        Latency and jitter wait here too: simulated time (``tests/timetravel.py``) may then jump
        over them, as over a stall.
        """
        self.parked.append(request)
        try:
            async with asyncio.timeout(seconds):
                await self._released.wait()
        except TimeoutError:
            pass
        finally:
            self.parked.remove(request)

    async def _serve_fault(
        self, request: web.Request, fault: Fault
    ) -> web.StreamResponse:
        if fault.stall:
            await self._park(request, fault.stall)
        if fault.disconnect:
            assert request.transport is not None
            request.transport.close()
            raise asyncio.CancelledError
        body = fault.body.encode() if isinstance(fault.body, str) else fault.body
        if fault.body_stall:
            response = web.StreamResponse(status=fault.status, headers=fault.headers)
            response.content_type = fault.content_type
            response.content_length = len(body)
            await response.prepare(request)
            await response.write(body[: len(body) // 2])
            await self._park(request, fault.body_stall)
            await response.write(body[len(body) // 2 :])
            await response.write_eof()
            return response
        if isinstance(fault.body, bytes):
            return web.Response(
                status=fault.status,
                body=body,
                content_type=fault.content_type,
                headers=fault.headers,
            )
        return web.Response(
            status=fault.status,
            text=fault.body,
            content_type=fault.content_type,
            headers=fault.headers,
        )

    def _token_ok(self, request: web.Request) -> bool:
        auth = request.headers.get("Authorization", "")
        if not auth.startswith("Bearer "):
            return False
        token = auth.removeprefix("Bearer ")
        if token not in self._tokens:
            return False
        expires = self._tokens[token]
        return expires is None or self.clock() < expires

    def _find(self, request: web.Request) -> dict[str, Any] | None:
        return self.things.get(request.match_info["thing_id"])

    async def _auth(self, request: web.Request) -> web.Response:
        try:
            body = await request.json()
        except ValueError:
            return self._error(400, "Invalid Input Data")
        if not isinstance(body, dict) or (
            body.get("UserName"),
            body.get("Password"),
        ) != (
            self.username,
            self.password,
        ):
            return self._login_rejected()
        return web.json_response(
            {
                "token": self.issue_token(),
                "refreshToken": _b64(
                    b"refresh-" + str(next(self._token_serial)).encode()
                ),
                "CustomerId": self.customer_id,
                "UserId": "UserId_00000000-0000-4000-8000-000000000003",
                "UserName": self.username,
                "Role": "UserProfileId_00000000-0000-4000-8000-000000000009",
                "Realm": "customer",
                "OrganizationId": "OrganizationId_00000000-0000-4000-8000-000000000007",
                "AccountSettings": {"TwoFactorAuthentication": False},
                "ThingsGroupIds": [],
                "UserProfile": {
                    "Name": "Customer Admin",
                    "Realm": "customer",
                    "Type": "USER_PROFILE",
                },
            }
        )

    def _login_rejected(self) -> web.Response:
        status, form = self.quirks.login_rejection.split(" ")
        if form == "json":
            return web.json_response(
                {"Success": False, "Message": "Access denied"}, status=int(status)
            )
        return web.Response(status=int(status), text="Access denied")

    def _shaped(self, thing: dict[str, Any]) -> dict[str, Any]:
        """Return a thing object as this console spells it."""
        if not self.quirks.address_as_ipv4:
            return thing
        shaped = {k: v for k, v in thing.items() if k != "IPs"}
        shaped["IPv4"] = thing["IPs"][0]["IP"] if thing.get("IPs") else None
        return shaped

    def _listing_item(self, thing: dict[str, Any]) -> dict[str, Any]:
        omit = set(self.quirks.listing_omits)
        if not self.quirks.listing_includes_state:
            omit.add("State")
        shaped = self._shaped(thing)
        return {k: v for k, v in shaped.items() if k not in omit} if omit else shaped

    async def _things(self, request: web.Request) -> web.Response:
        try:
            limit = int(request.query.get("limit", str(MAX_LIMIT)))
            offset = int(request.query.get("offset", "0"))
        except ValueError:
            return self._error(400, "Invalid Input Data")
        if limit > MAX_LIMIT or limit < 1 or offset < 0:
            return self._error(400, f"limit must be between 1 and {MAX_LIMIT}")
        quirks = self.quirks
        limit = quirks.own_page_size or limit
        if quirks.listing_ignores_offset:
            offset = 0
        things = list(self.things.values())
        page = (
            things if quirks.listing_ignores_limit else things[offset : offset + limit]
        )
        return web.json_response([self._listing_item(thing) for thing in page])

    async def _thing(self, request: web.Request) -> web.Response:
        thing = self._find(request)
        if thing is None:
            return self._error(404, "Not found")
        return web.json_response(self._shaped(thing))

    async def _get_state(self, request: web.Request) -> web.Response:
        thing = self._find(request)
        if thing is None:
            return self._error(404, "Not found")
        state = thing["State"]
        text = {
            "plain": state,
            "quoted": json.dumps(state),
            "braced": f"{{\n    {state}\n}}",
        }[self.quirks.state_body]
        return web.Response(text=text, content_type="application/json")

    async def _put_state(self, request: web.Request) -> web.Response:
        thing = self._find(request)
        try:
            body = await request.json()
        except ValueError:
            body = None
        self.put_bodies.append((request.match_info["thing_id"], body))
        if thing is None:
            return self._error(404, "Not found")
        if not isinstance(body, dict) or body.get("state") not in (
            "ACTIVE",
            "SUSPENDED",
        ):
            return self._error(400, "Invalid Input Data")
        self.set_state(thing["ThingId"], body["state"])
        answer = "Thing state updated successfully."
        if self.quirks.write_answer == "json string":
            return web.json_response(answer)
        return web.Response(text=answer)

    async def _update_thing(self, request: web.Request) -> web.Response:
        """``PUT /thing/update/``: the IMEI lock, guarded by the thing's ``cas``."""
        try:
            body = await request.json()
        except ValueError:
            body = None
        self.update_bodies.append(body)
        path = body.get("ThingId") if isinstance(body, dict) else None
        if not isinstance(body, dict) or not isinstance(path, str):
            return self._error(400, "Invalid Input Data")
        thing = self.things.get(path.removeprefix("/thing/"))
        if thing is None or not path.startswith("/thing/"):
            return self._error(404, "Not found")
        lock, master = body.get("LockMasterImei"), body.get("MasterIMEI")
        if not isinstance(lock, bool) or not (
            master is None or isinstance(master, str)
        ):
            return self._error(400, "Invalid Input Data")
        if body.get("cas") != thing["cas"]:
            return self._error(self.quirks.stale_cas_status, "cas mismatch")
        thing.update(LockMasterImei=lock, MasterIMEI=master)
        self.touch(thing["ThingId"])
        answer = "{ Thing undefined successfully saved. }"
        if self.quirks.write_answer == "json string":
            return web.json_response(answer.strip("{} "))
        return web.Response(text=answer)

    async def _status(self, request: web.Request) -> web.Response:
        ids = [tid for tid in request.query.get("ThingIds", "").split(",") if tid]
        if not ids:
            if not self.quirks.status_listing_form:
                return self._error(400, "Invalid Input Data")
            try:
                limit = min(int(request.query.get("limit", str(MAX_LIMIT))), MAX_LIMIT)
                offset = int(request.query.get("offset", "0"))
            except ValueError:
                return self._error(400, "Invalid Input Data")
            ids = list(self.things)[offset : offset + limit]
        elif self.quirks.status_answers_first_id_only:
            ids = ids[:1]
        # A SIM without a connection record (``del connection[id]``) has no status at all.
        data = [
            self._status_item(tid)
            for tid in ids
            if tid in self.things and tid in self.connection
        ]
        return web.json_response(
            {"Success": True, "Message": "Operation succeeded", "Data": data}
        )

    def _status_item(self, thing_id: str) -> dict[str, Any]:
        thing = self.things[thing_id]
        connected = self.connection.get(thing_id) == "CONNECTED"
        return {
            "ThingId": thing_id,
            "CustomerId": self.customer_id,
            "ThingName": thing["ThingName"],
            "ProvisionStatus": thing["State"],
            "ConnectionStatus": self.connection[thing_id],
            "ActiveSessions": [],
            "ActiveIMSI": thing["IMSI"],
            "LastConnectionTime": (
                time.strftime(
                    "%Y-%m-%d %H:%M:%S", time.gmtime(self.attached_at[thing_id])
                )
                if thing_id in self.attached_at
                else "2026-11-20 08:00:00"
            )
            if connected
            else None,
            "LastDisconnectionTime": None,
            "MSISDN": thing["MSISDN"],
        }

    async def _search_cdr(self, request: web.Request) -> web.Response:
        if request.headers.get("apikey") != self.customer_id:
            return self._error(401, "Unauthorized")
        try:
            body = await request.json()
        except ValueError:
            return self._error(400, "Invalid Input Data")
        thing_id = body.get("ThingIdELK") if isinstance(body, dict) else None
        if thing_id not in self.things:
            return web.json_response({"totalResults": 0, "hits": []})
        hits = [
            {
                "_source": {
                    "EsDataType": kind,
                    "MessageType": "CDR",
                    "Severity": "Info",
                    "Timestamp": 1_764_000_000_000 + n * 60_000,
                    "message": f"{kind} event {n}",
                    "ThingId": thing_id,
                }
            }
            for n, kind in enumerate(("DATA", "MT_SMS", "DATA"))
        ]
        return web.json_response({"totalResults": len(hits), "hits": hits})

    async def _sms(self, request: web.Request) -> web.Response:
        thing = self._find(request)
        try:
            body = await request.json()
        except ValueError:
            body = None
        self.sms_bodies.append((request.match_info["thing_id"], body))
        if thing is None:
            return self._error(404, "Not found")
        message = body.get("Message") if isinstance(body, dict) else None
        if not isinstance(message, str) or not message or len(message) > SMS_MAX_LENGTH:
            return self._error(400, "Invalid Input Data")
        sms_id = f"{thing['ThingId']}_{int(self.clock() * 1000)}_0.{len(self.sms_bodies):016d}"
        return web.Response(text=sms_id)

    async def _ping(self, request: web.Request) -> web.Response:
        if request.headers.get("apikey") != self.customer_id:
            return self._error(401, "Unauthorized")
        thing = self._find(request)
        try:
            body = await request.json()
        except ValueError:
            body = None
        self.ping_bodies.append((request.match_info["thing_id"], body))
        if thing is None:
            return self._error(404, "Not found")
        address = body.get("IPAddress") if isinstance(body, dict) else None
        if not isinstance(address, str) or not address:
            return self._error(400, "Invalid Input Data")
        ips = [entry.get("IP") for entry in thing.get("IPs") or []]
        answers = (
            self.connection.get(thing["ThingId"]) == "CONNECTED" and address in ips
        )
        probes = [
            {
                "host": address,
                "size": 32,
                "ttl": 64 if answers else None,
                "time": self.ping_rtt_ms + n if answers else None,
                "sent": 4,
                "received": 4 if answers else 0,
                "packetLoss": "0%" if answers else "100%",
            }
            for n in range(4)
        ]
        return web.json_response(probes)

    async def _refresh_connection(self, request: web.Request) -> web.Response:
        thing = self._find(request)
        self.resets.append(request.match_info["thing_id"])
        if thing is None:
            return self._error(404, "Not found")
        if thing.get("State") == "ACTIVE":
            # The SIM detaches and attaches anew: online again, with a new connection time.
            self.connection[thing["ThingId"]] = "CONNECTED"
            self.attached_at[thing["ThingId"]] = self.clock()
        return web.json_response({"Success": True, "Message": "Operation succeeded"})

    async def _sim_stats(self, request: web.Request) -> web.Response:
        return web.json_response(
            {
                "requests": dict(self.requests),
                "puts": [
                    {"thing_id": tid, "body": body} for tid, body in self.put_bodies
                ],
                "sms": [
                    {"thing_id": tid, "body": body} for tid, body in self.sms_bodies
                ],
                "pings": [
                    {"thing_id": tid, "body": body} for tid, body in self.ping_bodies
                ],
                "resets": self.resets,
                "updates": self.update_bodies,
                "states": {tid: thing["State"] for tid, thing in self.things.items()},
            }
        )

    async def _sim_push(self, request: web.Request) -> web.Response:
        """Push a SIM's events to Home Assistant's webhook, as the Monogoto Hub would."""
        return await handle_push_request(self.things, request)

    async def _sim_set_state(self, request: web.Request) -> web.Response:
        thing_id = request.match_info["thing_id"]
        if thing_id not in self.things:
            return self._error(404, "Not found")
        self.set_state(thing_id, (await request.text()).strip())
        return web.Response(text="ok")
