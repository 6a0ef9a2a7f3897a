"""Migrations end where the models are: a migrated database has exactly the schema Tortoise would
generate from the models (so a forgotten ``makemigrations`` fails here), plus the R11 triggers."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tortoise.context import TortoiseContext

from feetui.db.config import tortoise_config
from feetui.db.connection import raw_connection


def _shape(path: Path) -> dict[str, dict[str, list]]:
    """Columns, foreign keys and indexes of every table, as SQLite reports them."""
    connection = raw_connection(path)
    try:
        tables = [
            row[0]
            for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' "
                "AND name != 'tortoise_migrations' ORDER BY name"
            )
        ]
        return {table: _table_shape(connection, table) for table in tables}
    finally:
        connection.close()


def _table_shape(connection: sqlite3.Connection, table: str) -> dict[str, list]:
    columns = sorted(
        tuple(map(str, row[1:])) for row in connection.execute(f'PRAGMA table_info("{table}")')
    )
    keys = sorted(
        tuple(map(str, row[2:]))
        for row in connection.execute(f'PRAGMA foreign_key_list("{table}")')
    )
    indexes = []
    for row in connection.execute(f'PRAGMA index_list("{table}")'):
        cols = [str(c[2]) for c in connection.execute(f'PRAGMA index_info("{row[1]}")')]
        indexes.append((bool(row[2]), tuple(cols)))
    return {"columns": columns, "foreign_keys": keys, "indexes": sorted(indexes)}


async def test_migrated_schema_equals_the_models(db_template: Path, tmp_path: Path) -> None:
    generated = tmp_path / "generated.sqlite3"
    context = TortoiseContext()
    with context:
        await context.init(config=tortoise_config(str(generated)))
        await context.generate_schemas()
        await context.close_connections()
    migrated, expected = _shape(db_template), _shape(generated)
    assert sorted(migrated) == sorted(expected)
    for table in expected:
        assert migrated[table] == expected[table], table


def test_migrated_database_has_both_triggers_on_every_posted_table(db_template: Path) -> None:
    connection = raw_connection(db_template)
    try:
        names = {
            row[0]
            for row in connection.execute("SELECT name FROM sqlite_master WHERE type='trigger'")
        }
    finally:
        connection.close()
    names = {name for name in names if "_no_" in name}  # others: unit_balance_on_* (search)
    tables = {name.rsplit("_no_", 1)[0] for name in names}
    assert len(tables) == 16 + 2 + 5  # 0002 ledger, 0005 handover, 0006 arrears
    assert names == {f"{t}_no_{a}" for t in tables for a in ("update", "delete")}
