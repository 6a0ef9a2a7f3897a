"""``Tx.insert_rows``: the atomic keyed bulk insert of the push path, on both databases."""

from __future__ import annotations

from sync_server.db.connection import Table, connect

ITEMS = Table("items", (("id", "text"), ("n", "bigint"), ("note", "text")))


async def _items(url: str) -> list[tuple]:
    db = await connect(url)
    try:
        async with db.transaction() as tx:
            return [tuple(r) for r in await tx.fetch("SELECT id, n, note FROM items ORDER BY id")]
    finally:
        await db.close()


async def test_insert_rows_answers_exactly_the_rows_that_went_in(db_url: str) -> None:
    db = await connect(db_url)
    try:
        async with db.transaction() as tx:
            await tx.execute("CREATE TABLE items (id TEXT PRIMARY KEY, n BIGINT, note TEXT)")
            first = [(f"k{i:04d}", i, None if i % 2 else "甲") for i in range(700)]
            assert sorted(await tx.insert_rows(ITEMS, first, returning="id")) == [
                r[0] for r in first
            ]
        async with db.transaction() as tx:
            # Held ids (with other content) are skipped and not answered; a repeat inside the
            # batch goes in once; more rows than one SQLite statement takes.
            again = [(f"k{i:04d}", -1, "changed") for i in range(650, 1300)] + [("k1299", 0, "x")]
            got = await tx.insert_rows(ITEMS, again, returning="id")
            assert sorted(got) == [f"k{i:04d}" for i in range(700, 1300)]
            assert await tx.insert_rows(ITEMS, first[:3], returning="id") == []
            assert await tx.insert_rows(ITEMS, [], returning="id") == []
            await tx.insert_rows(ITEMS, [("z", 5, None)])
    finally:
        await db.close()
    stored = await _items(db_url)
    assert len(stored) == 1301
    assert stored[:2] == [("k0000", 0, "甲"), ("k0001", 1, None)]
    assert stored[650] == ("k0650", 650, "甲")  # first content kept
    assert stored[1299] == ("k1299", -1, "changed") and stored[-1] == ("z", 5, None)
