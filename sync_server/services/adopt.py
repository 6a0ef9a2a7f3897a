"""Adopt a standalone counter: its site and master data become headquarters', with their ids.

A counter that ran alone (``feetui demo-data``, or a site that started without HQ) holds its own
site, units, owners, cars, fee items, counter users and bills, and a journal of payments that name
them by id. Enrolling it at an HQ that re-created the site (``sites add`` + ``import-units``) does
not work: HQ's site has another id, so HQ refuses every pushed payment (``foreign_site``), and the
imported units have new ids, so the counter's pull would give it a second copy of every unit.

So HQ takes the counter's rows as they are, ids included, in ONE transaction, and publishes each
in the change log the way ``import-units`` and ``bill`` do (other counters of the site get them;
the adopted counter finds its own rows again and changes nothing). Then the counter enrols and
pushes its journal: payments, shifts and the charges its journal carries (late fees, meter
readings, counter charges) arrive by the ordinary push, so only the charges no journal record
carries (bills) are adopted here. The bill periods adopted are claimed in ``bill_runs``, so HQ's
next ``bill`` does not bill them again, and the counter's history (its journal up to now) is
recorded in ``adopted_counters``, so HQ does not flag two years of old records as late.

Nothing is merged: HQ must not know the site, the counter or any of the rows yet (a clash is
reported, every one of them, and nothing is written). The counter's file is read with plain SQL in
one read transaction (a consistent snapshot even while the app runs); it is never written.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sync_server.clock import iso
from sync_server.db.connection import Tx, flatten, values_clause
from sync_server.services.changes import append_changes

COUNTER_TABLES = ("device", "site", "unit", "party", "vehicle", "fee_item", "charge", "user")
CARRIED_BY_JOURNAL = ("late_fee",)
"""Charge sources only ever posted inside a journal record (a payment's late fees)."""
COUNTER_ROLES = ("cashier", "supervisor")
"""Counter users HQ takes over; a counter's local admins stay local (HQ admins need passwords)."""
FEE_ITEM_RULE = (
    "months_per_bill",
    "late_fee_daily_ppm",
    "late_fee_grace_days",
    "late_fee_cap_percent",
)
"""A fee item's bill cycle and late-fee rule: HQ keeps them as the counter had them."""
CHUNK = 500
MAX_REPORTED = 20


class AdoptError(Exception):
    """The counter file cannot be adopted; ``problems`` says why, one line each."""

    def __init__(self, code: str, problems: Sequence[str]) -> None:
        super().__init__("; ".join(problems))
        self.code = code
        self.problems = list(problems)


@dataclass(slots=True)
class CounterData:
    """What a standalone counter holds of its one site, as rows ready for HQ's tables."""

    device_id: str
    device_name: str
    history_seq: int
    site: dict[str, Any]
    fee_items: list[dict[str, Any]] = field(default_factory=list)
    parties: list[dict[str, Any]] = field(default_factory=list)
    units: list[dict[str, Any]] = field(default_factory=list)
    vehicles: list[dict[str, Any]] = field(default_factory=list)
    users: list[dict[str, Any]] = field(default_factory=list)
    charges: list[dict[str, Any]] = field(default_factory=list)
    bill_runs: list[tuple[str, int, int]] = field(default_factory=list)
    """``(period, charges, total fen)`` of every month the counter billed: the bills HQ adopts
    here and those its ``feetui bill`` journaled (they reach HQ with the push)."""


@dataclass(frozen=True, slots=True)
class AdoptReport:
    """What the adoption wrote."""

    site_id: str
    site_code: str
    device_id: str
    history_seq: int
    units: int
    parties: int
    vehicles: int
    fee_items: int
    users: int
    charges: int
    bill_periods: int


# --- reading the counter's file -----------------------------------------------------------------


def read_counter(path: Path, *, site_code: str | None = None, users: bool = True) -> CounterData:
    """Read a standalone counter's database (never written).

    Args:
        path: the counter's SQLite file.
        site_code: the code the site gets at HQ (default: the counter's own code).
        users: take the counter's cashiers and supervisors too.

    Raises:
        AdoptError: ``counter_not_found``, ``not_a_counter_database``, ``counter_enrolled``,
            ``counter_site_count`` or ``counter_data`` (rows HQ cannot hold).
    """
    if not path.is_file():
        raise AdoptError("counter_not_found", [f"{path}: no such file"])
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as error:
        raise AdoptError("not_a_counter_database", [f"{path}: {error}"]) from None
    conn.row_factory = sqlite3.Row
    try:
        conn.execute("BEGIN")  # one snapshot for every read below
        _check_tables(conn, path)
        return _read(conn, path, site_code, users)
    except sqlite3.DatabaseError as error:
        raise AdoptError("not_a_counter_database", [f"{path}: {error}"]) from None
    finally:
        conn.close()


def _check_tables(conn: sqlite3.Connection, path: Path) -> None:
    names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    missing = [t for t in (*COUNTER_TABLES, "journal_entry") if t not in names]
    if missing:
        raise AdoptError(
            "not_a_counter_database",
            [f"{path}: not a feetui counter database (no table {', '.join(missing)})"],
        )


def _read(conn: sqlite3.Connection, path: Path, code: str | None, users: bool) -> CounterData:
    device = conn.execute(
        "SELECT id, name, sync_token FROM device ORDER BY created_at, id LIMIT 1"
    ).fetchone()
    if device is None:
        raise AdoptError("not_a_counter_database", [f"{path}: the counter has no device row"])
    if device["sync_token"]:
        raise AdoptError(
            "counter_enrolled",
            [f"{path}: this counter is enrolled with a server already; its data is that HQ's"],
        )
    sites = conn.execute("SELECT id, code, name FROM site ORDER BY code").fetchall()
    if len(sites) != 1:
        raise AdoptError(
            "counter_site_count",
            [f"{path}: the counter holds {len(sites)} sites; adopt takes a counter of one site"],
        )
    site = dict(sites[0]) | ({"code": code} if code else {})
    seq = conn.execute(
        "SELECT coalesce(max(seq), 0) FROM journal_entry WHERE device_id = ?", (device["id"],)
    ).fetchone()[0]
    data = CounterData(device["id"], device["name"], int(seq), site)
    _read_rows(conn, data, users)
    problems = _problems(data)
    if problems:
        raise AdoptError("counter_data", problems)
    return data


def _rows(conn: sqlite3.Connection, sql: str, *args: Any) -> list[dict[str, Any]]:
    return [dict(row) for row in conn.execute(sql, args)]


def _read_rows(conn: sqlite3.Connection, data: CounterData, users: bool) -> None:
    site_id = data.site["id"]
    columns = {row[1] for row in conn.execute("PRAGMA table_info(fee_item)")}
    # A counter file of a version before due days and scopes: HQ's defaults.
    cycle = (
        "due_day, scope" if {"due_day", "scope"} <= columns else "28 AS due_day, 'unit' AS scope"
    )
    data.fee_items = _rows(
        conn,
        "SELECT id, code, name, kind, rate_fen, months_per_bill, unit_label, late_fee_daily_ppm,"
        f" late_fee_grace_days, late_fee_cap_percent, active, {cycle} FROM fee_item"
        " WHERE site_id = ? ORDER BY code",
        site_id,
    )
    data.units = _rows(
        conn,
        "SELECT id, code, building, entrance, floor, room, area_centi_m2, kind, tags, owner_id,"
        " owner_name, plates, active FROM unit WHERE site_id = ? ORDER BY code",
        site_id,
    )
    data.parties = _rows(
        conn,
        "SELECT p.id, p.name, p.phone, p.kind, coalesce((SELECT min(u.id) FROM unit u"
        " WHERE u.owner_id = p.id AND u.site_id = p.site_id), (SELECT min(v.unit_id)"
        " FROM vehicle v WHERE v.party_id = p.id)) AS unit_id FROM party p WHERE p.site_id = ?"
        " ORDER BY p.id",
        site_id,
    )
    data.vehicles = _rows(
        conn,
        "SELECT v.id, v.unit_id, v.plate, v.party_id FROM vehicle v JOIN unit u ON u.id = v.unit_id"
        " WHERE u.site_id = ? ORDER BY v.id",
        site_id,
    )
    if users:
        roles = ",".join(f"'{role}'" for role in COUNTER_ROLES)
        data.users = _rows(
            conn,
            f"SELECT id, code, name, role, pin_hash, active FROM user WHERE role IN ({roles})"
            " ORDER BY code",
        )
    data.charges = _rows(
        conn,
        "SELECT c.id, c.unit_id, c.fee_item_id, c.period, c.period_start, c.period_end,"
        " c.amount_fen, c.due_date, c.source, c.parent_id, c.note, c.origin_device_id,"
        " c.created_at FROM charge c JOIN unit u ON u.id = c.unit_id WHERE u.site_id = ?"
        f" AND c.source NOT IN ({','.join('?' * len(CARRIED_BY_JOURNAL))})"
        " AND NOT EXISTS (SELECT 1 FROM journal_entry j WHERE j.record_id = c.id)"
        " AND NOT EXISTS (SELECT 1 FROM meter_reading m WHERE m.charge_id = c.id)"
        " ORDER BY c.due_date, c.id",
        site_id,
        *CARRIED_BY_JOURNAL,
    )
    data.bill_runs = [
        (str(period), int(count), int(total))
        for period, count, total in conn.execute(
            "SELECT c.period, count(*), sum(c.amount_fen) FROM charge c JOIN unit u"
            " ON u.id = c.unit_id WHERE u.site_id = ? AND c.source = 'bill' GROUP BY c.period"
            " ORDER BY c.period",
            (site_id,),
        )
    ]


def _problems(data: CounterData) -> list[str]:
    """Rows HQ's tables cannot hold (HQ keeps each party with a unit)."""
    problems = [
        f"party {p['id']} ({p['name']}) owns no unit and drives no car of the site"
        for p in data.parties
        if p["unit_id"] is None
    ]
    return problems[:MAX_REPORTED]


# --- writing it at HQ ---------------------------------------------------------------------------


async def adopt_counter(tx: Tx, data: CounterData, *, now: datetime) -> AdoptReport:
    """Take the counter's site and rows into HQ inside ``tx`` (the caller's one transaction).

    Raises:
        AdoptError: ``adopt_conflict`` naming every clash with what HQ holds; nothing written
            (the caller's transaction rolls back).
    """
    conflicts = await _conflicts(tx, data)
    if conflicts:
        raise AdoptError("adopt_conflict", conflicts)
    at = iso(now)
    site_id = data.site["id"]
    await tx.execute(
        "INSERT INTO sites (id, code, name, created_at) VALUES (?, ?, ?, ?)",
        site_id, data.site["code"], data.site["name"], at,
    )  # fmt: skip
    changes: list[tuple[Any, ...]] = [(site_id, "site", "upsert", site_id, data.site, None, at)]
    changes += await _fee_items(tx, data, at)
    changes += await _units_and_parties(tx, data, at)
    changes += await _vehicles(tx, data, at)
    changes += await _users(tx, data, at)
    changes += await _charges(tx, data, at)
    periods = await _claim_bill_periods(tx, data, at)
    await tx.execute(
        "INSERT INTO adopted_counters (device_id, site_id, name, history_seq, adopted_at)"
        " VALUES (?, ?, ?, ?, ?)",
        data.device_id, site_id, data.device_name, data.history_seq, at,
    )  # fmt: skip
    await append_changes(tx, changes)
    return AdoptReport(
        site_id, data.site["code"], data.device_id, data.history_seq, len(data.units),
        len(data.parties), len(data.vehicles), len(data.fee_items), len(data.users),
        len(data.charges), periods,
    )  # fmt: skip


async def _existing(tx: Tx, table: str, column: str, values: Sequence[str]) -> list[str]:
    found: list[str] = []
    for start in range(0, len(values), CHUNK):
        chunk = list(values[start : start + CHUNK])
        rows = await tx.fetch(
            f"SELECT {column} FROM {table} WHERE {column} IN ({','.join('?' * len(chunk))})",
            *chunk,
        )
        found += [str(row[column]) for row in rows]
    return found


async def _conflicts(tx: Tx, data: CounterData) -> list[str]:
    site = data.site
    out: list[str] = []
    if await _existing(tx, "sites", "code", [site["code"]]):
        out.append(f"HQ has a site with code {site['code']} already (choose --site-code)")
    if await _existing(tx, "sites", "id", [site["id"]]):
        out.append(f"HQ has this counter's site ({site['id']}) already: it was adopted before")
    for table in ("devices", "adopted_counters"):
        column = "id" if table == "devices" else "device_id"
        if await _existing(tx, table, column, [data.device_id]):
            out.append(f"HQ knows this counter ({data.device_id}) already")
            break
    for table, rows in (
        ("units", data.units), ("parties", data.parties), ("vehicles", data.vehicles),
        ("fee_items", data.fee_items), ("users", data.users), ("charges", data.charges),
    ):  # fmt: skip
        clash = await _existing(tx, table, "id", [row["id"] for row in rows])
        if clash:
            out.append(f"HQ has {len(clash)} of the counter's {table} already, e.g. {clash[0]}")
    for code in await _existing(tx, "users", "code", [u["code"] for u in data.users]):
        out.append(f"HQ has a user with sign-in code {code} (adopt with --without-users)")
    return out[:MAX_REPORTED]


async def _insert(tx: Tx, table: str, rows: list[tuple[Any, ...]]) -> None:
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        await tx.execute(
            f"INSERT INTO {table} VALUES {values_clause(len(chunk), len(chunk[0]))}",
            *flatten(chunk),
        )


def _flag(value: Any) -> bool:
    return bool(int(value)) if value is not None else True


async def _fee_items(tx: Tx, data: CounterData, at: str) -> list[tuple[Any, ...]]:
    site_id = data.site["id"]
    rows, changes = [], []
    for item in data.fee_items:
        rows.append((item["id"], site_id, item["code"], item["name"], item["kind"],
                     int(item["rate_fen"]), int(item["due_day"]), at, item["scope"],
                     *(int(item[key]) for key in FEE_ITEM_RULE)))  # fmt: skip
        record = {**item, "site_id": site_id, "active": _flag(item["active"])}
        changes.append((site_id, "fee_item", "upsert", item["id"], record, None, at))
    columns = (
        "(id, site_id, code, name, kind, rate_fen, due_day, updated_at, scope,"
        f" {', '.join(FEE_ITEM_RULE)})"
    )
    await _insert(tx, f"fee_items {columns}", rows)
    return changes


async def _units_and_parties(tx: Tx, data: CounterData, at: str) -> list[tuple[Any, ...]]:
    site_id = data.site["id"]
    units = [
        (u["id"], site_id, u["code"], u["building"], u["entrance"], u["room"],
         int(u["area_centi_m2"]), at)
        for u in data.units
    ]  # fmt: skip
    columns = "(id, site_id, code, building, entrance, room, area_centi_m2, updated_at)"
    await _insert(tx, f"units {columns}", units)
    parties = [
        (p["id"], site_id, p["unit_id"], p["kind"], p["name"], p["phone"], at) for p in data.parties
    ]
    await _insert(tx, "parties (id, site_id, unit_id, role, name, phone, updated_at)", parties)
    # Parties first: a unit's owner must be there when the counter reads the unit.
    changes = [
        (site_id, "party", "upsert", p["id"], {**p, "site_id": site_id, "role": p["kind"]}, None,
         at)
        for p in data.parties
    ]  # fmt: skip
    for unit in data.units:
        plates = unit["plates"].split() if unit["plates"] else []
        record = {**unit, "site_id": site_id, "active": _flag(unit["active"]), "plates": plates}
        changes.append((site_id, "unit", "upsert", unit["id"], record, None, at))
    return changes


async def _vehicles(tx: Tx, data: CounterData, at: str) -> list[tuple[Any, ...]]:
    site_id = data.site["id"]
    rows = [(v["id"], site_id, v["unit_id"], v["plate"], at) for v in data.vehicles]
    await _insert(tx, "vehicles (id, site_id, unit_id, plate, updated_at)", rows)
    return [(site_id, "vehicle", "upsert", v["id"], v, None, at) for v in data.vehicles]


async def _users(tx: Tx, data: CounterData, at: str) -> list[tuple[Any, ...]]:
    site_id = data.site["id"]
    changes = []
    for user in data.users:
        active = _flag(user["active"])
        await tx.execute(
            "INSERT INTO users (id, code, name, role, pin_hash, disabled_at, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            user["id"], user["code"], user["name"], user["role"], user["pin_hash"],
            None if active else at, at,
        )  # fmt: skip
        await tx.execute(
            "INSERT INTO user_sites (user_id, site_id) VALUES (?, ?)", user["id"], site_id
        )
        record = {key: user[key] for key in ("id", "code", "name", "role", "pin_hash")}
        record["disabled"] = not active
        changes.append((site_id, "user", "upsert", user["id"], record, None, at))
    return changes


def _iso_instant(value: Any) -> Any:
    """The counter stores ``2026-12-04 09:45:00+00:00``; HQ and the wire use ISO 8601."""
    return value.replace(" ", "T", 1) if isinstance(value, str) else value


async def _charges(tx: Tx, data: CounterData, at: str) -> list[tuple[Any, ...]]:
    site_id = data.site["id"]
    rows, changes = [], []
    for charge in data.charges:
        created = _iso_instant(charge["created_at"]) or at
        rows.append((charge["id"], site_id, charge["unit_id"], charge["fee_item_id"],
                     charge["period"], int(charge["amount_fen"]), charge["due_date"],
                     charge["source"], created))  # fmt: skip
        record = {**charge, "created_at": created}
        changes.append((site_id, "charge", "upsert", charge["id"], record, None, at))
    columns = "id, site_id, unit_id, fee_item_id, period, amount_fen, due_date, source, created_at"
    await _insert(tx, f"charges ({columns})", rows)
    return changes


async def _claim_bill_periods(tx: Tx, data: CounterData, at: str) -> int:
    """The months the counter billed count as billed at HQ (its ``bill`` skips them).

    Every month with a bill charge of the site counts, whether HQ adopts that charge here or
    the counter's own ``feetui bill`` journaled it and it arrives with the push: either way HQ
    billing that month again would bill the units twice.
    """
    rows = [
        (data.site["id"], period, at, n, total)
        for period, n, total in data.bill_runs
        if len(period) == 7 and period[4] == "-"
    ]
    if rows:
        await _insert(tx, "bill_runs (site_id, period, run_at, charges, total_fen)", rows)
    return len(rows)


__all__ = ["AdoptError", "AdoptReport", "CounterData", "adopt_counter", "read_counter"]
