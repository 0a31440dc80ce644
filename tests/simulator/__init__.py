"""A simulator of the Monogoto console API, for tests, benchmarks, the browser test and the dev server.

It reproduces what ``../shared/reference/monogoto-api.md`` documents, quirks included, and adds
knobs (latency, faults, stalls, odd bodies) and per-endpoint request counters.
"""

from .app import DEMO_PASSWORD, DEMO_USERNAME, Fault, MonogotoSimulator, make_thing
from .quirks import KIND, PROFILES, Quirks, unkind

__all__ = [
    "DEMO_PASSWORD",
    "DEMO_USERNAME",
    "KIND",
    "PROFILES",
    "Fault",
    "MonogotoSimulator",
    "Quirks",
    "make_thing",
    "unkind",
]
