"""The counter app's background sync: started once the store is open, stopped before it closes.

The sync runs as the app's own asyncio task, not as a Textual worker. Textual cancels its workers
when its message loop ends, and a cancel in the middle of a round does harm: landing while a
Tortoise transaction starts it leaves the SQLite connection's lock held (every later query of the
store waits forever), and landing while HQ's answer is on its way it leaves the counter thinking
records unsent that HQ has committed. So the app ends the task itself, after its screens are
gone and before the database closes: :meth:`BackgroundSync.stop` asks
:meth:`~feetui.sync.service.SyncService.stop` (the loop ends once the round under way is over)
and waits for the task. Every way out of the app goes through that close (docs/ARCHITECTURE.md,
"Shutting down").
"""

from __future__ import annotations

import asyncio
import importlib
import logging
from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING

from feetui.clock import Clock

if TYPE_CHECKING:
    from feetui.sync.client import SyncClient
    from feetui.sync.service import SyncService
    from feetui.sync.status import SyncStatus

log = logging.getLogger(__name__)

# Imported in a thread before the first round (aiohttp and the sync modules are not small), so
# the sign-in does not wait for them on the event loop.
AFTER_START_MODULES = ("feetui.services.auth", "feetui.services.counter", "feetui.sync.service")


class BackgroundSync:
    """The one sync task of a running app.

    Args:
        server: the configured server URL (``settings.server``; empty: the enrolment's).
        ca_file: the configured ``server_ca`` (the authority trusted for HTTPS; empty: the
            system's).
        clock: the clock the service stamps with.
        on_status: told every new status (the app shows it on every sync badge).
        on_started: awaited once the service exists, before its first round (the app resumes
            unsettled scanned payments, which use the service's client).
    """

    def __init__(
        self,
        *,
        server: str,
        clock: Clock,
        on_status: Callable[[SyncStatus], None],
        on_started: Callable[[], Awaitable[None]],
        ca_file: str = "",
    ) -> None:
        self.server = server
        self.ca_file = ca_file
        self.clock = clock
        self.on_status = on_status
        self.on_started = on_started
        self.service: SyncService | None = None
        """The sync service, once the counter is known to be enrolled."""
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    @property
    def client(self) -> SyncClient | None:
        """The service's HTTP client (scanned payments share it), or None if not enrolled."""
        return self.service.client if self.service is not None else None

    def start(self, device_id: str) -> None:
        """Start the task (once the store is open and its checks have passed)."""
        if self._task is None and not self._stopping:
            self._task = asyncio.create_task(self._run(device_id), name="feetui-sync")
            self._task.add_done_callback(_report_failure)

    def nudge(self) -> None:
        """Something was just posted: push it now rather than at the next round."""
        if self.service is not None:
            self.service.nudge()

    async def stop(self) -> None:
        """End the task gently and wait for it: the round under way finishes, nothing new
        starts, and the HTTP session is closed. Call before the store closes."""
        self._stopping = True
        if self.service is not None:
            self.service.stop()
        task = self._task
        if task is not None and not task.done():
            log.info("waiting for the sync round under way to end")
            # Shielded: a cancel of whoever waits here must not reach the round itself.
            await asyncio.shield(asyncio.wait({task}))
        if self.service is not None:
            await self.service.close()  # run() closes it too; this covers a task that failed

    async def _run(self, device_id: str) -> None:
        """Sync until stopped when enrolled; otherwise just say why this counter does not sync."""
        await asyncio.to_thread(_import_all, AFTER_START_MODULES)
        from feetui.sync.service import SyncService, find_target, standalone_status

        target = await find_target(self.server, self.ca_file)
        if target is None:
            self.on_status(await standalone_status(self.server, device_id))
            return
        self.service = SyncService(target, self.clock, on_status=self.on_status)
        if self._stopping:
            self.service.stop()
        else:
            await self.on_started()
        await self.service.run()


def _import_all(names: Iterable[str]) -> None:
    """Import ``names`` (run in a thread: the event loop keeps drawing and reading keys)."""
    for name in names:
        importlib.import_module(name)


def _report_failure(task: asyncio.Task[None]) -> None:
    """Log a sync task that ended on an unexpected error (the app keeps taking money)."""
    if not task.cancelled() and (error := task.exception()) is not None:
        log.error("the sync task ended on an unexpected error", exc_info=error)


__all__ = ["AFTER_START_MODULES", "BackgroundSync"]
