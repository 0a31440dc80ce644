"""The request budget: how many requests the console may see, counted the way it counts them.

Monogoto documents 60 requests a minute and 1,000 an hour (v1 API, Standard plan) and 5 logins a
minute. The console stamps a request when it *arrives*; the client only knows when it *sent* it
and when the answer came. So a request holds its slot from the moment it is granted until
``window`` seconds after its answer arrived: whatever the latency, its arrival lies inside that
span, and no rolling window of the console can then hold more than ``limit`` arrivals.

Waiting requests are served by priority (a user's action before the listing, the listing before
statuses, statuses before details), so a long, low-priority round never delays a switch press.
The same scheduler enforces the concurrency cap: a request in flight holds one of ``concurrency``
places until its answer arrives.
"""

from __future__ import annotations

import asyncio
from bisect import bisect_left
from collections import deque
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from enum import IntEnum
import heapq
import itertools
import time
from typing import Any, Final


@dataclass(frozen=True, slots=True)
class Window:
    """At most ``limit`` requests in any rolling ``seconds``."""

    limit: int
    seconds: float


#: The console's documented budgets: 60 a minute, 1,000 an hour.
MINUTE: Final = Window(60, 60.0)
HOUR: Final = Window(1000, 3600.0)
#: Logins: 5 a minute (documented for the v1 API's auth endpoints, per IP).
LOGIN_WINDOW: Final = Window(5, 60.0)
#: Requests in flight at once.
CONCURRENCY: Final = 4


class Priority(IntEnum):
    """Who goes first when requests wait for a slot (lower first)."""

    LOGIN = 0
    ACTION = 1
    LISTING = 2
    STATUS = 3
    DETAILS = 4


class RequestBudget:
    """Grants slots within every ``Window`` and the concurrency cap, by priority.

    The clock and sleep are injectable so tests and benchmarks can run in simulated time.
    """

    def __init__(
        self,
        windows: Sequence[Window] = (MINUTE, HOUR),
        *,
        concurrency: int = CONCURRENCY,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Any] = asyncio.sleep,
    ) -> None:
        """Create an empty budget."""
        self.windows = tuple(sorted(windows, key=lambda window: window.seconds))
        self.concurrency = concurrency
        self._clock = clock
        self._sleep = sleep
        self._longest = max(window.seconds for window in self.windows)
        #: When each granted request's answer came, oldest first (the span that still counts).
        self._answered: deque[float] = deque()
        #: Granted requests whose answer has not come yet.
        self._in_flight = 0
        self._waiting: list[tuple[int, int]] = []
        self._tickets = itertools.count()
        #: The event each waiting request sleeps on; only the first in line is woken.
        self._wakers: dict[tuple[int, int], asyncio.Event] = {}

    @property
    def hourly_limit(self) -> int:
        """Return how many requests an hour the windows allow."""
        return min(
            window.limit * max(1, round(3600 / window.seconds))
            for window in self.windows
        )

    def used(self, seconds: float | None = None) -> int:
        """Return the slots held now within the shortest window (or ``seconds``)."""
        now = self._clock()
        self._prune(now)
        span = self.windows[0].seconds if seconds is None else seconds
        return self._in_flight + len(self._answered) - self._first_within(now, span)

    @asynccontextmanager
    async def slot(self, priority: Priority = Priority.ACTION) -> AsyncIterator[None]:
        """Hold a slot while the request is sent and answered; its window runs from the answer.

        A request that fails or is cancelled keeps its slot too: the console may have seen it.
        """
        await self._acquire(priority)
        try:
            yield
        finally:
            self._in_flight -= 1
            self._answered.append(self._clock())
            self._notify()

    async def _acquire(self, priority: Priority) -> None:
        ticket = (int(priority), next(self._tickets))
        heapq.heappush(self._waiting, ticket)
        try:
            while True:
                delay: float | None = None
                if self._waiting[0] == ticket:
                    delay = self._delay()
                    if delay == 0:
                        heapq.heappop(self._waiting)
                        self._in_flight += 1
                        self._notify()
                        return
                await self._wait(ticket, delay)
        except BaseException:
            if ticket in self._waiting:
                self._waiting.remove(ticket)
                heapq.heapify(self._waiting)
                self._notify()
            raise

    def _delay(self) -> float | None:
        """Return 0 when a slot is free now, the seconds until one frees, or None (an answer)."""
        if self._in_flight >= self.concurrency:
            return None
        now = self._clock()
        self._prune(now)
        delay = 0.0
        for window in self.windows:
            first = self._first_within(now, window.seconds)
            held = self._in_flight + len(self._answered) - first
            excess = held - window.limit + 1
            if excess <= 0:
                continue
            if excess > len(self._answered) - first:
                return None  # only answers in flight can free this window
            # The excess-th oldest answer in the window must leave it.
            delay = max(
                delay, self._answered[first + excess - 1] + window.seconds - now
            )
        return delay

    def _first_within(self, now: float, seconds: float) -> int:
        """Return the index of the oldest answer still inside a window of ``seconds``."""
        return bisect_left(self._answered, now - seconds + 1e-9)

    def _prune(self, now: float) -> None:
        while self._answered and now - self._answered[0] >= self._longest:
            self._answered.popleft()

    def _notify(self) -> None:
        """Wake the first in line: only it may take a slot (the others wait their turn).

        Waking every waiter on every change would cost a hundred wake-ups per request when a
        listing queues a hundred pages.
        """
        if self._waiting and (waker := self._wakers.get(self._waiting[0])):
            waker.set()

    async def _wait(self, ticket: tuple[int, int], delay: float | None) -> None:
        """Wait to be woken (a grant, an answer, a departure) or ``delay`` seconds."""
        waker = self._wakers[ticket] = asyncio.Event()
        try:
            if delay is None:
                await waker.wait()
                return
            changed = asyncio.ensure_future(waker.wait())
            timer = asyncio.ensure_future(self._sleep(max(delay, 0.001)))
            try:
                await asyncio.wait(
                    (changed, timer), return_when=asyncio.FIRST_COMPLETED
                )
            finally:
                changed.cancel()
                timer.cancel()
        finally:
            del self._wakers[ticket]
