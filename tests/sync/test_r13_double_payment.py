"""R13: two counters that took money for the same charge offline keep both payments; once synced
the excess is the unit's prepaid balance on both, and HQ reports the charge overpaid."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from feetui.clock import FixedClock, IdSource
from tests.sync.counters import Counter, publish_community


@pytest.fixture
async def two_counters(
    hq, tmp_path: Path, clock: FixedClock, db_template: Path
) -> AsyncIterator[tuple]:
    """Counters A and B enrolled at S1, the community pulled, a shift open on each."""
    community = await publish_community(hq, IdSource(clock), units=2)
    counters = [
        Counter(tmp_path / f"{n}.sqlite3", clock, f"window-{n}", template=db_template) for n in "AB"
    ]
    try:
        for counter in counters:
            await counter.open()
            await counter.enroll(hq)
            await counter.sync()
            await counter.open_shift(community.cashier_id)
        yield community, *counters
    finally:
        for counter in counters:
            await counter.close()


async def _totals(counter: Counter, unit_id: str) -> tuple[int, int, int]:
    """(money received for the unit, what its charges still owe, its prepaid balance)."""
    received = await counter.query(
        "SELECT COALESCE(SUM(total_fen), 0) FROM payment WHERE unit_id = ?", unit_id
    )
    return received[0][0], await counter.outstanding(unit_id), await counter.prepaid(unit_id)


async def test_both_offline_payments_stand_and_the_excess_is_prepaid_on_both_sides(
    hq, two_counters
) -> None:
    community, a, b = two_counters
    unit = community.units[0]
    charge = community.charges[unit][0]
    paid_a = await a.pay(unit, community.cashier_id, 10_000)  # both offline: neither has synced
    paid_b = await b.pay(unit, community.cashier_id, 10_000)
    assert paid_a.total.fen == paid_b.total.fen == 10_000
    for _round in range(2):
        await a.sync()
        await b.sync()
    for counter in (a, b):
        ids = {row[0] for row in await counter.query("SELECT id FROM payment")}
        assert ids == {paid_a.payment_id, paid_b.payment_id}
        assert await _totals(counter, unit) == (20_000, 0, 10_000)
        allocated = await counter.query(
            "SELECT SUM(amount_fen) FROM allocation WHERE charge_id = ?", charge
        )
        assert allocated == [(20_000,)]
    overpaid = await hq.rows("SELECT detail FROM exceptions WHERE kind = 'overpaid'")
    assert len(overpaid) == 1 and charge in overpaid[0]["detail"]
    assert await hq.scalar("SELECT count(*) FROM journal WHERE kind = 'payment'") == 2


async def test_the_excess_can_be_spent_as_prepaid_on_the_other_counter(hq, two_counters) -> None:
    community, a, b = two_counters
    unit = community.units[0]
    await a.pay(unit, community.cashier_id, 10_000)
    await b.pay(unit, community.cashier_id, 10_000)
    await a.sync()
    await b.sync()
    await a.sync()
    assert await a.prepaid(unit) == 10_000
    from feetui.core.money import Money
    from feetui.services.payments import take_payment
    from feetui.services.results import TenderInput

    await hq.publish(
        "charge",
        {
            "id": a.svc.ids.new_str(),
            "unit_id": unit,
            "fee_item_id": community.fee_item_id,
            "period": "2026-11",
            "amount_fen": 4_000,
            "due_date": "2026-11-28",
        },
    )
    await a.sync()
    spent = await a.run(
        take_payment(
            a.svc,
            payment_id=a.svc.ids.new_str(),
            unit_id=unit,
            cashier_id=community.cashier_id,
            tenders=[TenderInput("prepaid", Money(4_000))],
        )
    )
    assert spent.payment_id
    assert await a.prepaid(unit) == 6_000 and await a.outstanding(unit) == 0
    await a.sync()
    await b.sync()
    assert await b.prepaid(unit) == 6_000 and await b.outstanding(unit) == 0


async def test_a_foreign_payment_waits_for_its_unit_then_lands(
    hq, two_counters, clock: FixedClock
) -> None:
    from tortoise.transactions import in_transaction

    from feetui.sync.foreign import store_foreign_record

    community, a, b = two_counters
    new_unit = IdSource(clock).new_str()
    await hq.publish(
        "unit",
        {
            "id": new_unit,
            "site_id": community.site_id,
            "code": "9-9-909",
            "building": "9",
            "entrance": "9",
            "room": "909",
        },
    )
    await a.sync()
    paid = await a.pay(new_unit, community.cashier_id, 5_000, overpay_to_prepaid=True)
    [(seq, payload_json, prev, digest)] = await a.query(
        "SELECT seq, payload_json, prev_hash, hash FROM journal_entry WHERE record_id = ?",
        paid.payment_id,
    )
    wire = {
        "device_id": a.device_id,
        "seq": seq,
        "record_id": paid.payment_id,
        "kind": "payment",
        "payload": json.loads(payload_json),
        "prev_hash": prev,
        "hash": digest,
    }

    async def store() -> bool:
        async with in_transaction() as conn:
            return await store_foreign_record(conn, wire, own_device_id=b.device_id)

    assert await b.run(store()) is False  # B has not pulled the unit yet: kept, not projected
    assert await b.query("SELECT count(*) FROM payment WHERE id = ?", paid.payment_id) == [(0,)]
    assert await b.query(
        "SELECT device_id FROM journal_entry WHERE record_id = ?", paid.payment_id
    ) == [(a.device_id,)]
    await a.sync()
    await b.sync()  # the unit arrives; the waiting payment is projected with it
    assert await b.query("SELECT total_fen FROM payment WHERE id = ?", paid.payment_id) == [
        (5_000,)
    ]
    assert await b.prepaid(new_unit) == 5_000


async def test_prepaid_overspent_by_two_offline_refunds_shows_negative_and_the_unit_still_pays(
    hq, two_counters
) -> None:
    from feetui.core.allocation import spend_prepaid
    from feetui.core.money import Money
    from feetui.services.refunds import refund_prepaid
    from tests.builders import SUPERVISOR_CODE, SUPERVISOR_PIN

    community, a, b = two_counters
    unit = community.units[0]
    await a.pay(
        unit, community.cashier_id, 5_000, amount_to_charges=Money(0), overpay_to_prepaid=True
    )
    await a.sync()
    await b.sync()
    for counter in (a, b):  # both refund the whole ¥50 while offline
        await counter.run(
            refund_prepaid(
                counter.svc,
                refund_id=counter.svc.ids.new_str(),
                unit_id=unit,
                amount=Money(5_000),
                method="cash",
                cashier_id=community.cashier_id,
                reason="退预存",
                supervisor_code=SUPERVISOR_CODE,
                supervisor_pin=SUPERVISOR_PIN,
            )
        )
    for _round in range(2):
        await a.sync()
        await b.sync()
    assert await a.prepaid(unit) == await b.prepaid(unit) == -5_000
    assert spend_prepaid(Money(-5_000), Money(0)) == Money(-5_000)
    paid = await b.pay(unit, community.cashier_id, 10_000)
    assert paid.total.fen == 10_000 and await b.outstanding(unit) == 0
