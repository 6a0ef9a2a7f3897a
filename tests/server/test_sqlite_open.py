"""Opening an SQLite file another server process is writing (several processes on one file).

A new file is not WAL yet; turning it to WAL needs the file alone, and SQLite answers "database
is locked" at once there, without its busy handler: two ``sync-server serve`` started together
on a new file, or one started while ``sync-server migrate`` runs, must wait their turn. And an
open that does give up must not leave aiosqlite's worker thread behind, which kept the process
alive after the error (a server that neither served nor exited).
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path

import pytest

from sync_server.db import connection
from sync_server.db.connection import connect


async def test_sqlite_open_waits_for_another_process_writing(tmp_path: Path) -> None:
    """A server opening an SQLite file that another process is writing, before it is WAL (two
    processes started at once on a new file), waits for it rather than failing at once."""
    path = tmp_path / "hq.sqlite3"
    other = sqlite3.connect(path, isolation_level=None)
    try:
        other.execute("CREATE TABLE t (x INTEGER)")
        other.execute("BEGIN IMMEDIATE")
        other.execute("INSERT INTO t VALUES (1)")
        loop = asyncio.get_running_loop()
        began = loop.time()
        loop.call_later(0.3, other.execute, "COMMIT")
        db = await connect(f"sqlite:///{path}")
        try:
            assert loop.time() - began >= 0.25
            async with db.transaction() as tx:
                assert await tx.fetchval("PRAGMA journal_mode") == "wal"
                assert await tx.fetchval("SELECT count(*) FROM t") == 1
        finally:
            await db.close()
    finally:
        other.close()


async def test_sqlite_open_that_fails_ends_its_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An open that gives up (the other writer outlasts the busy timeout) raises and leaves no
    worker thread behind: a server that cannot open its database exits instead of hanging."""
    monkeypatch.setattr(connection, "SQLITE_BUSY_MS", 200)
    path = tmp_path / "hq.sqlite3"
    other = sqlite3.connect(path, isolation_level=None)
    before = set(threading.enumerate())
    try:
        other.execute("CREATE TABLE t (x INTEGER)")
        other.execute("BEGIN IMMEDIATE")
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            await connect(f"sqlite:///{path}")
    finally:
        other.close()
    for thread in set(threading.enumerate()) - before:
        thread.join(timeout=5)
        assert not thread.is_alive(), thread
