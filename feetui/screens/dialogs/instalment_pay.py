"""Pay the next instalment in cash: the amount is the instalment's; the cashier types what was
handed over and sees the change."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Footer, Input, Label

from feetui.core.errors import FeeError
from feetui.core.money import Money
from feetui.core.parse import parse_amount
from feetui.i18n import N_, _, format_money, tr_error
from feetui.screens.base import FeeModal

Submit = Callable[[Money], Awaitable[Any]]
"""Pays with the cash handed over (``feetui.services.instalments.pay_instalment``, bound)."""


class InstalmentPayDialog(FeeModal[Any]):
    """Take cash for the next instalment; Enter on an empty field means exact cash.

    Args:
        heading: the translated heading (which instalment, when due).
        amount: what the instalment still needs.
        submit: posts the payment with the cash handed over.
        ceiling: the largest amount a cashier may type.
    """

    BINDINGS = [Binding("escape", "cancel", N_("Cancel"), id="instalment_pay.cancel")]
    AUTO_FOCUS = "#pay-tendered"
    DEFAULT_CSS = """
    InstalmentPayDialog { align: center middle; }
    InstalmentPayDialog > Vertical { width: 60; height: auto; border: round $accent; padding: 0 1; }
    InstalmentPayDialog #pay-error { color: $error; }
    """

    def __init__(self, heading: str, *, amount: Money, submit: Submit, ceiling: Money) -> None:
        super().__init__()
        self.heading = heading
        self.amount = amount
        self.submit = submit
        self.ceiling = ceiling

    def compose(self) -> ComposeResult:
        """The amount, the cash field, the error line."""
        with Vertical():
            yield Label(self.heading, classes="dialog-title")
            yield Label(_("Amount: {amount}").format(amount=format_money(self.amount)))
            yield Label(_("Cash handed over (Enter: exact)"))
            yield Input(id="pay-tendered", placeholder=self.amount.yuan_text())
            yield Label("", id="pay-error")
        yield Footer()

    @on(Input.Submitted, "#pay-tendered")
    def _entered(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        try:
            tendered = parse_amount(text, ceiling=self.ceiling) if text else self.amount
        except FeeError as error:
            self.query_one("#pay-error", Label).update(tr_error(error))
            return
        self._pay(tendered)

    @work(exclusive=True, group="instalment_pay")
    async def _pay(self, tendered: Money) -> None:
        try:
            posted = await self.submit(tendered)
        except FeeError as error:
            self.query_one("#pay-error", Label).update(tr_error(error))
            return
        self.dismiss(posted)

    def action_cancel(self) -> None:
        """Close without paying."""
        self.dismiss(None)


__all__ = ["InstalmentPayDialog"]
