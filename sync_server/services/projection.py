"""Turn journal records into the rows of HQ's report tables: pure, no I/O.

Each kind's projector reads its payload (see docs/ARCHITECTURE.md "Journal record kinds") and
appends rows to a :class:`Rows` batch, which :mod:`sync_server.services.consolidate` then writes
with one multi-row insert per table. A payload without what its kind needs raises
:class:`Unprojectable`; the record stays in the journal and the caller raises an exception.

Fields read: every record ``created_at``, ``business_date``, ``shift_id``, ``unit_id``; payment
``tenders`` (``id``, ``method``, ``amount_fen``), ``allocations`` (``id``, ``charge_id``,
``amount_fen``) and ``late_fee_charges``; void ``payment_id`` and its reversal ``tenders`` and
``allocations``; refund ``amount_fen``, ``method``; adjustment ``charge_id``, ``amount_fen``,
``kind``; charge ``id``, ``unit_id``, ``fee_item_id``, ``period``, ``amount_fen``, ``due_date``;
meter_reading ``charge``; shift_open/shift_close ``id`` (or ``shift_id``), ``cashier_name``,
``opened_at``; shift_close ``expected_fen``, ``counted_fen``; cash_movement ``kind``,
``amount_fen``, ``reason``, ``slip_no``, ``cashier_name``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from feetui.core.instants import parse_instant
from feetui.sync.protocol import WireRecord

PREPAID = "prepaid"
"""The tender method of a payment from the unit's prepaid balance (no money changes hands)."""


class Unprojectable(ValueError):
    """A payload lacks a field its kind needs."""


@dataclass
class Rows:
    """Rows to insert for one batch of records, one list per table (tuples in column order)."""

    site_id: str
    money_lines: list[tuple[Any, ...]] = field(default_factory=list)
    allocations: list[tuple[Any, ...]] = field(default_factory=list)
    charges: list[tuple[Any, ...]] = field(default_factory=list)
    voids: list[tuple[Any, ...]] = field(default_factory=list)
    adjustments: list[tuple[Any, ...]] = field(default_factory=list)
    shift_opens: list[tuple[Any, ...]] = field(default_factory=list)
    shift_closes: list[tuple[Any, ...]] = field(default_factory=list)
    cash_movements: list[tuple[Any, ...]] = field(default_factory=list)
    charged: dict[str, WireRecord] = field(default_factory=dict)
    """Charge ids that received allocations, with the last record that allocated to each."""

    _lists: tuple[list[tuple[Any, ...]], ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._lists = (
            self.money_lines, self.allocations, self.charges, self.voids, self.adjustments,
            self.shift_opens, self.shift_closes, self.cash_movements,
        )  # fmt: skip

    def project(self, projector: Callable[[Rows, WireRecord], None], record: WireRecord) -> None:
        """Add one record's rows, whole or not at all: a projector that raises
        :class:`Unprojectable` part way leaves no row of that record behind."""
        mark = tuple(map(len, self._lists))
        allocated_before = mark[1]
        try:
            projector(self, record)
        except Unprojectable:
            for rows, length in zip(self._lists, mark, strict=True):
                del rows[length:]
            raise
        for row in self.allocations[allocated_before:]:
            if row[6] is not None:  # allocations' charge_id
                self.charged[row[6]] = record


def text(payload: dict[str, Any], key: str, *, required: bool = True) -> str | None:
    """A non-empty string field (``None`` when optional and absent)."""
    value = payload.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value:
        raise Unprojectable(f"{key} missing or not text")
    return value


def fen(payload: dict[str, Any], key: str) -> int:
    """An integer amount of fen."""
    value = payload.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise Unprojectable(f"{key} missing or not an integer of fen")
    return value


def children(payload: dict[str, Any], key: str) -> list[dict[str, Any]]:
    """A list of child rows (empty when absent)."""
    value = payload.get(key, _ABSENT)
    if value is _ABSENT:
        return []
    if not isinstance(value, list):
        raise Unprojectable(f"{key} is not a list of objects")
    for child in value:
        if not isinstance(child, dict):
            raise Unprojectable(f"{key} is not a list of objects")
    return value


_ABSENT: Any = object()


def created_at_of(record: WireRecord) -> str | None:
    """The record's ``created_at`` text, if it is a usable instant."""
    value = record.payload.get("created_at")
    return value if isinstance(value, str) and parse_instant(value) is not None else None


def common(record: WireRecord) -> tuple[str, str | None, str | None]:
    """``(business_date, shift_id, unit_id)`` of a record."""
    day = text(record.payload, "business_date")
    assert day is not None
    if len(day) != 10:
        raise Unprojectable("business_date is not YYYY-MM-DD")
    shift_id = text(record.payload, "shift_id", required=False)
    if shift_id is None and record.kind in ("shift_open", "shift_close"):
        shift_id = text(record.payload, "id", required=False)
    return day, shift_id, text(record.payload, "unit_id", required=False)


def _line_id(child: dict[str, Any], index: int) -> str:
    value = child.get("id")
    return value if isinstance(value, str) and value else str(index)


def _money(
    rows: Rows, record: WireRecord, kind: str, lines: list[tuple[str, str, int]],
    where: tuple[str, str | None, str | None] | None = None,
) -> None:  # fmt: skip
    day, shift_id, unit_id = where or common(record)
    record_id, site_id, device_id = record.record_id, rows.site_id, record.device_id
    rows.money_lines.extend(
        (record_id, line, kind, site_id, device_id, day, shift_id, unit_id, method, amount)
        for line, method, amount in lines
    )


def _allocate(
    rows: Rows, record: WireRecord, lines: list[tuple[str, str | None, int]],
    where: tuple[str, str | None, str | None] | None = None,
) -> None:  # fmt: skip
    day, _shift, unit_id = where or common(record)
    record_id, site_id, device_id = record.record_id, rows.site_id, record.device_id
    rows.allocations.extend(
        (record_id, line, site_id, device_id, day, unit_id, charge_id, amount)
        for line, charge_id, amount in lines
    )


def _lines(payload: dict[str, Any], key: str, field: str) -> list[tuple[str, Any, int]]:
    """``(line id, text field, fen)`` of each child of ``payload[key]`` (``tenders``' method,
    ``allocations``' charge id). Every payment and void is read through here, so the common
    shape is taken in one loop; anything else is read again by :func:`children`, :func:`text`
    and :func:`fen`, which word the first problem."""
    value = payload.get(key, _ABSENT)
    if value is _ABSENT:
        return []
    out = []
    if type(value) is list:
        for index, child in enumerate(value):
            if type(child) is not dict:
                break
            named, amount, line = child.get(field), child.get("amount_fen"), child.get("id")
            if type(named) is not str or not named or type(amount) is not int:
                break
            out.append((line if type(line) is str and line else str(index), named, amount))
        else:
            return out
    return [
        (_line_id(child, index), text(child, field), fen(child, "amount_fen"))
        for index, child in enumerate(children(payload, key))
    ]


def payment(rows: Rows, record: WireRecord) -> None:
    """Tenders are money taken; allocations pay charges; the rest is prepaid credit."""
    for charge in children(record.payload, "late_fee_charges"):
        add_charge(rows, charge, source="late_fee", created_at=created_at_of(record))
    _reversible(rows, record, "payment")


def void(rows: Rows, record: WireRecord) -> None:
    """A void carries its own negative reversal rows, on its own day and shift."""
    day, shift_id, _unit = common(record)
    payment_id = text(record.payload, "payment_id")
    _reversible(rows, record, "void")
    rows.voids.append((record.record_id, payment_id, rows.site_id, record.device_id, day, shift_id))


def _reversible(rows: Rows, record: WireRecord, kind: str) -> None:
    tenders = _lines(record.payload, "tenders", "method")
    allocations = _lines(record.payload, "allocations", "charge_id")
    # As on the counter: tenders beyond the allocations are new prepaid credit, and a prepaid
    # tender spends the balance (its money line is no money received: see reports.daily).
    taken = spent = allocated = 0
    for _line_no, method, amount in tenders:
        taken += amount
        if method == PREPAID:
            spent += amount
    for _line_no, _charge, amount in allocations:
        allocated += amount
    credit = taken - allocated
    if credit:
        allocations.append(("prepaid", None, credit))
    if spent:
        allocations.append(("prepaid_spend", None, -spent))
    where = common(record)
    _money(rows, record, kind, tenders, where)
    _allocate(rows, record, allocations, where)


def refund(rows: Rows, record: WireRecord) -> None:
    """Prepaid balance paid back: money out, prepaid down."""
    amount = fen(record.payload, "amount_fen")
    method = text(record.payload, "method", required=False) or "cash"
    where = common(record)
    _money(rows, record, "refund", [("0", method, -amount)], where)
    _allocate(rows, record, [("prepaid", None, -amount)], where)


def adjustment(rows: Rows, record: WireRecord) -> None:
    """A waiver or discount lowers what a charge asks (a late-fee waiver does not)."""
    day, _shift, unit_id = common(record)
    amount = fen(record.payload, "amount_fen")
    if record.payload.get("kind") == "late_fee_waiver":
        return
    charge_id = text(record.payload, "charge_id", required=False)
    rows.adjustments.append(
        (record.record_id, rows.site_id, record.device_id, day, unit_id, charge_id, amount)
    )


def add_charge(rows: Rows, charge: dict[str, Any], *, source: str, created_at: str | None) -> None:
    """A charge made at a counter (one-off, metered, late fee), under its own id."""
    rows.charges.append(
        (text(charge, "id"), rows.site_id, text(charge, "unit_id"),
         text(charge, "fee_item_id", required=False), text(charge, "period"),
         fen(charge, "amount_fen"), text(charge, "due_date"),
         text(charge, "source", required=False) or source, created_at or "")
    )  # fmt: skip


def charge(rows: Rows, record: WireRecord) -> None:
    """A one-off charge added at the counter."""
    payload = dict(record.payload)
    payload["id"] = text(payload, "charge_id", required=False) or payload.get("id")
    if not isinstance(payload["id"], str) or not payload["id"]:
        payload["id"] = record.record_id
    add_charge(rows, payload, source=record.device_id, created_at=created_at_of(record))


def meter_reading(rows: Rows, record: WireRecord) -> None:
    """A reading bills its usage as a nested charge."""
    nested = record.payload.get("charge")
    if nested is None:
        return
    if not isinstance(nested, dict):
        raise Unprojectable("charge is not an object")
    add_charge(rows, nested, source="meter", created_at=created_at_of(record))


def cashier(payload: dict[str, Any]) -> str | None:
    """Who worked the shift, by name."""
    for key in ("cashier_name", "cashier"):
        value = payload.get(key)
        if isinstance(value, str) and value:
            return value
    return None


def shift_open(rows: Rows, record: WireRecord) -> None:
    """A shift and its cashier."""
    day, shift_id, _unit = common(record)
    if shift_id is None:
        raise Unprojectable("shift_id missing")
    opened = text(record.payload, "opened_at", required=False) or created_at_of(record)
    rows.shift_opens.append(
        (shift_id, rows.site_id, record.device_id, cashier(record.payload), day, opened)
    )


def shift_close(rows: Rows, record: WireRecord) -> None:
    """A closed shift: expected and counted cash."""
    day, shift_id, _unit = common(record)
    if shift_id is None:
        raise Unprojectable("shift_id missing")
    expected, counted = fen(record.payload, "expected_fen"), fen(record.payload, "counted_fen")
    closed = created_at_of(record) or "0000-00-00T00:00:00Z"
    rows.shift_closes.append(
        (shift_id, rows.site_id, record.device_id, day, closed, expected, counted)
    )


CASH_MOVEMENT_KINDS = ("pay_in", "pay_out", "deposit")


def cash_movement(rows: Rows, record: WireRecord) -> None:
    """Cash put into (pay-in) or taken out of (pay-out, bank deposit 存行) a shift's drawer."""
    day, shift_id, _unit = common(record)
    if shift_id is None:
        raise Unprojectable("shift_id missing")
    kind = text(record.payload, "kind")
    if kind not in CASH_MOVEMENT_KINDS:
        raise Unprojectable("kind is not pay_in, pay_out or deposit")
    amount = fen(record.payload, "amount_fen")
    reason = record.payload.get("reason")
    slip_no = record.payload.get("slip_no")
    rows.cash_movements.append(
        (record.record_id, rows.site_id, record.device_id, shift_id, day, kind, amount,
         reason if isinstance(reason, str) else "", slip_no if isinstance(slip_no, str) else "",
         cashier(record.payload), created_at_of(record) or "")
    )  # fmt: skip


PROJECTORS: dict[str, Callable[[Rows, WireRecord], None]] = {
    "payment": payment,
    "void": void,
    "refund": refund,
    "adjustment": adjustment,
    "charge": charge,
    "meter_reading": meter_reading,
    "shift_open": shift_open,
    "shift_close": shift_close,
    "cash_movement": cash_movement,
}
"""Kinds HQ projects; any other kind is kept in the journal only."""


__all__ = [
    "PREPAID",
    "PROJECTORS",
    "Rows",
    "Unprojectable",
    "common",
    "created_at_of",
    "parse_instant",
]
