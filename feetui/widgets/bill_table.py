"""A table of what a unit owes, one row per charge line, with an optional "pay this" mark.

The screen hands it :class:`~feetui.services.checkout.DueLine` values (already computed by the
services) and, on the pay screen, which of them are selected; the table only shows them. Space on
a row posts :class:`BillTable.Toggled`: the screen decides what that means.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable

from feetui.i18n import N_, _, format_date, format_money
from feetui.services.checkout import DueLine
from feetui.widgets.bindings import TranslatedBindings

MARK_ON = "[x]"
MARK_OFF = "[ ]"


class BillTable(TranslatedBindings, DataTable[Text]):
    """Charge lines: fee item, period, due date, age, late fee and what is owed.

    Args:
        selectable: show the pay mark column and let Space toggle it.
        id: widget id.
    """

    DEFAULT_CSS = """
    BillTable { height: 1fr; }
    """

    BINDINGS = [
        Binding("space", "toggle", N_("Pay / skip line"), id="bill.toggle"),
    ]

    @dataclass
    class Toggled(Message):
        """Space on a line: the screen flips whether it is paid."""

        line_id: str

    def __init__(self, *, selectable: bool = False, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.selectable = selectable
        self.line_ids: list[str] = []

    def on_mount(self) -> None:
        """Columns in the current language."""
        if self.selectable:
            self.add_column(_("Pay this"), key="mark")
        self.add_column(_("Fee item"), key="item")
        self.add_column(_("Period"), key="period")
        self.add_column(_("Due"), key="due")
        self.add_column(_("Days late"), key="age")
        self.add_column(_("Late fee"), key="late")
        self.add_column(_("Owes"), key="owes")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Space only means something where lines can be chosen."""
        if action == "toggle":
            return self.selectable and bool(self.line_ids)
        return True

    def show_lines(
        self, lines: Iterable[DueLine], *, today: date, selected: frozenset[str] = frozenset()
    ) -> None:
        """Replace the rows, keeping the cursor on the same line where possible."""
        row = self.cursor_row
        self.clear()
        self.line_ids = []
        for line in lines:
            self.line_ids.append(line.line_id)
            self.add_row(*self._cells(line, today, line.line_id in selected), key=line.line_id)
        if self.line_ids:
            self.move_cursor(row=min(max(row, 0), len(self.line_ids) - 1))

    def _cells(self, line: DueLine, today: date, selected: bool) -> list[Text]:
        age = max((today - line.due_date).days, 0)
        late = format_money(line.late_fee) if line.late_fee else ""
        cells = [
            Text(line.fee_item),
            Text(line.period),
            Text(format_date(line.due_date)),
            Text(str(age) if age else "", justify="right"),
            Text(late, justify="right"),
            Text(format_money(line.outstanding), justify="right", style="bold"),
        ]
        if self.selectable:
            cells.insert(0, Text(MARK_ON if selected else MARK_OFF))
        return cells

    def action_toggle(self) -> None:
        """Ask the screen to flip the line under the cursor."""
        if self.line_ids:
            self.post_message(self.Toggled(self.line_ids[self.cursor_row]))


__all__ = ["MARK_OFF", "MARK_ON", "BillTable"]
