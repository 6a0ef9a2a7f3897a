"""Scanned-code payments at the counter, driven by the keyboard through a real HQ on 127.0.0.1
and the provider simulators (tests/scanpay): the scanner types the code and Enter on the pay
screen, the cashier reads each state in words, Esc cancels, a success prints its receipt with the
provider's transaction id, and the scanned digits end up in no file and no log (R14).

The counter (tests/screens/community.py, 3-2-1502 owes ¥979.86) is adopted by HQ and enrolled
before the app starts; the app's own sync task reports it online. That task runs until the app
exits; it is no Textual worker (feetui/app_sync.py), and ``settle`` would skip one in the "sync"
group anyway.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Label

from feetui.app import make_app
from feetui.db.models import Payment, ScanPayment, ShiftClose, Tender
from feetui.i18n import _
from feetui.screens.dialogs.tender import TenderDialog
from feetui.screens.pay import PayScreen
from feetui.screens.receipt import ReceiptScreen
from feetui.screens.shift_close import ShiftCloseScreen
from feetui.services.scan_payments import require_no_open_scan
from feetui.sync.status import SyncMode
from tests.printing.escpos_decoder import decode
from tests.scanpay.hq import ScanHq, scan_hq
from tests.screens.flows import SMALL
from tests.screens.screen_text import screen_text

OWED_FEN = 97986
CANCELLED = "Payment cancelled: {reason}. Nothing was charged."
FAILED = "Payment failed: {reason}. Nothing was charged."
BACKGROUND = ("sync",)


@pytest.fixture
async def hq(tmp_path: Path) -> AsyncIterator[ScanHq]:
    """HQ charging at the two simulators; 3 s for the resident to confirm (the kit's 1.5 s is
    tight for a Pilot-driven app on a busy machine: the waiting state must be seen and Esc
    pressed inside it, and a resumed scan polled after the app has started)."""
    async with scan_hq(tmp_path / "hq", time_limit_ms=3_000) as server:
        yield server


@pytest.fixture
async def enrolled(settings, clock, counter, hq):
    """The screen tests' counter, adopted by HQ (its site YG, ids kept, as ``sync-server
    adopt-counter`` does), YG's merchants at the simulators, and the counter enrolled there."""
    from feetui.db.connection import close_db, open_db
    from feetui.sync.enrolment import enroll_device
    from sync_server.services.adopt import adopt_counter, read_counter

    data = read_counter(settings.resolved_db_path())
    async with hq.db.transaction() as tx:
        await adopt_counter(tx, data, now=hq.clock())
    for sim in hq.sims.values():
        await hq.configure(sim, site="YG")
    code = await hq.enrollment_code("YG")
    database = await open_db(settings.resolved_db_path(), clock=clock)
    try:
        await enroll_device(server=hq.url, code=code, now=clock.now())
    finally:
        await close_db(database)
    return counter


async def settle(pilot: Pilot, skip: tuple[str, ...] = BACKGROUND) -> None:
    """Wait for every worker except those of the groups in ``skip``, and for the messages."""
    for _round in range(3):
        running = [w for w in pilot.app.workers if w.group not in skip]
        if running:  # an empty list would mean every worker, the endless sync task included
            await pilot.app.workers.wait_for_complete(running)
        await pilot.pause()


async def press(pilot: Pilot, *keys: str, skip: tuple[str, ...] = BACKGROUND) -> None:
    """Press ``keys``, then settle."""
    await pilot.press(*keys)
    await settle(pilot, skip)


async def wait_until(pilot: Pilot, check: Callable[[], bool], seconds: float = 15.0) -> None:
    """Let the app run (in real time: HQ and the simulators do) until ``check()`` holds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not check():
        assert loop.time() < deadline, screen_text(pilot.app)
        await pilot.pause(0.05)


def shows(pilot: Pilot, *texts: str) -> bool:
    """Every text is on the screen now (each within one line)."""
    text = screen_text(pilot.app)
    return all(part in text for part in texts)


def said(pilot: Pilot, widget_id: str) -> str:
    """The whole text of one label of the current screen (a long one wraps on screen)."""
    return str(pilot.app.screen.query_one(widget_id, Label).content)


async def _pay_screen(pilot: Pilot, *, online: bool = True) -> None:
    """Sign in, open 3-2-1502, P; wait until the counter is online with HQ."""
    app = pilot.app
    if online:
        await wait_until(pilot, lambda: app.sync_status and app.sync_status.mode is SyncMode.ONLINE)
    await press(pilot, *"1001", "enter", *"1234", "enter")
    await press(pilot, *"3-2-1502", "enter")
    await press(pilot, "p")
    assert isinstance(app.screen, PayScreen)


async def _scan(pilot: Pilot, code: str) -> None:
    """The scanner types the code and Enter."""
    await pilot.press(*code, "enter")


def _assert_nowhere(folder: Path, code: str, caplog) -> None:
    """The full code is in no file under ``folder`` (counter database, WAL, spool; HQ's database
    and log) and in no log record."""
    for path in folder.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert code.encode() not in data, path
            assert code.encode("utf-16-le") not in data, path
    assert code not in caplog.text


def _app(settings, clock, tmp_path: Path):
    printer = tmp_path / "printer.bin"
    return make_app(replace(settings, printer=f"file:{printer}"), clock=clock), printer


@pytest.mark.parametrize(
    ("code", "scenario"),
    [
        ("134567890123450011", "success"),
        ("134567890123450012", "paying_then_success"),
        ("2812345678901230013", "system_error"),
        ("134567890123450014", "already_paid_on_retry"),
    ],
)
async def test_a_scanned_code_is_paid_posted_and_its_receipt_printed(
    settings, clock, enrolled, hq, tmp_path, caplog, code, scenario
) -> None:
    caplog.set_level(logging.DEBUG)
    provider = "wechat" if code.startswith("13") else "alipay"
    hq.sims[provider].script(code, scenario)
    app, printer = _app(settings, clock, tmp_path)
    async with app.run_test(size=SMALL) as pilot:
        await _pay_screen(pilot)
        assert shows(
            pilot, _("Scan the payer's WeChat/Alipay code to charge it through headquarters.")
        )
        await _scan(pilot, code)
        await settle(pilot)
        assert isinstance(app.screen, ReceiptScreen), screen_text(app)
        assert shows(pilot, _("Printed."))
        tender = await Tender.get(payment__unit_id=enrolled.owing_unit_id)
        assert (tender.method, tender.amount_fen) == (provider, OWED_FEN)
        assert tender.reference and tender.reference.startswith(("4200", "2026"))
        receipt = decode(printer.read_bytes()).texts()
        assert any(tender.reference in line for line in receipt), receipt  # printed on it
        assert hq.sims[provider].charged() == 1
        assert await Payment.filter(unit_id=enrolled.owing_unit_id).count() == 1
        scan = await ScanPayment.get()
        assert (scan.state, scan.posted, scan.code_masked) == (
            "success",
            True,
            f"{code[:4]}****{code[-4:]}",
        )
    _assert_nowhere(tmp_path, code, caplog)


@pytest.mark.parametrize(
    ("scenario", "outcome", "reason"),
    [
        ("paying_then_timeout", CANCELLED, "the resident did not confirm in time"),
        ("bad_signature", FAILED, "the provider's answer failed its signature check"),
        ("code_expired", FAILED, "the payment code has expired, ask for a fresh one"),
    ],
)
async def test_a_scan_that_is_not_paid_says_why_and_cash_still_works(
    settings, clock, enrolled, hq, tmp_path, caplog, scenario, outcome, reason
) -> None:
    caplog.set_level(logging.DEBUG)
    code = "134567890123450021"
    hq.wechat.script(code, scenario)
    app, _printer = _app(settings, clock, tmp_path)
    async with app.run_test(size=SMALL) as pilot:
        await _pay_screen(pilot)
        await _scan(pilot, code)
        await settle(pilot)
        assert isinstance(app.screen, PayScreen)
        expected = _(outcome).format(reason=_(reason))
        assert expected in said(pilot, "#pay-message"), said(pilot, "#pay-message")
        assert await Payment.filter(unit_id=enrolled.owing_unit_id).count() == 0
        # The scanned tender is over; cash takes the payment with a new payment id.
        await press(pilot, "c", "enter")
        assert isinstance(app.screen, ReceiptScreen)
        tender = await Tender.get(payment__unit_id=enrolled.owing_unit_id)
        assert tender.method == "cash"
    _assert_nowhere(tmp_path, code, caplog)


async def test_esc_while_the_resident_is_confirming_cancels_and_posts_nothing(
    settings, clock, enrolled, hq, tmp_path, caplog
) -> None:
    caplog.set_level(logging.DEBUG)
    code = "2812345678901230031"
    hq.alipay.script(code, "paying_then_timeout")
    app, _printer = _app(settings, clock, tmp_path)
    async with app.run_test(size=SMALL) as pilot:
        await _pay_screen(pilot)
        await _scan(pilot, code)
        waiting = _("Waiting for the resident to confirm on their phone ... (Esc cancels)")
        await wait_until(pilot, lambda: waiting in said(pilot, "#pay-scan"))
        assert "2812****0031" in said(pilot, "#pay-scan") and "¥979.86" in said(pilot, "#pay-scan")
        assert shows(pilot, "esc " + _("Cancel scan")), screen_text(app)  # the footer offers it
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, PayScreen)
        expected = _(CANCELLED).format(reason=_("cancelled at the counter"))
        assert said(pilot, "#pay-message").endswith(expected), said(pilot, "#pay-message")
        scan = await ScanPayment.get()
        assert (scan.state, scan.cancel_requested, scan.posted) == ("cancelled", True, False)
        assert await Payment.filter(unit_id=enrolled.owing_unit_id).count() == 0
        # Esc now goes back, as before the scan.
        await press(pilot, "escape")
        assert not isinstance(app.screen, PayScreen)
    _assert_nowhere(tmp_path, code, caplog)


async def test_offline_the_scanned_tender_is_off_with_the_reason_and_typed_tenders_work(
    settings, clock, enrolled, hq, tmp_path
) -> None:
    await hq.stop()  # HQ is down before the counter starts
    code = "134567890123450041"
    app, _printer = _app(settings, clock, tmp_path)
    async with app.run_test(size=SMALL) as pilot:
        await wait_until(
            pilot, lambda: app.sync_status and app.sync_status.mode is SyncMode.OFFLINE
        )
        await _pay_screen(pilot, online=False)
        off = _(
            "Scanned payment is off: headquarters cannot be reached. "
            "Type the reference (W/Z) or take cash."
        )
        assert said(pilot, "#pay-scan") == off
        await _scan(pilot, code)
        await settle(pilot)
        assert isinstance(app.screen, TenderDialog) and app.screen.method == "wechat"
        assert said(pilot, "#tender-notice") == off and shows(pilot, "1345****0041")
        await press(pilot, *"4200009999", "enter")
        assert isinstance(app.screen, ReceiptScreen)
        assert await ScanPayment.all().count() == 0
        tender = await Tender.get(payment__unit_id=enrolled.owing_unit_id)
        assert tender.method == "wechat" and "4200009999" in tender.reference


async def test_a_pending_scan_blocks_the_shift_close_until_it_ends(
    settings, clock, enrolled, hq, tmp_path, caplog
) -> None:
    caplog.set_level(logging.DEBUG)
    code = "134567890123450051"
    app, _printer = _app(settings, clock, tmp_path)
    background = ("sync", "scan-follow")
    async with app.run_test(size=SMALL) as pilot:
        await _pay_screen(pilot)
        await hq.stop()  # HQ goes away between the last sync round and the scan
        await _scan(pilot, code)
        not_answering = _("Headquarters is not answering ({error}): still trying.")
        not_answering = not_answering.format(error="server_unreachable")
        await wait_until(pilot, lambda: not_answering in said(pilot, "#pay-scan"))
        await press(pilot, "escape", skip=("sync", "scan"))  # cancel: HQ cannot confirm it
        again = _("Esc again: leave it to finish in the background.")
        await wait_until(pilot, lambda: again in said(pilot, "#pay-scan"))
        await press(pilot, "escape", skip=background)  # leave it running in the background
        assert not isinstance(app.screen, PayScreen)
        await press(pilot, "escape", skip=background)  # back to the lookup
        await press(pilot, "f8", "c", skip=background)
        assert isinstance(app.screen, ShiftCloseScreen)
        await press(pilot, "5", "enter", "f9", skip=background)
        refusal = _(
            "A scanned payment of ¥{amount} (code {masked}) is still waiting for its result: "
            "finish or cancel it before closing the shift."
        ).format(amount="979.86", masked="1345****0051")
        assert refusal in said(pilot, "#close-message"), screen_text(app)
        await press(pilot, "f12", skip=background)
        assert await ShiftClose.all().count() == 0
        # HQ is back: the scan it never received ends as cancelled, and the shift can close.
        await hq.start()
        await settle(pilot, skip=("sync",))
        scan = await ScanPayment.get()
        assert (scan.state, scan.reason) == ("cancelled", "not_sent")
        assert await Payment.filter(unit_id=enrolled.owing_unit_id).count() == 0
        await require_no_open_scan(app.services)
    _assert_nowhere(tmp_path, code, caplog)


async def test_in_english_the_cashier_reads_the_wait_and_the_outcome(
    settings, clock, enrolled, hq, tmp_path
) -> None:
    code = "134567890123450061"
    hq.wechat.script(code, "paying_then_timeout")  # waits the whole time limit: long enough to read
    app, _printer = _app(replace(settings, lang="en_US"), clock, tmp_path)
    async with app.run_test(size=SMALL) as pilot:
        await _pay_screen(pilot)
        assert said(pilot, "#pay-scan") == (
            "Scan the payer's WeChat/Alipay code to charge it through headquarters."
        )
        await _scan(pilot, code)
        await wait_until(pilot, lambda: "Waiting for the resident" in said(pilot, "#pay-scan"))
        assert said(pilot, "#pay-scan") == (
            "WeChat Pay ¥979.86 1345****0061: "
            "Waiting for the resident to confirm on their phone ... (Esc cancels)"
        )
        assert shows(pilot, "esc Cancel scan")
        await settle(pilot)
        assert said(pilot, "#pay-message") == (
            "WeChat Pay ¥979.86 1345****0061: Payment cancelled: the resident did not confirm in"
            " time. Nothing was charged."
        )
        assert app.screen.check_action("back", ()) and not shows(pilot, "esc Cancel scan")


async def test_a_wrong_shape_or_nothing_to_pay_is_refused_on_the_pay_screen(
    settings, clock, enrolled, hq, tmp_path
) -> None:
    app, _printer = _app(settings, clock, tmp_path)
    async with app.run_test(size=SMALL) as pilot:
        await _pay_screen(pilot)
        await _scan(pilot, "13456789012345006")  # 17 digits: a garbled scan
        await settle(pilot)
        refusal = _(
            "This is not a WeChat or Alipay payment code: "
            "ask the payer to refresh the code and scan again"
        )
        assert said(pilot, "#pay-message") == refusal
        await press(pilot, "space", "down", "space", "down", "space", "down", "space")
        await _scan(pilot, "134567890123450071")  # every line skipped: the amount is zero
        await settle(pilot)
        assert said(pilot, "#pay-message") == _(
            "Nothing is left to pay: select a line or type an amount."
        )
        assert isinstance(app.screen, PayScreen)
    assert nothing_sent(hq)


def nothing_sent(hq: ScanHq) -> bool:
    """No order reached either provider."""
    return not hq.wechat.orders and not hq.alipay.orders


async def test_a_scan_left_open_by_the_last_run_is_resumed_when_the_app_starts(
    settings, clock, enrolled, hq, tmp_path
) -> None:
    from feetui.core.money import Money
    from feetui.core.paycode import classify_scan
    from feetui.db.connection import close_db, open_db
    from feetui.services.container import Services
    from feetui.services.counter import load_unit, scan_intent, start_checkout
    from feetui.services.scan_payments import start_scan
    from feetui.sync.client import SyncClient
    from feetui.sync.service import find_target

    code = "134567890123450081"
    hq.wechat.script(code, "paying_then_success")
    # The last run sent the scan, then died while the resident was confirming.
    database = await open_db(settings.resolved_db_path(), clock=clock)
    try:
        svc = Services.build(settings, database, clock=clock)
        view = await load_unit(svc, enrolled.owing_unit_id)
        intent = scan_intent(
            start_checkout(view), unit_id=view.card.unit_id, cashier_id=enrolled.cashier_id,
            subject="物业费 3-2-1502",
        )  # fmt: skip
        target = await find_target("")
        async with SyncClient(target.server, target.token) as client:
            started = await start_scan(
                svc, client, payment_id=svc.ids.new_str(), code=classify_scan(code),
                amount=Money(OWED_FEN), intent=intent,
            )  # fmt: skip
        assert started.state == "paying"
    finally:
        await close_db(database)
    app, printer = _app(settings, clock, tmp_path)
    async with app.run_test(size=SMALL) as pilot:
        await wait_until(pilot, lambda: any(w.group == "scan-follow" for w in app.workers))
        await settle(pilot)
        scan = await ScanPayment.get()
        assert (scan.id, scan.state, scan.posted) == (started.payment_id, "success", True)
        payment = await Payment.get(id=started.payment_id)
        assert payment.total_fen == OWED_FEN
        receipt = decode(printer.read_bytes()).texts()  # the original, printed after posting
        assert any(scan.transaction_id in line for line in receipt), receipt
    assert hq.wechat.charged() == 1
