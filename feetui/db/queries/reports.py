"""Reads behind the shift report, the daily report (收费日报表) and the drawer's expected cash.

A report covers a :class:`Scope`: one shift, or one business date (for one device or for every
device this counter knows of). Payments count in the scope of their own shift and date; a void
counts in the scope of the *void* (its shift and date), with the negative tenders and allocations
it wrote, so a payment taken yesterday and voided today lowers today's report, never yesterday's
printed one. Everything here is a plain read; the sums are done by the services and core.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from tortoise import connections

from feetui.core.money import Money
from feetui.db.models.base import CashMovementKind, TenderMethod


@dataclass(frozen=True, slots=True)
class Scope:
    """What a report covers: one shift, or one business date (of one device or all of them)."""

    shift_id: str | None = None
    business_date: date | None = None
    device_id: str | None = None

    @classmethod
    def of_shift(cls, shift_id: str) -> Scope:
        """The records of one shift."""
        return cls(shift_id=shift_id)

    @classmethod
    def of_day(cls, business_date: date, device_id: str | None = None) -> Scope:
        """The records of one business date, of ``device_id`` or of every device."""
        return cls(business_date=business_date, device_id=device_id)

    def where(self, alias: str) -> tuple[str, list[Any]]:
        """An SQL condition on ``alias`` (payment, void, refund, adjustment), with its params."""
        if self.shift_id is not None:
            return f"{alias}.shift_id = ?", [self.shift_id]
        if self.business_date is None:
            raise ValueError("a scope needs a shift or a business date")
        sql, params = f"{alias}.business_date = ?", [self.business_date.isoformat()]
        if self.device_id is not None:
            sql, params = f"{sql} AND {alias}.device_id = ?", [*params, self.device_id]
        return sql, params


@dataclass(frozen=True, slots=True)
class RecordRow:
    """A payment, or the void of one, in the scope."""

    record_id: str
    is_void: bool
    payment_id: str
    receipt_no: str
    unit_id: str
    device_id: str
    voided: bool
    """For a payment: voided (at any time, in any shift)."""


@dataclass(frozen=True, slots=True)
class TenderRow:
    """A tender of a payment, or of a void's reversal (negative), in the scope."""

    record_id: str
    method: str
    amount: Money


@dataclass(frozen=True, slots=True)
class AllocationRow:
    """Part of a payment (or of a void's reversal, negative) applied to a charge."""

    record_id: str
    fee_item_id: str
    fee_item_name: str
    is_late_fee: bool
    amount: Money


@dataclass(frozen=True, slots=True)
class ReceiptRow:
    """An issued receipt number: a payment's receipt or a void slip."""

    series_id: str
    number: int
    text: str
    payment_id: str | None
    void_id: str | None


@dataclass(frozen=True, slots=True)
class CashMovementRow:
    """A pay-in, pay-out or bank deposit of a shift."""

    movement_id: str
    kind: str
    amount: Money
    reason: str
    slip_no: str


@dataclass(frozen=True, slots=True)
class DrawerFigures:
    """Every figure the expected cash of a shift is made of, from the shift's own records."""

    opening_float: Money
    cash_tendered: Money
    change_given: Money
    cash_refunds: Money
    pay_ins: Money
    pay_outs: Money
    deposits: Money


def _both(scope: Scope, payment_sql: str, void_sql: str) -> tuple[str, list[Any]]:
    """``payment_sql`` (over ``p``) UNION ALL ``void_sql`` (over ``v``), each with its scope."""
    p_where, p_params = scope.where("p")
    v_where, v_params = scope.where("v")
    sql = f"{payment_sql} AND {p_where} UNION ALL {void_sql} AND {v_where}"
    return sql, [*p_params, *v_params]


async def _rows(sql: str, params: list[Any]) -> list[tuple]:
    _, rows = await connections.get("default").execute_query(sql, params)
    return [tuple(row) for row in rows]


async def list_records(scope: Scope) -> list[RecordRow]:
    """Payments and voids of the scope, in the order they were posted."""
    voided = "EXISTS (SELECT 1 FROM void x WHERE x.payment_id = p.id)"
    sql, params = _both(
        scope,
        f"SELECT p.id, 0, p.id, p.receipt_no, p.unit_id, p.device_id, {voided}, p.created_at "
        "FROM payment p WHERE 1 = 1",
        "SELECT v.id, 1, v.payment_id, v.receipt_no, p.unit_id, v.device_id, 0, v.created_at "
        "FROM void v JOIN payment p ON p.id = v.payment_id WHERE 1 = 1",
    )
    rows = await _rows(f"{sql} ORDER BY 8, 1", params)
    return [RecordRow(r[0], bool(r[1]), r[2], r[3], r[4], r[5], bool(r[6])) for r in rows]


async def list_tender_rows(scope: Scope) -> list[TenderRow]:
    """Tenders of the scope's payments and of its voids' reversals, in posting order."""
    sql, params = _both(
        scope,
        "SELECT t.payment_id, t.method, t.amount_fen, t.id FROM tender t "
        "JOIN payment p ON p.id = t.payment_id WHERE t.void_id IS NULL",
        "SELECT t.void_id, t.method, t.amount_fen, t.id FROM tender t "
        "JOIN void v ON v.id = t.void_id WHERE 1 = 1",
    )
    rows = await _rows(f"{sql} ORDER BY 4", params)
    return [TenderRow(r[0], r[1], Money(r[2])) for r in rows]


async def list_allocation_rows(scope: Scope) -> list[AllocationRow]:
    """Allocations of the scope's payments and of its voids' reversals, in posting order."""
    item = (
        "f.id, f.name, c.source = 'late_fee', a.amount_fen, a.id FROM allocation a "
        "JOIN charge c ON c.id = a.charge_id JOIN fee_item f ON f.id = c.fee_item_id"
    )
    sql, params = _both(
        scope,
        f"SELECT a.payment_id, {item} JOIN payment p ON p.id = a.payment_id "
        "WHERE a.void_id IS NULL",
        f"SELECT a.void_id, {item} JOIN void v ON v.id = a.void_id WHERE 1 = 1",
    )
    rows = await _rows(f"{sql} ORDER BY 6", params)
    return [AllocationRow(r[0], r[1], r[2], bool(r[3]), Money(r[4])) for r in rows]


async def list_receipt_numbers(scope: Scope) -> list[ReceiptRow]:
    """Receipt numbers issued in the scope (receipts and void slips), by series and number."""
    sql, params = _both(
        scope,
        "SELECT r.series_id, r.number, r.text, r.payment_id, r.void_id FROM receipt_number r "
        "JOIN payment p ON p.id = r.payment_id WHERE 1 = 1",
        "SELECT r.series_id, r.number, r.text, r.payment_id, r.void_id FROM receipt_number r "
        "JOIN void v ON v.id = r.void_id WHERE 1 = 1",
    )
    return [ReceiptRow(*r) for r in await _rows(f"{sql} ORDER BY 1, 2", params)]


async def list_series_numbers(series_id: str, first: int, last: int) -> list[ReceiptRow]:
    """Every number of ``series_id`` issued between ``first`` and ``last`` (inclusive)."""
    rows = await _rows(
        "SELECT series_id, number, text, payment_id, void_id FROM receipt_number "
        "WHERE series_id = ? AND number BETWEEN ? AND ? ORDER BY number",
        [series_id, first, last],
    )
    return [ReceiptRow(*r) for r in rows]


async def get_refund_totals(scope: Scope) -> tuple[Money, int]:
    """All refunds of the scope: their total and how many."""
    where, params = scope.where("r")
    rows = await _rows(
        f"SELECT COALESCE(SUM(r.amount_fen), 0), COUNT(*) FROM refund r WHERE {where}", params
    )
    return Money(rows[0][0]), rows[0][1]


async def get_waiver_total(scope: Scope) -> tuple[Money, int]:
    """Waivers and discounts (adjustments) of the scope: their total and how many."""
    where, params = scope.where("j")
    rows = await _rows(
        f"SELECT COALESCE(SUM(j.amount_fen), 0), COUNT(*) FROM adjustment j WHERE {where}", params
    )
    return Money(rows[0][0]), rows[0][1]


async def list_cash_movements(shift_id: str) -> list[CashMovementRow]:
    """The pay-ins, pay-outs and deposits of a shift, in the order they were made."""
    rows = await _rows(
        "SELECT id, kind, amount_fen, reason, slip_no FROM cash_movement WHERE shift_id = ? "
        "ORDER BY created_at, id",
        [shift_id],
    )
    return [CashMovementRow(r[0], r[1], Money(r[2]), r[3], r[4]) for r in rows]


_SUM = "COALESCE((SELECT SUM({column}) FROM {table} x WHERE x.shift_id = s.id AND x.{key} = ?), 0)"
_DRAWER = "SELECT s.opening_float_fen, {} FROM shift s WHERE s.id = ?".format(
    ", ".join(
        _SUM.format(column=column, table=table, key=key)
        for column, table, key in (
            ("tendered_fen", "tender", "method"),
            ("change_fen", "tender", "method"),
            ("amount_fen", "refund", "method"),
            ("amount_fen", "cash_movement", "kind"),
            ("amount_fen", "cash_movement", "kind"),
            ("amount_fen", "cash_movement", "kind"),
        )
    )
)


async def get_drawer_figures(shift_id: str) -> DrawerFigures | None:
    """The cash figures of a shift's drawer from its own records (``None``: no such shift).

    Cash tenders of the shift include the negative reversals of cash payments voided in it (a
    tender's ``shift_id`` is the drawer it moved), so a void gives its cash back here.
    """
    cash = TenderMethod.CASH
    kinds = (CashMovementKind.PAY_IN, CashMovementKind.PAY_OUT, CashMovementKind.DEPOSIT)
    rows = await _rows(_DRAWER, [cash, cash, cash, *kinds, shift_id])
    if not rows:
        return None
    return DrawerFigures(*(Money(value) for value in rows[0]))


async def get_method_totals(shift_id: str) -> dict[str, Money]:
    """What the shift's tenders add up to per method (reversals of voids included)."""
    rows = await _rows(
        "SELECT method, SUM(amount_fen) FROM tender WHERE shift_id = ? GROUP BY method",
        [shift_id],
    )
    return {method: Money(fen) for method, fen in rows}


# Shifts are ordered by their place in the device's journal, not by the PC clock, which may jump
# backwards (R19): the journal sequence is the order in which they really happened.
_SHIFTS_IN_ORDER = (
    "SELECT s.id FROM shift s JOIN journal_entry j ON j.record_id = s.id "
    "WHERE s.device_id = ? {extra} ORDER BY j.seq"
)


async def list_device_shifts(device_id: str, business_date: date) -> list[str]:
    """Ids of the device's shifts of a business date, in opening order (numbers them 1, 2 ...)."""
    sql = _SHIFTS_IN_ORDER.format(extra="AND s.business_date = ?")
    rows = await _rows(sql, [device_id, business_date.isoformat()])
    return [r[0] for r in rows]


async def get_latest_shift_id(device_id: str) -> str | None:
    """The device's most recently opened shift, or ``None`` before the first."""
    rows = await _rows(_SHIFTS_IN_ORDER.format(extra="") + " DESC LIMIT 1", [device_id])
    return rows[0][0] if rows else None


async def find_shift_ids(device_id: str, *, prefix: str = "", ordinal: int = 0) -> list[str]:
    """Shifts of the device whose id starts with ``prefix``, or the ``ordinal``-th (from 1)."""
    if ordinal:
        sql = _SHIFTS_IN_ORDER.format(extra="") + " LIMIT 1 OFFSET ?"
        rows = await _rows(sql, [device_id, ordinal - 1])
    else:
        rows = await _rows(
            "SELECT id FROM shift WHERE device_id = ? AND id >= ? AND id < ? ORDER BY id LIMIT 2",
            [device_id, prefix, prefix + "\uffff"],
        )
    return [r[0] for r in rows]


__all__ = [
    "AllocationRow",
    "CashMovementRow",
    "DrawerFigures",
    "ReceiptRow",
    "RecordRow",
    "Scope",
    "TenderRow",
    "find_shift_ids",
    "get_drawer_figures",
    "get_latest_shift_id",
    "get_method_totals",
    "get_refund_totals",
    "get_waiver_total",
    "list_allocation_rows",
    "list_cash_movements",
    "list_device_shifts",
    "list_receipt_numbers",
    "list_records",
    "list_series_numbers",
    "list_tender_rows",
]
