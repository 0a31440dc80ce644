"""Simulated time for integration tests that wait on timers *during* a request.

``tests.helpers.next_poll`` jumps five minutes and then waits for the poll to finish. That is
enough while no request waits on a timer; it hangs when one does, because Home Assistant's
``freezer`` freezes the event loop's clock too: a stalled console, the client's 30 s timeout,
the request budget's pauses and Home Assistant's own set-up retries only move when the test
moves time. ``SimulatedTime`` moves it like a discrete-event simulation: let every socket and
callback settle, then jump straight to the next scheduled timer, and repeat, so 24 hours take
as long as the work done in them.

"Settled" is decided, not guessed: the client's session is wrapped to count the HTTP exchanges
in flight (``TrackedSession``), and the simulator counts the requests it holds in a stall
(``MonogotoSimulator.parked_live``). Time may move only when every exchange in flight is one the
simulator is deliberately holding, and no callback is ready to run.

The client's own clocks (token expiry, request budget) are bound at import and would keep real
time; ``simulated_client`` gives each client created by the integration clocks that follow the
frozen time, and a tracked session.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
import contextlib
import time
from types import TracebackType
from typing import Any, TypeVar
from unittest.mock import patch

import aiohttp
from freezegun.api import FrozenDateTimeFactory
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.monogoto.api import MonogotoClient
from homeassistant.core import HomeAssistant
from homeassistant.util.async_ import get_scheduled_timer_handles

from .simulator import MonogotoSimulator

_T = TypeVar("_T")


class TrackedSession:
    """An aiohttp session stand-in that counts the requests in flight (body read included)."""

    def __init__(self, session: aiohttp.ClientSession) -> None:
        """Wrap ``session``."""
        self.session = session
        self.in_flight = 0
        #: Loop time of every request started through this session.
        self.sent_at: list[float] = []

    def request(self, *args: Any, **kwargs: Any) -> _TrackedRequest:
        """Start a request exactly as ``aiohttp.ClientSession.request`` would."""
        return _TrackedRequest(self, self.session.request(*args, **kwargs))

    def __getattr__(self, name: str) -> Any:
        """Pass everything else to the session."""
        return getattr(self.session, name)


class _TrackedRequest:
    def __init__(self, owner: TrackedSession, manager: Any) -> None:
        self._owner = owner
        self._manager = manager

    async def __aenter__(self) -> aiohttp.ClientResponse:
        self._owner.in_flight += 1
        self._owner.sent_at.append(asyncio.get_running_loop().time())
        try:
            response: aiohttp.ClientResponse = await self._manager.__aenter__()
        except BaseException:
            self._owner.in_flight -= 1
            raise
        return response

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            await self._manager.__aexit__(exc_type, exc, tb)
        finally:
            self._owner.in_flight -= 1


class ClientFactory:
    """Creates the integration's clients with simulated clocks and a tracked session."""

    def __init__(self) -> None:
        """Start with no client made."""
        self.clients: list[MonogotoClient] = []
        self.sessions: list[TrackedSession] = []
        #: When set, clients use this session instead of Home Assistant's shared one.
        self.session_override: aiohttp.ClientSession | None = None

    @property
    def in_flight(self) -> int:
        """Return the requests in flight over every client made."""
        return sum(session.in_flight for session in self.sessions)

    @property
    def sent_at(self) -> list[float]:
        """Return the loop time of every request any client started, in order."""
        return sorted(t for session in self.sessions for t in session.sent_at)

    @property
    def sent(self) -> int:
        """Return how many requests the clients started (attempts, whatever became of them)."""
        return sum(len(session.sent_at) for session in self.sessions)

    @property
    def client(self) -> MonogotoClient:
        """Return the latest client (the one of the loaded entry)."""
        return self.clients[-1]

    def __call__(
        self, session: aiohttp.ClientSession, *args: Any, **kwargs: Any
    ) -> MonogotoClient:
        """Build a client as ``async_setup_entry`` asks, then make its clocks simulated."""
        tracked = TrackedSession(self.session_override or session)
        self.sessions.append(tracked)
        client = MonogotoClient(tracked, *args, **kwargs)  # type: ignore[arg-type]
        use_simulated_clocks(client)
        self.clients.append(client)
        return client


# Looked up at call time, so they read the frozen clock while time is frozen.
def _wall() -> float:
    return time.time()


def _monotonic() -> float:
    return time.monotonic()


def use_simulated_clocks(client: MonogotoClient) -> None:
    """Point a client's clocks (token expiry, request budgets) at the frozen time.

    The defaults are ``time.time``/``time.monotonic`` bound at import, which freezegun does not
    reach. Only the clocks change; limits and windows stay the production defaults.
    """
    for budget in (client.budget, client._transport.login_budget):
        assert hasattr(budget, "_clock"), "RequestBudget no longer has _clock"
        budget._clock = _monotonic
    assert hasattr(client, "_clock"), "MonogotoClient no longer has _clock"
    client._clock = _wall


@contextlib.contextmanager
def simulated_client() -> Iterator[ClientFactory]:
    """Make ``async_setup_entry`` build its client with ``ClientFactory``."""
    factory = ClientFactory()
    with patch("custom_components.monogoto.MonogotoClient", factory):
        yield factory


class SimulatedTime:
    """Moves the frozen clock from event to event while the integration works."""

    #: Real seconds to wait for loopback I/O when something is in flight.
    REAL_PAUSE = 0.0005

    def __init__(
        self,
        hass: HomeAssistant,
        freezer: FrozenDateTimeFactory,
        simulator: MonogotoSimulator,
        clients: ClientFactory,
    ) -> None:
        """Drive ``hass``'s loop; ``simulator`` and ``clients`` tell when the wire is quiet."""
        self.hass = hass
        self.freezer = freezer
        self.simulator = simulator
        self.clients = clients
        self.jumps = 0
        #: Executor jobs (imports, file I/O) not finished yet: real work, not a timer.
        self.executor_jobs = 0
        loop = hass.loop
        self._run_in_executor = loop.run_in_executor

        def run_in_executor(
            executor: Any, func: Any, *args: Any
        ) -> asyncio.Future[Any]:
            future = self._run_in_executor(executor, func, *args)
            self.executor_jobs += 1
            future.add_done_callback(self._executor_job_done)
            return future

        loop.run_in_executor = run_in_executor  # type: ignore[method-assign]

    def _executor_job_done(self, _future: asyncio.Future[Any]) -> None:
        self.executor_jobs -= 1

    def close(self) -> None:
        """Give the loop its own ``run_in_executor`` back."""
        del self.hass.loop.run_in_executor  # type: ignore[attr-defined]

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        """Return Home Assistant's loop."""
        return self.hass.loop

    def now(self) -> float:
        """Return the loop's (frozen) time."""
        return self.loop.time()

    def _quiet(self) -> bool:
        return (
            self.executor_jobs == 0
            and self.clients.in_flight <= self.simulator.parked_live()
        )

    async def settle(self) -> None:
        """Run every ready callback and let loopback I/O finish, without moving time."""
        ready: Any = getattr(self.loop, "_ready", ())
        confirmed = False
        for _ in range(100_000):
            await asyncio.sleep(0)
            if ready:
                continue
            if self._quiet():
                await asyncio.sleep(0)  # one more select() round for late I/O events
                if ready or not self._quiet():
                    continue
                if not self.simulator.parked or confirmed:
                    return
                # A stalled request may belong to a client that has just given up (its
                # close not yet seen by the server): look once more after a real pause.
                confirmed = True
            await self._run_in_executor(None, time.sleep, self.REAL_PAUSE)
        raise AssertionError("the event loop never settled")

    def _next_timer(self) -> float | None:
        whens = [
            handle.when()
            for handle in get_scheduled_timer_handles(self.loop)
            if not handle.cancelled()
        ]
        return min(whens, default=None)

    async def _jump_to(self, when: float) -> None:
        step = when - self.now()
        if step > 0:
            # freezegun keeps microseconds: round up so the timer is really due.
            self.freezer.tick(step + 2e-6)
        self.jumps += 1
        async_fire_time_changed(self.hass)
        await self.settle()

    async def advance(self, seconds: float) -> None:
        """Let ``seconds`` of simulated time pass, running every timer due on the way."""
        target = self.now() + seconds
        await self.settle()
        while (when := self._next_timer()) is not None and when <= target:
            await self._jump_to(when)
        if (rest := target - self.now()) > 0:
            self.freezer.tick(rest)
            async_fire_time_changed(self.hass)
        await self.settle()

    async def run(self, awaitable: Awaitable[_T], *, limit: float = 24 * 3600) -> _T:
        """Await ``awaitable`` while time moves on as needed (at most ``limit`` seconds)."""
        task = asyncio.ensure_future(awaitable)
        deadline = self.now() + limit
        await self.settle()
        while not task.done():
            when = self._next_timer()
            assert when is not None, "waiting, but no timer will ever wake it"
            assert when <= deadline, "still waiting after the time limit"
            await self._jump_to(when)
        return task.result()

    async def until(
        self, condition: Callable[[], bool], *, limit: float = 3600
    ) -> float:
        """Move time until ``condition()`` holds; return the simulated seconds it took."""
        start = self.now()
        await self.settle()
        while not condition():
            when = self._next_timer()
            assert when is not None, "waiting, but no timer will ever wake it"
            assert when <= start + limit, "condition not met within the time limit"
            await self._jump_to(when)
        return self.now() - start
