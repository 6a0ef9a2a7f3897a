"""Widgets on their own: translated key labels, the money input, the scanner's digit buffer."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer

from feetui import i18n
from feetui.core.money import Money
from feetui.i18n import N_
from feetui.widgets.bindings import TranslatedBindings
from feetui.widgets.money_input import MoneyInput
from feetui.widgets.scan_buffer import ScanBuffer


class _KeysScreen(TranslatedBindings, Screen[None]):
    BINDINGS = [Binding("f1", "app.bell", N_("Close"), id="t.close")]

    def compose(self) -> ComposeResult:
        yield Footer()


def _label(screen: Screen[None]) -> str:
    return screen._bindings.key_to_bindings["f1"][0].description


def test_binding_labels_follow_the_language_of_each_new_instance() -> None:
    i18n.set_language("en_US")
    english = _KeysScreen()
    i18n.set_language("zh_CN")
    chinese = _KeysScreen()
    assert _label(english) == "Close"
    assert _label(chinese) == i18n._("Close") != "Close"
    # The class keeps the English message id: nothing was translated at class creation.
    assert _KeysScreen._merged_bindings.key_to_bindings["f1"][0].description == "Close"


class _MoneyApp(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.events: list[object] = []

    def compose(self) -> ComposeResult:
        yield MoneyInput(ceiling=Money(100_000_000), id="m")

    def on_money_input_confirmed(self, event: MoneyInput.Confirmed) -> None:
        self.events.append(event.amount)

    def on_money_input_rejected(self, event: MoneyInput.Rejected) -> None:
        self.events.append(event.error.code)


async def test_money_input_reads_amounts_and_refuses_letters_on_enter() -> None:
    app = _MoneyApp()
    async with app.run_test() as pilot:
        await pilot.press(*"12a", "enter")
        field = app.query_one(MoneyInput)
        assert field.has_class("-refused")
        await pilot.press("backspace", "backspace", "backspace", *"１,234.5", "enter")
        await pilot.pause()
        assert not field.has_class("-refused")
    assert app.events == ["amount_has_letters", Money(123_450)]


def test_scan_buffer_keeps_the_run_of_digits_since_the_last_other_key() -> None:
    buffer = ScanBuffer()
    for character in "ab12":
        buffer.feed(character)
    buffer.feed(None)  # a key without a character (an arrow) breaks the run
    for character in "１３4":
        buffer.feed(character)
    assert len(buffer) == 3
    assert buffer.take() == "１３4"
    assert buffer.take() == ""
