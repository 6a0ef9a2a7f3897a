"""Fee items at HQ carry their bill cycle and late-fee rule, to the table, the change log and the
bill run (SQLite and PostgreSQL); bad figures are refused with nothing written."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest

from sync_server.cli import main
from sync_server.db.connection import connect
from sync_server.db.migrate import migrate
from sync_server.db.schema import MIGRATIONS, statements
from sync_server.errors import ApiError
from sync_server.services.billing import NewFeeItem, add_fee_item, bill_period
from tests.server.helpers import Hq

RULE = ("months_per_bill", "late_fee_daily_ppm", "late_fee_grace_days", "late_fee_cap_percent")


def _item(code: str = "PF", name: str = "物业费", **kw: Any) -> NewFeeItem:
    values: dict[str, Any] = {"kind": "area", "rate_fen": 250, "due_day": 28}
    values.update(kw)
    return NewFeeItem(code, name, **values, site="S1")


async def _add_unit(hq: Hq, code: str, area_centi_m2: int, plates: int = 0) -> str:
    unit_id = str(uuid.uuid4())
    at = hq.clock().isoformat()
    async with hq.db.transaction() as tx:
        await tx.execute(
            "INSERT INTO units (id, site_id, code, building, entrance, room, area_centi_m2,"
            " updated_at) VALUES (?, ?, ?, '1', '1', ?, ?, ?)",
            unit_id, hq.sites["S1"], code, code[-3:], area_centi_m2, at,
        )  # fmt: skip
        for n in range(plates):
            await tx.execute(
                "INSERT INTO vehicles (id, site_id, unit_id, plate, updated_at)"
                " VALUES (?, ?, ?, ?, ?)",
                str(uuid.uuid4()), hq.sites["S1"], unit_id, f"京A{code[-3:]}{n}", at,
            )  # fmt: skip
    return unit_id


async def test_a_fee_item_keeps_its_late_fee_rule_and_cycle_and_publishes_them(hq: Hq) -> None:
    item = _item(
        months_per_bill=3, late_fee_daily_ppm=500, late_fee_grace_days=15, late_fee_cap_percent=30
    )
    item_id = await add_fee_item(hq.db, item, now=hq.clock())
    [row] = await hq.rows(f"SELECT {', '.join(RULE)} FROM fee_items WHERE id = ?", item_id)
    assert {k: int(v) for k, v in row.items()} == dict(zip(RULE, (3, 500, 15, 30), strict=True))
    [change] = await hq.rows("SELECT data FROM change_log WHERE entity_id = ?", item_id)
    data = json.loads(change["data"])
    assert {key: data[key] for key in RULE} == dict(zip(RULE, (3, 500, 15, 30), strict=True))
    # Defaults: monthly, no late fee.
    plain = await add_fee_item(hq.db, _item("RB", kind="fixed"), now=hq.clock())
    [row] = await hq.rows(f"SELECT {', '.join(RULE)} FROM fee_items WHERE id = ?", plain)
    assert [int(v) for v in row.values()] == [1, 0, 0, 0]


@pytest.mark.parametrize(
    "bad",
    [
        {"months_per_bill": 0},
        {"months_per_bill": 13},
        {"late_fee_daily_ppm": -1},
        {"late_fee_grace_days": -5},
        {"late_fee_cap_percent": -1},
        {"late_fee_cap_percent": 101},
    ],
)
async def test_a_fee_item_with_a_bad_cycle_or_late_fee_is_refused_and_nothing_written(
    hq: Hq, bad: dict[str, int]
) -> None:
    before = await hq.fingerprint()
    with pytest.raises(ApiError) as caught:
        await add_fee_item(hq.db, _item(**bad), now=hq.clock())
    assert (caught.value.status, caught.value.code) == (400, "bad_value")
    assert await hq.fingerprint() == before


async def test_the_bill_run_bills_an_item_in_the_months_of_its_cycle_for_that_many_months(
    hq: Hq,
) -> None:
    await _add_unit(hq, "1-1-101", 8950, plates=2)
    quarterly = await add_fee_item(hq.db, _item("PF", months_per_bill=3), now=hq.clock())
    parking = _item("PK", kind="fixed", rate_fen=15000, scope="vehicle", due_day=31)
    monthly = await add_fee_item(hq.db, parking, now=hq.clock())

    async def billed(period: str) -> dict[str, tuple[int, str]]:
        runs = await bill_period(hq.db, period=period, now=hq.clock())
        [run] = [r for r in runs if r.site == "S1"]
        assert not run.already_billed
        rows = await hq.rows(
            "SELECT fee_item_id, amount_fen, due_date FROM charges WHERE period = ?", period
        )
        return {r["fee_item_id"]: (int(r["amount_fen"]), r["due_date"]) for r in rows}

    # 89.50 m² × ¥2.50 × 3 months = ¥671.25; two cars × ¥150 each month, due the month's end.
    assert await billed("2026-04") == {
        quarterly: (67125, "2026-04-28"),
        monthly: (30000, "2026-04-30"),
    }
    assert await billed("2026-05") == {monthly: (30000, "2026-05-31")}
    assert await billed("2026-06") == {monthly: (30000, "2026-06-30")}
    assert (await billed("2026-07"))[quarterly] == (67125, "2026-07-28")
    # The published charge names the months it covers.
    [change] = await hq.rows(
        "SELECT c.data FROM change_log c JOIN charges h ON h.id = c.entity_id"
        " WHERE h.fee_item_id = ? AND h.period = '2026-04'",
        quarterly,
    )
    data = json.loads(change["data"])
    assert (data["period_start"], data["period_end"]) == ("2026-04-01", "2026-06-30")


async def test_migration_5_gives_existing_fee_items_one_month_and_no_late_fee(
    db_url: str, hq_clock
) -> None:
    db = await connect(db_url)
    try:
        async with db.transaction() as tx:
            await tx.execute(
                "CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL,"
                " applied_at TEXT NOT NULL)"
            )
            for version, name, sqls in MIGRATIONS[:4]:
                for sql in statements(sqls, db.dialect):
                    await tx.execute(sql)
                await tx.execute(
                    "INSERT INTO schema_migrations VALUES (?, ?, ?)", version, name, "x"
                )
            await tx.execute("INSERT INTO meta (key, value) VALUES ('epoch', 'e1')")
            await tx.execute("INSERT INTO sites VALUES ('s', 'S', 'S', 'x')")
            await tx.execute(
                "INSERT INTO fee_items (id, site_id, code, name, kind, rate_fen, updated_at)"
                " VALUES ('f', 's', 'PF', '物业费', 'area', 250, 'x')"
            )
        assert 5 in await migrate(db, now=hq_clock())
        async with db.transaction() as tx:
            row = await tx.fetchrow(f"SELECT {', '.join(RULE)} FROM fee_items WHERE id = 'f'")
        assert [int(row[key]) for key in RULE] == [1, 0, 0, 0]
    finally:
        await db.close()


def test_fee_items_add_takes_the_late_fee_and_cycle_flags(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import sqlite3

    path = tmp_path / "hq.sqlite3"
    db = ["--db", f"sqlite:///{path}"]
    assert main(["sites", "add", "LJY", "绿景苑", *db]) == 0
    args = ["fee-items", "add", "--site", "LJY", "--code", "PF", "--name", "物业费", "--kind",
            "area", "--rate-fen", "250", "--months-per-bill", "3", "--late-fee-daily-ppm", "500",
            "--late-fee-grace-days", "15", "--late-fee-cap-percent", "30", *db]  # fmt: skip
    assert main(args) == 0
    with sqlite3.connect(path) as conn:
        row = conn.execute(f"SELECT {', '.join(RULE)} FROM fee_items").fetchone()
    assert row == (3, 500, 15, 30)
    capsys.readouterr()
    bad = [*args[:-4], "--late-fee-cap-percent", "200", *db]
    bad[bad.index("PF")] = "PK"
    assert main(bad) == 1
    assert "bad_value" in capsys.readouterr().err
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM fee_items").fetchone() == (1,)


async def test_fee_items_set_changes_only_the_named_fields_and_publishes_the_item(hq: Hq) -> None:
    from sync_server.services.billing import update_fee_item

    item_id = await add_fee_item(hq.db, _item(), now=hq.clock())
    changes = {"late_fee_daily_ppm": 500, "late_fee_cap_percent": 30, "months_per_bill": 3}
    assert await update_fee_item(hq.db, site="S1", code="PF", changes=changes, now=hq.clock()) == (
        item_id
    )
    [row] = await hq.rows(
        f"SELECT rate_fen, due_day, name, {', '.join(RULE)} FROM fee_items WHERE id = ?", item_id
    )
    assert [row["rate_fen"], row["due_day"], row["name"]] == [250, 28, "物业费"]
    assert [int(row[key]) for key in RULE] == [3, 500, 0, 30]
    log = await hq.rows("SELECT data FROM change_log WHERE entity_id = ? ORDER BY seq", item_id)
    assert len(log) == 2
    data = json.loads(log[-1]["data"])
    assert {key: data[key] for key in RULE} == dict(zip(RULE, (3, 500, 0, 30), strict=True))
    assert (data["code"], data["rate_fen"], data["kind"]) == ("PF", 250, "area")


@pytest.mark.parametrize(
    ("site", "code", "changes", "status"),
    [
        ("S1", "PF", {"late_fee_cap_percent": 101}, 400),
        ("S1", "PF", {"months_per_bill": 0}, 400),
        ("S1", "PF", {"due_day": 32}, 400),
        ("S1", "PF", {"kind": "fixed"}, 400),
        ("S1", "PF", {}, 400),
        ("S1", "NOPE", {"rate_fen": 1}, 404),
        ("S9", "PF", {"rate_fen": 1}, 404),
    ],
)
async def test_fee_items_set_refuses_bad_changes_and_writes_nothing(
    hq: Hq, site: str, code: str, changes: dict[str, Any], status: int
) -> None:
    from sync_server.services.billing import update_fee_item

    await add_fee_item(hq.db, _item(), now=hq.clock())
    before = await hq.snapshot()
    with pytest.raises(ApiError) as caught:
        await update_fee_item(hq.db, site=site, code=code, changes=changes, now=hq.clock())
    assert caught.value.status == status
    assert await hq.snapshot() == before


def test_fee_items_set_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import sqlite3

    path = tmp_path / "hq.sqlite3"
    db = ["--db", f"sqlite:///{path}"]
    assert main(["sites", "add", "LJY", "绿景苑", *db]) == 0
    assert main(["fee-items", "add", "--site", "LJY", "--code", "PF", "--name", "物业费",
                 "--kind", "area", "--rate-fen", "250", *db]) == 0  # fmt: skip
    capsys.readouterr()
    assert main(["fee-items", "set", "--site", "LJY", "--code", "PF", "--late-fee-daily-ppm",
                 "500", "--late-fee-cap-percent", "30", *db]) == 0  # fmt: skip
    assert "PF" in capsys.readouterr().out
    with sqlite3.connect(path) as conn:
        row = conn.execute(f"SELECT rate_fen, {', '.join(RULE)} FROM fee_items").fetchone()
    assert row == (250, 1, 500, 0, 30)
    assert main(["fee-items", "set", "--site", "LJY", "--code", "PF", *db]) == 2
    assert capsys.readouterr().err.strip()


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({"code": "P F"}, "A code is 1 to 32 letters"),
        ({"name": ""}, "A name is 1 to 100 characters."),
        ({"kind": "hourly"}, "The kind must be one of: area, fixed, metered, one_off."),
        ({"scope": "car"}, "The scope must be one of: unit, vehicle."),
        ({"rate_fen": -1}, "The rate is whole fen from 0 to 100000000."),
        ({"due_day": 32}, "The due day is a day of the month, 1 to 31."),
        ({"late_fee_grace_days": 4000}, "The late fee's grace is 0 to 3650 days."),
    ],
)
async def test_hq_refuses_a_fee_item_by_the_checks_a_standalone_counter_runs(
    hq: Hq, bad: dict[str, Any], message: str
) -> None:
    """One rule in feetui.core.master_data: HQ answers 400 bad_value with its message."""
    before = await hq.fingerprint()
    with pytest.raises(ApiError) as caught:
        await add_fee_item(hq.db, _item(**bad), now=hq.clock())
    assert (caught.value.status, caught.value.code) == (400, "bad_value")
    assert str(caught.value).startswith(message)
    assert await hq.fingerprint() == before


async def test_hq_trims_a_fee_items_code_and_refuses_a_bad_site_code(hq: Hq) -> None:
    from sync_server.services.master import add_site

    item_id = await add_fee_item(hq.db, _item(" PF ", name=" 物业费 "), now=hq.clock())
    [row] = await hq.rows("SELECT code, name FROM fee_items WHERE id = ?", item_id)
    assert (row["code"], row["name"]) == ("PF", "物业费")
    before = await hq.fingerprint()
    for code, name in (("S 3", "新小区"), ("S3", "")):
        with pytest.raises(ApiError) as caught:
            await add_site(hq.db, code=code, name=name, now=hq.clock())
        assert (caught.value.status, caught.value.code) == (400, "bad_value")
    assert await hq.fingerprint() == before


@pytest.mark.parametrize("figure", ["2.5", "25a", "1_000", ""])
def test_fee_items_add_reads_figures_as_the_counter_does(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], figure: str
) -> None:
    import sqlite3

    path = tmp_path / "hq.sqlite3"
    db = ["--db", f"sqlite:///{path}"]
    assert main(["sites", "add", "LJY", "绿景苑", *db]) == 0
    with pytest.raises(SystemExit) as caught:
        main(["fee-items", "add", "--site", "LJY", "--code", "PF", "--name", "物业费", "--kind",
              "area", "--rate-fen", figure, "--lang", "en_US", *db])  # fmt: skip
    assert caught.value.code == 2
    assert "--rate-fen takes a whole number" in capsys.readouterr().err
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM fee_items").fetchone() == (0,)
