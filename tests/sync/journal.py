"""A hand-written journal for tests that need entries without the posting services: each entry
is chained with ``feetui.core.journal`` and gets its outbox row, as ``append_journal`` does."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tortoise import connections

from feetui.clock import IdSource
from feetui.core.journal import GENESIS_HASH, canonical_json, make_entry


async def append_entries(
    device_id: str, ids: IdSource, count: int, *, kind: str = "note", **payload: Any
) -> list[str]:
    """Append ``count`` chained entries (with outbox rows); returns their record ids."""
    conn = connections.get("default")
    _, rows = await conn.execute_query(
        "SELECT seq, hash FROM journal_entry WHERE device_id = ? ORDER BY seq DESC LIMIT 1",
        [device_id],
    )
    seq, prev = (rows[0][0], rows[0][1]) if rows else (0, GENESIS_HASH)
    made = []
    for _ in range(count):
        seq += 1
        record_id = ids.new_str()
        body = {
            "created_at": "2026-11-23T01:30:00+00:00",
            "business_date": "2026-11-23",
            "n": seq,
            **payload,
        }
        entry = make_entry(
            device_id=device_id,
            seq=seq,
            record_id=record_id,
            kind=kind,
            payload_json=canonical_json(body),
            prev_hash=prev,
        )
        entry_id = ids.new_str()
        await conn.execute_insert(
            "INSERT INTO journal_entry (id, device_id, seq, record_id, kind, payload_json,"
            " prev_hash, hash, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                entry_id,
                device_id,
                seq,
                record_id,
                kind,
                entry.payload_json,
                prev,
                entry.hash,
                datetime.now(UTC),
            ],
        )
        await conn.execute_insert("INSERT INTO outbox (entry_id) VALUES (?)", [entry_id])
        prev = entry.hash
        made.append(record_id)
    return made
