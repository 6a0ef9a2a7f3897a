"""Shift cash arithmetic: counting by denomination, expected cash and over/short (长短款).

The cash a drawer should hold at the end of a shift is, exactly and from the shift's own records
(RELIABILITY R15)::

    opening float + cash tendered − change given − cash refunds + pay-ins − pay-outs − deposits

The cashier counts the drawer note by note and coin by coin; the difference counted − expected is
the shift's over (长款, positive) or short (短款, negative). All in whole fen.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

from feetui.core.errors import N_, InputError
from feetui.core.money import Money


@dataclass(frozen=True, slots=True)
class Denomination:
    """A note or coin of the renminbi that the counter counts.

    Attributes:
        code: stable id used in stored counts (``"n100"``, ``"c05"``).
        fen: its value in fen.
        kind: ``"note"`` or ``"coin"``.
        label: English message id for people (translate with ``_()``), e.g. "¥100 note".
    """

    code: str
    fen: int
    kind: Literal["note", "coin"]
    label: str


DENOMINATIONS: tuple[Denomination, ...] = (
    Denomination("n100", 10000, "note", N_("¥100 note")),
    Denomination("n50", 5000, "note", N_("¥50 note")),
    Denomination("n20", 2000, "note", N_("¥20 note")),
    Denomination("n10", 1000, "note", N_("¥10 note")),
    Denomination("n5", 500, "note", N_("¥5 note")),
    Denomination("n1", 100, "note", N_("¥1 note")),
    Denomination("c1", 100, "coin", N_("¥1 coin")),
    Denomination("c05", 50, "coin", N_("¥0.5 coin")),
    Denomination("c01", 10, "coin", N_("¥0.1 coin")),
)
"""The denominations a cash count grid shows, in this order: notes high to low, then coins."""

DENOMINATION_BY_CODE: Mapping[str, Denomination] = MappingProxyType(
    {denomination.code: denomination for denomination in DENOMINATIONS}
)
"""Each denomination by its code."""


def _count_invalid(denomination: str) -> InputError:
    return InputError(
        "count_invalid",
        N_("A cash count is not valid: counts are whole numbers of notes and coins we know"),
        denomination=denomination,
    )


def count_total(counts: Mapping[str, int]) -> Money:
    """The value of a cash count given as pieces per denomination code.

    Args:
        counts: pieces per code (``{"n100": 3, "c05": 2}``); missing codes count as zero.

    Returns:
        The total in fen.

    Raises:
        InputError: ``count_invalid`` (param ``denomination``: the code) for an unknown code,
            or a count that is negative or not a whole number.
    """
    result = 0
    for code, pieces in counts.items():
        denomination = DENOMINATION_BY_CODE.get(code)
        if denomination is None:
            raise _count_invalid(str(code))
        if isinstance(pieces, bool) or not isinstance(pieces, int) or pieces < 0:
            raise _count_invalid(code)
        result += denomination.fen * pieces
    return Money(result)


def expected_cash(
    *,
    opening_float: Money,
    cash_tendered: Money,
    change_given: Money,
    cash_refunds: Money,
    pay_ins: Money,
    pay_outs: Money,
    deposits: Money,
) -> Money:
    """The cash the drawer should hold (R15).

    Args:
        opening_float: the float counted at the start of the shift (备用金).
        cash_tendered: cash handed over by payers (before change).
        change_given: change handed back.
        cash_refunds: cash paid out as refunds.
        pay_ins: cash put into the drawer outside payments.
        pay_outs: cash taken out for expenses.
        deposits: cash taken to the bank (存行).

    Returns:
        float + tendered − change − refunds + pay-ins − pay-outs − deposits.
    """
    figures = (
        opening_float,
        cash_tendered,
        change_given,
        cash_refunds,
        pay_ins,
        pay_outs,
        deposits,
    )
    if not all(isinstance(figure, Money) for figure in figures):
        raise TypeError("expected_cash sums Money only")
    return (
        opening_float + cash_tendered - change_given - cash_refunds + pay_ins - pay_outs - deposits
    )


def over_short(*, expected: Money, counted: Money) -> Money:
    """Counted minus expected: positive is over (长款), negative is short (短款), zero balances."""
    return counted - expected


__all__ = [
    "DENOMINATIONS",
    "DENOMINATION_BY_CODE",
    "Denomination",
    "count_total",
    "expected_cash",
    "over_short",
]
