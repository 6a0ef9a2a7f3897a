"""The one-line bar at the top of the working screens: screen, cashier, print queue, sync state."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Label

from feetui.widgets.print_queue_badge import PrintQueueBadge
from feetui.widgets.sync_badge import SyncBadge


class StatusBar(Horizontal):
    """Screen title, who is signed in, the print queue (when something waits) and the sync badge.

    Args:
        title: the screen's name, translated.
        cashier: the signed-in cashier's name and code.
        server: the configured headquarters URL (empty: standalone).
    """

    DEFAULT_CSS = """
    StatusBar { height: 1; background: $panel; padding: 0 1; }
    StatusBar > Label { width: auto; margin-right: 2; }
    StatusBar > .status-title { text-style: bold; }
    StatusBar > #status-cashier { width: 1fr; min-width: 0; text-overflow: ellipsis; }
    """

    def __init__(self, title: str, *, cashier: str, server: str) -> None:
        super().__init__()
        self.title_text = title
        self.cashier = cashier
        self.server = server

    def compose(self) -> ComposeResult:
        """Title, cashier, print queue, sync badge; the cashier's name gives way when the line
        is full (80 columns with a long print-queue reason), never the badges."""
        yield Label(Content(self.title_text), classes="status-title")
        yield Label(Content(self.cashier), id="status-cashier")
        yield PrintQueueBadge(id="status-print-queue")
        yield SyncBadge(self.server)


__all__ = ["StatusBar"]
