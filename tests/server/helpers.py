"""Builders for server tests: enrolled devices that make hash-chained records, and DB snapshots."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from feetui.clock import FixedClock, IdSource
from feetui.core.journal import GENESIS_HASH
from feetui.sync.protocol import WireRecord, make_record
from sync_server.keys import DB
from sync_server.services.auth import create_enrollment_code
from sync_server.services.master import NewUser, add_site, add_user

IGNORED_COLUMNS: dict[str, frozenset[str]] = {}
"""Columns a request may move without changing anything that matters, per table.

Empty on purpose: no route writes a "last seen" stamp or any other bookkeeping on a read, and
``devices.last_push_at`` moves only when a push is applied (a 200). A column is added here only
with the reason it may move on a refused request.
"""

TABLES_SQL = {
    "sqlite": (
        "SELECT m.name AS t, p.name AS c FROM sqlite_master m, pragma_table_info(m.name) p"
        " WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' ORDER BY m.name, p.cid"
    ),
    "postgres": (
        "SELECT table_name AS t, column_name AS c FROM information_schema.columns"
        " WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position"
    ),
}
"""Every table of the database and its columns, from the catalogue (so a new table is covered)."""


@dataclass
class MutableClock:
    """The server's clock in tests: a callable that stays put until moved."""

    current: datetime

    def __call__(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        """Move by ``timedelta(**delta)``."""
        self.current += timedelta(**delta)


@dataclass
class Device:
    """An enrolled counter that writes its own hash-chained journal."""

    device_id: str
    token: str
    site_id: str
    ids: IdSource
    seq: int = 0
    prev: str = GENESIS_HASH
    shift_id: str = ""
    receipt_no: int = 0
    made: list[WireRecord] = field(default_factory=list)

    def record(self, kind: str, /, **payload: Any) -> WireRecord:
        """The next record of the chain."""
        self.seq += 1
        base = {"created_at": "2026-11-23T01:30:00Z", "business_date": "2026-11-23"}
        record = make_record(
            device_id=self.device_id,
            seq=self.seq,
            record_id=self.ids.new_str(),
            kind=kind,
            payload={**base, **payload},
            prev_hash=self.prev,
        )
        self.prev = record.hash
        self.made.append(record)
        return record

    def payment(
        self, amount_fen: int, *, method: str = "cash", charge_id: str | None = None, **extra: Any
    ) -> WireRecord:
        """A payment shaped as the counter journals it: one tender, receipt number, allocation."""
        self.receipt_no += 1
        allocations = []
        if charge_id:
            allocations = [
                {"id": self.ids.new_str(), "charge_id": charge_id, "amount_fen": amount_fen}
            ]
        fields: dict[str, Any] = dict(
            site_id=self.site_id,
            shift_id=self.shift_id or None,
            unit_id="unit-1",
            receipt_series_id=f"series-{self.device_id[-4:]}",
            receipt_number=self.receipt_no,
            receipt_no=f"{self.device_id[-4:].upper()}-{self.receipt_no:08d}",
            total_fen=amount_fen,
            tenders=[{"id": self.ids.new_str(), "method": method, "amount_fen": amount_fen}],
            allocations=allocations,
        )
        return self.record("payment", **(fields | extra))

    def void(self, payment: WireRecord, **extra: Any) -> WireRecord:
        """The void of ``payment``: its reversal rows and a void slip number from the series."""
        self.receipt_no += 1
        tenders = [
            t | {"id": self.ids.new_str(), "amount_fen": -t["amount_fen"], "reverses_id": t["id"]}
            for t in payment.payload["tenders"]
        ]
        allocations = [
            a | {"id": self.ids.new_str(), "amount_fen": -a["amount_fen"], "reverses_id": a["id"]}
            for a in payment.payload["allocations"]
        ]
        fields: dict[str, Any] = dict(
            site_id=self.site_id,
            shift_id=self.shift_id or None,
            unit_id=payment.payload["unit_id"],
            payment_id=payment.record_id,
            reason="录错房号",
            receipt_series_id=payment.payload["receipt_series_id"],
            receipt_number=self.receipt_no,
            total_fen=payment.payload["total_fen"],
            tenders=tenders,
            allocations=allocations,
        )
        return self.record("void", **(fields | extra))

    def auth(self) -> dict[str, str]:
        """The Authorization header of this device."""
        return {"Authorization": f"Bearer {self.token}"}

    def body(self, records: list[WireRecord]) -> dict[str, Any]:
        """A push body."""
        return {"device_id": self.device_id, "records": [r.to_json() for r in records]}


class Hq:
    """The server under test: its client, its clock and direct database reads."""

    def __init__(self, client: Any, clock: MutableClock) -> None:
        self.client = client
        self.clock = clock
        self.sites: dict[str, str] = {}
        self._tables: dict[str, tuple[str, ...]] | None = None
        self._fingerprint_sql: str | None = None

    @property
    def db(self) -> Any:
        """The app's database."""
        return self.client.app[DB]

    async def add_site(self, code: str, name: str) -> str:
        """Create a site through the service."""
        self.sites[code] = await add_site(self.db, code=code, name=name, now=self.clock())
        return self.sites[code]

    async def code(self, site: str = "S1", name: str = "window-1") -> str:
        """A one-time enrolment code."""
        code, _ = await create_enrollment_code(
            self.db, site_code=site, name=name, now=self.clock(), hours=24
        )
        return code

    async def enroll(self, site: str = "S1", name: str = "window-1") -> Device:
        """Enrol a new counter through the API."""
        ids = IdSource(FixedClock(self.clock()))
        device_id = str(ids.new_id())
        body = {"code": await self.code(site, name), "device_id": device_id, "name": name}
        response = await self.client.post("/api/v1/enroll", json=body)
        assert response.status == 200, await response.text()
        data = await response.json()
        return Device(device_id, data["token"], data["site_id"], ids)

    async def push(self, device: Device, records: list[WireRecord], **kw: Any) -> dict[str, Any]:
        """Push and return the JSON answer (asserting 200)."""
        response = await self.client.post(
            "/api/v1/push", json=device.body(records), headers=device.auth(), **kw
        )
        assert response.status == 200, await response.text()
        return await response.json()

    async def user_token(self, code: str, role: str = "admin", sites: tuple[str, ...] = ()) -> str:
        """Add an HQ user and sign in; returns the bearer token."""
        await add_user(
            self.db, NewUser(code, code, role, sites, password="pw-" + code), now=self.clock()
        )
        response = await self.client.post(
            "/api/v1/login", json={"code": code, "password": "pw-" + code}
        )
        assert response.status == 200, await response.text()
        return (await response.json())["token"]

    async def scalar(self, sql: str, *args: Any) -> Any:
        """One value from the database."""
        async with self.db.transaction() as tx:
            return await tx.fetchval(sql, *args)

    async def rows(self, sql: str, *args: Any) -> list[dict[str, Any]]:
        """Rows from the database as dicts."""
        async with self.db.transaction() as tx:
            return [dict(row) for row in await tx.fetch(sql, *args)]

    async def tables(self) -> dict[str, tuple[str, ...]]:
        """Every table of the server's database and the columns a fingerprint compares."""
        if self._tables is None:
            found: dict[str, list[str]] = {}
            for row in await self.rows(TABLES_SQL[self.db.dialect]):
                if row["c"] not in IGNORED_COLUMNS.get(row["t"], ()):
                    found.setdefault(row["t"], []).append(row["c"])
            self._tables = {table: tuple(columns) for table, columns in found.items()}
        return self._tables

    async def snapshot(self) -> dict[str, Any]:
        """Every table's rows (all but :data:`IGNORED_COLUMNS`), to prove a request changed
        nothing."""
        tables = await self.tables()
        state: dict[str, Any] = {}
        async with self.db.transaction() as tx:
            for table, columns in tables.items():
                names = ", ".join(f'"{c}"' for c in columns)
                rows = await tx.fetch(f'SELECT {names} FROM "{table}"')
                state[table] = sorted(repr(sorted(dict(row).items())) for row in rows)
        return state

    async def fingerprint(self) -> tuple[tuple[str, ...], ...]:
        """The content of every table (all but :data:`IGNORED_COLUMNS`), read in one query.

        Compares the values of every row, not only how many there are, so an UPDATE (a device
        revoked, a cursor or acknowledgement moved, a scanned payment's state) shows as a change.
        """
        if self._fingerprint_sql is None:
            self._fingerprint_sql = _fingerprint_sql(await self.tables(), self.db.dialect)
        async with self.db.transaction() as tx:
            row = await tx.fetchrow(self._fingerprint_sql)
        assert row is not None
        # Rows are sorted here: the order a table is scanned in is no part of its content.
        return tuple(
            tuple(sorted(json.dumps(r) for r in json.loads(row[i]))) for i in range(len(row))
        )

    async def exceptions(self, kind: str | None = None) -> list[dict[str, Any]]:
        """Exception rows, optionally of one kind."""
        if kind is None:
            return await self.rows("SELECT * FROM exceptions ORDER BY id")
        return await self.rows("SELECT * FROM exceptions WHERE kind = ? ORDER BY id", kind)


def _fingerprint_sql(tables: dict[str, tuple[str, ...]], dialect: str) -> str:
    """One SELECT with a column per table: its rows as a JSON array of arrays."""
    parts = []
    for table, columns in tables.items():
        values = ", ".join(f'"{c}"' for c in columns)
        if dialect == "postgres":
            rows = f"coalesce(json_agg(json_build_array({values})), '[]')::text"
        else:
            rows = f"json_group_array(json_array({values}))"
        parts.append(f'(SELECT {rows} FROM "{table}") AS "{table}"')
    return "SELECT " + ", ".join(parts)
