"""Kill the counter at any instant: each payment is all there or all absent (RELIABILITY R1).

A worker process (tests/faults/crash_worker.py) forks a child per round that posts payments,
deposits and voids until this test SIGKILLs it after a seeded number of commits (0 means during
start-up). After every kill the file is checked from outside: integrity_check, every payment and
void complete (tenders, allocations, prepaid entries, receipt number, journal entry, outbox row),
no orphans, a gapless receipt series, and a journal chain that verifies. 200 rounds by default;
``FEETUI_CRASH_ROUNDS`` asks for more and ``FEETUI_CRASH_SEED`` replays a failure.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from feetui.core.journal import ChainEntry, verify_chain
from feetui.db.connection import close_db, raw_connection
from feetui.db.models import Charge
from tests.builders import Ledger

ROOT = Path(__file__).resolve().parents[2]
ROUNDS = int(os.environ.get("FEETUI_CRASH_ROUNDS", "200"))
UNITS, MONTHS = 30, 12

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs os.fork and SIGKILL")

# Each query returns the rows that break a promise; all must be empty.
BROKEN = {
    "payment without its receipt number": """
        SELECT p.id FROM payment p LEFT JOIN receipt_number r ON r.payment_id = p.id
        WHERE r.id IS NULL""",
    "payment without its journal entry": """
        SELECT p.id FROM payment p LEFT JOIN journal_entry j ON j.record_id = p.id
        WHERE j.id IS NULL""",
    "void without its slip number or journal entry": """
        SELECT v.id FROM void v LEFT JOIN receipt_number r ON r.void_id = v.id
        LEFT JOIN journal_entry j ON j.record_id = v.id WHERE r.id IS NULL OR j.id IS NULL""",
    "journal entry without its record": """
        SELECT j.id FROM journal_entry j
        WHERE (j.kind = 'payment' AND NOT EXISTS (SELECT 1 FROM payment WHERE id = j.record_id))
           OR (j.kind = 'void' AND NOT EXISTS (SELECT 1 FROM void WHERE id = j.record_id))""",
    "journal entry without its outbox row (or the reverse)": """
        SELECT j.id FROM journal_entry j LEFT JOIN outbox o ON o.entry_id = j.id
        WHERE o.id IS NULL
        UNION ALL SELECT o.entry_id FROM outbox o LEFT JOIN journal_entry j ON j.id = o.entry_id
        WHERE j.id IS NULL""",
    "receipt number without its payment or void": """
        SELECT id FROM receipt_number WHERE payment_id IS NULL AND void_id IS NULL""",
    "tenders not adding up to the payment": """
        SELECT p.id FROM payment p WHERE p.total_fen + p.prepaid_used_fen !=
          (SELECT COALESCE(SUM(amount_fen), 0) FROM tender WHERE payment_id = p.id
           AND void_id IS NULL)
          OR NOT EXISTS (SELECT 1 FROM tender WHERE payment_id = p.id AND void_id IS NULL)""",
    "allocations and credit not adding up to the tenders": """
        SELECT p.id FROM payment p WHERE p.total_fen + p.prepaid_used_fen !=
          p.prepaid_credit_fen + (SELECT COALESCE(SUM(amount_fen), 0) FROM allocation
                                  WHERE payment_id = p.id AND void_id IS NULL)""",
    "prepaid entries not matching the payment": """
        SELECT p.id FROM payment p WHERE p.prepaid_credit_fen - p.prepaid_used_fen !=
          (SELECT COALESCE(SUM(amount_fen), 0) FROM prepaid_entry
           WHERE payment_id = p.id AND void_id IS NULL)""",
    "void not undoing its payment completely": """
        SELECT v.id FROM void v JOIN payment p ON p.id = v.payment_id
        WHERE (SELECT COALESCE(SUM(amount_fen), 0) FROM tender WHERE void_id = v.id)
              != -(p.total_fen + p.prepaid_used_fen)
           OR (SELECT COALESCE(SUM(amount_fen), 0) FROM allocation WHERE payment_id = p.id) != 0
           OR (SELECT COALESCE(SUM(amount_fen), 0) FROM prepaid_entry
               WHERE payment_id = p.id) != 0""",
}


async def _community(ledger: Ledger) -> None:
    """Thirty units, each billed a year of parking, and the cashier's shift open."""
    charges = []
    for _ in range(UNITS):
        unit = await ledger.unit()
        for month in range(1, MONTHS + 1):
            charges.append(
                Charge(
                    id=ledger.new_id(),
                    unit=unit,
                    fee_item=ledger.fee_items["PK"],
                    period=f"2026-{month:02d}",
                    amount_fen=15_000,
                    due_date=date(2026, month, 28),
                    source="bill",
                    created_at=ledger.svc.clock.now(),
                )
            )
    await Charge.bulk_create(charges)


def _check(path: Path) -> list[str]:
    """Every broken promise found in the database file, as readable lines."""
    connection = raw_connection(path)
    try:
        problems = []
        if connection.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            problems.append("integrity_check failed")
        for promise, sql in BROKEN.items():
            rows = connection.execute(sql).fetchall()
            if rows:
                problems.append(f"{promise}: {[r[0] for r in rows[:3]]}")
        problems += _series_problems(connection) + _chain_problems(connection)
        return problems
    finally:
        connection.close()


def _series_problems(connection: sqlite3.Connection) -> list[str]:
    numbers = [r[0] for r in connection.execute("SELECT number FROM receipt_number ORDER BY 1")]
    if numbers != list(range(1, len(numbers) + 1)):
        return [f"receipt series has a gap or repeat: {numbers[-5:]}"]
    return []


def _chain_problems(connection: sqlite3.Connection) -> list[str]:
    rows = connection.execute(
        "SELECT device_id, seq, record_id, kind, payload_json, prev_hash, hash "
        "FROM journal_entry ORDER BY seq"
    ).fetchall()
    broken = verify_chain([ChainEntry(*row) for row in rows])
    return [] if broken is None else [f"journal chain broken: {broken}"]


class Worker:
    """The crash worker process: forks a posting child per round."""

    def __init__(self, path: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.faults.crash_worker", str(path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )

    def round(self, seed: int, commits: int) -> int:
        """Start a child, kill it after ``commits`` commits; the number of commits seen."""
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(f"go {seed}\n")
        self.process.stdin.flush()
        pid, seen, killed = None, 0, False
        while True:
            line = self.process.stdout.readline()
            assert line, "the crash worker died"
            word = line.split()[0]
            if word == "error":
                raise AssertionError(f"the posting child failed: {line}")
            if word == "pid":
                pid = int(line.split()[1])
            seen += word == "ok"
            if word == "dead":
                return seen
            if pid is not None and pid > 0 and not killed and seen >= commits:
                os.kill(pid, signal.SIGKILL)
                killed = True  # read on until the worker says the child is reaped

    def close(self) -> None:
        """Stop the worker (closing stdin ends its loop)."""
        if self.process.stdin is not None:
            self.process.stdin.close()
        self.process.wait(timeout=60)


@pytest.mark.slow
async def test_killed_at_any_instant_every_payment_is_all_or_nothing(db, ledger: Ledger) -> None:
    seed = int(os.environ.get("FEETUI_CRASH_SEED", random.randrange(1_000_000)))
    rng = random.Random(seed)
    await _community(ledger)
    await close_db(db)
    worker = Worker(db.path)
    committed = 0
    try:
        for round_no in range(ROUNDS):
            committed += worker.round(rng.randrange(1 << 30), rng.choice((0, 1, 1, 2, 2, 3, 5)))
            problems = _check(db.path)
            assert not problems, f"seed {seed}, round {round_no}: {problems}"
    finally:
        worker.close()
    connection = raw_connection(db.path)
    payments = connection.execute("SELECT COUNT(*) FROM payment").fetchone()[0]
    connection.close()
    assert payments > 0 and committed > 0, f"seed {seed}: nothing was ever posted"
