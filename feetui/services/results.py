"""Frozen results of the posting use cases: what the screen shows and the receipt prints.

A posted payment is rebuilt from its journal payload (:meth:`PostedPayment.from_payload`), both
right after posting and when the same payment id is posted again, so a replay answers exactly what
the first call answered (R4).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from feetui.core.money import Money, total


@dataclass(frozen=True, slots=True)
class TenderInput:
    """One way the payer pays, as the cashier entered it.

    Attributes:
        method: ``cash``, ``card``, ``wechat``, ``alipay``, ``bank``, ``cheque`` or ``prepaid``.
        amount: what this tender pays toward the payment (net of change).
        tendered: what was handed over; cash may exceed ``amount`` (the rest is change). ``None``
            means exactly ``amount``.
        reference: card terminal or platform reference; a scanned payment code is stored masked.
    """

    method: str
    amount: Money
    tendered: Money | None = None
    reference: str = ""


@dataclass(frozen=True, slots=True)
class ReceiptLine:
    """Part of a payment applied to one charge, as the receipt shows it."""

    charge_id: str
    fee_item_name: str
    period: str
    amount: Money


@dataclass(frozen=True, slots=True)
class PaidTender:
    """A tender as posted (reference already masked)."""

    method: str
    amount: Money
    tendered: Money
    change: Money
    reference: str


@dataclass(frozen=True, slots=True)
class PostedPayment:
    """A payment as posted: everything its receipt needs.

    ``Σ lines + Σ late_fees + prepaid_credit = Σ tenders.amount = total + prepaid_used``.
    """

    payment_id: str
    receipt_no: str
    unit_id: str
    unit_code: str
    payer_name: str
    cashier_id: str
    cashier_name: str
    shift_id: str
    business_date: date
    created_at: datetime
    lines: tuple[ReceiptLine, ...]
    late_fees: tuple[ReceiptLine, ...]
    tenders: tuple[PaidTender, ...]
    total: Money
    """Money received, net of change (prepaid balance used not included)."""
    change: Money
    prepaid_credit: Money
    prepaid_used: Money
    prepaid_balance_after: Money

    @property
    def tendered_total(self) -> Money:
        """What the tenders paid, prepaid included: the receipt's total."""
        return total(t.amount for t in self.tenders)

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> PostedPayment:
        """Rebuild the result from the payment's journal payload."""
        lines = [_line(a) for a in payload["allocations"] if not a["is_late_fee"]]
        late = [_line(a) for a in payload["allocations"] if a["is_late_fee"]]
        return cls(
            payment_id=payload["id"],
            receipt_no=payload["receipt_no"],
            unit_id=payload["unit_id"],
            unit_code=payload["unit_code"],
            payer_name=payload["payer_name"],
            cashier_id=payload["cashier_id"],
            cashier_name=payload["cashier_name"],
            shift_id=payload["shift_id"],
            business_date=date.fromisoformat(payload["business_date"]),
            created_at=datetime.fromisoformat(payload["created_at"]),
            lines=tuple(lines),
            late_fees=tuple(late),
            tenders=tuple(_tender(t) for t in payload["tenders"]),
            total=Money(payload["total_fen"]),
            change=Money(payload["change_fen"]),
            prepaid_credit=Money(payload["prepaid_credit_fen"]),
            prepaid_used=Money(payload["prepaid_used_fen"]),
            prepaid_balance_after=Money(payload["prepaid_balance_after_fen"]),
        )


def _line(row: dict[str, Any]) -> ReceiptLine:
    return ReceiptLine(
        row["charge_id"], row["fee_item_name"], row["period"], Money(row["amount_fen"])
    )


def _tender(row: dict[str, Any]) -> PaidTender:
    return PaidTender(
        method=row["method"],
        amount=Money(row["amount_fen"]),
        tendered=Money(row["tendered_fen"]),
        change=Money(row["change_fen"]),
        reference=row["reference"],
    )


__all__ = ["PaidTender", "PostedPayment", "ReceiptLine", "TenderInput"]
