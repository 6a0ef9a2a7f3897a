"""Why something is being voided or waived: a common reason by number, or typed words."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Footer, Input, Label, OptionList
from textual.widgets.option_list import Option

from feetui.i18n import N_, _
from feetui.screens.base import FeeModal

VOID_REASONS = (
    N_("Wrong unit"),
    N_("Wrong amount"),
    N_("Wrong payment method"),
    N_("Payer changed their mind"),
)
WAIVER_REASONS = (
    N_("Approved hardship"),
    N_("Service complaint settled"),
    N_("Billing error"),
    N_("Management decision"),
)
MAX_REASON = 200


class ReasonDialog(FeeModal[str | None]):
    """Pick a reason with the arrows or type one; Enter accepts, Escape cancels.

    Args:
        title: the translated question, e.g. "Why is this receipt voided?".
        reasons: English message ids of the common reasons.
    """

    BINDINGS = [Binding("escape", "cancel", N_("Cancel"), id="reason.cancel")]
    AUTO_FOCUS = "#reason-list"

    def __init__(self, title: str, reasons: tuple[str, ...] = VOID_REASONS) -> None:
        super().__init__()
        self.heading = title
        self.reasons = reasons

    def compose(self) -> ComposeResult:
        """The list of common reasons, then a field for another one."""
        with Vertical(classes="dialog"):
            yield Label(Content(self.heading), classes="dialog-title")
            options = [Option(_(reason)) for reason in self.reasons]
            yield OptionList(*options, id="reason-list")
            yield Label(_("Or type the reason (Tab), then Enter"))
            yield Input(id="reason-text", max_length=MAX_REASON, compact=True)
            yield Label("", id="reason-error", classes="field-error")
        yield Footer()

    @on(OptionList.OptionSelected, "#reason-list")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(_(self.reasons[event.option_index]))

    @on(Input.Submitted, "#reason-text")
    def _typed(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if not text:
            self.query_one("#reason-error", Label).update(_("Type a reason, or pick one above."))
            return
        self.dismiss(text)

    def action_cancel(self) -> None:
        """Close without a reason."""
        self.dismiss(None)


VoidReasonDialog = ReasonDialog
"""The void dialog is the reason dialog with the void reasons (the default)."""

__all__ = ["MAX_REASON", "VOID_REASONS", "WAIVER_REASONS", "ReasonDialog", "VoidReasonDialog"]
