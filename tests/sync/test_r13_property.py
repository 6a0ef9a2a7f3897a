"""R13 as a property: whatever the interleaving of two counters taking money for one unit's
charges offline and syncing now and then, once both synced they agree on every payment, on what
each charge still owes and on the prepaid balance, and per unit the money received equals what the
charges absorbed plus the prepaid balance (nothing lost, nothing counted twice)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from feetui.clock import FixedClock, IdSource
from tests.sync.counters import Counter, publish_community, publish_unit

# An operation: (counter 0 or 1, "sync" or an amount in fen; overpay to prepaid or not).
OPERATION = st.tuples(
    st.integers(0, 1),
    st.one_of(st.just("sync"), st.integers(1, 40_000)),
    st.booleans(),
)


@pytest.fixture
async def pair(hq, tmp_path: Path, clock: FixedClock, db_template: Path) -> AsyncIterator:
    """Counters A and B, shared by every example of the property (each example uses a new unit,
    so examples do not see each other's money)."""
    counters = [
        Counter(tmp_path / f"p{n}.sqlite3", clock, f"window-{n}", template=db_template)
        for n in "AB"
    ]
    community = await publish_community(hq, IdSource(clock), units=0)
    try:
        for counter in counters:
            await counter.open()
            await counter.enroll(hq)
            await counter.sync()
            await counter.open_shift(community.cashier_id)
        yield community, counters
    finally:
        for counter in counters:
            await counter.close()


async def _pay(counter: Counter, unit: str, cashier: str, amount: int, overpay: bool) -> None:
    from feetui.core.money import Money

    owed = await counter.outstanding(unit)
    if owed == 0 or overpay:
        to_charges = min(owed, amount)
        await counter.pay(
            unit,
            cashier,
            amount,
            amount_to_charges=Money(to_charges),
            overpay_to_prepaid=amount > to_charges or to_charges == 0,
        )
    else:
        await counter.pay(
            unit, cashier, min(amount, owed), amount_to_charges=Money(min(amount, owed))
        )


@settings(
    max_examples=10,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(operations=st.lists(OPERATION, min_size=1, max_size=8), charges=st.integers(1, 3))
async def test_interleaved_offline_payments_of_one_unit_agree_once_synced(
    hq, pair: tuple, clock: FixedClock, operations, charges
) -> None:
    community, counters = pair
    unit = await publish_unit(hq, IdSource(clock), community, charges=charges)
    for counter in counters:
        await counter.sync()
    for who, what, overpay in operations:
        if what == "sync":
            await counters[who].sync()
        else:
            await _pay(counters[who], unit, community.cashier_id, what, overpay)
    for _round in range(2):
        for counter in counters:
            await counter.sync()
    due = charges * 10_000
    views = []
    for counter in counters:
        [(received,)] = await counter.query(
            "SELECT COALESCE(SUM(total_fen), 0) FROM payment WHERE unit_id = ?", unit
        )
        outstanding, prepaid = await counter.outstanding(unit), await counter.prepaid(unit)
        payments = set(await counter.query("SELECT id FROM payment WHERE unit_id = ?", unit))
        assert received == (due - outstanding) + prepaid, (received, outstanding, prepaid)
        assert 0 <= outstanding <= due and prepaid >= 0
        views.append((payments, outstanding, prepaid))
    assert views[0] == views[1]
