"""Amounts in Chinese capitals: hand-checked cases and a second, independent implementation."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feetui.core.capitals import MAX_YUAN, amount_in_capitals
from feetui.core.errors import InputError
from feetui.core.money import Money

# Each case was written out by hand from the house style of issue 2, not generated.
HAND_CHECKED = [
    (123450, "壹仟贰佰叁拾肆元伍角整"),
    (5, "伍分"),
    (50, "伍角整"),
    (1000, "壹拾元整"),
    (10000007, "壹拾万元零柒分"),
    (100010, "壹仟元零壹角整"),
    (168032, "壹仟陆佰捌拾元零叁角贰分"),
    (10001000000, "壹亿零壹万元整"),
    (0, "零元整"),
    (1, "壹分"),
    (10, "壹角整"),
    (99, "玖角玖分"),
    (100, "壹元整"),
    (101, "壹元零壹分"),
    (110, "壹元壹角整"),
    (111, "壹元壹角壹分"),
    (909, "玖元零玖分"),
    (1100, "壹拾壹元整"),
    (1550, "壹拾伍元伍角整"),
    (1999, "壹拾玖元玖角玖分"),
    (2000, "贰拾元整"),
    (10000, "壹佰元整"),
    (10100, "壹佰零壹元整"),
    (11000, "壹佰壹拾元整"),
    (10010, "壹佰元零壹角整"),
    (10505, "壹佰零伍元零伍分"),
    (100100, "壹仟零壹元整"),
    (101000, "壹仟零壹拾元整"),
    (110000, "壹仟壹佰元整"),
    (200560, "贰仟零伍元陆角整"),
    (1000000, "壹万元整"),
    (1000100, "壹万零壹元整"),
    (1001000, "壹万零壹拾元整"),
    (1010000, "壹万零壹佰元整"),
    (1100000, "壹万壹仟元整"),
    (10100000, "壹拾万壹仟元整"),
    (10010000, "壹拾万零壹佰元整"),
    (100000000, "壹佰万元整"),
    (100000100, "壹佰万零壹元整"),
    (1000000000, "壹仟万元整"),
    (1000000100, "壹仟万零壹元整"),
    (10000000000, "壹亿元整"),
    (10000000100, "壹亿零壹元整"),
    (10100000000, "壹亿零壹佰万元整"),
    (11000000000, "壹亿壹仟万元整"),
    (10000100000, "壹亿零壹仟元整"),
    (12345678912, "壹亿贰仟叁佰肆拾伍万陆仟柒佰捌拾玖元壹角贰分"),
    (100000000000, "壹拾亿元整"),
    (99999999999999, "玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"),
    (320608, "叁仟贰佰零陆元零捌分"),
    (5000050, "伍万元零伍角整"),
    (123400, "壹仟贰佰叁拾肆元整"),
    (7007, "柒拾元零柒分"),
    (1234, "壹拾贰元叁角肆分"),
    (6000000, "陆万元整"),
    (100000001, "壹佰万元零壹分"),
    (-123450, "负壹仟贰佰叁拾肆元伍角整"),
    (-5, "负伍分"),
]


@pytest.mark.parametrize(("fen", "expected"), HAND_CHECKED)
def test_amount_in_capitals_matches_hand_checked_case(fen: int, expected: str) -> None:
    assert amount_in_capitals(Money(fen)) == expected


def test_hand_checked_table_is_large_and_distinct() -> None:
    assert len(HAND_CHECKED) >= 40
    assert len({fen for fen, _ in HAND_CHECKED}) == len(HAND_CHECKED)


def test_amount_in_capitals_refuses_amounts_beyond_hundreds_of_billions() -> None:
    with pytest.raises(InputError) as caught:
        amount_in_capitals(Money((MAX_YUAN + 1) * 100))
    assert caught.value.code == "amount_too_large_for_capitals"
    assert amount_in_capitals(Money(MAX_YUAN * 100)).endswith("元整")


def test_amount_in_capitals_refuses_negative_amounts_beyond_the_limit_too() -> None:
    with pytest.raises(InputError):
        amount_in_capitals(Money(-(MAX_YUAN + 1) * 100))


_D = "零壹贰叁肆伍陆柒捌玖"
_UNITS = ("", "拾", "佰", "仟")


def _second_implementation(fen: int) -> str:
    """Write every digit with its unit, then delete the zeros the house style keeps silent.

    A different road on purpose: build the full string ("壹拾零万零仟零佰零拾零") and clean it with
    text rules, and decide the 零 between 元 and 角/分 from the last yuan digit, instead of walking
    the digits with a pending-zero flag.
    """
    if fen == 0:
        return "零元整"
    sign, fen = ("负", -fen) if fen < 0 else ("", fen)
    yuan, jiao, cent = fen // 100, fen // 10 % 10, fen % 10
    whole = ""
    if yuan:
        digits = str(yuan)
        for index, char in enumerate(digits):
            place = len(digits) - 1 - index
            whole += _D[int(char)] + ("" if char == "0" else _UNITS[place % 4])
            if place in (4, 8):
                whole += "万" if place == 4 else "亿"
        # An all-zero 万 group leaves "亿零万": the 万 goes, the zero stays as the gap.
        whole = re.sub("零+", "零", whole).replace("亿零万", "亿零")
        whole = re.sub("零+", "零", whole)
        whole = re.sub("零([万亿])", r"\1", whole).rstrip("零") + "元"
    tail = ""
    if jiao:
        tail += ("零" if yuan and yuan % 10 == 0 else "") + _D[jiao] + "角"
    if cent:
        tail += ("零" if yuan and not jiao else "") + _D[cent] + "分"
    return sign + whole + tail + ("" if cent else "整")


def test_second_implementation_agrees_with_the_hand_table() -> None:
    for fen, expected in HAND_CHECKED:
        assert _second_implementation(fen) == expected, fen


@settings(max_examples=400, deadline=None)
@given(st.integers(min_value=-(MAX_YUAN * 100 + 99), max_value=MAX_YUAN * 100 + 99))
def test_amount_in_capitals_agrees_with_an_independent_implementation(fen: int) -> None:
    assert amount_in_capitals(Money(fen)) == _second_implementation(fen)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from([0, 0, 0, 1, 5, 9]), min_size=1, max_size=14).map(
        lambda digits: int("".join(map(str, digits)))
    )
)
def test_amount_in_capitals_agrees_on_zero_heavy_amounts(fen: int) -> None:
    # Random integers rarely have runs of zeros; these are mostly zeros, where the rules bite.
    assert amount_in_capitals(Money(fen)) == _second_implementation(fen)


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=1, max_value=MAX_YUAN * 100 + 99))
def test_amount_in_capitals_never_doubles_a_zero_or_ends_in_one(fen: int) -> None:
    text = amount_in_capitals(Money(fen))
    assert "零零" not in text
    assert not text.startswith("零")
    assert text.endswith(("整", "分"))
    assert ("整" in text) == (fen % 10 == 0)
