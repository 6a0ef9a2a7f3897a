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
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from feetui.db.models import Allocation, Charge, Payment, PrepaidEntry, Tender
from feetui.sync.protocol import parse_record

log = logging.getLogger(__name__)

_INSERT = (
    "INSERT INTO journal_entry (id, device_id, seq, record_id, kind, payload_json, prev_hash,"
    " hash, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING"
)

Projector = Callable[[BaseDBAsyncClient, dict[str, Any], datetime], Awaitable[bool]]


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
    created_at = _created_at(record.payload)
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
        return await projector(conn, payload, _created_at(payload))
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


async def _payment(conn: BaseDBAsyncClient, p: dict[str, Any], created_at: datetime) -> bool:
    """Another counter's payment, row for row as it wrote it (no receipt-number row)."""
    if await Payment.filter(id=p["id"]).using_db(conn).exists():
        return True
    if not await _references_present(conn, p):
        return False
    late = [row for row in p.get("late_fee_charges", []) if not await _charge_exists(conn, row)]
    if late:
        await Charge.bulk_create(
            [
                Charge(
                    **{**row, "due_date": date.fromisoformat(row["due_date"])},
                    origin_device_id=p["device_id"],
                    created_at=created_at,
                )
                for row in late
            ],
            using_db=conn,
        )
    await Payment.create(
        using_db=conn,
        id=p["id"],
        device_id=p["device_id"],
        shift_id=p["shift_id"],
        unit_id=p["unit_id"],
        cashier_id=p["cashier_id"],
        payer_name=p.get("payer_name", ""),
        business_date=date.fromisoformat(p["business_date"]),
        created_at=created_at,
        total_fen=p["total_fen"],
        prepaid_credit_fen=p.get("prepaid_credit_fen", 0),
        prepaid_used_fen=p.get("prepaid_used_fen", 0),
        receipt_no=str(p.get("receipt_no", "")),
    )
    await _payment_children(conn, p, created_at)
    return True


async def _payment_children(
    conn: BaseDBAsyncClient, p: dict[str, Any], created_at: datetime
) -> None:
    payment_id = p["id"]
    tender_fields = ("id", "method", "amount_fen", "tendered_fen", "change_fen", "reference")
    await Tender.bulk_create(
        [
            Tender(
                payment_id=payment_id,
                shift_id=p["shift_id"],
                **{k: t[k] for k in tender_fields if k in t},
            )
            for t in p["tenders"]
        ],
        using_db=conn,
    )
    if p.get("allocations"):
        await Allocation.bulk_create(
            [
                Allocation(
                    id=a["id"],
                    payment_id=payment_id,
                    charge_id=a["charge_id"],
                    amount_fen=a["amount_fen"],
                )
                for a in p["allocations"]
            ],
            using_db=conn,
        )
    if p.get("prepaid_entries"):
        await PrepaidEntry.bulk_create(
            [
                PrepaidEntry(
                    id=e["id"],
                    unit_id=p["unit_id"],
                    payment_id=payment_id,
                    kind=e["kind"],
                    amount_fen=e["amount_fen"],
                    created_at=created_at,
                )
                for e in p["prepaid_entries"]
            ],
            using_db=conn,
        )


async def _references_present(conn: BaseDBAsyncClient, p: dict[str, Any]) -> bool:
    """The unit, the cashier and every charge the payment pays are known here."""
    made_here = {row["id"] for row in p.get("late_fee_charges", [])}
    wanted = {a["charge_id"] for a in p.get("allocations", [])} - made_here
    wanted |= {row["parent_id"] for row in p.get("late_fee_charges", []) if row.get("parent_id")}
    checks = [
        ("unit", [p["unit_id"]]),
        ("user", [p["cashier_id"]]),
        ("charge", sorted(wanted)),
    ]
    for table, ids in checks:
        if ids and await _count(conn, table, ids) != len(ids):
            log.info("foreign payment %s waits for its %s", p["id"], table)
            return False
    return True


async def _count(conn: BaseDBAsyncClient, table: str, ids: list[str]) -> int:
    marks = ",".join("?" * len(ids))
    _, rows = await conn.execute_query(f"SELECT count(*) FROM {table} WHERE id IN ({marks})", ids)
    return int(rows[0][0])


async def _charge_exists(conn: BaseDBAsyncClient, row: dict[str, Any]) -> bool:
    return await Charge.filter(id=row["id"]).using_db(conn).exists()


def _created_at(payload: dict[str, Any]) -> datetime:
    """The record's own ``created_at`` (aware UTC), or the epoch's start when it has none."""
    text = payload.get("created_at")
    if isinstance(text, str):
        try:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            parsed = None
        if parsed is not None and parsed.tzinfo is not None:
            return parsed.astimezone(UTC)
    return datetime(1970, 1, 1, tzinfo=UTC)


PROJECTORS: dict[str, Projector] = {"payment": _payment}
"""Foreign record kinds written into the posted tables, by kind."""
PROJECTED_TABLES = {"payment": "payment"}
"""The table holding a projected record of each kind under the record's id."""

__all__ = ["PROJECTED_TABLES", "PROJECTORS", "project", "project_pending", "store_foreign_record"]
