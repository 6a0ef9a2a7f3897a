"""Records of the other counters of this site, as pulled from headquarters.

Another counter's journal record is kept exactly as it was pushed, in ``journal_entry`` under its
own device id and with no outbox row: it is never pushed from here, and it never joins this
counter's chain (every query of this counter's chain filters on its own device id). Its entry id
is its record id, so storing it twice is a no-op.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from feetui.sync.protocol import WireRecord, parse_record

log = logging.getLogger(__name__)

_INSERT = (
    "INSERT INTO journal_entry (id, device_id, seq, record_id, kind, payload_json, prev_hash,"
    " hash, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING"
)


async def store_foreign_record(
    conn: BaseDBAsyncClient, data: dict[str, Any], *, own_device_id: str
) -> WireRecord | None:
    """Keep another counter's pulled journal record (idempotent).

    Args:
        conn: the page's transaction.
        data: the record as HQ sent it (the wire form).
        own_device_id: this counter; its own records coming back are ignored.

    Returns:
        The record, or ``None`` when it is this counter's own.

    Raises:
        ProtocolError: the record is not a well-formed wire record.
    """
    record = parse_record(data, "journal")
    if record.device_id == own_device_id:
        return None
    if not record.hash_ok():
        # HQ raises the chain-break exception for it; here it is only kept as received.
        log.warning("foreign record %s of %s fails its hash", record.record_id, record.device_id)
    values = [
        record.record_id,
        record.device_id,
        record.seq,
        record.record_id,
        record.kind,
        record.payload_json,
        record.prev_hash,
        record.hash,
        _created_at(record),
    ]
    await conn.execute_query(_INSERT, values)
    return record


def _created_at(record: WireRecord) -> datetime:
    """The record's own ``created_at`` (aware UTC), or the epoch's start when it has none."""
    text = record.payload.get("created_at")
    if isinstance(text, str):
        try:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            parsed = None
        if parsed is not None and parsed.tzinfo is not None:
            return parsed.astimezone(UTC)
    return datetime(1970, 1, 1, tzinfo=UTC)


__all__ = ["store_foreign_record"]
