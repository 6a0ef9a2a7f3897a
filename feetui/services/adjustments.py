"""Adjusting a charge with a supervisor's approval: a waiver (减免) or discount of part of what it
owes, or a waiver of its late fees. A new Adjustment row, never a change to the charge.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date
from typing import Any

from feetui.core.errors import N_, InputError, RuleError
from feetui.core.money import Money
from feetui.db.models import Adjustment, Unit
from feetui.db.models.base import AdjustmentKind
from feetui.db.queries.balances import get_charge_balance
from feetui.services.approval import check_supervisor, get_active_user
from feetui.services.container import Services
from feetui.services.journal import append_journal
from feetui.services.posting import (
    posting,
    replay,
    require_amount,
    require_open_shift,
    require_reason,
)

KIND = "adjustment"


@dataclass(frozen=True, slots=True)
class PostedAdjustment:
    """An adjustment as posted."""

    adjustment_id: str
    charge_id: str
    kind: str
    amount: Money
    reason: str
    supervisor_name: str
    business_date: date
    outstanding_after: Money

    @classmethod
    def from_payload(cls, p: dict[str, Any]) -> PostedAdjustment:
        """Rebuild from an ``adjustment`` payload."""
        return cls(
            adjustment_id=p["id"],
            charge_id=p["charge_id"],
            kind=p["kind"],
            amount=Money(p["amount_fen"]),
            reason=p["reason"],
            supervisor_name=p["approver_name"],
            business_date=date.fromisoformat(p["business_date"]),
            outstanding_after=Money(p["outstanding_after_fen"]),
        )


async def adjust_charge(
    svc: Services,
    *,
    adjustment_id: str,
    charge_id: str,
    kind: str,
    amount: Money,
    reason: str,
    requested_by_id: str,
    supervisor_code: str,
    supervisor_pin: str,
) -> PostedAdjustment:
    """Waive or discount part of a charge, or waive its late fees, with a supervisor's approval.

    A waiver or discount is at most what the charge still owes; a late-fee waiver is at most the
    late fee not yet posted as of the shift's business date.

    Raises:
        InputError: amount checks, ``adjustment_kind_unknown``, ``reason_required``,
            ``charge_unknown``.
        RuleError: ``no_open_shift``, ``adjustment_above_outstanding``.
        PermissionError_: ``pin_wrong``, ``supervisor_required``, ``user_unknown``.
    """
    require_amount(amount, ceiling=Money(svc.settings.amount_ceiling_fen))
    if kind not in AdjustmentKind.ALL:
        raise InputError(
            "adjustment_kind_unknown", N_("Choose a waiver, a discount or a late-fee waiver.")
        )
    why = require_reason(reason)
    supervisor = await check_supervisor(code=supervisor_code, pin=supervisor_pin)
    async with posting() as conn:
        first = await replay(adjustment_id, KIND)
        if first is not None:
            return PostedAdjustment.from_payload(first)
        shift = await require_open_shift(svc.device_id)
        requester = await get_active_user(requested_by_id)
        balance = await get_charge_balance(charge_id)
        if balance is None:
            raise InputError(
                "charge_unknown",
                N_("A chosen charge is not one of this unit's: reload the bill and try again."),
            )
        is_late = kind == AdjustmentKind.LATE_FEE_WAIVER
        room = balance.late_fee_as_of(shift.business_date) if is_late else balance.outstanding
        if amount > room:
            raise RuleError(
                "adjustment_above_outstanding",
                N_("At most ¥{limit} can be taken off this charge."),
                limit=max(room, Money(0)).yuan_text(grouping=True),
            )
        now = svc.clock.now().astimezone(UTC)
        payload = {
            "id": adjustment_id,
            "device_id": svc.device_id,
            "shift_id": shift.shift_id,
            "business_date": shift.business_date.isoformat(),
            "created_at": now.isoformat(),
            "charge_id": charge_id,
            "unit_id": balance.unit_id,
            "site_id": await _site_of(balance.unit_id),
            "kind": kind,
            "amount_fen": amount.fen,
            "reason": why,
            "requested_by_id": requester.id,
            "approver_id": supervisor.id,
            "approver_name": supervisor.name,
            "outstanding_after_fen": (balance.outstanding - (Money(0) if is_late else amount)).fen,
        }
        await Adjustment.create(
            using_db=conn,
            id=adjustment_id,
            charge_id=charge_id,
            kind=kind,
            amount_fen=amount.fen,
            reason=why,
            approver_id=supervisor.id,
            requested_by_id=requester.id,
            device_id=svc.device_id,
            shift_id=shift.shift_id,
            business_date=shift.business_date,
            created_at=now,
        )
        await append_journal(
            conn,
            entry_id=svc.ids.new_str(),
            device_id=svc.device_id,
            kind=KIND,
            record_id=adjustment_id,
            payload=payload,
            created_at=now,
        )
    return PostedAdjustment.from_payload(payload)


async def _site_of(unit_id: str) -> str:
    sites = await Unit.filter(id=unit_id).values_list("site_id", flat=True)
    return str(sites[0])


__all__ = ["KIND", "PostedAdjustment", "adjust_charge"]
