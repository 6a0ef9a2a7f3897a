"""Instants written as ISO-8601 text in records and changes (``created_at`` ...)."""

from __future__ import annotations

from datetime import UTC, datetime


def parse_instant(text: object) -> datetime | None:
    """The aware instant (in UTC) that ISO text with ``Z`` or an offset names; ``None`` for
    anything else (not text, not ISO, or without a zone: such a time names no instant)."""
    if not isinstance(text, str):
        return None
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.astimezone(UTC) if parsed.tzinfo is not None else None


__all__ = ["parse_instant"]
