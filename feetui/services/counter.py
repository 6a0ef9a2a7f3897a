"""What the counter screens ask of the ledger, in the shapes they show.

The screens never see rows or queries: they get a :class:`UnitView` (the unit, what it owes line by
line with late fees as of the business date, its recent payments, its prepaid balance), start a
:class:`~feetui.services.checkout.Checkout` from it, and hand the finished checkout to
:func:`post_checkout`, which maps it onto :func:`feetui.services.payments.take_payment`.

"Today" at the counter is the open shift's business date (RELIABILITY R19): late fees and the age
of a debt are computed for it, the same date ``take_payment`` uses, so the amount on screen is the
amount posted. Without an open shift it is the site's calendar date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from feetui.clock import business_date
from feetui.core.errors import N_, InputError, RuleError
from feetui.core.money import Money, total
from feetui.db.guard import storage_errors
from feetui.db.models import Device, FeeItem, Site, Unit, Void
from feetui.db.queries.posting import OpenShift, get_journal_payload, get_open_shift
from feetui.db.queries.statement import StatementPayment, get_unit_statement
from feetui.services.checkout import Checkout, DueLine, TenderLine
from feetui.services.container import Services
from feetui.services.payments import take_payment
from feetui.services.results import PaidTender, PostedPayment, ReceiptLine, TenderInput
from feetui.services.scan_payments import ScanIntent, scan_subject
from feetui.services.voids import PostedVoid

RECENT_PAYMENTS = 20
"""Payments listed on the unit screen, newest first."""


@dataclass(frozen=True, slots=True)
class UnitCard:
    """The unit as its screen heads it.

    Attributes:
        unit_id: the unit's id.
        code: room code ``3-2-1502``.
        owner_name: the owner (empty when none is on file).
        area_centi_m2: billed area in hundredths of a square metre.
        tags: the unit's tags.
        today: the business date late fees and ages are computed for.
        prepaid: the prepaid balance now.
        due: everything owed as of ``today``, late fees included.
        late_fees: the late-fee part of ``due``.
        oldest_days: days the oldest owing line is past due (0: nothing overdue).
    """

    unit_id: str
    code: str
    owner_name: str
    area_centi_m2: int
    tags: tuple[str, ...]
    today: date
    prepaid: Money
    due: Money
    late_fees: Money
    oldest_days: int


@dataclass(frozen=True, slots=True)
class UnitView:
    """Everything the unit screen shows."""

    card: UnitCard
    lines: tuple[DueLine, ...]
    payments: tuple[StatementPayment, ...]


async def find_open_shift(svc: Services) -> OpenShift | None:
    """The shift open on this counter, or ``None``."""
    with storage_errors():
        return await get_open_shift(svc.device_id)


async def counter_today(svc: Services) -> date:
    """The open shift's business date, or the site's calendar date without one."""
    shift = await find_open_shift(svc)
    return shift.business_date if shift else business_date(svc.clock.now(), svc.tz)


async def load_unit(svc: Services, unit_id: str) -> UnitView:
    """The unit, what it owes as of the counter's business date, and its recent payments.

    Raises:
        InputError: ``unit_unknown`` when there is no such unit.
        StorageError: the database could not be read.
    """
    today = await counter_today(svc)
    with storage_errors():
        statement = await get_unit_statement(unit_id, as_of=today, payments_limit=RECENT_PAYMENTS)
    if statement is None:
        raise InputError("unit_unknown", N_("This unit is unknown: search for it again."))
    lines = tuple(
        DueLine(
            line_id=line.charge.charge_id,
            fee_item=line.charge.fee_item_name,
            period=line.charge.period,
            due_date=line.charge.due_date,
            outstanding=line.charge.outstanding + line.late_fee,
            late_fee=line.late_fee,
        )
        for line in statement.lines
    )
    card = UnitCard(
        unit_id=statement.unit_id,
        code=statement.unit_code,
        owner_name=statement.owner_name,
        area_centi_m2=statement.area_centi_m2,
        tags=statement.tags,
        today=today,
        prepaid=statement.prepaid_balance,
        due=statement.due,
        late_fees=statement.late_fees,
        oldest_days=max((line.age_days for line in statement.lines), default=0),
    )
    return UnitView(card, lines, statement.payments)


def start_checkout(view: UnitView, *, only: str | None = None) -> Checkout:
    """The pay screen's checkout: every owing line selected, oldest first.

    Args:
        view: the unit as loaded.
        only: select just this charge (a one-off charge added to be paid at once).

    Raises:
        RuleError: ``nothing_owed`` when the unit owes nothing today.
    """
    if view.card.due.fen <= 0:
        raise RuleError(
            "nothing_owed",
            N_("Unit {unit} owes nothing today: there is nothing to take payment for."),
            unit=view.card.code,
        )
    checkout = Checkout.start(view.lines, prepaid_available=view.card.prepaid)
    if only is not None and only in checkout.selected:
        for line_id in checkout.selected - {only}:
            checkout = checkout.toggle(line_id)
    return checkout


@dataclass(frozen=True, slots=True)
class OneOffItem:
    """A one-off fee item a cashier can charge (card replacement, waste removal ...)."""

    fee_item_id: str
    name: str
    price: Money


async def list_one_off_items(svc: Services, unit_id: str) -> list[OneOffItem]:
    """The active one-off fee items of the unit's site, by name."""
    with storage_errors():
        unit = await Unit.get_or_none(id=unit_id)
        if unit is None:
            return []
        items = await FeeItem.filter(
            site_id=unit.site_id,  # type: ignore[attr-defined]
            kind="one_off",
            active=True,
        ).order_by("name")
    return [OneOffItem(item.id, item.name, Money(item.rate_fen)) for item in items]


async def post_checkout(
    svc: Services, *, payment_id: str, unit_id: str, cashier_id: str, checkout: Checkout
) -> PostedPayment:
    """Post a finished checkout through the ledger's ``take_payment``.

    The selected lines are paid oldest first; a typed amount below their sum pays them in part,
    one above it pays them all and the rest becomes prepaid balance.

    Raises:
        RuleError: ``payment_incomplete`` when the tenders do not cover the payment; anything
            ``take_payment`` raises.
    """
    if not checkout.complete:
        raise RuleError("payment_incomplete", N_("The tenders do not cover the payment yet."))
    selected = checkout.selected_lines()
    partial = checkout.payment < checkout.selected_total
    return await take_payment(
        svc,
        payment_id=payment_id,
        unit_id=unit_id,
        cashier_id=cashier_id,
        tenders=[_tender_input(tender) for tender in checkout.tenders],
        charge_ids=[line.line_id for line in selected],
        amount_to_charges=checkout.payment if partial else None,
        overpay_to_prepaid=checkout.prepaid_credit.fen > 0,
    )


def scan_intent(checkout: Checkout, *, unit_id: str, cashier_id: str, subject: str) -> ScanIntent:
    """What a scanned payment for the rest of ``checkout`` will post when it succeeds.

    The scanned code pays what is still to pay; the tenders already added (a split) are posted
    with it, the same mapping as :func:`post_checkout`.
    """
    selected = checkout.selected_lines()
    partial = checkout.payment < checkout.selected_total
    return ScanIntent(
        unit_id=unit_id,
        cashier_id=cashier_id,
        charge_ids=tuple(line.line_id for line in selected),
        amount_to_charges=checkout.payment if partial else None,
        overpay_to_prepaid=checkout.prepaid_credit.fen > 0,
        other_tenders=tuple(_tender_input(tender) for tender in checkout.tenders),
        subject=scan_subject(subject),
    )


def _tender_input(tender: TenderLine) -> TenderInput:
    """One checkout tender as the ledger takes it (a scanned code only in its masked form)."""
    reference = " ".join(part for part in (tender.reference, tender.masked_code) if part)
    tendered = tender.tendered if tender.tendered != tender.amount else None
    return TenderInput(tender.method, tender.amount, tendered, reference[:64])


@dataclass(frozen=True, slots=True)
class ReceiptView:
    """A posted payment as the receipt screen shows it, with where it was taken."""

    payment: PostedPayment
    site_name: str
    void_receipt_no: str | None
    device_name: str
    """The counter that took the payment, as its device record names it (the reports' name)."""

    @property
    def is_void(self) -> bool:
        """True once the payment has been voided."""
        return self.void_receipt_no is not None


async def load_receipt(svc: Services, payment_id: str) -> ReceiptView:
    """The posted payment ``payment_id`` as its journal recorded it, and whether it is void.

    Raises:
        InputError: ``payment_unknown`` when this counter holds no such payment.
    """
    with storage_errors():
        found = await get_journal_payload(payment_id)
        unit = await Unit.get_or_none(id=found[1]["unit_id"]) if found else None
        site = await Site.get_or_none(id=unit.site_id) if unit else None  # type: ignore[attr-defined]
        void = await Void.get_or_none(payment_id=payment_id)
        device = await Device.get_or_none(id=found[1]["device_id"]) if found else None
    if found is None or found[0] != "payment":
        raise InputError("payment_unknown", N_("This payment is not on this counter."))
    payment = PostedPayment.from_payload(found[1])
    return ReceiptView(
        payment,
        site.name if site else "",
        void.receipt_no if void else None,
        device.name if device is not None else svc.settings.device_name,
    )


def void_slip_parts(
    void: PostedVoid, *, prepaid_label: str
) -> tuple[tuple[ReceiptLine, ...], tuple[PaidTender, ...]]:
    """The lines and the money given back on a void slip, adding up to the void's total.

    Prepaid balance is not money handed back: a prepaid tender's reversal returns to the balance
    and is left out of the refunds, and one line labelled ``prepaid_label`` carries the
    difference between the charges' lines and the total (prepaid used, less prepaid credited).

    Returns:
        The slip's lines and its refunds.
    """
    refunds = tuple(t for t in void.tenders if t.method != "prepaid")
    difference = void.total - total(line.amount for line in void.lines)
    extra = (ReceiptLine("", prepaid_label, "", difference),) if difference else ()
    return void.lines + extra, refunds


__all__ = [
    "RECENT_PAYMENTS",
    "OneOffItem",
    "ReceiptView",
    "UnitCard",
    "UnitView",
    "counter_today",
    "find_open_shift",
    "list_one_off_items",
    "load_receipt",
    "load_unit",
    "post_checkout",
    "scan_intent",
    "start_checkout",
    "void_slip_parts",
]
