"""Waive or discount one charge line: what kind, how much, and why (a supervisor approves next)."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Footer, Input, Label, OptionList
from textual.widgets.option_list import Option

from feetui.core.errors import FeeError
from feetui.core.money import Money
from feetui.i18n import N_, _, format_money, tr_error
from feetui.screens.base import FeeModal
from feetui.screens.dialogs.void_reason import MAX_REASON
from feetui.services.checkout import DueLine
from feetui.widgets.money_input import MoneyInput

KINDS = (
    ("waiver", N_("Waive (免收)")),
    ("discount", N_("Discount (减免)")),
    ("late_fee_waiver", N_("Waive the late fee")),
)


@dataclass(frozen=True, slots=True)
class AdjustmentRequest:
    """What the cashier asks a supervisor to approve."""

    kind: str
    amount: Money
    reason: str


class AdjustmentDialog(FeeModal[AdjustmentRequest | None]):
    """Kind (arrows), amount and reason for one charge line; Enter on the reason asks approval.

    Args:
        line: the charge line to adjust.
        ceiling: the largest amount a cashier may type.
    """

    BINDINGS = [Binding("escape", "cancel", N_("Cancel"), id="adjustment.cancel")]
    AUTO_FOCUS = "#adjustment-kind"

    def __init__(self, line: DueLine, *, ceiling: Money) -> None:
        super().__init__()
        self.line = line
        self.ceiling = ceiling

    def compose(self) -> ComposeResult:
        """Kind list, amount, reason, error line."""
        line = self.line
        with Vertical(classes="dialog"):
            yield Label(_("Waive or discount"), classes="dialog-title")
            yield Label(Content(f"{line.fee_item} {line.period}  {format_money(line.outstanding)}"))
            yield OptionList(
                *(Option(_(label), id=kind) for kind, label in KINDS), id="adjustment-kind"
            )
            yield Label(_("Amount taken off"))
            yield MoneyInput(
                line.outstanding.yuan_text(), ceiling=self.ceiling, id="adjustment-amount"
            )
            yield Label(_("Reason"))
            yield Input(id="adjustment-reason", max_length=MAX_REASON, compact=True)
            yield Label("", id="adjustment-error", classes="field-error")
        yield Footer()

    @on(OptionList.OptionSelected, "#adjustment-kind")
    def _kind_chosen(self, event: OptionList.OptionSelected) -> None:
        amount = self.query_one("#adjustment-amount", MoneyInput)
        if event.option.id == "late_fee_waiver":
            amount.show(self.line.late_fee)
        amount.focus()

    @on(MoneyInput.Confirmed, "#adjustment-amount")
    @on(MoneyInput.Rejected, "#adjustment-amount")
    def _amount_entered(self, event: MoneyInput.Confirmed | MoneyInput.Rejected) -> None:
        event.stop()
        if isinstance(event, MoneyInput.Rejected):
            self._error(tr_error(event.error))
            return
        self._error("")
        self.query_one("#adjustment-reason", Input).focus()

    @on(Input.Submitted, "#adjustment-reason")
    def _reason_entered(self, event: Input.Submitted) -> None:
        event.stop()
        kinds = self.query_one("#adjustment-kind", OptionList)
        index = kinds.highlighted if kinds.highlighted is not None else 0
        try:
            amount = self.query_one("#adjustment-amount", MoneyInput).amount()
        except FeeError as error:
            self._error(tr_error(error))
            return
        reason = event.value.strip()
        if not reason:
            self._error(_("Type a reason, or pick one above."))
            return
        self.dismiss(AdjustmentRequest(KINDS[index][0], amount, reason))

    def _error(self, text: str) -> None:
        self.query_one("#adjustment-error", Label).update(Content(text))

    def action_cancel(self) -> None:
        """Close without asking."""
        self.dismiss(None)


__all__ = ["KINDS", "AdjustmentDialog", "AdjustmentRequest"]
