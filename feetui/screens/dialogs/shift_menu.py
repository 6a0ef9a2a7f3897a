"""The shift menu (F8 on the lookup): cash in and out, the expected cash, today's daily report,
closing the shift.

One key each. The menu knows the open shift; cash movements open their dialog in its place, the
close replaces it with the close screen. The expected cash is shown right here, unless the
counter's settings hide it until the close. R prints the daily report (收费日报表) of the
counter's business date through the print queue, like every document.
"""

from __future__ import annotations

from functools import partial

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Footer, Label

from feetui.core.errors import FeeError
from feetui.core.money import Money
from feetui.i18n import N_, _, format_money, tr_error
from feetui.screens.base import FeeModal
from feetui.services.cash_movements import record_cash_movement
from feetui.services.reports import ShiftHeader, get_open_shift_header
from feetui.services.shifts import get_drawer_cash


class ShiftMenu(FeeModal[None]):
    """Keys: i pay-in, o pay-out, d bank deposit, e expected cash, r daily report, c close."""

    BINDINGS = [
        Binding("i", "movement('pay_in')", N_("Pay-in"), id="shift_menu.pay_in"),
        Binding("o", "movement('pay_out')", N_("Pay-out"), id="shift_menu.pay_out"),
        Binding("d", "movement('deposit')", N_("Bank deposit"), id="shift_menu.deposit"),
        Binding("e", "expected", N_("Expected cash"), id="shift_menu.expected"),
        Binding("r", "daily_report", N_("Daily report"), id="shift_menu.daily_report"),
        Binding("c", "close_shift", N_("Close shift"), id="shift_menu.close"),
        Binding("escape", "cancel", N_("Back"), id="shift_menu.cancel"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.shift: ShiftHeader | None = None

    def compose(self) -> ComposeResult:
        """The shift's name, the keys, and a line for the expected cash or a message."""
        with Vertical(classes="dialog"):
            yield Label(_("Shift"), id="shift-menu-title", classes="dialog-title")
            for key, words in (
                ("i", _("Pay cash into the drawer")),
                ("o", _("Pay cash out of the drawer")),
                ("d", _("Bank deposit")),
                ("e", _("Show the expected cash")),
                ("r", _("Print today's daily report")),
                ("c", _("Close the shift (count the cash)")),
            ):
                yield Label(Content(f"{key}  {words}"))
            yield Label("", id="shift-menu-message", classes="field-error")
        yield Footer()

    async def on_mount(self) -> None:
        """Find the open shift; without one, say so."""
        self.shift = await get_open_shift_header(self.fee_app.services)
        title = self.query_one("#shift-menu-title", Label)
        if self.shift is None:
            self._say(_("No shift is open on this counter: open a shift first."))
            return
        title.update(
            Content(
                _("Shift {number} · {cashier}").format(
                    number=self.shift.shift_no, cashier=self.shift.cashier_name
                )
            )
        )

    def _say(self, text: str) -> None:
        self.query_one("#shift-menu-message", Label).update(Content(text))

    def action_movement(self, kind: str) -> None:
        """Open the pay-in, pay-out or deposit dialog in the menu's place."""
        from feetui.screens.dialogs.cash_movement import CashMovementDialog

        if self.shift is None or self.fee_app.user is None:
            return
        services = self.fee_app.services
        # One id for the dialog's life: pressing Enter twice records one movement (R4).
        post = partial(
            _post,
            services,
            movement_id=services.ids.new_str(),
            kind=kind,
            shift_id=self.shift.shift_id,
            cashier_id=self.fee_app.user.id,
        )
        dialog = CashMovementDialog(
            kind, post=post, ceiling=Money(services.settings.amount_ceiling_fen)
        )
        self.app.switch_screen(dialog)

    @work(exclusive=True, group="shift-menu")
    async def action_expected(self) -> None:
        """Show the running expected cash (or why it is hidden)."""
        if self.shift is None:
            return
        try:
            drawer = await get_drawer_cash(self.fee_app.services, shift_id=self.shift.shift_id)
        except FeeError as error:
            self._say(tr_error(error))
            return
        self._say(_("Expected cash now: {amount}").format(amount=format_money(drawer.expected)))

    @work(exclusive=True, group="shift-menu")
    async def action_daily_report(self) -> None:
        """Build today's daily report (the whole site as this counter knows it) and print it."""
        from feetui.screens.documents import daily_report_for

        try:
            doc, day = await daily_report_for(self.fee_app.services)
        except FeeError as error:
            self._say(tr_error(error))
            return
        self._say(_("Printing the daily report of {date} ...").format(date=day.isoformat()))
        self.fee_app.print_document(
            doc,
            document_id=f"daily-{day.isoformat()}",
            kind="daily_report",
            copy_count=0,
            report=partial(self._report_printed, day.isoformat()),
        )

    def _report_printed(self, day: str, failure: FeeError | None) -> None:
        if failure is None:
            self._say(_("The daily report of {date} is printed.").format(date=day))
        else:
            self._say(
                _("The daily report was not printed: {reason} It waits in the print queue.").format(
                    reason=tr_error(failure)
                )
            )

    def action_close_shift(self) -> None:
        """Go to the blind count."""
        from feetui.screens.shift_close import ShiftCloseScreen

        if self.shift is not None:
            self.app.switch_screen(ShiftCloseScreen(self.shift))

    def action_cancel(self) -> None:
        """Back to where the menu was opened."""
        self.dismiss(None)


async def _post(
    services: object,
    amount: Money,
    reason: str,
    slip: str,
    *,
    movement_id: str,
    kind: str,
    shift_id: str,
    cashier_id: str,
) -> object:
    return await record_cash_movement(
        services,  # type: ignore[arg-type]
        movement_id=movement_id,
        shift_id=shift_id,
        cashier_id=cashier_id,
        kind=kind,
        amount=amount,
        reason=reason,
        slip_no=slip,
    )


__all__ = ["ShiftMenu"]
