"""The shift menu, the cash movement dialogs and the close screen refusing bad input by keyboard.

The ``counter`` community has the cashier's shift open: ¥500.00 float and ¥600.00 cash taken, so
¥1,100.00 expected.
"""

from __future__ import annotations

from dataclasses import replace

from feetui.app import make_app
from feetui.db.models import CashMovement, ShiftClose
from feetui.screens.dialogs.cash_movement import CashMovementDialog
from feetui.screens.dialogs.shift_menu import ShiftMenu
from feetui.screens.lookup import LookupScreen
from feetui.screens.shift_close import ShiftCloseScreen
from tests.builders import snapshot
from tests.screens.flows import SMALL, press, shows, sign_in, type_text


async def test_expected_cash_on_request_and_hidden_by_the_setting(settings, clock, counter):
    app = make_app(settings, clock=clock)
    async with app.run_test(size=SMALL) as pilot:
        await sign_in(pilot)
        await press(pilot, "f8")
        assert isinstance(app.screen, ShiftMenu)
        assert shows(pilot, "班次 S20261123-01 · 王芳")
        await press(pilot, "e")
        assert shows(pilot, "当前应有现金：¥1,100.00")
        await press(pilot, "escape")
        assert isinstance(app.screen, LookupScreen)
    hidden = make_app(replace(settings, show_expected_cash=False), clock=clock)
    async with hidden.run_test(size=SMALL) as pilot:
        await sign_in(pilot)
        await press(pilot, "f8", "e")
        assert shows(pilot, "本窗口不显示应有现金")
        assert not shows(pilot, "1,100.00")


async def test_pay_out_without_a_reason_and_deposit_without_a_slip_record_nothing(
    settings, clock, counter
) -> None:
    app = make_app(settings, clock=clock)
    async with app.run_test(size=SMALL) as pilot:
        await sign_in(pilot)
        before = await snapshot()
        await press(pilot, "f8", "o")
        await type_text(pilot, "35")
        await press(pilot, "enter", "enter")
        assert isinstance(app.screen, CashMovementDialog)
        assert shows(pilot, "请填写原因。")
        await press(pilot, "escape")
        await press(pilot, "f8", "d")
        await type_text(pilot, "2000")
        await press(pilot, "enter")
        await type_text(pilot, "工商银行")
        await press(pilot, "enter", "enter")
        assert shows(pilot, "请输入银行缴款单上的单号")
        await press(pilot, "escape")
        await press(pilot, "f8", "d")
        await type_text(pilot, "2000")
        await press(pilot, "enter")
        await type_text(pilot, "工商银行")
        await press(pilot, "enter")
        await type_text(pilot, "0099")
        await press(pilot, "enter")
        assert shows(pilot, "钱箱应有现金只有 ¥1,100.00")
        assert await snapshot() == before
        await press(pilot, "escape")
        assert isinstance(app.screen, LookupScreen)
        assert await CashMovement.all().count() == 0


async def test_close_screen_refuses_letters_and_a_negative_count(settings, clock, counter):
    app = make_app(settings, clock=clock)
    async with app.run_test(size=SMALL) as pilot:
        await sign_in(pilot)
        await press(pilot, "f8", "c")
        assert isinstance(app.screen, ShiftCloseScreen)
        await press(pilot, "1", "l", "f9")
        assert shows(pilot, "张数中有字母或符号")
        assert not shows(pilot, "应有现金：")
        await press(pilot, "backspace", "backspace", "minus", "1", "f9")
        assert shows(pilot, "张数不能为负数")
        assert not shows(pilot, "应有现金：")
        await press(pilot, "f12")  # not offered before the count is checked
        assert await ShiftClose.all().count() == 0
        await press(pilot, "escape")
        assert isinstance(app.screen, LookupScreen)
