"""The print queue at the counter (RELIABILITY R2, R3): printing starts after the commit, a stalled
printer never holds up the cashier, what did not print waits (across a restart) in the status bar,
and F5 on any screen prints it once, oldest first."""

from __future__ import annotations

import sqlite3
import time
from dataclasses import replace

from textual.pilot import Pilot

from feetui.app import make_app
from feetui.db.models import Payment
from feetui.i18n import _, ngettext
from feetui.printing import PrintSpool
from feetui.printing.devices import DEFAULT_TIMEOUT
from feetui.screens.dialogs.shift_menu import ShiftMenu
from feetui.screens.lookup import LookupScreen
from feetui.screens.receipt import ReceiptScreen
from feetui.screens.shift_close import ShiftCloseScreen
from tests.printing.escpos_decoder import decode
from tests.printing.fake_printer import FakePrinter
from tests.screens.flows import SMALL, open_unit, press, settle, shows, sign_in, type_text


def _waiting(count: int) -> str:
    return ngettext(
        "{count} document waiting to print", "{count} documents waiting to print", count
    ).format(count=count)


def _lines(data: bytes) -> list[str]:
    return [" ".join(line.split()) for line in decode(data).texts()]


def _notified(app, text: str) -> bool:
    """True when a notification (a toast: not part of the screen's own text) holds ``text``."""
    return any(text in notification.message for notification in app._notifications)


async def _until(pilot: Pilot, condition, seconds: float) -> float:
    """Let the app run (without waiting for its workers) until ``condition()``; the time taken."""
    start = time.monotonic()
    while not condition():
        assert time.monotonic() - start < seconds, "the screen did not get there in time"
        await pilot.pause(0.02)
    return time.monotonic() - start


async def test_receipt_bytes_reach_the_printer_only_after_the_payment_is_committed(
    settings, clock, counter
) -> None:
    # R2: when the printer hears the first byte, a second connection already sees the payment.
    path = settings.resolved_db_path()
    seen: list[set[str]] = []

    def look() -> None:
        with sqlite3.connect(path) as connection:
            rows = connection.execute("SELECT id FROM payment").fetchall()
        seen.append({row[0] for row in rows})

    printer = FakePrinter(on_first_bytes=look)
    try:
        app = make_app(replace(settings, printer=printer.uri), clock=clock)
        async with app.run_test(size=SMALL) as pilot:
            await sign_in(pilot)
            await open_unit(pilot, "3-2-1502")
            await press(pilot, "p", "c", "enter")
            assert isinstance(app.screen, ReceiptScreen)
            assert shows(pilot, _("Printed."))
            payment = await Payment.get(unit_id=counter.owing_unit_id)
    finally:
        printer.close()
    assert len(seen) == 1 and payment.id in seen[0]
    assert payment.receipt_no in " ".join(_lines(printer.payloads[0]))


async def test_a_stalled_printer_never_holds_up_the_cashier_and_prints_once_when_back(
    settings, clock, counter
) -> None:
    # R3: the print is stuck on the printer while the cashier goes on to the next resident.
    printer = FakePrinter(mode="stall")
    try:
        app = make_app(replace(settings, printer=printer.uri), clock=clock)
        async with app.run_test(size=SMALL) as pilot:
            await sign_in(pilot)
            await open_unit(pilot, "3-2-1502")
            await pilot.press("p", "c", "enter")
            paid = time.monotonic()
            await _until(pilot, lambda: isinstance(app.screen, ReceiptScreen), 5)
            await pilot.press("enter")  # next resident, while the receipt is still printing
            await _until(pilot, lambda: isinstance(app.screen, LookupScreen), 5)
            for key in "1-1-101":
                await pilot.press(key)
            await _until(pilot, lambda: shows(pilot, "赵[记]商店"), 5)
            assert printer.connections == 1 and any(
                worker.is_running for worker in app.workers if worker.group == "print"
            ), "the search answered while the print was stuck"

            # The failure in words within the printer's deadline, and the job in the queue.
            reason = _(
                "The printer {device} stopped responding; the document may not have printed."
            )
            said = reason.format(device=printer.uri)
            await _until(pilot, lambda: _notified(app, said), DEFAULT_TIMEOUT + 3)
            assert time.monotonic() - paid < DEFAULT_TIMEOUT + 2
            await settle(pilot)
            assert shows(pilot, _waiting(1))
            spool = PrintSpool.beside_database(settings.resolved_db_path())
            assert [(j.kind, j.copy_count, j.last_failure) for j in spool.pending()] == [
                ("receipt", 0, "printer_timeout")
            ]

            # The printer answers again: F5 twice prints the receipt once, as the original.
            printer.mode = "ok"
            await pilot.press("f5", "f5")
            await settle(pilot)
            assert spool.pending() == []
            assert _notified(app, _("Every waiting document is printed."))
            assert not shows(pilot, _waiting(1))
            receipt_no = (await Payment.get(unit_id=counter.owing_unit_id)).receipt_no
    finally:
        printer.close()
    printed = [data for data in printer.payloads if data]
    assert len(printed) == 1
    paper = _lines(printed[0])
    assert sum(receipt_no in line for line in paper) == 1
    assert not any("重打" in line for line in paper)


async def test_jobs_left_by_the_last_session_are_shown_at_start_and_f5_prints_them(
    settings, clock, counter, tmp_path
) -> None:
    spool = PrintSpool.beside_database(settings.resolved_db_path())
    first = spool.enqueue(b"first\n", document_id="a", kind="receipt")
    spool.enqueue(b"second\n", document_id="b", kind="shift_report")
    dead = f"file:{tmp_path / 'unplugged' / 'printer.bin'}"
    assert spool.attempt(first, dead) is not None  # the last session's reason: not found
    paper = tmp_path / "printer.bin"
    app = make_app(replace(settings, printer=f"file:{paper}"), clock=clock)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        start = ngettext(
            "{count} document from before is waiting to print.",
            "{count} documents from before are waiting to print.",
            2,
        ).format(count=2)
        assert _notified(app, start)
        await sign_in(pilot)
        assert isinstance(app.screen, LookupScreen)
        assert shows(pilot, _waiting(2), _("printer not found"), "f5", _("Print waiting"))
        palette = [str(command.title) for command in app.get_system_commands(app.screen)]
        assert _("Print waiting") in palette
        await press(pilot, "f1")
        assert shows(pilot, "f5", _("Print waiting"))
        await press(pilot, "escape")
        await press(pilot, "f5")
        assert paper.read_bytes() == b"first\nsecond\n"  # oldest first, each once
        assert spool.pending() == []
        assert not shows(pilot, _waiting(2))
        assert not shows(pilot, _("Print waiting"))  # nothing waits: F5 is not offered


async def test_f5_stops_at_the_first_failure_and_keeps_the_order(
    settings, clock, counter, tmp_path
) -> None:
    spool = PrintSpool.beside_database(settings.resolved_db_path())
    for name in ("one", "two"):
        spool.enqueue(name.encode(), document_id=name, kind="receipt")
    dead = f"file:{tmp_path / 'unplugged' / 'printer.bin'}"
    app = make_app(replace(settings, printer=dead), clock=clock)
    async with app.run_test(size=SMALL) as pilot:
        await sign_in(pilot)
        await press(pilot, "f5")
        assert [(j.document_id, j.attempts) for j in spool.pending()] == [("one", 1), ("two", 0)]
        assert shows(pilot, _waiting(2), _("printer not found"))


async def test_a_shift_slip_that_did_not_print_waits_and_f5_prints_it(
    settings, clock, counter, tmp_path
) -> None:
    folder = tmp_path / "unplugged"
    paper = folder / "printer.bin"
    app = make_app(replace(settings, printer=f"file:{paper}"), clock=clock)
    async with app.run_test(size=SMALL) as pilot:
        await sign_in(pilot)
        await press(pilot, "f8", "c")
        assert isinstance(app.screen, ShiftCloseScreen)
        await press(pilot, *["enter"] * 9)  # an empty drawer: short by the float
        await press(pilot, "f9")  # the result, and the focus on the note a shortage needs
        await type_text(pilot, "test")
        await press(pilot, "f12")
        said = _(
            "The shift is closed, but the slip was not printed: {reason} "
            "It waits in the print queue: F5 prints it."
        )
        assert shows(pilot, said[:8])
        assert shows(pilot, "f5", _("Print waiting"))  # in the close screen's footer
        spool = PrintSpool.beside_database(settings.resolved_db_path())
        assert [job.kind for job in spool.pending()] == ["shift_report"]
        folder.mkdir()  # the printer is plugged back in
        await press(pilot, "f5")
        assert spool.pending() == []
        assert "交班报表" in _lines(paper.read_bytes())


async def test_f8_r_prints_todays_daily_report_through_the_queue(
    settings, clock, counter, tmp_path
) -> None:
    paper = tmp_path / "printer.bin"
    app = make_app(replace(settings, printer=f"file:{paper}"), clock=clock)
    async with app.run_test(size=SMALL) as pilot:
        await sign_in(pilot)
        await press(pilot, "f8")
        assert isinstance(app.screen, ShiftMenu)
        assert shows(pilot, _("Print today's daily report"))
        await press(pilot, "r")
        assert shows(pilot, _("The daily report of {date} is printed.").format(date="2026-11-23"))
    lines = _lines(paper.read_bytes())
    assert "收费日报表" in lines
    assert any("2026-11-23" in line for line in lines)
    assert PrintSpool.beside_database(settings.resolved_db_path()).pending() == []


async def test_f8_r_with_the_printer_off_says_why_and_keeps_the_report(
    settings, clock, counter, tmp_path
) -> None:
    dead = f"file:{tmp_path / 'unplugged' / 'printer.bin'}"
    app = make_app(replace(settings, printer=dead), clock=clock)
    async with app.run_test(size=SMALL) as pilot:
        await sign_in(pilot)
        await press(pilot, "f8", "r")
        said = _("The daily report was not printed: {reason} It waits in the print queue.")
        assert shows(pilot, said[:8])
        jobs = PrintSpool.beside_database(settings.resolved_db_path()).pending()
        assert [(job.kind, job.document_id) for job in jobs] == [
            ("daily_report", "daily-2026-11-23")
        ]
