"""A yes/no question: Y or Enter answers yes, N or Escape answers no."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Footer, Label

from feetui.i18n import N_
from feetui.widgets.bindings import TranslatedBindings


class ConfirmDialog(TranslatedBindings, ModalScreen[bool]):
    """Ask one question; dismiss with ``True`` for yes and ``False`` for no.

    Args:
        question: the translated question.
    """

    BINDINGS = [
        Binding("y,enter", "answer(True)", N_("Yes"), id="confirm.yes"),
        Binding("n,escape", "answer(False)", N_("No"), id="confirm.no"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        """The question in a framed box."""
        with Vertical(classes="dialog"):
            yield Label(Content(self.question), id="confirm-question")
        yield Footer()

    def action_answer(self, yes: bool) -> None:
        """Close with the answer."""
        self.dismiss(yes)


__all__ = ["ConfirmDialog"]
