"""Charges made at the counter: a one-off charge, and a meter reading billed as usage. Each one
transaction with its journal entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from feetui.core.errors import N_, InputError
from feetui.core.fees import FeeKind, meter_usage, metered_fee
from feetui.core.money import Money
from feetui.db.models import Charge, FeeItem, MeterReading, Unit
from feetui.db.models.base import ChargeSource
from feetui.services.approval import get_active_user
from feetui.services.container import Services
from feetui.services.journal import append_journal
from feetui.services.posting import posting, replay, require_amount, require_open_shift

MAX_LABEL = 32


@dataclass(frozen=True, slots=True)
class PostedCharge:
    """A charge as posted at the counter (one-off, or the usage of a meter reading)."""

    charge_id: str
    unit_id: str
    unit_code: str
    fee_item_id: str
    fee_item_name: str
    period: str
    amount: Money
    due_date: date
    source: str
    created_at: datetime
    usage_centi: int | None = None
    """For a meter reading: the usage billed, in hundredths of a unit."""

    @classmethod
    def from_payload(cls, p: dict[str, Any]) -> PostedCharge:
        """Rebuild from a ``charge`` payload or the ``charge`` of a ``meter_reading`` payload."""
        charge = p.get("charge", p)
        return cls(
            charge_id=charge["id"],
            unit_id=charge["unit_id"],
            unit_code=p["unit_code"],
            fee_item_id=charge["fee_item_id"],
            fee_item_name=p["fee_item_name"],
            period=charge["period"],
            amount=Money(charge["amount_fen"]),
            due_date=date.fromisoformat(charge["due_date"]),
            source=charge["source"],
            created_at=datetime.fromisoformat(p["created_at"]),
            usage_centi=p.get("usage_centi"),
        )


async def _unit_and_item(unit_id: str, fee_item_id: str, kind: FeeKind) -> tuple[Unit, FeeItem]:
    unit = await Unit.get_or_none(id=unit_id)
    if unit is None:
        raise InputError("unit_unknown", N_("This unit is unknown: search for it again."))
    item = await FeeItem.get_or_none(id=fee_item_id, active=True)
    if item is None or item.kind != kind or item.site_id != unit.site_id:  # type: ignore[attr-defined]
        raise InputError(
            "fee_item_invalid", N_("This fee item cannot be used here: choose another one.")
        )
    return unit, item


def _charge_row(
    svc: Services, charge_id: str, unit: Unit, item: FeeItem, **fields: Any
) -> dict[str, Any]:
    return {
        "id": charge_id,
        "unit_id": unit.id,
        "fee_item_id": item.id,
        "parent_id": None,
        "origin_device_id": svc.device_id,
        **fields,
    }


async def _write_charge(conn: BaseDBAsyncClient, row: dict[str, Any], now: datetime) -> None:
    values = {**row, "due_date": date.fromisoformat(row["due_date"])}
    await Charge.create(using_db=conn, created_at=now, **values)


def _label(text: str) -> str:
    label = (text or "").strip()
    if not label or len(label) > MAX_LABEL:
        raise InputError(
            "period_invalid",
            N_("Name the period or purpose in 1 to {limit} characters."),
            limit=MAX_LABEL,
        )
    return label


async def add_one_off_charge(
    svc: Services,
    *,
    charge_id: str,
    unit_id: str,
    fee_item_id: str,
    cashier_id: str,
    amount: Money | None = None,
    period: str = "",
    note: str = "",
    due_date: date | None = None,
) -> PostedCharge:
    """Add a one-off charge (card replacement, waste removal ...) to a unit.

    Args:
        svc: the services context.
        charge_id: the new charge's id, made before posting.
        unit_id: the unit charged.
        fee_item_id: a one-off fee item of the unit's site.
        cashier_id: who adds it.
        amount: the price; the fee item's rate when ``None``.
        period: what it is for, shown on the receipt; the business date when empty.
        note: free text kept with the charge.
        due_date: when it falls due; the shift's business date when ``None``.

    Raises:
        InputError: amount checks, ``unit_unknown``, ``fee_item_invalid``, ``period_invalid``.
        RuleError: ``no_open_shift``.
        PermissionError_: ``user_unknown``.
    """
    async with posting() as conn:
        first = await replay(charge_id, "charge")
        if first is not None:
            return PostedCharge.from_payload(first)
        shift = await require_open_shift(svc.device_id)
        cashier = await get_active_user(cashier_id)
        unit, item = await _unit_and_item(unit_id, fee_item_id, FeeKind.ONE_OFF)
        price = require_amount(
            Money(item.rate_fen) if amount is None else amount,
            ceiling=Money(svc.settings.amount_ceiling_fen),
        )
        now = svc.clock.now().astimezone(UTC)
        row = _charge_row(
            svc, charge_id, unit, item,
            period=_label(period or shift.business_date.isoformat()),
            period_start=None, period_end=None,
            amount_fen=price.fen,
            due_date=(due_date or shift.business_date).isoformat(),
            source=ChargeSource.ONE_OFF,
            note=(note or "").strip()[:200],
        )  # fmt: skip
        payload = {
            **row,
            "site_id": unit.site_id,  # type: ignore[attr-defined]
            "device_id": svc.device_id,
            "shift_id": shift.shift_id,
            "business_date": shift.business_date.isoformat(),
            "created_at": now.isoformat(),
            "cashier_id": cashier.id,
            "unit_code": unit.code,
            "fee_item_name": item.name,
        }
        await _write_charge(conn, row, now)
        await append_journal(
            conn,
            entry_id=svc.ids.new_str(),
            device_id=svc.device_id,
            kind="charge",
            record_id=charge_id,
            payload=payload,
            created_at=now,
        )
    return PostedCharge.from_payload(payload)


async def _previous_reading(unit_id: str, fee_item_id: str, meter_no: str) -> int | None:
    last = (
        await MeterReading.filter(unit_id=unit_id, fee_item_id=fee_item_id, meter_no=meter_no)
        .order_by("-read_on", "-created_at")
        .first()
    )
    return None if last is None else last.current_centi


async def record_meter_reading(
    svc: Services,
    *,
    reading_id: str,
    charge_id: str,
    unit_id: str,
    fee_item_id: str,
    recorded_by_id: str,
    read_on: date,
    current_centi: int,
    previous_centi: int | None = None,
    rollover_centi: int | None = None,
    meter_no: str = "",
    period: str = "",
    due_date: date | None = None,
) -> PostedCharge:
    """Record a meter reading and bill its usage as a charge.

    Args:
        svc: the services context.
        reading_id: the reading's id, made before posting.
        charge_id: the id of the usage charge it bills.
        unit_id: the unit of the meter.
        fee_item_id: a metered fee item (its rate is the price of one unit of usage).
        recorded_by_id: who read it.
        read_on: the day it was read.
        current_centi: the reading, in hundredths of a unit.
        previous_centi: the earlier reading; the last recorded one of this meter when ``None``.
        rollover_centi: where the meter wraps to zero (``None``: it does not wrap).
        meter_no: the meter's number, when a unit has several meters of one item.
        period: the billed period; ``YYYY-MM`` of ``read_on`` when empty.
        due_date: when the charge falls due; ``read_on`` when ``None``.

    Raises:
        InputError: ``unit_unknown``, ``fee_item_invalid``, ``previous_reading_required``,
            ``meter_reading_invalid``, ``period_invalid``.
        RuleError: ``meter_went_backwards``.
        PermissionError_: ``user_unknown``.
    """
    async with posting() as conn:
        first = await replay(reading_id, "meter_reading")
        if first is not None:
            return PostedCharge.from_payload(first)
        user = await get_active_user(recorded_by_id)
        unit, item = await _unit_and_item(unit_id, fee_item_id, FeeKind.METERED)
        meter = (meter_no or "").strip()[:32]
        previous = previous_centi
        if previous is None:
            previous = await _previous_reading(unit_id, fee_item_id, meter)
        if previous is None:
            raise InputError(
                "previous_reading_required",
                N_("This meter has no earlier reading: enter the previous reading too."),
            )
        usage = meter_usage(
            previous_centi=previous, current_centi=current_centi, rollover_centi=rollover_centi
        )
        amount = metered_fee(usage_centi=usage, unit_price_fen=item.rate_fen)
        now = svc.clock.now().astimezone(UTC)
        charge = _charge_row(
            svc, charge_id, unit, item,
            period=_label(period or read_on.strftime("%Y-%m")),
            period_start=None, period_end=None,
            amount_fen=amount.fen,
            due_date=(due_date or read_on).isoformat(),
            source=ChargeSource.METER,
            note="",
        )  # fmt: skip
        payload = {
            "id": reading_id,
            "site_id": unit.site_id,  # type: ignore[attr-defined]
            "device_id": svc.device_id,
            "created_at": now.isoformat(),
            "recorded_by_id": user.id,
            "unit_id": unit.id,
            "unit_code": unit.code,
            "fee_item_id": item.id,
            "fee_item_name": item.name,
            "meter_no": meter,
            "read_on": read_on.isoformat(),
            "previous_centi": previous,
            "current_centi": current_centi,
            "rollover_centi": rollover_centi or 0,
            "usage_centi": usage,
            "unit_price_fen": item.rate_fen,
            "charge": charge,
        }
        await _write_charge(conn, charge, now)
        await MeterReading.create(
            using_db=conn,
            id=reading_id,
            unit_id=unit.id,
            fee_item_id=item.id,
            meter_no=meter,
            read_on=read_on,
            previous_centi=previous,
            current_centi=current_centi,
            rollover_centi=rollover_centi or 0,
            usage_centi=usage,
            charge_id=charge_id,
            recorded_by_id=user.id,
            device_id=svc.device_id,
            created_at=now,
        )
        await append_journal(
            conn,
            entry_id=svc.ids.new_str(),
            device_id=svc.device_id,
            kind="meter_reading",
            record_id=reading_id,
            payload=payload,
            created_at=now,
        )
    return PostedCharge.from_payload(payload)


__all__ = [
    "PostedCharge",
    "add_one_off_charge",
    "record_meter_reading",
]
