"""One app instance per database (RELIABILITY R17): a second one gets a clear refusal, writes
nothing, and the lock goes away with the process that held it."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from feetui.core.errors import StorageError
from feetui.db.connection import close_db, instance_lock, open_db

ROOT = Path(__file__).resolve().parents[2]

SECOND_INSTANCE = """
import asyncio, sys
from feetui.core.errors import FeeError
from feetui.db.connection import close_db, open_db
from feetui.i18n import set_language, tr_error

async def main() -> int:
    try:
        db = await open_db(sys.argv[1])
    except FeeError as error:
        set_language("en_US")
        print(error.code, tr_error(error), file=sys.stderr)
        return 3
    await close_db(db)
    return 0

raise SystemExit(asyncio.run(main()))
"""


def _run_second(path: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-c", SECOND_INSTANCE, str(path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


async def test_second_instance_exits_with_a_clear_message_and_writes_nothing(db) -> None:
    files = sorted(db.path.parent.glob(db.path.name + "*"))
    before = {f.name: _digest(f) for f in files}
    result = _run_second(db.path)
    assert result.returncode == 3
    assert result.stderr.startswith("database_in_use Another feetui is already using this database")
    assert str(db.path) in result.stderr
    after = {f.name: _digest(f) for f in sorted(db.path.parent.glob(db.path.name + "*"))}
    assert after == before


async def test_instance_lock_is_free_again_after_close(db) -> None:
    await close_db(db)
    result = _run_second(db.path)
    assert result.returncode == 0, result.stderr


def test_instance_lock_refuses_a_second_holder_in_the_same_process(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    with instance_lock(path):
        with pytest.raises(StorageError) as info, instance_lock(path):
            pass
        assert info.value.code == "database_in_use"
    with instance_lock(path):
        pass


async def test_open_db_refuses_while_another_holds_the_lock(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    with instance_lock(path), pytest.raises(StorageError) as info:
        await open_db(path)
    assert info.value.code == "database_in_use"
    assert not path.exists()


def test_lock_of_a_killed_process_does_not_outlive_it(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from feetui.db.connection import instance_lock; "
            "lock = instance_lock(sys.argv[1]); lock.acquire(); print('held', flush=True); "
            "sys.stdin.read()",
            str(path),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(StorageError), instance_lock(path):
            pass
    finally:
        holder.kill()
        holder.wait(timeout=30)
    with instance_lock(path):
        pass
