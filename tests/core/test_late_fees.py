"""Late fees: daily ppm on the outstanding amount, after grace days, capped, waivable."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feetui.core.errors import InputError
from feetui.core.late_fees import LateFeeRule, days_late, late_fee
from feetui.core.money import Money

DUE = date(2026, 1, 31)
RULE = LateFeeRule(daily_ppm=500, grace_days=0, cap_percent=100)  # 0.5‰ a day, up to 100 %


def _fee(
    *,
    outstanding: int = 100_000,
    principal: int | None = None,
    days: int,
    rule: LateFeeRule | None = RULE,
    waived: int = 0,
) -> Money:
    return late_fee(
        principal=Money(outstanding if principal is None else principal),
        outstanding=Money(outstanding),
        due_date=DUE,
        as_of=DUE + timedelta(days=days),
        rule=rule,
        waived=Money(waived),
    )


@pytest.mark.parametrize(
    ("days", "fen"),
    [
        (-30, 0),  # before the due date
        (0, 0),  # on the due date
        (1, 50),  # ¥1,000 × 0.5‰ = ¥0.50 a day
        (2, 100),
        (30, 1500),
        (365, 18250),
    ],
)
def test_late_fee_accrues_daily_on_the_outstanding_amount(days: int, fen: int) -> None:
    assert _fee(days=days) == Money(fen)


def test_late_fee_starts_after_the_grace_days() -> None:
    rule = LateFeeRule(daily_ppm=500, grace_days=10, cap_percent=100)
    assert _fee(days=10, rule=rule) == Money(0)
    assert _fee(days=11, rule=rule) == Money(50)
    assert _fee(days=40, rule=rule) == Money(1500)


def test_late_fee_uses_the_outstanding_amount_not_the_principal() -> None:
    assert _fee(outstanding=40_000, principal=100_000, days=10) == Money(200)


@pytest.mark.parametrize(
    ("outstanding", "days", "fen"),
    [
        # 999 fen × 500 ppm × 1 day = 0.4995 fen -> 0; × 2 days = 0.999 -> 1
        (999, 1, 0),
        (999, 2, 1),
        # 1000 fen × 500 ppm = exactly 0.5 fen -> 1 (half up)
        (1000, 1, 1),
        # 3333 fen × 500 ppm × 3 days = 4.9995 -> 5; 2999 fen × 500 ppm × 3 = 4.4985 -> 4
        (3333, 3, 5),
        (2999, 3, 4),
    ],
)
def test_late_fee_is_rounded_half_up_once(outstanding: int, days: int, fen: int) -> None:
    assert _fee(outstanding=outstanding, principal=100_000, days=days) == Money(fen)


def test_late_fee_is_capped_at_a_share_of_the_principal() -> None:
    rule = LateFeeRule(daily_ppm=500, grace_days=0, cap_percent=10)
    # ¥1,000 owed: 10 % cap = ¥100; uncapped it would reach ¥100 on day 200
    assert _fee(days=199, rule=rule) == Money(9950)
    assert _fee(days=200, rule=rule) == Money(10000)
    assert _fee(days=5000, rule=rule) == Money(10000)


def test_late_fee_cap_is_rounded_half_up() -> None:
    rule = LateFeeRule(daily_ppm=1_000_000, grace_days=0, cap_percent=5)
    # 5 % of 1,010 fen = 50.5 fen -> 51; of 1,009 fen = 50.45 -> 50
    assert _fee(outstanding=1010, days=30, rule=rule) == Money(51)
    assert _fee(outstanding=1009, days=30, rule=rule) == Money(50)
    assert rule.cap(Money(1010)) == Money(51)


def test_late_fee_cap_of_zero_means_no_late_fee() -> None:
    assert _fee(days=100, rule=LateFeeRule(daily_ppm=500, grace_days=0, cap_percent=0)) == Money(0)


def test_late_fee_takes_off_the_waived_amount_but_never_goes_below_zero() -> None:
    assert _fee(days=30, waived=500) == Money(1000)
    assert _fee(days=30, waived=1500) == Money(0)
    assert _fee(days=30, waived=99_999) == Money(0)


def test_late_fee_without_a_rule_is_zero() -> None:
    assert _fee(days=400, rule=None) == Money(0)


def test_late_fee_on_a_settled_charge_is_zero() -> None:
    assert _fee(outstanding=0, principal=100_000, days=400) == Money(0)


@pytest.mark.parametrize("field", ["principal", "outstanding", "waived"])
def test_late_fee_refuses_negative_amounts(field: str) -> None:
    kwargs = {"principal": Money(100), "outstanding": Money(100), "waived": Money(0)}
    kwargs[field] = Money(-1)
    with pytest.raises(InputError) as caught:
        late_fee(due_date=DUE, as_of=DUE + timedelta(days=5), rule=RULE, **kwargs)
    assert caught.value.code == "fee_input_invalid"
    assert caught.value.params == {"field": field}


@pytest.mark.parametrize("field", ["daily_ppm", "grace_days", "cap_percent"])
def test_late_fee_rule_refuses_negative_figures(field: str) -> None:
    figures = {"daily_ppm": 500, "grace_days": 0, "cap_percent": 100, field: -1}
    with pytest.raises(InputError) as caught:
        LateFeeRule(**figures)
    assert caught.value.code == "late_fee_rule_invalid"


def test_late_fee_rule_refuses_floats_and_is_frozen() -> None:
    with pytest.raises(TypeError):
        LateFeeRule(daily_ppm=0.5, grace_days=0, cap_percent=100)  # type: ignore[arg-type]
    with pytest.raises(AttributeError):
        RULE.daily_ppm = 1  # type: ignore[misc]


def test_days_late_counts_past_the_grace_days() -> None:
    assert days_late(due_date=DUE, as_of=DUE, grace_days=0) == 0
    assert days_late(due_date=DUE, as_of=date(2026, 3, 1), grace_days=0) == 29
    assert days_late(due_date=DUE, as_of=date(2026, 3, 1), grace_days=30) == 0


rules = st.builds(
    LateFeeRule,
    daily_ppm=st.integers(0, 10_000),
    grace_days=st.integers(0, 60),
    cap_percent=st.integers(0, 200),
)


@settings(max_examples=200)
@given(
    rules,
    st.integers(0, 10**8),
    st.integers(0, 10**8),
    st.integers(-400, 4000),
    st.integers(0, 10**6),
)
def test_late_fee_is_never_negative_nor_above_its_cap(
    rule: LateFeeRule, principal: int, outstanding: int, days: int, waived: int
) -> None:
    fee = late_fee(
        principal=Money(principal),
        outstanding=Money(outstanding),
        due_date=DUE,
        as_of=DUE + timedelta(days=days),
        rule=rule,
        waived=Money(waived),
    )
    assert Money(0) <= fee <= rule.cap(Money(principal))


@settings(max_examples=200)
@given(rules, st.integers(0, 10**8), st.integers(-400, 4000), st.integers(0, 400))
def test_late_fee_never_falls_as_time_passes(
    rule: LateFeeRule, outstanding: int, days: int, more: int
) -> None:
    def fee(d: int) -> Money:
        return late_fee(
            principal=Money(outstanding),
            outstanding=Money(outstanding),
            due_date=DUE,
            as_of=DUE + timedelta(days=d),
            rule=rule,
        )

    assert fee(days) <= fee(days + more)
