"""A shift's day by keyboard at 80×24: open with a float, payments, a pay-out, a bank deposit, a
blind close with a shortage, sign out, and the next cashier taking the drawer over with a
difference. Every step asserts on the screen and on the rows written."""

from __future__ import annotations

from dataclasses import replace

from textual.widgets import Input

from feetui.app import make_app
from feetui.db.models import CashMovement, Handover, SettlementCheck, Shift, ShiftClose, User
from feetui.screens.dialogs.cash_movement import CashMovementDialog
from feetui.screens.dialogs.shift_menu import ShiftMenu
from feetui.screens.handover import HandoverScreen
from feetui.screens.lookup import LookupScreen
from feetui.screens.receipt import ReceiptScreen
from feetui.screens.shift_close import ShiftCloseScreen
from feetui.screens.shift_open import ShiftOpenScreen
from feetui.screens.sign_in import SignInScreen
from tests.builders import pin_hash
from tests.printing.escpos_decoder import decode
from tests.screens.flows import SMALL, open_unit, press, shows, sign_in, type_text

INCOMING_CODE, INCOMING_PIN = "1002", "5678"


async def _incoming(app) -> User:
    return await User.create(
        id=app.services.ids.new_str(),
        code=INCOMING_CODE,
        name="赵敏",
        role="cashier",
        pin_hash=pin_hash(INCOMING_PIN),
    )


async def _count(pilot, *rows: str) -> None:
    """Type one count per grid row (empty: none), Enter after each; the last Enter completes."""
    keys: list[str] = []
    for row in rows:
        keys += [*row, "enter"]
    await press(pilot, *keys)


async def _open_with_float(pilot) -> None:
    await sign_in(pilot)
    assert isinstance(pilot.app.screen, ShiftOpenScreen)
    await _count(pilot, "5")
    await press(pilot, "f9")
    assert isinstance(pilot.app.screen, LookupScreen)


async def _take_payments(pilot) -> None:
    await open_unit(pilot, "3-2-1502")  # ¥979.86 in exact cash
    await press(pilot, "p", "c", "enter")
    assert isinstance(pilot.app.screen, ReceiptScreen)
    await press(pilot, "enter")
    await open_unit(pilot, "1-1-101")  # ¥5,000.00 rent by card
    await press(pilot, "p", "k")
    await type_text(pilot, "T123")
    await press(pilot, "enter")
    assert isinstance(pilot.app.screen, ReceiptScreen)
    await press(pilot, "enter")
    assert isinstance(pilot.app.screen, LookupScreen)


async def _movement(pilot, key: str, *fields: str) -> None:
    await press(pilot, "f8")
    assert isinstance(pilot.app.screen, ShiftMenu)
    await press(pilot, key)
    assert isinstance(pilot.app.screen, CashMovementDialog)
    for text in fields:
        await type_text(pilot, text)
        await press(pilot, "enter")
    assert isinstance(pilot.app.screen, LookupScreen)


async def test_a_shift_from_float_to_handover_by_keyboard(
    settings, clock, community, tmp_path
) -> None:
    printer = tmp_path / "printer.bin"
    app = make_app(replace(settings, printer=f"file:{printer}"), clock=clock)
    async with app.run_test(size=SMALL) as pilot:
        await _incoming(app)
        await _open_with_float(pilot)
        await _take_payments(pilot)
        await _movement(pilot, "o", "35", "购买打印纸")
        await _movement(pilot, "d", "500", "工商银行", "0023")
        assert [
            (m.kind, m.amount_fen) for m in await CashMovement.all().order_by("created_at")
        ] == [
            ("pay_out", 3_500),
            ("deposit", 50_000),
        ]

        # Blind close: the expected ¥944.86 (500 + 979.86 − 35 − 500) stays hidden while counting.
        await press(pilot, "f8", "c")
        assert isinstance(app.screen, ShiftCloseScreen)
        assert not shows(pilot, "944.86")
        await _count(pilot, "9", "", "", "4", "", "3", "", "1", "3")  # ¥943.80
        assert shows(pilot, "应有现金：¥944.86", "实点现金：¥943.80", "短款 ¥1.06")
        assert shows(pilot, "银行卡 ¥5,000.00")

        # A shortage without a note is refused and nothing is closed.
        await press(pilot, "f12")
        assert shows(pilot, "实点现金与应有现金相差 -1.06", "请填写长短款说明")
        assert await ShiftClose.all().count() == 0
        await type_text(pilot, "找零多给")
        await press(pilot, "enter")
        await type_text(pilot, "5000")
        await press(pilot, "enter", "f12")
        assert shows(pilot, "已交班")
        slip = [" ".join(line.split()) for line in decode(printer.read_bytes()).texts()]
        assert "交班报表" in slip
        assert "长款(+)/短款(-) -￥1.06" in slip
        close = await ShiftClose.get()
        assert (close.expected_fen, close.counted_fen, close.over_short_fen, close.note) == (
            94_486,
            94_380,
            -106,
            "找零多给",
        )
        check = await SettlementCheck.get(close_id=close.id)
        assert (check.method, check.slip_fen, check.difference_fen) == ("card", 500_000, 0)

        # Hand over: sign out, the next cashier signs in and counts the drawer.
        await press(pilot, "f10")
        assert isinstance(app.screen, SignInScreen)
        await sign_in(pilot, code=INCOMING_CODE, pin=INCOMING_PIN)
        assert isinstance(app.screen, HandoverScreen)
        assert shows(pilot, "接收 王芳 的钱箱")
        assert not shows(pilot, "943.80")
        await _count(pilot, "9", "", "", "4", "", "3", "", "", "")  # ¥943.00
        assert shows(pilot, "王芳 交班留存：¥943.80", "本次实点：¥943.00", "比交班留存少 ¥0.80")

        # No note: refused. A wrong PIN: refused. Nothing recorded either time.
        await press(pilot, "f12")
        assert shows(pilot, "实点与交班留存相差 -0.80", "请填写说明")
        await type_text(pilot, "少八角")
        await press(pilot, "enter", *"0000", "enter")
        assert shows(pilot, "密码错误。再错 4", "次，该工号将锁定一分钟。")
        assert isinstance(app.screen, HandoverScreen)
        assert app.screen.query_one("#handover-pin", Input).value == ""
        assert await Handover.all().count() == 0
        assert await Shift.all().count() == 1

        await press(pilot, *INCOMING_PIN, "enter")
        assert isinstance(app.screen, LookupScreen)
        handover = await Handover.get()
        assert (handover.shift_id, handover.left_fen, handover.counted_fen) == (
            close.shift_id,
            94_380,
            94_300,
        )
        assert (handover.difference_fen, handover.note) == (-80, "少八角")
        incoming_shift = await Shift.get(id=handover.next_shift_id).prefetch_related("cashier")
        assert (incoming_shift.cashier.code, incoming_shift.opening_float_fen) == ("1002", 94_300)
