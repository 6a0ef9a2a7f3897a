"""``feetui report shift|daily`` as the back office runs it: a separate process on a closed DB."""

from __future__ import annotations

import asyncio
import csv
import io
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from feetui.clock import FixedClock
from feetui.config import Settings

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def day_db(tmp_path_factory: pytest.TempPathFactory, db_template: Path) -> Path:
    """A database holding the hand-checked day, closed with a ¥1 shortage."""
    import shutil

    path = tmp_path_factory.mktemp("report") / "counter.sqlite3"
    shutil.copyfile(db_template, path)

    async def build() -> None:
        from feetui.db.connection import close_db, open_db
        from feetui.services.container import Services
        from tests.builders import make_ledger
        from tests.shift_builders import close, hand_checked_day

        clock = FixedClock(datetime(2026, 11, 23, 1, 30, tzinfo=UTC))
        database = await open_db(path, clock=clock)
        try:
            svc = Services.build(Settings(db_path=str(path)), database, clock=clock)
            ledger = await make_ledger(svc)
            await hand_checked_day(ledger)
            await close(ledger, {"n100": 5, "n50": 1, "n20": 1, "n1": 4}, note="短款一元")
        finally:
            await close_db(database)

    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, build()).result()
    return path


def _feetui(db: Path, *args: str, lang: str = "zh_CN") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "feetui", "--db", str(db), "--lang", lang, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_report_shift_text_shows_the_takings_and_the_shortage(day_db: Path) -> None:
    result = _feetui(day_db, "report", "shift", "--id", "S20261123-01")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "交班报表"
    assert any(line.split()[:1] == ["停车费"] and line.split()[-1] == "650.00" for line in lines)
    assert any(line.split() == ["应有现金", "575.00"] for line in lines)
    assert any(line.split() == ["实点现金", "574.00"] for line in lines)
    assert any(line.split() == ["长款(+)/短款(-)", "-1.00"] for line in lines)


def test_report_shift_by_place_and_csv_in_english(day_db: Path) -> None:
    result = _feetui(day_db, "report", "shift", "--id", "1", "--format", "csv", lang="en_US")
    assert result.returncode == 0, result.stderr
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert ["By fee item", "Fee item", "Cash", "Bank card", "WeChat Pay", "Total"] in rows
    assert ["By fee item", "停车费", "310.00", "300.00", "40.00", "650.00"] in rows
    assert ["By fee item", "Total", "330.00", "300.00", "40.00", "670.00"] in rows
    assert ["Cash", "Expected cash", "575.00"] in rows


def test_report_daily_xlsx_holds_exact_amounts(day_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "daily.xlsx"
    result = _feetui(
        day_db, "report", "daily", "--date", "2026-11-23", "--format", "xlsx", "--out", str(out)
    )
    assert result.returncode == 0, result.stderr
    from openpyxl import load_workbook

    sheet = load_workbook(out).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0] == ["收费日报表"] + [None] * (len(values[0]) - 1)
    total_row = next(row for row in values if row[0] == "合计" and row[1] is not None)
    assert [Decimal(str(v)) for v in total_row[1:5]] == [
        Decimal("330"),
        Decimal("300"),
        Decimal("40"),
        Decimal("670"),
    ]
    assert any(row[:3] == ["counter-1", 670, 5] for row in values)


def test_report_refuses_unknown_shift_bad_date_and_xlsx_without_out(day_db: Path) -> None:
    unknown = _feetui(day_db, "report", "shift", "--id", "S20261123-02")
    assert unknown.returncode == 1
    assert "S20261123-02" in unknown.stderr
    bad_date = _feetui(day_db, "report", "daily", "--date", "2026-13-01")
    assert bad_date.returncode == 1
    assert "2026-13-01" in bad_date.stderr
    no_out = _feetui(day_db, "report", "daily", "--date", "2026-11-23", "--format", "xlsx")
    assert no_out.returncode == 1


def test_report_on_a_missing_database_says_so(tmp_path: Path) -> None:
    result = _feetui(tmp_path / "none.sqlite3", "report", "daily", "--date", "2026-11-23")
    assert result.returncode == 1
    assert not (tmp_path / "none.sqlite3").exists()


def _copy(day_db: Path, folder: Path) -> Path:
    """A database of its own, so the print queue beside it is this test's alone."""
    import shutil

    path = folder / "counter.sqlite3"
    shutil.copyfile(day_db, path)
    return path


def test_report_daily_print_sends_the_daily_report_through_the_queue(
    day_db: Path, tmp_path: Path
) -> None:
    from feetui.printing import PrintSpool
    from tests.printing.escpos_decoder import decode

    db, paper = _copy(day_db, tmp_path), tmp_path / "paper.bin"
    result = _feetui(
        db, "report", "daily", "--date", "2026-11-23", "--print", "--printer", f"file:{paper}"
    )
    assert result.returncode == 0, result.stderr
    assert str(paper) in result.stdout
    texts = [" ".join(line.split()) for line in decode(paper.read_bytes()).texts()]
    assert "收费日报表" in texts
    assert any(line.startswith("2026-11-23") or "2026-11-23" in line for line in texts)
    assert any("670.00" in line for line in texts)
    assert PrintSpool.beside_database(db).pending() == []


def test_report_daily_print_to_a_dead_printer_says_why_and_keeps_the_job(
    day_db: Path, tmp_path: Path
) -> None:
    import socket

    from feetui.printing import PrintSpool

    db = _copy(day_db, tmp_path)
    with socket.create_server(("127.0.0.1", 0)) as server:
        dead = f"tcp://127.0.0.1:{server.getsockname()[1]}"
    result = _feetui(
        db, "report", "daily", "--date", "2026-11-23", "--print", "--printer", dead, lang="en_US"
    )
    assert result.returncode == 1
    assert "does not answer" in result.stderr and "waits in the print queue" in result.stderr
    jobs = PrintSpool.beside_database(db).pending()
    assert [(job.kind, job.document_id, job.last_failure) for job in jobs] == [
        ("daily_report", "daily-2026-11-23", "printer_offline")
    ]


def test_report_daily_print_with_a_bad_date_prints_nothing(day_db: Path, tmp_path: Path) -> None:
    from feetui.printing import PrintSpool

    db, paper = _copy(day_db, tmp_path), tmp_path / "paper.bin"
    result = _feetui(
        db, "report", "daily", "--date", "2026-11-31", "--print", "--printer", f"file:{paper}"
    )
    assert result.returncode == 1
    assert "2026-11-31" in result.stderr
    assert not paper.exists()
    assert PrintSpool.beside_database(db).pending() == []
