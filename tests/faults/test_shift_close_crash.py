"""R16: a shift closes atomically and cannot be reopened, whatever instant the PC dies.

A child process (``tests/faults/shift_close_child.py``) opens, uses, closes and hands over shifts
on one database and SIGKILLs itself at a seeded point inside ``close_shift`` or
``accept_handover``; the next round carries on from what the file holds. After every kill: the
file is sound, and every shift is either open with nothing of a close, or closed with its close
row, both settlement checks, its journal entry and outbox row; every handover has its new shift.
At the end the journal chain verifies, every closed shift's slip can be built and printed, a
closed shift refuses to close again, and a shift a crash left open can still be closed.

Rounds and seed: ``FEETUI_FAULT_ROUNDS`` (default 12) and ``FEETUI_FAULT_SEED``; the seed is in
every failure message, so a failing run can be repeated exactly.
"""

from __future__ import annotations

import asyncio
import os
import random
import shutil
import sqlite3
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ROUNDS = int(os.environ.get("FEETUI_FAULT_ROUNDS", "12"))
SEED = int(os.environ.get("FEETUI_FAULT_SEED", "20261123"))
# A close counts about 2,600 calls and a handover about 4,000: kills land in both, and sometimes
# after a round's first commit.
KILL_RANGE = (1, 7_000)


def _child(path: Path, kill_at: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tests.faults.shift_close_child", str(path), str(kill_at)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _one(connection: sqlite3.Connection, sql: str, *params: object) -> list[tuple]:
    return connection.execute(sql, params).fetchall()


def _check_file(path: Path, where: str) -> tuple[int, int]:
    """Everything all-or-nothing; returns (open shifts, closed shifts)."""
    connection = sqlite3.connect(path)
    try:
        assert _one(connection, "PRAGMA integrity_check") == [("ok",)], where
        closes = _one(connection, "SELECT id, shift_id FROM shift_close")
        for close_id, _shift in closes:
            entry = _one(
                connection,
                "SELECT j.kind, o.id FROM journal_entry j JOIN outbox o ON o.entry_id = j.id "
                "WHERE j.record_id = ?",
                close_id,
            )
            assert entry and entry[0][0] == "shift_close", where
            checks = _one(
                connection, "SELECT COUNT(*) FROM settlement_check WHERE close_id = ?", close_id
            )
            assert checks == [(2,)], where
        journaled = _one(
            connection, "SELECT record_id FROM journal_entry WHERE kind = 'shift_close'"
        )
        assert {r[0] for r in journaled} == {c[0] for c in closes}, where
        handovers = _one(
            connection,
            "SELECT h.id FROM handover h JOIN shift s ON s.id = h.next_shift_id "
            "JOIN journal_entry j ON j.record_id = h.id AND j.kind = 'handover'",
        )
        assert len(handovers) == _one(connection, "SELECT COUNT(*) FROM handover")[0][0], where
        shifts = _one(connection, "SELECT COUNT(*) FROM shift")[0][0]
        opened = _one(connection, "SELECT COUNT(*) FROM journal_entry WHERE kind = 'shift_open'")
        assert opened == [(shifts,)], where
        entries = _one(connection, "SELECT seq FROM journal_entry ORDER BY seq")
        assert [e[0] for e in entries] == list(range(1, len(entries) + 1)), where
        assert _one(connection, "SELECT COUNT(*) FROM outbox") == [(len(entries),)], where
        still_open = shifts - len(closes)
        assert still_open in (0, 1), where
        return still_open, len(closes)
    finally:
        connection.close()


async def _after_all(path: Path) -> None:
    """Chain, slips, no reopening, and recovery of a shift a crash left open."""
    from feetui.clock import FixedClock
    from feetui.config import Settings
    from feetui.core.errors import RuleError
    from feetui.core.money import Money
    from feetui.db.connection import close_db, open_db
    from feetui.db.models import ShiftClose, User
    from feetui.db.queries.posting import get_open_shift
    from feetui.printing import PrintProfile, render_document
    from feetui.services.container import Services
    from feetui.services.journal import verify_local_chain
    from feetui.services.report_documents import shift_report_doc
    from feetui.services.reports import build_shift_report
    from feetui.services.shifts import close_shift

    clock = FixedClock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    database = await open_db(path, clock=clock)
    try:
        svc = Services.build(Settings(db_path=str(path)), database, clock=clock)
        assert await verify_local_chain(svc.device_id) is None
        cashier = await User.get(code="1001")
        for close in await ShiftClose.all():
            report = await build_shift_report(svc, shift_id=close.shift_id)
            assert report.expected == report.counted == Money(50_000)
            doc = shift_report_doc(report, company="示范物业", tz=svc.tz, printed_at=clock.now())
            assert render_document(doc, PrintProfile(columns=32))
            with pytest.raises(RuleError) as again:
                await close_shift(
                    svc,
                    close_id=svc.ids.new_str(),
                    shift_id=close.shift_id,
                    closed_by=cashier.id,
                    counts={"n100": 5},
                )
            assert again.value.code == "shift_closed"
        left_open = await get_open_shift(svc.device_id)
        if left_open is not None:
            await close_shift(
                svc,
                close_id=svc.ids.new_str(),
                shift_id=left_open.shift_id,
                closed_by=cashier.id,
                counts={"n100": 5},
            )
    finally:
        await close_db(database)


@pytest.mark.slow
def test_shift_close_and_handover_survive_sigkill_all_or_nothing(
    db_template: Path, tmp_path: Path
) -> None:
    path = tmp_path / "counter.sqlite3"
    shutil.copyfile(db_template, path)
    rng = random.Random(SEED)
    seen_open = seen_pending = 0
    for round_no in range(ROUNDS):
        kill_at = rng.randint(*KILL_RANGE)
        where = f"seed {SEED}, round {round_no}, kill at call {kill_at}"
        result = _child(path, kill_at)
        assert result.returncode == -9, f"{where}: child did not die\n{result.stderr[-2000:]}"
        still_open, _closed = _check_file(path, where)
        seen_open += still_open
        seen_pending += 1 - still_open
    # Over the rounds both outcomes occur: a shift left open, and a drawer left to hand over.
    assert seen_open and seen_pending, f"seed {SEED}: {seen_open} open, {seen_pending} pending"
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, _after_all(path)).result()
