"""A pay-in, pay-out or bank deposit (存行): amount, reason or bank, and the deposit slip number.

The dialog collects the figures and hands them to ``post`` (the use case, bound to the services by
the screen that opened it); a refusal is shown here, next to the fields, and nothing is recorded.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Footer, Input, Label

from feetui.core.errors import FeeError
from feetui.core.money import Money
from feetui.i18n import N_, _, tr_error
from feetui.screens.base import FeeModal
from feetui.widgets.money_input import MoneyInput

Post = Callable[[Money, str, str], Awaitable[object]]
"""Records the movement: (amount, reason, slip number) → the posted movement."""

TITLES = {
    "pay_in": N_("Pay cash into the drawer"),
    "pay_out": N_("Pay cash out of the drawer"),
    "deposit": N_("Bank deposit (cash to the bank)"),
}
MAX_TEXT = 200
MAX_SLIP = 64


class CashMovementDialog(FeeModal[object | None]):
    """Amount, Enter, reason (or bank), Enter [, slip number, Enter]: recorded, or why not.

    Args:
        kind: ``pay_in``, ``pay_out`` or ``deposit``.
        post: the use case that records it.
        ceiling: the largest amount a cashier may type.
    """

    BINDINGS = [Binding("escape", "cancel", N_("Cancel"), id="cash_movement.cancel")]
    AUTO_FOCUS = "#movement-amount"

    def __init__(self, kind: str, *, post: Post, ceiling: Money) -> None:
        super().__init__()
        self.kind = kind
        self.post = post
        self.ceiling = ceiling

    def compose(self) -> ComposeResult:
        """Amount, reason and, for a deposit, the slip number."""
        with Vertical(classes="dialog"):
            yield Label(_(TITLES[self.kind]), classes="dialog-title")
            yield Label(_("Amount"))
            yield MoneyInput(ceiling=self.ceiling, id="movement-amount")
            yield Label(_("Bank name") if self.kind == "deposit" else _("Details"))
            yield Input(id="movement-reason", max_length=MAX_TEXT, compact=True)
            if self.kind == "deposit":
                yield Label(_("Deposit slip number"))
                yield Input(id="movement-slip", max_length=MAX_SLIP, compact=True)
            yield Label("", id="movement-error", classes="field-error")
        yield Footer()

    @on(MoneyInput.Confirmed, "#movement-amount")
    def _amount_ok(self) -> None:
        self.query_one("#movement-error", Label).update("")
        self.query_one("#movement-reason", Input).focus()

    @on(MoneyInput.Rejected, "#movement-amount")
    def _amount_bad(self, event: MoneyInput.Rejected) -> None:
        self.query_one("#movement-error", Label).update(tr_error(event.error))

    @on(Input.Submitted, "#movement-reason")
    def _reason_entered(self) -> None:
        if self.kind == "deposit":
            self.query_one("#movement-slip", Input).focus()
        else:
            self._record()

    @on(Input.Submitted, "#movement-slip")
    def _slip_entered(self) -> None:
        self._record()

    def _record(self) -> None:
        amount_input = self.query_one("#movement-amount", MoneyInput)
        try:
            amount = amount_input.amount()
        except FeeError as error:
            self._refused(error, amount_input)
            return
        reason = self.query_one("#movement-reason", Input).value
        slip = self.query_one("#movement-slip", Input).value if self.kind == "deposit" else ""
        self._post(amount, reason, slip)

    @work(exclusive=True, group="cash-movement")
    async def _post(self, amount: Money, reason: str, slip: str) -> None:
        """Record it; on a refusal say why and stay."""
        try:
            posted = await self.post(amount, reason, slip)
        except FeeError as error:
            self._refused(error, self._field_of(error.code))
            return
        self.dismiss(posted)

    def _field_of(self, code: str) -> Input:
        if code.startswith("amount") or code == "cash_not_in_drawer":
            return self.query_one("#movement-amount", MoneyInput)
        if code == "deposit_slip_required":
            return self.query_one("#movement-slip", Input)
        return self.query_one("#movement-reason", Input)

    def _refused(self, error: FeeError, field: Input) -> None:
        self.query_one("#movement-error", Label).update(tr_error(error))
        field.focus()

    def action_cancel(self) -> None:
        """Close without recording anything."""
        self.dismiss(None)


__all__ = ["TITLES", "CashMovementDialog"]
