"""Pages of the change log for a device: master data of its site and other devices' records."""

from __future__ import annotations

import json

from feetui.sync.protocol import Change, PullPage
from sync_server.db.connection import Database


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
            "SELECT seq, entity, op, data FROM change_log WHERE seq > ?"
            " AND (site_id IS NULL OR site_id = ?)"
            " AND (source_device IS NULL OR source_device <> ?)"
            f" ORDER BY seq LIMIT {int(limit) + 1}",
            cursor,
            site_id,
            device_id,
        )
    more = len(rows) > limit
    changes = tuple(
        Change(row["seq"], row["entity"], row["op"], json.loads(row["data"]))
        for row in rows[:limit]
    )
    next_cursor = changes[-1].seq if changes else cursor
    return PullPage(str(epoch), cursor, next_cursor, changes, more)


async def bump_epoch(db: Database) -> str:
    """Give the server a new epoch (after a restore from backup): counters re-snapshot."""
    from sync_server.db.migrate import new_epoch

    epoch = new_epoch()
    async with db.transaction() as tx:
        await tx.execute("UPDATE meta SET value = ? WHERE key = 'epoch'", epoch)
    return epoch


__all__ = ["bump_epoch", "pull_changes"]
