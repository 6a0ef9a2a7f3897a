"""Records of the other counters of this site, as pulled from headquarters.

Another counter's journal record is kept exactly as it was pushed, in ``journal_entry`` under its
own device id and with no outbox row: it is never pushed from here, and it never joins this
counter's chain (every query of this counter's chain filters on its own device id). Its entry id
is its record id, so storing it twice is a no-op.

Money records are also *projected* into the posted tables (payment, tender, allocation, prepaid
entry, the late-fee charges a payment created), exactly as the other counter wrote them, so two
windows of one site see each other's payments and every counter holds the same rows. When two
counters paid the same charge offline, both payments stand and the charge is over-allocated; the
balance queries count that excess as the unit's prepaid balance (RELIABILITY R13), on every
counter alike. The receipt number row is not copied: receipt series belong to their device.

A record whose unit, cashier or charges are not here yet stays stored but unprojected;
:func:`project_pending` tries again after later master data arrived.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from feetui.core.instants import parse_instant
from feetui.sync.projections import PROJECTED_TABLES, PROJECTORS
from feetui.sync.protocol import parse_record

log = logging.getLogger(__name__)

_INSERT = (
    "INSERT INTO journal_entry (id, device_id, seq, record_id, kind, payload_json, prev_hash,"
    " hash, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING"
)


async def store_foreign_record(
    conn: BaseDBAsyncClient, data: dict[str, Any], *, own_device_id: str
) -> bool:
    """Keep another counter's pulled journal record (idempotent) and project it if it is money.

    Args:
        conn: the page's transaction.
        data: the record as HQ sent it (the wire form).
        own_device_id: this counter; its own records coming back are ignored.

    Returns:
        False when the record is stored but waits for master data before it can be projected.

    Raises:
        ProtocolError: the record is not a well-formed wire record.
    """
    record = parse_record(data, "journal")
    if record.device_id == own_device_id:
        return True
    if not record.hash_ok():
        # HQ raises the chain-break exception for it; here it is only kept as received.
        log.warning("foreign record %s of %s fails its hash", record.record_id, record.device_id)
    created_at = created_at_of(record.payload)
    values = [
        record.record_id,
        record.device_id,
        record.seq,
        record.record_id,
        record.kind,
        record.payload_json,
        record.prev_hash,
        record.hash,
        created_at,
    ]
    await conn.execute_query(_INSERT, values)
    return await project(conn, record.kind, record.record_id, record.payload)


async def project(
    conn: BaseDBAsyncClient, kind: str, record_id: str, payload: dict[str, Any]
) -> bool:
    """Write the posted rows of a foreign money record unless they are there already.

    Returns:
        True when projected (or nothing to project), False when its references are missing.
    """
    projector = PROJECTORS.get(kind)
    if projector is None:
        return True
    try:
        return await projector(conn, payload, created_at_of(payload))
    except (KeyError, TypeError, ValueError) as error:
        # A payload of another shape than this version reads: kept, logged, never blocking.
        log.warning("foreign %s %s not projected: %r", kind, record_id, error)
        return True


async def project_pending(conn: BaseDBAsyncClient, *, own_device_id: str) -> int:
    """Project the stored foreign records still waiting for master data; returns how many are
    still waiting afterwards."""
    waiting = 0
    for kind, table in PROJECTED_TABLES.items():
        _, rows = await conn.execute_query(
            f"SELECT j.record_id, j.payload_json FROM journal_entry j WHERE j.kind = ?"
            f" AND j.device_id <> ? AND NOT EXISTS (SELECT 1 FROM {table} t"
            " WHERE t.id = j.record_id) ORDER BY j.device_id, j.seq",
            [kind, own_device_id],
        )
        for record_id, payload_json in rows:
            if not await project(conn, kind, record_id, json.loads(payload_json)):
                waiting += 1
    return waiting


def created_at_of(payload: dict[str, Any]) -> datetime:
    """The record's own ``created_at`` (aware UTC), or the epoch's start when it has none."""
    return parse_instant(payload.get("created_at")) or datetime(1970, 1, 1, tzinfo=UTC)


__all__ = ["created_at_of", "project", "project_pending", "store_foreign_record"]
