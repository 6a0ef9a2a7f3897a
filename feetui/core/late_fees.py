"""Late fees (滞纳金): a daily rate on what is still owed, after a grace period, up to a cap.

The rule of a fee item is :class:`LateFeeRule`. As of a date, the days late are
``(as_of - due_date).days - grace_days``; nothing accrues on day zero or before. The fee is the
outstanding amount × the daily rate in parts per million × days late, rounded once with
:data:`~feetui.core.rounding.ROUND_HALF_UP_TO_FEN`; it never exceeds ``cap_percent`` % of the
charge's principal (that cap itself rounded half up to the fen), and an approved waiver is taken
off what remains, never below zero. Late fees are computed as of a date, never stored as they grow.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from feetui.core.errors import N_, InputError
from feetui.core.money import Money
from feetui.core.rounding import ROUND_HALF_UP_TO_FEN

PPM = 1_000_000
"""Parts per million: a daily rate of 0.5‰ (万分之五) is 500 ppm."""


@dataclass(frozen=True, slots=True)
class LateFeeRule:
    """How a fee item charges for late payment.

    Attributes:
        daily_ppm: daily rate in parts per million of the overdue amount (0.5‰ a day is 500).
        grace_days: days after the due date before the fee starts accruing (0: from the next day).
        cap_percent: the total late fee is at most this percentage of the principal (0: no late
            fee at all; 100: never more than the charge itself).
    """

    daily_ppm: int
    grace_days: int
    cap_percent: int

    def __post_init__(self) -> None:
        for name in ("daily_ppm", "grace_days", "cap_percent"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError(f"LateFeeRule.{name} must be an int, got {type(value).__name__}")
            if value < 0:
                raise InputError(
                    "late_fee_rule_invalid",
                    N_("A late-fee rule has a negative figure: check the fee item's late fee"),
                    field=name,
                )

    def cap(self, principal: Money) -> Money:
        """The most this rule ever charges on ``principal``: ``cap_percent`` %, rounded half up."""
        return Money(ROUND_HALF_UP_TO_FEN(principal.fen * self.cap_percent, 100))


def days_late(*, due_date: date, as_of: date, grace_days: int) -> int:
    """Days of accrual as of ``as_of``: days past the due date less the grace days, at least 0."""
    return max((as_of - due_date).days - grace_days, 0)


def _check_amounts(**amounts: Money) -> None:
    for name, value in amounts.items():
        if not isinstance(value, Money):
            raise TypeError(f"{name} must be Money, got {type(value).__name__}")
        if value.is_negative:
            raise InputError(
                "fee_input_invalid",
                N_("A late-fee amount cannot be negative: check the charge and its waivers"),
                field=name,
            )


def late_fee(
    *,
    principal: Money,
    outstanding: Money,
    due_date: date,
    as_of: date,
    rule: LateFeeRule | None,
    waived: Money = Money(0),  # noqa: B008 - Money is frozen, so a shared default is safe.
) -> Money:
    """The late fee owed on one charge as of a date.

    Args:
        principal: the charge's original amount (the cap is a share of it).
        outstanding: what is still owed on the charge (the rate applies to it).
        due_date: the charge's due date.
        as_of: the date the fee is computed for (today, or a statement date).
        rule: the fee item's rule, or None when the item has no late fee.
        waived: late fee already waived for this charge (approved by a supervisor).

    Returns:
        ``min(round_half_up(outstanding * ppm * days, 1_000_000), cap) - waived``, at least 0.

    Raises:
        InputError: ``fee_input_invalid`` when an amount is negative.
    """
    _check_amounts(principal=principal, outstanding=outstanding, waived=waived)
    if rule is None:
        return Money(0)
    days = days_late(due_date=due_date, as_of=as_of, grace_days=rule.grace_days)
    accrued = ROUND_HALF_UP_TO_FEN(outstanding.fen * rule.daily_ppm * days, PPM)
    capped = min(accrued, rule.cap(principal).fen)
    return Money(max(capped - waived.fen, 0))


__all__ = ["PPM", "LateFeeRule", "days_late", "late_fee"]
