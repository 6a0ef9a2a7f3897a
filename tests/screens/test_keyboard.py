"""Keyboard-only promises: the command palette reaches the screen's actions, English works end to
end, and the screens read the same in a plain 16-colour theme."""

from __future__ import annotations

from dataclasses import replace

from feetui.app import make_app
from feetui.db.models import Payment
from feetui.i18n import _
from feetui.screens.pay import PayScreen
from feetui.screens.receipt import ReceiptScreen
from tests.screens.flows import LARGE, SMALL, open_unit, press, shows, sign_in, type_text


async def test_the_command_palette_runs_the_screens_actions(settings, clock, counter) -> None:
    app = make_app(settings, clock=clock)
    async with app.run_test(size=SMALL) as pilot:
        await sign_in(pilot)
        await open_unit(pilot, "3-2-1502")
        await press(pilot, "ctrl+p")
        await type_text(pilot, _("Pay"))
        assert shows(pilot, _("One-off charge")) or shows(pilot, _("Pay"))
        await press(pilot, "enter")
        assert isinstance(app.screen, PayScreen)


async def test_a_payment_in_english_at_120_by_40(settings, clock, counter) -> None:
    app = make_app(replace(settings, lang="en_US"), clock=clock)
    async with app.run_test(size=LARGE) as pilot:
        await sign_in(pilot)
        await open_unit(pilot, "3-2-1502")
        assert shows(pilot, "Owes ¥979.86", "Recent payments", "Pay", "One-off charge")
        await press(pilot, "p")
        assert shows(pilot, "Still to pay ¥979.86", "Cash", "Card", "WeChat", "Alipay")
        await press(pilot, "c")
        assert shows(pilot, "Cash handed over", "Change")
        await press(pilot, "enter")
        assert isinstance(app.screen, ReceiptScreen)
        assert shows(pilot, "Receipt", "Printed.", "Next resident", "Reprint", "Void")
        assert await Payment.filter(unit_id=counter.owing_unit_id).count() == 1


async def test_the_screens_read_the_same_in_a_16_colour_theme(settings, clock, counter) -> None:
    app = make_app(settings, clock=clock)
    async with app.run_test(size=SMALL) as pilot:
        app.theme = "ansi-dark"
        await sign_in(pilot)
        await open_unit(pilot, "3-2-1502")
        await press(pilot, "p")
        # Selection is marked with [x], not only with colour; the figures are words.
        assert shows(pilot, "[x]", "¥979.86")
        await press(pilot, "space")
        assert shows(pilot, "[ ]")
