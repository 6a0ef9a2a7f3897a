"""Apply one device's pushed batch: store each record exactly once, in one transaction.

The rule (RELIABILITY R5–R7, R10): records go in with one multi-row
``INSERT ... ON CONFLICT DO NOTHING RETURNING record_id`` keyed by ``record_id`` and
``(device_id, seq)`` — never check-then-insert — so identical pushes, repeated or concurrent, store
nothing twice. What did not go in is compared with what is stored: the same content is ``exists``;
other content under the same id or sequence is a ``conflict`` naming the first differing field,
which raises the device's integrity alarm and changes no stored record. Then the device's
acknowledgement moves over every contiguous sequence held, checking the hash chain and the receipt
series on the way; breaks become exceptions naming the device. The answer is built inside the
transaction and returned only after the commit.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from feetui.core.journal import ChainEntry, verify_chain
from feetui.sync.protocol import (
    STATUS_CONFLICT,
    STATUS_CREATED,
    STATUS_EXISTS,
    PushRequest,
    PushResponse,
    RecordResult,
    WireRecord,
    first_difference,
)
from sync_server.clock import iso
from sync_server.db.connection import Database, Row, Table, Tx
from sync_server.errors import unauthorized
from sync_server.services import consolidate
from sync_server.services.changes import IN_JOURNAL, append_changes
from sync_server.services.exceptions import Exception_, record_exceptions, resolve_gaps
from sync_server.settings import Settings

JOURNAL = Table(
    "journal",
    (("record_id", "text"), ("device_id", "text"), ("seq", "bigint"), ("kind", "text"),
     ("payload", "text"), ("prev_hash", "text"), ("hash", "text"), ("site_id", "text"),
     ("received_at", "text"), ("hash_ok", "bigint")),
)  # fmt: skip
RECORD_COLUMNS = "record_id, device_id, seq, kind, payload, prev_hash, hash"
# How many held records past the acknowledgement are read per round while it moves on.
ADVANCE_PAGE = 2000


@dataclass(frozen=True, slots=True)
class DeviceHead:
    """Where a device's acknowledged, verified chain ends."""

    device_id: str
    site_id: str
    ack_seq: int
    ack_hash: str
    ack_created_at: str | None
    history_seq: int = 0
    """The last sequence an adopted counter wrote before HQ adopted it (0: never adopted)."""
    open_gap: bool = False
    """Whether a sequence gap of this device is still open (an earlier push found it)."""


async def apply_push(
    db: Database, request: PushRequest, *, settings: Settings, now: datetime
) -> PushResponse:
    """Store a batch and answer per record, all in one transaction.

    Args:
        db: the server database.
        request: a validated batch; its ``device_id`` is the authenticated device's.
        settings: thresholds for the late and clock-skew flags.
        now: the arrival time.

    Returns:
        Per-record outcomes and the device's acknowledged sequence, after the commit.

    Raises:
        ApiError: 401 when the device was revoked since its token was checked.
    """
    at = iso(now)
    async with db.transaction() as tx:
        head = await _lock_device(tx, request.device_id)
        # Each record's hash is compared with its content once, here; the chain check reuses it.
        hashes_ok = [r.hash_ok() for r in request.records]
        created_ids, prepared = await _insert_and_prepare(tx, request, hashes_ok, head, at)
        results, created = await _classify(tx, request.records, created_ids)
        checked = {r.record_id: ok for r, ok in zip(request.records, hashes_ok, strict=True)}
        problems = _conflict_exceptions(head, request.records, results)
        if problems:
            await _raise_alarm(tx, head.device_id, problems[0], at)
        # The rows made while the journal insert ran are the new records' rows when every
        # record was new (the common case); otherwise the new ones are projected again.
        problems += await consolidate.project(
            tx, created, head=head, now=now, settings=settings,
            prepared=prepared if len(created) == len(request.records) else None,
        )  # fmt: skip
        held = [
            (r, checked[r.record_id])
            for r, result in zip(request.records, results, strict=True)
            if result.status != STATUS_CONFLICT
        ]
        ack, chain_problems = await _advance(tx, head, held, now=now, settings=settings, at=at)
        await record_exceptions(tx, problems + chain_problems, at=at)
        # The record itself is the journal row just written: the change names it, pull reads it.
        await append_changes(
            tx,
            [
                (head.site_id, "journal", "upsert", r.record_id, IN_JOURNAL, r.device_id, at)
                for r in created
            ],
        )
    return PushResponse(request.device_id, ack, tuple(results))


async def _lock_device(tx: Tx, device_id: str) -> DeviceHead:
    """Read the device's head, holding its row until commit so its pushes apply one at a time.

    With it, in the same statement: where an adopted counter's history ends, and whether an
    earlier push left a sequence gap open (a push is a dozen statements: each saved counts)."""
    lock = " FOR UPDATE OF d" if tx.dialect == "postgres" else ""
    row = await tx.fetchrow(
        "SELECT d.id, d.site_id, d.ack_seq, d.ack_hash, d.ack_created_at, d.revoked_at,"
        " (SELECT a.history_seq FROM adopted_counters a WHERE a.device_id = d.id) AS history_seq,"
        " EXISTS (SELECT 1 FROM exceptions e WHERE e.site_id = d.site_id AND e.kind = 'seq_gap'"
        " AND e.device_id = d.id AND e.resolved_at IS NULL) AS open_gap"
        f" FROM devices d WHERE d.id = ?{lock}",
        device_id,
    )
    if row is None or row["revoked_at"] is not None:
        raise unauthorized("device_revoked", "this device is not enrolled or was revoked")
    return DeviceHead(
        row["id"], row["site_id"], row["ack_seq"], row["ack_hash"], row["ack_created_at"],
        int(row["history_seq"] or 0), bool(row["open_gap"]),
    )  # fmt: skip


async def _insert_and_prepare(
    tx: Tx, request: PushRequest, hashes_ok: list[bool], head: DeviceHead, at: str
) -> tuple[set[str], consolidate.Projection]:
    """The journal insert (:func:`_insert`) and, while the database works on it, the report rows
    of the whole batch (Python's work, which would otherwise wait for the insert's answer)."""
    inserting = asyncio.ensure_future(
        _insert(tx, request.records, hashes_ok, site_id=head.site_id, at=at)
    )
    try:
        await asyncio.sleep(0)  # the insert reaches the database before the rows are made
        prepared = consolidate.prepare(request.records, head.site_id)
    finally:
        created_ids = await inserting
    return created_ids, prepared


async def _insert(
    tx: Tx, records: tuple[WireRecord, ...], hashes_ok: list[bool], *, site_id: str, at: str
) -> set[str]:
    """Insert every record not held yet; returns the ids actually inserted."""
    rows = [
        (
            r.record_id,
            r.device_id,
            r.seq,
            r.kind,
            r.payload_json,
            r.prev_hash,
            r.hash,
            site_id,
            at,
            int(ok),
        )
        for r, ok in zip(records, hashes_ok, strict=True)
    ]
    return set(await tx.insert_rows(JOURNAL, rows, returning="record_id"))


async def _classify(
    tx: Tx, records: tuple[WireRecord, ...], created_ids: set[str]
) -> tuple[list[RecordResult], list[WireRecord]]:
    """Decide created / exists / conflict for each record, in batch order."""
    others = [r for r in records if r.record_id not in created_ids]
    by_id, by_seq = await _stored(tx, others)
    results: list[RecordResult] = []
    created: list[WireRecord] = []
    first_seen: set[str] = set()
    for record in records:
        # Only the first copy of an id in the batch went in; a second copy is compared with it.
        if record.record_id in created_ids and record.record_id not in first_seen:
            first_seen.add(record.record_id)
            created.append(record)
            results.append(RecordResult(record.record_id, record.seq, STATUS_CREATED))
            continue
        stored = by_id.get(record.record_id) or by_seq.get((record.device_id, record.seq))
        if stored is None:  # a duplicate of a record created earlier in this same batch
            stored = next(c for c in created if c.record_id == record.record_id)
        field = first_difference(stored, record)
        status = STATUS_EXISTS if field is None else STATUS_CONFLICT
        results.append(RecordResult(record.record_id, record.seq, status, field))
    return results, created


async def _stored(
    tx: Tx, records: list[WireRecord]
) -> tuple[dict[str, WireRecord], dict[tuple[str, int], WireRecord]]:
    """What the journal holds under the ids and the sequences of ``records``."""
    if not records:
        return {}, {}
    ids = sorted({r.record_id for r in records})
    rows = await tx.fetch(
        f"SELECT {RECORD_COLUMNS} FROM journal WHERE record_id IN ({','.join('?' * len(ids))})",
        *ids,
    )
    device_id = records[0].device_id
    seqs = sorted({r.seq for r in records})
    rows += await tx.fetch(
        f"SELECT {RECORD_COLUMNS} FROM journal WHERE device_id = ?"
        f" AND seq IN ({','.join('?' * len(seqs))})",
        device_id,
        *seqs,
    )
    stored = [_wire(row) for row in rows]
    return {r.record_id: r for r in stored}, {(r.device_id, r.seq): r for r in stored}


def _wire(row: Row) -> WireRecord:
    return WireRecord.stored(
        device_id=row["device_id"],
        seq=row["seq"],
        record_id=row["record_id"],
        kind=row["kind"],
        payload_json=row["payload"],
        prev_hash=row["prev_hash"],
        hash=row["hash"],
    )


def _conflict_exceptions(
    head: DeviceHead, records: tuple[WireRecord, ...], results: list[RecordResult]
) -> list[Exception_]:
    problems = []
    for record, result in zip(records, results, strict=True):
        if result.status != STATUS_CONFLICT:
            continue
        detail: dict[str, Any] = {"field": result.field, "seq": record.seq, "hash": record.hash}
        problems.append(
            Exception_(
                "conflict",
                f"conflict:{record.device_id}:{record.record_id}:{record.seq}:{record.hash}",
                head.site_id,
                head.device_id,
                record.seq,
                record.record_id,
                detail,
            )
        )
    return problems


async def _raise_alarm(tx: Tx, device_id: str, problem: Exception_, at: str) -> None:
    """Mark the device: an id came back with other content (its store was edited or is broken)."""
    alarm = f"{at} conflict at seq {problem.seq}: {problem.detail['field']}"
    await tx.execute("UPDATE devices SET alarm = ? WHERE id = ?", alarm, device_id)


async def _advance(
    tx: Tx, head: DeviceHead, held: list[tuple[WireRecord, bool]], *, now: datetime,
    settings: Settings, at: str,
) -> tuple[int, list[Exception_]]:  # fmt: skip
    """Move the acknowledgement over contiguous held sequences, verifying as it goes, and write
    the device's head (its acknowledgement and the time of this push) in one statement.

    ``held`` are this batch's records the journal now holds as sent (created, or the same
    content already stored), each with its hash check. The run that continues the
    acknowledgement from them is taken from memory, not read back; the journal is asked only
    what it holds beyond (records that came earlier, past a gap), which also finds a gap.
    """
    ack, ack_hash, created_at = head.ack_seq, head.ack_hash, head.ack_created_at
    in_memory = {r.seq: (r, ok) for r, ok in held}
    problems: list[Exception_] = []
    beyond: int | None = None
    while True:
        run_seqs = list(range(ack + 1, ack + 1 + _contiguous_held(in_memory, ack + 1)))
        if not run_seqs:
            # Only the numbers are read to find the run; then only records not in memory.
            seqs = [
                int(row["seq"])
                for row in await tx.fetch(
                    "SELECT seq FROM journal WHERE device_id = ? AND seq > ?"
                    f" ORDER BY seq LIMIT {ADVANCE_PAGE}",
                    head.device_id,
                    ack,
                )
            ]
            count = _contiguous_count(seqs, ack + 1)
            if count == 0:
                beyond = seqs[0] if seqs else None
                break
            run_seqs = seqs[:count]
        checked_run = await _records(tx, head.device_id, run_seqs, in_memory)
        run = [record for record, _ok in checked_run]
        problems += _verify(head, checked_run, ack + 1, ack_hash)
        problems += await consolidate.check_sequence(
            tx, head, run, previous_created_at=created_at, now=now, settings=settings
        )
        ack, ack_hash = run[-1].seq, run[-1].hash
        created_at = consolidate.created_at_of(run[-1]) or created_at
    await tx.execute(
        "UPDATE devices SET ack_seq = ?, ack_hash = ?, ack_created_at = ?, last_push_at = ?"
        " WHERE id = ?",
        ack,
        ack_hash,
        created_at,
        at,
        head.device_id,
    )
    if ack != head.ack_seq and head.open_gap:
        await resolve_gaps(tx, site_id=head.site_id, device_id=head.device_id, up_to_seq=ack, at=at)
    problems += _gap(head, ack, beyond)
    return ack, problems


def _contiguous_held(in_memory: dict[int, Any], first_seq: int) -> int:
    """How many numbers from ``first_seq`` on are held in memory without a hole."""
    count = 0
    while first_seq + count in in_memory:
        count += 1
    return count


def _contiguous_count(seqs: list[int], first_seq: int) -> int:
    """How many leading numbers run ``first_seq, first_seq + 1, ...`` without a hole."""
    count = 0
    for seq in seqs:
        if seq != first_seq + count:
            break
        count += 1
    return count


async def _records(
    tx: Tx, device_id: str, seqs: list[int], in_memory: dict[int, tuple[WireRecord, bool]]
) -> list[tuple[WireRecord, bool]]:
    """The records of ``seqs`` in order, each with its stored hash check: from this batch when
    there, else from the journal."""
    missing = [seq for seq in seqs if seq not in in_memory]
    found = dict(in_memory)
    for start in range(0, len(missing), 500):
        chunk = missing[start : start + 500]
        rows = await tx.fetch(
            f"SELECT {RECORD_COLUMNS}, hash_ok FROM journal WHERE device_id = ?"
            f" AND seq IN ({','.join('?' * len(chunk))})",
            device_id,
            *chunk,
        )
        found.update((int(row["seq"]), (_wire(row), bool(row["hash_ok"]))) for row in rows)
    return [found[seq] for seq in seqs]


def _verify(
    head: DeviceHead, checked_run: list[tuple[WireRecord, bool]], start_seq: int, start_hash: str
) -> list[Exception_]:
    """Every chain break in ``run``; after a break, checking goes on from the broken record.

    Each record's hash was compared with its content once, as it was stored (``hash_ok``): that
    result is used here rather than hashing the record again."""
    if _unbroken(checked_run, start_seq, start_hash):
        return []
    run = [record for record, _ok in checked_run]
    hashes_ok = [ok for _record, ok in checked_run]
    entries = [
        ChainEntry(
            device_id=r.device_id,
            seq=r.seq,
            record_id=r.record_id,
            kind=r.kind,
            payload_json=r.payload_json,
            prev_hash=r.prev_hash,
            hash=r.hash,
        )
        for r in run
    ]
    problems: list[Exception_] = []
    offset, seq, prev = 0, start_seq, start_hash
    while offset < len(entries):
        found = verify_chain(
            entries[offset:], start_seq=seq, start_prev_hash=prev, hashes_ok=hashes_ok[offset:]
        )
        if found is None:
            break
        index = found.seq - start_seq
        broken = run[index]
        problems.append(
            Exception_(
                "chain_break",
                f"chain_break:{head.device_id}:{found.seq}",
                head.site_id,
                head.device_id,
                found.seq,
                broken.record_id,
                {"reason": found.reason, "kind": broken.kind},
            )
        )
        offset, seq, prev = index + 1, found.seq + 1, broken.hash
    return problems


def _unbroken(checked_run: list[tuple[WireRecord, bool]], start_seq: int, start_hash: str) -> bool:
    """True when every link holds (numbers in order, each pointing at the one before, each hash
    matching its content): the common case, told in one loop. A run with a break is walked by
    ``core.journal.verify_chain``, which names each break."""
    seq, prev = start_seq, start_hash
    for record, hash_ok in checked_run:
        if not hash_ok or record.seq != seq or record.prev_hash != prev:
            return False
        seq, prev = seq + 1, record.hash
    return True


def _gap(head: DeviceHead, ack: int, beyond: int | None) -> list[Exception_]:
    """A ``seq_gap`` exception when records are held beyond a missing sequence (``beyond``: the
    lowest held past the acknowledgement)."""
    if beyond is None:
        return []
    return [
        Exception_(
            "seq_gap",
            f"seq_gap:{head.device_id}:{ack + 1}",
            head.site_id,
            head.device_id,
            ack + 1,
            None,
            {"missing_from": ack + 1, "missing_to": beyond - 1},
        )
    ]


__all__ = ["DeviceHead", "apply_push"]
