"""The IMEI lock in the client: reading it with its cas, writing it, and the console's answers."""

from __future__ import annotations

import json

import pytest

from custom_components.monogoto.api import (
    MonogotoClient,
    MonogotoConflictError,
    MonogotoPermissionError,
    MonogotoResponseError,
    parse_thing,
    parse_thing_saved,
)
from custom_components.monogoto.api.parsers import read_imei_lock
from custom_components.monogoto.swaps import ImeiWatch
from tests.simulator import MonogotoSimulator


async def test_read_then_write_the_lock(
    client: MonogotoClient, simulator: MonogotoSimulator
) -> None:
    thing_id = simulator.thing_ids()[0]
    lock = await client.get_imei_lock(thing_id)
    assert (lock.locked, lock.master_imei) == (False, None)
    assert lock.imei == simulator.things[thing_id]["IMEI"]
    assert lock.imei not in repr(lock)
    await client.set_imei_lock(thing_id, lock.cas, locked=True, master_imei=lock.imei)
    assert simulator.update_bodies == [
        {
            "cas": lock.cas,
            "ThingId": f"/thing/{thing_id}",
            "LockMasterImei": True,
            "MasterIMEI": lock.imei,
        }
    ]
    thing = parse_thing(json.dumps(simulator.things[thing_id]))
    assert (thing.imei_locked, thing.master_imei) == (True, lock.imei)
    # The cas changed with the write: the old one is stale now.
    with pytest.raises(MonogotoConflictError):
        await client.set_imei_lock(thing_id, lock.cas, locked=False, master_imei=None)


async def test_a_refused_lock_is_a_permission(
    client: MonogotoClient, simulator: MonogotoSimulator
) -> None:
    simulator.quirks.refuses.add("thing_update")
    thing_id = simulator.thing_ids()[0]
    lock = await client.get_imei_lock(thing_id)
    with pytest.raises(MonogotoPermissionError):
        await client.set_imei_lock(thing_id, lock.cas, locked=True, master_imei="1")


@pytest.mark.parametrize(
    "body",
    [
        "{ Thing undefined successfully saved. }",
        '"Thing undefined successfully saved."',
        "",
        '{"Success": true, "Message": "saved"}',
        "OK",
    ],
)
def test_any_saved_answer_is_taken(body: str) -> None:
    parse_thing_saved(body)


def test_an_answer_saying_it_failed_is_an_error() -> None:
    with pytest.raises(MonogotoResponseError):
        parse_thing_saved('{"Success": false, "Message": "not saved"}')


@pytest.mark.parametrize(
    ("payload", "cas", "locked"),
    [
        ({"ThingId": "t", "cas": "17", "LockMasterImei": "true"}, "17", True),
        ({"thingId": "t", "CAS": 17, "lockMasterImei": 0}, "17", False),
        ({"Data": {"ThingId": "t", "cas": " 9 ", "LockMasterImei": None}}, "9", None),
    ],
)
def test_the_lock_is_read_tolerantly(
    payload: dict[str, object], cas: str, locked: bool | None
) -> None:
    lock = read_imei_lock(payload)
    assert (lock.cas, lock.locked) == (cas, locked)


@pytest.mark.parametrize("cas", [None, "", True, [1]])
def test_a_thing_without_its_cas_cannot_be_written(cas: object) -> None:
    with pytest.raises(MonogotoResponseError):
        read_imei_lock({"ThingId": "t", "cas": cas})


def test_imei_watch_tells_a_change_of_device_only() -> None:
    watch = ImeiWatch(None)
    assert watch.seen("350000000000001") is None  # the first device is no swap
    assert watch.seen(None) is None  # nor a listing that left the IMEI out
    assert watch.seen("350000000000001") is None
    swap = watch.seen("350000000000002")
    assert swap is not None
    assert (swap.old_imei, swap.new_imei) == ("350000000000001", "350000000000002")
    assert "35000000000000" not in repr(swap)
    assert watch.seen("350000000000002") is None


async def test_an_unreadable_lock_is_unknown_and_recorded(
    client: MonogotoClient, simulator: MonogotoSimulator
) -> None:
    thing_id = simulator.thing_ids()[0]
    simulator.things[thing_id]["LockMasterImei"] = "perhaps"
    lock = await client.get_imei_lock(thing_id)
    assert lock.locked is None
    assert client.profile.unread["GET /thing/{id}"]
