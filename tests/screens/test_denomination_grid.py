"""The denomination grid: type a count, move down, the total follows; bad counts are named."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Static

from feetui.core.money import Money
from feetui.widgets.denomination_grid import CountInput, DenominationGrid


class GridApp(App[None]):
    """A bare app holding one grid, recording the grid's messages."""

    def __init__(self) -> None:
        super().__init__()
        self.changes: list[Money | None] = []
        self.completed: list[tuple[dict[str, int], Money]] = []

    def compose(self) -> ComposeResult:
        yield DenominationGrid(id="grid")

    def on_mount(self) -> None:
        self.query_one(DenominationGrid).focus_first()

    def on_denomination_grid_changed(self, event: DenominationGrid.Changed) -> None:
        self.changes.append(event.total)

    def on_denomination_grid_completed(self, event: DenominationGrid.Completed) -> None:
        self.completed.append((event.counts, event.total))


def _text(app: App, selector: str) -> str:
    return str(app.query_one(selector, Static).render())


async def test_grid_total_updates_as_counts_are_typed() -> None:
    app = GridApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("3", "enter", "1", "enter")  # 3 × ¥100, 1 × ¥50
        await pilot.pause()
        assert _text(app, "#grid-total") == "¥350.00"
        assert _text(app, "#sub-n100") == "¥300.00"
        await pilot.press("down", "down", "down", "down", "down", "down", "2")  # 2 × ¥0.1
        await pilot.pause()
        assert _text(app, "#grid-total") == "¥350.20"
        grid = app.query_one(DenominationGrid)
        assert grid.counts() == {"n100": 3, "n50": 1, "c01": 2}
        assert app.changes[-1] == Money(35020)


async def test_grid_up_moves_back_and_enter_on_last_row_completes() -> None:
    app = GridApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*["down"] * 8)
        assert app.focused.id == "count-c01"
        await pilot.press("up", "4", "enter", "enter")  # 4 × ¥0.5 on the coin row, then last row
        await pilot.pause()
        assert app.completed == [({"c05": 4}, Money(200))]


async def test_grid_count_with_letters_is_named_and_blocks_the_total() -> None:
    app = GridApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("1", "2", "a")
        await pilot.pause()
        assert _text(app, "#grid-total") == "—"
        assert _text(app, "#grid-error") == "100元纸币: 张数中有字母或符号：请只输入数字，例如 12"
        assert app.query_one("#count-n100", CountInput).has_class("-bad-count")
        assert app.changes[-1] is None
        await pilot.press(*["down"] * 8, "enter")
        await pilot.pause()
        assert app.completed == []
        assert app.focused.id == "count-n100"


async def test_grid_negative_count_is_refused() -> None:
    app = GridApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("down", "minus", "5")
        await pilot.pause()
        assert _text(app, "#grid-total") == "—"
        assert app.query_one("#count-n50", CountInput).has_class("-bad-count")
        await pilot.press("backspace", "backspace", "5")
        await pilot.pause()
        assert _text(app, "#grid-total") == "¥250.00"
        assert _text(app, "#grid-error") == ""
