"""``sync-server adopt-counter``: a standalone counter's site and rows become HQ's, ids kept.

The counter is a real 30-unit demo (``feetui demo-data``'s builder) read from its SQLite file; its
journal is then pushed through the API as the enrolled counter would, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from feetui.demo import DemoOptions
from feetui.sync.protocol import WireRecord
from sync_server.cli import main
from sync_server.services.adopt import AdoptError, adopt_counter, read_counter
from sync_server.services.billing import bill_period
from sync_server.services.master import NewUser, add_user
from tests.demo.conftest import AS_OF, build_in_thread
from tests.server.helpers import Device, Hq

COUNTED = ("sites", "units", "parties", "vehicles", "fee_items", "users", "charges", "bill_runs",
           "change_log", "adopted_counters", "devices", "journal")  # fmt: skip


@pytest.fixture(scope="module")
def counter_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A standalone 30-unit demo counter with two years of history (read, never written)."""
    path = tmp_path_factory.mktemp("adopt") / "counter.sqlite3"
    build_in_thread(path, DemoOptions(as_of=AS_OF, units=30, seed=3, months=24))
    return path


def _counter(path: Path, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    with sqlite3.connect(path) as conn:
        return list(conn.execute(sql, args))


async def _counts(hq: Hq) -> dict[str, int]:
    return {table: int(await hq.scalar(f"SELECT count(*) FROM {table}")) for table in COUNTED}


async def _adopt(hq: Hq, path: Path, **kw: Any) -> Any:
    data = read_counter(path, **kw)
    async with hq.db.transaction() as tx:
        return await adopt_counter(tx, data, now=hq.clock())


def _journal(path: Path) -> list[WireRecord]:
    rows = _counter(
        path,
        "SELECT device_id, seq, record_id, kind, payload_json, prev_hash, hash FROM journal_entry"
        " ORDER BY seq",
    )
    return [
        WireRecord.stored(device_id=d, seq=s, record_id=r, kind=k, payload_json=p, prev_hash=ph,
                          hash=h)
        for d, s, r, k, p, ph, h in rows
    ]  # fmt: skip


async def test_adopted_counter_keeps_its_ids_pushes_its_history_and_shows_in_reports(
    hq: Hq, counter_file: Path
) -> None:
    report = await _adopt(hq, counter_file)
    [(device_id, site_id)] = _counter(counter_file, "SELECT d.id, s.id FROM device d, site s")
    assert (report.device_id, report.site_id, report.site_code) == (device_id, site_id, "DEMO01")
    # Every master row and every bill is HQ's now, under the counter's own ids.
    for table, hq_table in (("unit", "units"), ("party", "parties"), ("vehicle", "vehicles"),
                            ("fee_item", "fee_items")):  # fmt: skip
        mine = {row[0] for row in _counter(counter_file, f"SELECT id FROM {table}")}
        assert {r["id"] for r in await hq.rows(f"SELECT id FROM {hq_table}")} == mine, table
    # Fee items keep their bill cycle and late-fee rule at HQ and in what HQ publishes.
    rule = "months_per_bill, late_fee_daily_ppm, late_fee_grace_days, late_fee_cap_percent, due_day"
    mine = {r[0]: tuple(r[1:]) for r in _counter(counter_file, f"SELECT id, {rule} FROM fee_item")}
    held = await hq.rows(f"SELECT id, {rule} FROM fee_items")
    assert {r["id"]: tuple(int(v) for k, v in r.items() if k != "id") for r in held} == mine
    assert any(rules[1] > 0 for rules in mine.values()) and any(r[0] > 1 for r in mine.values())
    scopes = {r["code"]: r["scope"] for r in await hq.rows("SELECT code, scope FROM fee_items")}
    assert {code for code, scope in scopes.items() if scope == "vehicle"} == {"PARKU", "PARKG"}
    published = await hq.rows("SELECT entity_id, data FROM change_log WHERE entity = 'fee_item'")
    for change in published:
        data = json.loads(change["data"])
        assert tuple(data[key] for key in rule.split(", ")) == mine[change["entity_id"]]
    bills = {r[0] for r in _counter(counter_file, "SELECT id FROM charge WHERE source = 'bill'")}
    assert {r["id"] for r in await hq.rows("SELECT id FROM charges")} == bills
    assert report.charges == len(bills) and report.bill_periods == 24
    users = await hq.rows("SELECT code, role FROM users ORDER BY code")
    assert users == [
        {"code": "1001", "role": "cashier"},
        {"code": "1002", "role": "cashier"},
        {"code": "8001", "role": "supervisor"},
    ]
    # ... and published to the site's counters, owners before the units that name them.
    log = await hq.rows("SELECT entity, count(*) AS n, min(seq) AS first FROM change_log"
                        " WHERE site_id = ? GROUP BY entity", site_id)  # fmt: skip
    by_entity = {row["entity"]: row for row in log}
    assert {e: int(r["n"]) for e, r in by_entity.items()} == {
        "site": 1, "fee_item": 10, "party": 30, "unit": 30, "vehicle": report.vehicles,
        "user": 3, "charge": len(bills),
    }  # fmt: skip
    assert int(by_entity["party"]["first"]) < int(by_entity["unit"]["first"])
    # HQ's own bill run leaves the months the counter billed alone.
    runs = await bill_period(hq.db, period=AS_OF.strftime("%Y-%m"), now=hq.clock())
    assert [(r.site, r.already_billed) for r in runs if r.site == "DEMO01"] == [("DEMO01", True)]

    # The counter enrols under its own id and pushes two years of journal.
    response = await hq.client.post(
        "/api/v1/enroll",
        json={"code": await hq.code("DEMO01"), "device_id": device_id, "name": "window-1"},
    )
    assert response.status == 200, await response.text()
    token = (await response.json())["token"]
    device = Device(device_id, token, site_id, ids=None)  # type: ignore[arg-type]
    records = _journal(counter_file)
    for start in range(0, len(records), 500):
        answer = await hq.push(device, records[start : start + 500])
        assert {r["status"] for r in answer["results"]} == {"created"}
    assert answer["ack_seq"] == report.history_seq == len(records)
    # Old records of the adopted history are not "late"; nothing else is flagged but over/short.
    kinds = {row["kind"] for row in await hq.exceptions()}
    assert kinds <= {"over_short"}

    # HQ's daily report shows the demo site's takings, to the fen the counter's.
    day, expected = _counter(
        counter_file,
        "SELECT p.business_date, sum(t.amount_fen) FROM payment p JOIN tender t"
        " ON t.payment_id = p.id GROUP BY p.business_date ORDER BY p.business_date DESC LIMIT 1",
    )[0]
    admin = await hq.user_token("boss")
    response = await hq.client.get(
        "/api/v1/reports/daily", params={"date": str(day), "site": "DEMO01"},
        headers={"Authorization": f"Bearer {admin}"},
    )  # fmt: skip
    assert response.status == 200, await response.text()
    rows = (await response.json())["rows"]
    assert {row["site"] for row in rows} == {"DEMO01"}
    # Every tender: money received (net) and what was paid from prepaid balances.
    assert sum(row["net_fen"] + row["paid_from_prepaid_fen"] for row in rows) == expected > 0


async def test_adopting_refuses_a_clash_with_hq_and_writes_nothing(
    hq: Hq, counter_file: Path
) -> None:
    await hq.add_site("DEMO01", "另一个小区")
    before = await _counts(hq)
    with pytest.raises(AdoptError) as refused:
        await _adopt(hq, counter_file)
    assert refused.value.code == "adopt_conflict"
    assert "HQ has a site with code DEMO01 already" in refused.value.problems[0]
    assert await _counts(hq) == before
    # Under another code it goes in; a second adoption of the same counter is refused whole.
    await _adopt(hq, counter_file, site_code="CHH")
    middle = await _counts(hq)
    with pytest.raises(AdoptError) as again:
        await _adopt(hq, counter_file, site_code="CHH2")
    assert any("adopted before" in line for line in again.value.problems)
    assert any("units already" in line for line in again.value.problems)
    assert await _counts(hq) == middle


async def test_adopting_refuses_users_whose_codes_hq_has_unless_left_out(
    hq: Hq, counter_file: Path
) -> None:
    await add_user(hq.db, NewUser("8001", "HQ 主管", "supervisor", ("S1",), pin="4321"),
                   now=hq.clock())  # fmt: skip
    before = await _counts(hq)
    with pytest.raises(AdoptError) as refused:
        await _adopt(hq, counter_file)
    assert refused.value.problems == [
        "HQ has a user with sign-in code 8001 (adopt with --without-users)"
    ]
    assert await _counts(hq) == before
    report = await _adopt(hq, counter_file, users=False)
    assert report.users == 0 and report.units == 30


def test_adopt_command_refuses_bad_files_with_a_clear_message(
    tmp_path: Path, counter_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ["--db", f"sqlite:///{tmp_path / 'hq.sqlite3'}"]
    assert main(["migrate", *db]) == 0
    text = tmp_path / "units.csv"
    text.write_text("site,unit\nDEMO01,1-1-101\n", encoding="utf-8")
    other = tmp_path / "other.sqlite3"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE site (id TEXT)")
    enrolled = tmp_path / "enrolled.sqlite3"
    shutil.copy(counter_file, enrolled)
    with sqlite3.connect(enrolled) as conn:
        conn.execute("UPDATE device SET sync_token = 'fdt_x', server_url = 'http://hq'")
    capsys.readouterr()
    cases = {
        str(tmp_path / "missing.sqlite3"): ("counter_not_found", "no such file"),
        str(text): ("not_a_counter_database", "file is not a database"),
        str(other): ("not_a_counter_database", "not a feetui counter database"),
        str(enrolled): ("counter_enrolled", "enrolled with a server already"),
    }
    for path, (code, words) in cases.items():
        assert main(["--lang", "en_US", "adopt-counter", path, *db]) == 1
        out, err = capsys.readouterr()
        assert (out, f"nothing adopted ({code}):" in err, words in err) == ("", True, True), err
    with sqlite3.connect(tmp_path / "hq.sqlite3") as conn:
        assert conn.execute("SELECT count(*) FROM change_log").fetchone() == (0,)
    assert main(["--lang", "en_US", "adopt-counter", str(counter_file), *db]) == 0
    out, _ = capsys.readouterr()
    assert out.startswith("site DEMO01 adopted (") and "30 unit(s)" in out
    with sqlite3.connect(tmp_path / "hq.sqlite3") as conn:
        assert conn.execute("SELECT count(*) FROM sites").fetchone() == (1,)
