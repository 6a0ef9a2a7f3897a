"""Benchmark: how much of an SQLite statement's time can run beside Python in the same process.

    PYTHONPATH=. python scripts/bench_sqlite_gil.py [--batches 10] [--rounds 3]

The sync server runs SQLite statements in aiosqlite's thread while its main thread runs Python
(HTTP, decoding, validation, hashing, projection). They overlap only while the sqlite3 module has
released the GIL. This times, in one process: the push's Python work on N batches of 500 records
(decode, validate, hash: ``parse_push_request`` and ``hash_ok``), then N 500-row journal inserts
with their commits (synchronous=FULL, WAL, as the server opens SQLite), one after the other and
then in two threads at once. "Overlap" is the share of the statements' time the two threads
saved together: 100% would mean the statements ran entirely beside the Python.
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
import threading
import time
import uuid
from pathlib import Path

import orjson

from feetui.sync.protocol import parse_push_request
from scripts.bench_sync import _bodies, _records

COLUMNS = 10


def _python_work(bodies: list[bytes]) -> None:
    for body in bodies:
        for record in parse_push_request(orjson.loads(body)).records:
            record.hash_ok()


def _statements(conn: sqlite3.Connection, batches: int, first: int) -> None:
    values = ",".join(["(" + ",".join("?" * COLUMNS) + ")"] * 500)
    for batch in range(batches):
        rows = [
            (str(uuid.uuid4()), "device", first + batch * 500 + i, "payment", "p" * 450, "h" * 64,
             "g" * 64, "site", "2026-12-06T00:00:00Z", 1)
            for i in range(500)
        ]  # fmt: skip
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(f"INSERT INTO journal VALUES {values}", [v for row in rows for v in row])
        conn.execute("COMMIT")


def main() -> None:
    """Print the Python time, the statements' time, both in turn and both at once."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--batches", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    device = str(uuid.uuid4())
    bodies = _bodies(device, _records(device, 500 * args.batches))
    with tempfile.TemporaryDirectory() as folder:
        conn = sqlite3.connect(
            Path(folder) / "hq.sqlite3", isolation_level=None, check_same_thread=False
        )
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute(
            "CREATE TABLE journal (record_id TEXT PRIMARY KEY, device_id TEXT, seq INTEGER,"
            " kind TEXT, payload TEXT, prev_hash TEXT, hash TEXT, site_id TEXT,"
            " received_at TEXT, hash_ok INTEGER, UNIQUE (device_id, seq))"
        )
        first = 0
        for _round in range(args.rounds):
            began = time.perf_counter()
            _python_work(bodies)
            python = time.perf_counter() - began
            began = time.perf_counter()
            _statements(conn, args.batches, first)
            first += 500 * args.batches
            statements = time.perf_counter() - began
            began = time.perf_counter()
            thread = threading.Thread(target=_statements, args=(conn, args.batches, first))
            thread.start()
            _python_work(bodies)
            thread.join()
            first += 500 * args.batches
            together = time.perf_counter() - began
            saved = python + statements - together
            print(
                f"python {python * 1e3:.0f} ms, statements {statements * 1e3:.0f} ms, in turn"
                f" {(python + statements) * 1e3:.0f} ms, at once {together * 1e3:.0f} ms:"
                f" overlap {saved / statements:.0%} of the statements' time"
            )
        conn.close()


if __name__ == "__main__":
    main()
