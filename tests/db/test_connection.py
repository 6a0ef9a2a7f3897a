"""Opening the store: durability PRAGMAs checked (R2), migrations idempotent, device row made."""

from __future__ import annotations

from pathlib import Path

import pytest
from tortoise.context import TortoiseContext
from tortoise.migrations.executor import MigrationExecutor, MigrationTarget

from feetui.clock import FixedClock
from feetui.core.errors import StorageError
from feetui.db.config import tortoise_config
from feetui.db.connection import close_db, open_db, raw_connection
from feetui.db.models import Device, ReceiptSeries


async def test_open_db_sets_wal_full_sync_and_foreign_keys(db) -> None:
    connection = db.context.db()
    _, rows = await connection.execute_query("PRAGMA journal_mode")
    assert rows[0][0] == "wal"
    _, rows = await connection.execute_query("PRAGMA synchronous")
    assert rows[0][0] == 2
    _, rows = await connection.execute_query("PRAGMA foreign_keys")
    assert rows[0][0] == 1


async def test_open_db_makes_one_device_with_a_receipt_series(db) -> None:
    device = await Device.get(id=db.device_id)
    assert device.name == "counter-1"
    series = await ReceiptSeries.filter(device_id=db.device_id)
    assert [s.prefix for s in series] == [db.device_id[-4:].upper()]


async def test_open_db_keeps_the_device_id_when_reopened(db, clock: FixedClock) -> None:
    await close_db(db)
    again = await open_db(db.path, clock=clock)
    try:
        assert again.device_id == db.device_id
        assert await Device.all().count() == 1
    finally:
        await close_db(again)


async def test_open_db_refuses_when_synchronous_is_not_full(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    with pytest.raises(StorageError) as info:
        await open_db(path, extra_pragmas={"synchronous": "NORMAL"})
    assert info.value.code == "database_unsafe"
    assert info.value.params["setting"] == "synchronous"


async def test_open_db_refuses_when_wal_does_not_hold(tmp_path: Path) -> None:
    with pytest.raises(StorageError) as info:
        await open_db(tmp_path / "c.sqlite3", extra_pragmas={"journal_mode": "DELETE"})
    assert info.value.code == "database_unsafe"
    assert info.value.params == {"setting": "journal_mode", "actual": "delete", "expected": "wal"}


async def test_open_db_refuses_when_foreign_keys_are_off(tmp_path: Path) -> None:
    with pytest.raises(StorageError) as info:
        await open_db(tmp_path / "c.sqlite3", extra_pragmas={"foreign_keys": "OFF"})
    assert info.value.params["setting"] == "foreign_keys"


async def test_open_db_refused_leaves_the_lock_free_for_the_next_try(db) -> None:
    await close_db(db)
    with pytest.raises(StorageError):
        await open_db(db.path, extra_pragmas={"synchronous": "OFF"})
    database = await open_db(db.path)
    await close_db(database)


async def test_open_db_without_create_refuses_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(StorageError) as info:
        await open_db(tmp_path / "missing.sqlite3", create=False)
    assert info.value.code == "database_missing"
    assert not (tmp_path / "missing.sqlite3").exists()


MIGRATIONS = sorted(
    p.stem for p in (Path(__file__).resolve().parents[2] / "feetui/db/migrations").glob("0*.py")
)


async def test_migrate_twice_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    await close_db(await open_db(path))
    before = _schema(path)
    await close_db(await open_db(path))
    assert _schema(path) == before
    connection = raw_connection(path)
    applied = connection.execute("SELECT name FROM tortoise_migrations ORDER BY id").fetchall()
    assert [row[0] for row in applied] == MIGRATIONS


async def test_upgraded_database_ends_identical_to_a_fresh_one(
    tmp_path: Path, db_template: Path
) -> None:
    path = tmp_path / "old.sqlite3"
    context = TortoiseContext()
    with context:
        config = tortoise_config(str(path))
        await context.init(config=config)
        executor = MigrationExecutor(context.db(), {"models": config["apps"]["models"]})
        await executor.migrate([MigrationTarget("models", "0003_search_index")])
        await context.close_connections()
    older = _schema(path)
    await close_db(await open_db(path))
    assert older != _schema(path)
    assert _schema(path) == _schema(db_template)


def _schema(path: Path) -> list[tuple]:
    connection = raw_connection(path)
    try:
        return connection.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name"
        ).fetchall()
    finally:
        connection.close()
