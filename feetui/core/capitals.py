"""Amounts in Chinese financial capitals (大写金额) for receipts, over integer fen.

The rule, house style: digits are 零壹贰叁肆伍陆柒捌玖 with the units 拾佰仟 inside a group of four
and 万/亿 between groups, always with an explicit 壹 before 拾 (壹拾元整, not 拾元整). Reading the
digits from the most significant down to the fen, every run of zeros between two non-zero digits
is read as a single 零, whether the run sits inside a group, spans groups, or spans 元 and 角
(1680.32 → 壹仟陆佰捌拾元零叁角贰分; 100000.07 → 壹拾万元零柒分). Zeros at the very end are silent.
元 follows any non-zero whole part; 整 follows 元 or 角 when there are no 分. Nothing but zero is
零元整; an amount below one yuan starts at its first non-zero digit (0.05 → 伍分). A negative amount
is prefixed with 负.
"""

from __future__ import annotations

from feetui.core.errors import N_, InputError
from feetui.core.money import Money

DIGITS = "零壹贰叁肆伍陆柒捌玖"
_INNER_UNITS = ("", "拾", "佰", "仟")
_GROUP_UNITS = ("", "万", "亿")
# 万亿 and beyond never appear on a counter's receipt; refusing them keeps the rule simple.
MAX_YUAN = 10**12 - 1


def amount_in_capitals(amount: Money) -> str:
    """Write ``amount`` in Chinese financial capitals, house style.

    Args:
        amount: the amount in fen; may be negative (a reversal) or zero.

    Returns:
        The capitals, e.g. ``壹仟贰佰叁拾肆元伍角整`` for ¥1,234.50.

    Raises:
        InputError: ``amount_too_large_for_capitals`` above ¥999,999,999,999.99.
    """
    fen = abs(amount.fen)
    yuan, cents = divmod(fen, 100)
    if yuan > MAX_YUAN:
        raise InputError(
            "amount_too_large_for_capitals",
            N_("The amount {amount} is too large to write in capitals."),
            amount=amount.yuan_text(grouping=True),
        )
    if fen == 0:
        return "零元整"
    sign = "负" if amount.fen < 0 else ""
    return sign + _read(yuan, cents // 10, cents % 10)


def _read(yuan: int, jiao: int, fen: int) -> str:
    """Read the non-zero amount ``yuan``.``jiao````fen`` digit by digit (see the module rule)."""
    parts: list[str] = []
    pending_zero = False
    for position, digit in _whole_digits(yuan):
        if digit == 0:
            # A zero only matters if something was already written; it is spoken once later.
            pending_zero = bool(parts)
        else:
            if pending_zero:
                parts.append("零")
                pending_zero = False
            parts.append(DIGITS[digit] + _INNER_UNITS[position % 4])
        if position % 4 == 0 and position > 0 and _group_value(yuan, position // 4):
            parts.append(_GROUP_UNITS[position // 4])
            # Zeros just before 万/亿 are the group's own tail, not a gap:
            # 壹拾万壹仟, not 壹拾万零壹仟.
            pending_zero = False
    if yuan:
        parts.append("元")
    for digit, unit in ((jiao, "角"), (fen, "分")):
        if digit == 0:
            pending_zero = bool(parts)
            continue
        if pending_zero:
            parts.append("零")
            pending_zero = False
        parts.append(DIGITS[digit] + unit)
    if fen == 0:
        parts.append("整")
    return "".join(parts)


def _whole_digits(yuan: int) -> list[tuple[int, int]]:
    """The digits of ``yuan`` as (position, digit), most significant first; empty for zero."""
    text = str(yuan) if yuan else ""
    return [(len(text) - 1 - index, int(char)) for index, char in enumerate(text)]


def _group_value(yuan: int, group: int) -> int:
    """The four-digit group ``group`` of ``yuan`` (0 = units, 1 = 万, 2 = 亿)."""
    return (yuan // 10 ** (4 * group)) % 10_000


__all__ = ["DIGITS", "MAX_YUAN", "amount_in_capitals"]
