"""Allocation (核销) of a payment to open charges, and the prepaid balance (预存) it leaves.

A payment pays the oldest charge first: by due date, then the charge's sort key, then its id, so
the same inputs always give the same plan on every counter and at HQ. Each charge takes at most
what it still owes; the last one reached may be paid in part; whatever is left becomes prepaid
credit of the unit. Nothing is lost: the lines and the prepaid credit always add up to the payment.
The cashier may instead choose the charges and their order (:func:`allocate_selected`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from feetui.core.errors import N_, InputError, RuleError
from feetui.core.money import Money, total


@dataclass(frozen=True, slots=True)
class OpenCharge:
    """A charge that may still owe money.

    Attributes:
        charge_id: the charge's record id.
        due_date: when it fell due; older charges are paid first.
        outstanding: what it still owes (zero or less is skipped).
        sort_key: orders charges due on the same day (e.g. the fee item's display order).
    """

    charge_id: str
    due_date: date
    outstanding: Money
    sort_key: str = ""


@dataclass(frozen=True, slots=True)
class AllocationLine:
    """Part of a payment applied to one charge.

    Attributes:
        charge_id: the charge paid.
        amount: how much of the payment goes to it (above zero).
    """

    charge_id: str
    amount: Money


@dataclass(frozen=True, slots=True)
class AllocationPlan:
    """How one payment splits between charges and prepaid credit.

    Attributes:
        lines: the charges paid, in the order they were paid.
        prepaid_credit: the part of the payment no charge needed; it becomes prepaid balance.
    """

    lines: tuple[AllocationLine, ...]
    prepaid_credit: Money

    @property
    def allocated(self) -> Money:
        """The part of the payment applied to charges (the sum of the lines)."""
        return total(line.amount for line in self.lines)


def oldest_first(charges: Iterable[OpenCharge]) -> list[OpenCharge]:
    """``charges`` sorted oldest due first, then by sort key, then by charge id."""
    return sorted(charges, key=lambda c: (c.due_date, c.sort_key, c.charge_id))


def _check_payment(amount: Money, charges: Sequence[OpenCharge]) -> None:
    if not isinstance(amount, Money):
        raise TypeError(f"amount must be Money, got {type(amount).__name__}")
    if amount.is_negative:
        raise InputError("amount_negative", N_("A payment amount cannot be negative"))
    seen: set[str] = set()
    for charge in charges:
        if charge.charge_id in seen:
            raise InputError(
                "allocation_duplicate_charge",
                N_("The same charge is listed twice in one payment: reload the bill and try again"),
                charge_id=charge.charge_id,
            )
        seen.add(charge.charge_id)


def allocate_selected(amount: Money, charges: Sequence[OpenCharge]) -> AllocationPlan:
    """Allocate ``amount`` to ``charges`` in the given (cashier-chosen) order.

    Args:
        amount: the payment, zero or more.
        charges: the charges to pay, in order; those owing nothing are skipped.

    Returns:
        The plan: each charge up to what it owes, the last one reached perhaps in part, and the
        rest as prepaid credit.

    Raises:
        InputError: ``amount_negative``; ``allocation_duplicate_charge`` (param ``charge_id``)
            when a charge appears twice.
    """
    _check_payment(amount, charges)
    remaining = amount.fen
    lines: list[AllocationLine] = []
    for charge in charges:
        if remaining == 0:
            break
        if charge.outstanding.fen <= 0:
            continue
        paid = min(remaining, charge.outstanding.fen)
        lines.append(AllocationLine(charge.charge_id, Money(paid)))
        remaining -= paid
    return AllocationPlan(tuple(lines), Money(remaining))


def allocate(amount: Money, charges: Sequence[OpenCharge]) -> AllocationPlan:
    """Allocate ``amount`` to ``charges`` oldest due first (the default at the counter).

    Args:
        amount: the payment, zero or more.
        charges: the unit's open charges, in any order; those owing nothing are skipped.

    Returns:
        The plan, in oldest-first order (see :func:`allocate_selected`).

    Raises:
        InputError: ``amount_negative``; ``allocation_duplicate_charge`` (param ``charge_id``).
    """
    _check_payment(amount, charges)
    return allocate_selected(amount, oldest_first(charges))


def prepaid_balance(entries: Iterable[Money]) -> Money:
    """A unit's prepaid balance: the sum of its prepaid ledger entries.

    Credits (left-over payments, deposits) are positive and spends and refunds negative. A negative
    result means the balance was overspent, which can happen when two counters spent the same
    balance while offline; it is returned as it is so that reports can show it, not hidden.

    Args:
        entries: the unit's prepaid ledger amounts.

    Returns:
        Their sum.
    """
    return total(entries)


def spend_prepaid(balance: Money, amount: Money) -> Money:
    """Pay ``amount`` out of a prepaid ``balance``.

    Args:
        balance: the unit's prepaid balance now.
        amount: how much to spend, zero or more.

    Returns:
        The balance left.

    Raises:
        InputError: ``amount_negative`` when ``amount`` is below zero.
        RuleError: ``prepaid_insufficient`` (params ``available``, ``requested`` as yuan text)
            when the balance is smaller than a non-zero ``amount``.
    """
    if amount.is_negative:
        raise InputError("amount_negative", N_("A payment amount cannot be negative"))
    # Spending nothing is always possible: a balance two offline counters overspent (R13) is
    # negative, and that unit must still be able to pay in other ways.
    if amount and amount > balance:
        raise RuleError(
            "prepaid_insufficient",
            N_(
                "Prepaid balance is ¥{available}, less than ¥{requested}: take the rest another way"
            ),
            available=balance.yuan_text(grouping=True),
            requested=amount.yuan_text(grouping=True),
        )
    return balance - amount


__all__ = [
    "AllocationLine",
    "AllocationPlan",
    "OpenCharge",
    "allocate",
    "allocate_selected",
    "oldest_first",
    "prepaid_balance",
    "spend_prepaid",
]
