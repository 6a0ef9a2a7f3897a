"""The one named rounding rule: half up (away from zero) to the fen, exact integers."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feetui.core.rounding import ROUND_HALF_UP_TO_FEN, round_half_up


def _oracle(numerator: int, denominator: int) -> int:
    """An independent implementation over exact fractions: |x| + 1/2 floored, sign restored."""
    exact = Fraction(numerator, denominator)
    magnitude = math.floor(abs(exact) + Fraction(1, 2))
    return -magnitude if exact < 0 else magnitude


@pytest.mark.parametrize(
    ("numerator", "denominator", "expected"),
    [
        (0, 1, 0),
        (0, 100, 0),
        (12, 1, 12),
        (1200, 100, 12),
        # x.4999, x.5, x.5001 as ten-thousandths
        (124999, 10000, 12),
        (125000, 10000, 13),
        (125001, 10000, 13),
        (4999, 10000, 0),
        (5000, 10000, 1),
        (5001, 10000, 1),
        # the same edges on the fen scale of fees (hundredths)
        (149, 100, 1),
        (150, 100, 2),
        (151, 100, 2),
        (49, 100, 0),
        (50, 100, 1),
        # negatives mirror positives: halves go away from zero
        (-124999, 10000, -12),
        (-125000, 10000, -13),
        (-125001, 10000, -13),
        (-49, 100, 0),
        (-50, 100, -1),
        (-51, 100, -1),
        (-1, 3, 0),
        (-2, 3, -1),
        # odd denominators have no exact half
        (1, 3, 0),
        (2, 3, 1),
        (5, 3, 2),
        # late-fee scale (ppm): 0.5 fen goes up, 0.499999 fen goes down
        (500_000, 1_000_000, 1),
        (499_999, 1_000_000, 0),
        # big values stay exact (no float anywhere)
        (10**30 + 50, 100, 10**28 + 1),
        (10**30 + 49, 100, 10**28),
        (-(10**30) - 50, 100, -(10**28) - 1),
    ],
)
def test_round_half_up_rounds_halves_away_from_zero(
    numerator: int, denominator: int, expected: int
) -> None:
    assert round_half_up(numerator, denominator) == expected
    assert ROUND_HALF_UP_TO_FEN(numerator, denominator) == expected


def test_round_half_up_is_not_bankers_rounding() -> None:
    # Python's round() takes 2.5 to 2 (half to even); our rule takes it to 3.
    assert round_half_up(25, 10) == 3
    assert round_half_up(35, 10) == 4
    assert round_half_up(-25, 10) == -3


@pytest.mark.parametrize("denominator", [0, -1, -100])
def test_round_half_up_refuses_a_denominator_that_is_not_positive(denominator: int) -> None:
    with pytest.raises(ValueError):
        round_half_up(10, denominator)


@pytest.mark.parametrize(("numerator", "denominator"), [(1.5, 1), (1, 2.0), (True, 1), (1, True)])
def test_round_half_up_refuses_floats_and_bools(numerator: object, denominator: object) -> None:
    with pytest.raises(TypeError):
        round_half_up(numerator, denominator)  # type: ignore[arg-type]


def test_rounding_rule_has_a_stable_name() -> None:
    assert ROUND_HALF_UP_TO_FEN.name == "round_half_up_to_fen"


@settings(max_examples=300)
@given(st.integers(min_value=-(10**15), max_value=10**15), st.integers(1, 10**7))
def test_round_half_up_matches_an_exact_fraction_oracle(numerator: int, denominator: int) -> None:
    assert round_half_up(numerator, denominator) == _oracle(numerator, denominator)


@settings(max_examples=200)
@given(st.integers(min_value=-(10**12), max_value=10**12), st.integers(1, 10**6))
def test_round_half_up_is_odd_symmetric_and_within_half(numerator: int, denominator: int) -> None:
    rounded = round_half_up(numerator, denominator)
    assert round_half_up(-numerator, denominator) == -rounded
    # |x - round(x)| <= 1/2, in integers: |n - r*d| * 2 <= d
    assert abs(numerator - rounded * denominator) * 2 <= denominator


@settings(max_examples=200)
@given(st.integers(min_value=-(10**9), max_value=10**9), st.integers(1, 10**6))
def test_round_half_up_of_a_whole_multiple_is_exact(value: int, denominator: int) -> None:
    assert round_half_up(value * denominator, denominator) == value
