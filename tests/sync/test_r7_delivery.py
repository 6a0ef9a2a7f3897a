"""R7: HQ acknowledges only what it committed; the counter never forgets what is not
acknowledged. Replies lost, cut or replayed late, and HQ killed mid-batch: the counter sends again,
HQ answers "exists", the backlog returns to 0 and nothing is stored twice."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from feetui.sync.client import SyncClient, SyncError
from feetui.sync.pusher import count_waiting, push_outbox
from tests.faults.hq_process import HqProcess
from tests.faults.proxy import FaultyProxy
from tests.sync.hq import free_port
from tests.sync.journal import append_entries


async def _proxy(hq_port: int, script: list[str], **kw) -> FaultyProxy:
    proxy = FaultyProxy(hq_port, random.Random(0), weights={"pass": 1}, script=script, **kw)
    await proxy.start()
    return proxy


@pytest.mark.parametrize("fault", ["lose", "truncate"])
async def test_a_lost_or_cut_reply_is_sent_again_and_answered_exists(
    db, hq, enrolled, ids, clock, fault
) -> None:
    await append_entries(db.device_id, ids, 30)
    proxy = await _proxy(hq.port, [fault])
    try:
        async with SyncClient(proxy.url, enrolled.token) as client:
            with pytest.raises(SyncError) as caught:
                await push_outbox(client, device_id=db.device_id, clock=clock)
            assert caught.value.transient
            assert await hq.scalar("SELECT count(*) FROM journal") == 30  # HQ had committed
            assert await count_waiting(db.device_id) == 30  # the counter does not know it
            again = await push_outbox(client, device_id=db.device_id, clock=clock)
    finally:
        await proxy.stop()
    assert (again.created, again.existing, again.waiting) == (0, 30, 0)
    assert await hq.scalar("SELECT count(*) FROM journal") == 30


async def test_a_request_dropped_before_hq_saw_it_is_sent_again(
    db, hq, enrolled, ids, clock
) -> None:
    await append_entries(db.device_id, ids, 5)
    proxy = await _proxy(hq.port, ["drop"])
    try:
        async with SyncClient(proxy.url, enrolled.token) as client:
            with pytest.raises(SyncError):
                await push_outbox(client, device_id=db.device_id, clock=clock)
            assert await hq.scalar("SELECT count(*) FROM journal") == 0
            again = await push_outbox(client, device_id=db.device_id, clock=clock)
    finally:
        await proxy.stop()
    assert (again.created, again.waiting) == (5, 0)


async def test_a_stale_copy_replayed_after_newer_batches_changes_nothing(
    db, hq, enrolled, ids, clock
) -> None:
    await append_entries(db.device_id, ids, 12)
    proxy = await _proxy(hq.port, ["duplicate"])
    try:
        async with SyncClient(proxy.url, enrolled.token) as client:
            await push_outbox(client, device_id=db.device_id, clock=clock, batch_size=4)
            before = await hq.rows("SELECT record_id, seq FROM journal ORDER BY seq")
            # The first batch's copy reaches HQ after the two newer batches.
            for task in list(proxy._tasks):
                await task
    finally:
        await proxy.stop()
    assert proxy.counts["replayed"] == 1
    assert await hq.rows("SELECT record_id, seq FROM journal ORDER BY seq") == before
    assert len(before) == 12 and await count_waiting(db.device_id) == 0
    assert await hq.scalar("SELECT ack_seq FROM devices WHERE id = ?", db.device_id) == 12


@pytest.fixture
async def hq_process(hq, tmp_path: Path) -> AsyncIterator[HqProcess]:
    """The live HQ's database served by a separate ``sync-server`` process instead (killable)."""
    await hq.stop()
    process = HqProcess(hq.db_url, free_port(), tmp_path / "hq.log")
    await process.start()
    try:
        yield process
    finally:
        process.kill()


async def test_hq_killed_while_a_batch_is_in_flight_restarts_and_nothing_is_doubled(
    db, hq, enrolled, ids, clock, hq_process
) -> None:
    await append_entries(db.device_id, ids, 40)
    pushes = []

    def kill_on_second_push(first_line: str) -> None:
        if first_line.startswith("POST /api/v1/push"):
            pushes.append(first_line)
            if len(pushes) == 2:
                hq_process.kill()  # SIGKILL right after HQ received the batch

    proxy = await _proxy(hq_process.port, [], on_request=kill_on_second_push)
    try:
        async with SyncClient(proxy.url, enrolled.token) as client:
            with pytest.raises(SyncError):
                await push_outbox(client, device_id=db.device_id, clock=clock, batch_size=10)
            assert await count_waiting(db.device_id) == 30  # the first batch was acknowledged
            with pytest.raises(SyncError):  # HQ is down: the outbox stays
                await push_outbox(client, device_id=db.device_id, clock=clock, batch_size=10)
            await hq_process.start()
            done = await push_outbox(client, device_id=db.device_id, clock=clock, batch_size=10)
    finally:
        await proxy.stop()
    assert done.waiting == 0 and done.acked_to == 40
    await hq.start()  # read HQ's database through the in-process app again
    stored = await hq.rows("SELECT seq FROM journal WHERE device_id = ? ORDER BY seq", db.device_id)
    assert [row["seq"] for row in stored] == list(range(1, 41))
    assert await hq.scalar("SELECT ack_seq FROM devices WHERE id = ?", db.device_id) == 40
