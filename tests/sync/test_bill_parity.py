"""The same master data bills the same charges at HQ (``sync-server bill``) and on a standalone
counter (``feetui bill``): both run :func:`feetui.core.billing.plan_bill`."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from feetui.db.models import Charge, FeeItem, Site, Unit, Vehicle
from feetui.services.billing import bill_period as counter_bill
from sync_server.db.connection import connect
from sync_server.db.migrate import migrate
from sync_server.services.billing import bill_period as hq_bill

SITE = "0190a000-0000-7000-8000-0000000000a0"
# (id, code, kind, rate_fen, months_per_bill, due_day, scope)
ITEMS = [
    ("0190a000-0000-7000-8000-0000000000b1", "PF", "area", 250, 3, 28, "unit"),
    ("0190a000-0000-7000-8000-0000000000b2", "PK", "fixed", 15000, 1, 31, "vehicle"),
    ("0190a000-0000-7000-8000-0000000000b3", "RB", "fixed", 1000, 2, 15, "unit"),
    ("0190a000-0000-7000-8000-0000000000b4", "WATER", "metered", 395, 1, 28, "unit"),
    ("0190a000-0000-7000-8000-0000000000b5", "CARD", "one_off", 2000, 1, 28, "unit"),
]
# (id, code, area_centi_m2, plates)
UNITS = [
    ("0190a000-0000-7000-8000-0000000000c1", "1-1-101", 8950, ("京A10001", "京A10002")),
    ("0190a000-0000-7000-8000-0000000000c2", "1-1-102", 12033, ("京A10003",)),
    ("0190a000-0000-7000-8000-0000000000c3", "1-1-103", 0, ()),
]
PERIODS = ("2026-01", "2026-02", "2026-03", "2026-04")


@pytest.fixture
async def hq_db(tmp_path: Path) -> AsyncIterator[Any]:
    """HQ's database holding the site's master data."""
    db = await connect(f"sqlite:///{tmp_path / 'hq.sqlite3'}")
    at = "2026-01-01T00:00:00+00:00"
    await migrate(db, now=datetime.fromisoformat(at))
    async with db.transaction() as tx:
        await tx.execute("INSERT INTO sites VALUES (?, 'S1', '绿景苑', ?)", SITE, at)
        for item_id, code, kind, rate, months, due_day, scope in ITEMS:
            await tx.execute(
                "INSERT INTO fee_items (id, site_id, code, name, kind, rate_fen, due_day, scope,"
                " months_per_bill, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                item_id, SITE, code, code, kind, rate, due_day, scope, months, at,
            )  # fmt: skip
        for unit_id, code, area, plates in UNITS:
            await tx.execute(
                "INSERT INTO units (id, site_id, code, building, entrance, room, area_centi_m2,"
                " updated_at) VALUES (?, ?, ?, '1', '1', ?, ?, ?)",
                unit_id, SITE, code, code[-3:], area, at,
            )  # fmt: skip
            for plate in plates:
                await tx.execute(
                    "INSERT INTO vehicles (id, site_id, unit_id, plate, updated_at)"
                    " VALUES (?, ?, ?, ?, ?)",
                    f"v-{plate}", SITE, unit_id, plate, at,
                )  # fmt: skip
    try:
        yield db
    finally:
        await db.close()


async def _counter_master() -> None:
    site = await Site.create(id=SITE, code="S1", name="绿景苑")
    for item_id, code, kind, rate, months, due_day, scope in ITEMS:
        await FeeItem.create(
            id=item_id, site=site, code=code, name=code, kind=kind, rate_fen=rate,
            months_per_bill=months, due_day=due_day, scope=scope,
        )  # fmt: skip
    for unit_id, code, area, plates in UNITS:
        await Unit.create(
            id=unit_id, site=site, code=code, building="1", entrance="1", room=code[-3:],
            area_centi_m2=area,
        )  # fmt: skip
        for plate in plates:
            await Vehicle.create(id=f"v-{plate}", unit_id=unit_id, plate=plate)


async def test_hq_and_a_standalone_counter_bill_the_same_charges(svc, hq_db) -> None:
    await _counter_master()
    for period in PERIODS:
        await counter_bill(svc, period=period)
        await hq_bill(hq_db, period=period, now=svc.clock.now())
    mine = {
        (c.unit_id, c.fee_item_id, c.period, c.amount_fen, c.due_date, c.period_start, c.period_end)  # type: ignore[attr-defined]
        for c in await Charge.filter(source="bill")
    }
    async with hq_db.transaction() as tx:
        rows = await tx.fetch("SELECT data FROM change_log WHERE entity = 'charge'")
    theirs = set()
    for row in rows:
        c = json.loads(row["data"])
        theirs.add((c["unit_id"], c["fee_item_id"], c["period"], c["amount_fen"],
                    date.fromisoformat(c["due_date"]), date.fromisoformat(c["period_start"]),
                    date.fromisoformat(c["period_end"])))  # fmt: skip
    assert mine == theirs
    # What the plan says, by hand: PF quarterly in January and April (3 months' worth: 89.50 m²
    # × ¥2.50 × 3 = ¥671.25, 120.33 m² → ¥902.475 → ¥902.48, no charge on 0 m²); parking per car
    # every month, due the month's last day; rubbish every second month; metered and one-off never.
    by_item: dict[str, list[tuple[str, str, int, str]]] = {}
    codes = {item[0]: item[1] for item in ITEMS}
    rooms = {unit[0]: unit[1][-3:] for unit in UNITS}
    for unit_id, item_id, period, amount, due, _start, _end in sorted(mine, key=str):
        by_item.setdefault(codes[item_id], []).append((period, rooms[unit_id], amount, str(due)))
    assert sorted(by_item["PF"]) == [
        ("2026-01", "101", 67125, "2026-01-28"), ("2026-01", "102", 90248, "2026-01-28"),
        ("2026-04", "101", 67125, "2026-04-28"), ("2026-04", "102", 90248, "2026-04-28"),
    ]  # fmt: skip
    assert sorted(by_item["PK"]) == [
        ("2026-01", "101", 30000, "2026-01-31"), ("2026-01", "102", 15000, "2026-01-31"),
        ("2026-02", "101", 30000, "2026-02-28"), ("2026-02", "102", 15000, "2026-02-28"),
        ("2026-03", "101", 30000, "2026-03-31"), ("2026-03", "102", 15000, "2026-03-31"),
        ("2026-04", "101", 30000, "2026-04-30"), ("2026-04", "102", 15000, "2026-04-30"),
    ]  # fmt: skip
    assert sorted(p for p, *_ in by_item["RB"]) == ["2026-01"] * 3 + ["2026-03"] * 3
    assert set(by_item) == {"PF", "PK", "RB"}
