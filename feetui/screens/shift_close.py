"""Closing the shift (交班): a blind count, then expected against counted and the settlement slips.

The cashier counts the drawer in the denomination grid without seeing the expected cash. F9 shows
the result: expected, counted and the over/short (长款/短款), and the shift's own total for each
non-cash method with a field for the figure on the card terminal's or the platform's settlement
slip. A difference needs a note. F12 closes the shift for good and prints the shift slip after the
commit; changing the count afterwards hides the result again until F9. Once closed, F10 signs out
so the next cashier can take the drawer over.
"""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Footer, Input, Label

from feetui.core.errors import FeeError
from feetui.core.money import Money
from feetui.i18n import N_, _, format_money, tr_error
from feetui.messages import SignOutRequested
from feetui.screens.base import FeeScreen
from feetui.services.reports import METHOD_LABELS, ShiftHeader
from feetui.services.shifts import SETTLEMENT_METHODS, ClosedShift, ClosePreview
from feetui.widgets.denomination_grid import DenominationGrid
from feetui.widgets.money_input import MoneyInput


def over_short_text(amount: Money) -> str:
    """长款 ¥1.00 / 短款 ¥1.00 / balanced, for people."""
    if amount.fen > 0:
        return _("Over {amount}").format(amount=format_money(amount))
    if amount.fen < 0:
        return _("Short {amount}").format(amount=format_money(-amount))
    return _("Balanced")


class ShiftCloseScreen(FeeScreen[None]):
    """Count, F9 to see the result, note and slips, F12 to close; F10 signs out once closed."""

    BINDINGS = [
        Binding("f9", "check", N_("Show result"), id="shift_close.check"),
        Binding("f12", "close_shift", N_("Close shift"), id="shift_close.close"),
        Binding("f10", "sign_out", N_("Sign out"), id="shift_close.sign_out"),
        Binding("escape", "back", N_("Back"), id="shift_close.back"),
    ]

    def __init__(self, shift: ShiftHeader) -> None:
        super().__init__()
        self.shift = shift
        self.preview: ClosePreview | None = None
        self.closed: ClosedShift | None = None
        # Made once: pressing F12 twice closes once (close_shift replays a known id).
        self.close_id = ""

    def compose(self) -> ComposeResult:
        """The grid on the left, the result and the slips on the right."""
        title = _("Close shift {number} · {cashier}").format(
            number=self.shift.shift_no, cashier=self.shift.cashier_name
        )
        yield Label(Content(title), classes="section-title", id="close-title")
        with Horizontal(id="close-body"):
            yield DenominationGrid(id="close-grid")
            with Vertical(id="close-side"):
                yield Label(
                    _("Count the cash in the drawer. The expected cash is shown after the count."),
                    id="close-hint",
                )
                yield Label("", id="close-expected")
                yield Label("", id="close-counted")
                yield Label("", id="close-over-short", classes="big-amount")
                yield Vertical(id="close-slips")
                yield Label(_("Note"), id="close-note-label")
                yield Input(id="close-note", max_length=200, compact=True)
                yield Label("", id="close-message", classes="field-error")
        yield Footer()

    def on_mount(self) -> None:
        """Start counting at the first note; the result stays hidden."""
        self.close_id = self.fee_app.services.ids.new_str()
        self._show_result(False)
        self.query_one(DenominationGrid).focus_first()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Offer only what can be done now: check, then close, then sign out."""
        if action == "close_shift":
            return self.preview is not None and self.closed is None
        if action == "check":
            return self.closed is None
        if action == "sign_out":
            return self.closed is not None
        if action == "back":
            return self.closed is None
        return True

    # ------------------------------------------------------------------ the blind count

    def on_denomination_grid_changed(self, _event: DenominationGrid.Changed) -> None:
        """A new count hides the result until it is checked again."""
        if self.preview is not None and self.closed is None:
            self.preview = None
            self._show_result(False)
            self.refresh_bindings()

    def on_denomination_grid_completed(self, _event: DenominationGrid.Completed) -> None:
        """Enter on the last row checks the count."""
        self.action_check()

    def _counts(self) -> dict[str, int] | None:
        try:
            return self.query_one(DenominationGrid).counts()
        except FeeError as error:
            self._say(tr_error(error))
            return None

    @work(exclusive=True, group="shift-close")
    async def action_check(self) -> None:
        """Compare the count with the expected cash (nothing is written)."""
        from feetui.services.shifts import preview_close

        counts = self._counts()
        if counts is None:
            return
        try:
            preview = await preview_close(
                self.fee_app.services, shift_id=self.shift.shift_id, counts=counts
            )
        except FeeError as error:
            self._say(tr_error(error))
            return
        self.preview = preview
        await self._show_preview(preview)
        self.refresh_bindings()

    async def _show_preview(self, preview: ClosePreview) -> None:
        self.query_one("#close-expected", Label).update(
            _("Expected cash: {amount}").format(amount=format_money(preview.expected))
        )
        self.query_one("#close-counted", Label).update(
            _("Counted cash: {amount}").format(amount=format_money(preview.counted))
        )
        self.query_one("#close-over-short", Label).update(over_short_text(preview.over_short))
        await self._show_slips(preview)
        self._show_result(True)
        self._say("")
        target = "#close-note" if preview.over_short else ".slip-input"
        found = self.query(target)
        (found.first() if found else self.query_one("#close-note", Input)).focus()

    async def _show_slips(self, preview: ClosePreview) -> None:
        """One line per non-cash method: the shift's total, and the slip's figure if checked."""
        slips = self.query_one("#close-slips", Vertical)
        await slips.remove_children()
        rows = []
        for method, recorded in preview.non_cash.items():
            name = _(METHOD_LABELS.get(method, method))
            label = Label(Content(f"{name} {format_money(recorded)}"), classes="slip-label")
            if method in SETTLEMENT_METHODS:
                field = MoneyInput(
                    ceiling=Money(self.fee_app.services.settings.amount_ceiling_fen),
                    allow_zero=True,
                    placeholder=_("slip"),
                    id=f"slip-{method}",
                )
                field.add_class("slip-input")
                rows.append(Horizontal(label, field, classes="slip-row"))
            else:
                rows.append(Horizontal(label, classes="slip-row"))
        await slips.mount_all([Label(_("Settlement slips"), classes="section-title"), *rows])

    def _show_result(self, shown: bool) -> None:
        for selector in ("#close-expected", "#close-counted", "#close-over-short", "#close-slips"):
            self.query_one(selector).display = shown
        self.query_one("#close-hint", Label).display = not shown

    def _say(self, text: str) -> None:
        self.query_one("#close-message", Label).update(Content(text))

    @on(Input.Submitted, "#close-note")
    def _note_entered(self) -> None:
        found = self.query(".slip-input")
        if found:
            found.first().focus()

    @on(MoneyInput.Confirmed, ".slip-input")
    @on(MoneyInput.Rejected, ".slip-input")
    def _slip_entered(self, event: MoneyInput.Confirmed | MoneyInput.Rejected) -> None:
        if isinstance(event, MoneyInput.Rejected):
            self._say(tr_error(event.error))
            return
        self._say("")
        self.focus_next()

    # ------------------------------------------------------------------ closing

    def _slips(self) -> dict[str, Money] | None:
        """The slip figures typed (empty fields are not checked)."""
        figures: dict[str, Money] = {}
        for field in self.query(".slip-input").results(MoneyInput):
            if not field.value.strip():
                continue
            try:
                figures[field.id.removeprefix("slip-")] = field.amount()  # type: ignore[union-attr]
            except FeeError as error:
                self._say(tr_error(error))
                field.focus()
                return None
        return figures

    def action_close_shift(self) -> None:
        """Close the shift with the checked count, the note and the slips."""
        counts, slips = self._counts(), self._slips()
        if self.preview is None or counts is None or slips is None:
            return
        note = self.query_one("#close-note", Input).value
        self._close(counts, note, slips, self.preview.expected)

    @work(exclusive=True, group="shift-close")
    async def _close(
        self, counts: dict[str, int], note: str, slips: dict[str, Money], expected: Money
    ) -> None:
        """Post the close; then print the slip and offer to sign out."""
        from feetui.services.shifts import close_shift

        user = self.fee_app.user
        assert user is not None  # only reachable after signing in
        try:
            self.closed = await close_shift(
                self.fee_app.services,
                close_id=self.close_id,
                shift_id=self.shift.shift_id,
                closed_by=user.id,
                counts=counts,
                note=note,
                settlement_slips=slips,
                expected_seen=expected,
            )
        except FeeError as error:
            self._say(tr_error(error))
            if error.code == "over_short_note_required":
                self.query_one("#close-note", Input).focus()
            return
        self._after_close()
        await self._print_slip()

    def _after_close(self) -> None:
        self.query_one(DenominationGrid).disabled = True
        self.query_one("#close-note", Input).disabled = True
        for field in self.query(".slip-input"):
            field.disabled = True
        self._say(_("The shift is closed. Press F10 to sign out and hand the drawer over."))
        self.refresh_bindings()

    async def _print_slip(self) -> None:
        """Build the slip from the records (after the commit) and send it to the printer."""
        from feetui.services.report_documents import shift_report_doc
        from feetui.services.reports import build_shift_report

        services = self.fee_app.services
        report = await build_shift_report(services, shift_id=self.shift.shift_id)
        doc = shift_report_doc(
            report,
            company=services.settings.company_name,
            tz=services.tz,
            printed_at=services.clock.now(),
        )
        self.fee_app.print_document(
            doc,
            document_id=self.close_id,
            kind="shift_report",
            copy_count=0,
            report=self._printed,
        )

    def _printed(self, failure: FeeError | None) -> None:
        if failure is not None:
            self._say(
                _(
                    "The shift is closed, but the slip was not printed: {reason} "
                    "It waits in the print queue: F5 prints it."
                ).format(reason=tr_error(failure))
            )

    def action_sign_out(self) -> None:
        """Hand over: the next cashier signs in and takes the drawer."""
        self.post_message(SignOutRequested())

    def action_back(self) -> None:
        """Leave without closing."""
        self.dismiss(None)


__all__ = ["ShiftCloseScreen", "over_short_text"]
