"""The change log counters pull from: every master-data upsert and every pushed journal record.

Entries are numbered by the database. On PostgreSQL two transactions could commit their numbers
out of order, and a counter reading between the two commits would skip the lower number forever;
so every writer takes one transaction-scoped advisory lock before numbering, which makes numbers
commit in order. SQLite has a single writer and needs nothing.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sync_server.db.connection import Table, Tx

CHANGE_LOG_LOCK = 847_002
CHANGE_LOG = Table(
    "change_log",
    tuple((name, "text") for name in
          ("site_id", "entity", "op", "entity_id", "data", "source_device", "created_at")),
)  # fmt: skip


IN_JOURNAL = ""
"""The ``data`` of a pushed record's change: the record is the ``journal`` row named by
``entity_id`` (written in the same transaction), so its text is not stored a second time; pull
reads it from the journal. Changes written before this carry the record's JSON text instead."""


async def lock_change_log(tx: Tx) -> None:
    """Serialise numbering of change-log entries until this transaction ends (PostgreSQL)."""
    if tx.dialect == "postgres":
        await tx.execute(f"SELECT pg_advisory_xact_lock({CHANGE_LOG_LOCK})")


def dumps(data: Any) -> str:
    """Compact JSON text, keeping Chinese readable in the database."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


async def append_changes(tx: Tx, rows: Sequence[tuple[Any, ...]]) -> None:
    """Append change-log rows ``(site_id, entity, op, entity_id, data_dict, source_device, at)``.

    Args:
        tx: the open transaction of the write the changes describe.
        rows: one tuple per change; ``site_id`` ``None`` means every site.
    """
    if not rows:
        return
    await lock_change_log(tx)
    # Data already serialised (a journal record's text) is stored as it is.
    prepared = [
        (s, e, o, i, d if isinstance(d, str) else dumps(d), src, at)
        for s, e, o, i, d, src, at in rows
    ]
    # No key but the serial seq, so nothing conflicts: every row goes in, numbered in order.
    await tx.insert_rows(CHANGE_LOG, prepared)


async def append_change(
    tx: Tx,
    *,
    site_id: str | None,
    entity: str,
    entity_id: str,
    data: dict[str, Any],
    at: str,
    op: str = "upsert",
) -> None:
    """Append one master-data change (see :func:`append_changes`)."""
    await append_changes(tx, [(site_id, entity, op, entity_id, data, None, at)])


__all__ = ["IN_JOURNAL", "append_change", "append_changes", "dumps", "lock_change_log"]
