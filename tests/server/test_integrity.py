"""R10 and friends: an edited counter database shows up at HQ as exceptions naming the device."""

from __future__ import annotations

import json
from dataclasses import replace

from feetui.sync.protocol import make_record
from tests.server.helpers import Device, Hq


def _rechain(device: Device, records: list) -> list:
    """What a careful forger does: recompute every hash from the first record on."""
    out, prev = [], records[0].prev_hash
    for record in records:
        fixed = make_record(
            device_id=record.device_id, seq=record.seq, record_id=record.record_id,
            kind=record.kind, payload=record.payload, prev_hash=prev,
        )  # fmt: skip
        out.append(fixed)
        prev = fixed.hash
    return out


async def _breaks(hq: Hq, kind: str) -> list[tuple[str, int]]:
    return [(e["device_id"], e["seq"]) for e in await hq.exceptions(kind)]


async def test_an_edited_amount_is_a_chain_break_naming_the_device_and_is_still_stored(
    hq: Hq,
) -> None:
    device = await hq.enroll()
    records = [device.payment(100 * (i + 1)) for i in range(5)]
    edited = replace(records[2], payload=records[2].payload | {"total_fen": 1})
    answer = await hq.push(device, [*records[:2], edited, *records[3:]])
    assert answer["ack_seq"] == 5
    assert await _breaks(hq, "chain_break") == [(device.device_id, 3)]
    assert await hq.scalar("SELECT hash_ok FROM journal WHERE seq = 3") == 0


async def test_an_edited_amount_with_recomputed_hash_breaks_the_next_link(hq: Hq) -> None:
    device = await hq.enroll()
    records = [device.payment(100 * (i + 1)) for i in range(5)]
    edited = replace(records[2], payload=records[2].payload | {"total_fen": 1})
    resealed = _rechain(device, [edited])[0]
    await hq.push(device, [*records[:2], resealed, *records[3:]])
    assert await _breaks(hq, "chain_break") == [(device.device_id, 4)]


async def test_a_deleted_record_is_a_sequence_gap_naming_the_device(hq: Hq) -> None:
    device = await hq.enroll()
    records = [device.payment(100) for _ in range(5)]
    answer = await hq.push(device, [*records[:2], *records[3:]])
    assert answer["ack_seq"] == 2
    gaps = await hq.exceptions("seq_gap")
    assert [(g["device_id"], g["seq"], g["resolved_at"]) for g in gaps] == [
        (device.device_id, 3, None)
    ]


async def test_records_held_past_a_gap_are_chain_checked_from_the_journal_when_it_fills(
    hq: Hq,
) -> None:
    device = await hq.enroll()
    records = [device.payment(100 * (i + 1)) for i in range(8)]
    edited = replace(records[5], payload=records[5].payload | {"total_fen": 1})
    first = await hq.push(device, [*records[:2], records[4], edited, *records[6:]])
    assert first["ack_seq"] == 2
    gaps = await hq.exceptions("seq_gap")
    assert [(g["seq"], json.loads(g["detail"])) for g in gaps] == [
        (3, {"missing_from": 3, "missing_to": 4})
    ]
    # Seqs 5-8 are stored but not acknowledged, so not yet checked against the chain.
    assert await _breaks(hq, "chain_break") == []
    # The hole fills: the acknowledgement passes 5-8 as the journal holds them (seq 6 edited).
    final = await hq.push(device, records[2:4])
    assert final["ack_seq"] == 8
    assert await _breaks(hq, "chain_break") == [(device.device_id, 6)]
    assert all(g["resolved_at"] is not None for g in await hq.exceptions("seq_gap"))


async def test_a_deleted_record_with_renumbered_successors_is_a_chain_break(hq: Hq) -> None:
    device = await hq.enroll()
    records = [device.payment(100) for _ in range(5)]
    renumbered = [replace(r, seq=r.seq - 1) for r in records[3:]]
    await hq.push(device, [*records[:2], *renumbered])
    assert (device.device_id, 3) in await _breaks(hq, "chain_break")


async def test_two_swapped_records_are_a_chain_break(hq: Hq) -> None:
    device = await hq.enroll()
    records = [device.payment(100 * (i + 1)) for i in range(4)]
    second, third = records[1], records[2]
    swapped = [replace(third, seq=2), replace(second, seq=3)]
    await hq.push(device, [records[0], *swapped, records[3]])
    assert (device.device_id, 2) in await _breaks(hq, "chain_break")


async def test_a_renumbered_receipt_is_a_series_break_even_with_a_resealed_chain(hq: Hq) -> None:
    device = await hq.enroll()
    records = [device.payment(100) for _ in range(5)]
    forged = replace(records[2], payload=records[2].payload | {"receipt_number": 7})
    tail = _rechain(device, [forged, *records[3:]])
    await hq.push(device, [*records[:2], *tail])
    assert await hq.exceptions("chain_break") == []
    assert await _breaks(hq, "receipt_gap") == [(device.device_id, 3)]
    repeats = await _breaks(hq, "receipt_repeat")
    assert repeats == [(device.device_id, 4), (device.device_id, 5)]
