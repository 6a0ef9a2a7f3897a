"""Posting the same payment id twice never makes two payments (RELIABILITY R4)."""

from __future__ import annotations

import asyncio

from feetui.db.models import JournalEntry, Payment, ReceiptNumber
from tests.builders import Ledger, snapshot


async def test_same_payment_id_twice_in_a_row_returns_the_first_payment(ledger: Ledger) -> None:
    unit = await ledger.unit()
    await ledger.charge(unit, item="PK", amount_fen=15_000)
    payment_id = ledger.new_id()
    first = await ledger.pay(unit, cash=15_000, payment_id=payment_id)
    after_first = await snapshot()
    ledger.svc.clock.advance(seconds=1)  # type: ignore[attr-defined]
    again = await ledger.pay(unit, cash=15_000, payment_id=payment_id)
    assert again == first
    assert await snapshot() == after_first


async def test_same_payment_id_twice_at_once_makes_one_payment(ledger: Ledger) -> None:
    unit = await ledger.unit()
    await ledger.charge(unit, item="PK", amount_fen=15_000)
    payment_id = ledger.new_id()
    one, two = await asyncio.gather(
        ledger.pay(unit, cash=15_000, payment_id=payment_id),
        ledger.pay(unit, cash=15_000, payment_id=payment_id),
    )
    assert one == two
    assert await Payment.all().count() == 1
    assert await ReceiptNumber.all().count() == 1
    assert await JournalEntry.filter(record_id=payment_id).count() == 1


async def test_replay_answers_the_first_result_even_if_the_retry_differs(ledger: Ledger) -> None:
    unit = await ledger.unit()
    await ledger.charge(unit, item="PK", amount_fen=15_000)
    payment_id = ledger.new_id()
    first = await ledger.pay(unit, cash=15_000, payment_id=payment_id)
    again = await ledger.pay(unit, cash=99_999, payment_id=payment_id, overpay_to_prepaid=True)
    assert again == first
    assert await Payment.all().count() == 1


async def test_many_concurrent_payments_of_different_ids_get_distinct_numbers(
    ledger: Ledger,
) -> None:
    units = [await ledger.unit() for _ in range(5)]
    for unit in units:
        await ledger.charge(unit, item="PK", amount_fen=15_000)
    posted = await asyncio.gather(*(ledger.pay(unit, cash=15_000) for unit in units))
    numbers = sorted(p.receipt_no[-8:] for p in posted)
    assert numbers == [f"{n:08d}" for n in range(1, 6)]
