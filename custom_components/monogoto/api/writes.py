"""The client's writes to a SIM: its state, and its IMEI lock (guarded by the thing's ``cas``).

A mixin of ``MonogotoClient`` (the facade), kept apart so the facade stays one screenful.
"""

from __future__ import annotations

import logging

from .auth import Auth
from .features import Feature
from .models import SETTABLE_STATES, ImeiLock, ThingState, thing_alias
from .parsers import parse_thing_saved, read_imei_lock
from .profile import ApiProfile
from .reader import decode
from .transport import segment

_LOGGER = logging.getLogger(__name__)


class ThingWrites:
    """What changes a live SIM: one method per endpoint, on the client's authenticated path."""

    _auth: Auth
    profile: ApiProfile

    async def set_thing_state(self, thing_id: str, state: ThingState) -> None:
        """Activate or suspend a SIM (``PUT /thing/{id}/state/``); a billable, live change."""
        if state not in SETTABLE_STATES:
            raise ValueError(f"Only ACTIVE or SUSPENDED can be set, not {state}")
        response = await self._auth.request(
            Feature.WRITE_STATE,
            "PUT",
            f"/thing/{segment(thing_id)}/state/",
            json_body={"state": str(state)},
        )
        self.profile.write_answers[response.form] += 1
        _LOGGER.debug("Set %s to %s", thing_alias(thing_id), state)

    async def get_imei_lock(self, thing_id: str) -> ImeiLock:
        """Return a thing's IMEI lock and ``cas``, read just before writing (``GET /thing/{id}``)."""
        response = await self._auth.request(
            Feature.DETAILS, "GET", f"/thing/{segment(thing_id)}"
        )
        unread: set[str] = set()
        lock = read_imei_lock(decode(response.text), unread)
        if unread:
            self.profile.note_unread("GET /thing/{id}", unread)
        return lock

    async def set_imei_lock(
        self, thing_id: str, cas: str, *, locked: bool, master_imei: str | None
    ) -> None:
        """Lock a SIM to ``master_imei`` or unlock it (``PUT /thing/update/``).

        ``cas`` is the thing's as just read: a stale one raises ``MonogotoConflictError``.
        """
        response = await self._auth.request(
            Feature.IMEI_LOCK,
            "PUT",
            "/thing/update/",
            json_body={
                "cas": cas,
                "ThingId": f"/thing/{thing_id}",
                "LockMasterImei": locked,
                "MasterIMEI": master_imei,
            },
        )
        self.profile.write_answers[response.form] += 1
        parse_thing_saved(response.text)
        _LOGGER.debug("Set the IMEI lock of %s to %s", thing_alias(thing_id), locked)
