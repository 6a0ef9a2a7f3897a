"""R19: a wrong or jumping PC clock does not corrupt ordering or dates. Ids stay ordered per
device, the business date comes from the shift, and HQ flags the skew."""

from __future__ import annotations

from feetui.clock import IdSource
from feetui.core.money import Money
from tests.sync.counters import Counter, publish_community


async def test_clock_jumps_keep_ids_ordered_dates_from_the_shift_and_hq_flags_skew(
    hq, tmp_path, clock, db_template
) -> None:
    community = await publish_community(hq, IdSource(clock), units=1, charges_per_unit=3)
    counter = Counter(tmp_path / "c.sqlite3", clock, "window-1", template=db_template)
    await counter.open()
    try:
        await counter.enroll(hq)
        await counter.sync()
        await counter.open_shift(community.cashier_id)
        unit = community.units[0]
        paid = [
            await counter.pay(unit, community.cashier_id, 3_000, amount_to_charges=Money(3_000))
        ]
        clock.advance(days=-2)  # the PC clock jumps two days back
        paid.append(
            await counter.pay(unit, community.cashier_id, 3_000, amount_to_charges=Money(3_000))
        )
        clock.advance(days=2, hours=5)  # ... then five hours ahead of HQ
        paid.append(
            await counter.pay(unit, community.cashier_id, 3_000, amount_to_charges=Money(3_000))
        )
        await counter.sync()
        journal = await counter.query(
            "SELECT record_id FROM journal_entry WHERE device_id = ? AND kind = 'payment'"
            " ORDER BY seq",
            counter.device_id,
        )
        ids = [row[0] for row in journal]
        assert ids == [p.payment_id for p in paid] and ids == sorted(ids)
        days = await counter.query("SELECT DISTINCT business_date FROM payment")
        assert [str(day) for (day,) in days] == ["2026-11-23"]
    finally:
        await counter.close()
    skew = await hq.rows("SELECT record_id, detail FROM exceptions WHERE kind = 'clock_skew'")
    flagged = {row["record_id"]: row["detail"] for row in skew}
    assert paid[1].payment_id in flagged and '"behind"' in flagged[paid[1].payment_id]
    assert paid[2].payment_id in flagged and '"ahead"' in flagged[paid[2].payment_id]
    assert paid[0].payment_id not in flagged
    days = await hq.rows("SELECT DISTINCT business_date FROM money_lines")
    assert days == [{"business_date": "2026-11-23"}]
