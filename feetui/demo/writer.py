"""Writing the demo in bulk: the rows the services would write, through ``executemany``.

Each function takes an open ``sqlite3`` connection inside the caller's transaction and writes one
kind of data. Payment rows are made from the payment's journal payload field for field as
:func:`feetui.services.payments.take_payment` writes them (``tests/demo`` compares the two), so a
demo payment is indistinguishable from one taken at the counter. Instants are stored the way
Tortoise stores them (``str()`` of an aware UTC datetime).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from feetui.core.pin import hash_pin
from feetui.core.search import normalise_phone
from feetui.db.pinyin import name_initials
from feetui.db.search_index import rebuild_balances_sqlite
from feetui.demo.billing import BilledCharge
from feetui.demo.community import Community
from feetui.demo.history import DayRows

_INSERT = {
    "site": "INSERT INTO site (id, code, name) VALUES (?, ?, ?)",
    "party": "INSERT INTO party (id, site_id, name, phone, kind) VALUES (?, ?, ?, ?, ?)",
    "unit": (
        "INSERT INTO unit (id, site_id, code, building, entrance, floor, room, area_centi_m2, "
        "kind, tags, owner_name, owner_initials, phone_tail, plates, active, owner_id) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?)"
    ),
    "vehicle": "INSERT INTO vehicle (id, unit_id, plate, party_id) VALUES (?, ?, ?, ?)",
    "fee_item": (
        "INSERT INTO fee_item (id, site_id, code, name, kind, rate_fen, months_per_bill, "
        "unit_label, late_fee_daily_ppm, late_fee_grace_days, late_fee_cap_percent, due_day, "
        "scope, active) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)"
    ),
    "user": "INSERT INTO user (id, code, name, role, pin_hash, active) VALUES (?, ?, ?, ?, ?, 1)",
    "charge": (
        "INSERT INTO charge (id, unit_id, fee_item_id, period, period_start, period_end, "
        "amount_fen, due_date, source, parent_id, note, origin_device_id, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    ),
    "shift": (
        "INSERT INTO shift (id, device_id, cashier_id, opened_at, business_date, "
        "opening_float_fen, opening_counts_json) VALUES (?, ?, ?, ?, ?, ?, ?)"
    ),
    "shift_close": (
        "INSERT INTO shift_close (id, shift_id, closed_at, counted_fen, counts_json, "
        "expected_fen, over_short_fen, note, closed_by_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
    ),
    "settlement_check": (
        "INSERT INTO settlement_check (id, close_id, method, recorded_fen, slip_fen, "
        "difference_fen) VALUES (?, ?, ?, ?, ?, ?)"
    ),
    "payment": (
        "INSERT INTO payment (id, device_id, shift_id, unit_id, cashier_id, payer_name, "
        "business_date, created_at, total_fen, prepaid_credit_fen, prepaid_used_fen, "
        "receipt_no) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    ),
    "tender": (
        "INSERT INTO tender (id, payment_id, void_id, shift_id, method, amount_fen, "
        "tendered_fen, change_fen, reference) VALUES (?, ?, NULL, ?, ?, ?, ?, ?, ?)"
    ),
    "allocation": (
        "INSERT INTO allocation (id, payment_id, void_id, charge_id, amount_fen) "
        "VALUES (?, ?, NULL, ?, ?)"
    ),
    "prepaid_entry": (
        "INSERT INTO prepaid_entry (id, unit_id, amount_fen, kind, payment_id, refund_id, "
        "void_id, created_at) VALUES (?, ?, ?, ?, ?, NULL, NULL, ?)"
    ),
    "receipt_number": (
        "INSERT INTO receipt_number (id, series_id, number, text, payment_id, void_id) "
        "VALUES (?, ?, ?, ?, ?, NULL)"
    ),
    "journal_entry": (
        "INSERT INTO journal_entry (id, device_id, seq, record_id, kind, payload_json, "
        "prev_hash, hash, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
    ),
    "outbox": "INSERT INTO outbox (entry_id, acked_at) VALUES (?, NULL)",
}


BULK_TABLES = (
    "charge", "payment", "tender", "allocation", "prepaid_entry", "receipt_number", "shift",
    "shift_close", "journal_entry", "outbox",
)  # fmt: skip
"""Tables the history fills with hundreds of thousands of rows."""

_DEFERRED = f"""
SELECT type, name, sql FROM sqlite_master
WHERE sql IS NOT NULL AND tbl_name IN ({", ".join(f"'{t}'" for t in BULK_TABLES)})
  AND (type = 'index' OR (type = 'trigger' AND name LIKE 'unit_balance_on_%'))
ORDER BY type, name
"""


@contextmanager
def bulk_load(connection: sqlite3.Connection) -> Iterator[None]:
    """Load the history without the work a row at a time costs most, and put it back after.

    The secondary indexes of the bulk tables and the ``unit_balance`` triggers are dropped, and
    afterwards re-created from their own stored SQL (so the schema ends byte for byte as the
    migrations made it: indexes built once by sorting, uniqueness checked then) and the balances
    are computed once from the posted rows. Foreign keys stay checked throughout. A failure
    inside leaves a half-built file, which the caller deletes.
    """
    deferred = connection.execute(_DEFERRED).fetchall()
    with connection:
        connection.execute("BEGIN")
        for kind, name, _ in deferred:
            connection.execute(f'DROP {kind.upper()} "{name}"')
    yield
    with connection:
        connection.execute("BEGIN")
        for _, _, sql in sorted(deferred, key=lambda row: row[0] != "index"):
            connection.execute(sql)
        rebuild_balances_sqlite(connection)


def stamp(at: datetime) -> str:
    """An aware instant as Tortoise stores it on SQLite: ``2026-01-01 01:02:03.456789+00:00``."""
    return str(at)


def write_master(connection: sqlite3.Connection, community: Community, salt: bytes) -> None:
    """Site, fee items, users (PINs hashed with ``salt`` + code), parties, units and vehicles."""
    site = community.site_id
    connection.execute(_INSERT["site"], (site, community.site_code, community.site_name))
    connection.executemany(
        _INSERT["fee_item"],
        [
            (i.id, site, i.code, i.name, i.kind, i.rate_fen, i.months_per_bill, i.unit_label,
             i.late_fee_daily_ppm, i.late_fee_grace_days, i.late_fee_cap_percent, i.due_day,
             i.scope)
            for i in community.fee_items.values()
        ],
    )  # fmt: skip
    connection.executemany(
        _INSERT["user"],
        [
            (u.id, u.code, u.name, u.role, hash_pin(u.pin, salt=salt + u.code.encode()))
            for u in community.users
        ],
    )
    units = community.units
    connection.executemany(
        _INSERT["party"],
        [(u.owner.id, site, u.owner.name, u.owner.phone, u.owner.kind) for u in units],
    )
    connection.executemany(_INSERT["unit"], [_unit_row(site, u) for u in units])
    connection.executemany(
        _INSERT["vehicle"], [(c.id, u.id, c.plate, u.owner.id) for u in units for c in u.cars]
    )


def _unit_row(site: str, u: Any) -> tuple:
    initials = name_initials(u.owner.name, person=u.owner.kind != "shop")
    return (
        u.id, site, u.code, u.building, u.entrance, u.floor, u.room, u.area_centi_m2, u.kind,
        u.tags, u.owner.name, initials[0] if initials else "",
        normalise_phone(u.owner.phone)[-4:], " ".join(c.plate for c in u.cars), u.owner.id,
    )  # fmt: skip


def write_charges(connection: sqlite3.Connection, charges: Iterable[BilledCharge]) -> None:
    """A bill run's charges (headquarters made them: no device, no journal entry)."""
    connection.executemany(
        _INSERT["charge"],
        [
            (c.id, c.unit_id, c.item.id, c.period, c.period_start.isoformat(),
             c.period_end.isoformat(), c.amount_fen, c.due_date.isoformat(), c.source, None,
             c.note, None, stamp(c.created_at))
            for c in charges
        ],
    )  # fmt: skip


def write_days(connection: sqlite3.Connection, days: Sequence[DayRows]) -> None:
    """Shifts, payments (with all their rows), shift closes and journal entries of some days."""
    rows: dict[str, list[tuple]] = {name: [] for name in _INSERT}
    for day in days:
        rows["shift"].extend((*r[:3], stamp(r[3]), r[4].isoformat(), *r[5:]) for r in day.shifts)
        for payload in day.payments:
            payment_rows(payload, rows)
        for close in day.closes:
            close_rows(close, rows)
        for entry_id, entry, at in day.entries:
            rows["journal_entry"].append(
                (entry_id, entry.device_id, entry.seq, entry.record_id, entry.kind,
                 entry.payload_json, entry.prev_hash, entry.hash, stamp(at))
            )  # fmt: skip
            rows["outbox"].append((entry_id,))
    order = ("shift", "charge", "payment", "tender", "allocation", "prepaid_entry",
             "receipt_number", "shift_close", "settlement_check", "journal_entry",
             "outbox")  # fmt: skip
    for name in order:
        if rows[name]:
            connection.executemany(_INSERT[name], rows[name])


def close_rows(p: dict[str, Any], rows: dict[str, list[tuple]]) -> None:
    """The rows of one shift close, from its payload, as close_shift writes them."""
    rows["shift_close"].append(
        (p["id"], p["shift_id"], stamp(datetime.fromisoformat(p["created_at"])),
         p["counted_fen"], json.dumps(p["counts"], sort_keys=True), p["expected_fen"],
         p["over_short_fen"], p["note"], p["closed_by_id"])
    )  # fmt: skip
    rows["settlement_check"].extend(
        (s["id"], p["id"], s["method"], s["recorded_fen"], s["slip_fen"], s["difference_fen"])
        for s in p["settlement_checks"]
    )


def payment_rows(p: dict[str, Any], rows: dict[str, list[tuple]]) -> None:
    """Every row of one payment, from its payload, as take_payment writes them."""
    at = stamp(datetime.fromisoformat(p["created_at"]))
    pid, device = p["id"], p["device_id"]
    rows["charge"].extend(
        (c["id"], c["unit_id"], c["fee_item_id"], c["period"], None, None, c["amount_fen"],
         c["due_date"], c["source"], c["parent_id"], "", device, at)
        for c in p["late_fee_charges"]
    )  # fmt: skip
    rows["payment"].append(
        (pid, device, p["shift_id"], p["unit_id"], p["cashier_id"], p["payer_name"],
         p["business_date"], at, p["total_fen"], p["prepaid_credit_fen"],
         p["prepaid_used_fen"], p["receipt_no"])
    )  # fmt: skip
    rows["tender"].extend(
        (t["id"], pid, p["shift_id"], t["method"], t["amount_fen"], t["tendered_fen"],
         t["change_fen"], t["reference"])
        for t in p["tenders"]
    )  # fmt: skip
    rows["allocation"].extend(
        (a["id"], pid, a["charge_id"], a["amount_fen"]) for a in p["allocations"]
    )
    rows["prepaid_entry"].extend(
        (e["id"], p["unit_id"], e["amount_fen"], e["kind"], pid, at) for e in p["prepaid_entries"]
    )
    rows["receipt_number"].append(
        (p["receipt_number_id"], p["receipt_series_id"], p["receipt_number"], p["receipt_no"], pid)
    )


__all__ = [
    "BULK_TABLES",
    "bulk_load",
    "close_rows",
    "payment_rows",
    "stamp",
    "write_charges",
    "write_days",
    "write_master",
]
