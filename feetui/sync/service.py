"""The sync service: push then pull, again and again, and a status the sync badge shows.

The app starts :meth:`SyncService.run` as a background task when the counter is enrolled; a
standalone counter (no server configured, no token) has no task at all and says so
(:func:`standalone_status`). ``feetui sync --once`` calls :meth:`SyncService.sync_once`.

A round pushes the outbox, then pulls. After a success the next round starts after ``interval``
seconds, or at once when :meth:`SyncService.nudge` is called (a payment was just posted). After a
failure the wait grows with capped exponential backoff and jitter (:class:`Backoff`), forever:
money is never given up on. An integrity alarm stops pushing, not pulling.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from feetui.clock import Clock
from feetui.db.models import Device, SyncState
from feetui.sync.backoff import Backoff
from feetui.sync.client import SyncClient, SyncError, Timeouts
from feetui.sync.protocol import MAX_BATCH
from feetui.sync.puller import PullReport, pull_changes
from feetui.sync.pusher import PushReport, count_waiting, get_alarm, probe_ack, push_outbox
from feetui.sync.status import SyncMode, SyncStatus

log = logging.getLogger(__name__)

DEFAULT_INTERVAL = 15.0
"""Seconds between rounds while all is well."""


@dataclass(frozen=True, slots=True)
class SyncTarget:
    """Where and as whom to sync: the server URL and the device token."""

    server: str
    token: str
    device_id: str
    ca_file: str = ""
    """PEM file of the authorities trusted for HTTPS (``server_ca``); empty: the system's."""


@dataclass(frozen=True, slots=True)
class RoundReport:
    """What one round did (push, then pull)."""

    push: PushReport
    pull: PullReport


async def find_target(server_setting: str, ca_file: str = "") -> SyncTarget | None:
    """The server and token of this counter, or ``None`` when it is not enrolled.

    The configured server wins over the one stored at enrolment; ``ca_file`` is the configured
    ``server_ca``.
    """
    device = await Device.all().order_by("created_at").first()
    if device is None or not device.sync_token:
        return None
    server = server_setting or device.server_url
    return SyncTarget(server, device.sync_token, device.id, ca_file) if server else None


async def standalone_status(server_setting: str, device_id: str) -> SyncStatus:
    """The status of a counter that runs no sync task (standalone or not yet enrolled)."""
    device = await Device.get(id=device_id)
    configured = server_setting or device.server_url
    mode = SyncMode.NOT_ENROLLED if configured else SyncMode.STANDALONE
    return SyncStatus(mode=mode, waiting=await count_waiting(device_id))


@dataclass
class SyncService:
    """Pushes and pulls for one enrolled counter.

    Args:
        target: server, token and device.
        clock: stamps acknowledgements and the last success.
        interval: seconds between rounds while all is well.
        backoff: waits after failures.
        timeouts: HTTP timeouts.
        on_status: called with every new status (the app posts it to the badge); while a
            backlog of more than one batch drains, after each batch too.
        batch_size: records per push request.
    """

    target: SyncTarget
    clock: Clock
    interval: float = DEFAULT_INTERVAL
    backoff: Backoff = field(default_factory=Backoff)
    timeouts: Timeouts = field(default_factory=Timeouts)
    on_status: Callable[[SyncStatus], None] | None = None
    batch_size: int = MAX_BATCH
    status: SyncStatus = field(default_factory=lambda: SyncStatus(SyncMode.STARTING))
    _client: SyncClient | None = None
    _wake: asyncio.Event | None = None
    _batches: int = 0
    _stopping: bool = False

    @property
    def client(self) -> SyncClient:
        """The one client of this service (its session lives as long as the service)."""
        if self._client is None:
            self._client = SyncClient(
                self.target.server,
                self.target.token,
                timeouts=self.timeouts,
                ca_file=self.target.ca_file,
            )
        return self._client

    async def close(self) -> None:
        """Close the HTTP session."""
        if self._client is not None:
            await self._client.close()

    async def sync_once(self) -> RoundReport:
        """Push the outbox, then pull; update the status either way.

        Raises:
            SyncError: the round failed (the status says so too).
        """
        device_id = self.target.device_id
        try:
            pushed = await self._push()
            pulled = await pull_changes(
                self.client, device_id=device_id, clock=self.clock, stop=self._stopped
            )
            if (
                pulled.resnapshot
                and not self._stopping
                and await probe_ack(self.client, device_id=device_id, clock=self.clock)
            ):
                pushed = await self._push()
        except SyncError as error:
            await self._publish(error=error)
            raise
        await self._publish(success=True)
        return RoundReport(pushed, pulled)

    async def _push(self) -> PushReport:
        self._batches = 0
        return await push_outbox(
            self.client,
            device_id=self.target.device_id,
            clock=self.clock,
            batch_size=self.batch_size,
            on_batch=self._pushed_batch,
            stop=self._stopped,
        )

    def _stopped(self) -> bool:
        return self._stopping

    async def _pushed_batch(self) -> None:
        """HQ took a batch of a longer backlog: show the queue going down while it drains.

        A round that sends one batch publishes only its end; a long one shows every batch, the
        last one's empty queue included (the pull that follows may take a while).
        """
        self._batches += 1
        if self._batches > 1 or await count_waiting(self.target.device_id):
            await self._publish(progress=True)

    def nudge(self) -> None:
        """Start the next round now (something was just posted)."""
        if self._wake is not None:
            self._wake.set()

    def stop(self) -> None:
        """Let :meth:`run` return once the request under way is answered: a round in progress
        sends no further batch and pulls no further page (the rest waits for the next start).

        Gentler than cancelling its task: a cancel that lands while a store transaction is
        starting leaves Tortoise's SQLite connection lock held (its ``__aexit__`` never runs),
        and every later query of that store then waits forever.
        """
        self._stopping = True
        self.nudge()

    async def run(self) -> None:
        """Sync until cancelled or stopped: rounds with ``interval`` between them, backoff after
        failures."""
        self._wake = asyncio.Event()
        if self._stopping:
            self._wake.set()
        await self._publish()
        try:
            while not self._stopping:
                try:
                    await self.sync_once()
                    self.backoff.reset()
                    delay = self.interval
                except SyncError as error:
                    delay = self.backoff.next_delay()
                    log.info("sync failed (%s); next try in %.1f s", error.code, delay)
                await self._sleep(delay)
        finally:
            await self.close()

    async def _sleep(self, seconds: float) -> None:
        assert self._wake is not None
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout=seconds)
        self._wake.clear()

    async def _publish(
        self, *, success: bool = False, progress: bool = False, error: SyncError | None = None
    ) -> None:
        """Refresh the status from the store and tell the listener (``progress``: HQ answered a
        batch and the round goes on)."""
        alarm = await get_alarm()
        waiting = await count_waiting(self.target.device_id)
        # HQ answering a batch is reaching it, as much as a whole round is.
        last = self.clock.now() if success or progress else self.status.last_success
        if last is None:
            # After a restart the last success is the last pull that went through.
            last = (await SyncState.get(id=1)).last_pull_at
        mode = self._mode(alarm, success or progress, error)
        self.status = replace(
            self.status, mode=mode, waiting=waiting, last_success=last, alarm=alarm, error=error
        )
        if self.on_status is not None:
            self.on_status(self.status)

    def _mode(self, alarm: str, success: bool, error: SyncError | None) -> SyncMode:
        if alarm:
            return SyncMode.ALARM
        if error is not None:
            return SyncMode.OFFLINE
        if success:
            return SyncMode.ONLINE
        return self.status.mode


__all__ = [
    "DEFAULT_INTERVAL",
    "RoundReport",
    "SyncMode",
    "SyncService",
    "SyncStatus",
    "SyncTarget",
    "find_target",
    "standalone_status",
]
