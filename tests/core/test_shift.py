"""Shift cash arithmetic: counts by denomination, expected cash (R15) and over/short."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feetui.core.errors import InputError
from feetui.core.money import Money
from feetui.core.shift import (
    DENOMINATION_BY_CODE,
    DENOMINATIONS,
    count_total,
    expected_cash,
    over_short,
)


def test_denominations_are_the_renminbi_notes_then_coins_in_order() -> None:
    assert [(d.code, d.fen, d.kind) for d in DENOMINATIONS] == [
        ("n100", 10000, "note"),
        ("n50", 5000, "note"),
        ("n20", 2000, "note"),
        ("n10", 1000, "note"),
        ("n5", 500, "note"),
        ("n1", 100, "note"),
        ("c1", 100, "coin"),
        ("c05", 50, "coin"),
        ("c01", 10, "coin"),
    ]
    assert DENOMINATIONS[0].label == "¥100 note"
    assert DENOMINATIONS[-1].label == "¥0.1 coin"
    assert set(DENOMINATION_BY_CODE) == {d.code for d in DENOMINATIONS}


def test_count_total_values_each_denomination() -> None:
    counts = {
        "n100": 3,
        "n50": 1,
        "n20": 2,
        "n10": 4,
        "n5": 1,
        "n1": 7,
        "c1": 3,
        "c05": 5,
        "c01": 9,
    }
    # 300 + 50 + 40 + 40 + 5 + 7 + 3 + 2.5 + 0.9 = 448.40
    assert count_total(counts) == Money(44840)


def test_count_total_of_nothing_is_zero() -> None:
    assert count_total({}) == Money(0)
    assert count_total({"n100": 0, "c01": 0}) == Money(0)


@pytest.mark.parametrize(
    ("counts", "code"),
    [
        ({"n200": 1}, "n200"),
        ({"": 1}, ""),
        ({"N100": 1}, "N100"),
        ({"n100": -1}, "n100"),
        ({"c05": 1.5}, "c05"),
        ({"c05": True}, "c05"),
        ({"c05": "3"}, "c05"),
    ],
)
def test_count_total_refuses_unknown_codes_and_bad_counts(counts: dict, code: str) -> None:
    with pytest.raises(InputError) as caught:
        count_total(counts)
    assert caught.value.code == "count_invalid"
    assert caught.value.params == {"denomination": code}


def _expected(**figures: int) -> Money:
    names = (
        "opening_float",
        "cash_tendered",
        "change_given",
        "cash_refunds",
        "pay_ins",
        "pay_outs",
        "deposits",
    )
    return expected_cash(**{name: Money(figures.get(name, 0)) for name in names})


def test_expected_cash_of_a_zero_sale_shift_is_the_float() -> None:
    assert _expected(opening_float=50000) == Money(50000)


def test_expected_cash_follows_the_r15_formula() -> None:
    expected = _expected(
        opening_float=50000,
        cash_tendered=120000,
        change_given=3550,
        cash_refunds=2000,
        pay_ins=1000,
        pay_outs=500,
        deposits=100000,
    )
    assert expected == Money(50000 + 120000 - 3550 - 2000 + 1000 - 500 - 100000)


@pytest.mark.parametrize(
    ("name", "sign"),
    [
        ("opening_float", 1),
        ("cash_tendered", 1),
        ("change_given", -1),
        ("cash_refunds", -1),
        ("pay_ins", 1),
        ("pay_outs", -1),
        ("deposits", -1),
    ],
)
def test_expected_cash_counts_each_figure_with_its_sign(name: str, sign: int) -> None:
    assert _expected(**{name: 123}) == Money(sign * 123)


def test_expected_cash_takes_a_float_that_differs_from_the_last_close_as_given() -> None:
    # The float is what this shift counted at its opening, whatever the last close left.
    assert _expected(opening_float=49990, cash_tendered=10000, change_given=10) == Money(59980)


def test_expected_cash_arguments_are_keyword_only_money() -> None:
    with pytest.raises(TypeError):
        expected_cash(Money(1), Money(0), Money(0), Money(0), Money(0), Money(0), Money(0))  # type: ignore[misc]
    with pytest.raises(TypeError):
        _bad = dict.fromkeys(
            (
                "opening_float",
                "cash_tendered",
                "change_given",
                "cash_refunds",
                "pay_ins",
                "pay_outs",
                "deposits",
            ),
            Money(0),
        )
        _bad["deposits"] = 100  # type: ignore[assignment]
        expected_cash(**_bad)


def test_over_short_is_counted_minus_expected() -> None:
    assert over_short(expected=Money(50000), counted=Money(50000)) == Money(0)
    assert over_short(expected=Money(50000), counted=Money(50050)) == Money(50)  # 长款
    assert over_short(expected=Money(50000), counted=Money(49990)) == Money(-10)  # 短款


counts = st.dictionaries(st.sampled_from([d.code for d in DENOMINATIONS]), st.integers(0, 10_000))
figures = st.integers(0, 10**8)


@settings(max_examples=150)
@given(counts, counts)
def test_count_total_adds_up_piece_by_piece(first: dict[str, int], second: dict[str, int]) -> None:
    merged = {code: first.get(code, 0) + second.get(code, 0) for code in first.keys() | second}
    assert count_total(merged) == count_total(first) + count_total(second)
    assert count_total(first).fen % 10 == 0  # the smallest piece is one jiao


@settings(max_examples=200)
@given(figures, st.lists(st.tuples(figures, figures), max_size=20), figures, figures, figures)
def test_expected_cash_of_a_day_equals_the_drawer_replayed(
    opening: int, sales: list[tuple[int, int]], pay_ins: int, pay_outs: int, deposits: int
) -> None:
    # Replay a day event by event on a drawer balance, then compare with the formula.
    tendered = sum(t for t, _ in sales)
    change = sum(min(c, t) for t, c in sales)
    refunds = sum(c // 3 for _, c in sales)
    drawer = opening
    for given_cash, change_back in sales:
        drawer += given_cash
        drawer -= min(change_back, given_cash)
        drawer -= change_back // 3
    drawer += pay_ins - pay_outs - deposits
    expected = expected_cash(
        opening_float=Money(opening),
        cash_tendered=Money(tendered),
        change_given=Money(change),
        cash_refunds=Money(refunds),
        pay_ins=Money(pay_ins),
        pay_outs=Money(pay_outs),
        deposits=Money(deposits),
    )
    assert expected == Money(drawer)
    assert over_short(expected=expected, counted=Money(drawer)) == Money(0)
