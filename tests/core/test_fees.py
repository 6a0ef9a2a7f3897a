"""Fee calculation for the four kinds of fee item, rounded once per charge line."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feetui.core.errors import InputError, RuleError
from feetui.core.fees import (
    FeeKind,
    area_fee,
    charge_amount,
    fixed_fee,
    meter_usage,
    metered_fee,
)
from feetui.core.money import Money
from feetui.core.rounding import round_half_up

# area_fee


@pytest.mark.parametrize(
    ("area", "rate", "months", "fen"),
    [
        # 89.50 m² × ¥1.80 × 1 = ¥161.10 exactly
        (8950, 180, 1, 16110),
        # 89.50 m² × ¥1.85 × 1 = 165.575 fen*100 -> 16557.5 fen -> 16558 (half up)
        (8950, 185, 1, 16558),
        # 89.51 m² × ¥1.85 = 16559.35 -> 16559 (below half)
        (8951, 185, 1, 16559),
        # 89.53 m² × ¥1.85 = 16563.05 -> 16563
        (8953, 185, 1, 16563),
        # 0.01 m² × ¥0.49 = 0.0049 fen*100 -> 0.49 fen -> 0; × ¥0.50 -> 0.5 fen -> 1
        (1, 49, 1, 0),
        (1, 50, 1, 1),
        (1, 51, 1, 1),
        # rounded once over 3 months, not once per month: 3 × 16557.5 = 49672.5 -> 49673
        # (per-month rounding would give 3 × 16558 = 49674)
        (8950, 185, 3, 49673),
        (8950, 185, 12, 198690),
        (0, 185, 12, 0),
        (8950, 0, 12, 0),
        (8950, 185, 0, 0),
    ],
)
def test_area_fee_is_area_times_rate_times_months_rounded_once(
    area: int, rate: int, months: int, fen: int
) -> None:
    assert area_fee(area_centi_m2=area, rate_fen_per_m2_month=rate, months=months) == Money(fen)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"area_centi_m2": -1, "rate_fen_per_m2_month": 180, "months": 1},
        {"area_centi_m2": 8950, "rate_fen_per_m2_month": -1, "months": 1},
        {"area_centi_m2": 8950, "rate_fen_per_m2_month": 180, "months": -1},
    ],
)
def test_area_fee_refuses_negative_figures(kwargs: dict[str, int]) -> None:
    with pytest.raises(InputError) as caught:
        area_fee(**kwargs)
    assert caught.value.code == "fee_input_invalid"
    negative = next(name for name, value in kwargs.items() if value < 0)
    assert caught.value.params["field"] == negative


@pytest.mark.parametrize("bad", [1.5, True, "12", None])
def test_area_fee_refuses_non_integer_figures(bad: object) -> None:
    with pytest.raises(TypeError):
        area_fee(area_centi_m2=bad, rate_fen_per_m2_month=180, months=1)  # type: ignore[arg-type]


def test_area_fee_arguments_are_keyword_only() -> None:
    with pytest.raises(TypeError):
        area_fee(8950, 180, 1)  # type: ignore[misc]


@settings(max_examples=200)
@given(st.integers(0, 10**7), st.integers(0, 10**5), st.integers(0, 120))
def test_area_fee_is_the_exact_fraction_rounded_half_up(area: int, rate: int, months: int) -> None:
    fen = area_fee(area_centi_m2=area, rate_fen_per_m2_month=rate, months=months).fen
    exact = Fraction(area * rate * months, 100)
    assert abs(exact - fen) <= Fraction(1, 2)
    if abs(exact - fen) == Fraction(1, 2):
        assert fen > exact  # an exact half went up


@settings(max_examples=200)
@given(st.integers(0, 10**6), st.integers(0, 10**4), st.integers(0, 24), st.integers(0, 24))
def test_area_fee_is_monotone_in_months(area: int, rate: int, m1: int, m2: int) -> None:
    low, high = sorted((m1, m2))
    fee = lambda m: area_fee(area_centi_m2=area, rate_fen_per_m2_month=rate, months=m)  # noqa: E731
    assert fee(low) <= fee(high)


# fixed_fee


@pytest.mark.parametrize(
    ("rate", "months", "fen"), [(30000, 1, 30000), (30000, 12, 360000), (1, 0, 0), (0, 5, 0)]
)
def test_fixed_fee_is_rate_times_months(rate: int, months: int, fen: int) -> None:
    assert fixed_fee(rate_fen_per_month=rate, months=months) == Money(fen)


@pytest.mark.parametrize(("rate", "months"), [(-1, 1), (100, -1)])
def test_fixed_fee_refuses_negative_figures(rate: int, months: int) -> None:
    with pytest.raises(InputError) as caught:
        fixed_fee(rate_fen_per_month=rate, months=months)
    assert caught.value.code == "fee_input_invalid"


# meter_usage


@pytest.mark.parametrize(
    ("previous", "current", "rollover", "usage"),
    [
        (123400, 125650, None, 2250),
        (0, 0, None, 0),
        (500, 500, None, 0),
        (500, 500, 10_000_000, 0),
        (123400, 125650, 10_000_000, 2250),
        # a 99999.99 meter: 99990.00 -> 00010.00 is 20.00 units
        (9_999_000, 1_000, 10_000_000, 2_000),
        (9_999_999, 0, 10_000_000, 1),
        (9_999_999, 9_999_998, 10_000_000, 9_999_999),
        (1, 0, 10_000_000, 9_999_999),
    ],
)
def test_meter_usage_is_the_difference_or_wraps_at_rollover(
    previous: int, current: int, rollover: int | None, usage: int
) -> None:
    assert (
        meter_usage(previous_centi=previous, current_centi=current, rollover_centi=rollover)
        == usage
    )


def test_meter_usage_refuses_a_lower_reading_when_the_meter_does_not_wrap() -> None:
    with pytest.raises(RuleError) as caught:
        meter_usage(previous_centi=125650, current_centi=123400)
    assert caught.value.code == "meter_went_backwards"
    assert caught.value.params == {"current": "1234.00", "previous": "1256.50"}


@pytest.mark.parametrize(
    ("previous", "current", "rollover"),
    [
        (-1, 100, None),
        (100, -1, None),
        (10_000_000, 5, 10_000_000),  # at the roll-over value: impossible on the meter
        (5, 10_000_000, 10_000_000),
        (5, 12_000_000, 10_000_000),
        (5, 6, 0),  # a roll-over value of zero is no meter at all
    ],
)
def test_meter_usage_refuses_impossible_readings(
    previous: int, current: int, rollover: int | None
) -> None:
    with pytest.raises(InputError) as caught:
        meter_usage(previous_centi=previous, current_centi=current, rollover_centi=rollover)
    assert caught.value.code == "meter_reading_invalid"


def test_meter_usage_refuses_a_negative_rollover() -> None:
    with pytest.raises(InputError) as caught:
        meter_usage(previous_centi=1, current_centi=2, rollover_centi=-10)
    assert caught.value.code == "fee_input_invalid"


@settings(max_examples=200)
@given(st.integers(1, 10**9), st.data())
def test_meter_usage_after_wrapping_adds_back_to_the_reading(rollover: int, data) -> None:
    previous = data.draw(st.integers(0, rollover - 1))
    current = data.draw(st.integers(0, rollover - 1))
    usage = meter_usage(previous_centi=previous, current_centi=current, rollover_centi=rollover)
    assert 0 <= usage < rollover
    assert (previous + usage) % rollover == current


# metered_fee


@pytest.mark.parametrize(
    ("usage", "price", "fen"),
    [
        (2250, 410, 9225),  # 22.50 m³ × ¥4.10 = ¥92.25
        (1234, 53, 654),  # 12.34 kWh × ¥0.53 = 654.02 -> 654
        (1250, 53, 663),  # 12.50 × 0.53 = 662.5 -> 663 (half up)
        (1, 49, 0),
        (1, 50, 1),
        (0, 410, 0),
        (2250, 0, 0),
    ],
)
def test_metered_fee_is_usage_times_price_rounded_once(usage: int, price: int, fen: int) -> None:
    assert metered_fee(usage_centi=usage, unit_price_fen=price) == Money(fen)


@pytest.mark.parametrize(("usage", "price"), [(-1, 410), (2250, -1)])
def test_metered_fee_refuses_negative_figures(usage: int, price: int) -> None:
    with pytest.raises(InputError) as caught:
        metered_fee(usage_centi=usage, unit_price_fen=price)
    assert caught.value.code == "fee_input_invalid"


@settings(max_examples=200)
@given(st.integers(0, 10**8), st.integers(0, 10**5))
def test_metered_fee_matches_the_rounding_rule(usage: int, price: int) -> None:
    fee = metered_fee(usage_centi=usage, unit_price_fen=price)
    assert fee == Money(round_half_up(usage * price, 100))
    assert abs(Fraction(usage * price, 100) - fee.fen) <= Fraction(1, 2)


# charge_amount


def test_charge_amount_dispatches_by_kind() -> None:
    area = charge_amount(FeeKind.AREA, area_centi_m2=8950, rate_fen=185, months=3)
    assert area == area_fee(area_centi_m2=8950, rate_fen_per_m2_month=185, months=3)
    assert charge_amount(FeeKind.FIXED, rate_fen=30000, months=2) == Money(60000)
    assert charge_amount(FeeKind.METERED, usage_centi=1250, rate_fen=53) == Money(663)
    assert charge_amount(FeeKind.ONE_OFF, amount=Money(5000)) == Money(5000)


def test_charge_amount_defaults_to_one_month() -> None:
    assert charge_amount(FeeKind.FIXED, rate_fen=30000) == Money(30000)
    assert charge_amount(FeeKind.AREA, area_centi_m2=10000, rate_fen=150) == Money(15000)


def test_charge_amount_accepts_the_kind_as_its_stored_value() -> None:
    assert charge_amount("fixed", rate_fen=100, months=2) == Money(200)  # type: ignore[arg-type]
    assert FeeKind("one_off") is FeeKind.ONE_OFF
    assert [kind.value for kind in FeeKind] == ["area", "fixed", "metered", "one_off"]


@pytest.mark.parametrize("amount", [None, Money(0), Money(-1)])
def test_charge_amount_one_off_needs_an_amount_above_zero(amount: Money | None) -> None:
    with pytest.raises(InputError) as caught:
        charge_amount(FeeKind.ONE_OFF, amount=amount)
    assert caught.value.code == "fee_input_invalid"
    assert caught.value.params["field"] == "amount"


def test_charge_amount_refuses_an_unknown_kind() -> None:
    with pytest.raises(InputError) as caught:
        charge_amount("heating", rate_fen=1)  # type: ignore[arg-type]
    assert caught.value.code == "fee_input_invalid"


@pytest.mark.parametrize(
    ("kind", "kwargs"),
    [
        (FeeKind.AREA, {"area_centi_m2": -5, "rate_fen": 100}),
        (FeeKind.AREA, {"area_centi_m2": 5, "rate_fen": 100, "months": -1}),
        (FeeKind.FIXED, {"rate_fen": -100}),
        (FeeKind.METERED, {"usage_centi": -1, "rate_fen": 100}),
        (FeeKind.METERED, {"usage_centi": 1, "rate_fen": -100}),
    ],
)
def test_charge_amount_refuses_negative_figures(kind: FeeKind, kwargs: dict[str, int]) -> None:
    with pytest.raises(InputError) as caught:
        charge_amount(kind, **kwargs)
    assert caught.value.code == "fee_input_invalid"
