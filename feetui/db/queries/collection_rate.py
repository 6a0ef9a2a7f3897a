"""Figures for the collection rate (收缴率): billed and collected per billing month and group.

A charge's billing month is its ``period`` when that is ``YYYY-MM``, else the month of its due
date. Billed is net of waivers and discounts; late-fee charges are left out of both sides. A
payment's month is its business date's; a void's reversal rows belong to the voided payment, so
a payment and its void net out in the same month. The arithmetic is
:func:`feetui.core.arrears.collection_rates`.
"""

from __future__ import annotations

from datetime import date

from tortoise import connections

from feetui.core.arrears import (
    BilledAmount,
    CollectedAmount,
    CollectionRate,
    collection_rates,
    last_months,
)
from feetui.core.errors import N_, InputError
from feetui.core.money import Money

_MONTH = (
    "(CASE WHEN c.period GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]' THEN c.period "
    "ELSE substr(c.due_date, 1, 7) END)"
)
_GROUPS = {"site": "''", "building": "u.building", "fee_item": "f.code"}
GROUPINGS = tuple(_GROUPS)

_BILLED = f"""
SELECT {{group}}, {_MONTH} AS month,
       SUM(c.amount_fen) - COALESCE(SUM((SELECT SUM(j.amount_fen) FROM adjustment j
           WHERE j.charge_id = c.id AND j.kind != 'late_fee_waiver')), 0)
FROM charge c JOIN unit u ON u.id = c.unit_id JOIN fee_item f ON f.id = c.fee_item_id
WHERE c.source != 'late_fee' AND {_MONTH} BETWEEN ? AND ?
GROUP BY 1, 2
"""
_COLLECTED = f"""
SELECT {{group}}, {_MONTH} AS month, substr(p.business_date, 1, 7), SUM(a.amount_fen)
FROM allocation a JOIN payment p ON p.id = a.payment_id JOIN charge c ON c.id = a.charge_id
     JOIN unit u ON u.id = c.unit_id JOIN fee_item f ON f.id = c.fee_item_id
WHERE c.source != 'late_fee' AND p.business_date <= ?
  AND ({_MONTH} BETWEEN ? AND ? OR substr(p.business_date, 1, 7) BETWEEN ? AND ?)
GROUP BY 1, 2, 3
"""


async def list_collection_rates(
    as_of: date, *, months: int = 12, by: str = "site"
) -> list[CollectionRate]:
    """Collection rates for the ``months`` billing months ending with ``as_of``'s month.

    Args:
        as_of: the report date; payments after it are not counted.
        months: how many months back (the last 12 by default).
        by: ``site`` (one group ``""``), ``building`` or ``fee_item`` (fee item codes).

    Returns:
        For ``site``, one rate per month (zeros where nothing happened); otherwise one per group
        and month that had billing or collection.

    Raises:
        InputError: ``grouping_unknown`` (param ``by``).
    """
    if by not in _GROUPS:
        raise InputError("grouping_unknown", N_("Unknown grouping {by}."), by=by)
    periods = last_months(as_of, months)
    first, last = periods[0], periods[-1]
    conn = connections.get("default")
    group = _GROUPS[by]
    _, billed = await conn.execute_query(_BILLED.format(group=group), [first, last])
    _, collected = await conn.execute_query(
        _COLLECTED.format(group=group), [as_of.isoformat(), first, last, first, last]
    )
    return collection_rates(
        periods,
        (BilledAmount(str(g), m, Money(int(s))) for g, m, s in billed),
        (CollectedAmount(str(g), m, pm, Money(int(s))) for g, m, pm, s in collected),
        groups=("",) if by == "site" else None,
    )


__all__ = ["GROUPINGS", "list_collection_rates"]
