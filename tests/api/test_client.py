"""The client against the simulator: login and token lifecycle, paging, bodies, errors."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import aiohttp
import pytest

from custom_components.monogoto.api import (
    MonogotoAuthError,
    MonogotoClient,
    MonogotoConnectionError,
    MonogotoRateLimitError,
    MonogotoResponseError,
    RequestBudget,
    ThingState,
)
from tests.simulator import DEMO_USERNAME, Fault, MonogotoSimulator, make_thing


class FakeClock:
    """A wall clock shared by the client and the simulator, moved by hand."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


async def test_login_returns_customer_and_reuses_token(
    client: MonogotoClient, simulator: MonogotoSimulator
) -> None:
    login = await client.login()
    assert login.customer_id == simulator.customer_id
    assert login.expires_at is not None
    await client.list_things()
    await client.get_thing_state(simulator.thing_ids()[0])
    assert simulator.requests["auth"] == 1
    assert client.customer_id == simulator.customer_id


async def test_concurrent_callers_share_one_login(
    client: MonogotoClient, simulator: MonogotoSimulator
) -> None:
    ids = simulator.thing_ids()
    states = await asyncio.gather(*(client.get_thing_state(tid) for tid in ids * 3))
    assert len(states) == 9
    assert simulator.requests["auth"] == 1


async def test_token_renewed_before_exp(
    sim_url: str, simulator: MonogotoSimulator
) -> None:
    clock = FakeClock()
    simulator.clock = clock
    simulator.token_lifetime = 600
    async with aiohttp.ClientSession() as session:
        client = MonogotoClient(
            session,
            simulator.username,
            simulator.password,
            base_url=sim_url,
            clock=clock,
        )
        await client.list_things()
        clock.now += 400  # still well before exp - margin
        await client.list_things()
        assert simulator.requests["auth"] == 1
        clock.now += 100  # inside the renewal margin: log in again, no 401 needed
        await client.list_things()
    assert simulator.requests["auth"] == 2
    assert simulator.requests["things"] == 3


async def test_token_without_exp_then_revoked(
    client: MonogotoClient, simulator: MonogotoSimulator
) -> None:
    simulator.token_lifetime = None
    login = await client.login()
    assert login.expires_at is None
    simulator.revoke_tokens()
    assert len(await client.list_things()) == 3
    assert simulator.requests["auth"] == 2
    assert simulator.requests["things"] == 2  # the refused one and the retry


@pytest.mark.things(120)
async def test_401_mid_listing_relogs_once_and_retries(
    client: MonogotoClient, simulator: MonogotoSimulator
) -> None:
    simulator.fail("things", passthrough=True)
    simulator.fail("things", status=401, body="Unauthorized")
    things = await client.list_things()
    assert len(things) == 120
    assert simulator.requests["auth"] == 2
    assert simulator.requests["things"] == 4


async def test_access_denied_is_auth_error_without_retry_loop(
    sim_url: str, simulator: MonogotoSimulator
) -> None:
    async with aiohttp.ClientSession() as session:
        client = MonogotoClient(session, DEMO_USERNAME, "wrong", base_url=sim_url)
        with pytest.raises(MonogotoAuthError):
            await client.list_things()
        with pytest.raises(MonogotoAuthError):
            await client.list_things()
        with pytest.raises(MonogotoAuthError):
            await client.login()
    assert simulator.requests["auth"] == 1
    assert simulator.requests["things"] == 0


async def test_token_refused_twice_is_auth_error(
    client: MonogotoClient, simulator: MonogotoSimulator
) -> None:
    simulator.fail("things", status=401, body="Unauthorized", times=2)
    with pytest.raises(MonogotoAuthError):
        await client.list_things()
    assert simulator.requests["auth"] == 2


@pytest.mark.parametrize(
    ("count", "listing_requests"), [(0, 1), (1, 1), (50, 2), (51, 2), (120, 3)]
)
async def test_paging(
    client: MonogotoClient,
    simulator: MonogotoSimulator,
    count: int,
    listing_requests: int,
) -> None:
    simulator.things.clear()
    for index in range(1, count + 1):
        simulator.add_thing(make_thing(index))
    things = await client.list_things()
    assert [thing.thing_id for thing in things] == simulator.thing_ids()
    assert simulator.requests["things"] == listing_requests


@pytest.mark.things(120)
async def test_paging_with_expected_count_is_concurrent(
    client: MonogotoClient, simulator: MonogotoSimulator
) -> None:
    things = await client.list_things(expected=120)
    assert len(things) == 120
    assert simulator.requests["things"] == 3


@pytest.mark.things(60)
async def test_thing_on_two_pages_kept_once(
    client: MonogotoClient, simulator: MonogotoSimulator
) -> None:
    # The listing shifts while paging: page 2 repeats the last thing of page 1.
    ids = simulator.thing_ids()
    await client.list_things_page(0)
    simulator.add_thing(make_thing(999))
    simulator.things = {
        tid: simulator.things[tid] for tid in [ids[0], *simulator.things]
    }
    things = await client.list_things()
    assert len({thing.thing_id for thing in things}) == len(things)


@pytest.mark.parametrize("style", ["plain", "quoted", "braced"])
async def test_state_body_variants(
    client: MonogotoClient, simulator: MonogotoSimulator, style: str
) -> None:
    simulator.state_body = style  # type: ignore[assignment]
    thing_id = simulator.thing_ids()[0]
    simulator.set_state(thing_id, "SUSPENDED")
    assert await client.get_thing_state(thing_id) == "SUSPENDED"


async def test_unknown_state_is_kept(
    client: MonogotoClient, simulator: MonogotoSimulator
) -> None:
    thing_id = simulator.thing_ids()[0]
    simulator.set_state(thing_id, "deactivated")
    assert await client.get_thing_state(thing_id) == "DEACTIVATED"


async def test_set_state_puts_once(
    client: MonogotoClient, simulator: MonogotoSimulator
) -> None:
    thing_id = simulator.thing_ids()[0]
    await client.set_thing_state(thing_id, ThingState.SUSPENDED)
    assert simulator.put_bodies == [(thing_id, {"state": "SUSPENDED"})]
    assert simulator.things[thing_id]["State"] == "SUSPENDED"
    with pytest.raises(ValueError):
        await client.set_thing_state(thing_id, ThingState.RETIRED)
    assert simulator.requests["state_put"] == 1


async def test_get_thing_and_percent_encoded_ids(
    client: MonogotoClient, simulator: MonogotoSimulator
) -> None:
    odd = make_thing(7)
    odd["ThingId"] = "ThingId_ICCID_89 99/7?x#y"
    simulator.add_thing(odd)
    thing = await client.get_thing(odd["ThingId"])
    assert thing.thing_id == odd["ThingId"]
    assert await client.get_thing_state(odd["ThingId"]) == odd["State"]


@pytest.mark.things(120)
async def test_statuses_are_batched(
    client: MonogotoClient, simulator: MonogotoSimulator
) -> None:
    statuses = await client.get_thing_statuses(simulator.thing_ids())
    assert len(statuses) == 120
    assert simulator.requests["status"] == 3
    first = simulator.thing_ids()[0]
    assert statuses[first].connected is (simulator.connection[first] == "CONNECTED")


async def test_search_events_sends_apikey(
    client: MonogotoClient, simulator: MonogotoSimulator
) -> None:
    events = await client.search_events(simulator.thing_ids()[0], limit=5)
    assert [event.data_type for event in events] == ["DATA", "MT_SMS", "DATA"]
    assert events[0].timestamp == datetime(2025, 11, 24, 16, 0, tzinfo=UTC)


async def test_rate_limit_with_retry_after_seconds(
    client: MonogotoClient, simulator: MonogotoSimulator
) -> None:
    simulator.fail(
        "things", status=429, body="Too Many Requests", headers={"Retry-After": "30"}
    )
    with pytest.raises(MonogotoRateLimitError) as err:
        await client.list_things()
    assert err.value.retry_after == 30


async def test_rate_limit_with_retry_after_date_and_without(
    client: MonogotoClient, simulator: MonogotoSimulator
) -> None:
    when = datetime.now(UTC) + timedelta(seconds=90)
    simulator.fail(
        "things",
        status=429,
        headers={"Retry-After": format_datetime(when, usegmt=True)},
    )
    with pytest.raises(MonogotoRateLimitError) as err:
        await client.list_things()
    assert err.value.retry_after is not None
    assert 80 <= err.value.retry_after <= 90
    simulator.fail("things", status=429, headers={"Retry-After": "soon"})
    with pytest.raises(MonogotoRateLimitError) as err:
        await client.list_things()
    assert err.value.retry_after is None
    simulator.fail("things", status=429)
    with pytest.raises(MonogotoRateLimitError) as err:
        await client.list_things()
    assert err.value.retry_after is None


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        (Fault(status=500), MonogotoConnectionError),
        (
            Fault(status=503, body="<html>down</html>", content_type="text/html"),
            MonogotoConnectionError,
        ),
        (
            Fault(status=200, body="{not json", content_type="application/json"),
            MonogotoResponseError,
        ),
        (
            Fault(status=200, body="<html>login</html>", content_type="text/html"),
            MonogotoResponseError,
        ),
        (
            Fault(status=200, body="", content_type="application/json"),
            MonogotoResponseError,
        ),
        (
            Fault(status=200, body='{"things": []}', content_type="application/json"),
            MonogotoResponseError,
        ),
        (
            Fault(status=200, body='[{"NoId": 1}]', content_type="application/json"),
            MonogotoResponseError,
        ),
        (Fault(status=404, body="Not found"), MonogotoResponseError),
        (
            Fault(status=302, headers={"Location": "https://example.invalid/"}),
            MonogotoResponseError,
        ),
        (Fault(stall=5), MonogotoConnectionError),
        (Fault(disconnect=True), MonogotoConnectionError),
    ],
)
async def test_listing_errors_map_to_the_tree(
    client: MonogotoClient,
    simulator: MonogotoSimulator,
    fault: Fault,
    error: type[Exception],
) -> None:
    simulator.fail("things", fault, times=3)  # aiohttp may retry a reset GET once
    with pytest.raises(error):
        await client.list_things()


@pytest.mark.parametrize(
    "body", ["", "<html>x</html>", "ACTIVE SUSPENDED", '{"state": 1}']
)
async def test_unreadable_state_body(
    client: MonogotoClient, simulator: MonogotoSimulator, body: str
) -> None:
    simulator.fail("state_get", status=200, body=body)
    with pytest.raises(MonogotoResponseError):
        await client.get_thing_state(simulator.thing_ids()[0])


async def test_login_errors(sim_url: str, simulator: MonogotoSimulator) -> None:
    async with aiohttp.ClientSession() as session:
        client = MonogotoClient(
            session, DEMO_USERNAME, simulator.password, base_url=sim_url
        )
        simulator.fail(
            "auth", status=200, body='{"token": "x"}', content_type="application/json"
        )
        with pytest.raises(MonogotoResponseError):
            await client.login()
        simulator.fail("auth", status=502)
        with pytest.raises(MonogotoConnectionError):
            await client.login()
        # Neither was a rejection: the next login goes through.
        assert (await client.login()).customer_id == simulator.customer_id


async def test_unreachable_host_is_connection_error(socket_enabled: None) -> None:
    async with aiohttp.ClientSession() as session:
        client = MonogotoClient(session, "u", "p", base_url="http://127.0.0.1:9")
        with pytest.raises(MonogotoConnectionError):
            await client.login()


async def test_one_failing_state_does_not_fail_the_others(
    client: MonogotoClient, simulator: MonogotoSimulator
) -> None:
    ids = simulator.thing_ids()
    simulator.remove_thing(ids[1])
    states = await client.get_thing_states(ids)
    assert states[ids[0]] == simulator.things[ids[0]]["State"]
    assert isinstance(states[ids[1]], MonogotoResponseError)
    simulator.fail("state_get", status=429)
    with pytest.raises(MonogotoRateLimitError):
        await client.get_thing_states(ids[:1])


async def test_budget_spaces_requests() -> None:
    clock = FakeClock()
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock.now += seconds

    budget = RequestBudget(3, 60, clock=clock, sleep=sleep)
    for _ in range(3):
        await budget.acquire()
    assert budget.used() == 3
    clock.now += 10
    await budget.acquire()  # waits for the oldest to leave the window
    assert slept == [50]
    assert budget.used() == 1  # the first three have left the window
