"""A modal that shows one problem in words and waits for Enter or Escape."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Footer, Label

from feetui.i18n import N_, _
from feetui.widgets.bindings import TranslatedBindings


class ErrorDialog(TranslatedBindings, ModalScreen[None]):
    """Tell the cashier what went wrong; nothing was changed by the failed action.

    Args:
        message: the translated text to show.
        title: a short translated heading; "Problem" when omitted.
    """

    BINDINGS = [
        Binding("enter,escape", "close", N_("OK"), id="error.close"),
    ]

    def __init__(self, message: str, *, title: str | None = None) -> None:
        super().__init__()
        self.message = message
        self.heading = title or _("Problem")

    def compose(self) -> ComposeResult:
        """A framed box with the heading and the message."""
        with Vertical(classes="dialog error-dialog"):
            yield Label(Content(self.heading), classes="dialog-title")
            yield Label(Content(self.message), id="error-message")
        yield Footer()

    def action_close(self) -> None:
        """Close the dialog."""
        self.dismiss(None)


__all__ = ["ErrorDialog"]
