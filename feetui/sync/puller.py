"""Pulling headquarters' change log: master data and the other counters' records of this site.

The rules (RELIABILITY R12):

* Each page is applied in ONE transaction together with the new cursor, so a counter killed
  mid-page has either the whole page and the cursor past it, or neither: the cursor never skips a
  change and never applies one twice. The transaction first checks the stored cursor is still the
  page's start, so two pullers racing cannot both apply a page.
* The change log has an epoch. When HQ answers with another epoch than the one stored (HQ was
  restored from a backup), the counter reads the whole new log and replaces its master data in
  ONE transaction (:func:`feetui.sync.master.retire_master_data`, then every change). Its own
  journal and outbox are never touched, and the pusher then checks what HQ still holds.
* A change that cannot be read is skipped with a warning and counted, never blocking the ones
  after it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from feetui.clock import Clock
from feetui.core.errors import N_
from feetui.db.search_index import index_units
from feetui.sync.client import SyncClient, SyncError
from feetui.sync.foreign import project_pending, store_foreign_record
from feetui.sync.master import (
    MASTER_ENTITIES,
    MasterDataError,
    apply_master_change,
    retire_master_data,
)
from feetui.sync.protocol import DEFAULT_PULL_LIMIT, Change, ProtocolError, PullPage

log = logging.getLogger(__name__)

SNAPSHOT_ATTEMPTS = 3
"""How often a re-snapshot starts over when HQ's epoch changes again while it is read."""


@dataclass(frozen=True, slots=True)
class PullReport:
    """What one pull round did.

    Attributes:
        pages: pages applied.
        changes: changes applied.
        skipped: changes that could not be read (logged).
        cursor: the cursor now stored.
        epoch: the epoch now stored.
        resnapshot: True when HQ's epoch changed and master data was replaced.
    """

    pages: int
    changes: int
    skipped: int
    cursor: int
    epoch: str
    resnapshot: bool = False


@dataclass(frozen=True, slots=True)
class PullState:
    """Where pulling stands: the cursor and the epoch it belongs to."""

    cursor: int
    epoch: str


async def get_pull_state(conn: BaseDBAsyncClient | None = None) -> PullState:
    """The stored cursor and epoch."""
    connection = conn or connections.get("default")
    _, rows = await connection.execute_query(
        "SELECT pull_cursor, epoch FROM sync_state WHERE id = 1"
    )
    return PullState(int(rows[0][0]), str(rows[0][1] or ""))


async def pull_changes(
    client: SyncClient,
    *,
    device_id: str,
    clock: Clock,
    limit: int = DEFAULT_PULL_LIMIT,
    max_pages: int | None = None,
    stop: Callable[[], bool] | None = None,
) -> PullReport:
    """Pull and apply pages until HQ has no more (or ``max_pages``, or ``stop``).

    Args:
        client: the open client.
        device_id: this counter (its own records are never applied as foreign ones).
        clock: stamps ``last_pull_at``.
        limit: changes per page.
        max_pages: stop after this many pages (``None``: until done).
        stop: asked before each page; true ends the pull there (the cursor moved with each
            page applied, so the next round goes on from it).

    Returns:
        What was applied.

    Raises:
        SyncError: HQ could not be reached or refused; pages applied before stay applied.
    """
    state = await get_pull_state()
    pages = changes = skipped = 0
    while max_pages is None or pages < max_pages:
        if stop is not None and stop():
            break
        page = await client.pull(state.cursor, limit)
        if state.epoch and page.epoch != state.epoch:
            return await resnapshot(client, device_id=device_id, clock=clock, limit=limit)
        applied = await apply_page(page, device_id=device_id, now=clock.now())
        pages += 1
        changes += applied[0]
        skipped += applied[1]
        state = PullState(page.next_cursor, page.epoch)
        if not page.more:
            break
    state = await get_pull_state()
    return PullReport(pages, changes, skipped, state.cursor, state.epoch)


async def apply_page(page: PullPage, *, device_id: str, now: datetime) -> tuple[int, int]:
    """Apply one page and move the cursor past it, in one transaction.

    Returns:
        ``(applied, skipped)`` counts; ``(0, 0)`` when the stored cursor had already moved.
    """
    async with in_transaction() as conn:
        stored = await get_pull_state(conn)
        if stored.cursor != page.cursor:
            log.warning("page from %d ignored: cursor is at %d", page.cursor, stored.cursor)
            return 0, 0
        applied, skipped = await _apply_changes(conn, page.changes, device_id, now)
        await _save_state(conn, page.next_cursor, page.epoch, now)
    return applied, skipped


async def resnapshot(
    client: SyncClient, *, device_id: str, clock: Clock, limit: int = DEFAULT_PULL_LIMIT
) -> PullReport:
    """Read HQ's whole change log of its new epoch and replace master data in one transaction.

    Raises:
        SyncError: ``epoch_unstable`` when the epoch kept changing while reading, or a
            transport error.
    """
    for _attempt in range(SNAPSHOT_ATTEMPTS):
        pages = await _read_whole_log(client, limit)
        if pages is None:
            continue
        epoch = pages[0].epoch
        log.warning("HQ epoch changed to %s: replacing master data", epoch)
        now = clock.now()
        async with in_transaction() as conn:
            await retire_master_data(conn)
            everything = tuple(change for page in pages for change in page.changes)
            applied, skipped = await _apply_changes(conn, everything, device_id, now)
            await index_units(await _all_unit_ids(conn))
            await _save_state(conn, pages[-1].next_cursor, epoch, now)
        return PullReport(len(pages), applied, skipped, pages[-1].next_cursor, epoch, True)
    raise SyncError(
        "epoch_unstable",
        N_("Headquarters kept changing its data while this counter read it; it will try again."),
    )


async def _read_whole_log(client: SyncClient, limit: int) -> list[PullPage] | None:
    """Every page from cursor 0, or ``None`` when the epoch changed on the way."""
    pages = [await client.pull(0, limit)]
    while pages[-1].more:
        page = await client.pull(pages[-1].next_cursor, limit)
        if page.epoch != pages[0].epoch:
            return None
        pages.append(page)
    return pages


async def _all_unit_ids(conn: BaseDBAsyncClient) -> list[str]:
    _, rows = await conn.execute_query("SELECT id FROM unit")
    return [row[0] for row in rows]


async def _apply_changes(
    conn: BaseDBAsyncClient, changes: tuple[Change, ...], device_id: str, now: datetime
) -> tuple[int, int]:
    """Apply changes in log order; re-index the units they touched. Returns (applied, skipped).

    Foreign records waiting for master data are tried again when the changes brought some.
    """
    touched: set[str] = set()
    applied = skipped = 0
    master = False
    for change in changes:
        try:
            if change.entity == "journal":
                await store_foreign_record(conn, change.data, own_device_id=device_id)
            else:
                touched |= await _apply_master(conn, change, now)
                master = True
        except (MasterDataError, ProtocolError) as error:
            skipped += 1
            log.warning(
                "change %d (%s) skipped: %s %s", change.seq, change.entity, error.code, error.params
            )
            continue
        except IntegrityError as error:
            # It points at a row this counter lacks (a unit of an unknown site ...): skipped
            # like an unreadable change, so one bad change never blocks every change after it.
            skipped += 1
            log.warning("change %d (%s) skipped: %s", change.seq, change.entity, error)
            continue
        applied += 1
    if touched:
        await index_units(sorted(touched))
    if master:
        await project_pending(conn, own_device_id=device_id)
    return applied, skipped


async def _apply_master(conn: BaseDBAsyncClient, change: Change, now: datetime) -> set[str]:
    if change.entity in MASTER_ENTITIES and change.op in ("upsert", "delete"):
        return await apply_master_change(conn, change.entity, change.op, change.data, now=now)
    raise MasterDataError(
        "master_data_unreadable",
        N_("Headquarters sent a {entity} this counter cannot read (field {field})."),
        entity=change.entity,
        field="entity",
    )


async def _save_state(conn: BaseDBAsyncClient, cursor: int, epoch: str, now: datetime) -> None:
    await conn.execute_query(
        "UPDATE sync_state SET pull_cursor = ?, epoch = ?, last_pull_at = ? WHERE id = 1",
        [cursor, epoch, now],
    )


__all__ = [
    "SNAPSHOT_ATTEMPTS",
    "PullReport",
    "PullState",
    "apply_page",
    "get_pull_state",
    "pull_changes",
    "resnapshot",
]
