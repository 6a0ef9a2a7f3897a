"""What printed documents say: receipts, void slips, shift and daily reports, reminder notices.

These are frozen values with no I/O: the service that posted the money builds them after the
commit, and ``feetui.printing`` lays them out for paper. The rule: a document only carries text
that is already in the reader's language. Its fixed words come from :class:`PrintLabels`, whose
defaults are English message ids marked with ``N_``; the caller translates them once with
``PrintLabels().translated(_)``, so neither core nor printing ever imports babel. Totals are checked
when a document is built: a receipt whose lines, tenders and total disagree cannot exist.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields, replace
from typing import Protocol

from feetui.core.capitals import amount_in_capitals
from feetui.core.errors import N_, InputError, IntegrityError_
from feetui.core.money import Money, total


@dataclass(frozen=True, slots=True)
class PrintLabels:
    """The fixed words of every printed document, English message ids until translated."""

    receipt_title: str = N_("Receipt")
    receipt_no: str = N_("Receipt no.")
    printed_at: str = N_("Time")
    counter: str = N_("Counter")
    cashier: str = N_("Cashier")
    unit: str = N_("Unit")
    payer: str = N_("Payer")
    item: str = N_("Fee item")
    period: str = N_("Period")
    amount: str = N_("Amount")
    late_fees: str = N_("Late fees")
    adjustments: str = N_("Waivers and discounts")
    total: str = N_("Total")
    capitals: str = N_("In capitals")
    tenders: str = N_("Paid by")
    tendered: str = N_("Tendered")
    change: str = N_("Change")
    reference: str = N_("Ref.")
    prepaid_after: str = N_("Prepaid balance")
    check_code: str = N_("Check code")
    copy_mark: str = N_("REPRINT no. {count}")
    void_mark: str = N_("VOID")
    void_title: str = N_("Void slip")
    voided_receipt: str = N_("Voided receipt")
    voided_at: str = N_("Voided at")
    supervisor: str = N_("Approved by")
    reason: str = N_("Reason")
    refunded_by: str = N_("Returned by")
    void_total: str = N_("Amount voided")
    shift_title: str = N_("Shift report")
    shift_no: str = N_("Shift")
    opened_at: str = N_("Opened")
    closed_at: str = N_("Closed")
    business_date: str = N_("Business date")
    by_fee_item: str = N_("By fee item")
    by_tender: str = N_("By payment method")
    by_counter: str = N_("By counter")
    payment_count: str = N_("Payments")
    receipts_used: str = N_("Receipts used")
    voided_receipts: str = N_("Voided receipts")
    refunds: str = N_("Refunds")
    waivers: str = N_("Waivers")
    cash_movements: str = N_("Cash in and out")
    opening_float: str = N_("Opening float")
    expected_cash: str = N_("Expected cash")
    counted_cash: str = N_("Counted cash")
    over_short: str = N_("Over (+) / short (-)")
    note: str = N_("Note")
    handed_over_by: str = N_("Handed over by")
    received_by: str = N_("Received by")
    none: str = N_("none")
    daily_title: str = N_("Daily collection report")
    scope: str = N_("Scope")
    units_served: str = N_("Units served")
    voids: str = N_("Voids")
    reminder_title: str = N_("Payment reminder")
    owner: str = N_("Owner")
    as_of: str = N_("As of")
    amount_owed: str = N_("Amount owed")
    contact: str = N_("Contact")
    notice_no: str = N_("Notice no.")
    notice_date: str = N_("Notice date")
    pay_by: str = N_("Please pay by")
    late_fee: str = N_("Late fee")
    subtotal: str = N_("Subtotal")
    continued: str = N_("(continued)")
    page_of: str = N_("Page {page} of {pages}")
    reminder_wording: str = N_(
        "Dear {owner}, as of {as_of} the fees below for unit {unit} are unpaid, {total} in all. "
        "Please pay at the service centre soon. Thank you."
    )

    def translated(self, translate: Callable[[str], str]) -> PrintLabels:
        """Every label passed through ``translate`` (``feetui.i18n._`` at the edge).

        Args:
            translate: maps an English message id to the reader's language.

        Returns:
            A new set of labels in the reader's language.
        """
        return replace(self, **{f.name: translate(getattr(self, f.name)) for f in fields(self)})


@dataclass(frozen=True, slots=True)
class FeeLine:
    """One line of money on a document: a fee item (or late fee, waiver), its period, its amount."""

    name: str
    period: str
    amount: Money


@dataclass(frozen=True, slots=True)
class TenderLine:
    """How part of a payment was made (or, on a void slip, how it was given back).

    ``reference`` is already masked (``****1234``); ``tendered`` and ``change`` are for cash only.
    """

    method: str
    amount: Money
    reference: str = ""
    tendered: Money | None = None
    change: Money | None = None
    is_cash: bool = False


@dataclass(frozen=True, slots=True)
class AmountRow:
    """A labelled figure in a report, with an optional count (payments, receipts)."""

    label: str
    amount: Money
    count: int | None = None


@dataclass(frozen=True, slots=True)
class AmountGroup:
    """A report section: a heading (a fee item), its rows (per payment method) and their total."""

    title: str
    rows: tuple[AmountRow, ...]
    total: Money

    def __post_init__(self) -> None:
        _require_sum(self.total, (row.amount for row in self.rows), self.title)


def printed_money(amount: Money) -> str:
    """An amount as printed on paper: ``￥1,234.50`` or ``-￥12.00``.

    Always the full-width ￥: the half-width ¥ needs four bytes in GB18030 and comes out as
    garbage on GBK printers (shared/STACK-NOTES.md).
    """
    text = amount.yuan_text(grouping=True)
    return "-￥" + text[1:] if text.startswith("-") else "￥" + text


def verification_code(receipt_id: str, receipt_no: str, total: Money, secret_salt: str) -> str:
    """The short code printed beside a receipt's QR code, so HQ can tell a real receipt.

    An HMAC-SHA256 keyed by the company's secret salt over the receipt id, number and total; the
    first 8 hex digits are printed. Changing any of them, or not knowing the salt, gives another.

    Args:
        receipt_id: the receipt's record id (UUIDv7 text).
        receipt_no: the printed receipt number.
        total: the receipt's total.
        secret_salt: the company's secret; must not be empty.

    Returns:
        Eight lowercase hex digits.

    Raises:
        InputError: ``verification_salt_missing`` when the salt is empty.
    """
    if not secret_salt:
        raise InputError(
            "verification_salt_missing", N_("The receipt verification key is not set.")
        )
    message = f"{receipt_id}\n{receipt_no}\n{total.fen}".encode()
    return hmac.new(secret_salt.encode(), message, hashlib.sha256).hexdigest()[:8]


def qr_payload(receipt_id: str, code: str) -> str:
    """What the receipt's QR code carries: ``FTR1:<receipt id>:<verification code>``."""
    return f"FTR1:{receipt_id}:{code}"


@dataclass(frozen=True, slots=True)
class ReceiptDoc:
    """A receipt (收据) as printed: the money taken, what it paid for, and how it was paid.

    ``copy_count`` is 0 on the original and n on the n-th reprint (printed as 重打 n). Waiver and
    discount lines carry negative amounts; lines + late fees + adjustments = total = tenders.
    """

    company: str
    site: str
    receipt_no: str
    printed_at: str
    device_name: str
    cashier: str
    unit_code: str
    payer: str
    lines: tuple[FeeLine, ...]
    total: Money
    tenders: tuple[TenderLine, ...]
    receipt_id: str
    verification: str
    late_fees: tuple[FeeLine, ...] = ()
    adjustments: tuple[FeeLine, ...] = ()
    prepaid_after: Money | None = None
    footer: str = ""
    copy_count: int = 0
    is_void: bool = False
    labels: PrintLabels = field(default_factory=PrintLabels)

    def __post_init__(self) -> None:
        _require_copy_count(self.copy_count)
        charged = (line.amount for line in (*self.lines, *self.late_fees, *self.adjustments))
        _require_sum(self.total, charged, self.receipt_no)
        _require_sum(self.total, (tender.amount for tender in self.tenders), self.receipt_no)

    @property
    def total_in_capitals(self) -> str:
        """The total in Chinese financial capitals."""
        return amount_in_capitals(self.total)

    @property
    def qr(self) -> str:
        """The QR payload: receipt id and verification code."""
        return qr_payload(self.receipt_id, self.verification)

    @property
    def kicks_drawer(self) -> bool:
        """Open the cash drawer: an original receipt with cash in it (never on a reprint)."""
        return self.copy_count == 0 and not self.is_void and any(t.is_cash for t in self.tenders)


@dataclass(frozen=True, slots=True)
class VoidSlipDoc:
    """A void slip (作废凭证): which receipt was voided, by whom, why, and how money went back."""

    company: str
    site: str
    receipt_no: str
    voided_at: str
    device_name: str
    cashier: str
    supervisor: str
    unit_code: str
    payer: str
    reason: str
    lines: tuple[FeeLine, ...]
    total: Money
    refunds: tuple[TenderLine, ...]
    footer: str = ""
    copy_count: int = 0
    labels: PrintLabels = field(default_factory=PrintLabels)

    def __post_init__(self) -> None:
        _require_copy_count(self.copy_count)
        _require_sum(self.total, (line.amount for line in self.lines), self.receipt_no)
        _require_sum(self.total, (tender.amount for tender in self.refunds), self.receipt_no)

    @property
    def total_in_capitals(self) -> str:
        """The voided amount in Chinese financial capitals."""
        return amount_in_capitals(self.total)


@dataclass(frozen=True, slots=True)
class ShiftReportDoc:
    """The shift report printed on close: takings by fee item and method, receipts, cash count."""

    company: str
    site: str
    device_name: str
    cashier: str
    shift_no: str
    business_date: str
    opened_at: str
    closed_at: str
    printed_at: str
    fee_groups: tuple[AmountGroup, ...]
    tender_totals: tuple[AmountRow, ...]
    total: Money
    payment_count: int
    receipt_first: str
    receipt_last: str
    receipts_used: int
    voided_receipts: tuple[str, ...]
    refunds: Money
    waivers: Money
    cash_movements: tuple[AmountRow, ...]
    opening_float: Money
    expected_cash: Money
    counted_cash: Money
    note: str = ""
    copy_count: int = 0
    labels: PrintLabels = field(default_factory=PrintLabels)

    def __post_init__(self) -> None:
        _require_copy_count(self.copy_count)
        _require_sum(self.total, (group.total for group in self.fee_groups), self.shift_no)
        _require_sum(self.total, (row.amount for row in self.tender_totals), self.shift_no)

    @property
    def over_short(self) -> Money:
        """Counted minus expected: positive is over (长款), negative is short (短款)."""
        return self.counted_cash - self.expected_cash


@dataclass(frozen=True, slots=True)
class DailyReportDoc:
    """The daily collection report (收费日报表) of one business date, for a counter or the site."""

    company: str
    site: str
    business_date: str
    scope: str
    printed_at: str
    fee_groups: tuple[AmountGroup, ...]
    tender_totals: tuple[AmountRow, ...]
    counter_totals: tuple[AmountRow, ...]
    total: Money
    payment_count: int
    units_served: int
    voids: AmountRow
    refunds: Money
    waivers: Money
    copy_count: int = 0
    labels: PrintLabels = field(default_factory=PrintLabels)

    def __post_init__(self) -> None:
        _require_copy_count(self.copy_count)
        _require_sum(self.total, (group.total for group in self.fee_groups), self.business_date)
        _require_sum(self.total, (row.amount for row in self.tender_totals), self.business_date)
        _require_sum(self.total, (row.amount for row in self.counter_totals), self.business_date)

    @property
    def total_in_capitals(self) -> str:
        """The day's total in Chinese financial capitals."""
        return amount_in_capitals(self.total)


@dataclass(frozen=True, slots=True)
class ReminderNoticeDoc:
    """An arrears reminder notice (催缴通知单) for one unit as of a date.

    ``wording`` is the company's own text with the placeholders ``{owner}``, ``{unit}``,
    ``{as_of}``, ``{total}``, ``{total_capitals}``, ``{deadline}`` and ``{notice_no}``; empty
    means the translated default.
    """

    company: str
    site: str
    unit_code: str
    owner: str
    as_of: str
    lines: tuple[FeeLine, ...]
    total: Money
    printed_at: str
    contact: str = ""
    wording: str = ""
    footer: str = ""
    copy_count: int = 0
    labels: PrintLabels = field(default_factory=PrintLabels)
    deadline: str = ""
    """The date the notice asks to be paid by (``{deadline}``); empty prints none."""
    notice_no: str = ""
    """The notice's number (``{notice_no}``); empty prints none."""

    def __post_init__(self) -> None:
        _require_copy_count(self.copy_count)
        _require_sum(self.total, (line.amount for line in self.lines), self.unit_code)

    @property
    def total_in_capitals(self) -> str:
        """The amount owed in Chinese financial capitals."""
        return amount_in_capitals(self.total)

    @property
    def body(self) -> str:
        """The wording with its placeholders filled; unknown placeholders are left as written."""
        return reminder_body(self)


class ReminderFacts(Protocol):
    """What a reminder's wording may name: the printed notice and the PDF sheet both have it."""

    owner: str
    unit_code: str
    as_of: str
    total: Money
    deadline: str
    notice_no: str
    wording: str
    labels: PrintLabels


def reminder_body(notice: ReminderFacts) -> str:
    """The company's reminder wording (or the default) with the notice's placeholders filled."""
    values = {
        "owner": notice.owner,
        "unit": notice.unit_code,
        "as_of": notice.as_of,
        "total": printed_money(notice.total),
        "total_capitals": amount_in_capitals(notice.total),
        "deadline": notice.deadline,
        "notice_no": notice.notice_no,
    }
    return fill_wording(notice.wording or notice.labels.reminder_wording, values)


def fill_wording(template: str, values: dict[str, str]) -> str:
    """The company's wording with each ``{name}`` of ``values`` replaced.

    Plain replacement, not ``str.format``: a brace the company typed, or a placeholder we do not
    know, is printed as written instead of failing the whole notice.
    """
    for key, value in values.items():
        template = template.replace("{" + key + "}", value)
    return template


PrintDocument = ReceiptDoc | VoidSlipDoc | ShiftReportDoc | DailyReportDoc | ReminderNoticeDoc


def _require_sum(expected: Money, parts: Iterable[Money], where: str) -> None:
    """Refuse a document whose parts do not add up to the total it prints."""
    found = total(parts)
    if found != expected:
        raise IntegrityError_(
            "document_does_not_add_up",
            N_("The printed figures of {document} do not add up: {found} against {expected}."),
            document=where,
            found=found.yuan_text(),
            expected=expected.yuan_text(),
        )


def _require_copy_count(copy_count: int) -> None:
    """A copy count is 0 for the original and counts up on each reprint."""
    if copy_count < 0:
        raise InputError("copy_count_negative", N_("A reprint count cannot be negative."))


__all__ = [
    "AmountGroup",
    "AmountRow",
    "DailyReportDoc",
    "FeeLine",
    "PrintDocument",
    "PrintLabels",
    "ReceiptDoc",
    "ReminderNoticeDoc",
    "ShiftReportDoc",
    "TenderLine",
    "VoidSlipDoc",
    "fill_wording",
    "printed_money",
    "qr_payload",
    "reminder_body",
    "verification_code",
]
