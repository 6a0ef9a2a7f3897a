"""Two windows at one site see each other's money: payments, voids, refunds, adjustments and
charges made on counter A arrive on counter B as the same rows, and balances agree."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from feetui.clock import FixedClock, IdSource
from feetui.core.money import Money
from tests.builders import SUPERVISOR_CODE, SUPERVISOR_PIN
from tests.sync.counters import Counter, publish_community

POSTED = (
    "payment",
    "tender",
    "allocation",
    "prepaid_entry",
    "void",
    "refund",
    "adjustment",
    "charge",
)


@pytest.fixture
async def pair(hq, tmp_path: Path, clock: FixedClock, db_template: Path) -> AsyncIterator:
    community = await publish_community(hq, IdSource(clock), units=2, charges_per_unit=2)
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


async def _rows(counter: Counter, table: str) -> set[tuple]:
    columns = "id, amount_fen" if table not in ("payment", "void") else "id"
    if table == "payment":
        columns = "id, total_fen, unit_id, shift_id, business_date"
    return set(await counter.query(f"SELECT {columns} FROM {table}"))


async def test_every_money_record_of_a_arrives_on_b_as_the_same_rows(hq, pair) -> None:
    from feetui.services.adjustments import adjust_charge
    from feetui.services.charges import add_one_off_charge
    from feetui.services.refunds import refund_prepaid
    from feetui.services.voids import void_payment

    community, a, b = pair
    first, second = community.units
    supervisor = {"supervisor_code": SUPERVISOR_CODE, "supervisor_pin": SUPERVISOR_PIN}
    await a.pay(first, community.cashier_id, 25_000, overpay_to_prepaid=True)
    voided = await a.pay(
        second, community.cashier_id, 10_000, charge_ids=community.charges[second][:1]
    )
    new = a.svc.ids.new_str
    await a.run(
        void_payment(
            a.svc,
            void_id=new(),
            payment_id=voided.payment_id,
            cashier_id=community.cashier_id,
            reason="收错房号",
            **supervisor,
        )
    )
    await a.run(
        refund_prepaid(
            a.svc,
            refund_id=new(),
            unit_id=first,
            amount=Money(3_000),
            method="cash",
            cashier_id=community.cashier_id,
            reason="退多收",
            **supervisor,
        )
    )
    await a.run(
        adjust_charge(
            a.svc,
            adjustment_id=new(),
            charge_id=community.charges[second][1],
            kind="waiver",
            amount=Money(2_000),
            reason="减免",
            requested_by_id=community.cashier_id,
            **supervisor,
        )
    )
    await a.run(
        add_one_off_charge(
            a.svc,
            charge_id=new(),
            unit_id=second,
            fee_item_id=community.one_off_item_id,
            cashier_id=community.cashier_id,
            amount=Money(1_500),
            note="门禁卡",
        )
    )
    await a.sync()
    report = await b.sync()
    assert report.pull.skipped == 0
    for table in POSTED:
        assert await _rows(b, table) == await _rows(a, table), table
    for unit in community.units:
        assert await b.prepaid(unit) == await a.prepaid(unit)
        assert await b.outstanding(unit) == await a.outstanding(unit)
    assert await a.prepaid(first) == 2_000 and await a.outstanding(second) == 18_000 + 1_500
    # B's own chain holds only B's records; A's are kept under A's device id, without outbox.
    own = await b.query("SELECT count(*) FROM journal_entry WHERE device_id = ?", b.device_id)
    foreign = await b.query("SELECT count(*) FROM journal_entry WHERE device_id = ?", a.device_id)
    outbox = await b.query("SELECT count(*) FROM outbox")
    assert own == outbox == [(1,)]  # B's shift_open
    assert foreign == await a.query(
        "SELECT count(*) FROM journal_entry WHERE device_id = ?", a.device_id
    )


async def test_b_can_void_a_payment_taken_on_a(hq, pair) -> None:
    from feetui.services.voids import void_payment

    community, a, b = pair
    paid = await a.pay(community.units[0], community.cashier_id, 20_000)
    await a.sync()
    await b.sync()
    await b.run(
        void_payment(
            b.svc,
            void_id=b.svc.ids.new_str(),
            payment_id=paid.payment_id,
            cashier_id=community.cashier_id,
            reason="重复收款",
            supervisor_code=SUPERVISOR_CODE,
            supervisor_pin=SUPERVISOR_PIN,
        )
    )
    await b.sync()
    await a.sync()
    for counter in (a, b):
        assert await counter.outstanding(community.units[0]) == 20_000
        assert await counter.query("SELECT payment_id FROM void") == [(paid.payment_id,)]
    assert await hq.scalar("SELECT count(*) FROM voids") == 1
