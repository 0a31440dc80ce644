"""Device swaps: a SIM whose IMEI changed between two listings moved to another device; kept free of Home Assistant."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class DeviceSwap:
    """The device a SIM was in and the one it is in now (IMEIs: secrets, never in a repr)."""

    old_imei: str = field(repr=False)
    new_imei: str = field(repr=False)


class ImeiWatch:
    """Remembers the IMEI a SIM was last listed in, and tells when a listing shows another."""

    __slots__ = ("_imei",)

    def __init__(self, imei: str | None) -> None:
        """Start from the IMEI the SIM is in now (None: not known yet)."""
        self._imei = imei

    def seen(self, imei: str | None) -> DeviceSwap | None:
        """Return the swap a listing's IMEI means, if any.

        A missing IMEI (none yet, or a listing that left it out) is no swap and forgets
        nothing: the first IMEI a SIM gets is no swap either, only a change of one is.
        """
        if not imei:
            return None
        old, self._imei = self._imei, imei
        return DeviceSwap(old, imei) if old and old != imei else None
