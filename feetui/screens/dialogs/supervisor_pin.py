"""A supervisor's code and PIN, for a void, a waiver or a discount; refused inline when wrong."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Footer, Input, Label

from feetui.core.errors import FeeError
from feetui.i18n import N_, _, tr_error
from feetui.screens.base import FeeModal

Approve = Callable[[str, str], Awaitable[Any]]
"""Runs the approved use case with a supervisor's code and PIN (the use case checks them)."""


class SupervisorPinDialog(FeeModal[Any]):
    """Ask a supervisor to approve ``what``; dismiss with the use case's result, or ``None``.

    The use case itself checks the code and PIN, so a wrong PIN, an unknown code, a cashier's
    code, or any other refusal is shown here with its reason and nothing is posted.

    Args:
        what: the translated action being approved, e.g. "Void receipt A1B2-00000012".
        approve: the use case, called with the typed code and PIN.
    """

    BINDINGS = [Binding("escape", "cancel", N_("Cancel"), id="supervisor.cancel")]
    AUTO_FOCUS = "#supervisor-code"

    def __init__(self, what: str, *, approve: Approve) -> None:
        super().__init__()
        self.what = what
        self.approve = approve

    def compose(self) -> ComposeResult:
        """Code and PIN fields under what is being approved."""
        with Vertical(classes="dialog"):
            yield Label(_("Supervisor approval"), classes="dialog-title")
            yield Label(Content(self.what))
            yield Label(_("Supervisor code"))
            yield Input(id="supervisor-code", compact=True)
            yield Label(_("Supervisor PIN"))
            yield Input(id="supervisor-pin", password=True, compact=True)
            yield Label("", id="supervisor-error", classes="field-error")
        yield Footer()

    @on(Input.Submitted, "#supervisor-code")
    def _code_entered(self) -> None:
        self.query_one("#supervisor-pin", Input).focus()

    @on(Input.Submitted, "#supervisor-pin")
    def _pin_entered(self) -> None:
        code = self.query_one("#supervisor-code", Input).value
        pin = self.query_one("#supervisor-pin", Input).value
        self._check(code, pin)

    @work(exclusive=True, group="supervisor")
    async def _check(self, code: str, pin: str) -> None:
        """Run the approved action, or say why not and let them try again."""
        try:
            result = await self.approve(code, pin)
        except FeeError as error:
            self.query_one("#supervisor-error", Label).update(tr_error(error))
            self.query_one("#supervisor-pin", Input).value = ""
            self.query_one("#supervisor-pin", Input).focus()
            return
        self.dismiss(result)

    def action_cancel(self) -> None:
        """Close without approval."""
        self.dismiss(None)


__all__ = ["Approve", "SupervisorPinDialog"]
