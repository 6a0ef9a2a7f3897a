"""Closing a shift: blind count, expected cash (R15), over/short with a note, settlement slips,
and a closed shift that cannot be reopened or posted into (R16)."""

from __future__ import annotations

import pytest

from feetui.core.errors import InputError, PermissionError_, RuleError
from feetui.core.money import Money
from feetui.db.models import JournalEntry, Outbox, SettlementCheck, ShiftClose
from feetui.services.results import TenderInput
from feetui.services.shifts import close_shift, get_drawer_cash, preview_close
from tests.builders import Ledger, snapshot
from tests.shift_builders import close, hand_checked_day, move, parking, void


async def test_zero_sale_shift_expects_its_float(ledger: Ledger) -> None:
    drawer = await get_drawer_cash(ledger.svc, shift_id=ledger.shift.shift_id)
    assert drawer.expected == Money(50000)
    closed = await close(ledger, {"n100": 5})
    assert (closed.expected, closed.counted, closed.over_short) == (Money(50000),) * 2 + (Money(0),)
    row = await ShiftClose.get(shift_id=ledger.shift.shift_id)
    assert (row.expected_fen, row.counted_fen, row.over_short_fen) == (50000, 50000, 0)


async def _day_of_takings(ledger: Ledger) -> None:
    """Cash with change, a card payment, a cash + WeChat split (no late fees: parking)."""
    a, b, c = await ledger.unit(), await ledger.unit(), await ledger.unit()
    for unit, fen in ((a, 15_000), (b, 30_000), (c, 10_000)):
        await ledger.charge(unit, item="PK", amount_fen=fen)
    await ledger.pay(a, tenders=[TenderInput("cash", Money(15_000), tendered=Money(20_000))])
    await ledger.pay(b, tenders=[TenderInput("card", Money(30_000), reference="T1")])
    await ledger.pay(
        c,
        tenders=[
            TenderInput("cash", Money(6_000)),
            TenderInput("wechat", Money(4_000), reference="W"),
        ],
    )


async def test_expected_cash_of_the_hand_checked_day(ledger: Ledger) -> None:
    await hand_checked_day(ledger)
    drawer = await get_drawer_cash(ledger.svc, shift_id=ledger.shift.shift_id)
    assert drawer.opening_float == Money(50_000)
    # 200 + 60 + 120 + 80 tendered, less the voided 80 given back
    assert drawer.cash_tendered == Money(38_000)
    assert drawer.change_given == Money(5_000)
    assert drawer.cash_refunds == Money(2_000)
    assert (drawer.pay_ins, drawer.pay_outs, drawer.deposits) == (
        Money(10_000),
        Money(3_500),
        Money(30_000),
    )
    assert drawer.expected == Money(57_500)
    closed = await close(ledger, {"n100": 5, "n50": 1, "n20": 1, "n1": 4}, note="短款一元")
    assert (closed.expected, closed.counted, closed.over_short) == (
        Money(57_500),
        Money(57_400),
        Money(-100),
    )


async def test_expected_cash_follows_every_movement(ledger: Ledger) -> None:
    await _day_of_takings(ledger)
    await move(ledger, "pay_in", 10_000, reason="零钱补充")
    await move(ledger, "pay_out", 3_500, reason="购买打印纸")
    await move(ledger, "deposit", 30_000, reason="工商银行", slip_no="0023")
    drawer = await get_drawer_cash(ledger.svc, shift_id=ledger.shift.shift_id)
    # float 500 + tendered (200 + 60) − change 50 + pay-in 100 − pay-out 35 − deposit 300
    assert drawer.opening_float == Money(50_000)
    assert drawer.cash_tendered == Money(26_000)
    assert drawer.change_given == Money(5_000)
    assert (drawer.pay_ins, drawer.pay_outs, drawer.deposits) == (
        Money(10_000),
        Money(3_500),
        Money(30_000),
    )
    assert drawer.expected == Money(47_500)


async def test_blind_count_preview_shows_expected_and_non_cash_totals(ledger: Ledger) -> None:
    await _day_of_takings(ledger)
    before = await snapshot()
    preview = await preview_close(
        ledger.svc, shift_id=ledger.shift.shift_id, counts={"n100": 7, "n1": 9}
    )
    assert preview.counted == Money(70_900)
    assert preview.expected == Money(71_000)
    assert preview.over_short == Money(-100)
    assert dict(preview.non_cash) == {
        "card": Money(30_000),
        "wechat": Money(4_000),
        "alipay": Money(0),
    }
    assert await snapshot() == before


async def test_close_with_a_shortage_needs_a_note_and_changes_nothing_without(
    ledger: Ledger,
) -> None:
    await _day_of_takings(ledger)
    before = await snapshot()
    with pytest.raises(RuleError) as caught:
        await close(ledger, {"n100": 7, "n1": 9}, note="  ")
    assert caught.value.code == "over_short_note_required"
    assert caught.value.params == {"difference": "-1.00"}
    assert await snapshot() == before
    closed = await close(ledger, {"n100": 7, "n1": 9}, note="找零多给一元")
    assert closed.over_short == Money(-100)
    assert closed.note == "找零多给一元"


async def test_close_records_settlement_slips_and_their_differences(ledger: Ledger) -> None:
    await _day_of_takings(ledger)
    closed = await close(
        ledger,
        {"n100": 7, "n10": 1},
        settlement_slips={"card": Money(30_000), "wechat": Money(3_900), "alipay": Money(0)},
    )
    assert [(s.method, s.recorded, s.slip, s.difference) for s in closed.settlements] == [
        ("card", Money(30_000), Money(30_000), Money(0)),
        ("wechat", Money(4_000), Money(3_900), Money(-100)),
        ("alipay", Money(0), Money(0), Money(0)),
    ]
    rows = await SettlementCheck.filter(close_id=closed.close_id).order_by("method")
    assert [(r.method, r.recorded_fen, r.slip_fen, r.difference_fen) for r in rows] == [
        ("alipay", 0, 0, 0),
        ("card", 30_000, 30_000, 0),
        ("wechat", 4_000, 3_900, -100),
    ]


async def test_close_writes_one_journal_entry_and_outbox_row_with_its_figures(
    ledger: Ledger,
) -> None:
    closed = await close(ledger, {"n100": 5}, settlement_slips={"card": Money(0)})
    entry = await JournalEntry.get(record_id=closed.close_id)
    assert entry.kind == "shift_close"
    assert await Outbox.filter(entry_id=entry.id).count() == 1
    import json

    payload = json.loads(entry.payload_json)
    assert payload["shift_id"] == ledger.shift.shift_id
    assert (payload["expected_fen"], payload["counted_fen"], payload["over_short_fen"]) == (
        50_000,
        50_000,
        0,
    )
    assert payload["counts"] == {"n100": 5}
    assert payload["business_date"] == "2026-11-23"
    assert [c["method"] for c in payload["settlement_checks"]] == ["card"]


async def test_close_carries_the_slips_total_per_method_net_of_voids_with_refunds_apart(
    ledger: Ledger,
) -> None:
    import json

    from feetui.services.reports import build_shift_report

    await hand_checked_day(ledger)
    # WeChat ¥60 for ¥50 of parking (¥10 kept as prepaid), then ¥10 of parking paid from it.
    unit = await parking(ledger, 5_000)
    await ledger.pay(unit, tenders=[TenderInput("wechat", Money(6_000))], overpay_to_prepaid=True)
    await ledger.charge(unit, item="PK", amount_fen=1_000)
    await ledger.pay(unit, tenders=[TenderInput("prepaid", Money(1_000))])
    # A card payment voided in the shift: card still listed, its ¥20 netted out.
    voided = await ledger.pay(
        await parking(ledger, 2_000), tenders=[TenderInput("card", Money(2_000), reference="T2")]
    )
    await void(ledger, voided.payment_id)
    closed = await close(ledger, {"n100": 5, "n50": 1, "n20": 1, "n5": 1}, note="")
    payload = json.loads((await JournalEntry.get(record_id=closed.close_id)).payload_json)
    # By hand: cash 150 + 60 + 120 + 80 − 80 (the void); the ¥20 cash refund is not a tender.
    assert payload["method_totals"] == {
        "cash": 33_000,
        "card": 30_000,
        "wechat": 10_000,
        "prepaid": 1_000,
    }
    report = await build_shift_report(ledger.svc, shift_id=ledger.shift.shift_id)
    slip = {m.method: m.amount.fen for m in report.takings.methods}
    assert payload["method_totals"] == slip


async def test_closing_twice_with_the_same_id_answers_the_first_close(ledger: Ledger) -> None:
    close_id = ledger.new_id()
    kwargs = {"close_id": close_id, "shift_id": ledger.shift.shift_id}
    first = await close_shift(ledger.svc, **kwargs, closed_by=ledger.cashier.id, counts={"n100": 5})
    again = await close_shift(ledger.svc, **kwargs, closed_by=ledger.cashier.id, counts={"n1": 1})
    assert again == first
    assert await ShiftClose.filter(shift_id=ledger.shift.shift_id).count() == 1


async def test_a_closed_shift_cannot_be_closed_again_or_posted_into(ledger: Ledger) -> None:
    unit = await ledger.unit()
    await ledger.charge(unit, item="PK", amount_fen=1_000)
    await close(ledger, {"n100": 5})
    before = await snapshot()
    with pytest.raises(RuleError) as closing:
        await close(ledger, {"n100": 5})
    assert closing.value.code == "shift_closed"
    with pytest.raises(RuleError) as moving:
        await move(ledger, "pay_in", 100, reason="x")
    assert moving.value.code == "shift_closed"
    with pytest.raises(RuleError) as paying:
        await ledger.pay(unit)
    assert paying.value.code == "no_open_shift"
    assert await snapshot() == before


async def test_close_refuses_bad_counts_and_slips_before_writing(ledger: Ledger) -> None:
    before = await snapshot()
    with pytest.raises(InputError) as negative:
        await close(ledger, {"n100": -5})
    assert negative.value.code == "count_invalid"
    with pytest.raises(InputError) as unknown:
        await close(ledger, {"n200": 1})
    assert unknown.value.code == "count_invalid"
    with pytest.raises(InputError) as method:
        await close(ledger, {"n100": 5}, settlement_slips={"cash": Money(1)})
    assert method.value.code == "settlement_method_unknown"
    with pytest.raises(InputError) as slip:
        await close(ledger, {"n100": 5}, settlement_slips={"card": Money(-1)})
    assert slip.value.code == "amount_negative"
    with pytest.raises(InputError) as long_note:
        await close(ledger, {"n100": 4}, note="长" * 201)
    assert long_note.value.code == "text_too_long"
    assert await snapshot() == before


async def test_close_refuses_when_the_records_moved_since_the_count(ledger: Ledger) -> None:
    with pytest.raises(RuleError) as caught:
        await close(ledger, {"n100": 5}, expected_seen=Money(49_900))
    assert caught.value.code == "expected_changed"


async def test_only_the_drawer_owner_or_a_supervisor_closes(ledger: Ledger) -> None:
    from tests.builders import _user

    other = await _user(ledger.svc, "1002", "赵收银", "cashier", "5678")
    with pytest.raises(PermissionError_) as caught:
        await close_shift(
            ledger.svc,
            close_id=ledger.new_id(),
            shift_id=ledger.shift.shift_id,
            closed_by=other.id,
            counts={"n100": 5},
        )
    assert caught.value.code == "not_drawer_owner"
    closed = await close_shift(
        ledger.svc,
        close_id=ledger.new_id(),
        shift_id=ledger.shift.shift_id,
        closed_by=ledger.supervisor.id,
        counts={"n100": 5},
    )
    assert closed.closed_by_name == "王主管"


async def test_expected_cash_is_hidden_when_the_setting_says_so(ledger: Ledger) -> None:
    from dataclasses import replace

    hidden = replace(ledger.svc, settings=replace(ledger.svc.settings, show_expected_cash=False))
    with pytest.raises(PermissionError_) as caught:
        await get_drawer_cash(hidden, shift_id=ledger.shift.shift_id)
    assert caught.value.code == "expected_cash_hidden"
    preview = await preview_close(hidden, shift_id=ledger.shift.shift_id, counts={"n100": 5})
    assert preview.expected == Money(50_000)
