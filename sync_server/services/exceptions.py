"""Exceptions HQ's report lists: integrity alarms and business flags, each naming its device.

Nothing here refuses a record. Each exception has a ``dedupe_key`` so that re-pushing the same
records (or two processes noticing the same thing) records it once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sync_server.db.connection import Tx
from sync_server.services.changes import dumps

KINDS = (
    "conflict",
    "chain_break",
    "seq_gap",
    "receipt_gap",
    "receipt_repeat",
    "late",
    "clock_skew",
    "overpaid",
    "over_short",
    "unprojected",
)


@dataclass(frozen=True, slots=True)
class Exception_:
    """One exception to record."""

    kind: str
    dedupe_key: str
    site_id: str | None
    device_id: str | None
    seq: int | None
    record_id: str | None
    detail: dict[str, Any]


async def record_exceptions(tx: Tx, items: list[Exception_], *, at: str) -> None:
    """Insert exceptions not recorded before (same ``dedupe_key`` → nothing happens)."""
    for item in items:
        await tx.execute(
            "INSERT INTO exceptions (dedupe_key, kind, site_id, device_id, seq, record_id, detail,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (dedupe_key) DO NOTHING",
            item.dedupe_key,
            item.kind,
            item.site_id,
            item.device_id,
            item.seq,
            item.record_id,
            dumps(item.detail),
            at,
        )


async def resolve_gaps(tx: Tx, *, device_id: str, up_to_seq: int, at: str) -> None:
    """Close the open sequence-gap exceptions of a device that its acknowledgement has passed."""
    await tx.execute(
        "UPDATE exceptions SET resolved_at = ? WHERE kind = 'seq_gap' AND device_id = ?"
        " AND seq <= ? AND resolved_at IS NULL",
        at,
        device_id,
        up_to_seq,
    )


__all__ = ["KINDS", "Exception_", "record_exceptions", "resolve_gaps"]
