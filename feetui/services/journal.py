"""The device journal: every posting use case appends one hash-chained entry and its outbox row.

:func:`append_journal` runs inside the caller's transaction, so a posted record, its journal entry
and its outbox row are committed together or not at all (R1). The payload is the whole record as
headquarters needs it (the hash covers only the payload): see docs/ARCHITECTURE.md, "Journal
record kinds".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient

from feetui.core.journal import GENESIS_HASH, ChainBreak, ChainEntry, canonical_json, make_entry

_LAST = "SELECT seq, hash FROM journal_entry WHERE device_id = ? ORDER BY seq DESC LIMIT 1"
_INSERT_ENTRY = (
    "INSERT INTO journal_entry (id, device_id, seq, record_id, kind, payload_json, prev_hash, "
    "hash, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_INSERT_OUTBOX = "INSERT INTO outbox (entry_id, acked_at) VALUES (?, NULL)"


@dataclass(frozen=True, slots=True)
class Appended:
    """The journal entry just written."""

    entry_id: str
    seq: int
    hash: str


async def append_journal(
    conn: BaseDBAsyncClient,
    *,
    entry_id: str,
    device_id: str,
    kind: str,
    record_id: str,
    payload: dict[str, Any],
    created_at: datetime,
) -> Appended:
    """Append one entry to this device's journal, and its outbox row, in ``conn``'s transaction.

    Args:
        conn: the transaction's connection (``in_transaction()`` gives it).
        entry_id: a fresh id for the entry.
        device_id: this counter.
        kind: the record kind (``payment``, ``void`` ...).
        record_id: the posted record's id (one entry per record: a unique column).
        payload: everything headquarters needs about the record (money as int fen).
        created_at: when it was posted (aware UTC).

    Returns:
        The entry's id, sequence number and hash.
    """
    _, rows = await conn.execute_query(_LAST, [device_id])
    seq, prev_hash = (rows[0][0] + 1, rows[0][1]) if rows else (1, GENESIS_HASH)
    payload_json = canonical_json(payload)
    entry = make_entry(
        device_id=device_id,
        seq=seq,
        record_id=record_id,
        kind=kind,
        payload_json=payload_json,
        prev_hash=prev_hash,
    )
    values = [entry_id, device_id, seq, record_id, kind, payload_json, prev_hash, entry.hash]
    await conn.execute_insert(_INSERT_ENTRY, [*values, created_at])
    await conn.execute_insert(_INSERT_OUTBOX, [entry_id])
    return Appended(entry_id=entry_id, seq=seq, hash=entry.hash)


async def load_chain(device_id: str, *, after_seq: int = 0) -> list[ChainEntry]:
    """This device's journal entries after ``after_seq``, in order, as core chain entries."""
    conn = connections.get("default")
    _, rows = await conn.execute_query(
        "SELECT device_id, seq, record_id, kind, payload_json, prev_hash, hash FROM journal_entry "
        "WHERE device_id = ? AND seq > ? ORDER BY seq",
        [device_id, after_seq],
    )
    return [ChainEntry(*tuple(row)) for row in rows]


async def verify_local_chain(device_id: str) -> ChainBreak | None:
    """Check this device's whole journal; ``None`` when intact, else the first broken link.

    Args:
        device_id: the device whose chain to check (this counter's).

    Returns:
        The first :class:`~feetui.core.journal.ChainBreak`, or ``None``.
    """
    from feetui.core.journal import verify_chain

    return verify_chain(await load_chain(device_id), device_id=device_id)


__all__ = ["Appended", "append_journal", "load_chain", "verify_local_chain"]
