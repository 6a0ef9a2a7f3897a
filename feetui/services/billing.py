"""The monthly bill run of a standalone counter: the month's charges from its fee items, once.

The amounts come from :mod:`feetui.core.fees`, the same rules headquarters' ``sync-server bill``
uses: by-area items bill every active unit with an area (area × rate, rounded once), fixed items
bill every active unit (rate × months of the item). Metered fees are billed when the reading is
recorded (``record_meter_reading``) and one-off fees at the counter, so the run skips them.

A period is billed once: the run and its "already billed?" check are one transaction, and a
period that has any bill charge of the site is not billed again. Every charge is a posted record
with its journal entry (kind ``charge``), so a counter that enrols later sends them to HQ. An
enrolled counter does not bill: headquarters bills it and the charges arrive by pull.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date
from typing import Any

from feetui.core.errors import N_, InputError, RuleError
from feetui.core.fees import FeeKind, charge_amount
from feetui.db.models import Charge, Device, FeeItem, Unit
from feetui.db.models.base import ChargeSource
from feetui.services.container import Services
from feetui.services.journal import append_journal
from feetui.services.posting import posting

DUE_DAY = 28
"""Day of the month a bill charge falls due (HQ's default ``due_day``)."""
_PERIOD = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


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
    found = _PERIOD.match((text or "").strip())
    if found is None:
        raise InputError(
            "period_invalid", N_("A period is written YYYY-MM, e.g. 2026-11."), period=text
        )
    return int(found.group(1)), int(found.group(2))


async def bill_period(svc: Services, *, period: str) -> BillRun:
    """Bill every active unit of the counter's sites for ``period``, in one transaction.

    Raises:
        InputError: ``period_invalid``.
        RuleError: ``billing_by_hq`` on an enrolled counter, ``period_already_billed``.
    """
    year, month = parse_period(period)
    due = date(year, month, DUE_DAY)
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
        rows = await _rows(svc, period, due)
        for row in rows:
            await _post(conn, svc, row)
    return _summary(period, rows)


async def _rows(svc: Services, period: str, due: date) -> list[dict[str, Any]]:
    """The charges of the run, one per (fee item, unit) that owes something."""
    items = await FeeItem.filter(active=True, kind__in=("area", "fixed")).order_by("code")
    units = await Unit.filter(active=True).order_by("code")
    rows = []
    for item in items:
        for unit in units:
            if unit.site_id != item.site_id:  # type: ignore[attr-defined]
                continue
            amount = charge_amount(
                FeeKind(item.kind),
                area_centi_m2=unit.area_centi_m2,
                rate_fen=item.rate_fen,
                months=max(item.months_per_bill, 1),
            )
            if amount.fen > 0:
                rows.append(_row(svc, item, unit, period, amount.fen, due))
    return rows


def _row(
    svc: Services, item: FeeItem, unit: Unit, period: str, amount_fen: int, due: date
) -> dict[str, Any]:
    return {
        "id": svc.ids.new_str(),
        "unit_id": unit.id,
        "unit_code": unit.code,
        "site_id": unit.site_id,  # type: ignore[attr-defined]
        "fee_item_id": item.id,
        "fee_item_code": item.code,
        "fee_item_name": item.name,
        "period": period,
        "amount_fen": amount_fen,
        "due_date": due.isoformat(),
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


__all__ = ["DUE_DAY", "BillRun", "bill_period", "parse_period"]
