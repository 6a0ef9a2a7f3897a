"""Write a batch's projected rows and flag what looks wrong, with a handful of statements per batch.

Rows come from :mod:`sync_server.services.projection` and go in with one multi-row
``INSERT ... ON CONFLICT DO NOTHING`` per table (statement count, not row count, is what a push
costs). Projection is order-independent: a void carries its own reversal rows, so it counts right
whichever of it and its payment arrives first. Nothing is refused: a payload that is not what its
kind promises becomes an ``unprojected`` exception and stays in the journal.

Flags (RELIABILITY R9, R13, R19) are exceptions, never edits: ``late`` (business date well before
its arrival, or a record into a shift HQ already saw closed; never the history an adopted counter
wrote before HQ took it over, :mod:`sync_server.services.adopt`), ``overpaid`` (a charge's
allocations above what it asks: two counters paid one bill), ``clock_skew`` (stamped in the
future, or before its predecessor), ``over_short`` (a shift closed with a difference),
``expected_cash_mismatch`` (a close whose expected cash is not what HQ's copy of the shift's records
gives), ``method_total_mismatch`` (a close whose totals per tender method are not HQ's), and the
receipt series' ``receipt_gap`` / ``receipt_repeat``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from feetui.sync.protocol import WireRecord
from sync_server.clock import iso
from sync_server.db.connection import Table, Tx
from sync_server.services.exceptions import Exception_
from sync_server.services.projection import (
    PROJECTORS,
    Rows,
    Unprojectable,
    created_at_of,
    parse_instant,
)
from sync_server.settings import Settings

if TYPE_CHECKING:
    from sync_server.services.apply_push import DeviceHead

T, B = "text", "bigint"
TABLES = {
    "money_lines": Table("money_lines", (
        ("record_id", T), ("line", T), ("kind", T), ("site_id", T), ("device_id", T),
        ("business_date", T), ("shift_id", T), ("unit_id", T), ("method", T), ("amount_fen", B))),
    "allocations": Table("allocations", (
        ("record_id", T), ("line", T), ("site_id", T), ("device_id", T), ("business_date", T),
        ("unit_id", T), ("charge_id", T), ("amount_fen", B))),
    "charges": Table("charges", (
        ("id", T), ("site_id", T), ("unit_id", T), ("fee_item_id", T), ("period", T),
        ("amount_fen", B), ("due_date", T), ("source", T), ("created_at", T))),
    "voids": Table("voids", (
        ("record_id", T), ("payment_id", T), ("site_id", T), ("device_id", T),
        ("business_date", T), ("shift_id", T))),
    "adjustments": Table("adjustments", (
        ("record_id", T), ("site_id", T), ("device_id", T), ("business_date", T), ("unit_id", T),
        ("charge_id", T), ("amount_fen", B))),
    "cash_movements": Table("cash_movements", (
        ("record_id", T), ("site_id", T), ("device_id", T), ("shift_id", T),
        ("business_date", T), ("kind", T), ("amount_fen", B), ("reason", T), ("slip_no", T),
        ("cashier", T), ("created_at", T))),
}  # fmt: skip
# Ids per IN (...) query: keeps parameters under every database's limit.
CHUNK = 500


def flag(
    kind: str, record: WireRecord, site_id: str, suffix: str = "", **detail: Any
) -> Exception_:
    """An exception about one record, recorded once however often the record is pushed."""
    return Exception_(
        kind,
        f"{kind}:{record.record_id}{suffix}",
        site_id,
        record.device_id,
        record.seq,
        record.record_id,
        {"kind": record.kind, **detail},
    )


@dataclass
class Projection:
    """A batch's report rows, made before they are written (pure: no I/O)."""

    rows: Rows
    problems: list[Exception_]
    """``unprojected`` flags of records whose payload is not what their kind promises."""
    projected: list[WireRecord]
    """The records that gave rows (or were meant to: kinds HQ projects)."""


def prepare(records: Sequence[WireRecord], site_id: str) -> Projection:
    """The report rows of ``records``, not written yet.

    :func:`sync_server.services.apply_push.apply_push` makes them for the whole batch while its
    journal insert is at the database (which records are new is known only after it; when all
    are, as almost always, these are the rows :func:`project` writes)."""
    rows, problems, projected = Rows(site_id), [], []
    for record in records:
        projector = PROJECTORS.get(record.kind)
        if projector is None:
            continue
        try:
            rows.project(projector, record)
        except Unprojectable as error:
            problems.append(flag("unprojected", record, site_id, reason=str(error)))
            continue
        projected.append(record)
    return Projection(rows, problems, projected)


async def project(
    tx: Tx, records: list[WireRecord], *, head: DeviceHead, now: datetime, settings: Settings,
    prepared: Projection | None = None,
) -> list[Exception_]:  # fmt: skip
    """Write the report rows of ``head``'s device's newly stored records; return the flags they
    raise. ``prepared``: :func:`prepare` of exactly ``records``, when the caller made it."""
    projection = prepared if prepared is not None else prepare(records, head.site_id)
    rows, projected = projection.rows, projection.projected
    problems = list(projection.problems)
    problems += await _late(tx, projected, head, now, settings)
    await _write(tx, rows)
    problems += _over_short(rows, projected, head.site_id)
    problems += await _overpaid(tx, rows)
    return problems


async def _write(tx: Tx, rows: Rows) -> None:
    # Charges first: allocations of the same batch may point at them.
    for name in ("charges", "money_lines", "allocations", "voids", "adjustments", "cash_movements"):
        await tx.insert_rows(TABLES[name], getattr(rows, name))
    for row in rows.shift_opens:
        await tx.execute(
            "INSERT INTO shifts (shift_id, site_id, device_id, cashier, business_date, opened_at)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (shift_id) DO UPDATE SET"
            " cashier = excluded.cashier, business_date = excluded.business_date,"
            " opened_at = excluded.opened_at",
            *row,
        )
    for row in rows.shift_closes:
        await tx.execute(
            "INSERT INTO shifts (shift_id, site_id, device_id, business_date, closed_at,"
            " expected_fen, counted_fen) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (shift_id)"
            " DO UPDATE SET closed_at = excluded.closed_at,"
            " expected_fen = excluded.expected_fen, counted_fen = excluded.counted_fen",
            *row,
        )


def _over_short(rows: Rows, records: list[WireRecord], site_id: str) -> list[Exception_]:
    closes = {r.payload.get("shift_id") or r.payload.get("id"): r for r in records}
    problems = []
    for shift_id, _site, _device, _day, _closed, expected, counted in rows.shift_closes:
        if counted != expected:
            record = closes[shift_id]
            problems.append(
                flag("over_short", record, site_id, shift_id=shift_id,
                     over_short_fen=counted - expected)
            )  # fmt: skip
    return problems


async def _overpaid(tx: Tx, rows: Rows) -> list[Exception_]:
    """Charges whose allocations now exceed what they ask (two counters paid one bill)."""
    ids = sorted(rows.charged)
    problems = []
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        found = await tx.fetch(
            "SELECT c.id, c.amount_fen - coalesce((SELECT sum(d.amount_fen) FROM adjustments d"
            " WHERE d.charge_id = c.id), 0) AS due, (SELECT coalesce(sum(a.amount_fen), 0)"
            " FROM allocations a WHERE a.charge_id = c.id) AS paid FROM charges c"
            f" WHERE c.id IN ({','.join('?' * len(chunk))})",
            *chunk,
        )
        for row in found:
            due, paid = int(row["due"]), int(row["paid"])
            if paid > due:
                record = rows.charged[row["id"]]
                problems.append(
                    flag("overpaid", record, rows.site_id, f":{row['id']}", charge_id=row["id"],
                         due_fen=due, paid_fen=paid)
                )  # fmt: skip
    return problems


async def _late(
    tx: Tx, records: list[WireRecord], head: DeviceHead, now: datetime, settings: Settings
) -> list[Exception_]:
    """``late``: business date well before arrival, or into a shift HQ already saw closed."""
    site_id = head.site_id
    today = now.astimezone(ZoneInfo(settings.timezone)).date()
    limit = (today - timedelta(days=settings.late_after_days)).isoformat()
    shift_ids = sorted({s for r in records if isinstance(s := r.payload.get("shift_id"), str)})
    closed: set[str] = set()
    for start in range(0, len(shift_ids), CHUNK):
        chunk = shift_ids[start : start + CHUNK]
        found = await tx.fetch(
            "SELECT shift_id FROM shifts WHERE closed_at IS NOT NULL"
            f" AND shift_id IN ({','.join('?' * len(chunk))})",
            *chunk,
        )
        closed |= {row["shift_id"] for row in found}
    problems = []
    for record in records:
        day, shift_id = record.payload.get("business_date"), record.payload.get("shift_id")
        if record.seq <= head.history_seq:
            pass  # taken while the counter was standalone, before HQ adopted it
        elif isinstance(day, str) and day < limit:
            problems.append(
                flag("late", record, site_id, reason="business_date", business_date=day)
            )
        elif record.kind != "shift_close" and shift_id in closed:
            problems.append(flag("late", record, site_id, reason="shift_closed", shift_id=shift_id))
        if record.kind == "shift_close":
            closed.add(shift_id or record.payload.get("id"))
    return problems


async def check_sequence(
    tx: Tx, head: DeviceHead, run: list[WireRecord], *, previous_created_at: str | None,
    now: datetime, settings: Settings,
) -> list[Exception_]:  # fmt: skip
    """Checks that need journal order: clock skew against the predecessor, receipt series, and
    each close's expected cash and totals per method against the shift's records (all held once
    the ack passes it)."""
    problems = _skew(head, run, previous_created_at, now, settings)
    drawers = await _drawers(tx, head, run)
    methods = await _method_totals(tx, head, run, {d.record_id for d in drawers})
    return problems + await _receipts(tx, head, run) + drawers + methods


def _skew(
    head: DeviceHead, run: list[WireRecord], previous_created_at: str | None, now: datetime,
    settings: Settings,
) -> list[Exception_]:  # fmt: skip
    tolerance = timedelta(minutes=settings.skew_minutes)
    previous = parse_instant(previous_created_at) if previous_created_at else None
    problems = []
    for record in run:
        stamp = parse_instant(record.payload.get("created_at"))  # created_at_of, parsed once
        if stamp is None:
            continue
        if stamp > now + tolerance:
            problems.append(flag("clock_skew", record, head.site_id, reason="ahead",
                                 created_at=iso(stamp), received_at=iso(now)))  # fmt: skip
        elif previous is not None and stamp < previous - tolerance:
            problems.append(flag("clock_skew", record, head.site_id, reason="behind",
                                 created_at=iso(stamp), previous=iso(previous)))  # fmt: skip
        previous = stamp
    return problems


async def _drawers(tx: Tx, head: DeviceHead, run: list[WireRecord]) -> list[Exception_]:
    """``expected_cash_mismatch``: a close whose expected cash is not what HQ's copy of the shift's
    own records gives (R10: the counter's posted rows, which its slip and expected cash are read
    from, were changed apart from its journal). Checked when the acknowledgement passes the
    close, so every record of the shift (they all come before it) is held and projected."""
    problems = []
    for record in run:
        if record.kind != "shift_close":
            continue
        payload = record.payload
        shift_id, expected = (
            payload.get("shift_id") or payload.get("id"),
            payload.get("expected_fen"),
        )
        if not isinstance(shift_id, str) or not _is_fen(expected):
            continue
        held = await _drawer_at_hq(tx, head, shift_id, payload.get("business_date"))
        if held is not None and held != expected:
            problems.append(
                flag("expected_cash_mismatch", record, head.site_id, shift_id=shift_id,
                     expected_fen=expected, hq_expected_fen=held, difference_fen=expected - held)
            )  # fmt: skip
    return problems


def _is_fen(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


async def _shift_open(tx: Tx, head: DeviceHead, shift_id: str) -> dict[str, Any] | None:
    """The payload of the shift's open as HQ holds it (its record id is the shift), or ``None``
    when HQ lacks it: a close is checked against HQ's copy only once HQ holds the whole shift."""
    opened = await tx.fetchval(
        "SELECT payload FROM journal WHERE record_id = ? AND device_id = ? AND kind = 'shift_open'",
        shift_id,
        head.device_id,
    )
    return json.loads(opened) if opened is not None else None


async def _drawer_at_hq(tx: Tx, head: DeviceHead, shift_id: str, day: Any) -> int | None:
    """The shift's expected cash from what HQ holds (``core.shift.expected_cash``'s sum: float +
    cash tenders net of change, voids' reversals and cash refunds of the shift + pay-ins −
    pay-outs − deposits); ``None`` when HQ lacks the shift's open, whose record id is the shift."""
    opened = await _shift_open(tx, head, shift_id)
    opening = opened.get("opening_float_fen") if opened is not None else None
    if not _is_fen(opening) or not isinstance(day, str):
        return None
    cash = await tx.fetchval(
        "SELECT coalesce(sum(amount_fen), 0) FROM money_lines WHERE business_date = ?"
        " AND site_id = ? AND shift_id = ? AND device_id = ? AND method = 'cash'",
        day,
        head.site_id,
        shift_id,
        head.device_id,
    )
    moves = await tx.fetch(
        "SELECT kind, coalesce(sum(amount_fen), 0) AS fen FROM cash_movements"
        " WHERE shift_id = ? AND device_id = ? GROUP BY kind",
        shift_id,
        head.device_id,
    )
    moved = sum(int(m["fen"]) * (1 if m["kind"] == "pay_in" else -1) for m in moves)
    return int(opening) + int(cash) + moved


async def _method_totals(
    tx: Tx, head: DeviceHead, run: list[WireRecord], cash_flagged: set[str | None]
) -> list[Exception_]:
    """``method_total_mismatch``: a close whose ``method_totals`` (the counter's slip: tenders
    per method, voids netted, refunds apart, prepaid included) are not HQ's sums of the shift's
    payment and void money lines. One exception per close, naming every method that differs
    with both figures. Cash is named only when the close's expected cash agreed with HQ's
    (``cash_flagged``: closes already flagged ``expected_cash_mismatch``), so one cash edit is one
    exception. A close without ``method_totals`` (an older counter) or whose open HQ lacks is
    not checked, as in :func:`_drawers`."""
    problems = []
    for record in run:
        totals = record.payload.get("method_totals")
        if record.kind != "shift_close" or not _are_totals(totals):
            continue
        shift_id = record.payload.get("shift_id") or record.payload.get("id")
        if not isinstance(shift_id, str):
            continue
        held = await _methods_at_hq(tx, head, shift_id, record.payload.get("business_date"))
        if held is None:
            continue
        differing = [
            {"method": method, "counter_fen": totals.get(method, 0), "hq_fen": held.get(method, 0),
             "difference_fen": totals.get(method, 0) - held.get(method, 0)}
            for method in sorted(set(totals) | set(held))
            if totals.get(method, 0) != held.get(method, 0)
            and not (method == "cash" and record.record_id in cash_flagged)
        ]  # fmt: skip
        if differing:
            problems.append(
                flag("method_total_mismatch", record, head.site_id, shift_id=shift_id,
                     methods=differing)
            )  # fmt: skip
    return problems


def _are_totals(value: Any) -> bool:
    return isinstance(value, dict) and all(_is_fen(fen) for fen in value.values())


async def _methods_at_hq(
    tx: Tx, head: DeviceHead, shift_id: str, day: Any
) -> dict[str, int] | None:
    """The shift's payment and void money lines summed per method (refunds left out, as the
    counter's totals leave them); ``None`` when HQ lacks the shift's open."""
    if await _shift_open(tx, head, shift_id) is None or not isinstance(day, str):
        return None
    rows = await tx.fetch(
        "SELECT method, coalesce(sum(amount_fen), 0) AS fen FROM money_lines"
        " WHERE business_date = ? AND site_id = ? AND shift_id = ? AND device_id = ?"
        " AND kind IN ('payment', 'void') GROUP BY method",
        day,
        head.site_id,
        shift_id,
        head.device_id,
    )
    return {row["method"]: int(row["fen"]) for row in rows}


def receipt_of(record: WireRecord) -> tuple[str, int] | None:
    """``(series, number)`` of a receipt a record used (payments and void slips share a series)."""
    number = record.payload.get("receipt_number")
    if isinstance(number, bool) or not isinstance(number, int):
        return None
    series = record.payload.get("receipt_series_id", "")
    return (series if isinstance(series, str) else str(series)), number


async def _receipts(tx: Tx, head: DeviceHead, run: list[WireRecord]) -> list[Exception_]:
    """Each receipt number of a device's series follows the last one: no gap, no repeat."""
    found = await tx.fetch(
        "SELECT series, last_no FROM receipt_series WHERE device_id = ?", head.device_id
    )
    last: dict[str, int] = {row["series"]: int(row["last_no"]) for row in found}
    changed: dict[str, int] = {}
    problems = []
    for record in run:
        receipt = receipt_of(record)
        if receipt is None:
            continue
        series, number = receipt
        before = last.get(series)
        if before is not None and number <= before:
            problems.append(flag("receipt_repeat", record, head.site_id, series=series,
                                 number=number, last=before))  # fmt: skip
        elif before is not None and number != before + 1:
            problems.append(flag("receipt_gap", record, head.site_id, series=series,
                                 missing_from=before + 1, missing_to=number - 1))  # fmt: skip
        last[series] = changed[series] = max(number, before or 0)
    for series, number in changed.items():
        await tx.execute(
            "INSERT INTO receipt_series (device_id, series, last_no) VALUES (?, ?, ?)"
            " ON CONFLICT (device_id, series) DO UPDATE SET last_no = excluded.last_no",
            head.device_id,
            series,
            number,
        )
    return problems


__all__ = [
    "Projection",
    "check_sequence",
    "created_at_of",
    "flag",
    "prepare",
    "project",
    "receipt_of",
]
