"""HQ's reports over the projected journal: daily takings, collection rate, arrears, exceptions.

Each report is a :class:`Report`: named columns and rows of plain values, so JSON, CSV and XLSX are
three renderings of one result. Money columns end in ``_fen`` and hold integer fen. A void counts on
the business date and device of the void, through its own negative reversal rows; a refund is a
negative money line of its own day.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from feetui.core.arrears import BilledAmount, CollectedAmount, CollectionRate, collection_rates
from feetui.core.money import Money
from sync_server.db.connection import Database, Tx
from sync_server.services.projection import PREPAID

AGE_BUCKETS = ((30, "age_0_30_fen"), (90, "age_31_90_fen"), (180, "age_91_180_fen"))
OLDEST_BUCKET = "age_over_180_fen"


@dataclass(frozen=True, slots=True)
class Report:
    """A report's result: what was asked, its columns, and one dict per row."""

    name: str
    params: dict[str, Any]
    columns: tuple[str, ...]
    rows: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The plain object to serialise."""
        return {
            "report": self.name,
            "params": self.params,
            "columns": list(self.columns),
            "rows": self.rows,
        }


def _in(values: list[str]) -> str:
    return "(" + ",".join("?" * len(values)) + ")" if values else "(NULL)"


async def _sites(tx: Tx, site_ids: list[str]) -> dict[str, str]:
    rows = await tx.fetch(f"SELECT id, code FROM sites WHERE id IN {_in(site_ids)}", *site_ids)
    return {row["id"]: row["code"] for row in rows}


async def _device_names(tx: Tx) -> dict[str, str]:
    return {row["id"]: row["name"] for row in await tx.fetch("SELECT id, name FROM devices")}


DAILY_COLUMNS = (
    "site",
    "device",
    "method",
    "payments",
    "payments_fen",
    "voids",
    "voids_fen",
    "refunds_fen",
    "net_fen",
    "paid_from_prepaid_fen",
)


async def daily(db: Database, *, day: date, site_ids: list[str]) -> Report:
    """Money taken on ``day`` per site, device and tender method (收费日报表).

    ``payments`` counts the payments of the day with a tender of the method (voided ones too),
    ``voids`` the voids of the day that gave that method back: ``payments - voids`` is the
    counter's net count per method on its slip and daily report. A tender from the unit's
    prepaid balance is no money received: its payments and voids are ``paid_from_prepaid_fen`` of
    the ``prepaid`` method's row, never payments or net.
    """
    text = day.isoformat()
    async with db.transaction() as tx:
        codes, names = await _sites(tx, site_ids), await _device_names(tx)
        lines = await tx.fetch(
            "SELECT site_id, device_id, method, kind, count(DISTINCT record_id) AS n,"
            " CAST(sum(amount_fen) AS BIGINT) AS fen FROM money_lines"
            f" WHERE business_date = ? AND site_id IN {_in(site_ids)}"
            " GROUP BY site_id, device_id, method, kind",
            text,
            *site_ids,
        )
    table: dict[tuple[str, str, str], dict[str, Any]] = {}
    for row in lines:
        entry = _daily_row(table, codes, names, row)
        column = "paid_from_prepaid_fen" if row["method"] == PREPAID else f"{row['kind']}s_fen"
        entry[column] += int(row["fen"])
        if row["kind"] in ("payment", "void"):
            entry[f"{row['kind']}s"] += int(row["n"])
    rows = [table[key] for key in sorted(table)]
    for entry in rows:
        entry["net_fen"] = entry["payments_fen"] + entry["voids_fen"] + entry["refunds_fen"]
    return Report("daily", {"date": text}, DAILY_COLUMNS, rows)


def _daily_row(
    table: dict[tuple[str, str, str], dict[str, Any]],
    codes: dict[str, str],
    names: dict[str, str],
    row: Any,
) -> dict[str, Any]:
    site, device = codes.get(row["site_id"], row["site_id"]), row["device_id"]
    key = (site, names.get(device, device), row["method"])
    if key not in table:
        table[key] = dict.fromkeys(DAILY_COLUMNS, 0) | {
            "site": key[0],
            "device": key[1],
            "method": key[2],
        }
    return table[key]


RATE_GROUPINGS = ("site", "building", "fee_item")
RATE_COLUMNS = (
    "site",
    "group",
    "period",
    "billed_fen",
    "collected_fen",
    "outstanding_fen",
    "rate_percent",
    "prior_collected_fen",
)
# A charge's billing month: its period when that is YYYY-MM, else its due date's month.
_MONTH = (
    "(CASE WHEN length(c.period) = 7 AND substr(c.period, 5, 1) = '-' THEN c.period"
    " ELSE substr(c.due_date, 1, 7) END)"
)
_GROUP_SQL = {
    "site": "''",
    "building": "coalesce(u.building, '')",
    "fee_item": "coalesce(f.code, '')",
}
_BILLED_SQL = """
SELECT c.site_id, {group} AS grp, {month} AS month,
       CAST(sum(c.amount_fen - coalesce((SELECT sum(d.amount_fen) FROM adjustments d
           WHERE d.charge_id = c.id), 0)) AS BIGINT) AS fen
FROM charges c LEFT JOIN units u ON u.id = c.unit_id LEFT JOIN fee_items f ON f.id = c.fee_item_id
WHERE c.source != 'late_fee' AND {month} = ? AND c.site_id IN {sites}
GROUP BY 1, 2, 3
"""
# A void's reversal rows belong to the voided payment's day (as on the counter), so a payment and
# its void net out in the same month; the void's own day stands in while the payment is unseen.
_COLLECTED_SQL = """
SELECT x.site_id, x.grp, x.month, substr(x.paid_day, 1, 7) AS paid_month,
       CAST(sum(x.amount_fen) AS BIGINT) AS fen
FROM (SELECT c.site_id, {group} AS grp, {month} AS month, a.amount_fen,
             CASE WHEN v.record_id IS NULL THEN a.business_date
                  ELSE coalesce((SELECT min(p.business_date) FROM allocations p
                                 WHERE p.record_id = v.payment_id), a.business_date) END
             AS paid_day
      FROM allocations a JOIN charges c ON c.id = a.charge_id
           LEFT JOIN voids v ON v.record_id = a.record_id
           LEFT JOIN units u ON u.id = c.unit_id LEFT JOIN fee_items f ON f.id = c.fee_item_id
      WHERE c.source != 'late_fee' AND c.site_id IN {sites}) x
WHERE x.paid_day <= ? AND (x.month = ? OR substr(x.paid_day, 1, 7) = ?)
GROUP BY x.site_id, x.grp, x.month, substr(x.paid_day, 1, 7)
"""


async def collection_rate(
    db: Database, *, period: str, as_of: date, site_ids: list[str], by: str = "building"
) -> Report:
    """收缴率 of the billing month ``period``, the counter's definition and arithmetic.

    Collected for the month's charges (paid up to ``as_of``) ÷ billed for them, net of waivers,
    late fees left out of both sides; money paid during the month for earlier months' charges is
    ``prior_collected_fen``, apart. Figures per site and group (``by``: the site as a whole,
    building or fee item code), computed by :func:`feetui.core.arrears.collection_rates`.
    """
    group, sites = _GROUP_SQL[by], _in(site_ids)
    async with db.transaction() as tx:
        codes = await _sites(tx, site_ids)
        billed = await tx.fetch(
            _BILLED_SQL.format(group=group, month=_MONTH, sites=sites), period, *site_ids
        )
        collected = await tx.fetch(
            _COLLECTED_SQL.format(group=group, month=_MONTH, sites=sites),
            *site_ids,
            as_of.isoformat(),
            period,
            period,
        )
    out = []
    for site_id in sorted(site_ids, key=lambda s: codes.get(s, s)):
        rates = collection_rates(
            (period,),
            (BilledAmount(r["grp"], r["month"], Money(int(r["fen"])))
             for r in billed if r["site_id"] == site_id),
            (CollectedAmount(r["grp"], r["month"], r["paid_month"], Money(int(r["fen"])))
             for r in collected if r["site_id"] == site_id),
            groups=("",) if by == "site" else None,
        )  # fmt: skip
        out += [_rate_row(codes.get(site_id, site_id), rate) for rate in rates]
    params = {"period": period, "as_of": as_of.isoformat(), "by": by}
    return Report("collection_rate", params, RATE_COLUMNS, out)


def _rate_row(site: str, rate: CollectionRate) -> dict[str, Any]:
    return {
        "site": site,
        "group": rate.group,
        "period": rate.period,
        "billed_fen": rate.billed.fen,
        "collected_fen": rate.collected.fen,
        "outstanding_fen": rate.outstanding.fen,
        "rate_percent": rate_percent(rate.rate_bp),
        "prior_collected_fen": rate.prior_collected.fen,
    }


def rate_percent(rate_bp: int | None) -> str | None:
    """A rate in basis points as percent text with two decimals (``75.00``); ``None``: none."""
    if rate_bp is None:
        return None
    sign = "-" if rate_bp < 0 else ""
    whole, part = divmod(abs(rate_bp), 100)
    return f"{sign}{whole}.{part:02d}"


ARREARS_COLUMNS = ("site", "unit", "owed_fen", *(b for _d, b in AGE_BUCKETS), OLDEST_BUCKET)


async def arrears(db: Database, *, as_of: date, site_ids: list[str]) -> Report:
    """What each unit owes as of a date, aged by due date (≤30, 31–90, 91–180, >180 days)."""
    text = as_of.isoformat()
    async with db.transaction() as tx:
        codes = await _sites(tx, site_ids)
        rows = await tx.fetch(
            "SELECT c.site_id, coalesce(u.code, c.unit_id) AS unit, c.due_date,"
            " c.amount_fen - coalesce((SELECT sum(d.amount_fen) FROM adjustments d"
            "   WHERE d.charge_id = c.id AND d.business_date <= ?), 0)"
            " - coalesce((SELECT sum(a.amount_fen) FROM allocations a WHERE a.charge_id = c.id"
            "   AND a.business_date <= ?), 0) AS owed"
            " FROM charges c LEFT JOIN units u ON u.id = c.unit_id"
            f" WHERE c.due_date <= ? AND c.site_id IN {_in(site_ids)}",
            text,
            text,
            text,
            *site_ids,
        )
    units: dict[tuple[str, str], dict[str, Any]] = defaultdict(dict)
    for row in rows:
        owed = int(row["owed"])
        if owed <= 0:
            continue
        key = (codes.get(row["site_id"], row["site_id"]), row["unit"])
        entry = units[key] or dict.fromkeys(ARREARS_COLUMNS, 0) | {"site": key[0], "unit": key[1]}
        units[key] = entry
        entry["owed_fen"] += owed
        entry[_bucket((as_of - date.fromisoformat(row["due_date"])).days)] += owed
    rows_out = [units[key] for key in sorted(units)]
    return Report("arrears", {"as_of": text}, ARREARS_COLUMNS, rows_out)


def _bucket(days: int) -> str:
    for limit, name in AGE_BUCKETS:
        if days <= limit:
            return name
    return OLDEST_BUCKET


EXCEPTION_COLUMNS = (
    "id",
    "kind",
    "site",
    "device_id",
    "device",
    "seq",
    "record_id",
    "detail",
    "created_at",
    "resolved_at",
)


async def exceptions(
    db: Database, *, site_ids: list[str], include_resolved: bool = False
) -> Report:
    """Integrity alarms and business flags, newest first, each naming its device."""
    resolved = "" if include_resolved else " AND resolved_at IS NULL"
    async with db.transaction() as tx:
        codes, names = await _sites(tx, site_ids), await _device_names(tx)
        rows = await tx.fetch(
            "SELECT id, kind, site_id, device_id, seq, record_id, detail, created_at, resolved_at"
            f" FROM exceptions WHERE site_id IN {_in(site_ids)}{resolved} ORDER BY id DESC",
            *site_ids,
        )
    out = [
        {
            "id": int(row["id"]),
            "kind": row["kind"],
            "site": codes.get(row["site_id"], row["site_id"]),
            "device_id": row["device_id"],
            "device": names.get(row["device_id"], ""),
            "seq": None if row["seq"] is None else int(row["seq"]),
            "record_id": row["record_id"],
            "detail": json.loads(row["detail"]),
            "created_at": row["created_at"],
            "resolved_at": row["resolved_at"],
        }
        for row in rows
    ]
    params = {"include_resolved": include_resolved}
    return Report("exceptions", params, EXCEPTION_COLUMNS, out)


SHIFT_METHODS = ("cash", "card", "wechat", "alipay", "bank", "cheque", PREPAID)
"""The tender methods a counter takes (its ``TenderMethod.ALL``), each a column of its own in the
shift report, in the counter's order."""
OTHER_METHODS = "other_fen"
"""The shift report's column for any method outside :data:`SHIFT_METHODS` (a newer counter's)."""
SHIFT_METHOD_COLUMNS = (*(f"{method}_fen" for method in SHIFT_METHODS), OTHER_METHODS)
SHIFT_COLUMNS = (
    "site",
    "device",
    "shift_id",
    "cashier",
    "business_date",
    "opened_at",
    "closed_at",
    "expected_fen",
    "counted_fen",
    "over_short_fen",
    "pay_in_fen",
    "pay_out_fen",
    "deposit_fen",
    "deposit_slips",
    *SHIFT_METHOD_COLUMNS,
    "refunds_fen",
)


async def shifts(db: Database, *, day: date, site_ids: list[str]) -> Report:
    """The shifts of business date ``day``: who, when, the drawer's cash and its movements, and
    what the shift took per tender method.

    ``expected_fen``, ``counted_fen`` and ``over_short_fen`` (counted − expected: 长款 +, 短款 −)
    are empty until HQ has the shift's close. Pay-ins, pay-outs and bank deposits (存行) are
    totalled per shift; ``deposit_slips`` lists each deposit's slip number and amount in yuan.
    ``<method>_fen`` (one fixed column per method of :data:`SHIFT_METHODS`, ``other_fen`` for any
    other) is the shift's payments less the voids posted in it, as the counter's slip totals its
    tenders (a prepaid tender in ``prepaid_fen``, as the slip lists it); ``refunds_fen`` is what
    its refunds paid out, negative as in the daily report. A shift whose open HQ has not seen yet
    is still listed from its close, its movements or its money lines.
    """
    text, sites = day.isoformat(), _in(site_ids)
    async with db.transaction() as tx:
        codes, names = await _sites(tx, site_ids), await _device_names(tx)
        found = await tx.fetch(
            "SELECT shift_id, site_id, device_id, cashier, business_date, opened_at, closed_at,"
            f" expected_fen, counted_fen FROM shifts WHERE site_id IN {sites} AND (business_date"
            " = ? OR shift_id IN (SELECT m.shift_id FROM cash_movements m"
            f" WHERE m.site_id IN {sites} AND m.business_date = ?))",
            *site_ids,
            text,
            *site_ids,
            text,
        )
        moves = await tx.fetch(
            "SELECT m.shift_id, m.site_id, m.device_id, m.business_date, m.kind, m.amount_fen,"
            " m.slip_no, m.cashier, m.created_at, m.record_id FROM cash_movements m"
            f" WHERE m.site_id IN {sites} AND (m.business_date = ? OR m.shift_id IN"
            " (SELECT s.shift_id FROM shifts s WHERE s.business_date = ?))",
            *site_ids,
            text,
            text,
        )
        # A shift's records all carry its business date, so the day's lines are its lines.
        taken = await tx.fetch(
            "SELECT shift_id, site_id, device_id, business_date, method, kind,"
            " CAST(sum(amount_fen) AS BIGINT) AS fen FROM money_lines WHERE business_date = ?"
            f" AND site_id IN {sites} AND shift_id IS NOT NULL"
            " GROUP BY shift_id, site_id, device_id, business_date, method, kind",
            text,
            *site_ids,
        )
    table = {row["shift_id"]: _shift_row(row, codes, names) for row in found}
    for move in sorted(moves, key=lambda m: (m["created_at"], m["record_id"])):
        entry = table.get(move["shift_id"])
        if entry is None:
            entry = table[move["shift_id"]] = _unseen_shift_row(move, codes, names)
        entry[f"{move['kind']}_fen"] += int(move["amount_fen"])
        if move["kind"] == "deposit":
            amount = Money(int(move["amount_fen"])).yuan_text()
            slips = [entry["deposit_slips"]] if entry["deposit_slips"] else []
            entry["deposit_slips"] = "; ".join([*slips, f"{move['slip_no']} {amount}"])
    for line in taken:
        entry = table.get(line["shift_id"])
        if entry is None:
            entry = table[line["shift_id"]] = _unseen_shift_row(line, codes, names)
        entry[_taken_column(line["method"], line["kind"])] += int(line["fen"])
    rows = sorted(
        table.values(), key=lambda r: (r["site"], r["device"], r["opened_at"] or "", r["shift_id"])
    )
    return Report("shifts", {"date": text}, SHIFT_COLUMNS, rows)


def _taken_column(method: str, kind: str) -> str:
    """The shift report's column a money line adds to: its method's, or refunds."""
    if kind == "refund":
        return "refunds_fen"
    return f"{method}_fen" if method in SHIFT_METHODS else OTHER_METHODS


def _unseen_shift_row(row: Any, codes: dict[str, str], names: dict[str, str]) -> dict[str, Any]:
    """A shift known only from a record posted in it (its open not yet at HQ)."""
    unseen = {"cashier": None, "opened_at": None, "closed_at": None, "expected_fen": None,
              "counted_fen": None}  # fmt: skip
    return _shift_row({**unseen, **dict(row)}, codes, names)


def _shift_row(row: Any, codes: dict[str, str], names: dict[str, str]) -> dict[str, Any]:
    expected, counted = row["expected_fen"], row["counted_fen"]
    closed = row["closed_at"] is not None and expected is not None and counted is not None
    return {
        "site": codes.get(row["site_id"], row["site_id"]),
        "device": names.get(row["device_id"], row["device_id"]),
        "shift_id": row["shift_id"],
        "cashier": row["cashier"] or "",
        "business_date": row["business_date"],
        "opened_at": row["opened_at"],
        "closed_at": row["closed_at"],
        "expected_fen": int(expected) if closed else None,
        "counted_fen": int(counted) if closed else None,
        "over_short_fen": int(counted) - int(expected) if closed else None,
        "pay_in_fen": 0,
        "pay_out_fen": 0,
        "deposit_fen": 0,
        "deposit_slips": "",
        **dict.fromkeys(SHIFT_METHOD_COLUMNS, 0),
        "refunds_fen": 0,
    }


async def site_ids_for(db: Database, codes: list[str] | None) -> dict[str, str]:
    """Site ids by code: the named ones (unknown codes are left out), or all when ``None``."""
    async with db.transaction() as tx:
        if codes is None:
            rows = await tx.fetch("SELECT id, code FROM sites")
        else:
            rows = await tx.fetch(f"SELECT id, code FROM sites WHERE code IN {_in(codes)}", *codes)
    return {row["code"]: row["id"] for row in rows}


__all__ = [
    "RATE_GROUPINGS",
    "SHIFT_METHODS",
    "Report",
    "arrears",
    "collection_rate",
    "daily",
    "exceptions",
    "rate_percent",
    "shifts",
    "site_ids_for",
]
