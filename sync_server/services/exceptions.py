"""Exceptions HQ's report lists: integrity alarms and business flags, each naming its device.

Nothing here refuses a record. Each exception has a ``dedupe_key`` so that re-pushing the same
records (or two processes noticing the same thing) records it once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sync_server.db.connection import Table, Tx
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
    "expected_cash_mismatch",
    "method_total_mismatch",
    "unprojected",
    "scanpay_unresolved",
)


EXCEPTIONS = Table(
    "exceptions",
    (("dedupe_key", "text"), ("kind", "text"), ("site_id", "text"), ("device_id", "text"),
     ("seq", "bigint"), ("record_id", "text"), ("detail", "text"), ("created_at", "text")),
)  # fmt: skip


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
    """Insert exceptions not recorded before (same ``dedupe_key`` → nothing happens).

    One bulk insert for the whole list: a counter that was offline for days pushes batches in
    which every record is flagged late.
    """
    await tx.insert_rows(
        EXCEPTIONS,
        [
            (item.dedupe_key, item.kind, item.site_id, item.device_id, item.seq, item.record_id,
             dumps(item.detail), at)
            for item in items
        ],
    )  # fmt: skip


async def resolve_gaps(tx: Tx, *, site_id: str, device_id: str, up_to_seq: int, at: str) -> None:
    """Close the open sequence-gap exceptions of a device that its acknowledgement has passed.

    ``site_id`` (the device's site, which its gaps carry) lets the query use the exceptions'
    ``(site_id, kind)`` index instead of reading every exception on every push.
    """
    await tx.execute(
        "UPDATE exceptions SET resolved_at = ? WHERE site_id = ? AND kind = 'seq_gap'"
        " AND device_id = ? AND seq <= ? AND resolved_at IS NULL",
        at,
        site_id,
        device_id,
        up_to_seq,
    )


__all__ = ["KINDS", "Exception_", "record_exceptions", "resolve_gaps"]
