"""Pay-ins, pay-outs and bank deposits: each its own posted record, checked before writing."""

from __future__ import annotations

import json

import pytest

from feetui.core.errors import InputError, PermissionError_, RuleError
from feetui.core.money import Money
from feetui.db.models import CashMovement, JournalEntry, Outbox
from feetui.services.cash_movements import record_cash_movement
from feetui.services.journal import verify_local_chain
from tests.builders import Ledger, _user, snapshot
from tests.shift_builders import move


async def test_deposit_is_posted_with_its_slip_journal_entry_and_outbox_row(ledger: Ledger):
    posted = await move(ledger, "deposit", 30_000, reason="工商银行", slip_no=" 0023 ")
    row = await CashMovement.get(id=posted.movement_id)
    assert (row.kind, row.amount_fen, row.reason, row.slip_no) == (
        "deposit",
        30_000,
        "工商银行",
        "0023",
    )
    assert row.shift_id == ledger.shift.shift_id
    entry = await JournalEntry.get(record_id=posted.movement_id)
    assert entry.kind == "cash_movement"
    assert await Outbox.filter(entry_id=entry.id).count() == 1
    payload = json.loads(entry.payload_json)
    assert payload["amount_fen"] == 30_000
    assert payload["slip_no"] == "0023"
    assert payload["business_date"] == "2026-11-23"
    assert await verify_local_chain(ledger.svc.device_id) is None


async def test_pay_in_and_pay_out_keep_their_reasons(ledger: Ledger) -> None:
    into = await move(ledger, "pay_in", 10_000, reason="零钱补充")
    out = await move(ledger, "pay_out", 3_500, reason="购买打印纸")
    assert (into.kind, into.amount, into.reason) == ("pay_in", Money(10_000), "零钱补充")
    assert (out.kind, out.amount, out.reason) == ("pay_out", Money(3_500), "购买打印纸")
    assert out.cashier_name == "李收银"


async def test_the_same_movement_id_posts_once(ledger: Ledger) -> None:
    kwargs = {
        "movement_id": ledger.new_id(),
        "shift_id": ledger.shift.shift_id,
        "cashier_id": ledger.cashier.id,
        "kind": "pay_out",
        "amount": Money(1_000),
        "reason": "快递费",
    }
    first = await record_cash_movement(ledger.svc, **kwargs)
    again = await record_cash_movement(ledger.svc, **kwargs)
    assert again == first
    assert await CashMovement.all().count() == 1


@pytest.mark.parametrize(
    ("kind", "fen", "extra", "code"),
    [
        ("pay_out", 1_000, {}, "reason_required"),
        ("pay_in", 1_000, {"reason": "   "}, "reason_required"),
        ("deposit", 1_000, {"reason": "工商银行"}, "deposit_slip_required"),
        ("refund", 1_000, {"reason": "x"}, "cash_movement_kind_unknown"),
        ("pay_in", 0, {"reason": "x"}, "amount_zero"),
        ("pay_in", -100, {"reason": "x"}, "amount_negative"),
        ("pay_in", 100_000_001, {"reason": "x"}, "amount_above_ceiling"),
        ("pay_in", 100, {"reason": "长" * 201}, "text_too_long"),
        ("deposit", 100, {"slip_no": "9" * 65}, "text_too_long"),
    ],
)
async def test_bad_movements_are_refused_and_change_nothing(
    ledger: Ledger, kind: str, fen: int, extra: dict[str, str], code: str
) -> None:
    before = await snapshot()
    with pytest.raises(InputError) as caught:
        await move(ledger, kind, fen, **extra)
    assert caught.value.code == code
    assert await snapshot() == before


async def test_more_cash_than_the_drawer_holds_cannot_leave_it(ledger: Ledger) -> None:
    before = await snapshot()
    with pytest.raises(RuleError) as caught:
        await move(ledger, "deposit", 50_001, slip_no="1")
    assert caught.value.code == "cash_not_in_drawer"
    assert caught.value.params == {"expected": "500.00", "amount": "500.01"}
    assert await snapshot() == before
    await move(ledger, "deposit", 50_000, slip_no="1")


async def test_another_cashier_cannot_use_the_drawer(ledger: Ledger) -> None:
    other = await _user(ledger.svc, "1002", "赵收银", "cashier", "5678")
    with pytest.raises(PermissionError_) as caught:
        await record_cash_movement(
            ledger.svc,
            movement_id=ledger.new_id(),
            shift_id=ledger.shift.shift_id,
            cashier_id=other.id,
            kind="pay_in",
            amount=Money(100),
            reason="x",
        )
    assert caught.value.code == "not_drawer_owner"


async def test_a_shift_of_another_counter_is_unknown(ledger: Ledger) -> None:
    with pytest.raises(InputError) as caught:
        await record_cash_movement(
            ledger.svc,
            movement_id=ledger.new_id(),
            shift_id=ledger.new_id(),
            cashier_id=ledger.cashier.id,
            kind="pay_in",
            amount=Money(100),
            reason="x",
        )
    assert caught.value.code == "shift_unknown"
