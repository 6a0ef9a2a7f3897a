"""The pay screen's scanned-code payment: charge a scanned code through headquarters, show each
state in words, cancel with Esc, then the receipt (the rules: :mod:`feetui.services.scan_payments`).

Kept apart from :mod:`feetui.screens.pay` so that screen stays a screen of tenders; ``PayScreen``
inherits these actions, and holds the Esc binding and ``check_action`` that switch between them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from textual import work
from textual.content import Content
from textual.widgets import Label

from feetui.core.errors import FeeError
from feetui.core.money import Money
from feetui.core.paycode import PaymentCode
from feetui.i18n import _, tr_error
from feetui.screens.base import FeeScreen
from feetui.screens.scan_text import describe_scan
from feetui.services.checkout import Checkout
from feetui.services.counter import UnitCard, scan_intent
from feetui.services.scan_payments import (
    SENDING,
    ScanIntent,
    ScanProgress,
    cancel_scan,
    follow_scan,
    get_scan,
    scanned_tender_refusal,
    start_scan,
)


class ScanPayActions(FeeScreen[None]):
    """Scanned-code payment of a pay screen (``card``, ``checkout``, ``payment_id``, ``say``)."""

    card: UnitCard
    checkout: Checkout
    payment_id: str
    scan: ScanProgress | None = None
    """The scanned payment under way, if any (every other key waits for it)."""

    say: Callable[[str], None]
    """Show a message where the cashier looks (the pay screen's message line)."""

    def _show_scan_hint(self, _status: object = None) -> None:
        """Say whether a scanned code will be charged through headquarters, or why not."""
        if self.scan is not None:
            return
        refusal = self.fee_app.scan_refusal()
        hint = (
            tr_error(refusal)
            if refusal is not None
            else _("Scan the payer's WeChat/Alipay code to charge it through headquarters.")
        )
        label = self.query_one("#pay-scan", Label)
        label.update(Content(hint))
        label.set_class(refusal is not None, "-off")

    def _start_scan(self, code: PaymentCode) -> None:
        """Charge ``code`` for what is still to pay; the tenders already added go with it."""
        checkout = self.checkout
        if checkout.payment.fen <= 0 or checkout.remaining.fen <= 0:
            self.say(_("Nothing is left to pay: select a line or type an amount."))
            return
        user = self.fee_app.user
        assert user is not None  # the pay screen is reached only when signed in
        intent = scan_intent(
            checkout,
            unit_id=self.card.unit_id,
            cashier_id=user.id,
            subject=_("Property fees {unit}").format(unit=self.card.code),
        )
        amount = checkout.remaining
        self._show_scan(ScanProgress(self.payment_id, code.provider, amount, code.masked, SENDING))
        self.say("")
        self._run_scan(code, amount, intent)

    @work(exclusive=True, group="scan")
    async def _run_scan(self, code: PaymentCode, amount: Money, intent: ScanIntent) -> None:
        """Send the scan, follow it until settled, then show the receipt or say why not."""
        client = self.fee_app.scan_client()
        svc = self.fee_app.services
        if client is None:  # not reached: online means the sync service exists
            self._end_scan(tr_error(scanned_tender_refusal(None)))
            return
        try:
            progress = await start_scan(
                svc, client, payment_id=self.payment_id, code=code, amount=amount, intent=intent
            )
            self._show_scan(progress)
            progress = await follow_scan(svc, client, progress, code=code, report=self._show_scan)
        except FeeError as error:
            await self._scan_failed(error)
            return
        self._scan_settled(progress)

    async def _scan_failed(self, error: FeeError) -> None:
        """The scan could not go on here: say why; an open one finishes in the background."""
        try:
            progress = await get_scan(self.fee_app.services, self.payment_id)
        except FeeError:
            progress = None  # refused before anything was recorded
        if progress is not None and not progress.settled:
            self.fee_app.follow_scan_in_background(progress)
            self.payment_id = self.fee_app.services.ids.new_str()
        self._end_scan(tr_error(error))

    def _show_scan(self, progress: ScanProgress) -> None:
        """Show where the scan stands, in words."""
        self.scan = progress
        label = self.query_one("#pay-scan", Label)
        label.update(Content(describe_scan(progress)))
        label.set_class(False, "-off")
        self.refresh_bindings()

    def _scan_settled(self, progress: ScanProgress) -> None:
        """Paid: post done, show and print the receipt. Otherwise say why, ready for another try."""
        from feetui.screens.receipt import ReceiptScreen

        if progress.posted:
            self.fee_app.nudge_sync()
            self.app.switch_screen(ReceiptScreen(progress.payment_id, print_now=True))
            return
        # The id is spent at headquarters: another try is another payment.
        self.payment_id = self.fee_app.services.ids.new_str()
        self._end_scan(describe_scan(progress))

    def _end_scan(self, text: str) -> None:
        self.scan = None
        self.refresh_bindings()
        self._show_scan_hint()
        self.say(text)

    def action_cancel_scan(self) -> None:
        """Esc while waiting: ask headquarters to cancel; again once asked: leave it running."""
        scan = self.scan
        if scan is None or scan.settled:
            return
        if scan.cancel_requested:
            # Headquarters cannot confirm the cancel now: it carries on in the background (the
            # shift cannot close until it ends) and this screen goes back.
            self.fee_app.follow_scan_in_background(scan)
            self.dismiss(None)
            return
        self._show_scan(replace(scan, cancel_requested=True))
        self._send_cancel(scan.payment_id)

    @work(exclusive=True, group="scan-cancel")
    async def _send_cancel(self, payment_id: str) -> None:
        client = self.fee_app.scan_client()
        if client is None:
            return
        try:
            progress = await cancel_scan(self.fee_app.services, client, payment_id)
        except FeeError as error:
            self.say(tr_error(error))
            return
        if self.scan is not None and not progress.settled:
            self._show_scan(progress)


__all__ = ["ScanPayActions"]
