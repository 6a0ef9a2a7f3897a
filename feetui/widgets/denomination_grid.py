"""A cash count by denomination: type a count, move down, the total updates as you type.

One row per note and coin the counter knows (``feetui.core.shift.DENOMINATIONS``: notes ¥100, 50,
20, 10, 5, 1, coins ¥1, 0.5, 0.1). Counts are read by the core's parser and valued by the core's
:func:`~feetui.core.shift.count_total`; the widget itself never does arithmetic on money. A count
it cannot read (letters, a minus sign) marks its row and is named under the grid, and the total
shows nothing until it is fixed, so a wrong figure can never be mistaken for a right one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
from textual.message import Message
from textual.widgets import Input, Label, Static

from feetui.core.errors import InputError
from feetui.core.money import Money
from feetui.core.parse import parse_count
from feetui.core.shift import DENOMINATIONS, Denomination, count_total
from feetui.i18n import _, format_money, tr_error


class CountInput(Input):
    """The count of one denomination (an ``Input`` that knows its denomination code)."""

    DEFAULT_CSS = """
    CountInput { width: 9; height: 1; border: none; padding: 0 1; background: $boost; }
    CountInput:focus { background: $accent 30%; }
    CountInput.-bad-count { background: $error 40%; }
    """

    def __init__(self, denomination: Denomination, value: str = "") -> None:
        super().__init__(value, id=f"count-{denomination.code}", select_on_focus=True, compact=True)
        self.denomination = denomination


class DenominationGrid(Vertical):
    """Count the cash in the drawer by note and coin.

    Enter or Down moves to the next row, Up to the one before; Enter on the last row posts
    :class:`Completed` when every count is readable.

    Args:
        counts: pieces per denomination code to start with (``{"n100": 3}``).
        id: widget id.
    """

    DEFAULT_CSS = """
    DenominationGrid { height: auto; width: 40; }
    DenominationGrid .grid-row { height: 1; }
    DenominationGrid .grid-label { width: 14; }
    DenominationGrid .grid-subtotal { width: 15; text-align: right; }
    DenominationGrid #grid-total-row { height: 1; margin-top: 1; text-style: bold; }
    DenominationGrid #grid-total { width: 24; text-align: right; }
    DenominationGrid #grid-error { color: $error; height: auto; }
    """

    BINDINGS = [
        Binding("down", "move(1)", "Next", show=False, id="denomination_grid.next"),
        Binding("up", "move(-1)", "Previous", show=False, id="denomination_grid.previous"),
    ]

    @dataclass
    class Changed(Message):
        """A count changed; ``total`` is ``None`` while some count cannot be read."""

        grid: DenominationGrid
        total: Money | None

        @property
        def control(self) -> DenominationGrid:
            """The grid that changed."""
            return self.grid

    @dataclass
    class Completed(Message):
        """Enter on the last row with every count readable."""

        grid: DenominationGrid
        counts: dict[str, int]
        total: Money

        @property
        def control(self) -> DenominationGrid:
            """The grid that was completed."""
            return self.grid

    def __init__(self, counts: Mapping[str, int] | None = None, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._start = dict(counts or {})

    def compose(self) -> ComposeResult:
        """One row per denomination, then the total and the error line."""
        for denomination in DENOMINATIONS:
            start = self._start.get(denomination.code, 0)
            with Horizontal(classes="grid-row"):
                yield Label(_(denomination.label), classes="grid-label")
                yield CountInput(denomination, str(start) if start else "")
                yield Static("", id=f"sub-{denomination.code}", classes="grid-subtotal")
        with Horizontal(id="grid-total-row"):
            yield Label(_("Total"), classes="grid-label")
            yield Static("", id="grid-total")
        yield Static("", id="grid-error")

    def on_mount(self) -> None:
        """Show the starting subtotals and total."""
        try:
            for row in self.query(CountInput):
                self._refresh_row(row)
            self._refresh_total()
        except NoMatches:
            # The app is closing while the screen still mounts: its parts are already gone.
            return

    def focus_first(self) -> None:
        """Put the cursor on the first row."""
        self.query(CountInput).first().focus()

    def counts(self) -> dict[str, int]:
        """Pieces per denomination code, zero counts left out.

        Raises:
            InputError: the first count that cannot be read (``count_has_letters``,
                ``count_negative``, ``count_not_whole``, ``count_too_large``).
        """
        result: dict[str, int] = {}
        for row in self.query(CountInput):
            pieces = parse_count(row.value)
            if pieces:
                result[row.denomination.code] = pieces
        return result

    def total(self) -> Money | None:
        """The value of the count, or ``None`` while a count cannot be read."""
        try:
            return count_total(self.counts())
        except InputError:
            return None

    def set_counts(self, counts: Mapping[str, int]) -> None:
        """Replace every count (codes missing from ``counts`` become empty)."""
        for row in self.query(CountInput):
            pieces = counts.get(row.denomination.code, 0)
            row.value = str(pieces) if pieces else ""

    def on_input_changed(self, event: Input.Changed) -> None:
        """Re-value the row and the total as the cashier types."""
        if not isinstance(event.input, CountInput):
            return
        event.stop()
        self._refresh_row(event.input)
        self._refresh_total()
        self.post_message(self.Changed(self, self.total()))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter moves down; on the last row it completes the count."""
        if not isinstance(event.input, CountInput):
            return
        event.stop()
        rows = list(self.query(CountInput))
        if event.input is not rows[-1]:
            self.action_move(1)
            return
        try:
            counts = self.counts()
        except InputError:
            self._focus_first_invalid()
            return
        self.post_message(self.Completed(self, counts, count_total(counts)))

    def action_move(self, step: int) -> None:
        """Move the cursor ``step`` rows (stays on the first or last row at the ends)."""
        rows = list(self.query(CountInput))
        focused = self.screen.focused
        index = rows.index(focused) if focused in rows else -1
        rows[max(0, min(len(rows) - 1, index + step))].focus()

    def _refresh_row(self, row: CountInput) -> None:
        subtotal = self.query_one(f"#sub-{row.denomination.code}", Static)
        try:
            pieces = parse_count(row.value)
        except InputError:
            row.add_class("-bad-count")
            subtotal.update("?")
            return
        row.remove_class("-bad-count")
        value = count_total({row.denomination.code: pieces})
        subtotal.update(format_money(value) if pieces else "")

    def _refresh_total(self) -> None:
        error = self.query_one("#grid-error", Static)
        try:
            counted = count_total(self.counts())
        except InputError as problem:
            self.query_one("#grid-total", Static).update("—")
            error.update(self._error_text(problem))
            return
        self.query_one("#grid-total", Static).update(format_money(counted))
        error.update("")

    def _error_text(self, problem: InputError) -> str:
        for row in self.query(CountInput):
            if row.has_class("-bad-count"):
                return f"{_(row.denomination.label)}: {tr_error(problem)}"
        return tr_error(problem)

    def _focus_first_invalid(self) -> None:
        for row in self.query(CountInput):
            if row.has_class("-bad-count"):
                row.focus()
                return


__all__ = ["CountInput", "DenominationGrid"]
