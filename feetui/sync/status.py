"""How this counter stands with headquarters, as plain values the sync badge can show.

Kept apart from the service so that widgets may import it (widgets never import the database).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from feetui.core.errors import FeeError


class SyncMode(StrEnum):
    """How this counter stands with headquarters."""

    STANDALONE = "standalone"
    """No server configured: the counter never syncs (a one-window company)."""
    NOT_ENROLLED = "not_enrolled"
    """A server is configured but this counter has no token yet (``feetui enroll``)."""
    STARTING = "starting"
    """Enrolled; no round has finished yet."""
    ONLINE = "online"
    """The last round reached headquarters."""
    OFFLINE = "offline"
    """The last round failed; it is retried with backoff."""
    ALARM = "alarm"
    """Headquarters holds one of our ids with other content: pushing has stopped."""


@dataclass(frozen=True, slots=True)
class SyncStatus:
    """What the badge shows.

    Attributes:
        mode: the state in one word.
        waiting: records not yet acknowledged by headquarters.
        last_success: when a round last reached headquarters (aware UTC), if ever.
        alarm: the integrity alarm text, empty when none.
        error: the last failure (a :class:`FeeError` with code and message id), if the last
            round failed.
    """

    mode: SyncMode
    waiting: int = 0
    last_success: datetime | None = None
    alarm: str = ""
    error: FeeError | None = None


__all__ = ["SyncMode", "SyncStatus"]
