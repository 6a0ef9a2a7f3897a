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
