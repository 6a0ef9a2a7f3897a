"""One tender of a payment: cash (change shown big), card, WeChat, Alipay, bank, prepaid.

The dialog collects what the cashier types and asks the pay screen's ``check`` whether the tender
fits the payment; a refusal is shown right under the fields and the dialog stays open. It returns
a :class:`~feetui.services.checkout.TenderLine`, or ``None`` on Escape.

Keys: Enter accepts (so exact cash is C then Enter); Tab moves between the fields. For cash the
"amount" field is this tender's share of the payment (change it to split the payment) and
"tendered" is what the payer handed over.
"""

from __future__ import annotations

from collections.abc import Callable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Digits, Footer, Input, Label

from feetui.core.errors import FeeError, InputError
from feetui.core.money import Money
from feetui.i18n import N_, _, format_money, tr_error
from feetui.messages import PaymentCodeScanned, ScanRejected
from feetui.screens.base import FeeModal
from feetui.services.checkout import METHOD_LABELS, Method, TenderLine
from feetui.widgets.money_input import MoneyInput

TenderCheck = Callable[[TenderLine], None]
"""Raises a FeeError when the tender does not fit the payment being made."""


class TenderDialog(FeeModal[TenderLine | None]):
    """Collect one tender.

    Args:
        method: one of :class:`~feetui.services.checkout.Method`.
        remaining: what is still to pay (the default amount).
        ceiling: the largest amount a cashier may type.
        check: the pay screen's test of a tender against the payment.
        masked_code: a payment code already scanned on the pay screen (masked).
        notice: why the code is not charged through headquarters (shown under the title).
    """

    ACCEPTS_PAYMENT_CODES = True
    BINDINGS = [
        Binding("enter", "accept", N_("Accept"), id="tender.accept", priority=True),
        Binding("escape", "cancel", N_("Cancel"), id="tender.cancel"),
    ]

    def __init__(
        self,
        method: str,
        *,
        remaining: Money,
        ceiling: Money,
        check: TenderCheck,
        masked_code: str = "",
        notice: str = "",
    ) -> None:
        super().__init__()
        self.notice = notice
        self.method = method
        self.remaining = remaining
        self.ceiling = ceiling
        self.check = check
        self.masked_code = masked_code

    def compose(self) -> ComposeResult:
        """The fields this method needs."""
        with Vertical(classes="dialog tender-dialog"):
            yield Label(_(METHOD_LABELS[self.method]), classes="dialog-title")
            if self.notice:
                yield Label(Content(self.notice), id="tender-notice", classes="field-error")
            yield Label(
                _("Still to pay: {amount}").format(amount=format_money(self.remaining)),
                id="tender-remaining",
            )
            yield Label(_("Amount of this tender"))
            yield MoneyInput(self.remaining.yuan_text(), ceiling=self.ceiling, id="tender-amount")
            yield from self._method_fields()
            yield Label("", id="tender-error", classes="field-error")
        yield Footer()

    def _method_fields(self) -> ComposeResult:
        if self.method == Method.CASH:
            yield Label(_("Cash handed over"))
            yield MoneyInput(self.remaining.yuan_text(), ceiling=self.ceiling, id="tender-cash")
            with Horizontal(classes="change-row"):
                yield Label(_("Change"), classes="change-label")
                yield Digits("0.00", id="tender-change")
        elif self.method in Method.NEEDS_REFERENCE:
            if self.method in (Method.WECHAT, Method.ALIPAY):
                yield Label(self._code_text(), id="tender-code")
            yield Label(_("Transaction reference (type or scan)"))
            yield Input(id="tender-reference", max_length=64, compact=True)

    def _code_text(self) -> str:
        if not self.masked_code:
            return _("Payment code: scan the payer's code, or type the reference below")
        return _("Payment code {masked}").format(masked=self.masked_code)

    def on_mount(self) -> None:
        """Focus where the cashier types first: tendered cash, the reference, or the amount."""
        first = {Method.CASH: "#tender-cash", Method.PREPAID: "#tender-amount"}
        self.query_one(first.get(self.method, "#tender-reference")).focus()

    @on(Input.Changed, "#tender-cash, #tender-amount")
    def _show_change(self) -> None:
        """Keep the big change figure in step with what is typed (blank while unreadable)."""
        if self.method != Method.CASH:
            return
        digits = self.query_one("#tender-change", Digits)
        try:
            tender = self._tender()
        except InputError:
            digits.update("-")
            return
        change = tender.change
        digits.update(change.yuan_text() if not change.is_negative else "-")

    def _tender(self) -> TenderLine:
        """The tender as typed now.

        Raises:
            InputError: an amount cannot be read.
        """
        amount = self.query_one("#tender-amount", MoneyInput).amount()
        if self.method == Method.CASH:
            tendered = self.query_one("#tender-cash", MoneyInput).amount()
            return TenderLine(self.method, amount, tendered)
        reference = ""
        if self.method in Method.NEEDS_REFERENCE:
            reference = self.query_one("#tender-reference", Input).value.strip()
        return TenderLine(self.method, amount, amount, reference, self.masked_code)

    def action_accept(self) -> None:
        """Check the tender against the payment; close with it, or say what is wrong."""
        try:
            tender = self._tender()
            self.check(tender)
        except FeeError as error:
            self._error(tr_error(error))
            return
        self.dismiss(tender)

    def action_cancel(self) -> None:
        """Close without a tender."""
        self.dismiss(None)

    def on_payment_code_scanned(self, message: PaymentCodeScanned) -> None:
        """A payer's code scanned here: WeChat/Alipay take it; other tenders refuse it."""
        message.stop()
        if self.method not in (Method.WECHAT, Method.ALIPAY):
            self._error(_("A payment code was scanned, but this tender is not WeChat or Alipay."))
            return
        if message.method != self.method:
            self._error(
                _("That is a {other} code, not {this}.").format(
                    other=_(METHOD_LABELS[message.method]), this=_(METHOD_LABELS[self.method])
                )
            )
            return
        self.masked_code = message.masked
        self.query_one("#tender-code", Label).update(self._code_text())
        self._error("")

    def on_scan_rejected(self, message: ScanRejected) -> None:
        """A scanned code of the wrong shape: say so here."""
        message.stop()
        self._error(message.reason)

    def _error(self, text: str) -> None:
        self.query_one("#tender-error", Label).update(text)


__all__ = ["TenderCheck", "TenderDialog"]
