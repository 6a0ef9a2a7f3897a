"""A standalone counter imports its units from CSV or XLSX through the checks HQ runs: all or
nothing, re-imports update, imported units are found like any other, an enrolled counter refuses."""

from __future__ import annotations

import io
import sqlite3
from pathlib import Path

import pytest
from openpyxl import Workbook
from tortoise import connections

from feetui.cli import main
from feetui.commands.import_units import problem_text
from feetui.core.errors import InputError, RuleError
from feetui.db.models import Device, Party, Site, Unit, Vehicle
from feetui.services.lookup import find_units
from feetui.services.unit_import import import_units
from tests.builders import snapshot

HEADER = "小区,房号,面积,业主,电话,车牌\n"
GOOD = HEADER + (
    "DEMO,3栋2单元1502,89.50,张三丰,13800001234,京A12345 京B54321\nDEMO,1-1-101,120,李四,,\n"
)


def _csv(tmp_path: Path, text: str, name: str = "units.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8-sig")
    return path


async def _state() -> dict[str, object]:
    """Posted tables (rows and money) and every master-data and search row, to prove "no change"."""
    conn = connections.get("default")
    state: dict[str, object] = {"posted": await snapshot()}
    for table in ("unit", "party", "vehicle", "search_key", "search_unit"):
        _, rows = await conn.execute_query(f'SELECT * FROM "{table}" ORDER BY 1')
        state[table] = [tuple(row) for row in rows]
    return state


async def test_import_csv_creates_units_owners_and_vehicles_found_by_search(
    ledger, svc, tmp_path
) -> None:
    posted = await snapshot()
    done = await import_units(svc, path=_csv(tmp_path, GOOD))
    assert (done.ok, done.units_created, done.units_updated, done.vehicles) == (True, 2, 0, 2)
    unit = await Unit.get(code="3-2-1502")
    assert (unit.area_centi_m2, unit.owner_name, unit.owner_initials) == (8950, "张三丰", "zsf")
    assert (unit.phone_tail, unit.plates, unit.active) == ("1234", "京A12345 京B54321", True)
    owner = await Party.get(id=unit.owner_id)  # type: ignore[attr-defined]
    assert (owner.name, owner.phone, owner.kind) == ("张三丰", "13800001234", "owner")
    plates = await Vehicle.filter(unit_id=unit.id).order_by("plate")
    assert [(v.plate, v.party_id) for v in plates] == [  # type: ignore[attr-defined]
        ("京A12345", owner.id),
        ("京B54321", owner.id),
    ]
    queries = ("3-2-1502", "3栋2单元1502", "1502", "张三丰", "zsf", "1234", "京A12345", "A12345")
    for query in queries:
        hits = await find_units(query)
        assert unit.id in [h.unit_id for h in hits], query
    hit = next(h for h in await find_units("京B54321") if h.unit_id == unit.id)
    assert (hit.owner_name, hit.plates) == ("张三丰", ("京A12345", "京B54321"))
    assert [h.code for h in await find_units("李四")] == ["1-1-101"]
    assert await snapshot() == posted  # master data only: no posted record written


async def test_import_xlsx_reads_chinese_titles_numbers_and_empty_cells(
    ledger, svc, tmp_path
) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["小区", "房号", "面积", "业主", "电话", "车牌"])
    sheet.append(["DEMO", "5-1-301", 66.6, "王五", 13900001111, None])
    sheet.append(["DEMO", "5号楼1单元302室", 120, "赵六", None, "沪C77777"])
    path = tmp_path / "units.xlsx"
    book.save(path)
    done = await import_units(svc, path=path)
    assert (done.ok, done.units_created, done.vehicles) == (True, 2, 1)
    first, second = await Unit.get(code="5-1-301"), await Unit.get(code="5-1-302")
    assert (first.area_centi_m2, first.phone_tail) == (6660, "1111")
    assert (second.area_centi_m2, second.plates) == (12000, "沪C77777")
    assert [h.code for h in await find_units("沪C77777")] == ["5-1-302"]


async def test_reimport_updates_the_same_units_and_creates_nothing_twice(
    ledger, svc, tmp_path
) -> None:
    await import_units(svc, path=_csv(tmp_path, GOOD))
    counts = [await m.all().count() for m in (Unit, Party, Vehicle)]
    again = await import_units(svc, path=_csv(tmp_path, GOOD))
    assert (again.units_created, again.units_updated, again.vehicles) == (0, 2, 2)
    assert [await m.all().count() for m in (Unit, Party, Vehicle)] == counts
    changed = HEADER + (
        "DEMO,3-2-1502,90.25,张三丰,13900005678,京A12345\nDEMO,1-1-101,120,王小明,,京B54321\n"
    )
    done = await import_units(svc, path=_csv(tmp_path, changed, "changed.csv"))
    assert (done.units_created, done.units_updated) == (0, 2)
    assert [await m.all().count() for m in (Unit, Party, Vehicle)] == counts
    moved, renamed = await Unit.get(code="3-2-1502"), await Unit.get(code="1-1-101")
    assert (moved.area_centi_m2, moved.phone_tail, moved.plates) == (9025, "5678", "京A12345")
    assert (renamed.owner_name, renamed.owner_initials) == ("王小明", "wxm")
    assert renamed.plates == "京B54321"
    assert [h.code for h in await find_units("京B54321")] == ["1-1-101"]
    assert [h.code for h in await find_units("wxm")] == ["1-1-101"]
    assert await find_units("李四") == []


async def test_reimport_updates_a_unit_made_before_and_keeps_other_units_owner(
    ledger, svc, tmp_path
) -> None:
    # Two units of one owner (as demo data or HQ may have them): the file renames one unit's owner.
    shared = await Party.create(id=svc.ids.new_str(), site=ledger.site, name="张三丰", kind="owner")
    mine = await ledger.unit("3-2-1502")
    other = await ledger.unit("3-2-1503")
    await Unit.filter(id__in=[mine.id, other.id]).update(owner_id=shared.id)
    text = HEADER + "DEMO,3-2-1502,89.50,李四,,\n"
    done = await import_units(svc, path=_csv(tmp_path, text))
    assert (done.units_created, done.units_updated) == (0, 1)
    assert (await Party.get(id=shared.id)).name == "张三丰"
    assert (await Unit.get(id=mine.id)).owner_name == "李四"
    assert (await Unit.get(id=mine.id)).owner_id != shared.id  # type: ignore[attr-defined]
    assert (await Unit.get(id=other.id)).owner_id == shared.id  # type: ignore[attr-defined]


BAD_ROWS = [
    ("DEMO,3-2,89.50,张三丰,,\n", "第 2 行，房号：“3-2”不是“楼栋-单元-房号”"),
    ("DEMO,3-2-1502,abc,张三丰,,\n", "第 2 行，面积：面积格式不正确：请按 89.50 的格式输入"),
    ("DEMO,3-2-1502,89.50,,,\n", "第 2 行，业主：请填写 1 到 50 个字的姓名"),
    ("DEMO,3-2-1502,89.50,张三丰,12,\n", "第 2 行，电话：“12”不是电话号码"),
    ("DEMO,3-2-1502,89.50,张三丰,,A1\n", "第 2 行，车牌：“A1”不是车牌号"),
    ("LJY,3-2-1502,89.50,张三丰,,\n", "第 2 行，小区：“LJY”不是本收费窗口的小区，请填 DEMO"),
    (
        "DEMO,3-2-1502,89.50,张三丰,,\nDEMO,3栋2单元1502,90,李四,,\n",
        "第 3 行，房号：3-2-1502 与第 2 行重复",
    ),
    (
        "DEMO,3-2-1502,89.50,张三丰,,京A12345\nDEMO,1-1-101,90,李四,,京a12345\n",
        "第 3 行，车牌：京A12345 与第 2 行重复",
    ),
]


@pytest.mark.parametrize(("rows", "message"), BAD_ROWS)
async def test_a_bad_row_is_reported_in_chinese_and_nothing_changes(
    ledger, svc, tmp_path, rows, message
) -> None:
    await import_units(svc, path=_csv(tmp_path, GOOD, "first.csv"))
    before = await _state()
    done = await import_units(svc, path=_csv(tmp_path, HEADER + rows))
    assert not done.ok
    assert [problem_text(p) for p in done.problems] == [message]
    assert await _state() == before


async def test_good_rows_are_not_imported_when_one_row_is_bad(ledger, svc, tmp_path) -> None:
    before = await _state()
    text = GOOD + "DEMO,7-7-707,-3,坏行,,\n"
    done = await import_units(svc, path=_csv(tmp_path, text))
    assert [(p.line, p.column, p.code) for p in done.problems] == [(4, "area", "area_not_positive")]
    assert await _state() == before


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("units.csv", "小区,房号,业主\nDEMO,1-1-101,张三\n", "表头：缺少列 area/面积"),
        ("units.csv", "", "文件是空的"),
        ("units.csv", "\n\n", "文件是空的"),
        ("units.csv", HEADER, "表头下面没有房屋"),
    ],
)
async def test_a_bad_file_is_reported_in_chinese_and_nothing_changes(
    ledger, svc, tmp_path, name, content, message
) -> None:
    await import_units(svc, path=_csv(tmp_path, GOOD, "first.csv"))
    before = await _state()
    done = await import_units(svc, path=_csv(tmp_path, content, name))
    assert [problem_text(p) for p in done.problems] == [message]
    assert await _state() == before


@pytest.mark.parametrize(
    ("name", "content", "code", "message"),
    [
        ("units.txt", GOOD, "table_type", "units.txt：请使用 .csv 或 .xlsx 文件"),
        ("units.xlsx", GOOD, "table_unreadable", "units.xlsx 无法读取"),
        ("missing.csv", None, "table_unreadable", "missing.csv 无法读取"),
    ],
)
async def test_a_file_that_is_not_csv_or_xlsx_is_refused_and_nothing_changes(
    ledger, svc, tmp_path, name, content, code, message
) -> None:
    from feetui.i18n import tr_error

    path = _csv(tmp_path, content, name) if content is not None else tmp_path / name
    before = await _state()
    with pytest.raises(InputError) as caught:
        await import_units(svc, path=path)
    assert caught.value.code == code
    assert tr_error(caught.value).startswith(message)
    assert await _state() == before


async def test_an_enrolled_counter_refuses_and_points_at_hq(ledger, svc, tmp_path) -> None:
    from feetui.i18n import tr_error

    await Device.filter(id=svc.device_id).update(sync_token="fdt_x", server_url="http://hq")
    before = await _state()
    with pytest.raises(RuleError) as caught:
        await import_units(svc, path=_csv(tmp_path, GOOD))
    assert caught.value.code == "units_by_hq"
    assert "sync-server import-units" in tr_error(caught.value)
    assert await _state() == before


async def test_a_counter_without_one_site_of_its_own_refuses(ledger, svc, tmp_path) -> None:
    await Site.create(id=svc.ids.new_str(), code="LJY", name="绿景苑")
    before = await _state()
    with pytest.raises(RuleError) as caught:
        await import_units(svc, path=_csv(tmp_path, GOOD))
    assert caught.value.code == "own_site_unknown"
    assert await _state() == before
    # The device's own site decides when it has one: DEMO rows are then "another site".
    await Device.filter(id=svc.device_id).update(site_id=(await Site.get(code="LJY")).id)
    done = await import_units(svc, path=_csv(tmp_path, GOOD))
    assert {(p.column, p.code) for p in done.problems} == {("site", "site_unknown")}
    ljy = GOOD.replace("DEMO,", "LJY,")
    assert (await import_units(svc, path=_csv(tmp_path, ljy, "ljy.csv"))).units_created == 2


def test_import_units_command_in_chinese_and_english(tmp_path, capsys, monkeypatch) -> None:
    db = str(tmp_path / "c.sqlite3")
    monkeypatch.setattr("sys.stdin", io.StringIO("2468\n"))
    argv = ["users", "add", "2001", "--name", "收银", "--role", "cashier", "--pin-stdin"]
    assert main([*argv, "--db", db]) == 0  # makes the counter's database
    with sqlite3.connect(db) as conn:
        conn.execute("INSERT INTO site (id, code, name) VALUES ('s1', 'DEMO', '示范小区')")
    capsys.readouterr()
    good = str(_csv(tmp_path, GOOD))
    assert main(["import-units", good, "--db", db]) == 0
    assert capsys.readouterr().out.strip() == "已导入：新建 2 户，更新 0 户，车牌 2 个。"
    assert main(["import-units", good, "--db", db, "--lang", "en_US"]) == 0
    assert capsys.readouterr().out.strip() == "Imported: 0 new unit(s), 2 updated, 2 plate(s)."
    bad = str(_csv(tmp_path, HEADER + "DEMO,3-2,abc,,12,A1\n", "bad.csv"))
    assert main(["import-units", bad, "--db", db]) == 1
    err = capsys.readouterr().err
    assert "未导入任何数据：bad.csv 有 5 处问题。" in err
    for column in ("房号", "面积", "业主", "电话", "车牌"):
        assert f"第 2 行，{column}：" in err
    assert main(["import-units", bad, "--db", db, "--lang", "en_US"]) == 1
    err = capsys.readouterr().err
    assert "Nothing was imported: bad.csv has 5 problem(s)." in err
    assert "row 2, unit: '3-2' is not building-entrance-room" in err
    assert main(["import-units", str(tmp_path / "x.pdf"), "--db", db]) == 1
    assert "未导入任何数据：x.pdf：请使用 .csv 或 .xlsx 文件" in capsys.readouterr().err
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM unit").fetchone() == (2,)


def test_hq_and_counter_report_the_same_problems(tmp_path) -> None:
    from feetui.core.unit_import import check_table
    from feetui.tables import read_cells
    from sync_server.services.imports import render_problem

    path = _csv(tmp_path, HEADER + "DEMO,3-2-1502,89.50,张三丰,,\nDEMO,3-2-1502,9,李四,,\n")
    _, problems = check_table(read_cells(path), {"DEMO"})
    assert [render_problem(p, path.name) for p in problems] == [
        "row 3: unit: 3-2-1502 repeats row 2"
    ]
