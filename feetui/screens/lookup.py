"""The home screen: one search box, results as you type, Enter opens the unit."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Label

from feetui.core.search import UnitHit
from feetui.i18n import N_, _
from feetui.messages import PaymentCodeScanned, SignOutRequested, UnitChosen
from feetui.screens.base import FeeScreen
from feetui.services.lookup import find_units
from feetui.widgets.status_bar import StatusBar
from feetui.widgets.unit_search import SHOWN, UnitSearch


class LookupScreen(FeeScreen[None]):
    """Find a unit by room code, owner name, pinyin initials, phone tail or car plate."""

    BINDINGS = [
        Binding("enter", "open", N_("Open unit"), id="lookup.open", priority=True),
        Binding("escape", "clear", N_("Clear"), id="lookup.clear"),
        Binding("f8", "shift_menu", N_("Shift"), id="lookup.shift_menu"),
        Binding("f10", "sign_out", N_("Sign out"), id="lookup.sign_out"),
        Binding("f6", "arrears", N_("Arrears"), id="lookup.arrears"),
    ]
    AUTO_FOCUS = "#unit-search-input"

    def compose(self) -> ComposeResult:
        """Status bar, the search, the footer."""
        user = self.fee_app.user
        yield StatusBar(
            _("Find a unit"),
            cashier=f"{user.name} ({user.code})" if user else "",
            server=self.fee_app.settings.server,
        )
        yield UnitSearch(self._search, id="unit-search")
        yield Label("", id="lookup-message", classes="field-error")
        yield Footer()

    async def _search(self, query: str) -> list[UnitHit]:
        # One more than shown, so the list can say there are more.
        return await find_units(query, limit=SHOWN + 1)

    def on_screen_resume(self) -> None:
        """Back from a unit: ready for the next resident (the old query selected), the results
        searched again so their arrears are today's (a payment was perhaps just taken)."""
        search = self.query_one(UnitSearch)
        search.focus_box()
        search.refresh_results()

    def on_unit_search_chosen(self, event: UnitSearch.Chosen) -> None:
        """Open the unit the cashier picked."""
        self.post_message(UnitChosen(event.hit.unit_id))

    def on_payment_code_scanned(self, message: PaymentCodeScanned) -> None:
        """A payer's code scanned here: say where it belongs, right under the search box."""
        message.stop()
        self.query_one("#lookup-message", Label).update(
            _("A payment code was scanned. Open a unit and press Pay first.")
        )

    def on_unit_search_searched(self, event: UnitSearch.Searched) -> None:
        """Searching again clears an old message."""
        if event.query:
            self.query_one("#lookup-message", Label).update("")

    def action_open(self) -> None:
        """Enter: open the highlighted unit."""
        self.query_one(UnitSearch).choose()

    def action_clear(self) -> None:
        """Empty the search box."""
        search_box = self.query_one(UnitSearch)
        search_box.query_one("#unit-search-input").value = ""  # type: ignore[attr-defined]
        search_box.focus_box()

    def action_arrears(self) -> None:
        """F6: the arrears work list (feetui/screens/arrears.py)."""
        from feetui.screens.arrears import ArrearsScreen

        self.app.push_screen(ArrearsScreen())

    def action_shift_menu(self) -> None:
        """F8: cash in and out, the expected cash, closing the shift."""
        from feetui.screens.dialogs.shift_menu import ShiftMenu

        self.app.push_screen(ShiftMenu())

    def action_sign_out(self) -> None:
        """Leave the counter to the next cashier."""
        self.post_message(SignOutRequested())


__all__ = ["LookupScreen"]
