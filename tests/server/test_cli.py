"""The ``sync-server`` commands on a real database file, and ``serve`` on 127.0.0.1."""

from __future__ import annotations

import asyncio
import socket
import sys
from pathlib import Path

import aiohttp
import pytest

from sync_server.cli import main


@pytest.fixture
def db_arg(tmp_path: Path) -> list[str]:
    """``--db`` of a fresh SQLite file."""
    return ["--db", f"sqlite:///{tmp_path / 'hq.sqlite3'}"]


EN = ("--lang", "en_US")
"""English on purpose: these tests read the lines' English wording."""


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_commands_set_up_a_site_users_and_enrolment_codes(
    db_arg: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    assert _run(capsys, "migrate", *db_arg)[0] == 0
    assert "schema is current" in _run(capsys, *EN, "migrate", *db_arg)[1]
    assert _run(capsys, "sites", "add", "LJY", "绿景苑", *db_arg)[0] == 0
    code, _, err = _run(capsys, "sites", "add", "LJY", "again", *db_arg)
    assert (code, "site_exists" in err) == (1, True)
    monkeypatch.setattr("sys.stdin", io.StringIO("s3cret\n"))
    args = ["users", "add", "boss", "--name", "Boss", "--role", "admin", "--password-stdin"]
    assert _run(capsys, *args, *db_arg)[0] == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("12a4\n"))
    args = ["users", "add", "c1", "--name", "C", "--role", "cashier", "--site", "LJY"]
    code, _, err = _run(capsys, *args, "--pin-stdin", *db_arg)
    assert code == 1 and "pin" in err.lower()
    code, out, _ = _run(capsys, *EN, "enroll", "--site", "LJY", "--name", "window-1", *db_arg)
    assert code == 0 and "enrolment code" in out
    assert _run(capsys, "enroll", "--site", "NOPE", "--name", "w", *db_arg)[0] == 1
    assert _run(capsys, "users", "disable", "boss", *db_arg)[0] == 0
    assert _run(capsys, "users", "disable", "boss", *db_arg)[0] == 1
    assert _run(capsys, "revoke", "01900000-0000-7000-8000-000000000001", *db_arg)[0] == 1
    assert "new epoch" in _run(capsys, *EN, "bump-epoch", *db_arg)[1]


def test_import_units_reports_every_bad_row_and_imports_nothing(
    db_arg: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _run(capsys, "sites", "add", "LJY", "绿景苑", *db_arg)
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "小区,房号,面积,业主,电话,车牌\n"
        "LJY,3栋2单元1502,89.50,张三丰,13800001234,京A12345\n"
        "LJY,3-2-1502,90,李四,,\n"
        "XX,1-1-101,abc,,12,??\n",
        encoding="utf-8",
    )
    code, _, err = _run(capsys, "import-units", str(bad), *db_arg)
    assert code == 1
    assert "row 3: unit: 3-2-1502 repeats row 2" in err
    for column in ("site", "area", "owner", "phone", "plates"):
        assert f"row 4: {column}:" in err
    good = tmp_path / "good.csv"
    good.write_text(
        "site,unit,area,owner,phone,plates\n"
        "LJY,3栋2单元1502,89.50,张三丰,13800001234,京A12345 京B54321\n"
        "LJY,1-1-101,120,李四,,\n",
        encoding="utf-8-sig",
    )
    code, out, _ = _run(capsys, *EN, "import-units", str(good), *db_arg)
    assert (code, out.strip()) == (0, "imported: 2 new unit(s), 0 updated, 2 plate(s)")
    code, out, _ = _run(capsys, *EN, "import-units", str(good), *db_arg)
    assert out.strip() == "imported: 0 new unit(s), 2 updated, 2 plate(s)"


def test_import_units_reads_xlsx(db_arg: list[str], tmp_path: Path, capsys) -> None:
    from openpyxl import Workbook

    _run(capsys, "sites", "add", "LJY", "绿景苑", *db_arg)
    book = Workbook()
    book.active.append(["site", "unit", "area", "owner", "phone", "plates"])
    book.active.append(["LJY", "5-1-301", "66.6", "王五", "13900001111", None])
    path = tmp_path / "units.xlsx"
    book.save(path)
    code, out, err = _run(capsys, *EN, "import-units", str(path), *db_arg)
    assert code == 0, err
    assert "1 new unit(s)" in out


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_serve_answers_on_127_0_0_1(db_arg: list[str]) -> None:
    port = _free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "sync_server", "serve", "--port", str(port), *db_arg,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        # aiohttp prints "Running on ..." once the socket listens: wait for that line, not a time.
        line = await asyncio.wait_for(process.stdout.readline(), timeout=60)
        assert b"Running on http://127.0.0.1" in line
        async with (
            aiohttp.ClientSession() as session,
            session.get(f"http://127.0.0.1:{port}/api/v1/health") as response,
        ):
            assert (await response.json())["status"] == "ok"
    finally:
        process.terminate()
        await process.wait()


def test_bill_charges_each_period_once_from_fee_items_and_units(
    db_arg: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _run(capsys, "sites", "add", "LJY", "绿景苑", *db_arg)
    units = tmp_path / "units.csv"
    units.write_text(
        "site,unit,area,owner,phone,plates\n"
        "LJY,1-1-101,89.50,张三丰,,京A12345\n"
        "LJY,1-1-102,120.33,李四,,\n",
        encoding="utf-8",
    )
    assert _run(capsys, "import-units", str(units), *db_arg)[0] == 0
    for args in (
        ["--code", "PF", "--name", "物业费", "--kind", "area", "--rate-fen", "250"],
        ["--code", "PK", "--name", "停车费", "--kind", "fixed", "--rate-fen", "15000", "--scope",
         "vehicle"],
        ["--code", "RB", "--name", "垃圾费", "--kind", "fixed", "--rate-fen", "1000"],
    ):  # fmt: skip
        assert _run(capsys, "fee-items", "add", "--site", "LJY", *args, *db_arg)[0] == 0
    code, out, _ = _run(capsys, *EN, "bill", "--period", "2026-11", *db_arg)
    # 89.50 m² × ¥2.50 = ¥223.75; 120.33 m² × ¥2.50 = ¥300.825 → ¥300.83 (half up);
    # one car × ¥150; two units × ¥10.
    assert (code, out.strip()) == (0, "LJY 2026-11: 5 charge(s), ¥694.58")
    code, out, _ = _run(capsys, *EN, "bill", "--period", "2026-11", *db_arg)
    assert out.strip() == "LJY 2026-11: already billed, nothing done"
    assert _run(capsys, "bill", "--period", "2026-13", *db_arg)[0] == 2


def test_serve_sets_the_collector_before_it_serves(
    db_arg: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``serve`` freezes what start-up loaded and raises the young generation's threshold
    (the push path's allocations: BENCHMARKS.md); the tests' own processes keep Python's."""
    import gc

    from sync_server.app import GC_THRESHOLDS

    seen: list[tuple[tuple[int, int, int], int]] = []

    def run_app(*_args: object, **_kwargs: object) -> None:
        seen.append((gc.get_threshold(), gc.get_freeze_count()))

    monkeypatch.setattr("aiohttp.web.run_app", run_app)
    before = gc.get_threshold()
    try:
        assert main(["serve", "--port", "0", *db_arg]) == 0
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
    assert seen and seen[0][0] == GC_THRESHOLDS and seen[0][1] > 0
    assert before != GC_THRESHOLDS
