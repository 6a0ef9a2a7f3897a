"""Choose a unit's resident tags (needs a home visit, elderly, ...): Space toggles, Enter saves."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Footer, Label, SelectionList

from feetui.core.errors import FeeError
from feetui.core.tags import TAGS
from feetui.i18n import N_, _, tr_error
from feetui.screens.base import FeeModal

Submit = Callable[[list[str]], Awaitable[Any]]
"""Saves the chosen tag codes (``feetui.services.tags.set_unit_tags``, bound by the screen)."""


class UnitTagsDialog(FeeModal[Any]):
    """Toggle the counter's tags of a unit and save them through ``submit``.

    Args:
        heading: the translated heading (unit).
        current: the unit's tag codes now.
        submit: saves the chosen codes.
    """

    BINDINGS = [
        Binding("enter,f2", "save", N_("Save"), id="tags.save", priority=True),
        Binding("escape", "cancel", N_("Cancel"), id="tags.cancel"),
    ]
    AUTO_FOCUS = "#tags-list"
    DEFAULT_CSS = """
    UnitTagsDialog { align: center middle; }
    UnitTagsDialog > Vertical { width: 60; height: auto; border: round $accent; padding: 0 1; }
    UnitTagsDialog SelectionList { height: auto; }
    UnitTagsDialog #tags-error { color: $error; }
    """

    def __init__(self, heading: str, *, current: Sequence[str], submit: Submit) -> None:
        super().__init__()
        self.heading = heading
        self.current = set(current)
        self.submit = submit

    def compose(self) -> ComposeResult:
        """The tags with check boxes, the error line."""
        with Vertical():
            yield Label(self.heading, classes="dialog-title")
            yield SelectionList[str](
                *((_(t.label), t.code, t.code in self.current) for t in TAGS), id="tags-list"
            )
            yield Label(_("Space: tick or untick. Enter: save."))
            yield Label("", id="tags-error")
        yield Footer()

    def action_save(self) -> None:
        """Save the ticked tags."""
        self._save(list(self.query_one("#tags-list", SelectionList).selected))

    @work(exclusive=True, group="tags")
    async def _save(self, codes: list[str]) -> None:
        try:
            posted = await self.submit(codes)
        except FeeError as error:
            self.query_one("#tags-error", Label).update(tr_error(error))
            return
        self.dismiss(posted)

    def action_cancel(self) -> None:
        """Close without saving."""
        self.dismiss(None)


__all__ = ["UnitTagsDialog"]
