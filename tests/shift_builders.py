"""Shift scenarios for tests: cash movements, voids, refunds, closes and a hand-checked day.

Builds on :mod:`tests.builders`; everything posts through the services.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from feetui.core.money import Money
from feetui.db.models import Unit
from feetui.services.cash_movements import PostedCashMovement, record_cash_movement
from feetui.services.refunds import PostedRefund, refund_prepaid
from feetui.services.results import PostedPayment, TenderInput
from feetui.services.shifts import ClosedShift, close_shift
from feetui.services.voids import PostedVoid, void_payment
from tests.builders import SUPERVISOR_CODE, SUPERVISOR_PIN, Ledger


async def move(ledger: Ledger, kind: str, fen: int, **kwargs: str) -> PostedCashMovement:
    """A pay-in, pay-out or deposit in the ledger's open shift, by its cashier."""
    assert ledger.shift is not None
    return await record_cash_movement(
        ledger.svc,
        movement_id=ledger.new_id(),
        shift_id=ledger.shift.shift_id,
        cashier_id=ledger.cashier.id,
        kind=kind,
        amount=Money(fen),
        **kwargs,
    )


async def close(ledger: Ledger, counts: Mapping[str, int], **kwargs: object) -> ClosedShift:
    """Close the ledger's open shift with ``counts``, by its cashier."""
    assert ledger.shift is not None
    return await close_shift(
        ledger.svc,
        close_id=ledger.new_id(),
        shift_id=ledger.shift.shift_id,
        closed_by=ledger.cashier.id,
        counts=counts,
        **kwargs,  # type: ignore[arg-type]
    )


async def void(ledger: Ledger, payment_id: str) -> PostedVoid:
    """Void a payment with the supervisor's approval."""
    return await void_payment(
        ledger.svc,
        void_id=ledger.new_id(),
        payment_id=payment_id,
        cashier_id=ledger.cashier.id,
        supervisor_code=SUPERVISOR_CODE,
        supervisor_pin=SUPERVISOR_PIN,
        reason="录错房号",
    )


async def refund(ledger: Ledger, unit: Unit, fen: int, method: str = "cash") -> PostedRefund:
    """Pay ``fen`` of the unit's prepaid balance back, approved by the supervisor."""
    return await refund_prepaid(
        ledger.svc,
        refund_id=ledger.new_id(),
        unit_id=unit.id,
        amount=Money(fen),
        method=method,
        cashier_id=ledger.cashier.id,
        supervisor_code=SUPERVISOR_CODE,
        supervisor_pin=SUPERVISOR_PIN,
        reason="业主搬离",
    )


async def parking(ledger: Ledger, fen: int) -> Unit:
    """A unit owing one parking charge of ``fen`` (parking has no late fee)."""
    unit = await ledger.unit()
    await ledger.charge(unit, item="PK", amount_fen=fen)
    return unit


@dataclass
class HandDay:
    """What :func:`hand_checked_day` posted."""

    payments: list[PostedPayment]
    voided: PostedVoid
    refunded: PostedRefund


async def hand_checked_day(ledger: Ledger) -> HandDay:
    """Every kind of movement, with figures checked by hand (float ¥500, expected ¥575).

    A: ¥150 cash, ¥200 tendered, ¥50 change. B: ¥300 card. C: ¥100 as ¥60 cash + ¥40 WeChat.
    D: ¥100 owed, ¥120 cash, ¥20 kept as prepaid, then refunded in cash. E: ¥80 cash, voided.
    Pay-in ¥100, pay-out ¥35, bank deposit ¥300.

    Cash: 500 + (200 + 60 + 120 + 80 − 80) − 50 − 20 + 100 − 35 − 300 = 575.
    """
    a, b, c, d, e = [await parking(ledger, fen) for fen in (15_000, 30_000, 10_000, 10_000, 8_000)]
    cash = TenderInput
    paid = [
        await ledger.pay(a, tenders=[cash("cash", Money(15_000), tendered=Money(20_000))]),
        await ledger.pay(b, tenders=[cash("card", Money(30_000), reference="T-0001")]),
        await ledger.pay(
            c, tenders=[cash("cash", Money(6_000)), cash("wechat", Money(4_000), reference="W1")]
        ),
        await ledger.pay(d, tenders=[cash("cash", Money(12_000))], overpay_to_prepaid=True),
        await ledger.pay(e, tenders=[cash("cash", Money(8_000))]),
    ]
    voided = await void(ledger, paid[4].payment_id)
    refunded = await refund(ledger, d, 2_000)
    await move(ledger, "pay_in", 10_000, reason="零钱补充")
    await move(ledger, "pay_out", 3_500, reason="购买打印纸")
    await move(ledger, "deposit", 30_000, reason="工商银行", slip_no="0023")
    return HandDay(paid, voided, refunded)


__all__ = ["HandDay", "close", "hand_checked_day", "move", "parking", "refund", "void"]
