"""Taking a payment (收款): one transaction writes the payment, its tenders, allocations, late-fee
charges, prepaid entries, receipt number, journal entry and outbox row, or none of them (R1).

The payment id is made by the caller before posting. Posting the same id again (a double Enter,
two tasks at once) returns the first payment and writes nothing (R4): the transaction reads the
journal first, and on SQLite every transaction of the app runs one after the other.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from feetui.core.allocation import spend_prepaid
from feetui.core.errors import N_, InputError, PermissionError_
from feetui.core.money import Money
from feetui.db.models.base import ChargeSource, PrepaidKind
from feetui.db.queries.balances import ChargeBalance, list_charge_balances
from feetui.db.queries.posting import NextReceipt, OpenShift, UnitCard, get_posting_context
from feetui.db.writes import insert_rows
from feetui.services.container import Services
from feetui.services.journal import append_journal
from feetui.services.payment_plan import (
    LATE_PREFIX,
    PaymentPlan,
    check_tenders,
    plan_payment,
)
from feetui.services.posting import (
    posting,
    receipt_or_refuse,
    replay,
    require_amount,
    shift_or_refuse,
)
from feetui.services.results import PostedPayment, TenderInput

KIND = "payment"
MAX_PAYER = 100


async def take_payment(
    svc: Services,
    *,
    payment_id: str,
    unit_id: str,
    cashier_id: str,
    tenders: Sequence[TenderInput],
    charge_ids: Sequence[str] | None = None,
    amount_to_charges: Money | None = None,
    overpay_to_prepaid: bool = False,
    payer_name: str = "",
) -> PostedPayment:
    """Post a payment of a unit's charges, in the device's open shift.

    Args:
        svc: the services context.
        payment_id: the payment's id, made before posting (a retry passes the same id).
        unit_id: the paying unit.
        cashier_id: the signed-in cashier.
        tenders: how the payer pays (several for a split).
        charge_ids: the charges to pay, in paying order; every charge of the unit that owes
            something, oldest due first, when ``None``.
        amount_to_charges: how much goes to the charges; everything the chosen charges owe,
            late fees as of the shift's business date included, when ``None``.
        overpay_to_prepaid: tenders above ``amount_to_charges`` become prepaid balance.
        payer_name: who paid; the unit's owner when empty.

    Returns:
        The posted payment (the first one when ``payment_id`` was posted before).

    Raises:
        InputError: bad tenders or amounts, unknown unit or charges (nothing is written).
        RuleError: ``no_open_shift``, ``amount_above_due``, ``tender_short``, ``overpaid``,
            ``nothing_owed``, ``prepaid_insufficient``, ``receipt_series_exhausted``.
        PermissionError_: ``user_unknown`` for a cashier who is unknown or disabled.
        StorageError: ``storage_full`` / ``storage_error``: the disk or database refused.
    """
    ceiling = Money(svc.settings.amount_ceiling_fen)
    checked = check_tenders(tenders, ceiling=ceiling)
    if amount_to_charges is not None:
        require_amount(amount_to_charges, ceiling=ceiling, allow_zero=True)
    payer = _check_payer(payer_name)
    async with posting() as conn:
        first = await replay(payment_id, KIND)
        if first is not None:
            return PostedPayment.from_payload(first)
        known = await get_posting_context(
            device_id=svc.device_id, unit_id=unit_id, user_id=cashier_id
        )
        shift = shift_or_refuse(known.shift)
        cashier_name = _cashier_name(known.user_name)
        unit = _unit_or_refuse(known.unit)
        selected = await _selected_charges(unit_id, charge_ids)
        plan = plan_payment(
            selected=selected,
            tenders=checked,
            as_of=shift.business_date,
            amount_to_charges=amount_to_charges,
            overpay_to_prepaid=overpay_to_prepaid,
        )
        after = spend_prepaid(Money(known.prepaid_fen), plan.prepaid_used) + plan.prepaid_credit
        receipt = receipt_or_refuse(known.receipt)
        context = _Context(svc, payment_id, shift, unit, cashier_id, cashier_name, payer)
        payload = _payload(context, plan, selected, receipt, after)
        await _write(conn, svc, payload)
    return PostedPayment.from_payload(payload)


def _check_payer(payer_name: str) -> str:
    text = (payer_name or "").strip()
    if len(text) > MAX_PAYER:
        raise InputError(
            "payer_name_too_long",
            N_("A payer's name has at most {limit} characters."),
            limit=MAX_PAYER,
        )
    return text


def _cashier_name(name: str | None) -> str:
    if name is None:
        raise PermissionError_(
            "user_unknown", N_("This user is unknown or disabled: sign in again.")
        )
    return name


def _unit_or_refuse(unit: UnitCard | None) -> UnitCard:
    if unit is None:
        raise InputError("unit_unknown", N_("This unit is unknown: search for it again."))
    return unit


async def _selected_charges(unit_id: str, charge_ids: Sequence[str] | None) -> list[ChargeBalance]:
    """The chosen charges in paying order; all the unit's owing charges when none are named."""
    if charge_ids is None:
        return [c for c in await list_charge_balances(unit_id) if c.outstanding.fen > 0]
    wanted = list(charge_ids)
    found = {c.charge_id: c for c in await list_charge_balances(unit_id, charge_ids=wanted)}
    if len(set(wanted)) != len(wanted) or len(found) != len(wanted):
        raise InputError(
            "charge_unknown",
            N_("A chosen charge is not one of this unit's: reload the bill and try again."),
        )
    return [found[charge_id] for charge_id in wanted]


class _Context:
    """Who, where and when of the payment being posted."""

    def __init__(
        self,
        svc: Services,
        payment_id: str,
        shift: OpenShift,
        unit: UnitCard,
        cashier_id: str,
        cashier_name: str,
        payer: str,
    ) -> None:
        self.payment_id = payment_id
        self.device_id = svc.device_id
        self.shift = shift
        self.unit = unit
        self.cashier_id = cashier_id
        self.cashier_name = cashier_name
        self.payer = payer or unit.owner_name
        self.created_at = svc.clock.now().astimezone(UTC)
        self.new_id = svc.ids.new_str


def _payload(
    ctx: _Context,
    plan: PaymentPlan,
    selected: Sequence[ChargeBalance],
    receipt: NextReceipt,
    prepaid_after: Money,
) -> dict[str, Any]:
    """The payment's journal payload: every row it writes, with ids and amounts in fen."""
    late = {fee.parent.charge_id: ctx.new_id() for fee in plan.late_fees}
    return {
        "id": ctx.payment_id,
        "device_id": ctx.device_id,
        "site_id": ctx.unit.site_id,
        "shift_id": ctx.shift.shift_id,
        "business_date": ctx.shift.business_date.isoformat(),
        "created_at": ctx.created_at.isoformat(),
        "cashier_id": ctx.cashier_id,
        "cashier_name": ctx.cashier_name,
        "unit_id": ctx.unit.unit_id,
        "unit_code": ctx.unit.code,
        "payer_name": ctx.payer,
        "receipt_no": receipt.text,
        "receipt_series_id": receipt.series_id,
        "receipt_number": receipt.number,
        "receipt_number_id": ctx.new_id(),
        "total_fen": plan.received.fen,
        "change_fen": plan.change.fen,
        "prepaid_credit_fen": plan.prepaid_credit.fen,
        "prepaid_used_fen": plan.prepaid_used.fen,
        "prepaid_balance_after_fen": prepaid_after.fen,
        "tenders": [_tender_row(ctx, t) for t in plan.tenders],
        "late_fee_charges": [
            _late_fee_row(ctx, late[f.parent.charge_id], f) for f in plan.late_fees
        ],
        "allocations": _allocation_rows(ctx, plan, selected, late),
        "prepaid_entries": _prepaid_rows(ctx, plan),
    }


def _tender_row(ctx: _Context, tender: Any) -> dict[str, Any]:
    return {
        "id": ctx.new_id(),
        "method": tender.method,
        "amount_fen": tender.amount.fen,
        "tendered_fen": tender.tendered.fen,
        "change_fen": tender.change.fen,
        "reference": tender.reference,
    }


def _late_fee_row(ctx: _Context, charge_id: str, fee: Any) -> dict[str, Any]:
    parent: ChargeBalance = fee.parent
    return {
        "id": charge_id,
        "unit_id": ctx.unit.unit_id,
        "fee_item_id": parent.fee_item_id,
        "parent_id": parent.charge_id,
        "period": parent.period,
        "amount_fen": fee.amount.fen,
        "due_date": ctx.shift.business_date.isoformat(),
        "source": ChargeSource.LATE_FEE,
    }


def _allocation_rows(
    ctx: _Context, plan: PaymentPlan, selected: Sequence[ChargeBalance], late: dict[str, str]
) -> list[dict[str, Any]]:
    by_id = {c.charge_id: c for c in selected}
    rows = []
    for line in plan.lines:
        is_new_late_fee = line.charge_id.startswith(LATE_PREFIX)
        parent_id = line.charge_id.removeprefix(LATE_PREFIX)
        charge = by_id[parent_id]
        rows.append(
            {
                "id": ctx.new_id(),
                "charge_id": late[parent_id] if is_new_late_fee else parent_id,
                "amount_fen": line.amount.fen,
                "fee_item_id": charge.fee_item_id,
                "fee_item_name": charge.fee_item_name,
                "period": charge.period,
                "is_late_fee": is_new_late_fee or charge.source == ChargeSource.LATE_FEE,
            }
        )
    return rows


def _prepaid_rows(ctx: _Context, plan: PaymentPlan) -> list[dict[str, Any]]:
    rows = []
    if plan.prepaid_used:
        rows.append(
            {"id": ctx.new_id(), "kind": PrepaidKind.SPEND, "amount_fen": -plan.prepaid_used.fen}
        )
    if plan.prepaid_credit:
        rows.append(
            {"id": ctx.new_id(), "kind": PrepaidKind.CREDIT, "amount_fen": plan.prepaid_credit.fen}
        )
    return rows


async def _write(conn: BaseDBAsyncClient, svc: Services, p: dict[str, Any]) -> None:
    """Write every row of the payment payload, then its journal entry and outbox row."""
    created_at = datetime.fromisoformat(p["created_at"])
    await _write_payment(conn, p, created_at)
    await _write_children(conn, p, created_at)
    await append_journal(
        conn,
        entry_id=svc.ids.new_str(),
        device_id=p["device_id"],
        kind=KIND,
        record_id=p["id"],
        payload=p,
        created_at=created_at,
    )


async def _write_payment(conn: BaseDBAsyncClient, p: dict[str, Any], created_at: datetime) -> None:
    """The late-fee charges the payment pays (they must exist first), then the payment."""
    charges = [
        {**row, "origin_device_id": p["device_id"], "note": "", "period_start": None,
         "period_end": None, "created_at": created_at}
        for row in p["late_fee_charges"]
    ]  # fmt: skip
    await insert_rows(conn, "charge", charges)
    columns = ("id", "device_id", "shift_id", "unit_id", "cashier_id", "payer_name",
               "business_date", "total_fen", "prepaid_credit_fen", "prepaid_used_fen",
               "receipt_no")  # fmt: skip
    payment = {name: p[name] for name in columns}
    await insert_rows(conn, "payment", [{**payment, "created_at": created_at}])


async def _write_children(conn: BaseDBAsyncClient, p: dict[str, Any], created_at: datetime) -> None:
    """Tenders, allocations, prepaid entries and the receipt number: one statement per table."""
    payment_id = p["id"]
    tenders = [
        {**t, "payment_id": payment_id, "void_id": None, "shift_id": p["shift_id"]}
        for t in p["tenders"]
    ]
    await insert_rows(conn, "tender", tenders)
    allocations = [
        {"id": a["id"], "payment_id": payment_id, "void_id": None, "charge_id": a["charge_id"],
         "amount_fen": a["amount_fen"]}
        for a in p["allocations"]
    ]  # fmt: skip
    await insert_rows(conn, "allocation", allocations)
    entries = [
        {**e, "unit_id": p["unit_id"], "payment_id": payment_id, "refund_id": None,
         "void_id": None, "created_at": created_at}
        for e in p["prepaid_entries"]
    ]  # fmt: skip
    await insert_rows(conn, "prepaid_entry", entries)
    number = {"id": p["receipt_number_id"], "series_id": p["receipt_series_id"],
              "number": p["receipt_number"], "text": p["receipt_no"], "payment_id": payment_id,
              "void_id": None}  # fmt: skip
    await insert_rows(conn, "receipt_number", [number])


__all__ = ["KIND", "take_payment"]
