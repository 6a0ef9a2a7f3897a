"""The monthly bill run of a standalone counter: the month's charges from its fee items, once.

The plan is :func:`feetui.core.billing.plan_bill`, the same function headquarters' ``sync-server
bill`` uses, over the active fee items and active units of each site: an item bills in the months
of its cycle (``months_per_bill``), due on its ``due_day``; by-area items bill every unit with an
area, fixed items every unit or, with ``scope`` ``vehicle`` (parking), every car. Metered fees are
billed when the reading is recorded (``record_meter_reading``) and one-off fees at the counter.

A period is billed once: the run and its "already billed?" check are one transaction, and a
period that has any bill charge of the site is not billed again. Every charge is a posted record
with its journal entry (kind ``charge``), so a counter that enrols later sends them to HQ. An
enrolled counter does not bill: headquarters bills it and the charges arrive by pull.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date
from typing import Any

from feetui.core.billing import BillPeriod, PlanItem, PlannedCharge, PlanUnit, plan_bill
from feetui.core.errors import N_, RuleError
from feetui.db.models import Charge, Device, FeeItem, Unit, Vehicle
from feetui.db.models.base import ChargeSource
from feetui.services.container import Services
from feetui.services.journal import append_journal
from feetui.services.posting import posting


@dataclass(frozen=True, slots=True)
class BillRun:
    """What a bill run wrote: the number of charges and their total, per fee item code."""

    period: str
    charges: int
    total_fen: int
    by_item: tuple[tuple[str, int, int], ...]
    """``(fee item code, charges, total fen)`` in code order."""


def parse_period(text: str) -> tuple[int, int]:
    """``(year, month)`` of ``YYYY-MM``.

    Raises:
        InputError: ``period_invalid``.
    """
    period = BillPeriod.parse(text)
    return period.year, period.month


async def bill_period(svc: Services, *, period: str) -> BillRun:
    """Bill every active unit of the counter's sites for ``period``, in one transaction.

    Raises:
        InputError: ``period_invalid``.
        RuleError: ``billing_by_hq`` on an enrolled counter, ``period_already_billed``.
    """
    billing = BillPeriod.parse(period)
    device = await Device.get(id=svc.device_id)
    if device.sync_token:
        raise RuleError(
            "billing_by_hq",
            N_("This counter is enrolled: headquarters bills it (sync-server bill)."),
        )
    async with posting() as conn:
        billed = Charge.filter(period=period, source=ChargeSource.BILL)
        if await billed.using_db(conn).exists():
            raise RuleError(
                "period_already_billed",
                N_("{period} is billed already: a period is billed once."),
                period=period,
            )
        rows = await _rows(svc, billing)
        for row in rows:
            await _post(conn, svc, row)
    return _summary(period, rows)


async def _rows(svc: Services, period: BillPeriod) -> list[dict[str, Any]]:
    """The charges of the run: :func:`plan_bill` per site over its active items and units."""
    items = await FeeItem.filter(active=True).order_by("code")
    units = await Unit.filter(active=True).order_by("code")
    cars = Counter(v.unit_id for v in await Vehicle.all())  # type: ignore[attr-defined]
    by_id = {item.id: item for item in items}
    units_by_id = {unit.id: unit for unit in units}
    rows = []
    for site_id in sorted({item.site_id for item in items}):  # type: ignore[attr-defined]
        plan = plan_bill(
            period,
            [_plan_item(i) for i in items if i.site_id == site_id],  # type: ignore[attr-defined]
            [
                PlanUnit(u.id, u.code, u.area_centi_m2, cars[u.id])
                for u in units
                if u.site_id == site_id  # type: ignore[attr-defined]
            ],
        )
        rows += [_row(svc, by_id[c.fee_item_id], units_by_id[c.unit_id], c) for c in plan]
    return rows


def _plan_item(item: FeeItem) -> PlanItem:
    return PlanItem(
        item.id, item.code, item.kind, item.rate_fen, item.months_per_bill, item.due_day, item.scope
    )


def _row(svc: Services, item: FeeItem, unit: Unit, charge: PlannedCharge) -> dict[str, Any]:
    return {
        "id": svc.ids.new_str(),
        "unit_id": unit.id,
        "unit_code": unit.code,
        "site_id": unit.site_id,  # type: ignore[attr-defined]
        "fee_item_id": item.id,
        "fee_item_code": item.code,
        "fee_item_name": item.name,
        "period": charge.period,
        "period_start": charge.period_start.isoformat(),
        "period_end": charge.period_end.isoformat(),
        "amount_fen": charge.amount_fen,
        "due_date": charge.due_date.isoformat(),
        "source": ChargeSource.BILL,
    }


async def _post(conn: Any, svc: Services, row: dict[str, Any]) -> None:
    """One charge and its journal entry."""
    now = svc.clock.now().astimezone(UTC)
    await Charge.create(
        using_db=conn,
        id=row["id"],
        unit_id=row["unit_id"],
        fee_item_id=row["fee_item_id"],
        period=row["period"],
        period_start=date.fromisoformat(row["period_start"]),
        period_end=date.fromisoformat(row["period_end"]),
        amount_fen=row["amount_fen"],
        due_date=date.fromisoformat(row["due_date"]),
        source=row["source"],
        origin_device_id=svc.device_id,
        created_at=now,
    )
    payload = {
        **row,
        "device_id": svc.device_id,
        "created_at": now.isoformat(),
        "business_date": now.astimezone(svc.tz).date().isoformat(),
    }
    await append_journal(
        conn,
        entry_id=svc.ids.new_str(),
        device_id=svc.device_id,
        kind="charge",
        record_id=row["id"],
        payload=payload,
        created_at=now,
    )


def _summary(period: str, rows: list[dict[str, Any]]) -> BillRun:
    by_item: dict[str, tuple[int, int]] = {}
    for row in rows:
        count, total = by_item.get(row["fee_item_code"], (0, 0))
        by_item[row["fee_item_code"]] = (count + 1, total + row["amount_fen"])
    return BillRun(
        period=period,
        charges=len(rows),
        total_fen=sum(row["amount_fen"] for row in rows),
        by_item=tuple((code, n, fen) for code, (n, fen) in sorted(by_item.items())),
    )


__all__ = ["BillRun", "bill_period", "parse_period"]
