"""Backup and restore of the counter database: consistent while the app runs, refused while open."""

from __future__ import annotations

import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from feetui.cli import main
from feetui.clock import FixedClock
from feetui.core.errors import StorageError
from feetui.db.backup import backup_database, inspect_backup, restore_database
from feetui.db.connection import close_db, open_db

NOW = datetime(2026, 11, 23, 1, 30, tzinfo=UTC)


def count(path: Path, table: str) -> int:
    """Rows of ``table`` as a second process would see them."""
    connection = sqlite3.connect(path)
    try:
        return connection.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]
    finally:
        connection.close()


async def test_backup_while_the_app_holds_the_database_has_every_committed_payment(
    ledger, db, tmp_path: Path
) -> None:
    for code in ("1-1-101", "1-1-102"):
        unit = await ledger.unit(code)
        await ledger.charge(unit, amount_fen=12_345)
        await ledger.pay(unit)
    out = tmp_path / "backups" / "counter.bak"

    info = backup_database(db.path, out)

    assert (info.payments, info.path) == (2, out)
    assert info.journal_entries == count(db.path, "journal_entry") >= 3
    assert count(out, "payment") == 2
    assert not out.with_name("counter.bak.partial").exists()


async def test_backup_refuses_to_overwrite_a_file(db, tmp_path: Path) -> None:
    out = tmp_path / "exists.bak"
    out.write_bytes(b"keep me")
    with pytest.raises(StorageError) as caught:
        backup_database(db.path, out)
    assert caught.value.code == "backup_exists"
    assert out.read_bytes() == b"keep me"


def test_backup_of_a_missing_database_is_refused(tmp_path: Path) -> None:
    with pytest.raises(StorageError) as caught:
        backup_database(tmp_path / "nothing.sqlite3", tmp_path / "out.bak")
    assert caught.value.code == "database_missing"
    assert not (tmp_path / "out.bak").exists()


async def test_restore_is_refused_while_the_app_has_the_database_open(db, tmp_path: Path) -> None:
    out = tmp_path / "counter.bak"
    backup_database(db.path, out)
    with pytest.raises(StorageError) as caught:
        restore_database(db.path, out, now=NOW)
    assert caught.value.code == "database_in_use"
    assert sorted(name for name in os.listdir(tmp_path) if "before-restore" in name) == []


async def test_restore_brings_back_the_backup_and_keeps_the_replaced_database(
    ledger, db, tmp_path: Path, clock: FixedClock
) -> None:
    unit = await ledger.unit()
    await ledger.charge(unit, amount_fen=5_000)
    out = tmp_path / "before-payment.bak"
    backup_database(db.path, out)
    await ledger.pay(unit)
    await close_db(db)

    saved = restore_database(db.path, out, now=NOW)

    assert saved.name == f"{db.path.name}.before-restore-20261123T013000Z"
    assert (count(db.path, "payment"), count(saved, "payment")) == (0, 1)
    reopened = await open_db(db.path, clock=clock)  # the restored file opens as the app opens it
    try:
        assert reopened.device_id == db.device_id
    finally:
        await close_db(reopened)


@pytest.mark.parametrize("content", [b"", b"not a database at all" * 100])
def test_restore_refuses_a_file_that_is_not_a_database(tmp_path: Path, content: bytes) -> None:
    bad = tmp_path / "bad.bak"
    bad.write_bytes(content)
    target = tmp_path / "counter.sqlite3"
    with pytest.raises(StorageError) as caught:
        restore_database(target, bad, now=NOW)
    assert caught.value.code == "backup_invalid"
    assert not target.exists()


def test_restore_refuses_a_sqlite_file_of_another_program(tmp_path: Path) -> None:
    other = tmp_path / "other.sqlite3"
    connection = sqlite3.connect(other)
    connection.execute("CREATE TABLE payment (id TEXT)")
    connection.commit()
    connection.close()
    with pytest.raises(StorageError) as caught:
        inspect_backup(other)
    assert caught.value.code == "backup_invalid"
    assert "journal_entry" in caught.value.params["reason"]


async def test_db_commands_back_up_and_refuse_to_restore_while_open(
    db, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "cli.bak"
    assert main(["--lang", "en_US", "db", "backup", "--db", str(db.path), "--out", str(out)]) == 0
    assert "Backup written to" in capsys.readouterr().out

    assert main(["--lang", "en_US", "db", "restore", "--db", str(db.path), str(out)]) == 1
    assert "Another feetui is already using this database" in capsys.readouterr().err

    assert main(["db", "backup", "--db", str(db.path), "--out", str(out)]) == 1
    assert "已存在" in capsys.readouterr().err
