"""One unit: who owns it, what it owes (by fee item and period, late fees as of today, age), its
prepaid balance and recent payments. P takes payment, O adds a one-off charge, W waives or
discounts the highlighted line, Tab moves to the payments and Enter opens a receipt."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.css.query import NoMatches
from textual.widgets import DataTable, Footer, Label

from feetui.core.errors import FeeError
from feetui.core.money import Money
from feetui.core.parse import centi_text
from feetui.i18n import N_, _, format_datetime, format_money, tr_error
from feetui.messages import PaymentCodeScanned
from feetui.screens.dialogs.adjustment import AdjustmentDialog, AdjustmentRequest
from feetui.screens.dialogs.one_off import OneOffDialog, OneOffRequest
from feetui.screens.dialogs.supervisor_pin import SupervisorPinDialog
from feetui.screens.unit_arrears import ArrearsNote, UnitArrearsActions
from feetui.services.adjustments import adjust_charge
from feetui.services.charges import add_one_off_charge
from feetui.services.checkout import METHOD_LABELS
from feetui.services.counter import UnitView, list_one_off_items, load_unit, start_checkout
from feetui.widgets.bill_table import BillTable
from feetui.widgets.status_bar import StatusBar
from feetui.widgets.unit_search import tag_text


class UnitScreen(UnitArrearsActions):  # arrears keys F I M N T
    """The unit's account.

    Args:
        unit_id: the unit to show.
    """

    BINDINGS = [
        Binding("p", "pay", N_("Pay"), id="unit.pay"),
        Binding("o", "one_off", N_("One-off charge"), id="unit.one_off"),
        Binding("w", "adjust", N_("Waive/discount"), id="unit.adjust"),
        Binding("tab", "switch_table", N_("Bills / payments"), id="unit.switch"),
        Binding("escape", "back", N_("Back"), id="unit.back"),
    ]
    AUTO_FOCUS = "#unit-bills"

    def __init__(self, unit_id: str) -> None:
        super().__init__()
        self.unit_id = unit_id
        self.view: UnitView | None = None

    def compose(self) -> ComposeResult:
        """Heading, owed lines, payments, message line."""
        user = self.fee_app.user
        yield StatusBar(
            _("Unit"),
            cashier=f"{user.name} ({user.code})" if user else "",
            server=self.fee_app.settings.server,
        )
        with Horizontal(id="unit-figures"):
            yield Label("", id="unit-heading", classes="section-title")
            yield Label("", id="unit-prepaid")
        yield Label("", id="unit-owed")
        yield ArrearsNote("", id="unit-arrears")
        yield BillTable(id="unit-bills")
        yield Label(_("Recent payments"), classes="section-title")
        yield DataTable(id="unit-payments", cursor_type="row", zebra_stripes=True)
        yield Label("", id="unit-message", classes="field-error")
        yield Footer()

    def on_mount(self) -> None:
        """Columns of the payments table, then the unit."""
        payments = self.query_one("#unit-payments", DataTable)
        for label in (_("Time"), _("Receipt"), _("Amount"), _("Paid by"), _("Status")):
            payments.add_column(label)
        self.reload()

    def on_screen_resume(self) -> None:
        """Back from paying or a receipt: show what changed."""
        self.reload()

    @work(exclusive=True, group="unit-load")
    async def reload(self) -> None:
        """Read the unit again and show it."""
        try:
            self.reload_arrears()
            view = await load_unit(self.fee_app.services, self.unit_id)
        except FeeError as error:
            self.say(tr_error(error))
            return
        self.view = view
        try:
            self._show(view)
        except NoMatches:
            return  # the cashier left the screen while it was loading: nothing to show

    def _show(self, view: UnitView) -> None:
        card = view.card
        heading = f"{card.code}  {card.owner_name}  {centi_text(card.area_centi_m2)} m²"
        if card.tags:
            heading += f"  [{tag_text(card.tags)}]"
        self.query_one("#unit-heading", Label).update(Content(heading))
        owed = _("Owes {amount} (late fees {late}) as of {date}").format(
            amount=format_money(card.due), late=format_money(card.late_fees), date=card.today
        )
        if card.oldest_days > 0:
            owed += "  " + _("oldest {days} days overdue").format(days=card.oldest_days)
        self.query_one("#unit-owed", Label).update(Content(owed))
        self.query_one("#unit-prepaid", Label).update(
            Content(_("Prepaid {amount}").format(amount=format_money(card.prepaid)))
        )
        self.query_one(BillTable).show_lines(view.lines, today=card.today)
        self._show_payments(view)

    def _show_payments(self, view: UnitView) -> None:
        table = self.query_one("#unit-payments", DataTable)
        table.clear()
        tz = self.fee_app.services.tz
        for payment in view.payments:
            methods = " ".join(_(METHOD_LABELS.get(m, m)) for m in payment.methods)
            status = _("void") if payment.is_void else ""
            table.add_row(
                Text(format_datetime(payment.created_at, tz)),
                Text(payment.receipt_no),
                Text(format_money(payment.total), justify="right"),
                Text(methods),
                Text(status),
                key=payment.payment_id,
            )

    def say(self, text: str) -> None:
        """Show a message above the footer."""
        self.query_one("#unit-message", Label).update(Content(text))

    def on_payment_code_scanned(self, message: PaymentCodeScanned) -> None:
        """A payer's code scanned before paying: say to press P first."""
        message.stop()
        self.say(_("A payment code was scanned. Press P to pay, then scan it again."))

    # ----------------------------------------------------------------- actions

    def action_pay(self, only: str | None = None) -> None:
        """P: the pay screen with everything owing selected (nothing owed: say so)."""
        from feetui.screens.pay import PayScreen

        if self.view is None:
            return
        try:
            checkout = start_checkout(self.view, only=only)
        except FeeError as error:
            self.say(tr_error(error))
            return
        self.say("")
        self.app.push_screen(PayScreen(self.view.card, checkout))

    def action_switch_table(self) -> None:
        """Tab: between the owed lines and the payments."""
        bills = self.query_one(BillTable)
        target = self.query_one("#unit-payments") if bills.has_focus else bills
        target.focus()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter on a payment: its receipt (reprint, void)."""
        from feetui.screens.receipt import ReceiptScreen

        if event.data_table.id != "unit-payments" or event.row_key.value is None:
            return
        self.app.push_screen(ReceiptScreen(event.row_key.value))

    def action_back(self) -> None:
        """Escape: back to the lookup."""
        self.dismiss(None)

    def _ceiling(self) -> Money:
        return Money(self.fee_app.settings.amount_ceiling_fen)

    def action_adjust(self) -> None:
        """W: waive or discount the highlighted line, with a supervisor's approval."""
        bills = self.query_one(BillTable)
        if self.view is None or not self.view.lines:
            self.say(_("There is no charge line to waive or discount."))
            return
        line = self.view.lines[min(bills.cursor_row, len(self.view.lines) - 1)]
        self.app.push_screen(
            AdjustmentDialog(line, ceiling=self._ceiling()),
            lambda request: self._adjust(line.line_id, request),
        )

    def _adjust(self, charge_id: str, request: AdjustmentRequest | None) -> None:
        user = self.fee_app.user
        if request is None or user is None:
            return
        adjustment_id = self.fee_app.services.ids.new_str()

        async def approve(code: str, pin: str) -> object:
            return await adjust_charge(
                self.fee_app.services,
                adjustment_id=adjustment_id,
                charge_id=charge_id,
                kind=request.kind,
                amount=request.amount,
                reason=request.reason,
                requested_by_id=user.id,
                supervisor_code=code,
                supervisor_pin=pin,
            )

        what = _("Take {amount} off: {reason}").format(
            amount=format_money(request.amount), reason=request.reason
        )
        self.app.push_screen(SupervisorPinDialog(what, approve=approve), self._adjusted)

    def _adjusted(self, result: object) -> None:
        if result is not None:
            self.say(_("Approved and recorded."))
            self.reload()

    def action_one_off(self) -> None:
        """O: add a one-off charge and take payment for it at once."""
        self._open_one_off()

    @work(exclusive=True, group="unit-one-off")
    async def _open_one_off(self) -> None:
        items = await list_one_off_items(self.fee_app.services, self.unit_id)
        if not items:
            self.say(_("This site has no one-off fee items."))
            return
        self.app.push_screen(OneOffDialog(items, ceiling=self._ceiling()), self._one_off_chosen)

    def _one_off_chosen(self, request: OneOffRequest | None) -> None:
        if request is not None:
            self._add_one_off(request, self.fee_app.services.ids.new_str())

    @work(exclusive=True, group="unit-one-off")
    async def _add_one_off(self, request: OneOffRequest, charge_id: str) -> None:
        """Post the charge, then open the pay screen with just that charge selected."""
        user = self.fee_app.user
        assert user is not None
        try:
            await add_one_off_charge(
                self.fee_app.services,
                charge_id=charge_id,
                unit_id=self.unit_id,
                fee_item_id=request.fee_item_id,
                cashier_id=user.id,
                amount=request.amount,
                period=request.label,
            )
            self.view = await load_unit(self.fee_app.services, self.unit_id)
        except FeeError as error:
            self.say(tr_error(error))
            return
        self._show(self.view)
        self.action_pay(only=charge_id)


__all__ = ["UnitScreen"]
