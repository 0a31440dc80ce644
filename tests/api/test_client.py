"""The client against the simulator: login and token lifecycle, paging, bodies, errors."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import contextlib
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
import json

import aiohttp
import pytest

from custom_components.monogoto.api import (
    Feature,
    MonogotoAuthError,
    MonogotoClient,
    MonogotoConnectionError,
    MonogotoPermissionError,
    MonogotoRateLimitError,
    MonogotoResponseError,
    MonogotoUnexpectedAnswerError,
    StatusMode,
    ThingState,
)
from custom_components.monogoto.api.paging import MAX_PAGES, PAGE_SIZE
from tests.simulator import DEMO_USERNAME, Fault, MonogotoSimulator, make_thing


class FakeClock:
    """A wall clock shared by the client and the simulator, moved by hand."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@contextlib.asynccontextmanager
async def clocked(
    sim_url: str, simulator: MonogotoSimulator
) -> AsyncIterator[tuple[MonogotoClient, FakeClock]]:
    """Yield a client of the demo account and the clock it shares with the simulator."""
    clock = FakeClock()
    simulator.clock = clock
    async with aiohttp.ClientSession() as session:
        yield (
            MonogotoClient(
                session,
                DEMO_USERNAME,
                simulator.password,
                base_url=sim_url,
                clock=clock,
            ),
            clock,
        )


async def test_login_returns_customer_and_reuses_token(
    client: MonogotoClient, simulator: MonogotoSimulator
) -> None:
    login = await client.login()
    assert login.customer_id == simulator.customer_id
    assert login.expires_at is not None
    await client.list_things()
    await client.get_thing_state(simulator.thing_ids()[0])
    assert simulator.requests["auth"] == 1


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
    # One page each (3 SIMs), and one probe after the first short first page.
    assert simulator.requests["things"] == 4


async def test_token_without_exp_then_revoked(
    client: MonogotoClient, simulator: MonogotoSimulator
) -> None:
    simulator.token_lifetime = None
    login = await client.login()
    assert login.expires_at is None
    simulator.revoke_tokens()
    assert len((await client.list_things()).things) == 3
    assert simulator.requests["auth"] == 2
    # The refused one and the retry, then the probe for a page size of its own.
    assert simulator.requests["things"] == 3


@pytest.mark.things(120)
async def test_401_mid_listing_relogs_once_and_retries(
    client: MonogotoClient, simulator: MonogotoSimulator
) -> None:
    simulator.fail("things", passthrough=True)
    simulator.fail("things", status=401, body="Unauthorized")
    listing = await client.list_things()
    assert len(listing.things) == 120
    assert listing.complete
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


@pytest.mark.parametrize("status", [401, 403])
@pytest.mark.parametrize("listed_first", [True, False])
async def test_refused_feature_is_a_permission_not_the_credentials(
    client: MonogotoClient,
    simulator: MonogotoSimulator,
    status: int,
    listed_first: bool,
) -> None:
    """A refusal of a token the console still accepts elsewhere is about the user's profile.

    The endpoint never worked with this token, and one listing item asked for with it is
    accepted: the token is alive, so no new login is made.
    """
    simulator.quirks.expired_token_status = status
    simulator.quirks.refuses.add("status")
    if listed_first:
        await client.list_things()
    things = simulator.requests["things"]
    with pytest.raises(MonogotoPermissionError) as err:
        await client.get_thing_statuses(simulator.thing_ids())
    assert err.value.feature == Feature.STATUS
    assert client.refused_features() == {Feature.STATUS}
    assert simulator.requests["auth"] == 1
    assert simulator.requests["status"] == 1
    assert simulator.requests["things"] == things + 1  # the token asked for one SIM
    # The rest keeps working; the refused feature is not asked again for an hour.
    await client.list_things()
    with pytest.raises(MonogotoPermissionError):
        await client.get_thing_statuses(simulator.thing_ids())
    assert simulator.requests["status"] == 1
    assert simulator.requests["auth"] == 1
    assert client.profile.as_dict()["permission_refused"] == ["status"]


@pytest.mark.parametrize("status", [401, 403])
async def test_revoked_token_is_not_taken_for_a_permission(
    client: MonogotoClient, simulator: MonogotoSimulator, status: int
) -> None:
    """Just after a success, a revoked token refuses an endpoint new to it: log in again."""
    simulator.quirks.expired_token_status = status
    await client.list_things()
    simulator.revoke_tokens()
    assert len(await client.get_thing_statuses(simulator.thing_ids())) == 3
    assert simulator.requests["auth"] == 2
    assert client.refused_features() == set()


async def test_expired_token_is_not_taken_for_a_permission(
    sim_url: str, simulator: MonogotoSimulator
) -> None:
    """An endpoint that served this token before and refuses it now means it expired."""
    simulator.quirks.token_kind = "opaque"
    simulator.token_lifetime = 1200
    async with clocked(sim_url, simulator) as (client, clock):
        ids = simulator.thing_ids()
        await client.get_thing_statuses(ids)
        clock.now += 1100
        await client.list_things()  # a success with the token, shortly before it dies
        clock.now += 200
        assert len(await client.get_thing_statuses(ids)) == 3  # renewed, not rested
        assert simulator.requests["auth"] == 2
        assert client.refused_features() == set()


async def test_refused_feature_is_probed_hourly_with_the_live_token(
    sim_url: str, simulator: MonogotoSimulator
) -> None:
    simulator.quirks.refuses.update({"status", "thing"})
    async with clocked(sim_url, simulator) as (client, clock):
        ids = simulator.thing_ids()
        for read in (client.get_thing_statuses, client.get_things):
            with pytest.raises(MonogotoPermissionError):
                await read(ids[:1])
        assert simulator.requests["auth"] == 1
        clock.now += 3601  # both probe again, with the token the listing item accepts
        for read in (client.get_thing_statuses, client.get_things):
            with pytest.raises(MonogotoPermissionError):
                await read(ids[:1])
        assert simulator.requests["auth"] == 1
        simulator.quirks.refuses.clear()  # an administrator grants the permission
        clock.now += 3601
        assert len(await client.get_thing_statuses(ids)) == 3
        assert client.refused_features() == {Feature.DETAILS}


async def test_token_lifetime_is_learned_from_refusals(
    sim_url: str, simulator: MonogotoSimulator
) -> None:
    """Opaque tokens that die after 20 minutes are renewed before, once that was seen."""
    simulator.quirks.token_kind = "opaque"
    simulator.token_lifetime = 1200
    async with clocked(sim_url, simulator) as (client, clock):
        await client.login()
        clock.now += 1200
        await client.get_thing_state(simulator.thing_ids()[0])  # refused, renewed
        refused = simulator.requests["state_get"]
        for _ in range(6):
            clock.now += 600
            await client.get_thing_state(simulator.thing_ids()[0])
        assert simulator.requests["state_get"] == refused + 6  # never refused again
    profile = client.profile.as_dict()["token"]
    assert profile["kind"] == "opaque"
    assert profile["refused_at_age_s"] == 1200


@pytest.mark.parametrize(
    ("count", "listing_requests"),
    # A short first page is followed once by a probe for a console page size of its own.
    [(0, 1), (1, 2), (50, 2), (51, 2), (120, 3)],
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
    listing = await client.list_things()
    assert [thing.thing_id for thing in listing.things] == simulator.thing_ids()
    assert listing.complete
    assert simulator.requests["things"] == listing_requests
    # Steady state: the probe is not repeated; floor(N/50)+1 requests a listing.
    await client.list_things(expected=count)
    assert simulator.requests["things"] == listing_requests + count // PAGE_SIZE + 1


@pytest.mark.things(120)
async def test_paging_with_expected_count_is_concurrent(
    client: MonogotoClient, simulator: MonogotoSimulator
) -> None:
    listing = await client.list_things(expected=120)
    assert len(listing.things) == 120
    assert simulator.requests["things"] == 3


@pytest.mark.things(120)
async def test_console_paging_by_its_own_size(
    client: MonogotoClient, simulator: MonogotoSimulator
) -> None:
    simulator.quirks.own_page_size = 25
    listing = await client.list_things()
    assert [t.thing_id for t in listing.things] == simulator.thing_ids()
    assert listing.complete
    assert simulator.requests["things"] == 5  # 25, the probe at 25, then 50, 75, 100
    assert client.profile.page_size == 25
    await client.list_things(expected=120)
    assert simulator.requests["things"] == 10
    assert "pages by 25" in client.profile.fallbacks[0]


@pytest.mark.things(120)
async def test_console_ignoring_offset_ends_and_is_incomplete(
    client: MonogotoClient, simulator: MonogotoSimulator
) -> None:
    simulator.quirks.listing_ignores_offset = True
    listing = await client.list_things(expected=120)
    assert len(listing.things) == 50  # all this console lets anyone see
    assert not listing.complete  # so no SIM's absence means anything
    assert client.profile.offset_ignored
    requests = simulator.requests["things"]
    await client.list_things(expected=50)
    assert simulator.requests["things"] == requests + 1  # the first page only now


@pytest.mark.things(120)
async def test_console_ignoring_limit_answers_everything_at_once(
    client: MonogotoClient, simulator: MonogotoSimulator
) -> None:
    simulator.quirks.listing_ignores_limit = True
    listing = await client.list_things()
    assert len(listing.things) == 120
    assert listing.complete
    assert simulator.requests["things"] == 1


async def test_paging_has_a_hard_cap(
    client: MonogotoClient, simulator: MonogotoSimulator
) -> None:
    """A console that invents new SIMs on every page still ends the listing."""
    served = 0

    def fresh_page() -> None:
        nonlocal served
        simulator.things.clear()
        for index in range(served, served + PAGE_SIZE):
            simulator.add_thing(make_thing(index + 1))
        served += PAGE_SIZE

    simulator.quirks.listing_ignores_offset = True
    simulator.fail("things", Fault(passthrough=True, before=fresh_page), times=10_000)
    listing = await client.list_things()
    assert simulator.requests["things"] == MAX_PAGES
    assert not listing.complete


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
    things = (await client.list_things()).things
    assert len({thing.thing_id for thing in things}) == len(things)


@pytest.mark.parametrize("style", ["plain", "quoted", "braced"])
async def test_state_body_variants(
    client: MonogotoClient, simulator: MonogotoSimulator, style: str
) -> None:
    simulator.quirks.state_body = style  # type: ignore[assignment]
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
    assert client.profile.status_mode is StatusMode.BATCHED


@pytest.mark.things(120)
@pytest.mark.parametrize(
    ("listing_form", "mode", "first_round", "answered", "next_round"),
    [
        # 3 batches, then the status listing (3 pages) answers for everyone.
        (True, StatusMode.LISTING, 3 + 3, 120, 3),
        # 3 batches (one SIM each), the refused listing form, then one SIM alone: the other
        # 116 are the caller's to ask for, at its plan's pace; from then on one per SIM.
        (False, StatusMode.PER_SIM, 3 + 1 + 1, 3 + 1, 120),
    ],
)
async def test_statuses_fall_back_when_batches_answer_one_sim(
    client: MonogotoClient,
    simulator: MonogotoSimulator,
    listing_form: bool,
    mode: StatusMode,
    first_round: int,
    answered: int,
    next_round: int,
) -> None:
    simulator.quirks.status_answers_first_id_only = True
    simulator.quirks.status_listing_form = listing_form
    ids = simulator.thing_ids()
    statuses = await client.get_thing_statuses(ids)
    assert len(statuses) == answered
    assert set(statuses) <= set(ids)
    assert simulator.requests["status"] == first_round
    assert client.profile.status_mode is mode
    statuses = await client.get_thing_statuses(ids)
    assert set(statuses) == set(ids)
    assert simulator.requests["status"] == first_round + next_round


async def test_sims_without_any_status_keep_batching(
    client: MonogotoClient, simulator: MonogotoSimulator
) -> None:
    """A SIM the console has no status for, however asked, is no reason to stop batching."""
    ids = simulator.thing_ids()
    del simulator.connection[ids[2]]
    statuses = await client.get_thing_statuses(ids)
    assert set(statuses) == set(ids[:2])
    # One batch, the status listing and one SIM alone confirmed it; then batches only.
    assert simulator.requests["status"] == 3
    assert client.profile.status_mode is StatusMode.BATCHED
    await client.get_thing_statuses(ids)
    assert simulator.requests["status"] == 4


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
        with pytest.raises(MonogotoResponseError):  # a token, but no CustomerId
            await client.login()
        simulator.fail("auth", status=200, body="<html>Sign in</html>")
        with pytest.raises(MonogotoResponseError):  # a page in the way, not an answer
            await client.login()
        simulator.fail("auth", status=429, body="Too Many Requests")
        with pytest.raises(MonogotoRateLimitError):
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


@pytest.mark.parametrize(
    ("status", "body", "content_type"),
    [
        (401, "Access denied", "text/plain"),
        (403, '{"message": "Forbidden"}', "application/json"),
        (400, "Access denied", "text/plain"),
        (400, '{"status_code": 400, "message": "Bad credentials"}', "application/json"),
        (404, "Not found", "text/plain"),
        (200, "Access denied", "text/plain"),
        (200, '"Access denied"', "application/json"),
        (200, '{"Success": false, "Message": "Login failed"}', "application/json"),
        (200, "Login failed", "text/plain"),
        (500, "Access denied", "text/plain"),
    ],
)
async def test_login_rejected_in_any_form(
    sim_url: str,
    simulator: MonogotoSimulator,
    status: int,
    body: str,
    content_type: str,
) -> None:
    """Each is a rejection: an auth error, remembered, never retried."""
    simulator.fail("auth", status=status, body=body, content_type=content_type)
    async with aiohttp.ClientSession() as session:
        client = MonogotoClient(session, DEMO_USERNAME, "wrong", base_url=sim_url)
        for _ in range(3):
            with pytest.raises(MonogotoAuthError):
                await client.list_things()
    assert simulator.requests["auth"] == 1
    rejections = client.profile.as_dict()["token"]["login_rejections"]
    assert list(rejections) == [
        f"HTTP {status}, " + next(iter(rejections)).split(", ", 1)[1]
    ]
    assert "wrong" not in str(client.profile.as_dict())


@pytest.mark.parametrize(
    "body",
    [
        '{"token": null}',
        '{"Success": true, "Message": "Welcome"}',
        '{"Data": {"UserId": "u1"}}',
        '"Welcome"',
        "[]",
    ],
)
async def test_login_answer_without_a_token_is_unexpected_not_a_rejection(
    sim_url: str,
    simulator: MonogotoSimulator,
    body: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Nothing in these says the password is wrong: they are answers we cannot read."""
    simulator.fail("auth", status=200, body=body, content_type="application/json")
    async with aiohttp.ClientSession() as session:
        client = MonogotoClient(
            session, DEMO_USERNAME, simulator.password, base_url=sim_url
        )
        with pytest.raises(MonogotoUnexpectedAnswerError):
            await client.login()
        assert (await client.login()).customer_id  # no rejection was remembered
    assert client.profile.as_dict()["unread"]["POST /Auth"][0].startswith(
        "a token (answer: HTTP 200, json"
    )
    assert "could not read a token (answer: HTTP 200, json" in caplog.text
    assert simulator.password not in caplog.text


@pytest.mark.parametrize(
    "answer",
    [
        {"Token": "{token}", "CustomerId": "{cid}"},
        {"access_token": "{token}", "customer_id": "{cid}"},
        {"Data": {"Token": "{token}", "CustomerID": "{cid}"}},
        {"Success": True, "Result": {"AccessToken": "{token}", "customer-id": "{cid}"}},
        [{"TOKEN": "{token}", "CUSTOMERID": "{cid}"}],
    ],
)
async def test_token_under_any_spelling_is_found(
    sim_url: str, simulator: MonogotoSimulator, answer: object
) -> None:
    """The login works whatever the key spelling or envelope, and the token is used."""
    async with aiohttp.ClientSession() as session:
        probe = MonogotoClient(
            session, DEMO_USERNAME, simulator.password, base_url=sim_url
        )
        real = await probe.login()
        body = json.dumps(answer).replace("{token}", real.token)
        simulator.fail("auth", status=200, body=body.replace("{cid}", real.customer_id))
        client = MonogotoClient(
            session, DEMO_USERNAME, simulator.password, base_url=sim_url
        )
        assert (await client.login()).customer_id == real.customer_id
        assert len((await client.list_things()).things) == 3
