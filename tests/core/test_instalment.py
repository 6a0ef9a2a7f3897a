"""Instalment schedules: they add up to the debt exactly, and overdue instalments show."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feetui.core.errors import InputError
from feetui.core.instalment import (
    Instalment,
    InstalmentStatus,
    even_schedule,
    parse_schedule,
    plan_progress,
    require_schedule,
    schedule_problems,
    schedule_text,
)
from feetui.core.money import Money

TODAY = date(2026, 11, 23)
DEBT = Money(100_000)


def _lines(*pairs: tuple[int, int]) -> list[Instalment]:
    return [Instalment(TODAY + timedelta(days=d), Money(fen)) for d, fen in pairs]


def test_a_schedule_that_adds_up_is_accepted() -> None:
    lines = _lines((0, 40_000), (30, 30_000), (60, 30_000))
    assert require_schedule(DEBT, lines, today=TODAY) == tuple(lines)


def test_a_schedule_one_fen_short_is_refused_with_the_difference() -> None:
    problems = schedule_problems(DEBT, _lines((1, 50_000), (31, 49_999)), today=TODAY)
    assert [p.code for p in problems] == ["plan_sum_mismatch"]
    assert problems[0].params["difference"] == "-0.01"


def test_every_problem_of_a_schedule_is_listed() -> None:
    lines = _lines((-1, 60_000), (-1, 0), (5, 50_000))
    codes = [p.code for p in schedule_problems(DEBT, lines, today=TODAY)]
    assert codes == [
        "plan_date_past",
        "plan_amount_invalid",
        "plan_date_past",
        "plan_dates_not_increasing",
        "plan_sum_mismatch",
    ]


@pytest.mark.parametrize(
    ("debt", "lines", "code"),
    [
        (DEBT, [(1, 100_000)], "plan_line_count"),
        (Money(0), [(1, 0), (2, 0)], "plan_debt_none"),
        (DEBT, [(10, 50_000), (10, 50_000)], "plan_dates_not_increasing"),
        (DEBT, [(10, 50_000), (9, 50_000)], "plan_dates_not_increasing"),
        (DEBT, [(10, 150_000), (20, -50_000)], "plan_amount_invalid"),
    ],
)
def test_require_schedule_refuses_bad_schedules(
    debt: Money, lines: list[tuple[int, int]], code: str
) -> None:
    with pytest.raises(InputError) as caught:
        require_schedule(debt, _lines(*lines), today=TODAY)
    assert caught.value.code == code


def test_even_schedule_spreads_the_odd_fen_and_steps_by_month() -> None:
    lines = even_schedule(Money(100_001), 3, first_due=date(2027, 1, 31))
    assert [line.amount.fen for line in lines] == [33_334, 33_334, 33_333]
    assert [line.due_date for line in lines] == [
        date(2027, 1, 31),
        date(2027, 2, 28),
        date(2027, 3, 31),
    ]


@settings(max_examples=100, deadline=None)
@given(
    debt=st.integers(min_value=36, max_value=10**9),
    count=st.integers(min_value=2, max_value=36),
)
def test_even_schedule_always_adds_up_to_the_debt_to_the_fen(debt: int, count: int) -> None:
    lines = even_schedule(Money(debt), count, first_due=TODAY)
    assert schedule_problems(Money(debt), lines, today=TODAY) == []


def test_even_schedule_refuses_too_many_instalments() -> None:
    with pytest.raises(InputError) as caught:
        even_schedule(DEBT, 37, first_due=TODAY)
    assert caught.value.code == "plan_line_count"


LINES = [
    Instalment(date(2026, 12, 1), Money(30_000)),
    Instalment(date(2027, 1, 1), Money(30_000)),
    Instalment(date(2027, 2, 1), Money(40_000)),
]


def test_nothing_paid_and_nothing_due_yet_means_the_first_is_next_and_none_overdue() -> None:
    progress = plan_progress(LINES, paid=Money(0), as_of=date(2026, 12, 1))
    assert progress.next is not None and progress.next.number == 1
    assert progress.overdue == ()
    assert progress.remaining == DEBT


def test_an_unpaid_instalment_is_overdue_the_day_after_its_date() -> None:
    progress = plan_progress(LINES, paid=Money(10_000), as_of=date(2026, 12, 2))
    assert [i.status for i in progress.instalments] == [
        InstalmentStatus.OVERDUE,
        InstalmentStatus.OPEN,
        InstalmentStatus.OPEN,
    ]
    assert progress.overdue_amount == Money(20_000)
    assert progress.next is not None and progress.next.remaining == Money(20_000)


def test_payments_fill_instalments_in_order() -> None:
    progress = plan_progress(LINES, paid=Money(45_000), as_of=date(2027, 1, 15))
    assert [i.paid.fen for i in progress.instalments] == [30_000, 15_000, 0]
    assert [i.status for i in progress.instalments] == [
        InstalmentStatus.PAID,
        InstalmentStatus.OVERDUE,
        InstalmentStatus.OPEN,
    ]


def test_a_plan_paid_in_full_is_complete_even_when_paid_more() -> None:
    progress = plan_progress(LINES, paid=Money(120_000), as_of=date(2028, 1, 1))
    assert progress.complete
    assert progress.next is None
    assert progress.overdue == ()


def test_a_typed_schedule_reads_back_what_was_written() -> None:
    lines = even_schedule(Money(100_001), 3, first_due=TODAY)
    assert parse_schedule(schedule_text(lines) + "\n\n", ceiling=DEBT) == list(lines)
    assert parse_schedule("２０２６/12/01  ¥1,000.5", ceiling=Money(10**8)) == [
        Instalment(date(2026, 12, 1), Money(100_050))
    ]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("2026-12-01", "plan_line_invalid"),
        ("2026-13-01 5", "date_invalid"),
        ("tomorrow 5", "date_invalid"),
        ("2026-12-01 5x", "amount_has_letters"),
    ],
)
def test_a_badly_typed_schedule_is_refused(text: str, code: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_schedule(text, ceiling=DEBT)
    assert caught.value.code == code
