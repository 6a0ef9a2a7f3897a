"""Printed documents in the cashier's language, and sending them to the printer after the commit.

The ledger answers with posted results (a payment, a void); this module turns them into the
printing package's documents, translating every fixed word here at the edge, and prints them
through the durable spool. :func:`print_document` blocks on the printer, so screens call it from a
thread worker; a failure comes back as a :class:`~feetui.printing.PrintFailure` to show, and the
job stays in the spool for a retry (the money is already posted either way).
"""

from __future__ import annotations

import logging
from datetime import date, tzinfo
from typing import TYPE_CHECKING

from feetui.config import Settings
from feetui.core.errors import FeeError
from feetui.core.receipt import (
    DailyReportDoc,
    FeeLine,
    PrintLabels,
    ReceiptDoc,
    ShiftReportDoc,
    VoidSlipDoc,
    verification_code,
)
from feetui.core.receipt import TenderLine as PrintedTender
from feetui.i18n import N_, _, format_datetime
from feetui.services.checkout import METHOD_LABELS
from feetui.services.counter import ReceiptView, void_slip_parts
from feetui.services.results import PaidTender, ReceiptLine
from feetui.services.voids import PostedVoid

if TYPE_CHECKING:
    from feetui.services.container import Services

log = logging.getLogger(__name__)

PREPAID_LINE = N_("Prepaid deposit")


def _labels() -> PrintLabels:
    return PrintLabels().translated(_)


def _fee_lines(lines: tuple[ReceiptLine, ...]) -> tuple[FeeLine, ...]:
    return tuple(FeeLine(line.fee_item_name, line.period, line.amount) for line in lines)


def _tenders(tenders: tuple[PaidTender, ...]) -> tuple[PrintedTender, ...]:
    printed = []
    for tender in tenders:
        is_cash = tender.method == "cash"
        printed.append(
            PrintedTender(
                method=_(METHOD_LABELS.get(tender.method, tender.method)),
                amount=tender.amount,
                reference=tender.reference,
                tendered=tender.tendered if is_cash else None,
                change=tender.change if is_cash else None,
                is_cash=is_cash,
            )
        )
    return tuple(printed)


def receipt_doc(
    view: ReceiptView, settings: Settings, tz: tzinfo, *, copy_count: int = 0
) -> ReceiptDoc:
    """The receipt of a posted payment (a copy when ``copy_count`` > 0, marked void if voided)."""
    payment = view.payment
    secret = settings.receipt_secret or payment.payment_id
    credit = payment.prepaid_credit
    extra = (FeeLine(_(PREPAID_LINE), "", credit),) if credit else ()
    return ReceiptDoc(
        company=settings.company_name,
        site=view.site_name,
        receipt_no=payment.receipt_no,
        printed_at=format_datetime(payment.created_at, tz),
        device_name=view.device_name,
        cashier=payment.cashier_name,
        unit_code=payment.unit_code,
        payer=payment.payer_name,
        lines=_fee_lines(payment.lines) + extra,
        late_fees=_fee_lines(payment.late_fees),
        total=payment.tendered_total,
        tenders=_tenders(payment.tenders),
        receipt_id=payment.payment_id,
        verification=verification_code(
            payment.payment_id, payment.receipt_no, payment.tendered_total, secret
        ),
        prepaid_after=payment.prepaid_balance_after,
        footer=settings.receipt_footer,
        copy_count=copy_count,
        is_void=view.is_void,
        labels=_labels(),
    )


def void_slip_doc(
    void: PostedVoid, original: ReceiptView, settings: Settings, tz: tzinfo
) -> VoidSlipDoc:
    """The slip of a posted void of the payment ``original`` shows.

    Site and counter are the original receipt's: the counter as the device record that took the
    payment names it (as the receipt and the reports do), never the config's ``device_name``.
    """
    lines, refunds = void_slip_parts(void, prepaid_label=_(PREPAID_LINE))
    return VoidSlipDoc(
        company=settings.company_name,
        site=original.site_name,
        receipt_no=void.payment_receipt_no,
        voided_at=format_datetime(void.created_at, tz),
        device_name=original.device_name,
        cashier=void.cashier_name,
        supervisor=void.supervisor_name,
        unit_code=void.unit_code,
        payer=void.payer_name,
        reason=void.reason,
        lines=_fee_lines(lines),
        total=void.total,
        refunds=_tenders(refunds),
        footer=settings.receipt_footer,
        labels=_labels(),
    )


async def daily_report_for(svc: Services) -> tuple[DailyReportDoc, date]:
    """Today's daily report (the counter's business date, every counter it knows of), to print.

    Raises:
        StorageError: the database could not be read.
    """
    from feetui.services.counter import counter_today
    from feetui.services.report_documents import daily_report_doc
    from feetui.services.reports import build_daily_report

    day = await counter_today(svc)
    report = await build_daily_report(svc, business_date=day)
    doc = daily_report_doc(
        report, company=svc.settings.company_name, tz=svc.tz, printed_at=svc.clock.now()
    )
    return doc, day


def print_document(
    doc: ReceiptDoc | VoidSlipDoc | ShiftReportDoc | DailyReportDoc,
    settings: Settings,
    *,
    document_id: str,
    kind: str,
    copy_count: int = 0,
) -> FeeError | None:
    """Render ``doc``, put it in the spool beside the database and send it (blocking).

    Returns:
        ``None`` when the printer took it, else the reason it did not print (the job waits in
        the spool for :func:`retry_pending`).
    """
    from feetui.printing import PrintProfile, PrintSpool, render_document

    try:
        data = render_document(doc, PrintProfile.from_settings(settings))
    except FeeError as error:
        log.error("cannot render %s %s: %s", kind, document_id, error.code)
        return error
    spool = PrintSpool.beside_database(settings.resolved_db_path())
    job = spool.enqueue(data, document_id=document_id, kind=kind, copy_count=copy_count)
    failure = spool.attempt(job, settings.printer)
    if failure is not None:
        log.warning("printing %s %s failed: %s", kind, document_id, failure.code)
    return failure


def retry_pending(settings: Settings) -> FeeError | None:
    """Send every job still waiting in the spool, oldest first; stop at the first failure."""
    from feetui.printing import PrintSpool

    spool = PrintSpool.beside_database(settings.resolved_db_path())
    for job in spool.pending():
        failure = spool.attempt(job, settings.printer)
        if failure is not None:
            return failure
    return None


def layout_text(doc: ReceiptDoc | VoidSlipDoc, columns: int) -> list[str]:
    """The document's lines as the paper shows them, for the screen."""
    from feetui.printing import layout_document

    return layout_document(doc, columns).text_lines()


__all__ = [
    "daily_report_for",
    "layout_text",
    "print_document",
    "receipt_doc",
    "retry_pending",
    "void_slip_doc",
]
