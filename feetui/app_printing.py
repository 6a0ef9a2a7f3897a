"""The counter app's print queue: documents print after the commit, in thread workers the app owns.

:class:`PrintQueue` is a part of :class:`feetui.app.FeeApp` kept in its own module: the app keeps
:attr:`FeeApp.print_queue` (what waits in the spool and why) for every status bar, says at
start-up what the last session left waiting, and F5 on any screen sends the queue again, oldest
first. A print worker belongs to the app, not to the screen that asked, so leaving that screen
does not stop it; the screen's ``report`` hears the printer's answer only while it is still up.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from feetui.core.errors import FeeError, StorageError
from feetui.i18n import N_, _, ngettext, tr_error

if TYPE_CHECKING:
    from feetui.config import Settings
    from feetui.printing.spool import SpoolState

log = logging.getLogger(__name__)


class PrintQueue:
    """The app's printing: mixed into ``FeeApp`` (a Textual ``App``), whose workers, thread
    hand-over and notifications it uses."""

    settings: Settings
    print_queue: SpoolState | None
    _last_print_outcome: str | None
    """The last print of this session: None before any, "" after a success, else its code."""
    _retrying: bool

    # Textual's App provides these.
    run_worker: Any
    call_from_thread: Any
    notify: Any
    refresh_bindings: Any
    screen_stack: Any

    def print_document(
        self,
        doc: object,
        *,
        document_id: str,
        kind: str,
        copy_count: int,
        report: Callable[[FeeError | None], None] | None = None,
    ) -> None:
        """Print ``doc`` in a thread worker owned by the app, so leaving the screen that asked
        does not stop it; ``report`` hears the printer's answer on the event loop."""
        from feetui.screens.documents import print_document

        job = partial(
            print_document,
            doc,  # type: ignore[arg-type]
            self.settings,
            document_id=document_id,
            kind=kind,
            copy_count=copy_count,
        )
        self.run_worker(partial(self._print_job, job, report), thread=True, group="print")

    def retry_printing(self, report: Callable[[FeeError | None], None] | None = None) -> bool:
        """Send every document waiting in the print queue again, oldest first, in a thread worker.

        Returns:
            False when a retry is already running (nothing new is started; the spool's send lock
            would keep a second one from printing anything twice anyway).
        """
        from feetui.screens.documents import retry_pending

        if self._retrying:
            return False
        self._retrying = True
        job = partial(retry_pending, self.settings)
        self.run_worker(partial(self._print_job, job, report, True), thread=True, group="print")
        return True

    def action_retry_printing(self) -> None:
        """F5, on any screen: print what waits in the queue, oldest first."""
        waiting = self.print_queue.waiting if self.print_queue else 0
        if self.retry_printing(report=self._queue_retried):
            self.notify(
                ngettext(
                    "Printing {count} waiting document ...",
                    "Printing {count} waiting documents ...",
                    waiting,
                ).format(count=waiting)
            )
        else:
            self.notify(_("The waiting documents are being printed already."))

    def _queue_retried(self, failure: FeeError | None) -> None:
        if failure is None:
            self.notify(_("Every waiting document is printed."))
        else:
            self.notify(
                _("Still not printed: {reason}").format(reason=tr_error(failure)),
                severity="error",
                timeout=10,
            )

    def _read_print_queue(self) -> None:
        """At start-up (thread): read the spool and say what the last session left waiting."""
        state = self._spool_state()
        self.call_from_thread(self._announce_print_queue, state)

    def _announce_print_queue(self, state: SpoolState) -> None:
        self.print_queue = state
        self.refresh_bindings()
        if state.waiting == 0:
            return
        from feetui.printing import PrintFailure

        waiting = ngettext(
            "{count} document from before is waiting to print.",
            "{count} documents from before are waiting to print.",
            state.waiting,
        ).format(count=state.waiting)
        if state.last_failure:
            reason = tr_error(PrintFailure(state.last_failure, state.device))
            waiting = f"{waiting} {reason}"
        self.notify(
            waiting + " " + _("F5 prints them (oldest first)."), severity="warning", timeout=15
        )

    def _spool_state(self) -> SpoolState:
        """What waits in the spool now (blocking: called from thread workers)."""
        from feetui.printing import PrintSpool, SpoolState

        try:
            spool = PrintSpool.beside_database(self.settings.resolved_db_path())
            return spool.state(self.settings.printer, self._last_print_outcome)
        except OSError as error:
            log.error("print spool unreadable: %s", error)
            return SpoolState(device=self.settings.printer)

    def _print_job(
        self,
        job: Callable[[], FeeError | None],
        report: Callable[[FeeError | None], None] | None,
        retry: bool = False,
    ) -> None:
        """Run a blocking print job (thread) and hand its answer to the event loop."""
        from feetui.printing import PrintFailure

        try:
            failure = job()
        except OSError as error:  # the spool folder cannot be written: say so, keep going
            log.error("print spool unavailable: %s", error)
            failure = StorageError(
                "print_spool_unavailable",
                N_("The print queue folder cannot be written: {reason}"),
                reason=str(error),
            )
        if failure is None:
            self._last_print_outcome = ""
        elif isinstance(failure, PrintFailure):
            self._last_print_outcome = failure.code
        state = self._spool_state()
        self.call_from_thread(self._print_reported, failure, report, state, retry)

    def _print_reported(
        self,
        failure: FeeError | None,
        report: Callable[[FeeError | None], None] | None,
        state: SpoolState,
        retry: bool,
    ) -> None:
        if retry:
            self._retrying = False
        self.print_queue = state
        self.refresh_bindings()
        # The screen that asked may be gone; a report bound to it (or a partial of one) is then
        # not called and a failure becomes a notification instead.
        target = report.func if isinstance(report, partial) else report
        owner = getattr(target, "__self__", None)
        if report is not None and (owner is self or owner in self.screen_stack):
            report(failure)
        elif failure is not None:
            self.notify(tr_error(failure), severity="error", timeout=10)


__all__ = ["PrintQueue"]
