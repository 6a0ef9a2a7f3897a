"""A company with one window, from nothing: a fresh counter database gets its site, its users,
its fee items and its units from the command line, bills a month once, to the fen, and takes a
payment of an imported unit with the late fee its rule gives. Bad input at each step is refused
in Chinese and changes nothing."""

from __future__ import annotations

import asyncio
import io
import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from feetui.cli import main
from feetui.clock import FixedClock
from feetui.config import Settings
from feetui.core.fees import area_fee, fixed_fee
from feetui.core.late_fees import LateFeeRule, late_fee
from feetui.core.money import Money
from feetui.db.connection import close_db, open_db
from feetui.db.models import Unit, User
from feetui.services.container import Services
from feetui.services.payments import take_payment
from feetui.services.results import TenderInput
from feetui.services.shifts import open_shift

UNITS = (
    "小区,房号,面积,业主,电话,车牌\n"
    "LJY,3栋2单元1502,89.50,张三丰,13800001234,京A12345 京B54321\n"
    "LJY,1-1-101,120,李四,,\n"
)
PF = ["fee-items", "add", "--code", "PF", "--name", "物业费", "--kind", "area", "--rate-fen",
      "250", "--late-fee-daily-ppm", "500", "--late-fee-grace-days", "15",
      "--late-fee-cap-percent", "30"]  # fmt: skip
PK = ["fee-items", "add", "--code", "PK", "--name", "停车费", "--kind", "fixed", "--scope",
      "vehicle", "--rate-fen", "15000", "--due-day", "31"]  # fmt: skip


def _dump(path: str) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table of the counter's file."""
    with sqlite3.connect(path) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {t: conn.execute(f'SELECT * FROM "{t}" ORDER BY 1').fetchall() for t in tables}


def _cli(capsys: pytest.CaptureFixture[str], db: str, *argv: str) -> tuple[int, str, str]:
    code = main([*argv, "--db", db])
    out = capsys.readouterr()
    return code, out.out, out.err


def _user(monkeypatch: pytest.MonkeyPatch, capsys, db: str, code: str, role: str) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("2468\n"))
    done = _cli(capsys, db, "users", "add", code, "--name", f"{role}-{code}", "--role", role,
                "--pin-stdin")  # fmt: skip
    assert done[0] == 0, done


def _set_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> str:
    """From an empty folder to a billed-ready counter, every step on the command line."""
    db = str(tmp_path / "counter.sqlite3")
    assert not Path(db).exists()
    code, out, _ = _cli(capsys, db, "sites", "add", "LJY", "绿景苑")
    assert (code, out.strip()) == (0, "已添加小区 LJY（绿景苑），为本窗口所属小区。")
    _user(monkeypatch, capsys, db, "9001", "supervisor")
    _user(monkeypatch, capsys, db, "1001", "cashier")
    code, out, _ = _cli(capsys, db, *PF)
    assert code == 0 and "已为小区 LJY 添加收费项目 PF" in out and "宽限 15 天" in out
    assert _cli(capsys, db, *PK)[0] == 0
    csv = tmp_path / "units.csv"
    csv.write_text(UNITS, encoding="utf-8-sig")
    code, out, _ = _cli(capsys, db, "import-units", str(csv))
    assert (code, out.strip()) == (0, "已导入：新建 2 户，更新 0 户，车牌 2 个。")
    return db


def test_a_company_with_one_window_from_nothing_bills_once_and_takes_a_payment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = _set_up(tmp_path, monkeypatch, capsys)
    code, out, _ = _cli(capsys, db, "bill", "--period", "2026-11")
    assert code == 0 and out.startswith("2026-11 已出账：共 3 笔应收")
    with sqlite3.connect(db) as conn:
        charges = conn.execute(
            "SELECT u.code, f.code, c.amount_fen, c.due_date FROM charge c JOIN unit u"
            " ON u.id = c.unit_id JOIN fee_item f ON f.id = c.fee_item_id ORDER BY 1, 2"
        ).fetchall()
        journal = conn.execute("SELECT count(*) FROM journal_entry WHERE kind = 'charge'")
        assert journal.fetchone() == (3,)
    pf = lambda centi: area_fee(area_centi_m2=centi, rate_fen_per_m2_month=250, months=1).fen  # noqa: E731
    # 89.50 m² × ¥2.50 = ¥223.75; 120 m² × ¥2.50 = ¥300; two cars × ¥150 on 3-2-1502, none on
    # 1-1-101 (no car, no parking charge).
    assert charges == [
        ("1-1-101", "PF", pf(12000), "2026-11-28"),
        ("3-2-1502", "PF", pf(8950), "2026-11-28"),
        ("3-2-1502", "PK", 2 * fixed_fee(rate_fen_per_month=15000, months=1).fen, "2026-11-30"),
    ]
    assert [c[2] for c in charges] == [30000, 22375, 30000]
    # Billed once: a second run bills nothing and says so.
    before = _dump(db)
    code, _, err = _cli(capsys, db, "bill", "--period", "2026-11")
    assert code == 1 and "2026-11 已出过账：每个账期只出账一次。" in err
    assert _dump(db) == before
    posted = asyncio.run(_pay(db, "3-2-1502"))
    # On 2026-12-20 the property fee is 22 days past due, 15 of them grace: 7 days × 0.5‰.
    rule = LateFeeRule(500, 15, 30)
    fine = late_fee(
        principal=Money(22375),
        outstanding=Money(22375),
        due_date=date(2026, 11, 28),
        as_of=posted.business_date,
        rule=rule,
    )
    assert fine == Money(78)
    assert [line.amount for line in posted.late_fees] == [fine]
    assert posted.total == Money(22375 + 30000 + 78)
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*), sum(amount_fen) FROM allocation").fetchone()[0] >= 2
        assert conn.execute("SELECT count(*) FROM payment").fetchone() == (1,)
    # What the company made alone is valid for headquarters: HQ adopts it whole, fee items as made.
    from sync_server.cli import main as hq_main

    hq = tmp_path / "hq.sqlite3"
    assert hq_main(["adopt-counter", db, "--db", f"sqlite:///{hq}"]) == 0
    columns = "code, name, kind, rate_fen, due_day, scope, months_per_bill, late_fee_daily_ppm,"
    columns += " late_fee_grace_days, late_fee_cap_percent"
    with sqlite3.connect(db) as counter, sqlite3.connect(hq) as server:
        mine = counter.execute(f"SELECT {columns} FROM fee_item ORDER BY code").fetchall()
        assert server.execute(f"SELECT {columns} FROM fee_items ORDER BY code").fetchall() == mine
        assert server.execute("SELECT code, name FROM sites").fetchall() == [("LJY", "绿景苑")]
        # The counter's own bills reach HQ with the push (journaled), yet the month counts as
        # billed at once: HQ's bill run must not bill the units a second time.
        assert server.execute("SELECT period, charges, total_fen FROM bill_runs").fetchall() == [
            ("2026-11", 3, 82375)
        ]
    capsys.readouterr()
    assert (
        hq_main(["--lang", "en_US", "bill", "--period", "2026-11", "--db", f"sqlite:///{hq}"]) == 0
    )
    assert "LJY 2026-11: already billed, nothing done" in capsys.readouterr().out


async def _pay(path: str, unit_code: str):
    """Open a shift for cashier 1001 and take exact cash for all the unit owes, on 2026-12-20."""
    clock = FixedClock(datetime(2026, 12, 20, 1, 30, tzinfo=UTC))
    db = await open_db(path, create=False)
    try:
        svc = Services.build(Settings(db_path=path, printer="none"), db, clock=clock)
        cashier = await User.get(code="1001")
        unit = await Unit.get(code=unit_code)
        await open_shift(svc, shift_id=svc.ids.new_str(), cashier_id=cashier.id,
                         opening_counts={"n100": 5})  # fmt: skip
        return await take_payment(
            svc,
            payment_id=svc.ids.new_str(),
            unit_id=unit.id,
            cashier_id=cashier.id,
            tenders=[TenderInput("cash", Money(22375 + 30000 + 78))],
        )
    finally:
        await close_db(db)


def _px(**options: str) -> list[str]:
    """``fee-items add`` of a parking item PX, with ``options`` (``rate_fen="2a"``) replaced."""
    values = {"code": "PX", "name": "临停费", "kind": "fixed", "rate_fen": "500"} | options
    return ["fee-items", "add"] + [
        part for key, value in values.items() for part in (f"--{key.replace('_', '-')}", value)
    ]


BAD = [
    (["sites", "add", "CHY", "翠湖居"], "未接入总部的收费窗口只能有一个小区"),
    (["sites", "add", "L J", "翠湖居"], "编码为 1 到 32 个"),
    (PF, "小区 LJY 已有收费项目 PF。"),
    (_px(code="PK"), "小区 LJY 已有收费项目 PK。"),
    (_px(kind="hourly"), "收费方式只能是：area, fixed, metered, one_off"),
    (_px(scope="vehicles"), "计费对象只能是：unit, vehicle"),
    (_px(rate_fen="15O00"), "--rate-fen 须填整数（如 250），不能是“15O00”"),
    (_px(rate_fen="-5"), "收费标准为 0 到 100000000 分的整数。"),
    (_px(rate_fen="150.5"), "--rate-fen 须填整数，不能是小数“150.5”"),
    (_px(months_per_bill="13"), "每期月数须为 1 到 12 的整数。"),
    (_px(due_day="0"), "缴费截止日须为每月的 1 到 31 日。"),
    (_px(due_day="32"), "缴费截止日须为每月的 1 到 31 日。"),
    (_px(late_fee_cap_percent="101"), "滞纳金上限是 0 到 100 之间的百分比。"),
    (_px(late_fee_grace_days="x"), "--late-fee-grace-days 须填整数"),
    (["fee-items", "set", "--code", "PF"], "没有要修改的内容"),
    (["fee-items", "set", "--code", "PF", "--name", " "], "名称为 1 到 100 个字。"),
    (["fee-items", "set", "--code", "PF", "--due-day", "32"], "缴费截止日须为每月的 1 到 31 日。"),
    (["fee-items", "set", "--code", "NOPE", "--rate-fen", "1"], "小区 LJY 没有收费项目 NOPE。"),
]


def test_bad_input_on_the_command_line_is_refused_in_chinese_and_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = _set_up(tmp_path, monkeypatch, capsys)
    before = _dump(db)
    for argv, words in BAD:
        code, out, err = _cli(capsys, db, *argv)
        assert (code, out) == (1, ""), argv
        assert err.startswith("未做任何修改：") and words in err, (argv, err)
        assert _dump(db) == before, argv
    # An enrolled counter: headquarters owns the site and the fee items.
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE device SET sync_token = 'fdt_x', server_url = 'http://hq'")
    before = _dump(db)
    for argv, words in [
        (["sites", "add", "CHY", "翠湖居"], "小区由总部管理（sync-server sites）"),
        (_px(), "收费项目由总部管理（sync-server fee-items）"),
        (["fee-items", "set", "--code", "PF", "--rate-fen", "300"], "sync-server fee-items"),
    ]:
        code, _, err = _cli(capsys, db, *argv)
        assert code == 1 and err.startswith("未做任何修改：") and words in err, (argv, err)
        assert _dump(db) == before, argv
    # Listing is reading: allowed, and shows what is there.
    code, out, _ = _cli(capsys, db, "fee-items", "list")
    assert code == 0 and out.splitlines()[0].startswith("LJY  PF  物业费  每平方米每月 ¥2.50")
    assert _cli(capsys, db, "sites", "list")[1].strip() == "LJY\t绿景苑\t（本窗口所属）"
