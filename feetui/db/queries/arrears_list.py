"""The arrears work list: units that owe overdue charges, aged, with their last follow-up.

What a charge owes is the ledger's rule (:mod:`feetui.db.queries.balances`: amount less
allocations less waivers and discounts, late fees as of the date on top); this module only picks
the charges and sums them. Only units whose ``unit_balance`` (kept by triggers) shows a debt are
read, so a site where nearly everyone has paid is read in a few milliseconds.

The list shows what is owed *now*, aged as of the chosen date: a past ``as_of`` does not rewind
payments made since.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from tortoise import connections

from feetui.core.arrears import (
    BUCKET_CODES,
    PromiseStatus,
    age_days,
    bucket_of,
    promise_status,
    surfacing_rank,
)
from feetui.core.money import Money, total

# The ledger's balance query, reused so that "what a charge owes" has one definition.
from feetui.db.queries.balances import _BALANCES, ChargeBalance, _balance

MAX_ROWS = 200

_OWING = (
    _BALANCES + " WHERE c.unit_id IN (SELECT unit_id FROM unit_balance WHERE arrears_fen > 0)"
    " AND c.due_date < ? ORDER BY c.unit_id, c.due_date, f.code, c.id"
)
_UNITS = """
SELECT u.id, u.code, u.building, u.owner_name, u.tags FROM unit u WHERE u.id IN ({marks})
"""
# The newest follow-up of each unit, and what the unit paid to its charges since it was recorded.
_LAST_NOTES = """
SELECT n.unit_id, n.id, n.channel, n.reason, n.promised_date, n.note, n.created_at,
       d.contacted_on, COALESCE(d.reason_detail, ''), d.promised_amount_fen,
       COALESCE((SELECT SUM(a.amount_fen) FROM allocation a JOIN payment p ON p.id = a.payment_id
                 WHERE p.unit_id = n.unit_id AND p.created_at >= n.created_at), 0)
FROM collection_note n LEFT JOIN collection_note_detail d ON d.note_id = n.id
WHERE n.unit_id IN ({marks})
  AND n.id = (SELECT n2.id FROM collection_note n2 WHERE n2.unit_id = n.unit_id
              ORDER BY n2.created_at DESC, n2.id DESC LIMIT 1)
"""


@dataclass(frozen=True, slots=True)
class LastFollowUp:
    """A unit's newest follow-up and where its promise stands."""

    note_id: str
    contacted_on: date
    channel: str
    reason: str
    reason_detail: str
    said: str
    promised_date: date | None
    promised_amount: Money | None
    paid_since: Money
    promise: str | None
    """A :class:`~feetui.core.arrears.PromiseStatus`, ``None`` when nothing was promised."""


@dataclass(frozen=True, slots=True)
class ArrearsRow:
    """One unit of the arrears list."""

    unit_id: str
    unit_code: str
    building: str
    owner_name: str
    tags: tuple[str, ...]
    owed: Money
    """Overdue charges' outstanding amounts plus their late fees as of the date."""
    late_fees: Money
    oldest_due: date
    age_days: int
    bucket: str
    fee_items: tuple[str, ...]
    """Codes of the fee items owed."""
    last: LastFollowUp | None

    @property
    def surfaces(self) -> bool:
        """Whether a promise due today or broken puts this unit at the top."""
        return self.last is not None and self.last.promise in PromiseStatus.SURFACING


@dataclass(frozen=True, slots=True)
class ArrearsList:
    """The filtered list (at most ``MAX_ROWS`` unless asked for all), its bucket totals and its
    grand total."""

    as_of: date
    rows: tuple[ArrearsRow, ...]
    unit_count: int
    """Units matching the filters (may exceed ``len(rows)``)."""
    bucket_totals: dict[str, Money]
    """Per age bucket, the overdue charges' outstanding amounts (late fees not included)."""
    total: Money


@dataclass(frozen=True, slots=True)
class ArrearsFilter:
    """What to show: every field ``None`` (or empty) means no filter."""

    building: str | None = None
    fee_item: str | None = None
    """A fee item code: only units owing it, and only its charges."""
    bucket: str | None = None
    """An age-bucket code: units whose oldest debt is in it."""
    reason: str | None = None
    """A reason code of the last follow-up; ``"none"`` for units never followed up."""
    sort: str = "amount"
    """``amount`` (largest first) or ``age`` (oldest first); due promises always come first."""


async def list_arrears(
    as_of: date, flt: ArrearsFilter | None = None, *, limit: int | None = MAX_ROWS
) -> ArrearsList:
    """The arrears list as of ``as_of``.

    Args:
        as_of: charges due before this date are overdue; ages and late fees are counted to it.
        flt: filters and sort order.
        limit: at most this many rows (the screen's page); ``None`` keeps every one (a batch of
            reminder notices).

    Returns:
        The list, with bucket totals over every matching unit.
    """
    flt = flt or ArrearsFilter()
    conn = connections.get("default")
    _, rows = await conn.execute_query(_OWING, [as_of.isoformat()])
    per_unit: dict[str, list[tuple[ChargeBalance, Money]]] = {}
    for row in rows:
        charge = _balance(row)
        if charge.outstanding.fen > 0 and flt.fee_item in (None, "", charge.fee_item_code):
            late = charge.late_fee_as_of(as_of)
            per_unit.setdefault(charge.unit_id, []).append((charge, late))
    units = await _units(list(per_unit))
    notes = await _last_notes(list(per_unit), as_of)
    found = [
        _row(units[uid], charges, notes.get(uid), as_of)
        for uid, charges in per_unit.items()
        if uid in units
    ]
    found = [r for r in found if _matches(r, flt)]
    found.sort(key=_sort_key(flt.sort))
    kept = {r.unit_id for r in found}
    buckets = _bucket_totals(
        (charge, as_of) for uid, charges in per_unit.items() if uid in kept for charge, _ in charges
    )
    return ArrearsList(
        as_of, tuple(found[:limit]), len(found), buckets, total(r.owed for r in found)
    )


def _row(
    unit: Sequence[Any],
    charges: list[tuple[ChargeBalance, Money]],
    last: LastFollowUp | None,
    as_of: date,
) -> ArrearsRow:
    oldest = min(c.due_date for c, _ in charges)
    age = age_days(oldest, as_of)
    bucket = bucket_of(age)
    late = total(fee for _, fee in charges)
    return ArrearsRow(
        unit_id=unit[0],
        unit_code=unit[1],
        building=unit[2],
        owner_name=unit[3],
        tags=tuple(unit[4].split()),
        owed=total(c.outstanding for c, _ in charges) + late,
        late_fees=late,
        oldest_due=oldest,
        age_days=age,
        bucket=bucket.code if bucket else "",
        fee_items=tuple(dict.fromkeys(c.fee_item_code for c, _ in charges)),
        last=last,
    )


def _matches(row: ArrearsRow, flt: ArrearsFilter) -> bool:
    if flt.building and row.building != flt.building:
        return False
    if flt.bucket and row.bucket != flt.bucket:
        return False
    if flt.reason:
        reason = row.last.reason if row.last else "none"
        return reason == flt.reason
    return True


def _sort_key(sort: str):
    if sort == "age":
        return lambda r: (surfacing_rank(r.last and r.last.promise), -r.age_days, r.unit_code)
    return lambda r: (surfacing_rank(r.last and r.last.promise), -r.owed.fen, r.unit_code)


def _bucket_totals(charges) -> dict[str, Money]:
    sums = dict.fromkeys(BUCKET_CODES, 0)
    for charge, as_of in charges:
        bucket = bucket_of(age_days(charge.due_date, as_of))
        if bucket is not None:
            sums[bucket.code] += charge.outstanding.fen
    return {code: Money(fen) for code, fen in sums.items()}


def _marks(count: int) -> str:
    return ",".join("?" * count)


async def _units(unit_ids: list[str]) -> dict[str, Sequence[Any]]:
    found: dict[str, Sequence[Any]] = {}
    conn = connections.get("default")
    for start in range(0, len(unit_ids), 500):
        chunk = unit_ids[start : start + 500]
        _, rows = await conn.execute_query(_UNITS.format(marks=_marks(len(chunk))), chunk)
        found.update({row[0]: tuple(row) for row in rows})
    return found


async def _last_notes(unit_ids: list[str], as_of: date) -> dict[str, LastFollowUp]:
    found: dict[str, LastFollowUp] = {}
    conn = connections.get("default")
    for start in range(0, len(unit_ids), 500):
        chunk = unit_ids[start : start + 500]
        _, rows = await conn.execute_query(_LAST_NOTES.format(marks=_marks(len(chunk))), chunk)
        found.update({row[0]: _last(row, as_of) for row in rows})
    return found


def _as_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _last(row: Sequence[Any], as_of: date) -> LastFollowUp:
    promised_date = _as_date(row[4])
    amount = Money(row[9]) if row[9] is not None else None
    paid = Money(row[10])
    status = None
    if promised_date is not None and amount is not None:
        status = promise_status(promised_date, amount, paid_since=paid, as_of=as_of)
    return LastFollowUp(
        note_id=row[1],
        contacted_on=_as_date(row[7]) or _as_date(row[6]) or as_of,
        channel=row[2],
        reason=row[3],
        reason_detail=row[8],
        said=row[5],
        promised_date=promised_date,
        promised_amount=amount,
        paid_since=paid,
        promise=status,
    )


async def get_last_follow_up(unit_id: str, as_of: date) -> LastFollowUp | None:
    """The unit's newest follow-up with its promise judged as of ``as_of``, or ``None``."""
    return (await _last_notes([unit_id], as_of)).get(unit_id)


async def list_buildings() -> list[str]:
    """The buildings of the site's units, in natural order (for the list's filter)."""
    _, rows = await connections.get("default").execute_query(
        "SELECT DISTINCT building FROM unit WHERE active = 1"
    )
    return sorted((row[0] for row in rows), key=lambda b: (len(b), b))


async def list_fee_items() -> list[tuple[str, str]]:
    """``(code, name)`` of the fee items, by code (for the list's filter)."""
    _, rows = await connections.get("default").execute_query(
        "SELECT DISTINCT code, name FROM fee_item ORDER BY code"
    )
    return [(row[0], row[1]) for row in rows]


__all__ = [
    "MAX_ROWS",
    "ArrearsFilter",
    "ArrearsList",
    "ArrearsRow",
    "LastFollowUp",
    "get_last_follow_up",
    "list_arrears",
    "list_buildings",
    "list_fee_items",
]
