"""Money is whole fen: integer arithmetic, never floats."""

from __future__ import annotations

import pytest

from feetui.core.money import Money, total


def test_money_refuses_floats_and_bools() -> None:
    with pytest.raises(TypeError):
        Money(1.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Money(True)


def test_money_adds_subtracts_and_multiplies_in_fen() -> None:
    assert Money(150) + Money(5) == Money(155)
    assert Money(150) - Money(155) == Money(-5)
    assert Money(150) * 3 == Money(450)
    assert total([Money(1), Money(2), Money(3)]) == Money(6)
    assert total([]) == Money(0)


def test_money_yuan_text_shows_two_decimals_and_sign() -> None:
    assert Money(123450).yuan_text(grouping=True) == "1,234.50"
    assert Money(-5).yuan_text() == "-0.05"
    assert Money.yuan(12, 50).yuan_text() == "12.50"
