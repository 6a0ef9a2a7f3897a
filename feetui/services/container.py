"""What every use case needs from outside: settings, the clock, the id source, the timezone and
this counter's device id. Built once by ``make_app`` (and by tests) and passed as the first
argument of each use case, so no service reads a global or the PC clock directly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo

from feetui.clock import Clock, IdSource, SystemClock, zone
from feetui.config import Settings
from feetui.db.connection import Database


@dataclass(frozen=True, slots=True)
class Services:
    """The context of the use cases."""

    settings: Settings
    """The app's settings (amount ceiling, device name ...)."""
    clock: Clock
    """The only clock services read (tests pass a fixed one)."""
    ids: IdSource
    """Where record ids come from (UUIDv7, ordered per device whatever the clock does)."""
    tz: tzinfo
    """The site's timezone, for business dates of new shifts."""
    device_id: str
    """This counter's id, from the open database."""

    @classmethod
    def build(cls, settings: Settings, db: Database, *, clock: Clock | None = None) -> Services:
        """Services over the open ``db``.

        Args:
            settings: the app's settings.
            db: the open database (gives the device id).
            clock: the clock to use; the system clock when omitted.

        Returns:
            The services context.
        """
        clock = clock or SystemClock()
        return cls(
            settings=settings,
            clock=clock,
            ids=IdSource(clock),
            tz=zone(settings.timezone),
            device_id=db.device_id,
        )


__all__ = ["Services"]
