"""A unit's current instalment plan and what has been paid toward it.

The current plan is the unit's newest plan that no other plan supersedes. Paid toward it: every
allocation, since the plan was agreed, to a charge it covers or to a late fee of such a charge
(the ledger posts a charge's late fee with it, so an instalment paid pays both). A voided
payment's reversal rows cancel its allocations.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tortoise import connections

from feetui.core.instalment import Instalment, PlanProgress, plan_progress
from feetui.core.money import Money

_CURRENT = """
SELECT p.id, p.debt_fen, p.business_date, p.created_at, p.note, u.name
FROM instalment_plan p JOIN user u ON u.id = p.approver_id
WHERE p.unit_id = ?
  AND NOT EXISTS (SELECT 1 FROM instalment_plan s WHERE s.supersedes_id = p.id)
ORDER BY p.created_at DESC, p.id DESC LIMIT 1
"""
_LINES = "SELECT due_date, amount_fen FROM instalment_line WHERE plan_id = ? ORDER BY number"
_COVERED = "SELECT charge_id FROM instalment_charge WHERE plan_id = ?"
_PAID = """
SELECT COALESCE(SUM(a.amount_fen), 0)
FROM allocation a JOIN payment pay ON pay.id = a.payment_id JOIN charge c ON c.id = a.charge_id
WHERE pay.created_at >= ?
  AND (c.id IN (SELECT charge_id FROM instalment_charge WHERE plan_id = ?)
       OR c.parent_id IN (SELECT charge_id FROM instalment_charge WHERE plan_id = ?))
"""


@dataclass(frozen=True, slots=True)
class PlanView:
    """A unit's current plan as of a date."""

    plan_id: str
    debt: Money
    agreed_on: date
    approver_name: str
    note: str
    lines: tuple[Instalment, ...]
    covered_charge_ids: tuple[str, ...]
    progress: PlanProgress


def _date(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


async def get_current_plan(unit_id: str, as_of: date) -> PlanView | None:
    """The unit's current instalment plan judged as of ``as_of``, or ``None``."""
    conn = connections.get("default")
    _, rows = await conn.execute_query(_CURRENT, [unit_id])
    if not rows:
        return None
    plan_id, debt, agreed, created_at, note, approver = rows[0]
    _, lines = await conn.execute_query(_LINES, [plan_id])
    _, covered = await conn.execute_query(_COVERED, [plan_id])
    _, paid = await conn.execute_query(_PAID, [created_at, plan_id, plan_id])
    schedule = tuple(Instalment(_date(d), Money(a)) for d, a in lines)
    return PlanView(
        plan_id=plan_id,
        debt=Money(debt),
        agreed_on=_date(agreed),
        approver_name=approver,
        note=note,
        lines=schedule,
        covered_charge_ids=tuple(row[0] for row in covered),
        progress=plan_progress(schedule, paid=Money(paid[0][0]), as_of=as_of),
    )


__all__ = ["PlanView", "get_current_plan"]
