"""The server's clock: a function returning an aware UTC datetime (tests pass a fixed one)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The machine's current instant, aware, in UTC."""
    return datetime.now(UTC)


def iso(instant: datetime) -> str:
    """ISO-8601 text of an aware instant in UTC with microseconds, so text order is time order."""
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


__all__ = ["Clock", "iso", "utc_now"]
