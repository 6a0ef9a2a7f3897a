"""``feetui enroll`` and ``feetui sync --once`` as a person runs them, against a live HQ."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from feetui.cli import main


async def _cli(*argv: str) -> int:
    """Run the CLI in a thread (it has its own event loop) while HQ serves from this one."""
    loop = asyncio.get_running_loop()
    with ThreadPoolExecutor(1) as pool:
        return await loop.run_in_executor(pool, main, list(argv))


async def _post_payments(db_path: Path, count: int) -> None:
    """Journal entries in the counter's file, written by a process-like separate open."""
    from feetui.clock import IdSource, SystemClock
    from feetui.db.connection import close_db, open_db
    from tests.sync.journal import append_entries

    def work() -> None:
        async def go() -> None:
            db = await open_db(db_path)
            try:
                await append_entries(db.device_id, IdSource(SystemClock()), count)
            finally:
                await close_db(db)

        asyncio.run(go())

    loop = asyncio.get_running_loop()
    with ThreadPoolExecutor(1) as pool:
        await loop.run_in_executor(pool, work)


async def test_enroll_then_sync_once_prints_what_it_did(hq, tmp_path, capsys) -> None:
    db_path = tmp_path / "counter.sqlite3"
    code = await hq.enrollment_code("S1", "window-1")
    assert await _cli("enroll", "--server", hq.url, "--code", code, "--db", str(db_path)) == 0
    enrolled = capsys.readouterr().out
    assert "绿景苑" in enrolled and "S1" in enrolled
    await _post_payments(db_path, 5)
    assert await _cli("sync", "--once", "--db", str(db_path)) == 0
    out = capsys.readouterr().out
    assert "5" in out and "0" in out
    assert await hq.scalar("SELECT count(*) FROM journal") == 5


async def test_sync_once_in_english_names_the_counts(hq, tmp_path, capsys) -> None:
    db_path = tmp_path / "counter.sqlite3"
    code = await hq.enrollment_code("S1", "window-1")
    await _cli("enroll", "--server", hq.url, "--code", code, "--db", str(db_path))
    await _post_payments(db_path, 3)
    capsys.readouterr()
    assert await _cli("sync", "--once", "--lang", "en_US", "--db", str(db_path)) == 0
    out = capsys.readouterr().out
    assert "Pushed 3 records: 3 new, 0 already at headquarters." in out
    assert "Waiting to be sent: 0." in out


async def test_sync_once_on_a_standalone_counter_says_so_and_fails(tmp_path, capsys) -> None:
    code = await _cli("sync", "--once", "--lang", "en_US", "--db", str(tmp_path / "c.sqlite3"))
    assert code == 1
    assert "standalone" in capsys.readouterr().err


async def test_sync_once_with_hq_down_fails_and_keeps_the_outbox(hq, tmp_path, capsys) -> None:
    db_path = tmp_path / "counter.sqlite3"
    code = await hq.enrollment_code("S1", "window-1")
    await _cli("enroll", "--server", hq.url, "--code", code, "--db", str(db_path))
    await _post_payments(db_path, 2)
    await hq.stop()
    capsys.readouterr()
    assert await _cli("sync", "--once", "--lang", "en_US", "--db", str(db_path)) == 1
    assert "Headquarters did not answer" in capsys.readouterr().err
    await hq.start()
    assert await _cli("sync", "--once", "--db", str(db_path)) == 0
    assert await hq.scalar("SELECT count(*) FROM journal") == 2


@pytest.mark.parametrize("argv", [["enroll", "--code", "X"], ["enroll", "--server", "http://x"]])
async def test_enroll_without_server_or_code_is_refused(argv, tmp_path, capsys) -> None:
    try:
        result = await _cli(*argv, "--db", str(tmp_path / "c.sqlite3"))
    except SystemExit as stop:  # argparse: --code is required
        result = int(stop.code or 0)
    assert result != 0
