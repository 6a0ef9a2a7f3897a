"""The counter app: :class:`FeeApp` and :func:`make_app`, the one factory of CLI, demo and tests.

The app owns the store's lifetime. The sign-in screen comes first; the database is opened in the
background once that first frame is up (Tortoise, the models and the migration check cost more
than Textual's own start) and made the process's Tortoise context, so every widget's task finds
it (docs/ARCHITECTURE.md, "Cold start"). Whatever queries awaits :meth:`FeeApp.wait_for_store`
first (or runs after the sign-in, which did); when the database cannot be used (R2, R17, R18) the
app exits with code 1 and ``run_async`` / ``run_test`` raise the refusal. Screens reach the use
cases through ``app.services``; they never see the database.

App-wide behaviours that live here because they ignore which widget has the focus:

* the scanner: digits typed since the last other key are remembered, and an Enter that ends a
  burst whose *content* is a WeChat/Alipay payment code becomes a :class:`PaymentCodeScanned`
  message for the current screen instead of a key (RELIABILITY R20);
* the idle lock: after ``settings.idle_lock_minutes`` without a key, the lock screen covers
  everything until the same cashier types their PIN;
* the print queue: documents print in thread workers owned by the app (after the commit), the
  app keeps :attr:`FeeApp.print_queue` (what waits in the spool and why) for every status bar,
  says at start-up what the last session left waiting, and F5 on any screen sends the queue
  again, oldest first (:mod:`feetui.app_printing`).

The sync with headquarters runs as the app's own task (:mod:`feetui.app_sync`), stopped and
awaited before the store closes.
"""

from __future__ import annotations

import asyncio
import dataclasses
import importlib
import logging
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.reactive import reactive
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Input

from feetui.app_printing import PrintQueue
from feetui.app_sync import BackgroundSync
from feetui.clock import Clock, IdSource, SystemClock
from feetui.config import Settings
from feetui.core.errors import FeeError
from feetui.i18n import N_, _, set_language
from feetui.messages import (
    HelpRequested,
    PaymentCodeScanned,
    ScanRejected,
    SignedIn,
    SignOutRequested,
    UnitChosen,
)
from feetui.widgets.bindings import TranslatedBindings
from feetui.widgets.scan_buffer import ScanBuffer

if TYPE_CHECKING:
    from feetui.db.connection import Database
    from feetui.printing.spool import SpoolState
    from feetui.services.auth import SignedInUser
    from feetui.services.container import Services
    from feetui.services.scan_payments import ScanProgress
    from feetui.sync.client import SyncClient
    from feetui.sync.service import SyncService
    from feetui.sync.status import SyncStatus

log = logging.getLogger(__name__)

# How often the idle lock looks at the last key press.
_IDLE_CHECK_SECONDS = 15.0
# Imported in a thread while the sign-in screen is up, so neither opening the database nor the
# cashier's first Enter waits for them on the event loop.
_STORE_MODULES = ("feetui.db.connection", "feetui.db.models", "feetui.services.container")
_NOT_A_CODE = N_(
    "This is not a WeChat or Alipay payment code: ask the payer to refresh the code and scan again"
)


def looks_like_payment_code(burst: str) -> bool:
    """True for digits only, 16 to 24 long, starting 10-15 or 25-30: a code the scanner garbled.

    Phone numbers (11 digits) and room codes never qualify, so they stay ordinary text.
    """
    from feetui.core.parse import normalise_digits

    digits = normalise_digits(burst)
    if not (16 <= len(digits) <= 24 and digits.isascii() and digits.isdigit()):
        return False
    return 10 <= int(digits[:2]) <= 15 or 25 <= int(digits[:2]) <= 30


QUIT_WAIT_SECONDS = 10.0
"""Longest Ctrl+Q waits for work under way (a payment posts in well under a second)."""
QUIT_SETTLE_SECONDS = 0.2
"""How long no work must be under way before Ctrl+Q exits."""
NOT_AWAITED_AT_QUIT = frozenset({"scan", "scan-cancel", "scan-follow"})
"""Worker groups Ctrl+Q does not wait for: a scanned payment's wait for the payer (up to a
minute; it resumes at the next start)."""


async def _finished(worker: Any) -> None:
    """Wait for ``worker`` to end, however it ends."""
    try:
        await worker.wait()
    except Exception:  # WorkerCancelled, WorkerFailed: it ended; its own handler reported it
        return


class FeeApp(TranslatedBindings, PrintQueue, App[int]):
    """The fee counter: sign in, find a unit, take the money, print the receipt.

    Args:
        settings: what the app was told from outside (database, printer, language ...).
        clock: the clock every service reads.
        ids: the id source every service uses (UUIDv7 from ``clock`` by default).
    """

    sync_status: reactive[SyncStatus | None] = reactive(None)
    """How the counter stands with headquarters; every sync badge shows it."""

    print_queue: reactive[SpoolState | None] = reactive(None)
    """What waits in the print spool and why; every print-queue badge shows it."""

    CSS_PATH = "app.tcss"
    TITLE = "feetui"
    BINDINGS = [
        Binding("f5", "retry_printing", N_("Print waiting"), id="app.retry_printing"),
        Binding("f1", "help", N_("Help"), id="app.help"),
        Binding("ctrl+p", "command_palette", N_("Commands"), id="app.commands", show=False),
        Binding("ctrl+q", "quit", N_("Quit"), id="app.quit", show=False, priority=True),
    ]

    def __init__(self, settings: Settings, *, clock: Clock, ids: IdSource) -> None:
        super().__init__()
        self.settings = settings
        self.clock = clock
        self.ids = ids
        self.database: Database | None = None
        self._services: Services | None = None
        self.user: SignedInUser | None = None
        self.scan_buffer = ScanBuffer()
        self.last_key_at: datetime = clock.now()
        self._quitting: asyncio.Task[None] | None = None
        self.background_sync = BackgroundSync(
            server=settings.server,
            ca_file=settings.server_ca,
            clock=clock,
            on_status=self._sync_reported,
            on_started=self._resume_scans,
        )
        """The sync task (started once the store is open, stopped before it closes)."""
        self.startup_error: FeeError | None = None
        """Why the database could not be opened (the app then exits with code 1)."""
        self._store_ready: asyncio.Future[Services] | None = None
        # The last print of this session: None before any, "" after a success, else its code.
        self._last_print_outcome: str | None = None
        self._retrying = False

    # ----------------------------------------------------------------- the store's lifetime

    @property
    def services(self) -> Services:
        """The use-case context over the open database.

        Raises:
            RuntimeError: the app is not running (the store is only open while it runs).
        """
        if self._services is None:
            raise RuntimeError("the store is not open: run the app through run_async or run_test")
        return self._services

    @property
    def store_open(self) -> bool:
        """True once the database is open and its checks have passed."""
        return self._services is not None

    async def wait_for_store(self) -> Services:
        """The services once the database is open; waits while it is being opened.

        Every path that queries goes through here (or runs after the sign-in, which did), so no
        query can reach a database whose durability checks have not passed.

        Raises:
            FeeError: the database could not be opened (the app is exiting with code 1).
            RuntimeError: the app is not running.
        """
        if self._store_ready is None:
            raise RuntimeError("the store is not open: run the app through run_async or run_test")
        return await asyncio.shield(self._store_ready)

    def _start_store(self) -> None:
        """Open the database in an app worker, once the first frame is on the screen.

        A refusal is handled inside; anything unexpected ends the app with its traceback, as it
        did when the database was opened before the app ran.
        """
        self.run_worker(self._open_store(), name="open-store", group="store")

    async def _open_store(self) -> None:
        """Import the store in a thread, open it on this loop, then build the services.

        The loop keeps serving keys meanwhile; a refusal (in use, not durable, storage error) is
        kept in :attr:`startup_error` and ends the app with code 1 before any cashier action.
        """
        ready = self._store_ready
        assert ready is not None
        try:
            await asyncio.to_thread(_import_all, _STORE_MODULES)
            from feetui.db.connection import open_db
            from feetui.services.container import Services

            self.database = await open_db(
                self.settings.resolved_db_path(),
                clock=self.clock,
                device_name=self.settings.device_name,
                process_wide=True,
            )
            services = Services.build(self.settings, self.database, clock=self.clock)
            self._services = dataclasses.replace(services, ids=self.ids)
        except FeeError as error:
            log.error("cannot open the database: %s", error.code)
            self.startup_error = error
            ready.set_exception(error)
            self.exit(return_code=1)
            return
        except asyncio.CancelledError:
            ready.cancel()
            raise
        except BaseException as error:
            ready.set_exception(error)
            raise
        ready.set_result(self._services)
        self.background_sync.start(self._services.device_id)
        self.run_worker(self._read_print_queue, thread=True, group="print-queue")

    async def _close_store(self) -> None:
        """Stop syncing, then close the database (after the app has stopped).

        The sync task is asked to stop and awaited first, so the round under way ends (its
        answer recorded, the store's lock let go) before the database closes.
        """
        try:
            await self.background_sync.stop()
        finally:
            self._services = None
            database, self.database = self.database, None
            if database is not None:
                from feetui.db.connection import close_db

                await close_db(database)

    async def run_async(self, **kwargs: Any) -> int | None:
        """Run the app until it exits, then close the store (CLI path).

        Raises:
            FeeError: the database could not be opened (``return_code`` is 1).
        """
        try:
            result = await super().run_async(**kwargs)
        finally:
            await self._close_store()
        if self.startup_error is not None:
            raise self.startup_error
        return result

    @asynccontextmanager
    async def run_test(self, **kwargs: Any) -> AsyncIterator[Any]:  # type: ignore[override]
        """Run the app headless under a Pilot; hand the Pilot over once the database is open.

        The database opens the way it does at the counter (after the first frame); tests then
        start from an open store, as a cashier who signs in does.

        Raises:
            FeeError: the database could not be opened.
        """
        try:
            async with super().run_test(**kwargs) as pilot:
                await self.wait_for_store()
                yield pilot
        finally:
            await self._close_store()

    # ----------------------------------------------------------------- headquarters

    @property
    def sync(self) -> SyncService | None:
        """The sync service while the counter is enrolled and the app runs, else None."""
        return self.background_sync.service

    def _sync_reported(self, status: SyncStatus) -> None:
        # The last round may end after the screens are gone (the app waits for it on close).
        if self.is_running:
            self.sync_status = status

    def nudge_sync(self) -> None:
        """Something was just posted: push it now rather than at the next round."""
        self.background_sync.nudge()

    # ----------------------------------------------------------------- scanned payments

    def scan_client(self) -> SyncClient | None:
        """The client scanned payments go through (the sync service's), or None if not enrolled."""
        return self.background_sync.client

    def scan_refusal(self) -> FeeError | None:
        """Why a scanned code cannot be charged through headquarters now, or None."""
        from feetui.services.scan_payments import scanned_tender_refusal

        if self.sync is None and self.sync_status is None:
            return scanned_tender_refusal(None)
        return scanned_tender_refusal(self.sync_status)

    async def _resume_scans(self) -> None:
        """Scans left unsettled by the last run (a crash, a lost connection) are followed again."""
        from feetui.services.scan_payments import list_open_scans

        for progress in await list_open_scans(self.services):
            log.info("resuming scan %s (%s)", progress.payment_id, progress.state)
            self.follow_scan_in_background(progress)

    def follow_scan_in_background(self, progress: ScanProgress) -> None:
        """Follow a scan until it settles, whatever screen is showing; say how it ended."""
        self.run_worker(self._follow_scan(progress), group="scan-follow", exit_on_error=False)

    async def _follow_scan(self, progress: ScanProgress) -> None:
        """Follow one scan to its end; a success posted here prints its receipt too."""
        from feetui.screens.scan_text import describe_scan
        from feetui.services.scan_payments import follow_scan

        client = self.scan_client()
        if client is None:
            return
        settled = await follow_scan(self.services, client, progress)
        if settled.posted:
            self.nudge_sync()
            await self._print_receipt(settled.payment_id)
        self.notify(describe_scan(settled), severity="information", timeout=15)

    async def _print_receipt(self, payment_id: str) -> None:
        """Print the original receipt of a payment posted away from the pay screen (after the
        commit, through the print queue, like every receipt)."""
        from feetui.screens.documents import receipt_doc
        from feetui.services.counter import load_receipt

        view = await load_receipt(self.services, payment_id)
        doc = receipt_doc(view, self.settings, self.services.tz)
        self.print_document(doc, document_id=payment_id, kind="receipt", copy_count=0)

    def on_mount(self) -> None:
        """Start at the sign-in screen; open the database (then sync) once it is drawn; watch for
        an idle counter."""
        from feetui.screens.sign_in import SignInScreen

        self._store_ready = asyncio.get_running_loop().create_future()
        self._store_ready.add_done_callback(_retrieved)
        self.push_screen(SignInScreen())
        self.call_after_refresh(self._start_store)
        if self.settings.idle_lock_minutes > 0:
            self.set_interval(_IDLE_CHECK_SECONDS, self.check_idle_lock)

    async def on_signed_in(self, message: SignedIn) -> None:
        """A cashier signed in: make sure a shift is open, then go to the lookup."""
        from feetui.screens.lookup import LookupScreen
        from feetui.screens.shift_open import ShiftOpenScreen
        from feetui.services.auth import get_user
        from feetui.services.counter import find_open_shift

        self.user = await get_user(self.services, user_id=message.user_id)
        self.last_key_at = self.clock.now()
        shift = await find_open_shift(self.services)
        await self._reset_to(ShiftOpenScreen() if shift is None else LookupScreen())

    async def on_sign_out_requested(self, _message: SignOutRequested) -> None:
        """Forget the cashier and go back to the sign-in screen."""
        from feetui.screens.sign_in import SignInScreen

        log.info("signed out")
        self.user = None
        await self._reset_to(SignInScreen())

    async def _reset_to(self, screen: Screen[Any]) -> None:
        """Drop every screen above the base and show ``screen`` alone."""
        while len(self.screen_stack) > 2:
            self.pop_screen()
        await self.switch_screen(screen)

    async def on_unit_chosen(self, message: UnitChosen) -> None:
        """Open the chosen unit's screen above the lookup."""
        from feetui.screens.unit import UnitScreen

        await self.push_screen(UnitScreen(message.unit_id))

    def back_to_lookup(self) -> None:
        """Close every screen above the lookup (after a receipt: ready for the next resident)."""
        from feetui.screens.lookup import LookupScreen

        while len(self.screen_stack) > 2 and not isinstance(self.screen, LookupScreen):
            self.pop_screen()

    # ----------------------------------------------------------------- printing

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """F5 is offered only while documents wait to print."""
        if action == "retry_printing":
            return self.print_queue is not None and self.print_queue.waiting > 0
        return True

    def on_help_requested(self, _message: HelpRequested) -> None:
        """Show every key of the current screen."""
        self.action_help()

    def action_quit(self) -> None:
        """Ctrl+Q: what a screen is doing in a worker (a payment being posted, then its receipt
        printed; a shift being closed) finishes first, then the app exits. Textual cancels the
        workers still running at exit, and a cancel inside a store transaction can leave the
        store's lock held, so the close after the exit would wait on it forever. The app keeps
        drawing meanwhile (the receipt shows and prints); a scanned payment is not waited for
        (it resumes at the next start), and nothing longer than ``QUIT_WAIT_SECONDS``."""
        if self._quitting is None:
            self._quitting = asyncio.create_task(self._quit_when_idle(), name="feetui-quit")

    async def _quit_when_idle(self) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + QUIT_WAIT_SECONDS
        while (left := deadline - loop.time()) > 0:
            busy = self._busy_workers()
            if not busy:
                # Quiet for a moment too: what just finished may start what follows (a posted
                # payment's receipt screen loads and prints).
                await asyncio.sleep(QUIT_SETTLE_SECONDS)
                if not self._busy_workers():
                    break
                continue
            log.info("quit: waiting for %s", ", ".join(w.group for w in busy))
            waits = [asyncio.ensure_future(_finished(worker)) for worker in busy]
            _done, late = await asyncio.wait(waits, timeout=left)
            for wait in late:
                wait.cancel()
        self.exit()

    def _busy_workers(self) -> list[Any]:
        return [
            worker
            for worker in self.workers
            if not worker.is_finished and worker.group not in NOT_AWAITED_AT_QUIT
        ]

    def action_help_quit(self) -> None:
        """Ctrl+C (a reflex, or copy in an input) does not quit: say how, in the cashier's
        language (Textual's own words for it are English)."""
        self.notify(_("Press Ctrl+Q to quit the app."), title=_("Do you want to quit?"))

    def action_help(self) -> None:
        """F1: list every key of the screen the cashier is on."""
        from feetui.screens.help import HelpScreen, keys_of

        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(HelpScreen(keys_of(self.screen)))

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """The command palette offers every action the current screen has a key for."""
        from feetui.screens.help import keys_of

        for row in keys_of(screen):
            if row.action == "command_palette":
                continue
            yield SystemCommand(
                row.description,
                _("Key: {key}").format(key=row.key),
                partial(self.run_action, row.action, row.node),
            )

    # ----------------------------------------------------------------- scanner and idle lock

    async def on_event(self, event: events.Event) -> None:
        """Watch every key before it reaches a widget: scanner bursts, the idle clock, and Enter
        moving the focus where the screen says (``ENTER_FOCUSES``)."""
        if isinstance(event, events.Key) and not event.is_forwarded:
            self.last_key_at = self.clock.now()
            if event.key == "enter" and self._route_scan():
                return
            self.scan_buffer.feed(event.character)
            if event.key == "enter" and (following := self._focus_after_enter()) is not None:
                await super().on_event(event)
                self.screen.set_focus(following)
                return
        elif (
            isinstance(event, events.Paste)
            and not event.is_forwarded
            and self._route_paste(event.text)
        ):
            return
        await super().on_event(event)

    def _focus_after_enter(self) -> Widget | None:
        """The field an Enter in the focused one leads to, per the screen's ``ENTER_FOCUSES``.

        The focus moves here, before the next key is routed, so keys typed ahead (a quick
        cashier while the database is still opening, a badge scanner) land in the next field;
        moved later by the field's own Submitted handler, they would still reach this one.
        """
        focused = self.focused
        targets: dict[str, str] = getattr(self.screen, "ENTER_FOCUSES", {})
        if focused is None or focused.id not in targets:
            return None
        return self.screen.query_one(targets[focused.id])

    def _route_scan(self) -> bool:
        """Enter ended a digit burst: if it is a payment code, take it away from the widget.

        Returns:
            True when the burst was a payment code (or a malformed one) and Enter was consumed.
        """
        burst = self.scan_buffer.take()
        if not burst:
            return False
        if not self._deliver_code(burst):
            return False
        self._remove_typed(burst)
        return True

    def _route_paste(self, text: str) -> bool:
        """A pasted payment code (some scanners paste) is routed like a typed one."""
        return bool(text.strip()) and self._deliver_code(text.strip())

    def _deliver_code(self, burst: str) -> bool:
        """Classify ``burst`` by content and tell the current screen; True when it was one.

        A burst that is nearly a payment code (right length and prefix family, wrong shape) is an
        error only where payment codes are expected (``ACCEPTS_PAYMENT_CODES`` on the screen);
        anywhere else it stays ordinary text.
        """
        from feetui.core.paycode import classify_scan

        code = classify_scan(burst)
        if code is not None:
            self.screen.post_message(
                PaymentCodeScanned(method=code.provider, masked=code.masked, code=code)
            )
            return True
        if getattr(self.screen, "ACCEPTS_PAYMENT_CODES", False) and looks_like_payment_code(burst):
            self.screen.post_message(ScanRejected(_(_NOT_A_CODE)))
            return True
        return False

    def _remove_typed(self, burst: str) -> None:
        """Take the scanned digits back out of the input they were typed into."""
        focused = self.focused
        if isinstance(focused, Input) and focused.value.endswith(burst):
            focused.value = focused.value[: -len(burst)]

    def on_payment_code_scanned(self, message: PaymentCodeScanned) -> None:
        """No screen wanted the code: say where it can be used."""
        self.notify(
            _("A payment code was scanned. Open a unit and press Pay first."), severity="warning"
        )

    def on_scan_rejected(self, message: ScanRejected) -> None:
        """No screen handled a malformed code: show the reason where the cashier looks."""
        self.notify(message.reason, severity="error")

    def check_idle_lock(self) -> None:
        """Lock the counter when nobody pressed a key for ``settings.idle_lock_minutes``."""
        from feetui.screens.sign_in import LockScreen

        minutes = self.settings.idle_lock_minutes
        if self.user is None or minutes <= 0 or isinstance(self.screen, LockScreen):
            return
        if self.clock.now() - self.last_key_at >= timedelta(minutes=minutes):
            log.info("idle lock after %s minutes", minutes)
            self.push_screen(LockScreen())


def _import_all(names: Iterable[str]) -> None:
    """Import ``names`` (run in a thread: the event loop keeps drawing and reading keys)."""
    for name in names:
        importlib.import_module(name)


def _retrieved(future: asyncio.Future[Any]) -> None:
    """Mark an opening's failure as seen (it is reported through ``startup_error``)."""
    if not future.cancelled():
        future.exception()


def make_app(
    settings: Settings, *, clock: Clock | None = None, ids: IdSource | None = None
) -> FeeApp:
    """Build the counter app: the one factory used by the CLI, the demo and the tests.

    Sets the interface language from ``settings.lang`` first, so every label the app makes is in
    it (binding labels are translated per instance: docs/ARCHITECTURE.md).

    Args:
        settings: the merged settings.
        clock: the clock services read; the system clock when omitted (tests pass a fixed one).
        ids: the id source; UUIDv7 from ``clock`` when omitted.

    Returns:
        An app that opens its database when run.
    """
    set_language(settings.lang)
    clock = clock or SystemClock()
    return FeeApp(settings, clock=clock, ids=ids or IdSource(clock))


__all__ = ["FeeApp", "make_app"]
