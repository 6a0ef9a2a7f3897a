"""void_payment and refund_prepaid: reversal rows, supervisor approval, and what they refuse."""

from __future__ import annotations

import pytest

from feetui.core.errors import InputError, PermissionError_, RuleError
from feetui.core.money import Money
from feetui.db.models import Allocation, PrepaidEntry, ReceiptNumber, Refund, Tender, Void
from feetui.services.journal import verify_local_chain
from feetui.services.refunds import refund_prepaid
from feetui.services.results import TenderInput
from feetui.services.voids import void_payment
from tests.builders import (
    CASHIER_CODE,
    CASHIER_PIN,
    SUPERVISOR_CODE,
    SUPERVISOR_PIN,
    Ledger,
    snapshot,
)


async def _void(ledger: Ledger, paid_id: str, **overrides: str):
    kwargs = {
        "void_id": ledger.new_id(),
        "payment_id": paid_id,
        "cashier_id": ledger.cashier.id,
        "supervisor_code": SUPERVISOR_CODE,
        "supervisor_pin": SUPERVISOR_PIN,
        "reason": "录错房号",
        **overrides,
    }
    return await void_payment(ledger.svc, **kwargs)


async def _refund(ledger: Ledger, unit, amount: int, **overrides):
    kwargs = {
        "refund_id": ledger.new_id(),
        "unit_id": unit.id,
        "amount": Money(amount),
        "method": "cash",
        "cashier_id": ledger.cashier.id,
        "supervisor_code": SUPERVISOR_CODE,
        "supervisor_pin": SUPERVISOR_PIN,
        "reason": "业主搬离",
        **overrides,
    }
    return await refund_prepaid(ledger.svc, **kwargs)


async def _cash_in_shift(shift_id: str) -> int:
    rows = await Tender.filter(shift_id=shift_id, method="cash").values_list(
        "tendered_fen", "change_fen"
    )
    return sum(tendered - change for tendered, change in rows)


async def test_void_reverses_tenders_allocations_and_the_charges_owe_again(
    ledger: Ledger,
) -> None:
    unit = await ledger.unit()
    await ledger.charge(unit, item="PK", amount_fen=15_000)
    paid = await ledger.pay(
        unit, tenders=[TenderInput("cash", Money(15_000), tendered=Money(20_000))]
    )
    assert await ledger.due(unit) == 0
    voided = await _void(ledger, paid.payment_id)

    assert voided.payment_receipt_no == paid.receipt_no
    assert voided.receipt_no[-8:] == "00000002"
    assert voided.total == Money(15_000)
    assert [(t.method, t.amount) for t in voided.tenders] == [("cash", Money(15_000))]
    assert voided.supervisor_name == "王主管"
    assert await ledger.due(unit) == 15_000
    assert await Allocation.filter(void_id=voided.void_id).values_list("amount_fen", flat=True) == [
        -15_000
    ]
    # 200 handed over, 50 change, 150 given back: the drawer nets to nothing.
    assert await _cash_in_shift(ledger.shift.shift_id) == 0
    number = await ReceiptNumber.get(void_id=voided.void_id)
    assert number.number == 2
    assert await verify_local_chain(ledger.svc.device_id) is None


async def test_void_undoes_prepaid_credit_and_spend(ledger: Ledger) -> None:
    unit = await ledger.unit()
    await ledger.pay(
        unit, cash=30_000, charge_ids=[], amount_to_charges=Money(0), overpay_to_prepaid=True
    )
    await ledger.charge(unit, item="PK", amount_fen=15_000)
    spent = await ledger.pay(unit, tenders=[TenderInput("prepaid", Money(15_000))])
    assert await ledger.prepaid(unit) == 15_000
    voided = await _void(ledger, spent.payment_id)
    assert voided.prepaid_balance_after == Money(30_000)
    assert await ledger.prepaid(unit) == 30_000
    kinds = await PrepaidEntry.filter(void_id=voided.void_id).values_list("kind", "amount_fen")
    assert kinds == [("void", 15_000)]


async def test_void_refuses_when_the_credit_it_made_is_already_spent(ledger: Ledger) -> None:
    unit = await ledger.unit()
    deposit = await ledger.pay(
        unit, cash=15_000, charge_ids=[], amount_to_charges=Money(0), overpay_to_prepaid=True
    )
    await ledger.charge(unit, item="PK", amount_fen=15_000)
    await ledger.pay(unit, tenders=[TenderInput("prepaid", Money(15_000))])
    before = await snapshot()
    with pytest.raises(RuleError) as info:
        await _void(ledger, deposit.payment_id)
    assert info.value.code == "prepaid_already_spent"
    assert await snapshot() == before


async def test_void_twice_is_refused_and_the_same_void_id_replays(ledger: Ledger) -> None:
    unit = await ledger.unit()
    await ledger.charge(unit, item="PK", amount_fen=15_000)
    paid = await ledger.pay(unit)
    void_id = ledger.new_id()
    first = await _void(ledger, paid.payment_id, void_id=void_id)
    before = await snapshot()
    assert await _void(ledger, paid.payment_id, void_id=void_id) == first
    with pytest.raises(RuleError) as info:
        await _void(ledger, paid.payment_id)
    assert info.value.code == "already_void"
    assert info.value.params == {"receipt_no": paid.receipt_no}
    assert await snapshot() == before
    assert await Void.all().count() == 1


@pytest.mark.parametrize(
    ("overrides", "error", "code"),
    [
        ({"supervisor_pin": "0000"}, PermissionError_, "pin_wrong"),
        ({"supervisor_code": "7777"}, PermissionError_, "pin_wrong"),
        (
            {"supervisor_code": CASHIER_CODE, "supervisor_pin": CASHIER_PIN},
            PermissionError_,
            "supervisor_required",
        ),
        ({"reason": "  "}, InputError, "reason_required"),
        ({"reason": "x" * 201}, InputError, "reason_too_long"),
        ({"payment_id": "no-such-payment"}, InputError, "payment_unknown"),
    ],
)
async def test_void_refuses_bad_approval_or_input_and_changes_nothing(
    ledger: Ledger, overrides: dict, error: type, code: str
) -> None:
    unit = await ledger.unit()
    await ledger.charge(unit, item="PK", amount_fen=15_000)
    paid = await ledger.pay(unit)
    before = await snapshot()
    with pytest.raises(error) as info:
        await _void(ledger, paid.payment_id, **overrides)
    assert info.value.code == code
    assert await snapshot() == before


async def test_refund_pays_prepaid_back_and_never_below_zero(ledger: Ledger) -> None:
    unit = await ledger.unit()
    await ledger.pay(
        unit, cash=30_000, charge_ids=[], amount_to_charges=Money(0), overpay_to_prepaid=True
    )
    refunded = await _refund(ledger, unit, 10_000)
    assert refunded.prepaid_balance_after == Money(20_000)
    assert await ledger.prepaid(unit) == 20_000
    refund = await Refund.get(id=refunded.refund_id)
    assert (refund.method, refund.amount_fen, refund.shift_id) == (
        "cash",
        10_000,
        ledger.shift.shift_id,
    )
    before = await snapshot()
    with pytest.raises(RuleError) as info:
        await _refund(ledger, unit, 20_001)
    assert info.value.code == "prepaid_insufficient"
    assert await snapshot() == before


@pytest.mark.parametrize(
    ("overrides", "amount", "code"),
    [
        ({"method": "prepaid"}, 100, "refund_method_invalid"),
        ({}, 0, "amount_zero"),
        ({}, -5, "amount_negative"),
        ({"reason": ""}, 100, "reason_required"),
        ({"supervisor_pin": "1111"}, 100, "pin_wrong"),
        (
            {"supervisor_code": CASHIER_CODE, "supervisor_pin": CASHIER_PIN},
            100,
            "supervisor_required",
        ),
    ],
)
async def test_refund_refuses_bad_input_and_changes_nothing(
    ledger: Ledger, overrides: dict, amount: int, code: str
) -> None:
    unit = await ledger.unit()
    await ledger.pay(
        unit, cash=30_000, charge_ids=[], amount_to_charges=Money(0), overpay_to_prepaid=True
    )
    before = await snapshot()
    with pytest.raises((InputError, PermissionError_)) as info:
        await _refund(ledger, unit, amount, **overrides)
    assert info.value.code == code
    assert await snapshot() == before


async def test_void_is_allowed_when_the_balance_was_already_negative_and_it_does_not_lower_it(
    ledger: Ledger,
) -> None:
    unit = await ledger.unit()
    # Two counters refunded the same balance offline: once synced the balance is -¥5.00.
    await PrepaidEntry.create(
        id=ledger.new_id(),
        unit_id=unit.id,
        amount_fen=-500,
        kind="refund",
        created_at=ledger.svc.clock.now(),
    )
    await ledger.charge(unit, item="PK", amount_fen=15_000)
    paid = await ledger.pay(unit, cash=15_000, amount_to_charges=Money(15_000))
    voided = await _void(ledger, paid.payment_id)
    assert voided.prepaid_balance_after == Money(-500)
    assert await ledger.due(unit) == 15_000
