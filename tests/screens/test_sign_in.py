"""Signing in, the PIN lockout, opening a shift, the idle lock, signing out, help and languages."""

from __future__ import annotations

import pytest

from feetui.app import make_app
from feetui.db.models import PinLockout, Shift
from feetui.i18n import _
from feetui.screens.lookup import LookupScreen
from feetui.screens.shift_open import ShiftOpenScreen
from feetui.screens.sign_in import LockScreen, SignInScreen
from tests.screens.flows import LARGE, SMALL, press, settle, shows, sign_in


@pytest.mark.parametrize("size", [SMALL, LARGE])
async def test_sign_in_leads_to_opening_a_shift_and_then_the_lookup(
    settings, clock, community, size
) -> None:
    app = make_app(settings, clock=clock)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, SignInScreen)
        assert shows(pilot, _("Fee counter"), _("Code"), _("PIN"))
        await sign_in(pilot)
        assert isinstance(app.screen, ShiftOpenScreen)
        # Five ¥100 notes and three ¥0.5 coins: the total follows the typing.
        await press(pilot, "backspace", "5")
        for _step in range(7):
            await pilot.press("tab")
        await press(pilot, "backspace", "3")
        assert shows(pilot, "¥501.50")
        await press(pilot, "f9")
        assert isinstance(app.screen, LookupScreen)
        shift = await Shift.get(cashier_id=community.cashier_id)
        assert shift.opening_float_fen == 50150


async def test_shift_open_refuses_a_count_with_letters(settings, clock, community) -> None:
    app = make_app(settings, clock=clock)
    async with app.run_test(size=SMALL) as pilot:
        await sign_in(pilot)
        await press(pilot, "backspace", "2", "x", "f9")
        assert isinstance(app.screen, ShiftOpenScreen)
        # The denomination grid names the row and the reason.
        assert shows(pilot, "100元纸币:", "张数中有字母或符号", "请先改正点钞数")
        assert await Shift.all().count() == 0


async def test_ctrl_c_says_in_chinese_how_to_quit_and_does_not(settings, clock, community) -> None:
    app = make_app(settings, clock=clock)
    async with app.run_test(size=SMALL) as pilot:
        await press(pilot, "ctrl+c")
        said = [(n.title, n.message) for n in app._notifications]
        assert ("要退出吗？", "按 Ctrl+Q 退出程序。") in said
        assert isinstance(app.screen, SignInScreen)


async def test_wrong_pins_count_down_and_the_fifth_locks_the_code(
    settings, clock, community
) -> None:
    app = make_app(settings, clock=clock)
    async with app.run_test(size=SMALL) as pilot:
        await sign_in(pilot, pin="0000")
        assert shows(
            pilot,
            _("Wrong PIN. {left} more wrong tries lock this code for a minute.").format(left=4),
        )
        for _attempt in range(4):
            await press(pilot, *"0000", "enter")
        assert shows(pilot, "1001", "60")
        lockout = await PinLockout.get(user_id=community.cashier_id)
        assert lockout.locked_until is not None
        # Even the right PIN is refused while the lock lasts.
        await press(pilot, *"1234", "enter")
        assert isinstance(app.screen, SignInScreen)
        clock.advance(seconds=61)
        await press(pilot, *"1234", "enter")
        assert isinstance(app.screen, ShiftOpenScreen)


async def test_unknown_code_is_refused_in_words(settings, clock, community) -> None:
    app = make_app(settings, clock=clock)
    async with app.run_test(size=SMALL) as pilot:
        await sign_in(pilot, code="4040")
        assert shows(pilot, _("No active user has the code {user_code}.").format(user_code="4040"))
        assert isinstance(app.screen, SignInScreen)


async def test_idle_lock_needs_the_same_pin_and_sign_out_returns_to_sign_in(
    settings, clock, counter
) -> None:
    app = make_app(settings, clock=clock)
    async with app.run_test(size=SMALL) as pilot:
        await sign_in(pilot)
        assert isinstance(app.screen, LookupScreen)
        clock.advance(minutes=settings.idle_lock_minutes + 1)
        app.check_idle_lock()  # the interval timer's callback
        await settle(pilot)
        assert isinstance(app.screen, LockScreen)
        await press(pilot, *"9999", "enter")
        assert isinstance(app.screen, LockScreen)
        assert shows(
            pilot,
            _("Wrong PIN. {left} more wrong tries lock this code for a minute.").format(left=4),
        )
        await press(pilot, *"1234", "enter")
        assert isinstance(app.screen, LookupScreen)
        await press(pilot, "f10")
        assert isinstance(app.screen, SignInScreen)
        assert app.user is None


async def test_help_lists_every_key_of_the_screen(settings, clock, counter) -> None:
    app = make_app(settings, clock=clock)
    async with app.run_test(size=SMALL) as pilot:
        await sign_in(pilot)
        await press(pilot, "f1")
        for label in ("Open unit", "Clear", "Sign out", "Help", "Next", "Previous"):
            assert shows(pilot, _(label)), label
        await press(pilot, "escape")
        assert isinstance(app.screen, LookupScreen)


async def test_english_is_chosen_per_app_in_the_same_process(settings, clock, counter) -> None:
    from dataclasses import replace

    app = make_app(replace(settings, lang="en_US"), clock=clock)
    async with app.run_test(size=LARGE) as pilot:
        await settle(pilot)
        assert shows(pilot, "Fee counter", "Code", "PIN", "Quit")
        await sign_in(pilot)
        assert shows(pilot, "Find a unit", "Open unit", "Sign out", "Standalone")
