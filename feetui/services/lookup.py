"""Finding a unit at the counter: the lookup screen's one search box.

Screens call :func:`find_units` with what the cashier typed and get :class:`UnitHit` values back;
they never see the database. Room code in any form, owner name (one character is enough), pinyin
initials, phone tail and car plate all go through the one box.
"""

from __future__ import annotations

from feetui.core.search import DEFAULT_LIMIT, MATCH_LABELS, TAG_LABELS, MatchKind, UnitHit
from feetui.db.guard import storage_errors
from feetui.db.queries.search import search_units


async def find_units(query: str, *, limit: int = DEFAULT_LIMIT) -> list[UnitHit]:
    """Units matching ``query``, best first, at most ``limit`` (a page of 200 by default).

    Args:
        query: what the cashier typed; empty text finds nothing, at once.
        limit: most results wanted.

    Returns:
        The hits, ranked: exact room code, code prefix, room, name, initials, phone, plate.

    Raises:
        StorageError: the database could not be read (``storage_error``).
    """
    if not query.strip():
        return []
    with storage_errors():
        return await search_units(query, limit=min(limit, DEFAULT_LIMIT))


__all__ = ["DEFAULT_LIMIT", "MATCH_LABELS", "TAG_LABELS", "MatchKind", "UnitHit", "find_units"]
