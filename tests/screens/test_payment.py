"""Taking money at the counter, driven by the keyboard: cash, change, part, split, prepaid, codes.

Every test asserts on the screen and on the rows the ledger wrote. The unit 3-2-1502 owes
¥979.86 on 2026-11-23: property fee for September (¥223.75 + ¥6.04 late fee) and October
(¥223.75 + ¥2.57), parking for October (¥300.00) and property fee for November (¥223.75).
"""

from __future__ import annotations

import logging
from dataclasses import replace

import pytest

from feetui.app import make_app
from feetui.db.connection import raw_connection
from feetui.db.models import Allocation, Charge, Payment, Tender
from feetui.i18n import _
from feetui.screens.dialogs.tender import TenderDialog
from feetui.screens.lookup import LookupScreen
from feetui.screens.pay import PayScreen
from feetui.screens.receipt import ReceiptScreen
from feetui.screens.unit import UnitScreen
from tests.screens.flows import LARGE, SMALL, open_unit, press, shows, sign_in, type_text

OWED_FEN = 97986
WECHAT_CODE = "134567890123456789"


async def _pay_screen(pilot, room: str = "3-2-1502") -> None:
    await sign_in(pilot)
    await open_unit(pilot, room)
    await press(pilot, "p")
    assert isinstance(pilot.app.screen, PayScreen)


@pytest.mark.parametrize("size", [SMALL, LARGE])
async def test_exact_cash_is_the_room_code_and_four_keys_to_a_printed_receipt(
    settings, clock, counter, tmp_path, size
) -> None:
    printer = tmp_path / "printer.bin"
    app = make_app(replace(settings, printer=f"file:{printer}"), clock=clock)
    async with app.run_test(size=size) as pilot:
        await sign_in(pilot)
        await type_text(pilot, "3-2-1502")
        await press(pilot, "enter")  # 1: open the unit
        assert isinstance(app.screen, UnitScreen)
        assert shows(pilot, "3-2-1502", "张三丰", "¥979.86", "¥6.04")
        await press(pilot, "p")  # 2: pay, everything selected
        await press(pilot, "c")  # 3: cash, exact amount prefilled
        assert isinstance(app.screen, TenderDialog)
        await press(pilot, "enter")  # 4: accept; the tenders cover the payment: posted
        assert isinstance(app.screen, ReceiptScreen)
        assert shows(pilot, _("Printed."), "¥979.86")
        payment = await _only_payment(settings)
        assert payment["total_fen"] == OWED_FEN
        assert payment["allocations"] == 6  # four charges and two late fees
        assert printer.stat().st_size > 0


async def _only_payment(settings) -> dict:
    """The one payment in the database, read as a second process would."""
    with raw_connection(settings.resolved_db_path()) as connection:
        rows = connection.execute("SELECT id, total_fen FROM payment").fetchall()
        assert len(rows) == 2  # the seeded prepaid payment of 2-1-301, and this one
        payment_id, total_fen = max(rows, key=lambda row: row[1])
        count = connection.execute(
            "SELECT COUNT(*) FROM allocation WHERE payment_id = ?", [payment_id]
        ).fetchone()[0]
    return {"id": payment_id, "total_fen": total_fen, "allocations": count}


async def test_confirm_pressed_twice_posts_one_payment(settings, clock, counter) -> None:
    app = make_app(settings, clock=clock)
    async with app.run_test(size=SMALL) as pilot:
        await _pay_screen(pilot)
        await pilot.press("c")
        await pilot.press("enter", "enter", "enter")  # key repeat while posting
        await press(pilot)
        assert await Payment.filter(unit_id=counter.owing_unit_id).count() == 1


async def test_cash_above_due_shows_the_change_big_and_records_it(settings, clock, counter) -> None:
    app = make_app(settings, clock=clock)
    async with app.run_test(size=LARGE) as pilot:
        await _pay_screen(pilot)
        await press(pilot, "c")
        await type_text(pilot, "1000")
        assert app.screen.query_one("#tender-change").value == "20.14"
        await press(pilot, "enter")
        assert isinstance(app.screen, ReceiptScreen)
        tender = await Tender.get(payment__unit_id=counter.owing_unit_id)
        assert (tender.amount_fen, tender.tendered_fen, tender.change_fen) == (
            OWED_FEN,
            100000,
            2014,
        )


@pytest.mark.parametrize("size", [SMALL, LARGE])
async def test_cash_below_due_is_refused_in_the_dialog(settings, clock, counter, size) -> None:
    app = make_app(settings, clock=clock)
    async with app.run_test(size=size) as pilot:
        await _pay_screen(pilot)
        await press(pilot, "c")
        await type_text(pilot, "500")
        await press(pilot, "enter")
        assert isinstance(app.screen, TenderDialog)
        assert shows(pilot, "¥500.00", "¥979.86")
        await press(pilot, "escape")
        assert isinstance(app.screen, PayScreen)
        assert await _payments(counter) == 0


async def _payments(counter) -> int:
    return await Payment.filter(unit_id=counter.owing_unit_id).count()


async def test_space_skips_a_line_and_a_smaller_amount_pays_part(settings, clock, counter) -> None:
    app = make_app(settings, clock=clock)
    async with app.run_test(size=SMALL) as pilot:
        await _pay_screen(pilot)
        await press(pilot, "down", "down", "space")  # skip October's parking
        assert shows(pilot, "¥679.86")
        await press(pilot, "a")
        await type_text(pilot, "300")
        await press(pilot, "enter", "c", "enter")
        assert isinstance(app.screen, ReceiptScreen)
        payment = await Payment.get(unit_id=counter.owing_unit_id)
        assert payment.total_fen == 30000
        paid = {
            a.charge.period: a.amount_fen
            for a in await Allocation.filter(payment=payment).prefetch_related("charge")
            if a.charge.source != "late_fee"
        }
        # Oldest first: September and its late fee in full, the rest to October's property fee
        # (its late fee is not reached); the skipped parking gets nothing.
        assert paid == {"2026-09": 22375, "2026-10": 30000 - 22375 - 604}


@pytest.mark.parametrize("size", [SMALL, LARGE])
async def test_letters_in_the_amount_are_refused_and_nothing_changes(
    settings, clock, counter, size
) -> None:
    app = make_app(settings, clock=clock)
    async with app.run_test(size=size) as pilot:
        await _pay_screen(pilot)
        await press(pilot, "a")
        await type_text(pilot, "12x")
        await press(pilot, "enter")
        assert shows(pilot, _("Amount has letters or symbols in it: type digits only, like 12.50"))
        assert app.screen.checkout.payment.fen == OWED_FEN
        assert await _payments(counter) == 0


async def test_a_split_of_card_and_cash_records_both_tenders(settings, clock, counter) -> None:
    app = make_app(settings, clock=clock)
    async with app.run_test(size=SMALL) as pilot:
        await _pay_screen(pilot)
        await press(pilot, "k", "shift+tab")  # from the reference back to the amount
        await type_text(pilot, "500")
        await press(pilot, "tab")
        await type_text(pilot, "T0001")
        await press(pilot, "enter")
        assert isinstance(app.screen, PayScreen)
        assert shows(pilot, "¥479.86")
        await press(pilot, "c", "enter")
        assert isinstance(app.screen, ReceiptScreen)
        tenders = await Tender.filter(payment__unit_id=counter.owing_unit_id).order_by("method")
        assert [(t.method, t.amount_fen, t.reference) for t in tenders] == [
            ("card", 50000, "T0001"),
            ("cash", 47986, ""),
        ]


@pytest.mark.parametrize("size", [SMALL, LARGE])
async def test_card_without_a_reference_is_refused(settings, clock, counter, size) -> None:
    app = make_app(settings, clock=clock)
    async with app.run_test(size=size) as pilot:
        await _pay_screen(pilot)
        await press(pilot, "k", "enter")
        assert isinstance(app.screen, TenderDialog)
        assert shows(pilot, _("Type or scan the transaction reference"))
        assert await _payments(counter) == 0


async def test_an_overpayment_goes_to_the_prepaid_balance(settings, clock, counter) -> None:
    app = make_app(settings, clock=clock)
    async with app.run_test(size=SMALL) as pilot:
        await _pay_screen(pilot)
        await press(pilot, "a")
        await type_text(pilot, "1000")
        await press(pilot, "enter")
        assert shows(pilot, "¥20.14")
        await press(pilot, "c", "enter")
        assert isinstance(app.screen, ReceiptScreen)
        payment = await Payment.get(unit_id=counter.owing_unit_id)
        assert (payment.total_fen, payment.prepaid_credit_fen) == (100000, 2014)


async def test_the_prepaid_balance_pays_as_a_tender(settings, clock, counter) -> None:
    app = make_app(settings, clock=clock)
    async with app.run_test(size=SMALL) as pilot:
        await _pay_screen(pilot, "2-1-301")
        assert shows(pilot, "¥223.75")
        await press(pilot, "y", "enter")
        assert isinstance(app.screen, ReceiptScreen)
        payment = (
            await Payment.filter(unit_id=counter.prepaid_unit_id).order_by("-created_at").first()
        )
        assert (payment.total_fen, payment.prepaid_used_fen) == (0, 22375)


@pytest.mark.parametrize("size", [SMALL, LARGE])
async def test_a_unit_that_owes_nothing_says_so_and_opens_no_pay_screen(
    settings, clock, counter, size
) -> None:
    app = make_app(settings, clock=clock)
    async with app.run_test(size=size) as pilot:
        await sign_in(pilot)
        await open_unit(pilot, "3-2-1501")
        await press(pilot, "p")
        assert isinstance(app.screen, UnitScreen)
        message = _("Unit {unit} owes nothing today: there is nothing to take payment for.")
        assert shows(pilot, message.format(unit="3-2-1501"))
        assert await Payment.filter(unit_id=counter.paid_up_unit_id).count() == 0


async def test_a_scanned_wechat_code_opens_its_tender_and_is_kept_masked_only(
    settings, clock, counter, caplog
) -> None:
    caplog.set_level(logging.DEBUG)
    app = make_app(settings, clock=clock)
    async with app.run_test(size=SMALL) as pilot:
        await _pay_screen(pilot)
        await press(pilot, *WECHAT_CODE, "enter")  # the scanner types digits, then Enter
        assert isinstance(app.screen, TenderDialog)
        assert app.screen.method == "wechat"
        assert shows(pilot, "1345****6789")
        await type_text(pilot, "4200001234")
        await press(pilot, "enter")
        assert isinstance(app.screen, ReceiptScreen)
        tender = await Tender.get(payment__unit_id=counter.owing_unit_id)
        assert tender.method == "wechat"
        assert "1345****6789" in tender.reference
        _assert_nowhere(settings, WECHAT_CODE)  # the database, its WAL, the print spool
    _assert_nowhere(settings, WECHAT_CODE)  # and once more after the database is closed
    assert WECHAT_CODE not in caplog.text


def _assert_nowhere(settings, secret: str) -> None:
    """The full code is in no file beside the database: not the database, its WAL, nor the log."""
    folder = settings.resolved_db_path().parent
    for path in folder.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert secret.encode() not in data, path
            assert secret.encode("utf-16-le") not in data, path


async def test_a_code_typed_slowly_is_still_a_code(settings, clock, counter) -> None:
    """R20: content decides, not timing - the same digits keyed one by one are a code too."""
    app = make_app(settings, clock=clock)
    async with app.run_test(size=SMALL) as pilot:
        await _pay_screen(pilot)
        for digit in WECHAT_CODE:
            await pilot.press(digit)
            await pilot.pause(0.1)
        await press(pilot, "enter")
        assert isinstance(app.screen, TenderDialog)
        assert app.screen.method == "wechat"
        assert shows(pilot, "1345****6789")


async def test_full_width_digits_from_a_scanner_are_a_code_too(settings, clock, counter) -> None:
    full_width = "".join(chr(0xFF10 + int(d)) for d in WECHAT_CODE)
    app = make_app(settings, clock=clock)
    async with app.run_test(size=SMALL) as pilot:
        await _pay_screen(pilot)
        await press(pilot, *full_width, "enter")
        assert isinstance(app.screen, TenderDialog)
        assert shows(pilot, "1345****6789")


@pytest.mark.parametrize("size", [SMALL, LARGE])
async def test_a_code_of_the_wrong_shape_is_refused_on_the_pay_screen(
    settings, clock, counter, size
) -> None:
    app = make_app(settings, clock=clock)
    async with app.run_test(size=size) as pilot:
        await _pay_screen(pilot)
        await press(pilot, *WECHAT_CODE[:17], "enter")
        assert isinstance(app.screen, PayScreen)
        refusal = _(
            "This is not a WeChat or Alipay payment code: "
            "ask the payer to refresh the code and scan again"
        )
        assert shows(pilot, refusal[:12])
        assert await _payments(counter) == 0


async def test_a_code_scanned_on_the_lookup_is_recognised_and_not_searched(
    settings, clock, counter
) -> None:
    app = make_app(settings, clock=clock)
    async with app.run_test(size=SMALL) as pilot:
        await sign_in(pilot)
        await press(pilot, *WECHAT_CODE, "enter")
        assert isinstance(app.screen, LookupScreen)
        assert app.screen.query_one("#unit-search-input").value == ""
        assert shows(pilot, _("A payment code was scanned. Open a unit and press Pay first.")[:6])
        # Other digit bursts are ordinary text: a phone tail searches.
        await type_text(pilot, "5678")
        await press(pilot, "enter")
        assert isinstance(app.screen, UnitScreen)


async def test_a_one_off_charge_is_added_and_paid_at_once(settings, clock, counter) -> None:
    app = make_app(settings, clock=clock)
    async with app.run_test(size=SMALL) as pilot:
        await sign_in(pilot)
        await open_unit(pilot, "3-2-1502")
        await press(pilot, "o")
        await press(pilot, "enter", "enter", "enter")  # item, its price, its label
        assert isinstance(app.screen, PayScreen)
        assert shows(pilot, "门禁卡工本费", "¥20.00")
        await press(pilot, "c", "enter")
        assert isinstance(app.screen, ReceiptScreen)
        charge = await Charge.get(unit_id=counter.owing_unit_id, source="one_off")
        payment = await Payment.get(unit_id=counter.owing_unit_id)
        assert (charge.amount_fen, payment.total_fen) == (2000, 2000)


async def test_back_on_the_lookup_after_paying_the_list_shows_what_the_unit_owes_now(
    settings, clock, counter
) -> None:
    """The next resident comes: the old results stay for retyping, but never with the arrears
    the unit had before the payment just taken."""
    from feetui.widgets.unit_search import UnitSearch

    app = make_app(settings, clock=clock)
    async with app.run_test(size=SMALL) as pilot:
        await sign_in(pilot)
        await type_text(pilot, "3-2-1502")
        await press(pilot)
        search = app.screen.query_one(UnitSearch)
        before = [hit.arrears.fen for hit in search.hits]
        assert len(before) == 1 and before[0] > 0
        await press(pilot, "enter", "p", "c", "enter")  # open, pay all in cash, exact
        assert isinstance(app.screen, ReceiptScreen)
        await press(pilot, "enter")  # next resident
        assert isinstance(app.screen, LookupScreen)
        await press(pilot)
        assert [hit.arrears.fen for hit in search.hits] == [0]
        assert shows(pilot, "3-2-1502", "¥0.00")
