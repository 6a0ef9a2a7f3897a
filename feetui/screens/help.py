"""F1: every key of the screen the cashier was on, with what it does, in their language."""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Footer, Label

from feetui.i18n import N_, _
from feetui.widgets.bindings import TranslatedBindings


@dataclass(frozen=True, slots=True)
class KeyHelp:
    """One row of the help: the key as shown to people, what it does, and how to run it."""

    key: str
    description: str
    action: str = field(compare=False)
    node: DOMNode = field(compare=False, repr=False)


def keys_of(screen: Screen[object]) -> list[KeyHelp]:
    """Every key the cashier can press on ``screen`` now, hidden ones included.

    Args:
        screen: the screen to describe (its focused widget, the screen and the app count).

    Returns:
        One row per key with a description, in the order Textual resolves them.
    """
    rows: list[KeyHelp] = []
    seen: set[str] = set()
    for key, active in screen.active_bindings.items():
        binding = active.binding
        # Textual's own editing keys (Input, DataTable) are not listed: their labels are not
        # ours to translate, and every cashier knows the arrows and Backspace.
        ours = isinstance(active.node, TranslatedBindings)
        if not ours or not binding.description or binding.system or key in seen:
            continue
        seen.add(key)
        display = screen.app.get_key_display(binding)
        rows.append(KeyHelp(display, binding.description, binding.action, active.node))
    return rows


class HelpScreen(TranslatedBindings, ModalScreen[None]):
    """A table of keys; Escape, Enter or F1 closes it.

    Args:
        rows: what to list (see :func:`keys_of`).
    """

    BINDINGS = [Binding("escape,enter,f1", "close", N_("Close"), id="help.close")]

    def __init__(self, rows: list[KeyHelp]) -> None:
        super().__init__()
        self.rows = rows

    def compose(self) -> ComposeResult:
        """A framed table of keys."""
        with Vertical(classes="dialog help-dialog"):
            yield Label(_("Keys on this screen"), classes="dialog-title")
            yield DataTable(id="help-keys", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        """Fill the table."""
        table = self.query_one(DataTable)
        table.add_columns(_("Key"), _("What it does"))
        for row in self.rows:
            table.add_row(Text(row.key), Text(row.description))

    def action_close(self) -> None:
        """Back to the screen underneath."""
        self.dismiss(None)


__all__ = ["HelpScreen", "KeyHelp", "keys_of"]
