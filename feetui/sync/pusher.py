"""Pushing this counter's outbox to headquarters, in journal order, in batches.

The rules (RELIABILITY R5-R7, DESIGN "Sync"):

* What is sent is what the journal holds: each entry's stored payload, previous hash and hash,
  never recomputed, so a hand-edited database reaches HQ as a chain break, not as clean data.
* An outbox row is marked acknowledged only up to the ``ack_seq`` headquarters answered, which it
  sends after its commit and never past a gap. A reply lost on the way means the batch is sent
  again and HQ answers ``exists``: nothing is counted twice.
* If HQ acknowledges less than this counter already marked (HQ restored from a backup), the rows
  past HQ's acknowledgement are un-marked and sent again: the counter never forgets money HQ lacks.
* A ``conflict`` answer (an id HQ holds with other content) stops pushing: the integrity alarm is
  recorded in ``sync_state`` and shown until a supervisor clears it.
* Money is never dead-lettered: a failure leaves the outbox as it was, for the next attempt.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from tortoise import connections
from tortoise.transactions import in_transaction

from feetui.clock import Clock
from feetui.sync.client import SyncClient
from feetui.sync.protocol import MAX_BATCH, MAX_BODY_BYTES, PushRequest, PushResponse, WireRecord

log = logging.getLogger(__name__)

MAX_REWINDS = 3
"""How often one round goes back to HQ's lower acknowledgement before waiting for the next."""
BODY_BUDGET = MAX_BODY_BYTES // 2
"""Bytes of records one push may carry: half the server's limit leaves room for the envelope."""

_WAITING_SQL = (
    "SELECT j.device_id, j.seq, j.record_id, j.kind, j.payload_json, j.prev_hash, j.hash"
    " FROM outbox o JOIN journal_entry j ON j.id = o.entry_id"
    " WHERE o.acked_at IS NULL AND j.device_id = ? ORDER BY j.seq LIMIT ?"
)
_LAST_ACKED_SQL = (
    "SELECT j.device_id, j.seq, j.record_id, j.kind, j.payload_json, j.prev_hash, j.hash"
    " FROM outbox o JOIN journal_entry j ON j.id = o.entry_id"
    " WHERE o.acked_at IS NOT NULL AND j.device_id = ? ORDER BY j.seq DESC LIMIT 1"
)
_ACK_SQL = (
    "UPDATE outbox SET acked_at = ? WHERE acked_at IS NULL AND entry_id IN"
    " (SELECT id FROM journal_entry WHERE device_id = ? AND seq <= ?)"
)
_UNACK_SQL = (
    "UPDATE outbox SET acked_at = NULL WHERE acked_at IS NOT NULL AND entry_id IN"
    " (SELECT id FROM journal_entry WHERE device_id = ? AND seq > ?)"
)
_COUNT_SQL = (
    "SELECT COUNT(*) FROM outbox o JOIN journal_entry j ON j.id = o.entry_id"
    " WHERE o.acked_at IS NULL AND j.device_id = ?"
)
_ACKED_TO_SQL = (
    "SELECT COALESCE(MAX(j.seq), 0) FROM outbox o JOIN journal_entry j ON j.id = o.entry_id"
    " WHERE o.acked_at IS NOT NULL AND j.device_id = ?"
)


@dataclass(frozen=True, slots=True)
class PushReport:
    """What one push round did.

    Attributes:
        sent: records sent (a resent record counts again).
        created: records HQ stored for the first time.
        existing: records HQ already held (a resend after a lost reply).
        acked_to: the highest sequence HQ acknowledged.
        waiting: outbox rows still not acknowledged.
        alarm: the integrity alarm when a conflict stopped pushing, else empty.
    """

    sent: int
    created: int
    existing: int
    acked_to: int
    waiting: int
    alarm: str = ""


async def count_waiting(device_id: str) -> int:
    """Outbox rows of ``device_id`` that headquarters has not acknowledged."""
    _, rows = await connections.get("default").execute_query(_COUNT_SQL, [device_id])
    return int(rows[0][0])


async def get_alarm() -> str:
    """The recorded integrity alarm (empty when there is none)."""
    _, rows = await connections.get("default").execute_query(
        "SELECT integrity_alarm FROM sync_state WHERE id = 1"
    )
    return str(rows[0][0]) if rows and rows[0][0] else ""


async def clear_alarm() -> str:
    """Forget the integrity alarm so pushing resumes; returns what it said.

    Only after a supervisor has looked into it: the next push shows whether it still holds.
    """
    alarm = await get_alarm()
    await connections.get("default").execute_query(
        "UPDATE sync_state SET integrity_alarm = '' WHERE id = 1"
    )
    if alarm:
        log.warning("integrity alarm cleared: %s", alarm)
    return alarm


async def load_waiting(device_id: str, limit: int = MAX_BATCH) -> list[WireRecord]:
    """The oldest unacknowledged journal entries, in order, as wire records (at most ``limit``,
    and no more than fit in :data:`BODY_BUDGET`)."""
    _, rows = await connections.get("default").execute_query(_WAITING_SQL, [device_id, limit])
    records: list[WireRecord] = []
    size = 0
    for device, seq, record_id, kind, payload_json, prev_hash, digest in rows:
        size += len(payload_json.encode("utf-8")) + 400
        if records and size > BODY_BUDGET:
            break
        records.append(_stored(device, seq, record_id, kind, payload_json, prev_hash, digest))
    return records


def _stored(
    device: str, seq: int, record_id: str, kind: str, payload_json: str, prev_hash: str,
    digest: str,
) -> WireRecord:  # fmt: skip
    """A journal entry as it travels: its payload parsed from the stored canonical text, which
    is not written again (the wire carries the parsed payload; HQ hashes its own canonical text
    of it, so an edited row still reaches HQ as a chain break)."""
    return WireRecord.stored(
        device_id=device, seq=seq, record_id=record_id, kind=kind, payload_json=payload_json,
        prev_hash=prev_hash, hash=digest,
    )  # fmt: skip


async def push_outbox(
    client: SyncClient,
    *,
    device_id: str,
    clock: Clock,
    batch_size: int = MAX_BATCH,
    max_batches: int | None = None,
    on_batch: Callable[[], Awaitable[None]] | None = None,
    stop: Callable[[], bool] | None = None,
) -> PushReport:
    """Send the outbox in batches until it is empty, HQ stops acknowledging, or a conflict.

    Args:
        client: the open client (carries the device token).
        device_id: this counter.
        clock: stamps ``acked_at`` and ``last_push_at``.
        batch_size: records per request (at most the protocol's ``MAX_BATCH``).
        max_batches: stop after this many requests (``None``: until done).
        on_batch: awaited after each batch HQ answered and the outbox was settled (the service
            shows a long backlog draining).
        stop: asked before each request; true ends the round there (the app is closing: it
            waits for one batch at most, and what is left waits in the outbox).

    Returns:
        What was sent and what is left.

    Raises:
        SyncError: HQ could not be reached or refused; the outbox is as it was before the
            failing request (batches acknowledged earlier in the round stay acknowledged).
    """
    tally = _Tally()
    alarm = await get_alarm()
    batches = rewinds = 0
    while not alarm and (max_batches is None or batches < max_batches):
        if stop is not None and stop():
            break
        records = await load_waiting(device_id, min(batch_size, MAX_BATCH))
        if not records:
            break
        answer = await client.push(PushRequest(device_id, tuple(records)))
        batches += 1
        tally.add(answer, len(records))
        alarm, rewound = await _settle(answer, device_id=device_id, now=clock.now())
        if on_batch is not None:
            await on_batch()
        if rewound and rewinds < MAX_REWINDS:
            # HQ lacks records we thought acknowledged (restored from a backup): they were
            # un-marked, so the next batch starts at HQ's acknowledgement.
            rewinds += 1
            continue
        if answer.ack_seq < records[-1].seq:
            break
    return PushReport(
        sent=tally.sent,
        created=tally.created,
        existing=tally.existing,
        acked_to=await _acked_to(device_id),
        waiting=await count_waiting(device_id),
        alarm=alarm,
    )


async def probe_ack(client: SyncClient, *, device_id: str, clock: Clock) -> bool:
    """Ask HQ how far it holds this counter's journal, by sending the newest acknowledged record
    again (HQ answers ``exists`` and its acknowledgement). Used after HQ changed its epoch.

    Returns:
        True when HQ lacked records and they were un-marked for sending again.
    """
    _, rows = await connections.get("default").execute_query(_LAST_ACKED_SQL, [device_id])
    if not rows:
        return False
    record = _stored(*rows[0])
    answer = await client.push(PushRequest(device_id, (record,)))
    _alarm, rewound = await _settle(answer, device_id=device_id, now=clock.now())
    return rewound


class _Tally:
    """Counts of one round."""

    def __init__(self) -> None:
        self.sent = self.created = self.existing = 0

    def add(self, answer: PushResponse, sent: int) -> None:
        self.sent += sent
        for result in answer.results:
            if result.status == "created":
                self.created += 1
            elif result.status == "exists":
                self.existing += 1


async def _settle(answer: PushResponse, *, device_id: str, now: datetime) -> tuple[str, bool]:
    """Record HQ's answer in one transaction: acknowledgements, a lost ack, or an alarm.

    Returns:
        The integrity alarm text when HQ answered a conflict (else empty), and whether rows
        acknowledged before were un-marked because HQ no longer holds them.
    """
    alarm = _alarm_text(answer)
    async with in_transaction() as conn:
        acked_before = await _acked_to(device_id, conn)
        rewound = answer.ack_seq < acked_before
        if rewound:
            log.warning(
                "HQ acknowledges seq %d but %d was acknowledged before: sending again",
                answer.ack_seq,
                acked_before,
            )
            await conn.execute_query(_UNACK_SQL, [device_id, answer.ack_seq])
        await conn.execute_query(_ACK_SQL, [now, device_id, answer.ack_seq])
        await conn.execute_query(
            "UPDATE sync_state SET last_push_at = ?, integrity_alarm = ? WHERE id = 1",
            [now, alarm],
        )
    if alarm:
        log.error("integrity alarm: %s", alarm)
    return alarm, rewound


def _alarm_text(answer: PushResponse) -> str:
    """``conflict seq=N record=ID field=F`` for HQ's first conflict (fits the 200-char column)."""
    conflicts = answer.conflicts
    if not conflicts:
        return ""
    first = conflicts[0]
    return f"conflict seq={first.seq} record={first.record_id} field={first.field or '?'}"[:200]


async def _acked_to(device_id: str, conn: object | None = None) -> int:
    connection = conn or connections.get("default")
    _, rows = await connection.execute_query(_ACKED_TO_SQL, [device_id])  # type: ignore[attr-defined]
    return int(rows[0][0])


__all__ = [
    "BODY_BUDGET",
    "PushReport",
    "clear_alarm",
    "count_waiting",
    "get_alarm",
    "load_waiting",
    "probe_ack",
    "push_outbox",
]
