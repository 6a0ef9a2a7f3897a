"""The one-line bar at the top of the working screens: the screen, the cashier, the sync state."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Label

from feetui.widgets.sync_badge import SyncBadge


class StatusBar(Horizontal):
    """Screen title, who is signed in, and the sync badge, left to right.

    Args:
        title: the screen's name, translated.
        cashier: the signed-in cashier's name and code.
        server: the configured headquarters URL (empty: standalone).
    """

    DEFAULT_CSS = """
    StatusBar { height: 1; background: $panel; padding: 0 1; }
    StatusBar > Label { width: auto; margin-right: 2; }
    StatusBar > .status-title { text-style: bold; }
    StatusBar > .status-spacer { width: 1fr; }
    """

    def __init__(self, title: str, *, cashier: str, server: str) -> None:
        super().__init__()
        self.title_text = title
        self.cashier = cashier
        self.server = server

    def compose(self) -> ComposeResult:
        """Title, cashier, spacer, badge."""
        yield Label(Content(self.title_text), classes="status-title")
        yield Label(Content(self.cashier), id="status-cashier")
        yield Label("", classes="status-spacer")
        yield SyncBadge(self.server)


__all__ = ["StatusBar"]
