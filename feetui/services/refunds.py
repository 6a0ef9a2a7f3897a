"""Refunding prepaid balance (退预存) to the payer, approved by a supervisor.

A refund never takes the balance below zero. Cash refunds leave the drawer of the shift they are
made in (the shift report's "cash refunds").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from feetui.core.allocation import spend_prepaid
from feetui.core.errors import N_, InputError
from feetui.core.money import Money
from feetui.db.models import PrepaidEntry, Refund, Unit
from feetui.db.models.base import PrepaidKind, TenderMethod
from feetui.db.queries.balances import get_prepaid_balance
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

KIND = "refund"
REFUND_METHODS = tuple(m for m in TenderMethod.ALL if m != TenderMethod.PREPAID)


@dataclass(frozen=True, slots=True)
class PostedRefund:
    """A refund as posted."""

    refund_id: str
    unit_id: str
    unit_code: str
    amount: Money
    method: str
    reason: str
    cashier_name: str
    supervisor_name: str
    shift_id: str
    business_date: date
    created_at: datetime
    prepaid_balance_after: Money

    @classmethod
    def from_payload(cls, p: dict[str, Any]) -> PostedRefund:
        """Rebuild the result from the refund's journal payload."""
        return cls(
            refund_id=p["id"],
            unit_id=p["unit_id"],
            unit_code=p["unit_code"],
            amount=Money(p["amount_fen"]),
            method=p["method"],
            reason=p["reason"],
            cashier_name=p["cashier_name"],
            supervisor_name=p["approver_name"],
            shift_id=p["shift_id"],
            business_date=date.fromisoformat(p["business_date"]),
            created_at=datetime.fromisoformat(p["created_at"]),
            prepaid_balance_after=Money(p["prepaid_balance_after_fen"]),
        )


async def refund_prepaid(
    svc: Services,
    *,
    refund_id: str,
    unit_id: str,
    amount: Money,
    method: str,
    cashier_id: str,
    supervisor_code: str,
    supervisor_pin: str,
    reason: str,
) -> PostedRefund:
    """Pay part or all of a unit's prepaid balance back, approved by a supervisor.

    Raises:
        InputError: amount checks, ``refund_method_invalid``, ``reason_required``,
            ``unit_unknown``.
        PermissionError_: ``pin_wrong``, ``supervisor_required``, ``user_unknown``.
        RuleError: ``no_open_shift``, ``prepaid_insufficient``.
        StorageError: the database refused.
    """
    require_amount(amount, ceiling=Money(svc.settings.amount_ceiling_fen))
    if method not in REFUND_METHODS:
        raise InputError(
            "refund_method_invalid",
            N_("A refund is paid in cash, by card, bank transfer, cheque, WeChat or Alipay."),
        )
    why = require_reason(reason)
    supervisor = await check_supervisor(code=supervisor_code, pin=supervisor_pin)
    async with posting() as conn:
        first = await replay(refund_id, KIND)
        if first is not None:
            return PostedRefund.from_payload(first)
        shift = await require_open_shift(svc.device_id)
        cashier = await get_active_user(cashier_id)
        unit = await Unit.get_or_none(id=unit_id)
        if unit is None:
            raise InputError("unit_unknown", N_("This unit is unknown: search for it again."))
        after = spend_prepaid(await get_prepaid_balance(unit_id), amount)
        now = svc.clock.now().astimezone(UTC)
        payload = {
            "id": refund_id,
            "device_id": svc.device_id,
            "site_id": unit.site_id,  # type: ignore[attr-defined]
            "shift_id": shift.shift_id,
            "business_date": shift.business_date.isoformat(),
            "created_at": now.isoformat(),
            "cashier_id": cashier.id,
            "cashier_name": cashier.name,
            "approver_id": supervisor.id,
            "approver_name": supervisor.name,
            "reason": why,
            "unit_id": unit.id,
            "unit_code": unit.code,
            "amount_fen": amount.fen,
            "method": method,
            "prepaid_entry_id": svc.ids.new_str(),
            "prepaid_balance_after_fen": after.fen,
        }
        await Refund.create(
            using_db=conn,
            id=refund_id,
            unit_id=unit.id,
            amount_fen=amount.fen,
            method=method,
            reason=why,
            approver_id=supervisor.id,
            cashier_id=cashier.id,
            device_id=svc.device_id,
            shift_id=shift.shift_id,
            business_date=shift.business_date,
            created_at=now,
        )
        await PrepaidEntry.create(
            using_db=conn,
            id=payload["prepaid_entry_id"],
            unit_id=unit.id,
            amount_fen=-amount.fen,
            kind=PrepaidKind.REFUND,
            refund_id=refund_id,
            created_at=now,
        )
        await append_journal(
            conn,
            entry_id=svc.ids.new_str(),
            device_id=svc.device_id,
            kind=KIND,
            record_id=refund_id,
            payload=payload,
            created_at=now,
        )
    return PostedRefund.from_payload(payload)


__all__ = ["KIND", "REFUND_METHODS", "PostedRefund", "refund_prepaid"]
