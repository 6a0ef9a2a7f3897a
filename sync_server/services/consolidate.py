"""Project pushed journal records into the tables HQ's reports read, and flag what looks wrong.

Projection is order-independent: a void carries its own reversal rows (negative tenders and
allocations, on the void's business date and shift), so a void that arrives before its payment
(another counter's, or an out-of-order push) still counts right once both are there. Nothing is
refused: a record HQ cannot project (unknown kind, a payload without the fields below) is kept in
the journal, and a payload that is not what its kind promises becomes an ``unprojected``
exception.

Flags (RELIABILITY R9, R13, R19) are exceptions, never edits: ``late`` (business date well before
its arrival, or a record of a shift HQ already saw closed), ``overpaid`` (a charge's allocations
above what it asks), ``clock_skew`` (stamped in the future, or before its predecessor),
``over_short`` (a shift closed with a difference), and the receipt series' ``receipt_gap`` /
``receipt_repeat``.

Payload fields read (see docs/ARCHITECTURE.md "Journal record kinds" for the full payloads):
every record ``created_at``, ``business_date``, ``shift_id``, ``unit_id``; payment ``tenders``
(``id``, ``method``, ``amount_fen``), ``allocations`` (``id``, ``charge_id``, ``amount_fen``),
``late_fee_charges``, ``receipt_series_id`` and ``receipt_number``; void ``payment_id`` and its
reversal ``tenders``/``allocations``; meter_reading ``charge``; refund
``amount_fen``, ``method``; adjustment ``charge_id``, ``amount_fen``; charge ``id`` (or
``charge_id``), ``unit_id``, ``fee_item_id``, ``period``, ``amount_fen``, ``due_date``;
shift_open/shift_close ``id`` (or ``shift_id``), ``cashier_name``, ``opened_at``; shift_close
``expected_fen``, ``counted_fen``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from feetui.sync.protocol import WireRecord
from sync_server.clock import iso
from sync_server.db.connection import Tx
from sync_server.services.exceptions import Exception_
from sync_server.settings import Settings

if TYPE_CHECKING:
    from sync_server.services.apply_push import DeviceHead


class Unprojectable(ValueError):
    """A payload lacks a field its kind needs; the record is kept and an exception raised."""


def _text(payload: dict[str, Any], key: str, *, required: bool = True) -> str | None:
    value = payload.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value:
        raise Unprojectable(f"{key} missing or not text")
    return value


def _fen(payload: dict[str, Any], key: str) -> int:
    value = payload.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise Unprojectable(f"{key} missing or not an integer of fen")
    return value


def _lines(payload: dict[str, Any], key: str) -> list[dict[str, Any]]:
    value = payload.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise Unprojectable(f"{key} is not a list of objects")
    return value


def created_at_of(record: WireRecord) -> str | None:
    """The record's ``created_at`` text, if it has a usable one."""
    value = record.payload.get("created_at")
    return value if isinstance(value, str) and _parse_instant(value) is not None else None


def _parse_instant(text: str) -> datetime | None:
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo is not None else None


async def project(
    tx: Tx, records: list[WireRecord], *, site_id: str, now: datetime, settings: Settings
) -> list[Exception_]:
    """Write the report rows of newly stored records; return the flags they raise."""
    problems: list[Exception_] = []
    for record in records:
        handler = _PROJECTORS.get(record.kind)
        if handler is None:
            continue
        try:
            problems += await handler(tx, record, site_id)
        except Unprojectable as error:
            problems.append(_flag("unprojected", record, site_id, reason=str(error)))
            continue
        problems += await _late(tx, record, site_id, now, settings)
    return problems


def _flag(
    kind: str, record: WireRecord, site_id: str, suffix: str = "", **detail: Any
) -> Exception_:
    return Exception_(
        kind,
        f"{kind}:{record.record_id}{suffix}",
        site_id,
        record.device_id,
        record.seq,
        record.record_id,
        {"kind": record.kind, **detail},
    )


def _common(record: WireRecord) -> tuple[str, str | None, str | None]:
    business_date = _text(record.payload, "business_date")
    assert business_date is not None
    if len(business_date) != 10:
        raise Unprojectable("business_date is not YYYY-MM-DD")
    shift_id = _text(record.payload, "shift_id", required=False)
    if shift_id is None and record.kind in ("shift_open", "shift_close"):
        shift_id = _text(record.payload, "id", required=False)
    unit_id = _text(record.payload, "unit_id", required=False)
    return business_date, shift_id, unit_id


async def _payment(tx: Tx, record: WireRecord, site_id: str) -> list[Exception_]:
    day, shift_id, unit_id = _common(record)
    tenders = _lines(record.payload, "tenders")
    allocations = _lines(record.payload, "allocations")
    for charge in _lines(record.payload, "late_fee_charges"):
        await _insert_charge(
            tx, charge, site_id, source="late_fee", created_at=created_at_of(record)
        )
    lines = [
        (_line_id(t, i), _text(t, "method"), _fen(t, "amount_fen")) for i, t in enumerate(tenders)
    ]
    allocated = [
        (_line_id(a, i), _text(a, "charge_id"), _fen(a, "amount_fen"))
        for i, a in enumerate(allocations)
    ]
    # Whatever the tenders brought beyond the allocations is the unit's prepaid credit.
    prepaid = sum(amount for *_r, amount in lines) - sum(amount for *_r, amount in allocated)
    if prepaid:
        allocated.append(("prepaid", None, prepaid))
    for line, method, amount in lines:
        await _money_line(
            tx, record, site_id, day, shift_id, unit_id, line, "payment", method, amount
        )
    for line, charge_id, amount in allocated:
        await _allocation(tx, record, site_id, day, unit_id, line, charge_id, amount)
    charge_ids = sorted({c for _l, c, _a in allocated if c is not None})
    return await _overpaid(tx, record, site_id, charge_ids)


def _line_id(child: dict[str, Any], index: int) -> str:
    """A child row's own id (payloads carry them), else its position."""
    value = child.get("id")
    return value if isinstance(value, str) and value else str(index)


async def _money_line(
    tx: Tx,
    record: WireRecord,
    site_id: str,
    day: str,
    shift_id: str | None,
    unit_id: str | None,
    line: str,
    kind: str,
    method: str | None,
    amount: int,
) -> None:
    await tx.execute(
        "INSERT INTO money_lines (record_id, line, kind, site_id, device_id, business_date,"
        " shift_id, unit_id, method, amount_fen) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT DO NOTHING",
        record.record_id,
        line,
        kind,
        site_id,
        record.device_id,
        day,
        shift_id,
        unit_id,
        method,
        amount,
    )


async def _allocation(
    tx: Tx,
    record: WireRecord,
    site_id: str,
    day: str,
    unit_id: str | None,
    line: str,
    charge_id: str | None,
    amount: int,
) -> None:
    await tx.execute(
        "INSERT INTO allocations (record_id, line, site_id, device_id, business_date, unit_id,"
        " charge_id, amount_fen) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        record.record_id,
        line,
        site_id,
        record.device_id,
        day,
        unit_id,
        charge_id,
        amount,
    )


async def _overpaid(
    tx: Tx, record: WireRecord, site_id: str, charge_ids: list[str]
) -> list[Exception_]:
    """Charges whose live allocations now exceed what they ask (two counters paid one bill)."""
    problems = []
    for charge_id in charge_ids:
        row = await tx.fetchrow(
            "SELECT c.amount_fen - coalesce((SELECT sum(amount_fen) FROM adjustments d"
            " WHERE d.charge_id = c.id), 0) AS due, (SELECT coalesce(sum(a.amount_fen), 0)"
            " FROM allocations a WHERE a.charge_id = c.id) AS paid FROM charges c WHERE c.id = ?",
            charge_id,
        )
        if row is None or int(row["paid"]) <= int(row["due"]):
            continue
        problems.append(
            _flag(
                "overpaid",
                record,
                site_id,
                f":{charge_id}",
                charge_id=charge_id,
                due_fen=int(row["due"]),
                paid_fen=int(row["paid"]),
            )
        )
    return problems


async def _void(tx: Tx, record: WireRecord, site_id: str) -> list[Exception_]:
    """A void carries its own reversal rows (negative tenders and allocations) on its own day."""
    day, shift_id, unit_id = _common(record)
    payment_id = _text(record.payload, "payment_id")
    tenders = _lines(record.payload, "tenders")
    allocations = _lines(record.payload, "allocations")
    for i, tender in enumerate(tenders):
        await _money_line(
            tx,
            record,
            site_id,
            day,
            shift_id,
            unit_id,
            _line_id(tender, i),
            "void",
            _text(tender, "method"),
            _fen(tender, "amount_fen"),
        )
    for i, allocation in enumerate(allocations):
        await _allocation(
            tx,
            record,
            site_id,
            day,
            unit_id,
            _line_id(allocation, i),
            _text(allocation, "charge_id"),
            _fen(allocation, "amount_fen"),
        )
    back = sum(_fen(t, "amount_fen") for t in tenders) - sum(
        _fen(a, "amount_fen") for a in allocations
    )
    if back:
        await _allocation(tx, record, site_id, day, unit_id, "prepaid", None, back)
    await tx.execute(
        "INSERT INTO voids (record_id, payment_id, site_id, device_id, business_date, shift_id)"
        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        record.record_id,
        payment_id,
        site_id,
        record.device_id,
        day,
        shift_id,
    )
    return []


async def _refund(tx: Tx, record: WireRecord, site_id: str) -> list[Exception_]:
    day, shift_id, unit_id = _common(record)
    amount = _fen(record.payload, "amount_fen")
    method = _text(record.payload, "method", required=False) or "cash"
    await _money_line(tx, record, site_id, day, shift_id, unit_id, "0", "refund", method, -amount)
    await _allocation(tx, record, site_id, day, unit_id, "prepaid", None, -amount)
    return []


async def _adjustment(tx: Tx, record: WireRecord, site_id: str) -> list[Exception_]:
    day, _shift, unit_id = _common(record)
    amount = _fen(record.payload, "amount_fen")
    # A late-fee waiver lowers the late fee, not the charge: it does not change what is owed here.
    if record.payload.get("kind") == "late_fee_waiver":
        return []
    await tx.execute(
        "INSERT INTO adjustments (record_id, site_id, device_id, business_date, unit_id,"
        " charge_id, amount_fen) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        record.record_id,
        site_id,
        record.device_id,
        day,
        unit_id,
        _text(record.payload, "charge_id", required=False),
        amount,
    )
    return []


async def _charge(tx: Tx, record: WireRecord, site_id: str) -> list[Exception_]:
    payload = record.payload
    charge = payload | {"id": _text(payload, "charge_id", required=False) or payload.get("id")}
    if not isinstance(charge["id"], str) or not charge["id"]:
        charge["id"] = record.record_id
    await _insert_charge(
        tx, charge, site_id, source=record.device_id, created_at=created_at_of(record)
    )
    return []


async def _insert_charge(
    tx: Tx, charge: dict[str, Any], site_id: str, *, source: str, created_at: str | None
) -> None:
    """Store a charge a counter made (one-off, metered, late fee) under its own id, once."""
    await tx.execute(
        "INSERT INTO charges (id, site_id, unit_id, fee_item_id, period, amount_fen, due_date,"
        " source, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        _text(charge, "id"),
        site_id,
        _text(charge, "unit_id"),
        _text(charge, "fee_item_id", required=False),
        _text(charge, "period"),
        _fen(charge, "amount_fen"),
        _text(charge, "due_date"),
        _text(charge, "source", required=False) or source,
        created_at or "",
    )


async def _meter_reading(tx: Tx, record: WireRecord, site_id: str) -> list[Exception_]:
    """A reading bills its usage as a nested charge."""
    charge = record.payload.get("charge")
    if charge is None:
        return []
    if not isinstance(charge, dict):
        raise Unprojectable("charge is not an object")
    await _insert_charge(tx, charge, site_id, source="meter", created_at=created_at_of(record))
    return []


async def _shift_open(tx: Tx, record: WireRecord, site_id: str) -> list[Exception_]:
    day, shift_id, _unit = _common(record)
    if shift_id is None:
        raise Unprojectable("shift_id missing")
    await tx.execute(
        "INSERT INTO shifts (shift_id, site_id, device_id, cashier, business_date, opened_at)"
        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (shift_id) DO UPDATE SET"
        " cashier = excluded.cashier, business_date = excluded.business_date,"
        " opened_at = excluded.opened_at",
        shift_id,
        site_id,
        record.device_id,
        _cashier(record.payload),
        day,
        _text(record.payload, "opened_at", required=False) or created_at_of(record),
    )
    return []


async def _shift_close(tx: Tx, record: WireRecord, site_id: str) -> list[Exception_]:
    day, shift_id, _unit = _common(record)
    if shift_id is None:
        raise Unprojectable("shift_id missing")
    expected = _fen(record.payload, "expected_fen")
    counted = _fen(record.payload, "counted_fen")
    await tx.execute(
        "INSERT INTO shifts (shift_id, site_id, device_id, business_date, closed_at,"
        " expected_fen, counted_fen) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (shift_id)"
        " DO UPDATE SET closed_at = excluded.closed_at, expected_fen = excluded.expected_fen,"
        " counted_fen = excluded.counted_fen",
        shift_id,
        site_id,
        record.device_id,
        day,
        created_at_of(record) or iso_min(),
        expected,
        counted,
    )
    if counted == expected:
        return []
    return [
        _flag("over_short", record, site_id, shift_id=shift_id, over_short_fen=counted - expected)
    ]


def iso_min() -> str:
    """A closing time for a close record without one: sorts before every real time."""
    return "0000-00-00T00:00:00.000000Z"


def _cashier(payload: dict[str, Any]) -> str | None:
    for key in ("cashier_name", "cashier"):
        value = payload.get(key)
        if isinstance(value, str) and value:
            return value
    return None


_PROJECTORS = {
    "payment": _payment,
    "void": _void,
    "refund": _refund,
    "adjustment": _adjustment,
    "charge": _charge,
    "meter_reading": _meter_reading,
    "shift_open": _shift_open,
    "shift_close": _shift_close,
}


async def _late(
    tx: Tx, record: WireRecord, site_id: str, now: datetime, settings: Settings
) -> list[Exception_]:
    """``late``: business date well before arrival, or into a shift HQ already saw closed."""
    day = record.payload.get("business_date")
    today = now.astimezone(ZoneInfo(settings.timezone)).date()
    limit = (today - timedelta(days=settings.late_after_days)).isoformat()
    if isinstance(day, str) and day < limit:
        return [_flag("late", record, site_id, reason="business_date", business_date=day)]
    shift_id = record.payload.get("shift_id")
    if record.kind == "shift_close" or not isinstance(shift_id, str):
        return []
    closed = await tx.fetchval(
        "SELECT closed_at FROM shifts WHERE shift_id = ? AND closed_at IS NOT NULL", shift_id
    )
    if closed is None:
        return []
    return [_flag("late", record, site_id, reason="shift_closed", shift_id=shift_id)]


async def check_sequence(
    tx: Tx,
    head: DeviceHead,
    run: list[WireRecord],
    *,
    previous_created_at: str | None,
    now: datetime,
    settings: Settings,
) -> list[Exception_]:
    """Checks that need journal order: clock skew against the predecessor, and receipt series."""
    problems: list[Exception_] = []
    tolerance = timedelta(minutes=settings.skew_minutes)
    previous = _parse_instant(previous_created_at) if previous_created_at else None
    for record in run:
        stamp = _parse_instant(created_at_of(record) or "")
        if stamp is not None:
            if stamp > now + tolerance:
                problems.append(
                    _flag(
                        "clock_skew",
                        record,
                        head.site_id,
                        reason="ahead",
                        created_at=iso(stamp),
                        received_at=iso(now),
                    )
                )
            elif previous is not None and stamp < previous - tolerance:
                problems.append(
                    _flag(
                        "clock_skew",
                        record,
                        head.site_id,
                        reason="behind",
                        created_at=iso(stamp),
                        previous=iso(previous),
                    )
                )
            previous = stamp
        problems += await _receipt(tx, head, record)
    return problems


def receipt_of(record: WireRecord) -> tuple[str, int] | None:
    """``(series, number)`` of a receipt a record used (payments and void slips share a series)."""
    number = record.payload.get("receipt_number")
    if isinstance(number, bool) or not isinstance(number, int):
        return None
    series = record.payload.get("receipt_series_id", "")
    return (series if isinstance(series, str) else str(series)), number


async def _receipt(tx: Tx, head: DeviceHead, record: WireRecord) -> list[Exception_]:
    """Each receipt number of a device's series follows the last one: no gap, no repeat."""
    receipt = receipt_of(record)
    if receipt is None:
        return []
    series, number = receipt
    last = await tx.fetchval(
        "SELECT last_no FROM receipt_series WHERE device_id = ? AND series = ?",
        head.device_id,
        series,
    )
    await tx.execute(
        "INSERT INTO receipt_series (device_id, series, last_no) VALUES (?, ?, ?)"
        " ON CONFLICT (device_id, series) DO UPDATE SET last_no = excluded.last_no",
        head.device_id,
        series,
        max(number, last or 0),
    )
    if last is None or number == last + 1:
        return []
    if number <= last:
        return [
            _flag("receipt_repeat", record, head.site_id, series=series, number=number, last=last)
        ]
    return [
        _flag(
            "receipt_gap",
            record,
            head.site_id,
            series=series,
            missing_from=last + 1,
            missing_to=number - 1,
        )
    ]


__all__ = ["check_sequence", "created_at_of", "project", "receipt_of"]
