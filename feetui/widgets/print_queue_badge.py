"""A badge saying how many documents wait to print and why the printer did not take them.

It is a view of the app's ``print_queue`` (a :class:`~feetui.printing.spool.SpoolState` the app
refreshes at start-up and after every print): hidden while nothing waits, otherwise "2 documents
waiting to print: out of paper" in the status bar, so a job left behind by a screen the cashier
has left, or by the last session, is never out of sight. F5 (an app-wide key) retries the queue.
"""

from __future__ import annotations

from textual.widgets import Label

from feetui.i18n import _, ngettext
from feetui.printing.devices import SHORT_REASONS
from feetui.printing.spool import SpoolState


class PrintQueueBadge(Label):
    """The print queue, in words; not displayed while it is empty."""

    DEFAULT_CSS = """
    PrintQueueBadge { width: auto; color: $warning; text-style: bold; display: none; }
    PrintQueueBadge.-waiting { display: block; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id)
        self.state = SpoolState()

    def on_mount(self) -> None:
        """Follow the app's print queue when the app keeps one (the counter app does)."""
        if hasattr(self.app, "print_queue"):
            self.watch(self.app, "print_queue", self._follow, init=True)

    def _follow(self, state: SpoolState | None) -> None:
        if state is not None:
            self.show(state)

    def show(self, state: SpoolState) -> None:
        """Show a new state of the queue."""
        self.state = state
        self.update(self.describe(state))
        self.set_class(state.waiting > 0, "-waiting")

    @staticmethod
    def describe(state: SpoolState) -> str:
        """The badge text for ``state`` (empty when nothing waits)."""
        if state.waiting == 0:
            return ""
        count = ngettext(
            "{count} document waiting to print",
            "{count} documents waiting to print",
            state.waiting,
        ).format(count=state.waiting)
        reason = SHORT_REASONS.get(state.last_failure)
        if reason is None:
            return count
        return _("{count}: {reason}").format(count=count, reason=_(reason))


__all__ = ["PrintQueueBadge"]
