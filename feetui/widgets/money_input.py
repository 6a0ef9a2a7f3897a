"""An input for an amount of money: what the cashier types is read by the core's parser on Enter.

The widget never does arithmetic; it turns text into :class:`~feetui.core.money.Money` with
:func:`feetui.core.parse.parse_amount` and reports the result as a message, so the screen decides
what the amount means.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message
from textual.widgets import Input

from feetui.core.errors import InputError
from feetui.core.money import Money
from feetui.core.parse import parse_amount


class MoneyInput(Input):
    """A one-line amount field; Enter posts :class:`Confirmed` or :class:`Rejected`.

    Args:
        value: text to start with (``Money.yuan_text()`` of a default, usually).
        ceiling: the largest amount accepted.
        allow_zero: whether ¥0.00 is an acceptable answer.
        placeholder: hint shown while empty.
        compact: one line without a border (dialogs must fit 80×24).
        id: widget id.
    """

    DEFAULT_CSS = """
    MoneyInput { width: 1fr; }
    MoneyInput.-refused { text-style: reverse; }
    """

    @dataclass
    class Confirmed(Message):
        """Enter was pressed on a readable amount."""

        money_input: MoneyInput
        amount: Money

        @property
        def control(self) -> MoneyInput:
            """The input that confirmed."""
            return self.money_input

    @dataclass
    class Rejected(Message):
        """Enter was pressed on text that is not an acceptable amount."""

        money_input: MoneyInput
        error: InputError

        @property
        def control(self) -> MoneyInput:
            """The input that refused."""
            return self.money_input

    def __init__(
        self,
        value: str = "",
        *,
        ceiling: Money,
        allow_zero: bool = False,
        placeholder: str = "",
        compact: bool = True,
        id: str | None = None,
    ) -> None:
        super().__init__(
            value, placeholder=placeholder, id=id, select_on_focus=True, compact=compact
        )
        self.ceiling = ceiling
        self.allow_zero = allow_zero

    def amount(self) -> Money:
        """The amount typed now.

        Raises:
            InputError: the text is empty, has letters, is negative, has too many decimals,
                is zero (unless allowed) or is above the ceiling.
        """
        return parse_amount(self.value, ceiling=self.ceiling, allow_zero=self.allow_zero)

    def show(self, amount: Money) -> None:
        """Put ``amount`` in the field as plain yuan text (no symbol, no grouping)."""
        self.value = amount.yuan_text()
        self.remove_class("-refused")

    async def action_submit(self) -> None:
        """Read the amount and tell the screen whether it is usable."""
        try:
            amount = self.amount()
        except InputError as error:
            self.add_class("-refused")
            self.post_message(self.Rejected(self, error))
            return
        self.remove_class("-refused")
        self.post_message(self.Confirmed(self, amount))


__all__ = ["MoneyInput"]
