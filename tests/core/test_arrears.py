"""Arrears rules: ageing boundaries, collection-rate arithmetic, follow-ups and promises."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feetui.core.allocation import OpenCharge, allocate
from feetui.core.arrears import (
    AGE_BUCKETS,
    BilledAmount,
    CollectedAmount,
    FollowUpDraft,
    PromiseStatus,
    add_months,
    age_days,
    bucket_by_code,
    bucket_of,
    bucket_totals,
    check_follow_up,
    collection_rates,
    last_months,
    month_of,
    overall_rate,
    parse_date,
    percent_text,
    promise_status,
    rate_basis_points,
    surfacing_rank,
)
from feetui.core.errors import FeeError, InputError
from feetui.core.instalment import Instalment
from feetui.core.money import Money

DUE = date(2026, 1, 10)


@pytest.mark.parametrize(
    ("days", "bucket"),
    [
        (-5, None),
        (0, None),
        (1, "d30"),
        (30, "d30"),
        (31, "d90"),
        (90, "d90"),
        (91, "d180"),
        (180, "d180"),
        (181, "over180"),
        (2000, "over180"),
    ],
)
def test_bucket_of_puts_each_boundary_day_in_the_right_bucket(
    days: int, bucket: str | None
) -> None:
    as_of = DUE + timedelta(days=days)
    assert age_days(DUE, as_of) == days
    found = bucket_of(age_days(DUE, as_of))
    assert (found.code if found else None) == bucket


def test_buckets_cover_every_overdue_day_exactly_once() -> None:
    for age in range(1, 400):
        assert sum(b.holds(age) for b in AGE_BUCKETS) == 1


def test_bucket_totals_sum_per_bucket_and_skip_debts_not_yet_due() -> None:
    debts = [(0, Money(999)), (30, Money(100)), (31, Money(200)), (181, Money(50)), (400, Money(5))]
    assert bucket_totals(debts) == {
        "d30": Money(100),
        "d90": Money(200),
        "d180": Money(0),
        "over180": Money(55),
    }


def test_bucket_by_code_rejects_an_unknown_code() -> None:
    assert bucket_by_code("d90").first_day == 31
    with pytest.raises(InputError) as caught:
        bucket_by_code("d45")
    assert caught.value.code == "age_bucket_unknown"


def test_months_are_counted_back_across_a_year_end() -> None:
    assert last_months(date(2026, 2, 28), 4) == ("2025-11", "2025-12", "2026-01", "2026-02")
    assert len(last_months(date(2026, 11, 23))) == 12
    assert month_of(date(2026, 3, 1)) == "2026-03"


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2026, 12, 15), 1, date(2027, 1, 15)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
        (date(2026, 5, 10), 24, date(2028, 5, 10)),
    ],
)
def test_add_months_stays_inside_the_target_month(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


# ---------------------------------------------------------------- collection rate


@pytest.mark.parametrize(
    ("collected", "billed", "bp", "text"),
    [
        (0, 100, 0, "0.00%"),
        (100, 100, 10000, "100.00%"),
        (1, 3, 3333, "33.33%"),
        (2, 3, 6667, "66.67%"),
        (96_4350, 100_0000, 9644, "96.44%"),  # 0.964350 → 96.4350 % → half up → 96.44 %
        (1, 20000, 1, "0.01%"),  # 0.5 basis point rounds up
        (1, 20001, 0, "0.00%"),
        (50, 0, None, "—"),
    ],
)
def test_rate_basis_points_rounds_half_up(
    collected: int, billed: int, bp: int | None, text: str
) -> None:
    assert rate_basis_points(Money(collected), Money(billed)) == bp
    assert percent_text(rate_basis_points(Money(collected), Money(billed))) == text


def test_collection_rate_keeps_prior_period_arrears_apart() -> None:
    billed = [
        BilledAmount("", "2026-09", Money(10000)),
        BilledAmount("", "2026-10", Money(20000)),
    ]
    collected = [
        CollectedAmount("", "2026-09", "2026-09", Money(6000)),
        CollectedAmount("", "2026-09", "2026-10", Money(3000)),  # September's debt, paid late
        CollectedAmount("", "2026-10", "2026-10", Money(15000)),
        CollectedAmount("", "2026-10", "2026-11", Money(1000)),  # paid after the month
        CollectedAmount("", "2026-08", "2026-10", Money(700)),  # older arrears
    ]
    sep, october = collection_rates(("2026-09", "2026-10"), billed, collected)
    assert (sep.billed, sep.collected, sep.prior_collected) == (Money(10000), Money(9000), Money(0))
    assert sep.rate_bp == 9000
    assert october.collected == Money(16000)
    assert october.prior_collected == Money(3700)
    assert october.rate_bp == 8000
    assert october.outstanding == Money(4000)
    year = overall_rate([sep, october])
    assert (year.billed, year.collected, year.rate_bp) == (Money(30000), Money(25000), 8333)


def test_collection_rates_are_per_group_and_leave_out_empty_groups() -> None:
    billed = [BilledAmount("1", "2026-10", Money(100)), BilledAmount("2", "2026-10", Money(300))]
    collected = [CollectedAmount("2", "2026-10", "2026-10", Money(300))]
    rates = collection_rates(("2026-09", "2026-10"), billed, collected)
    assert [(r.group, r.period, r.rate_bp) for r in rates] == [
        ("1", "2026-10", 0),
        ("2", "2026-10", 10000),
    ]


def test_collection_rates_for_named_groups_fill_every_month() -> None:
    billed = [BilledAmount("", "2026-10", Money(100))]
    rates = collection_rates(("2026-09", "2026-10"), billed, [], groups=("",))
    assert [(r.period, r.billed.fen, r.rate_bp) for r in rates] == [
        ("2026-09", 0, None),
        ("2026-10", 100, 0),
    ]


def test_collection_rate_of_a_month_without_bills_has_no_rate() -> None:
    rates = collection_rates(
        ("2026-10",), [], [CollectedAmount("", "2026-09", "2026-10", Money(500))]
    )
    assert rates[0].rate_bp is None
    assert rates[0].prior_collected == Money(500)


MONTHS = ("2026-01", "2026-02", "2026-03")


@settings(max_examples=150, deadline=None)
@given(
    bills=st.lists(
        st.tuples(st.sampled_from(MONTHS), st.integers(min_value=1, max_value=50_000)),
        min_size=1,
        max_size=8,
    ),
    payments=st.lists(
        st.tuples(st.sampled_from(MONTHS), st.integers(min_value=0, max_value=80_000)),
        max_size=8,
    ),
)
def test_collected_never_exceeds_billed_plus_prepaid_per_period(
    bills: list[tuple[str, int]], payments: list[tuple[str, int]]
) -> None:
    """Payments allocated oldest first: each month's collected ≤ billed (+ the prepaid left)."""
    charges = {f"c{n}": (month, fen) for n, (month, fen) in enumerate(bills)}
    owing = dict.fromkeys(charges, 0)
    collected: list[CollectedAmount] = []
    prepaid = 0
    for paid_month, fen in sorted(payments):
        open_ = [
            OpenCharge(cid, date.fromisoformat(m + "-01"), Money(f - owing[cid]))
            for cid, (m, f) in charges.items()
        ]
        plan = allocate(Money(fen), open_)
        prepaid += plan.prepaid_credit.fen
        for line in plan.lines:
            owing[line.charge_id] += line.amount.fen
            collected.append(
                CollectedAmount("", charges[line.charge_id][0], paid_month, line.amount)
            )
    billed = [BilledAmount("", m, Money(f)) for m, f in charges.values()]
    rates = collection_rates(MONTHS, billed, collected)
    for rate in rates:
        assert rate.collected.fen <= rate.billed.fen + prepaid
        assert rate.collected <= rate.billed
        assert rate.rate_bp is None or 0 <= rate.rate_bp <= 10000
    received = sum(fen for _, fen in payments)
    assert sum(r.collected.fen for r in rates) + prepaid == received


# ---------------------------------------------------------------- follow-ups and promises

TODAY = date(2026, 11, 23)


def _draft(**changes: object) -> FollowUpDraft:
    values: dict[str, object] = {"channel": "phone", "reason": "forgot", "said": "  will come  "}
    values.update(changes)
    return FollowUpDraft(**values)  # type: ignore[arg-type]


def test_check_follow_up_tidies_the_text_and_accepts_a_promise_for_today() -> None:
    checked = check_follow_up(
        _draft(promised_date=TODAY, promised_amount=Money(5000)), today=TODAY, owed=Money(9000)
    )
    assert checked.said == "will come"
    assert checked.promised_date == TODAY


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"channel": "fax"}, "channel_unknown"),
        ({"reason": "lazy"}, "reason_unknown"),
        ({"reason": "unhappy_service"}, "reason_detail_required"),
        ({"reason": "other", "reason_detail": "   "}, "reason_detail_required"),
        ({"said": "x" * 501}, "text_too_long"),
        ({"promised_date": TODAY}, "promise_incomplete"),
        ({"promised_amount": Money(100)}, "promise_incomplete"),
        (
            {"promised_date": TODAY - timedelta(days=1), "promised_amount": Money(100)},
            "promise_date_past",
        ),
        ({"promised_date": TODAY, "promised_amount": Money(0)}, "promise_amount_invalid"),
        ({"promised_date": TODAY, "promised_amount": Money(9001)}, "promise_above_owed"),
    ],
)
def test_check_follow_up_refuses_bad_input(changes: dict[str, object], code: str) -> None:
    with pytest.raises(InputError) as caught:
        check_follow_up(_draft(**changes), today=TODAY, owed=Money(9000))
    assert caught.value.code == code


def test_unhappy_with_service_is_accepted_with_what() -> None:
    checked = check_follow_up(
        _draft(reason="unhappy_service", reason_detail=" lift broken "), today=TODAY, owed=Money(1)
    )
    assert checked.reason_detail == "lift broken"


@pytest.mark.parametrize(
    ("as_of", "paid", "status"),
    [
        (TODAY - timedelta(days=1), 0, PromiseStatus.PENDING),
        (TODAY, 0, PromiseStatus.DUE),
        (TODAY, 4999, PromiseStatus.DUE),
        (TODAY + timedelta(days=1), 4999, PromiseStatus.BROKEN),
        (TODAY + timedelta(days=1), 5000, PromiseStatus.KEPT),
        (TODAY - timedelta(days=3), 6000, PromiseStatus.KEPT),
    ],
)
def test_promise_status_as_of_a_date(as_of: date, paid: int, status: str) -> None:
    assert promise_status(TODAY, Money(5000), paid_since=Money(paid), as_of=as_of) == status


def test_due_promises_sort_before_broken_ones_before_the_rest() -> None:
    statuses = [None, PromiseStatus.KEPT, PromiseStatus.BROKEN, PromiseStatus.DUE, "pending"]
    assert sorted(statuses, key=surfacing_rank)[:2] == [PromiseStatus.DUE, PromiseStatus.BROKEN]


@pytest.mark.parametrize("lang", ["zh_CN", "en_US"])
def test_arrears_errors_read_well_in_every_language(lang: str) -> None:
    from feetui import i18n
    from feetui.core.instalment import parse_schedule, schedule_problems
    from feetui.core.tags import change_tags

    i18n.set_language(lang)
    problems = schedule_problems(
        Money(100), [Instalment(TODAY - timedelta(days=1), Money(0))], today=TODAY
    )
    failures: list[FeeError] = list(problems)
    for fail in (
        lambda: check_follow_up(
            _draft(promised_date=TODAY - timedelta(days=1), promised_amount=Money(1)),
            today=TODAY,
            owed=Money(9),
        ),
        lambda: check_follow_up(_draft(said="x" * 600), today=TODAY, owed=Money(9)),
        lambda: parse_schedule("2026-12-01", ceiling=Money(10**8)),
        lambda: parse_date("31/12"),
        lambda: change_tags("", wanted=["vip"]),
        lambda: bucket_by_code("d45"),
    ):
        with pytest.raises(FeeError) as caught:
            fail()
        failures.append(caught.value)
    for error in failures:
        text = i18n.tr_error(error)
        assert "{" not in text and "}" not in text, text
        if lang == "zh_CN":
            assert any("\u4e00" <= ch <= "\u9fff" for ch in text), text
