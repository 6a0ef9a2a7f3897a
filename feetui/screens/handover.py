"""Taking the drawer over (接班, 当面点清): count what was left, confirm with your PIN.

The incoming cashier counts the drawer in the denomination grid; F9 shows what the outgoing
cashier left at their close beside the count, and the difference, which is recorded against the
outgoing shift and needs a note. The PIN confirms; F12 (or Enter on the PIN) accepts, opens the
incoming cashier's shift with the count as its float, and goes to the lookup. A wrong PIN or a
missing note is refused here and records nothing.
"""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Footer, Input, Label

from feetui.core.errors import FeeError
from feetui.i18n import N_, _, format_datetime, format_money, tr_error
from feetui.messages import SignOutRequested
from feetui.screens.base import FeeScreen
from feetui.services.handover import HandoverPreview, PendingHandover
from feetui.widgets.denomination_grid import DenominationGrid


class HandoverScreen(FeeScreen[None]):
    """Count, F9 to compare with what was left, note, PIN, F12 to take the drawer over."""

    BINDINGS = [
        Binding("f9", "check", N_("Show result"), id="handover.check"),
        Binding("f12", "accept", N_("Take over"), id="handover.accept"),
        Binding("f10", "sign_out", N_("Sign out"), id="handover.sign_out"),
    ]

    def __init__(self, pending: PendingHandover) -> None:
        super().__init__()
        self.pending = pending
        self.preview: HandoverPreview | None = None
        # Made once: a second F12 replays the same acceptance instead of making another.
        self.handover_id = ""
        self.next_shift_id = ""

    def compose(self) -> ComposeResult:
        """The grid on the left; what was left, the difference, note and PIN on the right."""
        tz = self.fee_app.services.tz
        title = _("Take over the drawer of {name} (closed {time})").format(
            name=self.pending.cashier_name, time=format_datetime(self.pending.closed_at, tz)
        )
        yield Label(Content(title), classes="section-title", id="handover-title")
        with Horizontal(id="handover-body"):
            yield DenominationGrid(id="handover-grid")
            with Vertical(id="handover-side"):
                yield Label(
                    _("Count the cash in the drawer with the outgoing cashier, then press F9."),
                    id="handover-hint",
                )
                yield Label("", id="handover-left")
                yield Label("", id="handover-counted")
                yield Label("", id="handover-difference", classes="big-amount")
                yield Label(_("Note"))
                yield Input(id="handover-note", max_length=200, compact=True)
                yield Label(_("Your PIN to confirm"))
                yield Input(id="handover-pin", password=True, compact=True)
                yield Label("", id="handover-message", classes="field-error")
        yield Footer()

    def on_mount(self) -> None:
        """Start counting at the first note."""
        ids = self.fee_app.services.ids
        self.handover_id, self.next_shift_id = ids.new_str(), ids.new_str()
        self._show_result(False)
        self.query_one(DenominationGrid).focus_first()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Take over only once the count has been compared."""
        if action == "accept":
            return self.preview is not None
        return True

    def on_denomination_grid_changed(self, _event: DenominationGrid.Changed) -> None:
        """A new count hides the comparison until F9 again."""
        if self.preview is not None:
            self.preview = None
            self._show_result(False)
            self.refresh_bindings()

    def on_denomination_grid_completed(self, _event: DenominationGrid.Completed) -> None:
        """Enter on the last row compares the count."""
        self.action_check()

    def _counts(self) -> dict[str, int] | None:
        try:
            return self.query_one(DenominationGrid).counts()
        except FeeError as error:
            self._say(tr_error(error))
            return None

    @work(exclusive=True, group="handover")
    async def action_check(self) -> None:
        """Show what was left beside the count (nothing is written)."""
        from feetui.services.handover import preview_handover

        counts = self._counts()
        if counts is None:
            return
        try:
            preview = await preview_handover(
                self.fee_app.services, from_shift_id=self.pending.shift_id, counts=counts
            )
        except FeeError as error:
            self._say(tr_error(error))
            return
        self.preview = preview
        self.query_one("#handover-left", Label).update(
            _("Left by {name}: {amount}").format(
                name=self.pending.cashier_name, amount=format_money(preview.left)
            )
        )
        self.query_one("#handover-counted", Label).update(
            _("Counted now: {amount}").format(amount=format_money(preview.counted))
        )
        self.query_one("#handover-difference", Label).update(_difference_text(preview))
        self._show_result(True)
        self._say("")
        self.refresh_bindings()
        self.query_one("#handover-note" if preview.difference else "#handover-pin").focus()

    def _show_result(self, shown: bool) -> None:
        for selector in ("#handover-left", "#handover-counted", "#handover-difference"):
            self.query_one(selector).display = shown
        self.query_one("#handover-hint").display = not shown

    def _say(self, text: str) -> None:
        self.query_one("#handover-message", Label).update(Content(text))

    @on(Input.Submitted, "#handover-note")
    def _note_entered(self) -> None:
        self.query_one("#handover-pin", Input).focus()

    @on(Input.Submitted, "#handover-pin")
    def _pin_entered(self) -> None:
        self.action_accept()

    def action_accept(self) -> None:
        """Take the drawer over with the compared count, the note and the PIN."""
        counts = self._counts()
        if self.preview is None or counts is None:
            if self.preview is None:
                self._say(_("Press F9 to compare the count first."))
            return
        note = self.query_one("#handover-note", Input).value
        pin = self.query_one("#handover-pin", Input).value
        self._accept(counts, note, pin)

    @work(exclusive=True, group="handover")
    async def _accept(self, counts: dict[str, int], note: str, pin: str) -> None:
        """Post the acceptance and the new shift; then go to the lookup."""
        from feetui.screens.lookup import LookupScreen
        from feetui.services.handover import accept_handover

        user = self.fee_app.user
        assert user is not None  # only reachable after signing in
        try:
            accepted = await accept_handover(
                self.fee_app.services,
                handover_id=self.handover_id,
                next_shift_id=self.next_shift_id,
                from_shift_id=self.pending.shift_id,
                code=user.code,
                pin=pin,
                counts=counts,
                note=note,
            )
        except FeeError as error:
            self._refused(error)
            return
        self.notify(
            _("You now hold the drawer: float {amount}.").format(
                amount=format_money(accepted.counted)
            )
        )
        self.app.switch_screen(LookupScreen())

    def _refused(self, error: FeeError) -> None:
        self._say(tr_error(error))
        pin = self.query_one("#handover-pin", Input)
        if error.code == "handover_note_required":
            self.query_one("#handover-note", Input).focus()
        elif error.code in ("pin_wrong", "pin_empty", "code_locked"):
            pin.value = ""
            pin.focus()

    def action_sign_out(self) -> None:
        """Leave without taking the drawer over."""
        self.post_message(SignOutRequested())


def _difference_text(preview: HandoverPreview) -> str:
    if preview.difference.fen > 0:
        return _("{amount} more than was left").format(amount=format_money(preview.difference))
    if preview.difference.fen < 0:
        return _("{amount} missing").format(amount=format_money(-preview.difference))
    return _("The count matches what was left")


__all__ = ["HandoverScreen"]
