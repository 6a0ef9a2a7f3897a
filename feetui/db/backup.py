"""Backing up and restoring the counter database through SQLite's online backup API.

A backup is taken page by page by SQLite itself (``sqlite3.Connection.backup``), so it is a
consistent snapshot even while the app is taking payments: in WAL mode the reader never blocks the
app, and a copy of the file with ``cp`` could catch a half-written page or miss the WAL. The copy
is written under a temporary name, checked with ``PRAGMA integrity_check``, flushed to disk and
only then renamed to the name asked for.

A restore refuses while any feetui holds the instance lock, keeps the current database beside it
(``<db>.before-restore-<UTC time>``) and copies the backup in through the same API.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from feetui.core.errors import N_, StorageError
from feetui.db.connection import InstanceLock

# Tables a file must have to be taken for a feetui counter database.
_REQUIRED_TABLES = ("device", "journal_entry", "payment", "receipt_number")


@dataclass(frozen=True, slots=True)
class BackupInfo:
    """What a backup file holds, as checked after writing (or before restoring) it."""

    path: Path
    size_bytes: int
    payments: int
    journal_entries: int


def backup_database(db_path: str | Path, out: str | Path) -> BackupInfo:
    """Copy the database at ``db_path`` to ``out``, safely while the app runs.

    Args:
        db_path: the counter database.
        out: the backup file to write; must not exist yet.

    Returns:
        The checked backup.

    Raises:
        StorageError: ``database_missing``, ``backup_exists``, ``backup_failed`` (the copy did not
            pass its check; nothing is left under ``out``).
    """
    source, target = Path(db_path), Path(out)
    _require_file(source)
    if target.exists():
        raise StorageError(
            "backup_exists", N_("{path} already exists; choose a new file name."), path=str(target)
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        _copy(source, partial)
        info = inspect_backup(partial)
        _fsync(partial)
        partial.replace(target)
        _fsync_folder(target.parent)
    finally:
        partial.unlink(missing_ok=True)
    return BackupInfo(target, info.size_bytes, info.payments, info.journal_entries)


def restore_database(db_path: str | Path, backup: str | Path, *, now: datetime) -> Path:
    """Replace the database at ``db_path`` with the backup file ``backup``.

    The current database is first saved as ``<db>.before-restore-<now>`` (when there is one).

    Args:
        db_path: the counter database to replace (created when missing).
        backup: a file written by :func:`backup_database`.
        now: the instant that names the saved copy.

    Returns:
        Where the replaced database was saved (or ``db_path`` itself when there was none).

    Raises:
        StorageError: ``database_in_use`` while a feetui has the database open,
            ``backup_invalid`` when ``backup`` is not a sound feetui database, ``backup_failed``.
    """
    target, source = Path(db_path), Path(backup)
    inspect_backup(source)
    with InstanceLock(target):
        saved = target
        if target.is_file():
            saved = target.with_name(f"{target.name}.before-restore-{now:%Y%m%dT%H%M%SZ}")
            _copy(target, saved)
            _fsync(saved)
        _copy(source, target)
    return saved


def inspect_backup(path: str | Path) -> BackupInfo:
    """Check that ``path`` is a sound feetui database and count what it holds.

    Raises:
        StorageError: ``backup_invalid`` naming what is wrong.
    """
    path = Path(path)
    if not path.is_file():
        raise _invalid(path, "no such file")
    try:
        connection = sqlite3.connect(_read_only_uri(path), uri=True)
        try:
            return _inspect(connection, path)
        finally:
            connection.close()
    except sqlite3.DatabaseError as error:
        raise _invalid(path, str(error)) from None


def _inspect(connection: sqlite3.Connection, path: Path) -> BackupInfo:
    check = connection.execute("PRAGMA integrity_check").fetchone()[0]
    if check != "ok":
        raise _invalid(path, check)
    tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    missing = [name for name in _REQUIRED_TABLES if name not in tables]
    if missing:
        raise _invalid(path, "not a feetui database (no " + ", ".join(missing) + ")")
    payments = connection.execute("SELECT COUNT(*) FROM payment").fetchone()[0]
    entries = connection.execute("SELECT COUNT(*) FROM journal_entry").fetchone()[0]
    return BackupInfo(path, path.stat().st_size, payments, entries)


def _copy(source: Path, target: Path) -> None:
    """Copy ``source`` into ``target`` with SQLite's backup API, in one step."""
    try:
        src = sqlite3.connect(os.fspath(source))
        try:
            dst = sqlite3.connect(os.fspath(target))
            try:
                src.backup(dst)
            finally:
                dst.close()
        finally:
            src.close()
    except sqlite3.Error as error:
        raise StorageError(
            "backup_failed",
            N_("Copying {source} to {target} failed: {reason}"),
            source=str(source),
            target=str(target),
            reason=str(error),
        ) from None


def _read_only_uri(path: Path) -> str:
    # as_uri() percent-encodes, so a '?' or '#' in a folder name cannot end the path early.
    return path.resolve().as_uri() + "?mode=ro"


def _require_file(path: Path) -> None:
    if not path.is_file():
        raise StorageError(
            "database_missing", N_("There is no database at {path}."), path=str(path)
        )


def _invalid(path: Path, reason: str) -> StorageError:
    return StorageError(
        "backup_invalid",
        N_("{path} is not a usable feetui backup: {reason}"),
        path=str(path),
        reason=reason,
    )


def _fsync(path: Path) -> None:
    with path.open("rb+") as handle:
        os.fsync(handle.fileno())


def _fsync_folder(folder: Path) -> None:
    # Windows cannot open a folder for fsync; the rename is durable enough there.
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


__all__ = ["BackupInfo", "backup_database", "inspect_backup", "restore_database"]
