"""Fee items and the monthly bill run: charges from fee items, once per site and period.

The amounts come from :mod:`feetui.core.fees`, the same rules a standalone counter bills with. A
bill run is claimed by inserting its ``(site, period)`` row with ``ON CONFLICT DO NOTHING``: a
second run of the same period (or two at once) bills nothing. By-area items bill every unit with
an area; fixed items bill every unit (``scope`` ``unit``) or every vehicle (``scope`` ``vehicle``,
e.g. parking). Metered items are billed where the reading is taken (the counter posts the reading
with its charge); one-off items at the counter.
"""

from __future__ import annotations

import calendar
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from feetui.core.fees import area_fee, fixed_fee
from sync_server.clock import iso
from sync_server.db.connection import Database, Tx
from sync_server.errors import ApiError
from sync_server.services.changes import append_changes

KINDS = ("area", "fixed", "metered", "one_off")
SCOPES = ("unit", "vehicle")


@dataclass(frozen=True, slots=True)
class NewFeeItem:
    """A fee item of a site; ``rate_fen`` per m² per month (area), per month (fixed) or per unit."""

    site: str
    code: str
    name: str
    kind: str
    rate_fen: int
    due_day: int = 28
    scope: str = "unit"


@dataclass(frozen=True, slots=True)
class BillRun:
    """What one site's bill run of a period did."""

    site: str
    period: str
    charges: int
    total_fen: int
    already_billed: bool


async def add_fee_item(db: Database, item: NewFeeItem, *, now: datetime) -> str:
    """Create a fee item (published to the site's counters); returns its id.

    Raises:
        ApiError: 400 for a bad kind, scope, rate or due day; 404 ``unknown_site``; 409 when the
            site has the code already.
    """
    if item.kind not in KINDS or item.scope not in SCOPES:
        raise ApiError(400, "bad_value", "kind must be one of {kinds}; scope unit or vehicle",
                       kinds=", ".join(KINDS))  # fmt: skip
    if item.rate_fen < 0 or not 1 <= item.due_day <= 31:
        raise ApiError(400, "bad_value", "the rate must be ≥ 0 and the due day 1 to 31")
    item_id, at = str(uuid.uuid4()), iso(now)
    async with db.transaction() as tx:
        site_id = await tx.fetchval("SELECT id FROM sites WHERE code = ?", item.site)
        if site_id is None:
            raise ApiError(404, "unknown_site", "no site with code {site}", site=item.site)
        if await tx.fetchval(
            "SELECT 1 FROM fee_items WHERE site_id = ? AND code = ?", site_id, item.code
        ):
            raise ApiError(409, "fee_item_exists", "the site has fee item {item}", item=item.code)
        await tx.execute(
            "INSERT INTO fee_items (id, site_id, code, name, kind, rate_fen, due_day, scope,"
            " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            item_id, site_id, item.code, item.name, item.kind, item.rate_fen, item.due_day,
            item.scope, at,
        )  # fmt: skip
        data = {"id": item_id, "site_id": site_id, "code": item.code, "name": item.name,
                "kind": item.kind, "rate_fen": item.rate_fen, "due_day": item.due_day,
                "scope": item.scope}  # fmt: skip
        await append_changes(tx, [(site_id, "fee_item", "upsert", item_id, data, None, at)])
    return item_id


def due_date(period: str, due_day: int) -> date:
    """The due date of a period's charge: ``due_day`` of that month, or its last day."""
    year, month = (int(part) for part in period.split("-"))
    return date(year, month, min(due_day, calendar.monthrange(year, month)[1]))


async def bill_period(db: Database, *, period: str, now: datetime) -> list[BillRun]:
    """Bill every site for ``period`` (``YYYY-MM``): each site once, in its own transaction."""
    async with db.transaction() as tx:
        sites = await tx.fetch("SELECT id, code FROM sites ORDER BY code")
    return [await _bill_site(db, site["id"], site["code"], period, iso(now)) for site in sites]


async def _bill_site(db: Database, site_id: str, code: str, period: str, at: str) -> BillRun:
    async with db.transaction() as tx:
        claimed = await tx.fetchrow(
            "INSERT INTO bill_runs (site_id, period, run_at, charges, total_fen)"
            " VALUES (?, ?, ?, 0, 0) ON CONFLICT DO NOTHING RETURNING site_id",
            site_id, period, at,
        )  # fmt: skip
        if claimed is None:
            return BillRun(code, period, 0, 0, already_billed=True)
        charges = await _charges(tx, site_id, period)
        for charge in charges:
            await tx.execute(
                "INSERT INTO charges (id, site_id, unit_id, fee_item_id, period, amount_fen,"
                " due_date, source, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'bill', ?)",
                charge["id"], site_id, charge["unit_id"], charge["fee_item_id"], period,
                charge["amount_fen"], charge["due_date"], at,
            )  # fmt: skip
        total = sum(c["amount_fen"] for c in charges)
        await tx.execute(
            "UPDATE bill_runs SET charges = ?, total_fen = ? WHERE site_id = ? AND period = ?",
            len(charges), total, site_id, period,
        )  # fmt: skip
        await append_changes(
            tx, [(site_id, "charge", "upsert", c["id"], c, None, at) for c in charges]
        )
    return BillRun(code, period, len(charges), total, already_billed=False)


async def _charges(tx: Tx, site_id: str, period: str) -> list[dict[str, Any]]:
    items = await tx.fetch(
        "SELECT id, kind, rate_fen, due_day, scope FROM fee_items WHERE site_id = ?"
        " AND kind IN ('area', 'fixed') ORDER BY code",
        site_id,
    )
    units = await tx.fetch(
        "SELECT u.id, u.area_centi_m2, (SELECT count(*) FROM vehicles v WHERE v.unit_id = u.id)"
        " AS vehicles FROM units u WHERE u.site_id = ? ORDER BY u.code",
        site_id,
    )
    out = []
    for item in items:
        for unit in units:
            amount = _amount(item, unit)
            if amount > 0:
                out.append({
                    "id": str(uuid.uuid4()), "unit_id": unit["id"], "fee_item_id": item["id"],
                    "period": period, "amount_fen": amount, "source": "bill",
                    "due_date": due_date(period, int(item["due_day"])).isoformat(),
                })  # fmt: skip
    return out


def _amount(item: Any, unit: Any) -> int:
    rate = int(item["rate_fen"])
    if item["kind"] == "area":
        area = int(unit["area_centi_m2"])
        return area_fee(area_centi_m2=area, rate_fen_per_m2_month=rate, months=1).fen
    count = int(unit["vehicles"]) if item["scope"] == "vehicle" else 1
    return fixed_fee(rate_fen_per_month=rate, months=1).fen * count


__all__ = ["BillRun", "NewFeeItem", "add_fee_item", "bill_period", "due_date"]
