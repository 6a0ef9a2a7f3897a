"""A thin async SQL layer over SQLite (aiosqlite) and PostgreSQL (asyncpg).

Statements are written once with ``?`` placeholders; the PostgreSQL side rewrites them to
``$1..$n``. Raw SQL rather than the ORM because the push path is a multi-row
``INSERT ... ON CONFLICT DO NOTHING RETURNING`` (2–3× faster than the ORM, STACK-NOTES) and the same
statements must run on both databases. Rows are mappings (``row["col"]``) on both.

SQLite: one connection per process, transactions serialised by a lock and opened with
``BEGIN IMMEDIATE`` (several processes on one file wait on ``busy_timeout``). PostgreSQL: a pool;
each transaction runs on its own connection, so several server processes can share the database.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

Row = Mapping[str, Any]
# Rows per multi-row VALUES statement on SQLite: keeps parameters under its limit (32,766).
SQLITE_CHUNK = 500
# How long an SQLite statement waits for another process's write lock before failing.
SQLITE_BUSY_MS = 10_000


@dataclass(frozen=True, slots=True)
class Table:
    """A table and the columns a bulk insert fills, each with its SQL type (``text``/``bigint``).

    The types are what PostgreSQL needs to bind one array per column (see :meth:`Tx.insert_rows`).
    """

    name: str
    columns: tuple[tuple[str, str], ...]

    @property
    def column_list(self) -> str:
        """``name (a, b, c)`` as an INSERT names it."""
        return f"{self.name} ({', '.join(name for name, _type in self.columns)})"


class Tx(Protocol):
    """A transaction (or a single-statement session) on either database."""

    dialect: str

    async def execute(self, sql: str, *args: Any) -> None:
        """Run a statement."""
        ...

    async def fetch(self, sql: str, *args: Any) -> list[Row]:
        """Run a query and return every row."""
        ...

    async def fetchrow(self, sql: str, *args: Any) -> Row | None:
        """The first row of a query, or ``None``."""
        ...

    async def fetchval(self, sql: str, *args: Any) -> Any:
        """The first column of the first row, or ``None``."""
        ...

    async def insert_rows(
        self, table: Table, rows: Sequence[Sequence[Any]], *, returning: str | None = None
    ) -> list[Any]:
        """Insert ``rows`` (tuples in ``table``'s column order) with ``ON CONFLICT DO NOTHING``.

        One atomic statement per chunk: rows whose key is already held are skipped, never read
        first. Returns the ``returning`` column of the rows actually inserted (``[]`` without it).
        """
        ...


class Database(Protocol):
    """A connected database: open transactions, close at the end."""

    dialect: str
    url: str

    def transaction(self) -> Any:
        """``async with db.transaction() as tx``: commit on success, roll back on error."""
        ...

    def reading(self) -> Any:
        """``async with db.reading() as tx``: reads without a write transaction, each statement
        seeing what is committed (a token's lookup on every request: no BEGIN and COMMIT)."""
        ...

    async def close(self) -> None:
        """Release every connection."""
        ...


class UnsupportedDatabaseError(ValueError):
    """The ``--db`` URL names a database we do not support."""


def sqlite_path(url: str) -> str:
    """The file path of ``sqlite:///PATH`` (so an absolute path has four slashes, as in SQLAlchemy).

    Raises:
        UnsupportedDatabaseError: no path, or ``:memory:`` (not shareable between connections).
    """
    prefix = "sqlite:///"
    path = url[len(prefix) :] if url.startswith(prefix) else ""
    if not path or path == ":memory:":
        raise UnsupportedDatabaseError("sqlite needs a file: sqlite:///PATH")
    return path


async def connect(url: str) -> Database:
    """Open the database named by ``url``: ``sqlite:///PATH`` or ``postgres://...``.

    Raises:
        UnsupportedDatabaseError: any other scheme.
    """
    scheme = urlsplit(url).scheme
    if scheme == "sqlite":
        return await SqliteDatabase.open(url)
    if scheme in ("postgres", "postgresql"):
        return await PostgresDatabase.open(url)
    raise UnsupportedDatabaseError(
        f"unsupported database URL {url!r}: use sqlite:/// or postgres://"
    )


# --- SQLite -------------------------------------------------------------------------------------


class _SqliteTx:
    dialect = "sqlite"

    def __init__(self, conn: Any) -> None:
        self._conn = conn

    async def execute(self, sql: str, *args: Any) -> None:
        await self._conn.execute(sql, args)

    # One trip to the connection's thread per query (a cursor's execute, fetch and close would be
    # three, and each trip waits for the thread and the GIL).
    async def fetch(self, sql: str, *args: Any) -> list[Row]:
        return list(await self._conn.execute_fetchall(sql, args))

    async def fetchrow(self, sql: str, *args: Any) -> Row | None:
        rows = await self.fetch(sql, *args)
        return rows[0] if rows else None

    async def fetchval(self, sql: str, *args: Any) -> Any:
        row = await self.fetchrow(sql, *args)
        return None if row is None else row[0]

    async def insert_rows(
        self, table: Table, rows: Sequence[Sequence[Any]], *, returning: str | None = None
    ) -> list[Any]:
        # Multi-row VALUES: one statement (and one thread hop) per chunk, compiled once per size.
        # RETURNING would make SQLite hand back every row (about twice the insert's cost), so the
        # rows that went in are told apart by rowid: inside this write transaction nobody else
        # inserts, and a new row's rowid is one above the largest (until 2**63 - 1, far away).
        if not rows:
            return []
        before = None
        if returning is not None:
            before = await self.fetchval(f"SELECT coalesce(max(rowid), 0) FROM {table.name}")
            if before >= _ROWID_FAR:
                return await self._insert_returning(table, rows, returning)
        changes = self._conn.total_changes
        width = len(table.columns)
        for start in range(0, len(rows), SQLITE_CHUNK):
            chunk = rows[start : start + SQLITE_CHUNK]
            await self._conn.execute(
                f"INSERT INTO {table.column_list} VALUES {values_clause(len(chunk), width)}"
                " ON CONFLICT DO NOTHING",
                flatten(chunk),
            )
        if returning is None:
            return []
        if self._conn.total_changes - changes == len(rows):  # every row went in
            index = [name for name, _type in table.columns].index(returning)
            return [row[index] for row in rows]
        found = await self.fetch(
            f"SELECT {returning} FROM {table.name} WHERE rowid > ? ORDER BY rowid", before
        )
        return [row[0] for row in found]

    async def _insert_returning(
        self, table: Table, rows: Sequence[Sequence[Any]], returning: str
    ) -> list[Any]:
        out: list[Any] = []
        width = len(table.columns)
        for start in range(0, len(rows), SQLITE_CHUNK):
            chunk = rows[start : start + SQLITE_CHUNK]
            found = await self.fetch(
                f"INSERT INTO {table.column_list} VALUES {values_clause(len(chunk), width)}"
                f" ON CONFLICT DO NOTHING RETURNING {returning}",
                *flatten(chunk),
            )
            out.extend(row[0] for row in found)
        return out


# Past this rowid SQLite may pick new rowids at random: tell inserted rows apart by RETURNING.
_ROWID_FAR = 2**62


class SqliteDatabase:
    """One aiosqlite connection in WAL mode; transactions take turns."""

    dialect = "sqlite"

    def __init__(self, url: str, conn: Any) -> None:
        self.url = url
        self._conn = conn
        self._lock = asyncio.Lock()

    @classmethod
    async def open(cls, url: str) -> SqliteDatabase:
        """Connect with a busy timeout, WAL, synchronous=FULL and foreign keys.

        The busy timeout comes first, and the switch to WAL (a new file must be alone for it)
        is retried until the timeout runs out: a process starting while another writes the file
        waits its turn instead of failing at once. A connection that fails to set up is
        closed: its worker thread would keep the process alive after the error (a server that
        neither serves nor exits).
        """
        import sqlite3

        import aiosqlite

        path = sqlite_path(url)
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        conn = await aiosqlite.connect(path, isolation_level=None)
        try:
            conn.row_factory = sqlite3.Row
            await conn.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
            await _wal(conn)
            for pragma in ("synchronous=FULL", "foreign_keys=ON"):
                await conn.execute(f"PRAGMA {pragma}")
        except BaseException:
            await conn.close()
            raise
        return cls(url, conn)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[_SqliteTx]:
        """An immediate transaction: the write lock is taken at BEGIN, so no upgrade deadlocks."""
        async with self._lock:
            await self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield _SqliteTx(self._conn)
            except BaseException:
                await self._conn.execute("ROLLBACK")
                raise
            await self._conn.execute("COMMIT")

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[_SqliteTx]:
        """Statements in autocommit, in the connection's turn (a transaction under way on this
        connection is never read from the middle)."""
        async with self._lock:
            yield _SqliteTx(self._conn)

    async def close(self) -> None:
        """Close the connection."""
        await self._conn.close()


async def _wal(conn: Any) -> None:
    """``PRAGMA journal_mode=WAL``, waiting up to the busy timeout for other processes.

    Turning a file to WAL needs it alone, and SQLite answers "database is locked" at once there
    without calling its busy handler; so the attempt is repeated here, as the handler would.
    """
    import sqlite3

    loop = asyncio.get_running_loop()
    deadline = loop.time() + SQLITE_BUSY_MS / 1000
    while True:
        try:
            await conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            busy = error.sqlite_errorcode & 0xFF == sqlite3.SQLITE_BUSY
            if not busy or loop.time() >= deadline:
                raise
        await asyncio.sleep(0.02)


# --- PostgreSQL ---------------------------------------------------------------------------------

_PLACEHOLDER = re.compile(r"\?")


@lru_cache(maxsize=512)
def to_dollar_params(sql: str) -> str:
    """Rewrite ``?`` placeholders to ``$1..$n`` (our SQL has no ``?`` inside string literals).

    Cached: the push path runs the same statements again and again.
    """
    counter = iter(range(1, 1_000_000))
    return _PLACEHOLDER.sub(lambda _m: f"${next(counter)}", sql)


@lru_cache(maxsize=64)
def _unnest_insert(table: Table, returning: str | None) -> str:
    arrays = ", ".join(f"${i}::{kind}[]" for i, (_name, kind) in enumerate(table.columns, 1))
    sql = f"INSERT INTO {table.column_list} SELECT * FROM unnest({arrays}) ON CONFLICT DO NOTHING"
    return sql if returning is None else f"{sql} RETURNING {returning}"


class _PostgresTx:
    dialect = "postgres"

    def __init__(self, conn: Any) -> None:
        self._conn = conn

    async def execute(self, sql: str, *args: Any) -> None:
        await self._conn.execute(to_dollar_params(sql), *args)

    async def fetch(self, sql: str, *args: Any) -> list[Row]:
        return list(await self._conn.fetch(to_dollar_params(sql), *args))

    async def fetchrow(self, sql: str, *args: Any) -> Row | None:
        return await self._conn.fetchrow(to_dollar_params(sql), *args)

    async def fetchval(self, sql: str, *args: Any) -> Any:
        return await self._conn.fetchval(to_dollar_params(sql), *args)

    async def insert_rows(
        self, table: Table, rows: Sequence[Sequence[Any]], *, returning: str | None = None
    ) -> list[Any]:
        # One array per column through unnest(): a single prepared statement of a few parameters
        # whatever the row count, about twice as fast as a 500-row VALUES list (BENCHMARKS.md).
        if not rows:
            return []
        columns = [list(column) for column in zip(*rows, strict=True)]
        sql = _unnest_insert(table, returning)
        if returning is None:
            await self._conn.execute(sql, *columns)
            return []
        return [row[0] for row in await self._conn.fetch(sql, *columns)]


class PostgresDatabase:
    """An asyncpg pool; every transaction on its own connection."""

    dialect = "postgres"

    def __init__(self, url: str, pool: Any) -> None:
        self.url = url
        self._pool = pool

    @classmethod
    async def open(cls, url: str, *, max_size: int = 10) -> PostgresDatabase:
        """Create the pool (``postgres://`` and ``postgresql://`` both work)."""
        import asyncpg

        pool = await asyncpg.create_pool(url, min_size=1, max_size=max_size)
        return cls(url, pool)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[_PostgresTx]:
        """A read-committed transaction on a pooled connection."""
        async with self._pool.acquire() as conn, conn.transaction():
            yield _PostgresTx(conn)

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[_PostgresTx]:
        """A pooled connection in autocommit."""
        async with self._pool.acquire() as conn:
            yield _PostgresTx(conn)

    async def close(self) -> None:
        """Close the pool."""
        await self._pool.close()


async def fetch_all(db: Database, sql: str, *args: Any) -> list[Row]:
    """Run one query in its own short transaction."""
    async with db.transaction() as tx:
        return await tx.fetch(sql, *args)


def values_clause(rows: int, columns: int) -> str:
    """``(?,?,..),(?,?,..)`` for a multi-row insert of ``rows`` × ``columns`` parameters."""
    one = "(" + ",".join("?" * columns) + ")"
    return ",".join([one] * rows)


def flatten(rows: Sequence[Sequence[Any]]) -> list[Any]:
    """The parameters of a multi-row insert, row after row."""
    return [value for row in rows for value in row]


__all__ = [
    "Database",
    "PostgresDatabase",
    "Row",
    "SqliteDatabase",
    "Table",
    "Tx",
    "UnsupportedDatabaseError",
    "connect",
    "fetch_all",
    "flatten",
    "sqlite_path",
    "to_dollar_params",
    "values_clause",
]
