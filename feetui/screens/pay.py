"""Taking the money for one unit: choose the lines, the amount and the tenders, then post.

Everything owing is selected, oldest first. Space skips or takes back a line, A types a different
amount (less pays part, more goes to the prepaid balance), and one key per tender opens its
dialog: C cash, K card, W WeChat, Z Alipay (支付宝), B bank transfer, Y prepaid balance (余额).
When the tenders cover the payment it is posted at once, so exact cash is C then Enter.

Scanning a payer's WeChat/Alipay code here charges what is still to pay through headquarters
(:mod:`feetui.services.scan_payments`): the state shows in words, Esc cancels while waiting, and
a success is posted and its receipt printed at once. While the counter cannot reach headquarters
the scan opens the typed-reference tender instead, with the reason.

The payment's id is made when this screen opens and every post sends it, so Enter pressed twice,
or a key that repeats, posts one payment (RELIABILITY R4): the ledger answers the second call with
the first payment.
"""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Footer, Label

from feetui.core.errors import FeeError
from feetui.core.money import Money
from feetui.i18n import N_, _, format_money, tr_error
from feetui.messages import PaymentCodeScanned, ScanRejected
from feetui.screens.dialogs.tender import TenderDialog
from feetui.screens.scan_pay import ScanPayActions
from feetui.services.checkout import METHOD_LABELS, Checkout, TenderLine
from feetui.services.counter import UnitCard, post_checkout
from feetui.widgets.bill_table import BillTable
from feetui.widgets.money_input import MoneyInput
from feetui.widgets.status_bar import StatusBar


class PayScreen(ScanPayActions):
    """The pay screen of one unit.

    Args:
        card: the unit as the unit screen showed it.
        checkout: what it owes, everything selected.
    """

    ACCEPTS_PAYMENT_CODES = True
    BINDINGS = [
        Binding("c", "tender('cash')", N_("Cash"), id="pay.cash"),
        Binding("k", "tender('card')", N_("Card"), id="pay.card"),
        Binding("w", "tender('wechat')", N_("WeChat"), id="pay.wechat"),
        Binding("z", "tender('alipay')", N_("Alipay"), id="pay.alipay"),
        Binding("b", "tender('bank')", N_("Bank"), id="pay.bank"),
        Binding("y", "tender('prepaid')", N_("Prepaid"), id="pay.prepaid"),
        Binding("a", "amount", N_("Amount"), id="pay.amount"),
        Binding("backspace", "clear_tenders", N_("Clear tenders"), id="pay.clear"),
        Binding("enter", "confirm", N_("Confirm"), id="pay.confirm", priority=True),
        Binding("escape", "cancel_scan", N_("Cancel scan"), id="pay.cancel_scan"),
        Binding("escape", "back", N_("Back"), id="pay.back"),
    ]
    AUTO_FOCUS = "#pay-lines"

    def __init__(self, card: UnitCard, checkout: Checkout) -> None:
        super().__init__()
        self.card = card
        self.checkout = checkout
        self.payment_id = ""
        self.posting = False
        self.scan = None

    def compose(self) -> ComposeResult:
        """Unit line, bill table, figures, tenders, message, footer."""
        user = self.fee_app.user
        yield StatusBar(
            _("Take payment"),
            cashier=f"{user.name} ({user.code})" if user else "",
            server=self.fee_app.settings.server,
        )
        yield Label(Content(f"{self.card.code}  {self.card.owner_name}"), classes="section-title")
        yield BillTable(selectable=True, id="pay-lines")
        with Horizontal(id="pay-figures"):
            yield Label("", id="pay-selected")
            yield Label(_("Pay"), id="pay-amount-label")
            yield MoneyInput(
                ceiling=Money(self.fee_app.settings.amount_ceiling_fen), id="pay-amount"
            )
            yield Label("", id="pay-prepaid")
        with Vertical(id="pay-tenders"):
            yield Label("", id="pay-tender-lines")
            yield Label("", id="pay-remaining", classes="big-amount")
        yield Label("", id="pay-scan")
        yield Label("", id="pay-message", classes="field-error")
        yield Footer()

    def on_mount(self) -> None:
        """Make the payment's id (once) and show the figures."""
        self.payment_id = self.fee_app.services.ids.new_str()
        self.refresh_figures()
        self.watch(self.app, "sync_status", self._show_scan_hint)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """While a scanned payment is under way only Esc (cancel) works; otherwise Esc is back."""
        if self.scan is not None:
            return action == "cancel_scan"
        return action != "cancel_scan"

    # ----------------------------------------------------------------- showing

    def refresh_figures(self) -> None:
        """Put every figure of the checkout on screen."""
        checkout = self.checkout
        self.query_one(BillTable).show_lines(
            checkout.lines, today=self.card.today, selected=checkout.selected
        )
        self.query_one("#pay-selected", Label).update(
            _("Selected {amount}").format(amount=format_money(checkout.selected_total))
        )
        self.query_one("#pay-amount", MoneyInput).show(checkout.payment)
        prepaid = checkout.prepaid_credit
        self.query_one("#pay-prepaid", Label).update(
            _("To prepaid {amount}").format(amount=format_money(prepaid)) if prepaid else ""
        )
        self.query_one("#pay-tender-lines", Label).update(self._tender_text())
        self.query_one("#pay-remaining", Label).update(self._remaining_text())

    def _tender_text(self) -> str:
        parts = []
        for tender in self.checkout.tenders:
            text = f"{_(METHOD_LABELS[tender.method])} {format_money(tender.amount)}"
            if tender.change:
                text += " " + _("(handed {tendered}, change {change})").format(
                    tendered=format_money(tender.tendered), change=format_money(tender.change)
                )
            parts.append(text)
        return "  ".join(parts) if parts else _("No tender yet: C cash, K card, W WeChat ...")

    def _remaining_text(self) -> str:
        checkout = self.checkout
        if checkout.complete:
            return _("Paid in full. Change {change}").format(change=format_money(checkout.change))
        return _("Still to pay {amount}").format(amount=format_money(checkout.remaining))

    def say(self, text: str) -> None:
        """Show a message on the line above the footer (empty clears it)."""
        self.query_one("#pay-message", Label).update(Content(text))

    # ----------------------------------------------------------------- changing the checkout

    def on_bill_table_toggled(self, event: BillTable.Toggled) -> None:
        """Space: skip or take back a line."""
        self._change(lambda: self.checkout.toggle(event.line_id))

    def action_amount(self) -> None:
        """A: type a different amount for this payment."""
        self.query_one("#pay-amount", MoneyInput).focus()

    def on_money_input_confirmed(self, event: MoneyInput.Confirmed) -> None:
        """Enter in the amount: pay that much (less: part; more: the rest to prepaid)."""
        event.stop()
        if self._change(lambda: self.checkout.with_amount(event.amount)):
            self.query_one(BillTable).focus()

    def on_money_input_rejected(self, event: MoneyInput.Rejected) -> None:
        """An amount with letters, too many decimals ...: say so, change nothing."""
        event.stop()
        self.say(tr_error(event.error))

    def _change(self, make: object) -> bool:
        """Apply a change to the checkout, or show why it cannot be made."""
        if self.scan is not None:
            self.say(_("A scanned payment is under way: wait for it, or press Esc to cancel it."))
            return False
        try:
            checkout = make()  # type: ignore[operator]
        except FeeError as error:
            self.say(tr_error(error))
            return False
        self.checkout = checkout
        self.say("")
        self.refresh_figures()
        return True

    def action_clear_tenders(self) -> None:
        """Backspace: start the tenders over."""
        self._change(self.checkout.without_tenders)

    def action_tender(self, method: str, masked_code: str = "", notice: str = "") -> None:
        """Open the dialog of one tender method for what is still to pay."""
        if self.posting or self.scan is not None:
            return
        checkout = self.checkout
        if checkout.payment.fen <= 0 or checkout.remaining.fen <= 0:
            self.say(_("Nothing is left to pay: select a line or type an amount."))
            return
        dialog = TenderDialog(
            method,
            remaining=checkout.remaining,
            ceiling=Money(self.fee_app.settings.amount_ceiling_fen),
            check=self._check_tender,
            masked_code=masked_code,
            notice=notice,
        )
        self.app.push_screen(dialog, self._tender_added)

    def _check_tender(self, tender: TenderLine) -> None:
        """Raise the reason ``tender`` does not fit this payment (the dialog shows it)."""
        self.checkout.add_tender(tender)

    def _tender_added(self, tender: TenderLine | None) -> None:
        """A tender came back: add it; post at once when the payment is covered."""
        if tender is None or not self._change(lambda: self.checkout.add_tender(tender)):
            return
        if self.checkout.complete:
            self.confirm()

    def on_payment_code_scanned(self, message: PaymentCodeScanned) -> None:
        """A payer's code: charge it through headquarters, or (offline) open its typed tender."""
        message.stop()
        if self.scan is not None or self.posting:
            self.say(_("A scanned payment is under way: wait for it, or press Esc to cancel it."))
            return
        refusal = self.fee_app.scan_refusal()
        if refusal is not None or message.code is None:
            notice = tr_error(refusal) if refusal is not None else ""
            self.action_tender(message.method, masked_code=message.masked, notice=notice)
            return
        self._start_scan(message.code)

    def on_scan_rejected(self, message: ScanRejected) -> None:
        """A scanned code of the wrong shape: say so, change nothing."""
        message.stop()
        self.say(message.reason)

    # ----------------------------------------------------------------- posting

    async def action_confirm(self) -> None:
        """Enter: in the amount field, take the amount; elsewhere post the payment."""
        amount = self.query_one("#pay-amount", MoneyInput)
        if amount.has_focus:
            await amount.action_submit()
            return
        self.confirm()

    def confirm(self) -> None:
        """Post the payment once the tenders cover it (once: a repeated key changes nothing)."""
        if self.posting:
            return
        if not self.checkout.complete:
            if self.checkout.payment.fen <= 0:
                self.say(_("Nothing is selected: select a line or type an amount."))
            else:
                self.say(_("Add how it is paid first: C cash, K card, W WeChat, Z Alipay."))
            return
        self.posting = True
        self.say(_("Posting ..."))
        self._post()

    @work(exclusive=True, group="post-payment")
    async def _post(self) -> None:
        """Post through the ledger; then show the receipt, which prints after the commit."""
        from feetui.screens.receipt import ReceiptScreen

        user = self.fee_app.user
        assert user is not None  # the pay screen is reached only when signed in
        try:
            posted = await post_checkout(
                self.fee_app.services,
                payment_id=self.payment_id,
                unit_id=self.card.unit_id,
                cashier_id=user.id,
                checkout=self.checkout,
            )
        except FeeError as error:
            self.posting = False
            self.say(tr_error(error))
            return
        self.fee_app.nudge_sync()
        self.app.switch_screen(ReceiptScreen(posted.payment_id, print_now=True))

    def action_back(self) -> None:
        """Escape: out of the amount field, or back to the unit with nothing posted."""
        if self.posting:
            return
        amount = self.query_one("#pay-amount", MoneyInput)
        if amount.has_focus:
            amount.show(self.checkout.payment)
            self.query_one(BillTable).focus()
            return
        self.dismiss(None)


__all__ = ["PayScreen"]
