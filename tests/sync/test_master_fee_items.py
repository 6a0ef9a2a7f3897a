"""A fee item HQ makes reaches the counter with its late-fee rule and bill cycle through a real
pull, and the counter's statement charges the late fee; an older HQ that sends no such fields
leaves the counter's values alone."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from feetui.core.money import Money
from feetui.db.models import FeeItem, Unit
from feetui.db.queries.statement import get_unit_statement
from sync_server.services.billing import NewFeeItem, add_fee_item, bill_period
from sync_server.services.imports import import_units

RULE = ("months_per_bill", "late_fee_daily_ppm", "late_fee_grace_days", "late_fee_cap_percent")


async def _sync(target, clock) -> None:
    from feetui.sync.service import SyncService

    service = SyncService(target, clock)
    try:
        report = await service.sync_once()
    finally:
        await service.close()
    assert report.pull.skipped == 0


async def _rule(item_id: str) -> tuple[int, ...]:
    item = await FeeItem.get(id=item_id)
    return tuple(getattr(item, key) for key in RULE)


async def test_a_late_fee_set_at_hq_reaches_the_counter_and_its_statement(
    db, hq, enrolled, clock, tmp_path: Path
) -> None:
    units = tmp_path / "units.csv"
    units.write_text("site,unit,area,owner,phone,plates\nS1,1-1-101,100,张三丰,,\n", "utf-8")
    assert (await import_units(hq.db, units, now=hq.clock())).ok
    item = NewFeeItem(
        "PF", "物业费", "area", 250, due_day=28, months_per_bill=3,
        late_fee_daily_ppm=500, late_fee_grace_days=10, late_fee_cap_percent=30, site="S1",
    )  # fmt: skip
    item_id = await add_fee_item(hq.db, item, now=hq.clock())
    await bill_period(hq.db, period="2026-10", now=hq.clock())
    await _sync(enrolled, clock)

    assert await _rule(item_id) == (3, 500, 10, 30)
    unit = await Unit.get(code="1-1-101")
    # 100 m² × ¥2.50 × 3 months = ¥750, due 2026-10-28. On 2026-11-17: 20 days late less 10 of
    # grace = 10 days × 0.5‰ × ¥750 = ¥3.75.
    statement = await get_unit_statement(unit.id, as_of=date(2026, 11, 17))
    assert statement is not None
    [line] = statement.lines
    assert line.charge.amount == Money(75_000)
    assert line.charge.due_date == date(2026, 10, 28)
    assert line.late_fee == Money(375)
    assert statement.due == Money(75_375)
    # Within the grace days nothing accrues; far later the cap (30 % = ¥225) holds.
    cases = ((date(2026, 11, 7), 0), (date(2026, 11, 8), 38), (date(2029, 1, 1), 22_500))
    for as_of, late in cases:
        later = await get_unit_statement(unit.id, as_of=as_of)
        assert later is not None and later.late_fees == Money(late), as_of


async def test_a_fee_item_from_an_older_hq_without_the_fields_keeps_the_counters_values(
    db, hq, enrolled, clock
) -> None:
    item = NewFeeItem(
        "PF", "物业费", "area", 250, months_per_bill=3, late_fee_daily_ppm=500,
        late_fee_grace_days=10, late_fee_cap_percent=30, site="S1",
    )  # fmt: skip
    item_id = await add_fee_item(hq.db, item, now=hq.clock())
    await _sync(enrolled, clock)
    assert await _rule(item_id) == (3, 500, 10, 30)
    # An HQ of an older version republishes the item (a new name) with none of the fields.
    old = {"id": item_id, "site_id": hq.sites["S1"], "code": "PF", "name": "物业服务费",
           "kind": "area", "rate_fen": 260}  # fmt: skip
    await hq.publish("fee_item", old)
    await _sync(enrolled, clock)
    stored = await FeeItem.get(id=item_id)
    assert (stored.name, stored.rate_fen) == ("物业服务费", 260)
    assert await _rule(item_id) == (3, 500, 10, 30)
    # A new item from that HQ takes the model's defaults: monthly, no late fee.
    await hq.publish("fee_item", {**old, "id": "0190a000-0000-7000-8000-0000000000f1",
                                  "code": "RB", "kind": "fixed"})  # fmt: skip
    await _sync(enrolled, clock)
    assert await _rule("0190a000-0000-7000-8000-0000000000f1") == (1, 0, 0, 0)


async def test_a_late_fee_set_later_on_an_existing_item_reaches_the_counter(
    db, hq, enrolled, clock, tmp_path: Path
) -> None:
    from sync_server.services.billing import update_fee_item

    units = tmp_path / "units.csv"
    units.write_text("site,unit,area,owner,phone,plates\nS1,1-1-101,100,张三丰,,\n", "utf-8")
    assert (await import_units(hq.db, units, now=hq.clock())).ok
    item_id = await add_fee_item(
        hq.db, NewFeeItem("PF", "物业费", "area", 250, site="S1"), now=hq.clock()
    )
    await bill_period(hq.db, period="2026-10", now=hq.clock())
    await _sync(enrolled, clock)
    unit = await Unit.get(code="1-1-101")
    as_of = date(2026, 11, 27)  # 30 days after the due date
    assert (await get_unit_statement(unit.id, as_of=as_of)).late_fees == Money(0)  # type: ignore[union-attr]
    rule = {"late_fee_daily_ppm": 500, "late_fee_grace_days": 0, "late_fee_cap_percent": 100}
    await update_fee_item(hq.db, site="S1", code="PF", changes=rule, now=hq.clock())
    await _sync(enrolled, clock)
    assert await _rule(item_id) == (1, 500, 0, 100)
    # ¥250 × 0.5‰ × 30 days = ¥3.75 on the charge billed before the rule was set.
    assert (await get_unit_statement(unit.id, as_of=as_of)).late_fees == Money(375)  # type: ignore[union-attr]
