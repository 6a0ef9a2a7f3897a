"""Opening and closing the counter's SQLite store, with the guarantees the ledger relies on.

:func:`open_db` takes the instance lock (one app per database, R17), starts Tortoise on the file
with WAL, ``synchronous=FULL``, foreign keys and a busy timeout, then *checks* that each setting
took effect and refuses to run otherwise (R2): a receipt must never be printed for a payment that a
power cut could still lose. It then applies migrations and makes sure the device row exists.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from tortoise.context import TortoiseContext, set_global_context
from tortoise.migrations.executor import MigrationExecutor

from feetui.clock import Clock, IdSource, SystemClock
from feetui.core.errors import N_, StorageError
from feetui.db.config import APP_LABEL, tortoise_config
from feetui.db.device import ensure_device
from feetui.db.guard import storage_errors

log = logging.getLogger(__name__)

# What each PRAGMA must read back as, once set.
_REQUIRED = (("journal_mode", "wal"), ("synchronous", 2), ("foreign_keys", 1))


class InstanceLock:
    """An OS file lock on ``<db>.lock``, held while the app has the database open.

    The OS drops it when the process dies, so a crash never leaves a stale lock behind.

    Args:
        db_path: the database file the lock guards.
    """

    def __init__(self, db_path: str | Path) -> None:
        self.path = Path(str(db_path) + ".lock")
        self._handle: IO[bytes] | None = None

    def acquire(self) -> None:
        """Take the lock or fail at once.

        Raises:
            StorageError: ``database_in_use`` when another process (or another open in this one)
                holds it.
        """
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = self.path.open("a+b")
        try:
            _lock_file(handle)
        except OSError:
            handle.close()
            raise StorageError(
                "database_in_use",
                N_("Another feetui is already using this database ({path}). Close it first."),
                path=str(self.path.with_suffix("")),
            ) from None
        self._handle = handle

    def release(self) -> None:
        """Let the lock go (idempotent)."""
        if self._handle is not None:
            _unlock_file(self._handle)
            self._handle.close()
            self._handle = None

    def __enter__(self) -> InstanceLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def _lock_file(handle: IO[bytes]) -> None:
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows builds only
        import msvcrt

        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
    else:
        import fcntl

        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)


def _unlock_file(handle: IO[bytes]) -> None:
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows builds only
        import msvcrt

        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
    else:
        import fcntl

        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def instance_lock(path: str | Path) -> InstanceLock:
    """An unacquired :class:`InstanceLock` for the database at ``path`` (use ``with``)."""
    return InstanceLock(path)


@dataclass(frozen=True, slots=True)
class Database:
    """An open store: its file, this counter's device id, and the Tortoise context serving it."""

    path: Path
    device_id: str
    context: TortoiseContext
    lock: InstanceLock | None


async def open_db(
    path: str | Path,
    *,
    create: bool = True,
    clock: Clock | None = None,
    ids: IdSource | None = None,
    device_name: str = "counter-1",
    lock: bool = True,
    extra_pragmas: dict[str, Any] | None = None,
    process_wide: bool = False,
) -> Database:
    """Open (or create) the counter database at ``path`` and make it the current Tortoise context.

    Tortoise keeps its state per asyncio context: call it in the task that later runs the work
    and pair it with :func:`close_db` in ``finally``. With ``process_wide`` the context is also
    Tortoise's global fallback once every check has passed, so tasks started *before* the open
    (the app's widgets) reach it too; only one database can be open that way at a time.

    Args:
        path: the SQLite file.
        create: make the file (and its folder) when missing; ``False`` refuses a missing file.
        clock: clock for the device row made with a new database (the system clock by default).
        ids: id source for that device row and its receipt series (``IdSource(clock)`` by
            default; the demo passes a seeded one so that the same seed builds the same file).
        device_name: name of the device row made with a new database.
        lock: take the instance lock (tests of the lock itself turn this off).
        extra_pragmas: more PRAGMAs (tests limit ``max_page_count`` or break ``synchronous``).
        process_wide: make the open database Tortoise's global fallback context (the app).

    Returns:
        The open :class:`Database`.

    Raises:
        StorageError: ``database_in_use``, ``database_missing``, ``database_unsafe`` (a durability
            setting did not take effect), ``storage_full`` or ``storage_error``.
    """
    path = Path(path)
    if not create and not path.is_file():
        raise StorageError(
            "database_missing", N_("There is no database at {path}."), path=str(path)
        )
    instance = InstanceLock(path) if lock else None
    if instance is not None:
        instance.acquire()
    context = TortoiseContext()
    context.__enter__()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        config = tortoise_config(str(path), **(extra_pragmas or {}))
        with storage_errors():
            await context.init(config=config)
            await _check_pragmas(context)
            await _migrate(context, config)
            clock = clock or SystemClock()
            ids = ids or IdSource(clock)
            device_id = await ensure_device(clock=clock, ids=ids, name=device_name)
        if process_wide:
            # Last, so nothing outside this task can query before the checks above held.
            set_global_context(context)
    except BaseException:
        await _shut(context, instance)
        raise
    log.info("opened database %s as device %s", path, device_id)
    return Database(path=path, device_id=device_id, context=context, lock=instance)


async def close_db(db: Database) -> None:
    """Close the database's connection, leave its Tortoise context and release the lock."""
    await _shut(db.context, db.lock)


async def _shut(context: TortoiseContext, instance: InstanceLock | None) -> None:
    try:
        await context.close_connections()
    finally:
        # Closed from another asyncio context (a fixture's teardown), the token cannot be reset
        # there, and the context that set it is already gone.
        with contextlib.suppress(ValueError):
            context.__exit__(None, None, None)
        if instance is not None:
            instance.release()


async def _check_pragmas(context: TortoiseContext) -> None:
    """Read back the durability PRAGMAs and refuse to run when one did not hold (R2)."""
    connection = context.db()
    for name, expected in _REQUIRED:
        _, rows = await connection.execute_query(f"PRAGMA {name}")
        actual = rows[0][0] if rows else None
        if isinstance(actual, str):
            actual = actual.lower()
        if actual != expected:
            raise StorageError(
                "database_unsafe",
                N_(
                    "The database cannot be used safely: {setting} is {actual}, it must be "
                    "{expected}. Move the database to a local disk."
                ),
                setting=name,
                actual=str(actual),
                expected=str(expected),
            )


async def _migrate(context: TortoiseContext, config: dict[str, Any]) -> None:
    """Apply every migration not yet applied (a no-op on an up-to-date database)."""
    executor = MigrationExecutor(context.db(), {APP_LABEL: config["apps"][APP_LABEL]})
    await executor.migrate()


def raw_connection(path: str | Path) -> sqlite3.Connection:
    """A plain ``sqlite3`` connection with the production PRAGMAs, for checks and scripts.

    Tests use it to look at the file the way a second process would.
    """
    connection = sqlite3.connect(os.fspath(path), isolation_level=None)
    connection.execute("PRAGMA foreign_keys=ON")
    connection.execute("PRAGMA synchronous=FULL")
    connection.execute("PRAGMA busy_timeout=5000")
    return connection


__all__ = [
    "Database",
    "InstanceLock",
    "close_db",
    "instance_lock",
    "open_db",
    "raw_connection",
]
