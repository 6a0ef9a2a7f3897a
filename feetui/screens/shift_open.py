"""Opening a shift (开班): count the float into the drawer by denomination, then F9.

Payments need an open shift, so a cashier who signs in on a counter without one lands here. When
the last shift of this counter was closed and its drawer not yet taken over, the drawer is not
counted from scratch: the screen hands over to :class:`~feetui.screens.handover.HandoverScreen`,
where the count is compared with what was left (当面点清).
"""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Footer, Label

from feetui.core.errors import FeeError
from feetui.i18n import N_, _, format_money, tr_error
from feetui.messages import SignOutRequested
from feetui.screens.base import FeeScreen
from feetui.widgets.denomination_grid import DenominationGrid


class ShiftOpenScreen(FeeScreen[None]):
    """Count the float note by note (Enter moves down); F9, or Enter on the last row, opens."""

    BINDINGS = [
        Binding("f9", "open_shift", N_("Open shift"), id="shift_open.open"),
        Binding("f10", "sign_out", N_("Sign out"), id="shift_open.sign_out"),
    ]

    def __init__(self) -> None:
        super().__init__()
        # Made once: pressing F9 twice opens one shift (open_shift replays a known id).
        self.shift_id = ""

    def compose(self) -> ComposeResult:
        """The grid under a title, and a message line."""
        with Vertical(classes="form shift-open"):
            yield Label(_("Open a shift: count the float"), classes="form-title")
            yield DenominationGrid(id="open-grid")
            yield Label("", id="shift-open-message", classes="field-error")
        yield Footer()

    async def on_mount(self) -> None:
        """A drawer waiting to be taken over goes to the handover; otherwise count the float."""
        from feetui.screens.handover import HandoverScreen
        from feetui.services.handover import get_pending_handover

        self.shift_id = self.fee_app.services.ids.new_str()
        pending = await get_pending_handover(self.fee_app.services)
        if pending is not None:
            self.app.switch_screen(HandoverScreen(pending))
            return
        self.query_one(DenominationGrid).focus_first()

    def on_denomination_grid_completed(self, _event: DenominationGrid.Completed) -> None:
        """Enter on the last row opens the shift."""
        self.action_open_shift()

    def action_open_shift(self) -> None:
        """Open the shift with the counted float."""
        try:
            counts = self.query_one(DenominationGrid).counts()
        except FeeError:
            # The grid already names the row and the reason, right under the counts.
            self.query_one("#shift-open-message", Label).update(_("Fix the count first."))
            return
        self._open(counts)

    @work(exclusive=True, group="shift-open")
    async def _open(self, counts: dict[str, int]) -> None:
        """Post the shift; on success go on to the lookup."""
        from feetui.screens.lookup import LookupScreen
        from feetui.services.shifts import open_shift

        user = self.fee_app.user
        assert user is not None  # only reachable after signing in
        try:
            opened = await open_shift(
                self.fee_app.services,
                shift_id=self.shift_id,
                cashier_id=user.id,
                opening_counts=counts,
            )
        except FeeError as error:
            self.query_one("#shift-open-message", Label).update(tr_error(error))
            return
        self.notify(
            _("Shift open with a float of {amount}.").format(
                amount=format_money(opened.opening_float)
            )
        )
        self.app.switch_screen(LookupScreen())

    def action_sign_out(self) -> None:
        """Leave without opening a shift."""
        self.post_message(SignOutRequested())


__all__ = ["ShiftOpenScreen"]
