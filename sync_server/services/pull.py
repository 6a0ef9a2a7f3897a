"""Pages of the change log for a device: master data of its site and other devices' records."""

from __future__ import annotations

import json
from typing import Any

from feetui.sync.protocol import Change, PullPage
from sync_server.db.connection import Database, Row
from sync_server.services.changes import IN_JOURNAL


async def pull_changes(
    db: Database, *, device_id: str, site_id: str, cursor: int, limit: int
) -> PullPage:
    """The next ``limit`` changes after ``cursor`` that concern the device.

    Changes for every site (``site_id`` NULL) and for the device's site are included; the
    device's own journal records are not (it has them).
    """
    async with db.transaction() as tx:
        epoch = await tx.fetchval("SELECT value FROM meta WHERE key = 'epoch'")
        rows = await tx.fetch(
            "SELECT c.seq, c.entity, c.op, c.data, j.device_id AS j_device_id, j.seq AS j_seq,"
            " j.record_id AS j_record_id, j.kind AS j_kind, j.payload AS j_payload,"
            " j.prev_hash AS j_prev_hash, j.hash AS j_hash FROM change_log c"
            " LEFT JOIN journal j ON c.entity = 'journal' AND c.data = ?"
            " AND j.record_id = c.entity_id WHERE c.seq > ?"
            " AND (c.site_id IS NULL OR c.site_id = ?)"
            " AND (c.source_device IS NULL OR c.source_device <> ?)"
            f" ORDER BY c.seq LIMIT {int(limit) + 1}",
            IN_JOURNAL,
            cursor,
            site_id,
            device_id,
        )
    more = len(rows) > limit
    changes = tuple(
        Change(row["seq"], row["entity"], row["op"], _data(row)) for row in rows[:limit]
    )
    next_cursor = changes[-1].seq if changes else cursor
    return PullPage(str(epoch), cursor, next_cursor, changes, more)


def _data(row: Row) -> dict[str, Any]:
    """A change's data: its JSON text, or for a pushed record the journal row it names."""
    if row["entity"] != "journal" or row["data"] != IN_JOURNAL:
        return json.loads(row["data"])
    if row["j_record_id"] is None:
        raise RuntimeError(f"change {row['seq']} names a journal record that is not held")
    return {
        "device_id": row["j_device_id"],
        "seq": int(row["j_seq"]),
        "record_id": row["j_record_id"],
        "kind": row["j_kind"],
        "payload": json.loads(row["j_payload"]),
        "prev_hash": row["j_prev_hash"],
        "hash": row["j_hash"],
    }


async def bump_epoch(db: Database) -> str:
    """Give the server a new epoch (after a restore from backup): counters re-snapshot."""
    from sync_server.db.migrate import new_epoch

    epoch = new_epoch()
    async with db.transaction() as tx:
        await tx.execute("UPDATE meta SET value = ? WHERE key = 'epoch'", epoch)
    return epoch


__all__ = ["bump_epoch", "pull_changes"]
