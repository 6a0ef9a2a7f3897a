"""Arrears as of a date, per unit, in the ageing buckets of :mod:`feetui.core.arrears`.

A charge is in arrears when its due date is before the date and it still owed something on that
date: its amount less the allocations of payments (and voids) booked on or before it and the
adjustments approved on or before it. Late fees are not included (the unit statement shows them);
the buckets hold principal only. One grouped query does the sums, so the counter never loads every
charge into Python.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tortoise import connections

from feetui.core.arrears import AGE_BUCKETS, BUCKET_CODES
from feetui.core.money import Money


def _bucket_sum(first_day: int, last_day: int | None) -> str:
    upper = "" if last_day is None else f" AND age <= {int(last_day)}"
    return f"SUM(CASE WHEN age >= {int(first_day)}{upper} THEN owed ELSE 0 END)"


_OWED = """
WITH owed_charge AS (
  SELECT c.unit_id, c.due_date,
    CAST(julianday(:as_of) - julianday(c.due_date) AS INTEGER) AS age,
    c.amount_fen
    - COALESCE((SELECT SUM(a.amount_fen) FROM allocation a
                JOIN payment p ON p.id = a.payment_id
                LEFT JOIN void v ON v.id = a.void_id
                WHERE a.charge_id = c.id
                  AND COALESCE(v.business_date, p.business_date) <= :as_of), 0)
    - COALESCE((SELECT SUM(j.amount_fen) FROM adjustment j
                WHERE j.charge_id = c.id AND j.kind != 'late_fee_waiver'
                  AND j.business_date <= :as_of), 0) AS owed
  FROM charge c JOIN unit u ON u.id = c.unit_id
  WHERE c.due_date < :as_of {site_filter}
)
SELECT u.id, u.code, u.owner_name, {buckets}, SUM(owed), MIN(o.due_date)
FROM owed_charge o JOIN unit u ON u.id = o.unit_id
WHERE owed > 0
GROUP BY u.id ORDER BY SUM(owed) DESC, u.code LIMIT :limit
"""


@dataclass(frozen=True, slots=True)
class ArrearsRow:
    """One unit's arrears as of the date, by age."""

    unit_id: str
    unit_code: str
    owner_name: str
    buckets: dict[str, Money]
    """Owed per bucket code (``d30``, ``d90``, ``d180``, ``over180``), every code present."""
    total: Money
    oldest_due: date


async def list_arrears(
    *, as_of: date, site_id: str | None = None, limit: int = 10_000
) -> list[ArrearsRow]:
    """Units in arrears as of ``as_of``, the biggest debts first.

    Args:
        as_of: the date (charges due before it, payments booked on or before it).
        site_id: only this site's units; every unit when ``None``.
        limit: most rows returned.

    Returns:
        One row per unit that owed something overdue on ``as_of``.
    """
    buckets = ", ".join(_bucket_sum(b.first_day, b.last_day) for b in AGE_BUCKETS)
    site_filter = "AND u.site_id = :site_id" if site_id else ""
    sql = _OWED.format(buckets=buckets, site_filter=site_filter)
    values = {"as_of": as_of.isoformat(), "limit": limit, "site_id": site_id}
    # sqlite3 takes named parameters from a dict; the SQL repeats :as_of several times.
    _, rows = await connections.get("default").execute_query(sql, values)  # type: ignore[arg-type]
    return [_row(list(row)) for row in rows]


def _row(row: list) -> ArrearsRow:
    amounts = row[3 : 3 + len(BUCKET_CODES)]
    return ArrearsRow(
        unit_id=row[0],
        unit_code=row[1],
        owner_name=row[2],
        buckets={code: Money(int(fen)) for code, fen in zip(BUCKET_CODES, amounts, strict=True)},
        total=Money(int(row[3 + len(BUCKET_CODES)])),
        oldest_due=date.fromisoformat(row[4 + len(BUCKET_CODES)]),
    )


def bucket_totals(rows: list[ArrearsRow]) -> dict[str, Money]:
    """The buckets summed over ``rows`` (every code present)."""
    sums = {code: 0 for code in BUCKET_CODES}
    for row in rows:
        for code, amount in row.buckets.items():
            sums[code] += amount.fen
    return {code: Money(fen) for code, fen in sums.items()}


__all__ = ["ArrearsRow", "bucket_totals", "list_arrears"]
