"""Voiding a payment (作废/红冲) with a supervisor's approval: never an edit, always new rows.

The void writes a :class:`~feetui.db.models.Void` row, a negative tender for each tender (in the
void's shift, so that shift's cash arithmetic stays a plain sum), a negative allocation for each
allocation (the charges owe again), prepaid entries undoing the payment's credit and spend, and a
void-slip number from the device's receipt series, all with its journal entry in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from feetui.core.errors import N_, InputError, RuleError
from feetui.core.money import Money
from feetui.db.models import (
    Allocation,
    Payment,
    PrepaidEntry,
    ReceiptNumber,
    Tender,
    Unit,
    Void,
)
from feetui.db.models.base import PrepaidKind
from feetui.db.queries.balances import get_prepaid_balance
from feetui.services.approval import check_supervisor, get_active_user
from feetui.services.container import Services
from feetui.services.journal import append_journal
from feetui.services.posting import (
    issue_receipt_number,
    posting,
    replay,
    require_open_shift,
    require_reason,
)
from feetui.services.results import PaidTender, ReceiptLine

KIND = "void"


@dataclass(frozen=True, slots=True)
class PostedVoid:
    """A void as posted: what its slip prints. Amounts are what was voided (positive)."""

    void_id: str
    receipt_no: str
    """The void slip's own number."""
    payment_id: str
    payment_receipt_no: str
    unit_code: str
    payer_name: str
    reason: str
    cashier_name: str
    supervisor_name: str
    shift_id: str
    business_date: date
    created_at: datetime
    lines: tuple[ReceiptLine, ...]
    tenders: tuple[PaidTender, ...]
    """How the money went back, per method."""
    total: Money
    """Money given back (the payment's total; prepaid balance used goes back to the balance)."""
    prepaid_balance_after: Money

    @classmethod
    def from_payload(cls, p: dict[str, Any]) -> PostedVoid:
        """Rebuild the result from the void's journal payload."""
        return cls(
            void_id=p["id"],
            receipt_no=p["receipt_no"],
            payment_id=p["payment_id"],
            payment_receipt_no=p["payment_receipt_no"],
            unit_code=p["unit_code"],
            payer_name=p["payer_name"],
            reason=p["reason"],
            cashier_name=p["cashier_name"],
            supervisor_name=p["approver_name"],
            shift_id=p["shift_id"],
            business_date=date.fromisoformat(p["business_date"]),
            created_at=datetime.fromisoformat(p["created_at"]),
            lines=tuple(
                ReceiptLine(
                    a["charge_id"], a["fee_item_name"], a["period"], Money(-a["amount_fen"])
                )
                for a in p["allocations"]
            ),
            tenders=tuple(
                PaidTender(
                    t["method"],
                    Money(-t["amount_fen"]),
                    Money(-t["tendered_fen"]),
                    Money(0),
                    t["reference"],
                )
                for t in p["tenders"]
            ),
            total=Money(p["total_fen"]),
            prepaid_balance_after=Money(p["prepaid_balance_after_fen"]),
        )


async def void_payment(
    svc: Services,
    *,
    void_id: str,
    payment_id: str,
    cashier_id: str,
    supervisor_code: str,
    supervisor_pin: str,
    reason: str,
) -> PostedVoid:
    """Void a payment by reversal, approved by a supervisor.

    Args:
        svc: the services context.
        void_id: the void's id, made before posting (a retry passes the same id).
        payment_id: the payment to void.
        cashier_id: the signed-in cashier who voids it.
        supervisor_code: the approving supervisor's code.
        supervisor_pin: their PIN.
        reason: why (required).

    Returns:
        The posted void (the first one when ``void_id`` was posted before).

    Raises:
        InputError: ``reason_required``, ``reason_too_long``, ``payment_unknown``.
        PermissionError_: ``pin_wrong``, ``supervisor_required``, ``user_unknown``.
        RuleError: ``no_open_shift``, ``already_void``, ``prepaid_already_spent``,
            ``receipt_series_exhausted``.
        StorageError: the database refused.
    """
    why = require_reason(reason)
    supervisor = await check_supervisor(code=supervisor_code, pin=supervisor_pin)
    async with posting() as conn:
        first = await replay(void_id, KIND)
        if first is not None:
            return PostedVoid.from_payload(first)
        shift = await require_open_shift(svc.device_id)
        cashier = await get_active_user(cashier_id)
        payment = await _voidable(payment_id)
        unit = await Unit.get(id=payment.unit_id)  # type: ignore[attr-defined]
        before = await get_prepaid_balance(unit.id)
        now = svc.clock.now().astimezone(UTC)
        payload = {
            "id": void_id,
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
            "payment_id": payment.id,
            "payment_receipt_no": payment.receipt_no,
            "unit_id": unit.id,
            "unit_code": unit.code,
            "payer_name": payment.payer_name,
            "total_fen": payment.total_fen,
            **await _reversals(svc, payment),
            **_slip(svc, await issue_receipt_number(svc.device_id)),
        }
        await _write_rows(conn, payload, now)
        payload["prepaid_balance_after_fen"] = (await _balance_after(unit.id, before)).fen
        await append_journal(
            conn,
            entry_id=svc.ids.new_str(),
            device_id=svc.device_id,
            kind=KIND,
            record_id=void_id,
            payload=payload,
            created_at=now,
        )
    return PostedVoid.from_payload(payload)


async def _balance_after(unit_id: str, before: Money) -> Money:
    """The unit's prepaid balance with the reversal rows written (still inside the transaction).

    The void is refused (and its rows rolled back) when it takes the balance below zero: the
    credit it would take back was already spent or refunded. Undoing an overpayment of a charge
    (R13) lowers the balance too, which is why this reads the balance rather than adding up the
    reversed entries. A balance already negative (two counters spent it offline) does not block a
    void that does not lower it.
    """
    after = await get_prepaid_balance(unit_id)
    if after < before and after.is_negative:
        raise RuleError(
            "prepaid_already_spent",
            N_("The prepaid balance this payment added is already spent: void that use first."),
        )
    return after


async def _voidable(payment_id: str) -> Payment:
    payment = await Payment.get_or_none(id=payment_id)
    if payment is None:
        raise InputError("payment_unknown", N_("This payment is unknown: look it up again."))
    done = await Void.get_or_none(payment_id=payment_id)
    if done is not None:
        raise RuleError(
            "already_void",
            N_("Receipt {receipt_no} is already void."),
            receipt_no=payment.receipt_no,
        )
    return payment


async def _reversals(svc: Services, payment: Payment) -> dict[str, Any]:
    """The negative tenders, allocations and prepaid entries that undo ``payment``."""
    tenders = await Tender.filter(payment_id=payment.id, void_id=None).order_by("id")
    allocations = (
        await Allocation.filter(payment_id=payment.id, void_id=None)
        .order_by("id")
        .prefetch_related("charge__fee_item")
    )
    entries = await PrepaidEntry.filter(payment_id=payment.id, void_id=None).order_by("id")
    prepaid = [
        {"id": svc.ids.new_str(), "kind": PrepaidKind.VOID, "amount_fen": -e.amount_fen}
        for e in entries
    ]
    return {
        "tenders": [_tender(svc, t) for t in tenders],
        "allocations": [_allocation(svc, a) for a in allocations],
        "prepaid_entries": prepaid,
        "prepaid_balance_after_fen": 0,  # set from the written rows, see _balance_after
    }


def _tender(svc: Services, tender: Tender) -> dict[str, Any]:
    """Money going back the way it came: the amount kept, not what was handed over."""
    return {
        "id": svc.ids.new_str(),
        "method": tender.method,
        "amount_fen": -tender.amount_fen,
        "tendered_fen": -tender.amount_fen,
        "change_fen": 0,
        "reference": tender.reference,
        "reverses_id": tender.id,
    }


def _allocation(svc: Services, allocation: Allocation) -> dict[str, Any]:
    charge = allocation.charge
    return {
        "id": svc.ids.new_str(),
        "charge_id": charge.id,
        "amount_fen": -allocation.amount_fen,
        "fee_item_name": charge.fee_item.name,
        "period": charge.period,
        "reverses_id": allocation.id,
    }


def _slip(svc: Services, receipt: Any) -> dict[str, Any]:
    return {
        "receipt_no": receipt.text,
        "receipt_series_id": receipt.series_id,
        "receipt_number": receipt.number,
        "receipt_number_id": svc.ids.new_str(),
    }


async def _write_rows(conn: BaseDBAsyncClient, p: dict[str, Any], now: datetime) -> None:
    """Write the void, its reversal rows and its slip number (the journal entry comes after)."""
    void_id, payment_id = p["id"], p["payment_id"]
    await Void.create(
        using_db=conn,
        id=void_id,
        payment_id=payment_id,
        reason=p["reason"],
        approver_id=p["approver_id"],
        cashier_id=p["cashier_id"],
        device_id=p["device_id"],
        shift_id=p["shift_id"],
        business_date=date.fromisoformat(p["business_date"]),
        created_at=now,
        receipt_no=p["receipt_no"],
    )
    common = {"payment_id": payment_id, "void_id": void_id}
    await Tender.bulk_create(
        [Tender(**common, shift_id=p["shift_id"], **_columns(t)) for t in p["tenders"]],
        using_db=conn,
    )
    if p["allocations"]:
        await Allocation.bulk_create(
            [
                Allocation(
                    **common, id=a["id"], charge_id=a["charge_id"], amount_fen=a["amount_fen"]
                )
                for a in p["allocations"]
            ],
            using_db=conn,
        )
    if p["prepaid_entries"]:
        await PrepaidEntry.bulk_create(
            [
                PrepaidEntry(**common, unit_id=p["unit_id"], created_at=now, **e)
                for e in p["prepaid_entries"]
            ],
            using_db=conn,
        )
    await ReceiptNumber.create(
        using_db=conn,
        id=p["receipt_number_id"],
        series_id=p["receipt_series_id"],
        number=p["receipt_number"],
        text=p["receipt_no"],
        void_id=void_id,
    )


def _columns(row: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in row.items() if key != "reverses_id"}


__all__ = ["KIND", "PostedVoid", "void_payment"]
