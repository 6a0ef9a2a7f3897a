"""The only real clock and id source of the app; services receive them, tests pass fixed ones.

Record ids are UUIDv7 made on the counter. A PC clock that jumps backwards must not reorder a
device's ids (RELIABILITY R19), so :class:`IdSource` keeps ids strictly increasing per process: if
the clock goes back, it keeps counting up from the last id it issued.
"""

from __future__ import annotations

import os
import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

DEFAULT_TZ = "Asia/Shanghai"


class Clock(Protocol):
    """Tells the time. Always timezone-aware UTC."""

    def now(self) -> datetime:
        """The current instant, aware, in UTC."""
        ...


class SystemClock:
    """The machine's clock."""

    def now(self) -> datetime:
        """The current instant from the OS, in UTC."""
        return datetime.now(UTC)


@dataclass
class FixedClock:
    """A clock for tests: stays where it is put until moved."""

    current: datetime = field(default_factory=lambda: datetime(2026, 11, 23, 1, 30, tzinfo=UTC))

    def now(self) -> datetime:
        """The fixed instant."""
        return self.current

    def advance(self, **delta: float) -> None:
        """Move the clock by ``timedelta(**delta)`` (negative values jump backwards)."""
        self.current = self.current + timedelta(**delta)

    def set(self, instant: datetime) -> None:
        """Put the clock at ``instant`` (must be aware)."""
        if instant.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self.current = instant


class IdSource:
    """Makes UUIDv7 record ids that never go backwards within this source, whatever the clock does.

    Args:
        clock: where the millisecond timestamp comes from.
    """

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._last = 0
        self._lock = threading.Lock()

    def new_id(self) -> uuid.UUID:
        """A fresh UUIDv7 greater than every id this source issued before."""
        millis = int(self._clock.now().timestamp() * 1000) & _MS_MASK
        rand = int.from_bytes(os.urandom(10), "big") & _RAND_MASK
        # 48 bits of milliseconds then 74 random bits, as one number that only ever grows.
        candidate = millis << _RAND_BITS | rand
        with self._lock:
            if candidate <= self._last:
                candidate = self._last + 1
            self._last = candidate
        return _to_uuid7(candidate)

    def new_str(self) -> str:
        """A fresh id as its canonical text."""
        return str(self.new_id())


_RAND_BITS = 74
_RAND_MASK = (1 << _RAND_BITS) - 1
_MS_MASK = (1 << 48) - 1


def _to_uuid7(counter: int) -> uuid.UUID:
    """Lay out ms(48) | rand(74) as UUIDv7: ms | ver=7 | rand_a(12) | variant=10 | rand_b(62)."""
    millis = counter >> _RAND_BITS
    rand = counter & _RAND_MASK
    rand_a = rand >> 62
    rand_b = rand & ((1 << 62) - 1)
    value = millis << 80 | 0x7 << 76 | rand_a << 64 | 0x2 << 62 | rand_b
    return uuid.UUID(int=value)


def business_date(instant: datetime, tz: tzinfo) -> date:
    """The calendar date of ``instant`` in the site's timezone."""
    if instant.tzinfo is None:
        raise ValueError("business_date needs an aware datetime")
    return instant.astimezone(tz).date()


def zone(name: str = DEFAULT_TZ) -> ZoneInfo:
    """The named timezone (Asia/Shanghai unless configured)."""
    from zoneinfo import ZoneInfo  # not at import: the sign-in screen never needs it

    return ZoneInfo(name)


__all__ = ["DEFAULT_TZ", "Clock", "FixedClock", "IdSource", "SystemClock", "business_date", "zone"]
