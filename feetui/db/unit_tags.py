"""A unit's tag changes from every counter of the site, and the tags they leave it with.

The tag changes are ``unit_tag_change`` rows (this counter's own and those projected from other
counters), each with its ``unit_tags`` journal record (same id), whose payload holds the order
fields of :func:`feetui.core.tags.change_order`. :func:`settle_unit_tags` gives the unit the
vocabulary tags of its latest change, so every counter shows the same tags once it holds the same
changes, in whatever order they arrived.
"""

from __future__ import annotations

import json
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from feetui.core.tags import latest_change, with_counter_tags
from feetui.db.models import Unit
from feetui.db.search_index import index_units

_CHANGES = (
    "SELECT j.payload_json FROM unit_tag_change c JOIN journal_entry j ON j.record_id = c.id"
    " WHERE c.unit_id = ?"
)


async def list_tag_changes(conn: BaseDBAsyncClient, unit_id: str) -> list[dict[str, Any]]:
    """The payloads of every tag change of ``unit_id`` this counter holds, in no order."""
    _, rows = await conn.execute_query(_CHANGES, [unit_id])
    return [json.loads(row[0]) for row in rows]


async def settle_unit_tags(conn: BaseDBAsyncClient, unit_id: str) -> bool:
    """Give the unit the vocabulary tags of its latest change (others stay); re-index it.

    Returns:
        True when the unit's tags changed.

    Raises:
        InputError: ``tags_too_long`` (the unit's own tags and the change's do not fit).
    """
    latest = latest_change(await list_tag_changes(conn, unit_id))
    if latest is None:
        return False
    unit = await Unit.get_or_none(id=unit_id).using_db(conn)
    if unit is None:
        return False
    after = with_counter_tags(unit.tags, str(latest.get("tags_after", "")))
    if after == unit.tags:
        return False
    await Unit.filter(id=unit_id).using_db(conn).update(tags=after)
    await index_units([unit_id])
    return True


__all__ = ["list_tag_changes", "settle_unit_tags"]
