"""``feetui report arrears``: the list, bucket totals and collection rate as text, CSV and Excel."""

from __future__ import annotations

import asyncio
import csv
import io
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import pytest

from feetui.cli import main
from feetui.core.arrears import FollowUpDraft
from feetui.core.money import Money
from feetui.services.followups import record_follow_up


def _run(argv: list[str]) -> int:
    """Run the CLI in a thread of its own (it runs its own event loop)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(main, argv).result()


async def _community(svc, ledger) -> None:
    old = await ledger.unit("1-1-101", owner="张三丰")
    for period in ("2026-01", "2026-10"):
        await ledger.charge(old, item="PK", period=period, amount_fen=15_000)
    paid = await ledger.unit("2-1-101", owner="李四")
    await ledger.charge(paid, item="PK", period="2026-11", amount_fen=15_000)
    await ledger.pay(paid)
    await record_follow_up(
        svc,
        note_id=svc.ids.new_str(),
        unit_id=old.id,
        user_id=ledger.cashier.id,
        draft=FollowUpDraft(
            "phone",
            "hardship",
            promised_date=date(2026, 11, 30),
            promised_amount=Money(10_000),
        ),
    )


async def test_report_arrears_csv_lists_the_units_in_arrears(svc, ledger, settings, tmp_path: Path):
    await _community(svc, ledger)
    out = tmp_path / "arrears.csv"
    code = _run(["report", "arrears", "--db", settings.db_path, "--as-of", "2026-11-23",
                 "--format", "csv", "--out", str(out)])  # fmt: skip
    assert code == 0
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert rows[0][:4] == ["房号", "业主", "楼栋", "欠费"]
    assert len(rows) == 2
    assert rows[1][:4] == ["1-1-101", "张三丰", "1", "300.00"]
    assert rows[1][6] == "299"
    assert "经济困难" in rows[1][9]
    assert "2026-11-30" in rows[1][10] and "已承诺" in rows[1][10]


async def test_report_arrears_text_shows_bucket_totals_and_rates(
    svc, ledger, settings, capsys: pytest.CaptureFixture[str]
):
    await _community(svc, ledger)
    code = _run(["--lang", "en_US", "report", "arrears", "--db", settings.db_path,
                 "--as-of", "2026-11-23"])  # fmt: skip
    assert code == 0
    text = capsys.readouterr().out
    assert "Arrears as of 2026-11-23" in text
    assert ">180 days: ¥150.00" in text
    assert "≤30 days: ¥150.00" in text
    assert "Total owed: ¥300.00" in text
    assert re.search(r"\n2026-11 +¥150\.00 +¥150\.00 +100\.00% +¥0\.00\n", text)
    assert re.search(r"\n2026-10 +¥150\.00 +¥0\.00 +0\.00% +¥0\.00\n", text)


async def test_report_arrears_xlsx_has_both_sheets(svc, ledger, settings, tmp_path: Path):
    from openpyxl import load_workbook

    await _community(svc, ledger)
    out = tmp_path / "arrears.xlsx"
    assert _run(["report", "arrears", "--db", settings.db_path, "--as-of", "2026-11-23",
                 "--format", "xlsx", "--out", str(out)]) == 0  # fmt: skip
    book = await asyncio.to_thread(load_workbook, out)
    assert book.sheetnames == ["欠费", "收缴率"]
    assert book["欠费"]["D2"].value == 300
    assert book["收缴率"].max_row == 13


def test_report_arrears_refuses_xlsx_without_a_file_and_a_missing_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    missing = str(tmp_path / "none.sqlite3")
    assert _run(["report", "arrears", "--db", missing, "--format", "xlsx"]) == 1
    assert _run(["report", "arrears", "--db", missing]) == 1
    err = capsys.readouterr().err
    assert "--out" in err and "none.sqlite3" in err
