"""A one-off charge (card replacement, waste removal ...): which item, the price, what it is for."""

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
from feetui.services.counter import OneOffItem
from feetui.widgets.money_input import MoneyInput


@dataclass(frozen=True, slots=True)
class OneOffRequest:
    """The charge to add."""

    fee_item_id: str
    amount: Money
    label: str


class OneOffDialog(FeeModal[OneOffRequest | None]):
    """Pick the item (arrows, Enter), check the price (Enter), say what for (Enter adds it).

    Args:
        items: the site's one-off fee items.
        ceiling: the largest amount a cashier may type.
    """

    BINDINGS = [Binding("escape", "cancel", N_("Cancel"), id="one_off.cancel")]
    AUTO_FOCUS = "#one-off-items"

    def __init__(self, items: list[OneOffItem], *, ceiling: Money) -> None:
        super().__init__()
        self.items = items
        self.ceiling = ceiling

    def compose(self) -> ComposeResult:
        """Item list, price, label, error line."""
        with Vertical(classes="dialog"):
            yield Label(_("Add a one-off charge"), classes="dialog-title")
            options = [
                Option(Content(f"{item.name}  {format_money(item.price)}")) for item in self.items
            ]
            yield OptionList(*options, id="one-off-items")
            yield Label(_("Price"))
            yield MoneyInput(ceiling=self.ceiling, id="one-off-amount")
            yield Label(_("What it is for (printed on the receipt)"))
            yield Input(id="one-off-label", max_length=32, compact=True)
            yield Label("", id="one-off-error", classes="field-error")
        yield Footer()

    def _item(self) -> OneOffItem:
        items = self.query_one("#one-off-items", OptionList)
        return self.items[items.highlighted if items.highlighted is not None else 0]

    @on(OptionList.OptionSelected, "#one-off-items")
    def _item_chosen(self) -> None:
        amount = self.query_one("#one-off-amount", MoneyInput)
        amount.show(self._item().price)
        amount.focus()

    @on(MoneyInput.Confirmed, "#one-off-amount")
    @on(MoneyInput.Rejected, "#one-off-amount")
    def _amount_entered(self, event: MoneyInput.Confirmed | MoneyInput.Rejected) -> None:
        event.stop()
        if isinstance(event, MoneyInput.Rejected):
            self._error(tr_error(event.error))
            return
        self._error("")
        label = self.query_one("#one-off-label", Input)
        if not label.value:
            label.value = self._item().name
        label.focus()

    @on(Input.Submitted, "#one-off-label")
    def _label_entered(self, event: Input.Submitted) -> None:
        event.stop()
        try:
            amount = self.query_one("#one-off-amount", MoneyInput).amount()
        except FeeError as error:
            self._error(tr_error(error))
            return
        self.dismiss(OneOffRequest(self._item().fee_item_id, amount, event.value.strip()))

    def _error(self, text: str) -> None:
        self.query_one("#one-off-error", Label).update(Content(text))

    def action_cancel(self) -> None:
        """Close without adding anything."""
        self.dismiss(None)


__all__ = ["OneOffDialog", "OneOffRequest"]
