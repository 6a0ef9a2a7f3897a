"""Unit search: answer what the cashier typed from the search index, best matches first.

:func:`feetui.core.search.plan_search` turns the query into a few range scans of ``search_key``;
each scan is one indexed query joined to the unit's card and balance and cut off at the limit, so
a search reads at most ``limit`` rows per scan however large the community is. Scans run best kind
first and stop once the page is full; a unit found twice keeps its best match.
"""

from __future__ import annotations

from collections.abc import Sequence

from tortoise.connection import connections

from feetui.core.money import Money
from feetui.core.search import DEFAULT_LIMIT, KeyRange, UnitHit, plan_search

_SCAN_SQL = """
SELECT k.key, s.unit_id, s.code, s.owner_name, s.phone_masked, s.plates, s.tags,
       COALESCE(b.arrears_fen, 0), COALESCE(b.prepaid_fen, 0)
FROM search_key k
JOIN search_unit s ON s.unit_id = k.unit_id
LEFT JOIN unit_balance b ON b.unit_id = k.unit_id
WHERE k.key >= ? AND k.key < ?
ORDER BY k.key
LIMIT ?
"""

CONNECTION = "default"
"""Name of the store's connection in the Tortoise config (feetui/db/config.py)."""
PREPAID_TAG = "prepaid"
"""Tag of a unit holding prepaid balance."""


def _hit(row: Sequence, scan: KeyRange) -> UnitHit:
    key, unit_id, code, owner, phone, plates, tags, arrears_fen, prepaid_fen = row
    tag_list = tuple(tags.split()) + ((PREPAID_TAG,) if prepaid_fen > 0 else ())
    return UnitHit(
        unit_id=unit_id,
        code=code,
        owner_name=owner,
        phone_masked=phone,
        plates=tuple(plates.split()),
        arrears=Money(int(arrears_fen)),
        tags=tag_list,
        match=scan.kind_of(key),
    )


async def search_units(query: str, *, limit: int = DEFAULT_LIMIT) -> list[UnitHit]:
    """Units matching ``query`` by room code, name, pinyin initials, phone tail or plate.

    Args:
        query: what the cashier typed, in any form; empty or unusable text finds nothing.
        limit: most results to return (at most :data:`~feetui.core.search.DEFAULT_LIMIT` is
            what a list can show well).

    Returns:
        Up to ``limit`` hits, ranked by how they matched (exact code first, then code prefix,
        room, name, initials, phone, plate), then in key order.
    """
    scans = plan_search(query)
    if not scans or limit <= 0:
        return []
    found: dict[str, UnitHit] = {}
    # No transaction: a search only reads, and BEGIN/COMMIT would cost two more trips to the
    # database thread per keystroke. The caller's transaction is used when there is one.
    connection = connections.get(CONNECTION)
    for scan in scans:
        _, rows = await connection.execute_query(_SCAN_SQL, [scan.low, scan.high, limit])
        for row in rows:
            # Scans run best kind first, so a unit already found keeps its match: building a
            # hit is the costly part of a row, and is skipped for it.
            if row[1] not in found:
                found[row[1]] = _hit(row, scan)
        if len(found) >= limit:
            break
    # Stable: key order within a kind (a scan's exact match and its prefix matches interleave).
    ranked = sorted(found.values(), key=lambda h: h.match)
    return ranked[:limit]


__all__ = ["PREPAID_TAG", "search_units"]
