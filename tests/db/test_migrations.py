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


async def test_adding_fee_item_columns_upgrades_a_counter_that_has_fee_items(
    db_template: Path, tmp_path: Path
) -> None:
    """0008 on a database with rows: SQLite refuses a NOT NULL column without a database default
    on a table that has rows, so the columns must carry theirs (an empty table hides this)."""
    from feetui.db.connection import close_db, open_db

    path = tmp_path / "upgrade.sqlite3"
    _before_0008_with_a_fee_item(db_template, path)

    await close_db(await open_db(path))

    connection = raw_connection(path)
    try:
        row = connection.execute("SELECT due_day, scope FROM fee_item WHERE id = 'f1'").fetchone()
    finally:
        connection.close()
    assert tuple(row) == (28, "unit")


def _before_0008_with_a_fee_item(template: Path, path: Path) -> None:
    path.write_bytes(template.read_bytes())
    connection = raw_connection(path)
    with connection:
        # Back to the schema before 0008, with a fee item in it, as every counter in use has.
        connection.execute("ALTER TABLE fee_item DROP COLUMN due_day")
        connection.execute("ALTER TABLE fee_item DROP COLUMN scope")
        connection.execute("DELETE FROM tortoise_migrations WHERE name = '0008_fee_item_cycle'")
        connection.execute("INSERT INTO site (id, code, name) VALUES ('s1', 'S1', '绿景苑')")
        connection.execute(
            "INSERT INTO fee_item (id, code, name, kind, rate_fen, months_per_bill, unit_label,"
            " late_fee_daily_ppm, late_fee_grace_days, late_fee_cap_percent, active, site_id)"
            " VALUES ('f1', 'PM', '物业费', 'area', 250, 1, 'm2', 0, 0, 0, 1, 's1')"
        )
    connection.close()
