"""What each charge still owes, and a unit's prepaid balance, read in one query each.

Nothing here is stored: a charge's outstanding amount is its amount less its allocations and its
adjustments (late-fee waivers excepted), and late fees are computed as of a date by
:func:`feetui.core.late_fees.late_fee`, less late fees already waived or posted as charges.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from tortoise import connections

from feetui.core.late_fees import LateFeeRule, late_fee
from feetui.core.money import Money

_BALANCES = """
SELECT c.id, c.unit_id, c.fee_item_id, f.code, f.name, c.period, c.source, c.parent_id,
       c.amount_fen, c.due_date, f.late_fee_daily_ppm, f.late_fee_grace_days,
       f.late_fee_cap_percent,
       COALESCE((SELECT SUM(a.amount_fen) FROM allocation a WHERE a.charge_id = c.id), 0),
       COALESCE((SELECT SUM(j.amount_fen) FROM adjustment j
                 WHERE j.charge_id = c.id AND j.kind != 'late_fee_waiver'), 0),
       COALESCE((SELECT SUM(j.amount_fen) FROM adjustment j
                 WHERE j.charge_id = c.id AND j.kind = 'late_fee_waiver'), 0),
       COALESCE((SELECT SUM(l.amount_fen) FROM charge l WHERE l.parent_id = c.id), 0)
FROM charge c JOIN fee_item f ON f.id = c.fee_item_id
"""


@dataclass(frozen=True, slots=True)
class ChargeBalance:
    """A charge with what has been paid and adjusted on it so far."""

    charge_id: str
    unit_id: str
    fee_item_id: str
    fee_item_code: str
    fee_item_name: str
    period: str
    source: str
    parent_id: str | None
    amount: Money
    due_date: date
    rule: LateFeeRule | None
    """The fee item's late-fee rule (``None`` when it charges none)."""
    paid: Money
    adjusted: Money
    late_fee_waived: Money
    late_fees_posted: Money
    """Late fees of this charge already posted as late-fee charges."""

    @property
    def outstanding(self) -> Money:
        """What the charge still owes (negative only if two counters overpaid it offline)."""
        return self.amount - self.paid - self.adjusted

    def late_fee_as_of(self, as_of: date) -> Money:
        """The late fee not yet posted on this charge as of ``as_of`` (0 for a late-fee charge)."""
        if self.rule is None or self.source == "late_fee":
            return Money(0)
        return late_fee(
            principal=max(self.amount, Money(0)),
            outstanding=max(self.outstanding, Money(0)),
            due_date=self.due_date,
            as_of=as_of,
            rule=self.rule,
            waived=self.late_fee_waived + self.late_fees_posted,
        )


def _balance(row: Sequence[Any]) -> ChargeBalance:
    ppm, grace, cap = row[10], row[11], row[12]
    return ChargeBalance(
        charge_id=row[0],
        unit_id=row[1],
        fee_item_id=row[2],
        fee_item_code=row[3],
        fee_item_name=row[4],
        period=row[5],
        source=row[6],
        parent_id=row[7],
        amount=Money(row[8]),
        due_date=date.fromisoformat(row[9]),
        rule=LateFeeRule(ppm, grace, cap) if ppm and cap else None,
        paid=Money(row[13]),
        adjusted=Money(row[14]),
        late_fee_waived=Money(row[15]),
        late_fees_posted=Money(row[16]),
    )


async def list_charge_balances(
    unit_id: str, *, charge_ids: Sequence[str] | None = None
) -> list[ChargeBalance]:
    """The unit's charges with their balances, oldest due first.

    Args:
        unit_id: the unit.
        charge_ids: only these charges (of this unit); all of the unit's when ``None``.

    Returns:
        One :class:`ChargeBalance` per charge, ordered by due date, fee item code and id.
    """
    sql, values = _BALANCES + " WHERE c.unit_id = ?", [unit_id]
    if charge_ids is not None:
        if not charge_ids:
            return []
        sql += f" AND c.id IN ({','.join('?' * len(charge_ids))})"
        values += list(charge_ids)
    sql += " ORDER BY c.due_date, f.code, c.id"
    _, rows = await connections.get("default").execute_query(sql, values)
    return [_balance(row) for row in rows]


async def get_charge_balance(charge_id: str) -> ChargeBalance | None:
    """One charge with its balance, or ``None`` when there is no such charge."""
    _, rows = await connections.get("default").execute_query(
        _BALANCES + " WHERE c.id = ?", [charge_id]
    )
    return _balance(rows[0]) if rows else None


PREPAID_SQL = """
SELECT COALESCE((SELECT SUM(amount_fen) FROM prepaid_entry WHERE unit_id = :unit), 0)
     + COALESCE((SELECT SUM(MAX(paid - due, 0)) FROM (
         SELECT c.amount_fen - COALESCE((SELECT SUM(j.amount_fen) FROM adjustment j
                                         WHERE j.charge_id = c.id
                                           AND j.kind != 'late_fee_waiver'), 0) AS due,
                COALESCE((SELECT SUM(a.amount_fen) FROM allocation a
                          WHERE a.charge_id = c.id), 0) AS paid
         FROM charge c WHERE c.unit_id = :unit)), 0)
"""
"""The prepaid balance of the unit ``:unit`` (also embedded in the payment's one-trip read)."""


async def get_prepaid_balance(unit_id: str) -> Money:
    """The unit's prepaid balance: the sum of its prepaid entries, plus what its charges were
    paid beyond their amount.

    A charge is paid beyond its amount only when two counters took money for it while offline
    (RELIABILITY R13): both payments stand, and the excess is the unit's to spend, on every
    counter alike, because every counter holds the same allocations.
    """
    values = {"unit": unit_id}
    _, rows = await connections.get("default").execute_query(PREPAID_SQL, values)  # type: ignore[arg-type]
    return Money(rows[0][0])


__all__ = [
    "PREPAID_SQL",
    "ChargeBalance",
    "get_charge_balance",
    "get_prepaid_balance",
    "list_charge_balances",
]
