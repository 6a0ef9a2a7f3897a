"""Plain INSERTs of posted rows, one statement per table, for the hot posting paths.

A payment writes six tables; through the ORM each ``create`` costs far more Python than the
SQLite work it asks for (STACK-NOTES: Tortoise p99 can be 3× raw). Posted rows are only ever
inserted and their columns are plain, so the payment path builds the rows as dicts named like the
columns and sends each table's rows in one ``executemany``. Dates and datetimes go through the
adapters Tortoise registers for sqlite3, so they are stored exactly as the ORM stores them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient


async def insert_rows(conn: BaseDBAsyncClient, table: str, rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` (dicts keyed by column name, all with the same keys) into ``table``.

    Args:
        conn: the transaction's connection.
        table: a table name from the models (never user input).
        rows: the rows; nothing is sent when empty.
    """
    if not rows:
        return
    columns = list(rows[0])
    sql = (
        f'INSERT INTO "{table}" ({", ".join(f"{c}" for c in columns)}) '
        f"VALUES ({', '.join('?' * len(columns))})"
    )
    values = [[row[c] for c in columns] for row in rows]
    if len(values) == 1:
        await conn.execute_insert(sql, values[0])
    else:
        await conn.execute_many(sql, values)


__all__ = ["insert_rows"]
