"""R12: the pull cursor never skips or applies twice; an HQ restore forces a clean re-snapshot."""

from __future__ import annotations

import asyncio
import signal
import sys
from pathlib import Path

from feetui.clock import IdSource
from feetui.db.connection import raw_connection
from feetui.db.models import Unit
from feetui.sync.client import SyncClient
from feetui.sync.puller import get_pull_state, pull_changes
from feetui.sync.pusher import count_waiting, push_outbox
from feetui.sync.service import SyncService
from tests.sync.counters import publish_community
from tests.sync.journal import append_entries

ROOT = Path(__file__).resolve().parents[2]


async def _units_by_seq(hq) -> dict[str, int]:
    rows = await hq.rows("SELECT seq, entity_id FROM change_log WHERE entity = 'unit'")
    return {row["entity_id"]: row["seq"] for row in rows}


def _local(db_path: Path) -> tuple[int, set[str]]:
    raw = raw_connection(db_path)
    try:
        [(cursor,)] = raw.execute("SELECT pull_cursor FROM sync_state").fetchall()
        units = {row[0] for row in raw.execute("SELECT id FROM unit").fetchall()}
    finally:
        raw.close()
    return cursor, units


async def _pull_until_killed(db_path: Path, kill_at_page: int) -> bool:
    """Run the pulling child; SIGKILL it as it starts applying page ``kill_at_page``.

    Returns:
        True when it was killed, False when it finished first.
    """
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.sync.pull_child",
        str(db_path),
        "400",
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
    )
    assert child.stdout is not None
    pages = 0
    async for line in child.stdout:
        if line.startswith(b"applying"):
            pages += 1
            if pages == kill_at_page:
                child.send_signal(signal.SIGKILL)
                await child.wait()
                return True
    assert await child.wait() == 0
    return False


async def test_a_counter_killed_mid_page_has_its_cursor_and_data_move_together(
    db, hq, enrolled, clock
) -> None:
    from feetui.db.connection import close_db

    await publish_community(hq, IdSource(clock), units=1200, charges_per_unit=0)
    seq_of = await _units_by_seq(hq)
    await close_db(db)  # the child process owns the counter now
    kills = 0
    for kill_at in (2, 1, 3, 1):
        kills += await _pull_until_killed(db.path, kill_at)
        cursor, units = _local(db.path)
        assert units == {u for u, seq in seq_of.items() if seq <= cursor}, (kill_at, cursor)
    assert kills >= 2
    while await _pull_until_killed(db.path, 10_000):
        pass
    cursor, units = _local(db.path)
    assert units == set(seq_of) and cursor == await hq.scalar("SELECT max(seq) FROM change_log")


async def test_a_new_epoch_replaces_master_data_and_keeps_unsent_records(
    db, hq, enrolled, ids, clock
) -> None:
    community = await publish_community(hq, IdSource(clock), units=3)
    async with SyncClient(enrolled.server, enrolled.token) as client:
        await pull_changes(client, device_id=db.device_id, clock=clock)
        await append_entries(db.device_id, ids, 4)  # taken offline, not yet sent
        gone = community.units[0]
        # HQ is restored from a backup that never had the first unit.
        await hq.rows("DELETE FROM change_log WHERE entity_id = ?", gone)
        old_epoch = (await get_pull_state()).epoch
        new_epoch = await hq.bump_epoch()
        report = await pull_changes(client, device_id=db.device_id, clock=clock)
    assert report.resnapshot and report.epoch == new_epoch != old_epoch
    assert (await get_pull_state()).cursor == await hq.scalar("SELECT max(seq) FROM change_log")
    assert not (await Unit.get(id=gone)).active
    assert all([(await Unit.get(id=u)).active for u in community.units[1:]])
    assert await count_waiting(db.device_id) == 4


async def test_hq_restored_without_records_it_had_acknowledged_gets_them_again(
    db, hq, enrolled, ids, clock
) -> None:
    await append_entries(db.device_id, ids, 6)
    async with SyncClient(enrolled.server, enrolled.token) as client:
        await push_outbox(client, device_id=db.device_id, clock=clock)
        await pull_changes(client, device_id=db.device_id, clock=clock)
    # The backup HQ was restored from ends after seq 3 of this device.
    await hq.rows("DELETE FROM journal WHERE device_id = ? AND seq > 3", db.device_id)
    head = await hq.rows("SELECT hash FROM journal WHERE device_id = ? AND seq = 3", db.device_id)
    await hq.rows(
        "UPDATE devices SET ack_seq = 3, ack_hash = ? WHERE id = ?", head[0]["hash"], db.device_id
    )
    await hq.bump_epoch()
    assert await count_waiting(db.device_id) == 0  # the counter believes all is sent
    service = SyncService(enrolled, clock)
    try:
        report = await service.sync_once()
    finally:
        await service.close()
    assert report.pull.resnapshot
    assert report.push.waiting == 0 and report.push.acked_to == 6
    seqs = await hq.rows("SELECT seq FROM journal WHERE device_id = ? ORDER BY seq", db.device_id)
    assert [row["seq"] for row in seqs] == [1, 2, 3, 4, 5, 6]
