"""Deciding a payment before it is written: tenders checked, late fees due, allocation, change and
prepaid credit. Pure functions over what the posting transaction read; nothing here writes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from feetui.core.allocation import AllocationLine, OpenCharge, allocate_selected
from feetui.core.errors import N_, InputError, RuleError
from feetui.core.money import Money, total
from feetui.core.paycode import classify_scan
from feetui.db.models.base import TenderMethod
from feetui.db.queries.balances import ChargeBalance
from feetui.services.posting import require_amount
from feetui.services.results import TenderInput

MAX_REFERENCE = 64


@dataclass(frozen=True, slots=True)
class CheckedTender:
    """A tender that passed its checks, with its change and its reference masked."""

    method: str
    amount: Money
    tendered: Money
    change: Money
    reference: str


@dataclass(frozen=True, slots=True)
class NewLateFee:
    """A late fee to post as a charge of its own, as of the shift's business date."""

    parent: ChargeBalance
    amount: Money


@dataclass(frozen=True, slots=True)
class PaymentPlan:
    """Everything a payment will write, decided.

    ``lines`` name charge ids; a new late fee's line names its parent's id with the prefix
    ``late:`` until the late-fee charge gets its own id.
    """

    tenders: tuple[CheckedTender, ...]
    late_fees: tuple[NewLateFee, ...]
    lines: tuple[AllocationLine, ...]
    prepaid_credit: Money
    prepaid_used: Money

    @property
    def received(self) -> Money:
        """Money received net of change, prepaid balance used not included."""
        return total(t.amount for t in self.tenders) - self.prepaid_used

    @property
    def change(self) -> Money:
        """Change handed back."""
        return total(t.change for t in self.tenders)


LATE_PREFIX = "late:"


def check_tenders(tenders: Sequence[TenderInput], *, ceiling: Money) -> tuple[CheckedTender, ...]:
    """Check each tender and work out its change.

    Raises:
        InputError: ``tender_required``, ``tender_method_unknown`` (param ``method``),
            ``amount_zero``/``amount_negative``/``amount_above_ceiling``,
            ``tendered_below_amount``, ``change_only_for_cash``, ``reference_too_long``.
    """
    if not tenders:
        raise InputError("tender_required", N_("Choose how the payer pays."))
    return tuple(_check_tender(t, ceiling=ceiling) for t in tenders)


def _check_tender(tender: TenderInput, *, ceiling: Money) -> CheckedTender:
    if tender.method not in TenderMethod.ALL:
        raise InputError(
            "tender_method_unknown",
            N_("Unknown payment method {method}."),
            method=str(tender.method),
        )
    amount = require_amount(tender.amount, ceiling=ceiling)
    tendered = amount if tender.tendered is None else tender.tendered
    tendered = require_amount(tendered, ceiling=ceiling)
    if tendered < amount:
        raise InputError(
            "tendered_below_amount",
            N_("The payer handed over less than the amount: take ¥{amount} or more."),
            amount=amount.yuan_text(grouping=True),
        )
    if tendered > amount and tender.method != TenderMethod.CASH:
        raise InputError(
            "change_only_for_cash", N_("Only cash can be more than the amount (change).")
        )
    return CheckedTender(
        tender.method, amount, tendered, tendered - amount, _mask(tender.reference)
    )


def _mask(reference: str) -> str:
    """The reference as stored: a scanned payment code only in masked form (R14)."""
    text = (reference or "").strip()
    code = classify_scan(text)
    if code is not None:
        return code.masked
    if len(text) > MAX_REFERENCE:
        raise InputError(
            "reference_too_long",
            N_("A reference has at most {limit} characters."),
            limit=MAX_REFERENCE,
        )
    return text


def late_fees_due(selected: Sequence[ChargeBalance], as_of: date) -> tuple[NewLateFee, ...]:
    """The late fees of the selected charges as of ``as_of`` that are not yet posted."""
    found = []
    for charge in selected:
        if charge.outstanding.fen > 0:
            fee = charge.late_fee_as_of(as_of)
            if fee:
                found.append(NewLateFee(charge, fee))
    return tuple(found)


def _open_charges(
    selected: Sequence[ChargeBalance], late_fees: Sequence[NewLateFee]
) -> list[OpenCharge]:
    """The charges to pay in order, each new late fee right after the charge it belongs to."""
    fee_of = {fee.parent.charge_id: fee for fee in late_fees}
    ordered: list[OpenCharge] = []
    for charge in selected:
        ordered.append(OpenCharge(charge.charge_id, charge.due_date, charge.outstanding))
        fee = fee_of.get(charge.charge_id)
        if fee is not None:
            ordered.append(OpenCharge(LATE_PREFIX + charge.charge_id, charge.due_date, fee.amount))
    return ordered


def plan_payment(
    *,
    selected: Sequence[ChargeBalance],
    tenders: tuple[CheckedTender, ...],
    as_of: date,
    amount_to_charges: Money | None,
    overpay_to_prepaid: bool,
) -> PaymentPlan:
    """Decide the allocation, the late fees to post and the prepaid credit of a payment.

    Raises:
        RuleError: ``amount_above_due``, ``tender_short``, ``overpaid``, ``nothing_owed``.
    """
    late_fees = late_fees_due(selected, as_of)
    charges = _open_charges(selected, late_fees)
    due = total(Money(max(c.outstanding.fen, 0)) for c in charges)
    to_charges = due if amount_to_charges is None else amount_to_charges
    paid = total(t.amount for t in tenders)
    prepaid_used = total(t.amount for t in tenders if t.method == TenderMethod.PREPAID)
    _check_sums(due=due, to_charges=to_charges, paid=paid, overpay=overpay_to_prepaid)
    if prepaid_used and paid > to_charges:
        raise RuleError(
            "overpaid", N_("Prepaid balance can only pay what is owed, not add to itself.")
        )
    plan = allocate_selected(to_charges, charges)
    used = {line.charge_id for line in plan.lines}
    posted = tuple(fee for fee in late_fees if LATE_PREFIX + fee.parent.charge_id in used)
    return PaymentPlan(tenders, posted, plan.lines, paid - to_charges, prepaid_used)


def _check_sums(*, due: Money, to_charges: Money, paid: Money, overpay: bool) -> None:
    if not to_charges and not overpay:
        raise RuleError("nothing_owed", N_("Nothing is owed on the chosen lines."))
    if to_charges > due:
        raise RuleError(
            "amount_above_due",
            N_("That is more than is owed (¥{due}): put the rest to prepaid balance instead."),
            due=due.yuan_text(grouping=True),
        )
    if paid < to_charges:
        raise RuleError(
            "tender_short",
            N_("The payment methods add up to ¥{paid}, less than ¥{due}."),
            paid=paid.yuan_text(grouping=True),
            due=to_charges.yuan_text(grouping=True),
        )
    if paid > to_charges and not overpay:
        raise RuleError(
            "overpaid",
            N_(
                "The payment methods add up to ¥{paid}, more than ¥{due}: give change in cash "
                "or put the rest to prepaid balance."
            ),
            paid=paid.yuan_text(grouping=True),
            due=to_charges.yuan_text(grouping=True),
        )


__all__ = [
    "LATE_PREFIX",
    "CheckedTender",
    "NewLateFee",
    "PaymentPlan",
    "check_tenders",
    "late_fees_due",
    "plan_payment",
]
