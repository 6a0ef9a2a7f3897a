"""Another counter's records written into this counter's tables, row for row.

Each projector reads the journal payload the other counter wrote (docs/ARCHITECTURE.md, "Journal
record kinds") and writes the same rows under the same ids, so every counter of a site holds the
same payments, reversals, refunds, adjustments and charges and computes the same balances. Receipt
number rows are not copied: a receipt series belongs to its device.

A projector returns False, writing nothing, while a row it points at (unit, user, charge, the
voided payment) is not here yet; :func:`feetui.sync.foreign.project_pending` tries again later.
It returns True when the record is written, or already was.

Besides money, a ``unit_tags`` record (resident tags set at another window) is written as the
same ``unit_tag_change`` row, and the unit takes the tags of its latest change by the rule of
:mod:`feetui.core.tags` (:func:`feetui.db.unit_tags.settle_unit_tags`), so every window of the
site ends with the same tags, whatever order the changes arrive in.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from feetui.core.errors import FeeError
from feetui.db.models import (
    Adjustment,
    Allocation,
    Charge,
    MeterReading,
    Payment,
    PrepaidEntry,
    Refund,
    Tender,
    UnitTagChange,
    Void,
)
from feetui.db.models.base import PrepaidKind
from feetui.db.unit_tags import settle_unit_tags

log = logging.getLogger(__name__)

Projector = Callable[[BaseDBAsyncClient, dict[str, Any], datetime], Awaitable[bool]]
_TENDER_FIELDS = ("id", "method", "amount_fen", "tendered_fen", "change_fen", "reference")
_CHARGE_FIELDS = (
    "id",
    "unit_id",
    "fee_item_id",
    "parent_id",
    "origin_device_id",
    "period",
    "period_start",
    "period_end",
    "amount_fen",
    "source",
    "note",
)


async def _present(conn: BaseDBAsyncClient, table: str, ids: set[str], record: str) -> bool:
    """True when every id of ``ids`` has a row in ``table``."""
    wanted = sorted(i for i in ids if i)
    if not wanted:
        return True
    marks = ",".join("?" * len(wanted))
    _, rows = await conn.execute_query(
        f"SELECT count(*) FROM {table} WHERE id IN ({marks})", wanted
    )
    if int(rows[0][0]) == len(wanted):
        return True
    log.info("foreign record %s waits for its %s", record, table)
    return False


async def _all_present(conn: BaseDBAsyncClient, record: str, **wanted: set[str]) -> bool:
    for table, ids in wanted.items():
        if not await _present(conn, table, ids, record):
            return False
    return True


def _charge(row: dict[str, Any], created_at: datetime, device_id: str) -> Charge:
    values = {key: row[key] for key in _CHARGE_FIELDS if key in row}
    for key in ("period_start", "period_end"):
        if values.get(key):
            values[key] = date.fromisoformat(values[key])
    values.setdefault("origin_device_id", device_id)
    return Charge(**values, due_date=date.fromisoformat(row["due_date"]), created_at=created_at)


async def _new_charges(
    conn: BaseDBAsyncClient, rows: list[dict[str, Any]], created_at: datetime, device_id: str
) -> None:
    """Charges a record made (late fees of a payment, a one-off charge), unless already here."""
    fresh = [r for r in rows if not await Charge.filter(id=r["id"]).using_db(conn).exists()]
    if fresh:
        await Charge.bulk_create([_charge(r, created_at, device_id) for r in fresh], using_db=conn)


async def _children(
    conn: BaseDBAsyncClient, p: dict[str, Any], created_at: datetime, **link: str | None
) -> None:
    """Tenders, allocations and prepaid entries of a payment or of its void."""
    await Tender.bulk_create(
        [
            Tender(**link, shift_id=p["shift_id"], **{k: t[k] for k in _TENDER_FIELDS if k in t})
            for t in p.get("tenders", [])
        ],
        using_db=conn,
    )
    await Allocation.bulk_create(
        [
            Allocation(**link, id=a["id"], charge_id=a["charge_id"], amount_fen=a["amount_fen"])
            for a in p.get("allocations", [])
        ],
        using_db=conn,
    )
    await PrepaidEntry.bulk_create(
        [
            PrepaidEntry(
                **link,
                id=e["id"],
                unit_id=p["unit_id"],
                kind=e["kind"],
                amount_fen=e["amount_fen"],
                created_at=created_at,
            )
            for e in p.get("prepaid_entries", [])
        ],
        using_db=conn,
    )


async def project_payment(conn: BaseDBAsyncClient, p: dict[str, Any], at: datetime) -> bool:
    """A payment with its late-fee charges, tenders, allocations and prepaid entries."""
    if await Payment.filter(id=p["id"]).using_db(conn).exists():
        return True
    late = p.get("late_fee_charges", [])
    made = {row["id"] for row in late}
    charges = {a["charge_id"] for a in p.get("allocations", [])} - made
    charges |= {row.get("parent_id") or "" for row in late}
    if not await _all_present(
        conn, p["id"], unit={p["unit_id"]}, user={p["cashier_id"]}, charge=charges
    ):
        return False
    await _new_charges(conn, late, at, p["device_id"])
    await Payment.create(
        using_db=conn,
        id=p["id"],
        device_id=p["device_id"],
        shift_id=p["shift_id"],
        unit_id=p["unit_id"],
        cashier_id=p["cashier_id"],
        payer_name=p.get("payer_name", ""),
        business_date=date.fromisoformat(p["business_date"]),
        created_at=at,
        total_fen=p["total_fen"],
        prepaid_credit_fen=p.get("prepaid_credit_fen", 0),
        prepaid_used_fen=p.get("prepaid_used_fen", 0),
        receipt_no=str(p.get("receipt_no", "")),
    )
    await _children(conn, p, at, payment_id=p["id"])
    return True


async def project_void(conn: BaseDBAsyncClient, p: dict[str, Any], at: datetime) -> bool:
    """A void and its reversal rows (tenders, allocations, prepaid entries, all negative)."""
    if await Void.filter(id=p["id"]).using_db(conn).exists():
        return True
    charges = {a["charge_id"] for a in p.get("allocations", [])}
    users = {p["cashier_id"], p["approver_id"]}
    if not await _all_present(conn, p["id"], payment={p["payment_id"]}, user=users, charge=charges):
        return False
    if await Void.filter(payment_id=p["payment_id"]).using_db(conn).exists():
        # Two counters voided the same payment offline: the first void here stands, the second
        # is kept in the journal only (HQ holds both and reports them).
        log.warning(
            "payment %s already voided here; void %s not projected", p["payment_id"], p["id"]
        )
        return True
    await Void.create(
        using_db=conn,
        id=p["id"],
        payment_id=p["payment_id"],
        reason=p["reason"],
        approver_id=p["approver_id"],
        cashier_id=p["cashier_id"],
        device_id=p["device_id"],
        shift_id=p["shift_id"],
        business_date=date.fromisoformat(p["business_date"]),
        created_at=at,
        receipt_no=str(p.get("receipt_no", "")),
    )
    await _children(conn, p, at, payment_id=p["payment_id"], void_id=p["id"])
    return True


async def project_refund(conn: BaseDBAsyncClient, p: dict[str, Any], at: datetime) -> bool:
    """A refund of prepaid balance and its (negative) prepaid entry."""
    if await Refund.filter(id=p["id"]).using_db(conn).exists():
        return True
    users = {p["cashier_id"], p["approver_id"]}
    if not await _all_present(conn, p["id"], unit={p["unit_id"]}, user=users):
        return False
    await Refund.create(
        using_db=conn,
        id=p["id"],
        unit_id=p["unit_id"],
        amount_fen=p["amount_fen"],
        method=p["method"],
        reason=p["reason"],
        approver_id=p["approver_id"],
        cashier_id=p["cashier_id"],
        device_id=p["device_id"],
        shift_id=p["shift_id"],
        business_date=date.fromisoformat(p["business_date"]),
        created_at=at,
    )
    await PrepaidEntry.create(
        using_db=conn,
        id=p["prepaid_entry_id"],
        unit_id=p["unit_id"],
        amount_fen=-p["amount_fen"],
        kind=PrepaidKind.REFUND,
        refund_id=p["id"],
        created_at=at,
    )
    return True


async def project_adjustment(conn: BaseDBAsyncClient, p: dict[str, Any], at: datetime) -> bool:
    """An approved waiver or discount of a charge."""
    if await Adjustment.filter(id=p["id"]).using_db(conn).exists():
        return True
    users = {p["requested_by_id"], p["approver_id"]}
    if not await _all_present(conn, p["id"], charge={p["charge_id"]}, user=users):
        return False
    await Adjustment.create(
        using_db=conn,
        id=p["id"],
        charge_id=p["charge_id"],
        kind=p["kind"],
        amount_fen=p["amount_fen"],
        reason=p["reason"],
        approver_id=p["approver_id"],
        requested_by_id=p["requested_by_id"],
        device_id=p["device_id"],
        shift_id=p.get("shift_id"),
        business_date=date.fromisoformat(p["business_date"]),
        created_at=at,
    )
    return True


async def project_charge(conn: BaseDBAsyncClient, p: dict[str, Any], at: datetime) -> bool:
    """A one-off charge another counter made."""
    if await Charge.filter(id=p["id"]).using_db(conn).exists():
        return True
    if not await _all_present(conn, p["id"], unit={p["unit_id"]}, fee_item={p["fee_item_id"]}):
        return False
    await _new_charges(conn, [p], at, p["device_id"])
    return True


async def project_meter_reading(conn: BaseDBAsyncClient, p: dict[str, Any], at: datetime) -> bool:
    """A meter reading and the usage charge it billed."""
    if await MeterReading.filter(id=p["id"]).using_db(conn).exists():
        return True
    if not await _all_present(
        conn,
        p["id"],
        unit={p["unit_id"]},
        fee_item={p["fee_item_id"]},
        user={p["recorded_by_id"]},
    ):
        return False
    charge = p["charge"]
    await _new_charges(conn, [charge], at, p["device_id"])
    await MeterReading.create(
        using_db=conn,
        id=p["id"],
        unit_id=p["unit_id"],
        fee_item_id=p["fee_item_id"],
        meter_no=p.get("meter_no", ""),
        read_on=date.fromisoformat(p["read_on"]),
        previous_centi=p["previous_centi"],
        current_centi=p["current_centi"],
        rollover_centi=p.get("rollover_centi", 0),
        usage_centi=p["usage_centi"],
        charge_id=charge["id"],
        recorded_by_id=p["recorded_by_id"],
        device_id=p["device_id"],
        created_at=at,
    )
    return True


async def project_unit_tags(conn: BaseDBAsyncClient, p: dict[str, Any], at: datetime) -> bool:
    """A tag change of a unit: its history row, then the unit's tags by the latest change."""
    if await UnitTagChange.filter(id=p["id"]).using_db(conn).exists():
        return True
    if not await _all_present(conn, p["id"], unit={p["unit_id"]}, user={p["user_id"]}):
        return False
    await UnitTagChange.create(
        using_db=conn,
        id=p["id"],
        unit_id=p["unit_id"],
        tags_before=p.get("tags_before", ""),
        tags_after=p["tags_after"],
        user_id=p["user_id"],
        device_id=p["device_id"],
        created_at=at,
    )
    try:
        await settle_unit_tags(conn, p["unit_id"])
    except FeeError as error:
        # Too many tags for the column with HQ's own: the history row stands, the unit keeps its.
        log.warning("tags of unit %s not changed by %s: %s", p["unit_id"], p["id"], error.code)
    return True


PROJECTORS: dict[str, Projector] = {
    "payment": project_payment,
    "void": project_void,
    "refund": project_refund,
    "adjustment": project_adjustment,
    "charge": project_charge,
    "meter_reading": project_meter_reading,
    "unit_tags": project_unit_tags,
}
"""Foreign record kinds written into this counter's tables, by kind. Other kinds (shifts, cash
movements, follow-ups ...) belong to their counter and are kept in the journal only."""
PROJECTED_TABLES: dict[str, str] = {
    "payment": "payment",
    "void": "void",
    "refund": "refund",
    "adjustment": "adjustment",
    "charge": "charge",
    "meter_reading": "meter_reading",
    "unit_tags": "unit_tag_change",
}
"""The table holding a projected record of each kind under the record's id."""

__all__ = ["PROJECTED_TABLES", "PROJECTORS", "Projector"]
