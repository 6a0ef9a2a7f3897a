"""Fee items and the monthly bill run: charges from fee items, once per site and period.

The plan (which items bill which units, for how much, due when) is
:func:`feetui.core.billing.plan_bill`, the same function a standalone counter bills with. A
bill run is claimed by inserting its ``(site, period)`` row with ``ON CONFLICT DO NOTHING``: a
second run of the same period (or two at once) bills nothing. By-area items bill every unit with
an area; fixed items bill every unit (``scope`` ``unit``) or every vehicle (``scope`` ``vehicle``,
e.g. parking). Metered items are billed where the reading is taken (the counter posts the reading
with its charge); one-off items at the counter.

An item bills only in the months of its cycle (``months_per_bill``, :mod:`feetui.core.billing`):
a quarterly item bills three months' worth in January, April, July and October. Its late-fee rule
(``late_fee_daily_ppm``, ``late_fee_grace_days``, ``late_fee_cap_percent``) is published with it:
the counters compute late fees from it.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from feetui.core.billing import BillPeriod, PlanItem, PlanUnit, plan_bill
from feetui.core.billing import due_date as period_due_date
from feetui.core.errors import FeeError
from feetui.core.master_data import EDITABLE, FeeItemSpec, check_fee_item
from sync_server.clock import iso
from sync_server.db.connection import Database, Tx
from sync_server.errors import ApiError
from sync_server.services.changes import append_changes


@dataclass(frozen=True, slots=True)
class NewFeeItem(FeeItemSpec):
    """A fee item of a site: a :class:`feetui.core.master_data.FeeItemSpec` (checked by the same
    :func:`~feetui.core.master_data.check_fee_item` a standalone counter uses) and the code of the
    site it belongs to (``site=``, by keyword)."""

    site: str = field(kw_only=True)

    def record(self, item_id: str, site_id: str) -> dict[str, Any]:
        """The item as published in the change log (what counters read)."""
        return {
            "id": item_id, "site_id": site_id, "code": self.code, "name": self.name,
            "kind": self.kind, "rate_fen": self.rate_fen, "due_day": self.due_day,
            "scope": self.scope, "months_per_bill": self.months_per_bill,
            "late_fee_daily_ppm": self.late_fee_daily_ppm,
            "late_fee_grace_days": self.late_fee_grace_days,
            "late_fee_cap_percent": self.late_fee_cap_percent,
        }  # fmt: skip


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
    item = _checked(item)
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
            " months_per_bill, late_fee_daily_ppm, late_fee_grace_days, late_fee_cap_percent,"
            " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            item_id, site_id, item.code, item.name, item.kind, item.rate_fen, item.due_day,
            item.scope, item.months_per_bill, item.late_fee_daily_ppm, item.late_fee_grace_days,
            item.late_fee_cap_percent, at,
        )  # fmt: skip
        data = item.record(item_id, site_id)
        await append_changes(tx, [(site_id, "fee_item", "upsert", item_id, data, None, at)])
    return item_id


async def update_fee_item(
    db: Database, *, site: str, code: str, changes: Mapping[str, Any], now: datetime
) -> str:
    """Change some fields of a site's fee item and publish it again; returns its id.

    Charges already billed keep their amounts and due dates; the late-fee rule applies as of now
    to every charge of the item the counters hold (late fees are computed, never stored).

    Raises:
        ApiError: 400 ``bad_value`` (a figure out of range, a field that cannot change, nothing
            to change), 404 ``unknown_site`` / ``unknown_fee_item``.
    """
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown or not changes:
        raise ApiError(400, "bad_value", "name at least one of {fields} to change",
                       fields=", ".join(EDITABLE))  # fmt: skip
    at = iso(now)
    async with db.transaction() as tx:
        site_id = await tx.fetchval("SELECT id FROM sites WHERE code = ?", site)
        if site_id is None:
            raise ApiError(404, "unknown_site", "no site with code {site}", site=site)
        row = await tx.fetchrow(
            f"SELECT id, kind, {', '.join(EDITABLE)} FROM fee_items WHERE site_id = ?"
            " AND code = ?",
            site_id, code,
        )  # fmt: skip
        if row is None:
            raise ApiError(404, "unknown_fee_item", "the site has no fee item {item}", item=code)
        current = {key: row[key] for key in EDITABLE}
        item = NewFeeItem(site=site, code=code, kind=row["kind"], **{**current, **changes})
        item = _checked(item)
        await tx.execute(
            f"UPDATE fee_items SET {', '.join(f'{key} = ?' for key in EDITABLE)}, updated_at = ?"
            " WHERE id = ?",
            *(getattr(item, key) for key in EDITABLE), at, row["id"],
        )  # fmt: skip
        data = item.record(row["id"], site_id)
        await append_changes(tx, [(site_id, "fee_item", "upsert", row["id"], data, None, at)])
    return str(row["id"])


def _checked(item: NewFeeItem) -> NewFeeItem:
    """``item`` with its code and name trimmed, checked by :func:`check_fee_item` (shared with
    the standalone counter); a refusal is 400 ``bad_value`` with the rule's own message."""
    try:
        spec = check_fee_item(item)
    except FeeError as error:
        raise ApiError(400, "bad_value", error.message, **error.params) from None
    return replace(item, code=spec.code, name=spec.name)


def due_date(period: str, due_day: int) -> date:
    """The due date of a period's charge: ``due_day`` of that month, or its last day."""
    return period_due_date(BillPeriod.parse(period), due_day)


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
    """The run's charges from :func:`feetui.core.billing.plan_bill` (shared with the counter)."""
    items = await tx.fetch(
        "SELECT id, code, kind, rate_fen, due_day, scope, months_per_bill FROM fee_items"
        " WHERE site_id = ? ORDER BY code",
        site_id,
    )
    units = await tx.fetch(
        "SELECT u.id, u.code, u.area_centi_m2, (SELECT count(*) FROM vehicles v"
        " WHERE v.unit_id = u.id) AS vehicles FROM units u WHERE u.site_id = ? ORDER BY u.code",
        site_id,
    )
    plan = plan_bill(
        BillPeriod.parse(period),
        [PlanItem(i["id"], i["code"], i["kind"], int(i["rate_fen"]), int(i["months_per_bill"]),
                  int(i["due_day"]), i["scope"]) for i in items],
        [PlanUnit(u["id"], u["code"], int(u["area_centi_m2"]), int(u["vehicles"])) for u in units],
    )  # fmt: skip
    return [
        {
            "id": str(uuid.uuid4()),
            "unit_id": c.unit_id,
            "fee_item_id": c.fee_item_id,
            "period": c.period,
            "amount_fen": c.amount_fen,
            "source": "bill",
            "due_date": c.due_date.isoformat(),
            "period_start": c.period_start.isoformat(),
            "period_end": c.period_end.isoformat(),
        }
        for c in plan
    ]


__all__ = [
    "EDITABLE",
    "BillRun",
    "NewFeeItem",
    "add_fee_item",
    "bill_period",
    "due_date",
    "update_fee_item",
]
