"""One search box over a list of units: results follow every keystroke, Enter picks one.

The focus stays in the box the whole time, so the cashier keeps typing; the arrow keys move the
highlighted result. The search itself runs in an exclusive worker: a new keystroke cancels the
search still running for the previous one, and the event loop never waits on the database.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Input, Label

from feetui.core.search import MATCH_LABELS, TAG_LABELS, UnitHit
from feetui.core.tags import tag_label  # resident tags (elderly ...) set at the counter
from feetui.i18n import N_, _, format_money
from feetui.widgets.bindings import TranslatedBindings

SearchFunction = Callable[[str], Awaitable[list[UnitHit]]]

SHOWN = 50
"""Results put in the list: a screen shows about 15; more is typed, not scrolled."""


def tag_text(tags: tuple[str, ...]) -> str:
    """Translated labels of a unit's tags, unknown tags as they are."""
    return " ".join(_(TAG_LABELS.get(tag) or tag_label(tag)) for tag in tags)


class UnitSearch(TranslatedBindings, Vertical):
    """Search box and result list.

    Args:
        search: the coroutine that answers a query (the lookup service, bound to the services).
        id: widget id.
    """

    DEFAULT_CSS = """
    UnitSearch { height: 1fr; }
    UnitSearch > DataTable { height: 1fr; }
    UnitSearch > #unit-search-count { color: $text-muted; height: 1; }
    """

    # Priority: the search box (an Input) would otherwise take the arrows for scrolling.
    BINDINGS = [
        Binding("down", "move(1)", N_("Next"), id="unit_search.next", show=False, priority=True),
        Binding(
            "up", "move(-1)", N_("Previous"), id="unit_search.previous", show=False, priority=True
        ),
        Binding(
            "pagedown",
            "move(10)",
            N_("Page down"),
            id="unit_search.page_down",
            show=False,
            priority=True,
        ),
        Binding(
            "pageup",
            "move(-10)",
            N_("Page up"),
            id="unit_search.page_up",
            show=False,
            priority=True,
        ),
    ]

    @dataclass
    class Chosen(Message):
        """Enter was pressed on a result."""

        hit: UnitHit

    @dataclass
    class Searched(Message):
        """Results for ``query`` are on screen (the benchmark and tests wait for this)."""

        query: str
        count: int

    def __init__(self, search: SearchFunction, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._search = search
        self.hits: list[UnitHit] = []
        self.query_text = ""
        self.shown_query = ""
        self._choose_pending = False

    def compose(self) -> ComposeResult:
        """The box, a count line and the table."""
        yield Input(
            id="unit-search-input",
            placeholder=_("Room 3-2-1502, name, initials, phone tail or plate"),
        )
        yield Label("", id="unit-search-count")
        yield DataTable(id="unit-search-results", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        """Set up the columns; the table never takes the focus from the box."""
        table = self.query_one(DataTable)
        table.can_focus = False
        table.add_column(_("Room"), key="code")
        table.add_column(_("Owner"), key="owner")
        table.add_column(_("Owes"), key="owes")
        table.add_column(_("Phone"), key="phone")
        table.add_column(_("Tags"), key="tags")
        table.add_column(_("Matched"), key="match")

    def focus_box(self) -> None:
        """Put the cursor in the search box, its text selected for retyping."""
        box = self.query_one(Input)
        box.focus()
        box.select_all()

    def on_input_changed(self, event: Input.Changed) -> None:
        """Search again for what the box holds now."""
        event.stop()
        self.query_text = event.value
        self._run_search(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in the box: pick the highlighted result."""
        event.stop()
        self.choose()

    def choose(self) -> None:
        """Post :class:`Chosen` for the highlighted result (the first, unless arrows moved it).

        When the results for what the box holds are still coming, the choice waits for them: a
        cashier who types the room code and presses Enter at once gets that unit.
        """
        table = self.query_one(DataTable)
        if self.query_one(Input).value != self.shown_query:
            self._choose_pending = True
            return
        if not self.hits:
            return
        row = min(max(table.cursor_row, 0), len(self.hits) - 1)
        self.post_message(self.Chosen(self.hits[row]))

    def action_move(self, rows: int) -> None:
        """Move the highlighted result."""
        table = self.query_one(DataTable)
        if table.row_count:
            table.move_cursor(row=min(max(table.cursor_row + rows, 0), table.row_count - 1))

    def refresh_results(self) -> None:
        """Search again for what the box holds, keeping the highlighted unit: back from a unit,
        the list must not show what it owed before the payment just taken."""
        if self.query_text.strip():
            self._run_search(self.query_text, keep=self.highlighted_unit_id())

    def highlighted_unit_id(self) -> str | None:
        """The unit of the highlighted row, if any."""
        if not self.hits:
            return None
        row = min(max(self.query_one(DataTable).cursor_row, 0), len(self.hits) - 1)
        return self.hits[row].unit_id

    @work(exclusive=True, group="unit-search")
    async def _run_search(self, query: str, keep: str | None = None) -> None:
        """Ask the service; show the answer only if it is still for what the box holds."""
        hits = await self._search(query) if query.strip() else []
        if query != self.query_text:
            return
        self.shown_query = query
        self.show_hits(hits)
        kept = [i for i, hit in enumerate(self.hits) if hit.unit_id == keep]
        if kept:
            self.query_one(DataTable).move_cursor(row=kept[0])
        self.post_message(self.Searched(query, len(hits)))
        if self._choose_pending:
            self._choose_pending = False
            self.choose()

    def show_hits(self, hits: list[UnitHit]) -> None:
        """Put ``hits`` in the table, the first one highlighted."""
        self.hits = hits[:SHOWN]
        table = self.query_one(DataTable)
        table.clear()
        for hit in self.hits:
            owes = Text(format_money(hit.arrears), justify="right")
            if hit.arrears:
                owes.stylize("bold")
            table.add_row(
                Text(hit.code),
                Text(hit.owner_name),
                owes,
                Text(hit.phone_masked),
                Text(tag_text(hit.tags)),
                Text(_(MATCH_LABELS[hit.match])),
                key=hit.unit_id,
            )
        table.move_cursor(row=0)
        self._show_count(len(hits))

    def _show_count(self, count: int) -> None:
        label = self.query_one("#unit-search-count", Label)
        if not self.query_text.strip():
            label.update("")
        elif count == 0:
            label.update(_("No unit matches. Try the room code, a name or a phone tail."))
        elif count > SHOWN:
            label.update(_("Showing the first {shown}: type more to narrow.").format(shown=SHOWN))
        else:
            label.update(_("Units found: {n}").format(n=count))


__all__ = ["SHOWN", "SearchFunction", "UnitSearch", "tag_text"]
