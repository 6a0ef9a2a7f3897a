"""Record ids for the demo: UUIDv7 from the record's own instant and a seeded random source.

:class:`feetui.clock.IdSource` takes its random bits from the OS, which is right for real records
and wrong for a demo that must come out the same for the same seed. This source lays out the same
UUIDv7 (48 bits of milliseconds, 74 random bits) and, like IdSource, never goes backwards.
"""

from __future__ import annotations

import random
import uuid
from datetime import datetime

_RAND_BITS = 74


class SeededIds:
    """UUIDv7 ids stamped with a settable instant, random bits from ``rng``.

    It offers ``new_id``/``new_str`` like :class:`feetui.clock.IdSource`, so it can stand in for
    one (``open_db(ids=...)``, the services' id source).

    Args:
        rng: the seeded random source.
        at: the instant ids are stamped with until :meth:`set` moves it.
    """

    def __init__(self, rng: random.Random, at: datetime) -> None:
        self._rng = rng
        self._millis = int(at.timestamp() * 1000)
        self._last = 0

    def set(self, at: datetime) -> None:
        """Stamp the following ids with ``at`` (aware); ids still never go backwards."""
        self._millis = int(at.timestamp() * 1000)

    def new_id(self) -> uuid.UUID:
        """A fresh UUIDv7 greater than every id this source made before."""
        candidate = self._millis << _RAND_BITS | self._rng.getrandbits(_RAND_BITS)
        if candidate <= self._last:
            candidate = self._last + 1
        self._last = candidate
        millis, rand = candidate >> _RAND_BITS, candidate & ((1 << _RAND_BITS) - 1)
        value = millis << 80 | 0x7 << 76 | (rand >> 62) << 64 | 0x2 << 62 | rand & ((1 << 62) - 1)
        return uuid.UUID(int=value)

    def new_str(self) -> str:
        """A fresh id as its canonical text (formatted directly: a demo makes millions)."""
        h = f"{self.new_id().int:032x}"
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


__all__ = ["SeededIds"]
