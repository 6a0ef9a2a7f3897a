"""A receipt as it was printed: print it (after the commit), reprint a copy, or void the payment.

Right after a payment this screen prints the receipt in a thread worker: the payment is already
posted, so a printer that fails only changes what this screen says (the reason, and F to retry:
the same queue retry as F5 on every screen).
R prints a copy marked 重打 with its number (each copy is recorded); V voids the payment with a
reason and a supervisor's code and PIN, then prints the void slip.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.css.query import NoMatches
from textual.widgets import Footer, Label, Static

from feetui.core.errors import FeeError
from feetui.i18n import N_, _, format_money, tr_error
from feetui.screens.base import FeeScreen
from feetui.screens.dialogs.supervisor_pin import SupervisorPinDialog
from feetui.screens.dialogs.void_reason import VOID_REASONS, ReasonDialog
from feetui.screens.documents import layout_text, receipt_doc, void_slip_doc
from feetui.services.counter import ReceiptView, load_receipt
from feetui.services.reprints import record_reprint
from feetui.services.voids import PostedVoid, void_payment
from feetui.widgets.status_bar import StatusBar

if TYPE_CHECKING:
    from feetui.printing.spool import SpoolState


class ReceiptScreen(FeeScreen[None]):
    """One payment's receipt.

    Args:
        payment_id: the payment shown.
        print_now: print the original at once (right after posting).
    """

    BINDINGS = [
        Binding("enter", "done", N_("Next resident"), id="receipt.done", priority=True),
        Binding("r", "reprint", N_("Reprint"), id="receipt.reprint"),
        Binding("f", "retry", N_("Retry print"), id="receipt.retry"),
        Binding("v", "void", N_("Void"), id="receipt.void"),
        Binding("escape", "back", N_("Back"), id="receipt.back"),
    ]

    def __init__(self, payment_id: str, *, print_now: bool = False) -> None:
        super().__init__()
        self.payment_id = payment_id
        self.print_now = print_now
        self.view: ReceiptView | None = None
        self.print_failed = False
        self.voiding = False

    def compose(self) -> ComposeResult:
        """Heading, the paper as printed, the printer's answer, a message line."""
        user = self.fee_app.user
        yield StatusBar(
            _("Receipt"),
            cashier=f"{user.name} ({user.code})" if user else "",
            server=self.fee_app.settings.server,
        )
        yield Label("", id="receipt-heading", classes="section-title")
        with VerticalScroll(id="receipt-paper"):
            yield Static("", id="receipt-lines")
        yield Label("", id="receipt-print-status")
        yield Label("", id="receipt-message", classes="field-error")
        yield Footer()

    def on_mount(self) -> None:
        """Load the payment; print the original if this screen follows the posting."""
        # The paper as wide as the printer's, plus the frame and the scroll bar.
        self.query_one("#receipt-paper").styles.width = self.fee_app.settings.printer_columns + 4
        self.watch(self.fee_app, "print_queue", self._queue_changed, init=False)
        self._load(print_original=self.print_now)

    def _queue_changed(self, state: SpoolState | None) -> None:
        """F5 (or another screen) emptied the queue: what failed here has printed now."""
        if self.print_failed and state is not None and state.waiting == 0:
            self._printed(None)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Void only what is not void; retry only after a failed print."""
        if action == "void":
            return self.view is not None and not self.view.is_void
        if action == "retry":
            return self.print_failed
        return True

    @work(exclusive=True, group="receipt-load")
    async def _load(self, *, print_original: bool = False) -> None:
        """Read the posted payment and show its receipt."""
        try:
            view = await load_receipt(self.fee_app.services, self.payment_id)
        except FeeError as error:
            self.say(tr_error(error))
            return
        self.view = view
        doc = receipt_doc(self.view, self.fee_app.settings, self.fee_app.services.tz)
        try:
            self._show(doc)
        except NoMatches:
            return  # the cashier left the screen while it was loading
        self.refresh_bindings()
        if print_original:
            self._print(doc, kind="receipt", copy_count=0)

    def _show(self, doc: object) -> None:
        view = self.view
        assert view is not None
        payment = view.payment
        heading = _("Receipt {number}  {unit}  {amount}").format(
            number=payment.receipt_no,
            unit=payment.unit_code,
            amount=format_money(payment.tendered_total),
        )
        if view.is_void:
            heading += "  " + _("VOID (slip {number})").format(number=view.void_receipt_no)
        self.query_one("#receipt-heading", Label).update(Content(heading))
        lines = layout_text(doc, self.fee_app.settings.printer_columns)  # type: ignore[arg-type]
        self.query_one("#receipt-lines", Static).update(Content("\n".join(lines)))

    def say(self, text: str) -> None:
        """Show a message above the footer."""
        self.query_one("#receipt-message", Label).update(Content(text))

    # ----------------------------------------------------------------- printing

    def _print(self, doc: object, *, kind: str, copy_count: int) -> None:
        self.query_one("#receipt-print-status", Label).update(_("Printing ..."))
        self.fee_app.print_document(
            doc, document_id=self.payment_id, kind=kind, copy_count=copy_count, report=self._printed
        )

    def _printed(self, failure: FeeError | None) -> None:
        """The printer answered (called on the event loop)."""
        self.print_failed = failure is not None
        status = self.query_one("#receipt-print-status", Label)
        if failure is None:
            status.update(_("Printed."))
        else:
            status.update(
                Content(
                    _("Not printed: {reason} The payment is recorded. F retry, R reprint.").format(
                        reason=tr_error(failure)
                    )
                )
            )
        self.refresh_bindings()

    def action_retry(self) -> None:
        """F: send the documents waiting in the print queue again (the same path as F5)."""
        if self.fee_app.retry_printing(report=self._printed):
            self.query_one("#receipt-print-status", Label).update(_("Printing ..."))
        else:
            self.say(_("The waiting documents are being printed already."))

    def action_reprint(self) -> None:
        """R: print a copy, marked and numbered."""
        if self.view is not None:
            self._reprint(self.fee_app.services.ids.new_str())

    @work(exclusive=True, group="receipt-reprint")
    async def _reprint(self, reprint_id: str) -> None:
        user = self.fee_app.user
        assert user is not None and self.view is not None
        try:
            copy = await record_reprint(
                self.fee_app.services,
                reprint_id=reprint_id,
                payment_id=self.payment_id,
                cashier_id=user.id,
            )
        except FeeError as error:
            self.say(tr_error(error))
            return
        settings, tz = self.fee_app.settings, self.fee_app.services.tz
        doc = receipt_doc(self.view, settings, tz, copy_count=copy.copy_count)
        self._show(doc)  # the screen shows what the paper says: the copy and its number
        self._print(doc, kind="receipt", copy_count=copy.copy_count)
        self.say(
            _("Copy {count} of receipt {number}.").format(
                count=copy.copy_count, number=copy.receipt_no
            )
        )

    # ----------------------------------------------------------------- voiding

    def action_void(self) -> None:
        """V: why, then a supervisor's code and PIN; the void is posted by the ledger."""
        if self.view is None or self.view.is_void:
            return
        title = _("Why is receipt {number} voided?").format(number=self.view.payment.receipt_no)
        self.app.push_screen(ReasonDialog(title, VOID_REASONS), self._void_reason)

    def _void_reason(self, reason: str | None) -> None:
        if reason is None or self.view is None:
            return
        user = self.fee_app.user
        assert user is not None
        void_id = self.fee_app.services.ids.new_str()

        async def approve(code: str, pin: str) -> PostedVoid:
            return await void_payment(
                self.fee_app.services,
                void_id=void_id,
                payment_id=self.payment_id,
                cashier_id=user.id,
                supervisor_code=code,
                supervisor_pin=pin,
                reason=reason,
            )

        what = _("Void receipt {number}: {reason}").format(
            number=self.view.payment.receipt_no, reason=reason
        )
        self.app.push_screen(SupervisorPinDialog(what, approve=approve), self._voided)

    def _voided(self, void: PostedVoid | None) -> None:
        """The void is posted: show the receipt as void and print the slip."""
        if void is None or self.view is None:
            return
        settings, tz = self.fee_app.settings, self.fee_app.services.tz
        slip = void_slip_doc(void, self.view, settings, tz)
        self.fee_app.print_document(
            slip, document_id=void.void_id, kind="void_slip", copy_count=0, report=self._printed
        )
        self.say(_("Receipt {number} is void.").format(number=void.payment_receipt_no))
        self._load()

    # ----------------------------------------------------------------- leaving

    def action_done(self) -> None:
        """Enter: back to the lookup for the next resident."""
        self.fee_app.back_to_lookup()

    def action_back(self) -> None:
        """Escape: back to the screen underneath (the unit)."""
        self.dismiss(None)


__all__ = ["ReceiptScreen"]
