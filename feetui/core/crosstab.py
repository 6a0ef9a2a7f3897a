"""Splitting a payment across fee items × tender methods, for shift and daily reports.

A payment's tenders (cash ¥300 + WeChat ¥200) and what it paid (property fee ¥400, parking ¥100)
each add up to the same amount, but nothing on the receipt says which method paid which line.
Reports still need one figure per fee item and method, so the rule is written down here: **the
tenders pay the lines in order**: the first tender pays the first line until one of them is used
up, then the next continues (the "north-west corner" fill). Every cell is whole fen, every row adds
up to its line and every column to its tender, so a report built from the cells always equals the
sum of its receipts. The same payment always splits the same way, on every counter and at HQ.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from feetui.core.errors import N_, IntegrityError_
from feetui.core.money import Money, total


@dataclass(frozen=True, slots=True)
class Cell:
    """The part of one payment that one tender method paid towards one line.

    Attributes:
        line: the key of what was paid (a fee item, late fees, prepaid deposit ...).
        method: the tender method (``cash``, ``card`` ...).
        amount: whole fen, above zero.
    """

    line: str
    method: str
    amount: Money


def split(lines: Sequence[tuple[str, Money]], tenders: Sequence[tuple[str, Money]]) -> list[Cell]:
    """Split one payment into cells: tenders pay the lines in the order given.

    Args:
        lines: what the payment paid, in order, as (key, amount); amounts zero or more.
        tenders: how it was paid, in order, as (method, amount); amounts zero or more.

    Returns:
        The non-zero cells, in fill order. Cells of the same line and method are not merged.

    Raises:
        IntegrityError_: ``split_does_not_add_up`` when the two sides differ or an amount is
            negative (a void is split as its payment and then negated, see :func:`negated`).
    """
    _check(lines, tenders)
    cells: list[Cell] = []
    remaining = [amount.fen for _, amount in tenders]
    tender_index = 0
    for key, amount in lines:
        left = amount.fen
        while left > 0:
            while remaining[tender_index] == 0:
                tender_index += 1
            taken = min(left, remaining[tender_index])
            cells.append(Cell(key, tenders[tender_index][0], Money(taken)))
            remaining[tender_index] -= taken
            left -= taken
    return cells


def negated(cells: Iterable[Cell]) -> list[Cell]:
    """The same cells with the sign turned (the reversal of a voided payment)."""
    return [Cell(cell.line, cell.method, -cell.amount) for cell in cells]


def _check(lines: Sequence[tuple[str, Money]], tenders: Sequence[tuple[str, Money]]) -> None:
    amounts = [amount for _, amount in (*lines, *tenders)]
    paid, tendered = total(a for _, a in lines), total(a for _, a in tenders)
    if paid != tendered or any(amount.is_negative for amount in amounts):
        raise IntegrityError_(
            "split_does_not_add_up",
            N_("A payment's lines ({paid}) and tenders ({tendered}) do not add up."),
            paid=paid.yuan_text(),
            tendered=tendered.yuan_text(),
        )


__all__ = ["Cell", "negated", "split"]
