"""Time, in one place: the clock type, the units and the TTL arithmetic.

Every service takes a ``Clock`` (a function returning epoch milliseconds) explicitly; the
wiring of each concern passes ``system_clock`` and tests pass ``fixed(...)`` or a
``ManualClock``. Nothing else in the package reads the machine's time, so the suite behaves
the same on any date (``faketime -f +400d make test``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

#: epoch milliseconds now
Clock = Callable[[], int]

SECOND_MS = 1_000
MINUTE_MS = 60 * SECOND_MS
HOUR_MS = 60 * MINUTE_MS
DAY_MS = 24 * HOUR_MS
DAY_S = DAY_MS // SECOND_MS


def system_clock() -> int:
    """The machine's time (wired at the composition root only)."""
    return time.time_ns() // 1_000_000


def fixed(ms: int) -> Clock:
    """A clock stopped at ``ms``."""
    return lambda: ms


class ManualClock:
    """A clock a test moves by hand: ``clock.advance(minutes=10)``."""

    def __init__(self, start_ms: int):
        self.ms = start_ms

    def __call__(self) -> int:
        return self.ms

    def advance(self, ms: int = 0, *, seconds: float = 0, minutes: float = 0, days: float = 0) -> int:
        self.ms += int(ms + seconds * SECOND_MS + minutes * MINUTE_MS + days * DAY_MS)
        return self.ms


def expires_at_s(from_ms: int, days: int) -> int:
    """DynamoDB TTL value (epoch seconds) ``days`` after ``from_ms``: the one TTL rule."""
    return (from_ms + days * DAY_MS) // SECOND_MS


def expires_at_dt(from_ms: int, days: int) -> datetime:
    """The same TTL as an aware datetime (PynamoDB ``TTLAttribute``)."""
    return datetime.fromtimestamp(expires_at_s(from_ms, days), tz=UTC)


def ms_to_dt(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / SECOND_MS, tz=UTC)


def dt_to_ms(t: datetime) -> int:
    return int(t.timestamp() * SECOND_MS)


def days_between(older_ms: int, newer_ms: int) -> float:
    return (newer_ms - older_ms) / DAY_MS
