"""Apply the numbered migrations of :mod:`sync_server.db.schema`, once, under a lock."""

from __future__ import annotations

import secrets
from datetime import datetime

from sync_server.db.connection import Database
from sync_server.db.schema import DIALECT_WORDS, MIGRATIONS, statements

# Any constant works; it keeps two processes from migrating one PostgreSQL at the same time.
MIGRATION_LOCK = 847_001


async def migrate(db: Database, *, now: datetime) -> list[int]:
    """Bring the database up to the newest schema in one transaction.

    Args:
        db: the connected database.
        now: the time written beside each applied version.

    Returns:
        The versions applied now (empty when it was already current).
    """
    bigint = DIALECT_WORDS[db.dialect]["bigint"]
    async with db.transaction() as tx:
        if db.dialect == "postgres":
            await tx.execute(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
        await tx.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            f"version {bigint} PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
        )
        done = {row["version"] for row in await tx.fetch("SELECT version FROM schema_migrations")}
        applied = []
        for version, name, sqls in MIGRATIONS:
            if version in done:
                continue
            for sql in statements(sqls, db.dialect):
                await tx.execute(sql)
            await tx.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                version,
                name,
                now.isoformat(),
            )
            applied.append(version)
        if 1 in applied:
            await tx.execute("INSERT INTO meta (key, value) VALUES ('epoch', ?)", new_epoch())
    return applied


async def schema_version(db: Database) -> int:
    """The newest applied migration, 0 for an empty database."""
    async with db.transaction() as tx:
        if db.dialect == "postgres":
            exists = await tx.fetchval("SELECT to_regclass('schema_migrations') IS NOT NULL")
        else:
            exists = await tx.fetchval(
                "SELECT count(*) FROM sqlite_master WHERE name = 'schema_migrations'"
            )
        if not exists:
            return 0
        return int(await tx.fetchval("SELECT coalesce(max(version), 0) FROM schema_migrations"))


def latest_version() -> int:
    """The version a fully migrated database has."""
    return MIGRATIONS[-1][0]


def new_epoch() -> str:
    """A fresh random epoch (a restored headquarters gets a new one, so counters re-snapshot)."""
    return secrets.token_hex(8)


__all__ = ["latest_version", "migrate", "new_epoch", "schema_version"]
