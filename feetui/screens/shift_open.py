"""Opening a shift: count the float into the drawer, note by note, then F9 (or Enter twice).

Payments need an open shift, so a cashier who signs in on a counter without one lands here. The
count is kept by denomination (what the shift close later compares against); the total follows as
it is typed. The full denomination grid with handover belongs to the shift work (issue 5).
"""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Vertical
from textual.widgets import Footer, Input, Label

from feetui.core.errors import FeeError
from feetui.core.parse import parse_count
from feetui.core.shift import DENOMINATIONS, count_total
from feetui.i18n import N_, _, format_money, tr_error
from feetui.messages import SignOutRequested
from feetui.screens.base import FeeScreen
from feetui.services.shifts import open_shift


class ShiftOpenScreen(FeeScreen[None]):
    """Type how many of each note and coin the drawer holds; F9 opens the shift."""

    BINDINGS = [
        Binding("f9", "open_shift", N_("Open shift"), id="shift_open.open", priority=True),
        Binding("f10", "sign_out", N_("Sign out"), id="shift_open.sign_out"),
    ]
    AUTO_FOCUS = "#count-n100"

    def __init__(self) -> None:
        super().__init__()
        # Made once: pressing F9 twice opens one shift (open_shift replays a known id).
        self.shift_id = ""

    def compose(self) -> ComposeResult:
        """A 3×3 grid of counts, the total and a message line."""
        with Vertical(classes="form shift-open"):
            yield Label(_("Open a shift: count the float"), classes="form-title")
            with Grid(id="float-grid"):
                for denomination in DENOMINATIONS:
                    yield Label(_(denomination.label), classes="count-label")
                    yield Input(
                        "0", id=f"count-{denomination.code}", classes="count-input", compact=True
                    )
            yield Label("", id="float-total", classes="section-title")
            yield Label("", id="shift-open-message", classes="field-error")
        yield Footer()

    def on_mount(self) -> None:
        """Show the total of the zero count and make the id of the shift to open."""
        self.shift_id = self.fee_app.services.ids.new_str()
        self._show_total()

    def _counts(self) -> dict[str, int]:
        """Pieces per denomination as typed.

        Raises:
            InputError: a count is not a whole number of pieces.
        """
        return {
            d.code: parse_count(self.query_one(f"#count-{d.code}", Input).value or "0")
            for d in DENOMINATIONS
        }

    @on(Input.Changed, ".count-input")
    def _show_total(self) -> None:
        label = self.query_one("#float-total", Label)
        try:
            label.update(
                _("Float: {amount}").format(amount=format_money(count_total(self._counts())))
            )
        except FeeError:
            label.update(_("Float: a count is not a whole number"))

    @on(Input.Submitted, ".count-input")
    def _next_field(self) -> None:
        """Enter moves down the grid like Tab; on the last count it opens the shift."""
        inputs = list(self.query(".count-input").results(Input))
        if self.focused is inputs[-1]:
            self.action_open_shift()
        else:
            self.focus_next(Input)

    def action_open_shift(self) -> None:
        """Open the shift with the counted float."""
        try:
            counts = self._counts()
        except FeeError as error:
            self.query_one("#shift-open-message", Label).update(tr_error(error))
            return
        self._open(counts)

    @work(exclusive=True, group="shift-open")
    async def _open(self, counts: dict[str, int]) -> None:
        """Post the shift; on success go on to the lookup."""
        from feetui.screens.lookup import LookupScreen

        user = self.fee_app.user
        assert user is not None  # only reachable after signing in
        try:
            await open_shift(
                self.fee_app.services,
                shift_id=self.shift_id,
                cashier_id=user.id,
                opening_counts=counts,
            )
        except FeeError as error:
            self.query_one("#shift-open-message", Label).update(tr_error(error))
            return
        self.app.switch_screen(LookupScreen())

    def action_sign_out(self) -> None:
        """Leave without opening a shift."""
        self.post_message(SignOutRequested())


__all__ = ["ShiftOpenScreen"]
