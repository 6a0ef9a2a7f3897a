"""The reminder notice (催缴通知单) as a sheet: what one unit owes as of a date, charge by charge.

The rule: a notice itemises every charge due by its date that still owes, one row each with the
amount outstanding, the late fee counted to that date and their subtotal; its total is the sum of
the subtotals, to the fen (a sheet whose rows and total disagree cannot be built). Its number is
the day it was made and the unit's code (``20261123-3-2-1502``): the same unit's notice made
twice on one day is the same notice, and no counter needs a number series for it. The date it
asks to be paid by is a configured number of days after the later of the day it was made and the
day it counts to.

Pure values: the service reads the ledger and builds them; ``feetui.printing.pdf_notice`` draws
them on A4, and :meth:`ReminderSheet.receipt_doc` turns one into the receipt printer's notice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from feetui.core.capitals import amount_in_capitals
from feetui.core.errors import N_, IntegrityError_
from feetui.core.money import Money, total
from feetui.core.receipt import (
    FeeLine,
    PrintLabels,
    ReminderNoticeDoc,
    reminder_body,
)


@dataclass(frozen=True, slots=True)
class ReminderItem:
    """One charge on a notice: its fee item, its period, what it still owes and its late fee."""

    name: str
    period: str
    amount: Money
    """The charge's outstanding amount."""
    late_fee: Money
    """Its late fee counted to the notice's date (not yet posted or waived)."""

    @property
    def subtotal(self) -> Money:
        """Amount and late fee together."""
        return self.amount + self.late_fee


@dataclass(frozen=True, slots=True)
class ReminderSheet:
    """A reminder notice of one unit, ready to draw (every text already in the reader's language).

    ``wording`` is the company's template (``reminder_wording`` in the config) with the
    placeholders ``{owner}``, ``{unit}``, ``{as_of}``, ``{total}``, ``{total_capitals}``,
    ``{deadline}`` and ``{notice_no}``; empty means the translated default.
    """

    company: str
    site: str
    notice_no: str
    issued_on: str
    as_of: str
    unit_code: str
    owner: str
    items: tuple[ReminderItem, ...]
    total: Money
    deadline: str = ""
    wording: str = ""
    contact: str = ""
    labels: PrintLabels = field(default_factory=PrintLabels)

    def __post_init__(self) -> None:
        found = total(item.subtotal for item in self.items)
        if found != self.total:
            raise IntegrityError_(
                "document_does_not_add_up",
                N_("The printed figures of {document} do not add up: {found} against {expected}."),
                document=self.notice_no,
                found=found.yuan_text(),
                expected=self.total.yuan_text(),
            )

    @property
    def amounts(self) -> Money:
        """The outstanding amounts, late fees left out."""
        return total(item.amount for item in self.items)

    @property
    def late_fees(self) -> Money:
        """The late fees together."""
        return total(item.late_fee for item in self.items)

    @property
    def total_in_capitals(self) -> str:
        """The total in Chinese financial capitals."""
        return amount_in_capitals(self.total)

    @property
    def body(self) -> str:
        """The company's wording with its placeholders filled."""
        return reminder_body(self)

    def receipt_doc(self, *, printed_at: str, copy_count: int = 0) -> ReminderNoticeDoc:
        """The same notice for the receipt printer: one line per charge and one per late fee."""
        lines: list[FeeLine] = []
        for item in self.items:
            lines.append(FeeLine(item.name, item.period, item.amount))
            if item.late_fee:
                lines.append(FeeLine(self.labels.late_fees, item.period, item.late_fee))
        return ReminderNoticeDoc(
            company=self.company,
            site=self.site,
            unit_code=self.unit_code,
            owner=self.owner,
            as_of=self.as_of,
            lines=tuple(lines),
            total=self.total,
            printed_at=printed_at,
            contact=self.contact,
            wording=self.wording,
            copy_count=copy_count,
            labels=self.labels,
            deadline=self.deadline,
            notice_no=self.notice_no,
        )


def notice_number(issued_on: date, unit_code: str) -> str:
    """The number of a unit's notice made on ``issued_on``: ``20261123-3-2-1502``."""
    return f"{issued_on:%Y%m%d}-{unit_code}"


def pay_by(issued_on: date, as_of: date, days: int) -> date | None:
    """The date a notice asks to be paid by: ``days`` after the later of its two dates.

    Args:
        issued_on: the day the notice is made.
        as_of: the day it counts what is owed to.
        days: the company's period to pay; 0 or less means the notice names no date.

    Returns:
        The date, or ``None``.
    """
    if days <= 0:
        return None
    return max(issued_on, as_of) + timedelta(days=days)


__all__ = ["ReminderItem", "ReminderSheet", "notice_number", "pay_by"]
