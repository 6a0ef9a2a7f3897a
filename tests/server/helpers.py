"""Builders for server tests: enrolled devices that make hash-chained records, and DB snapshots."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from feetui.clock import FixedClock, IdSource
from feetui.core.journal import GENESIS_HASH
from feetui.sync.protocol import WireRecord, make_record
from sync_server.keys import DB
from sync_server.services.auth import create_enrollment_code
from sync_server.services.master import NewUser, add_site, add_user

SNAPSHOT_TABLES = (
    "journal",
    "money_lines",
    "allocations",
    "voids",
    "adjustments",
    "charges",
    "shifts",
    "cash_movements",
    "change_log",
    "devices",
    "exceptions",
    "users",
    "user_tokens",
    "enrollment_codes",
    "scan_merchants",
    "scan_payments",
    "scan_bills",
    "scan_bill_lines",
)


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

    async def snapshot(self) -> dict[str, Any]:
        """Every table's rows, to prove a request changed nothing."""
        state: dict[str, Any] = {}
        for table in SNAPSHOT_TABLES:
            rows = await self.rows(f"SELECT * FROM {table}")
            state[table] = sorted(repr(sorted(row.items())) for row in rows)
        return state

    async def fingerprint(self) -> tuple[int, ...]:
        """Row counts of every table in one query: a cheap "did anything change" check."""
        counts = ", ".join(f"(SELECT count(*) FROM {t})" for t in SNAPSHOT_TABLES)
        async with self.db.transaction() as tx:
            row = await tx.fetchrow(f"SELECT {counts}")
        return tuple(int(value) for value in row)

    async def exceptions(self, kind: str | None = None) -> list[dict[str, Any]]:
        """Exception rows, optionally of one kind."""
        if kind is None:
            return await self.rows("SELECT * FROM exceptions ORDER BY id")
        return await self.rows("SELECT * FROM exceptions WHERE kind = ? ORDER BY id", kind)
