"""Receipts after the money is in: printer failures, reprints as copies, voids and waivers."""

from __future__ import annotations

from dataclasses import replace

from feetui.app import make_app
from feetui.db.connection import raw_connection
from feetui.db.models import Adjustment, Payment, Void
from feetui.i18n import _
from feetui.printing import PrintSpool
from feetui.screens.dialogs.supervisor_pin import SupervisorPinDialog
from feetui.screens.receipt import ReceiptScreen
from feetui.screens.unit import UnitScreen
from tests.screens.community import SUPERVISOR_CODE, SUPERVISOR_PIN
from tests.screens.flows import LARGE, SMALL, open_unit, press, shows, sign_in, type_text


async def _paid_in_cash(pilot) -> None:
    """Sign in and pay everything 3-2-1502 owes in exact cash: the receipt screen is showing."""
    await sign_in(pilot)
    await open_unit(pilot, "3-2-1502")
    await press(pilot, "p", "c", "enter")
    assert isinstance(pilot.app.screen, ReceiptScreen)


async def test_a_printer_that_fails_leaves_the_payment_and_offers_a_retry(
    settings, clock, counter, tmp_path
) -> None:
    dead = f"file:{tmp_path / 'no-such-folder' / 'printer.bin'}"
    app = make_app(replace(settings, printer=dead), clock=clock)
    async with app.run_test(size=SMALL) as pilot:
        await _paid_in_cash(pilot)
        assert shows(
            pilot, _("Not printed: {reason} The payment is recorded. F retry, R reprint.")[:4]
        )
        assert await Payment.filter(unit_id=counter.owing_unit_id).count() == 1
        spool = PrintSpool.beside_database(settings.resolved_db_path())
        assert len(spool.pending()) == 1
        await press(pilot, "f")  # still dead: the job waits, the reason is shown again
        assert len(spool.pending()) == 1
        assert app.screen.print_failed


async def test_a_reprint_is_a_numbered_copy_and_is_recorded(settings, clock, counter) -> None:
    app = make_app(settings, clock=clock)
    async with app.run_test(size=LARGE) as pilot:
        await _paid_in_cash(pilot)
        await press(pilot, "r")
        assert shows(
            pilot,
            _("Copy {count} of receipt {number}.").format(
                count=1, number=app.screen.view.payment.receipt_no
            ),
        )
        assert shows(pilot, _("REPRINT no. {count}").format(count=1))
        await press(pilot, "r")
        assert shows(pilot, _("REPRINT no. {count}").format(count=2))
    with raw_connection(settings.resolved_db_path()) as connection:
        copies = connection.execute(
            "SELECT COUNT(*) FROM journal_entry WHERE kind = 'receipt_reprint'"
        ).fetchone()[0]
    assert copies == 2


async def test_a_void_needs_a_reason_and_a_supervisor_and_refuses_a_wrong_pin(
    settings, clock, counter
) -> None:
    app = make_app(settings, clock=clock)
    async with app.run_test(size=SMALL) as pilot:
        await _paid_in_cash(pilot)
        await press(pilot, "v", "enter")  # the first common reason
        assert isinstance(app.screen, SupervisorPinDialog)
        await press(pilot, *SUPERVISOR_CODE, "enter", *"1111", "enter")
        assert isinstance(app.screen, SupervisorPinDialog)
        assert shows(pilot, _("The code or PIN is wrong."))
        assert await Void.all().count() == 0
        await press(pilot, *SUPERVISOR_PIN, "enter")
        assert isinstance(app.screen, ReceiptScreen)
        assert shows(
            pilot, _("Receipt {number} is void.").format(number=app.screen.view.payment.receipt_no)
        )
        void = await Void.get()
        assert void.reason == _("Wrong unit")
        # The charges owe again.
        await press(pilot, "escape")
        assert isinstance(app.screen, UnitScreen)
        assert shows(pilot, "¥979.86")


async def test_a_cashier_cannot_approve_a_void(settings, clock, counter) -> None:
    app = make_app(settings, clock=clock)
    async with app.run_test(size=SMALL) as pilot:
        await _paid_in_cash(pilot)
        await press(pilot, "v", "enter", *"1001", "enter", *"1234", "enter")
        assert isinstance(app.screen, SupervisorPinDialog)
        assert shows(pilot, "王芳")
        assert await Void.all().count() == 0


async def test_a_waiver_needs_a_supervisor_and_takes_the_line_off(settings, clock, counter) -> None:
    app = make_app(settings, clock=clock)
    async with app.run_test(size=SMALL) as pilot:
        await sign_in(pilot)
        await open_unit(pilot, "3-2-1502")
        await press(pilot, "down", "w")  # the October parking line
        await press(pilot, "down", "enter", "enter")  # a discount, of the whole line
        await type_text(pilot, "complaint")
        await press(pilot, "enter")
        assert isinstance(app.screen, SupervisorPinDialog)
        await press(pilot, *SUPERVISOR_CODE, "enter", *"0000", "enter")
        assert shows(pilot, _("The code or PIN is wrong."))
        assert await Adjustment.all().count() == 0
        await press(pilot, *SUPERVISOR_PIN, "enter")
        assert isinstance(app.screen, UnitScreen)
        assert shows(pilot, "¥679.86")
        adjustment = await Adjustment.get()
        assert (adjustment.kind, adjustment.amount_fen, adjustment.reason) == (
            "discount",
            30000,
            "complaint",
        )


async def test_the_receipt_names_the_counter_as_its_device_record_does(
    settings, clock, counter
) -> None:
    """An enrolled counter is renamed by HQ (``feetui enroll --name``): its receipts say so, as its
    shift and daily reports do, not the config's ``device_name``."""
    from feetui.db.models import Device

    app = make_app(settings, clock=clock)
    async with app.run_test(size=LARGE) as pilot:
        await Device.all().update(name="3号窗口")
        await _paid_in_cash(pilot)
        assert app.screen.view.device_name == "3号窗口"
        assert shows(pilot, "3号窗口")
        assert not shows(pilot, settings.device_name)


async def test_the_void_slip_names_the_counter_that_took_the_payment(
    settings, clock, counter, tmp_path
) -> None:
    """The void slip names the counter as the device record that took the original payment does
    (as its receipt does), not the config's ``device_name``."""
    from feetui.db.models import Device
    from tests.printing.escpos_decoder import decode

    printer = tmp_path / "printer.bin"
    app = make_app(replace(settings, printer=f"file:{printer}"), clock=clock)
    async with app.run_test(size=SMALL) as pilot:
        await Device.all().update(name="3号窗口")
        await _paid_in_cash(pilot)
        receipt_bytes = len(printer.read_bytes())
        await press(pilot, "v", "enter", *SUPERVISOR_CODE, "enter", *SUPERVISOR_PIN, "enter")
        assert await Void.all().count() == 1
    slip = "\n".join(decode(printer.read_bytes()[receipt_bytes:]).texts())
    assert _("Void slip") in slip, slip
    assert "3号窗口" in slip, slip
    assert settings.device_name not in slip, slip
