"""A conflict answer stops pushing and raises the alarm; the service's status tells the truth."""

from __future__ import annotations

import random

import pytest

from feetui.db.connection import raw_connection
from feetui.db.models import SyncState
from feetui.sync.backoff import Backoff
from feetui.sync.client import SyncClient, SyncError
from feetui.sync.pusher import clear_alarm, count_waiting, get_alarm, push_outbox
from feetui.sync.service import SyncMode, SyncService, SyncStatus, SyncTarget, standalone_status
from tests.sync.hq import free_port
from tests.sync.journal import append_entries


def _edit_first_entry_by_hand(path) -> None:
    """What R6/R10 guard against: someone changes a pushed record in the SQLite file."""
    raw = raw_connection(path)
    try:
        raw.execute('DROP TRIGGER "journal_entry_no_update"')
        raw.execute(
            "UPDATE journal_entry SET payload_json = replace(payload_json, '\"n\":1', '\"n\":9')"
            " WHERE seq = 1"
        )
        raw.execute("UPDATE outbox SET acked_at = NULL")
    finally:
        raw.close()


async def test_conflict_answer_raises_the_alarm_and_stops_pushing(
    db, hq, enrolled, ids, clock
) -> None:
    await append_entries(db.device_id, ids, 3)
    async with SyncClient(enrolled.server, enrolled.token) as client:
        await push_outbox(client, device_id=db.device_id, clock=clock)
        _edit_first_entry_by_hand(db.path)
        report = await push_outbox(client, device_id=db.device_id, clock=clock)
        assert report.alarm.startswith("conflict seq=1 ") and "field=payload.n" in report.alarm
        assert await get_alarm() == report.alarm
        await append_entries(db.device_id, ids, 2)
        stopped = await push_outbox(client, device_id=db.device_id, clock=clock)
    assert stopped.sent == 0 and stopped.waiting == 2
    assert stopped.alarm == report.alarm
    assert await hq.scalar("SELECT count(*) FROM journal") == 3
    assert "payload.n" in await hq.scalar("SELECT alarm FROM devices WHERE id = ?", db.device_id)


async def test_clearing_the_alarm_resumes_pushing(db, hq, enrolled, ids, clock) -> None:
    await append_entries(db.device_id, ids, 1)
    await SyncState.filter(id=1).update(integrity_alarm="conflict seq=9 record=x field=payload")
    async with SyncClient(enrolled.server, enrolled.token) as client:
        assert (await push_outbox(client, device_id=db.device_id, clock=clock)).sent == 0
        assert (await clear_alarm()).startswith("conflict seq=9")
        resumed = await push_outbox(client, device_id=db.device_id, clock=clock)
    assert (resumed.sent, resumed.waiting, resumed.alarm) == (1, 0, "")


async def test_service_status_goes_online_then_offline_then_online(
    db, hq, enrolled, ids, clock
) -> None:
    seen: list[SyncMode] = []
    service = SyncService(enrolled, clock, on_status=lambda s: seen.append(s.mode))
    await append_entries(db.device_id, ids, 2)
    try:
        await service.sync_once()
        assert service.status.mode is SyncMode.ONLINE and service.status.waiting == 0
        assert service.status.last_success == clock.now()
        await hq.stop()
        await append_entries(db.device_id, ids, 1)
        clock.advance(minutes=5)
        with pytest.raises(SyncError):
            await service.sync_once()
        status = service.status
        assert status.mode is SyncMode.OFFLINE and status.waiting == 1
        assert status.error is not None and status.error.code == "server_unreachable"
        assert status.last_success == clock.now().replace(minute=30)
        await hq.start()
        await service.sync_once()
        assert service.status.mode is SyncMode.ONLINE and service.status.waiting == 0
    finally:
        await service.close()
    assert seen == [SyncMode.ONLINE, SyncMode.OFFLINE, SyncMode.ONLINE]


async def test_service_status_counts_a_long_backlog_down_batch_by_batch(
    db, hq, enrolled, ids, clock
) -> None:
    seen: list[tuple[SyncMode, int]] = []

    def follow(status: SyncStatus) -> None:
        assert status.last_success == clock.now()  # HQ answering a batch is reaching it
        seen.append((status.mode, status.waiting))

    service = SyncService(enrolled, clock, batch_size=2, on_status=follow)
    await append_entries(db.device_id, ids, 5)
    try:
        await service.sync_once()
    finally:
        await service.close()
    # The badge follows the queue as HQ takes each batch, then the round's own status.
    assert seen == [(SyncMode.ONLINE, n) for n in (3, 1, 0, 0)]
    assert await hq.scalar("SELECT count(*) FROM journal") == 5


async def test_service_status_says_alarm_while_the_alarm_stands(db, hq, enrolled, clock) -> None:
    await SyncState.filter(id=1).update(integrity_alarm="conflict seq=1 record=r field=payload")
    service = SyncService(enrolled, clock)
    try:
        await service.sync_once()
    finally:
        await service.close()
    assert service.status.mode is SyncMode.ALARM and service.status.alarm.startswith("conflict")


async def test_standalone_and_not_enrolled_counters_say_so(db, ids) -> None:
    await append_entries(db.device_id, ids, 2)
    alone = await standalone_status("", db.device_id)
    assert (alone.mode, alone.waiting) == (SyncMode.STANDALONE, 2)
    configured = await standalone_status("http://127.0.0.1:1", db.device_id)
    assert configured.mode is SyncMode.NOT_ENROLLED


async def test_backoff_grows_is_capped_jittered_and_resets() -> None:
    backoff = Backoff(base=1.0, cap=60.0, rng=random.Random(7))
    delays = [backoff.next_delay() for _ in range(12)]
    ceilings = [min(60.0, 2.0**n) for n in range(12)]
    assert all(c / 2 <= d <= c for d, c in zip(delays, ceilings, strict=True))
    assert max(delays) <= 60.0 and len(set(delays)) == len(delays)
    backoff.reset()
    assert backoff.next_delay() <= 1.0


async def test_push_to_a_closed_port_leaves_the_outbox_alone(db, ids, clock) -> None:
    await append_entries(db.device_id, ids, 3)
    target = SyncTarget(f"http://127.0.0.1:{free_port()}", "fdt_x", db.device_id)
    async with SyncClient(target.server, target.token) as client:
        with pytest.raises(SyncError) as caught:
            await push_outbox(client, device_id=db.device_id, clock=clock)
    assert caught.value.transient and await count_waiting(db.device_id) == 3


async def test_a_stopped_service_ends_its_run_after_the_round_under_way(
    db, hq, enrolled, ids, clock
) -> None:
    import asyncio

    online = asyncio.Event()

    def seen(status: SyncStatus) -> None:
        if status.mode is SyncMode.ONLINE:
            online.set()

    service = SyncService(enrolled, clock, interval=3600, on_status=seen)
    await append_entries(db.device_id, ids, 2)
    task = asyncio.create_task(service.run())
    async with asyncio.timeout(10):
        await online.wait()  # the first round is over; the loop now waits an hour
    service.stop()
    async with asyncio.timeout(10):
        await task  # returns by itself: no cancel
    assert await count_waiting(db.device_id) == 0
    # The store is free: its queries run at once.
    async with asyncio.timeout(5):
        assert not await get_alarm()


async def test_a_stop_during_a_long_backlog_waits_for_one_batch_not_the_whole_queue(
    db, hq, enrolled, ids, clock
) -> None:
    """The app closing while three days of records drain: the batch under way is answered and
    settled, nothing more is sent or pulled, and the rest waits for the next start."""
    import asyncio

    service = SyncService(enrolled, clock, batch_size=2, interval=3600)

    def stop_after_the_first_batch(status: SyncStatus) -> None:
        if status.waiting == 3:  # HQ took the first batch of two
            service.stop()

    service.on_status = stop_after_the_first_batch
    await append_entries(db.device_id, ids, 5)
    task = asyncio.create_task(service.run())
    async with asyncio.timeout(10):
        await task  # returns by itself after one batch
    assert await hq.scalar("SELECT count(*) FROM journal") == 2
    assert await count_waiting(db.device_id) == 3
    resumed = SyncService(enrolled, clock, batch_size=2)
    try:
        await resumed.sync_once()
    finally:
        await resumed.close()
    assert await hq.scalar("SELECT count(*) FROM journal") == 5
    assert await count_waiting(db.device_id) == 0
