"""The bill cycle of a fee item: billing months, months covered, due dates, bad input."""

from __future__ import annotations

from datetime import date

import pytest

from feetui.core.billing import BillPeriod, bills_in, check_months_per_bill, covered, due_date
from feetui.core.errors import InputError


def test_a_quarterly_item_bills_in_january_april_july_and_october_every_year() -> None:
    months = [m for m in range(1, 13) if bills_in(BillPeriod(2026, m), 3)]
    assert months == [1, 4, 7, 10]
    assert [m for m in range(1, 13) if bills_in(BillPeriod(2031, m), 3)] == [1, 4, 7, 10]
    assert all(bills_in(BillPeriod(2026, m), 1) for m in range(1, 13))
    assert [m for m in range(1, 13) if bills_in(BillPeriod(2027, m), 12)] == [1]


def test_a_bill_covers_its_months_across_a_year_end() -> None:
    assert covered(BillPeriod(2026, 11), 3) == (date(2026, 11, 1), date(2027, 1, 31))
    assert covered(BillPeriod(2028, 2), 1) == (date(2028, 2, 1), date(2028, 2, 29))


def test_due_day_past_the_months_end_falls_on_its_last_day() -> None:
    assert due_date(BillPeriod(2026, 2), 31) == date(2026, 2, 28)
    assert due_date(BillPeriod(2026, 4), 28) == date(2026, 4, 28)


@pytest.mark.parametrize("text", ["2026-13", "2026-00", "26-01", "2026-1", "２０２６-01", "", "x"])
def test_a_bad_period_is_refused(text: str) -> None:
    with pytest.raises(InputError) as caught:
        BillPeriod.parse(text)
    assert caught.value.code == "period_invalid"


@pytest.mark.parametrize("months", [0, 13, -3])
def test_a_bill_cycle_outside_one_to_twelve_months_is_refused(months: int) -> None:
    with pytest.raises(InputError) as caught:
        check_months_per_bill(months)
    assert caught.value.code == "months_per_bill_invalid"


@pytest.mark.parametrize("day", [0, 32])
def test_a_due_day_outside_the_month_is_refused(day: int) -> None:
    with pytest.raises(InputError) as caught:
        due_date(BillPeriod(2026, 1), day)
    assert caught.value.code == "due_day_invalid"


def test_the_plan_bills_parking_per_car_and_skips_metered_one_off_and_zero_charges() -> None:
    from feetui.core.billing import PlanItem, PlanUnit, plan_bill

    items = [
        PlanItem("i2", "PK", "fixed", 15000, scope="vehicle", due_day=31),
        PlanItem("i1", "PF", "area", 250, months_per_bill=3),
        PlanItem("i3", "WATER", "metered", 395),
        PlanItem("i4", "CARD", "one_off", 2000),
    ]
    units = [PlanUnit("u2", "1-1-102", 0, vehicles=1), PlanUnit("u1", "1-1-101", 8950)]
    plan = plan_bill(BillPeriod(2026, 2), items, units)
    assert [(c.fee_item_id, c.unit_id, c.amount_fen, c.due_date) for c in plan] == [
        ("i2", "u2", 15000, date(2026, 2, 28))
    ]
    plan = plan_bill(BillPeriod(2026, 4), items, units)
    assert [(c.fee_item_id, c.unit_id, c.amount_fen) for c in plan] == [
        ("i1", "u1", 67125),
        ("i2", "u2", 15000),
    ]
    assert (plan[0].period, plan[0].period_start, plan[0].period_end) == (
        "2026-04",
        date(2026, 4, 1),
        date(2026, 6, 30),
    )
