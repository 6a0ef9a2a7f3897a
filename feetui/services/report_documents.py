"""The printed shift slip and daily report: reports turned into ``feetui.core.receipt`` documents.

Built after the commit, in the reader's language (``_()`` here, never in core or printing). The
shift slip prints what the records say; a settlement slip that disagrees and the handover, when
they exist, are added to its note so a reprint tells the whole story.
"""

from __future__ import annotations

from datetime import datetime, tzinfo

from feetui.core.receipt import (
    AmountGroup,
    AmountRow,
    DailyReportDoc,
    PrintLabels,
    ShiftReportDoc,
)
from feetui.i18n import _, format_datetime, format_money
from feetui.services.reports import (
    METHOD_LABELS,
    MOVEMENT_LABELS,
    DailyReport,
    ShiftReport,
    Takings,
)


def _method(method: str) -> str:
    return _(METHOD_LABELS[method]) if method in METHOD_LABELS else method


def _groups(takings: Takings) -> tuple[AmountGroup, ...]:
    return tuple(
        AmountGroup(
            group.title(_),
            tuple(AmountRow(_method(r.method), r.amount, r.count) for r in group.rows),
            group.total,
        )
        for group in takings.groups
    )


def _methods(takings: Takings) -> tuple[AmountRow, ...]:
    return tuple(AmountRow(_method(m.method), m.amount, m.count) for m in takings.methods)


def shift_report_doc(
    report: ShiftReport, *, company: str, tz: tzinfo, printed_at: datetime, copy_count: int = 0
) -> ShiftReportDoc:
    """The shift slip (交班报表) of a report, for the printer.

    Args:
        report: the shift's report (closed: the slip is printed on close).
        company: the company name printed at the top.
        tz: the site's timezone, for the times printed.
        printed_at: now.
        copy_count: 0 for the slip printed on close, n for the n-th reprint.
    """
    counted = report.counted if report.counted is not None else report.expected
    return ShiftReportDoc(
        company=company,
        site=report.site_name,
        device_name=report.device_name,
        cashier=report.cashier,
        shift_no=report.shift_no,
        business_date=report.business_date.isoformat(),
        opened_at=format_datetime(report.opened_at, tz),
        closed_at=format_datetime(report.closed_at, tz) if report.closed_at else "",
        printed_at=format_datetime(printed_at, tz),
        fee_groups=_groups(report.takings),
        tender_totals=_methods(report.takings),
        total=report.takings.total,
        payment_count=report.takings.payment_count,
        receipt_first=report.receipts.first,
        receipt_last=report.receipts.last,
        receipts_used=report.receipts.used,
        voided_receipts=report.receipts.voided,
        refunds=report.refunds,
        waivers=report.waivers,
        cash_movements=tuple(
            _movement(m.kind, m.reason, m.slip_no, m.amount) for m in report.cash_movements
        ),
        opening_float=report.drawer.opening_float,
        expected_cash=report.expected,
        counted_cash=counted,
        note=_note(report, tz),
        copy_count=copy_count,
        labels=PrintLabels().translated(_),
    )


def _movement(kind: str, reason: str, slip_no: str, amount: object) -> AmountRow:
    words = " ".join(part for part in (reason, slip_no) if part)
    label = _(MOVEMENT_LABELS.get(kind, kind))
    return AmountRow(f"{label}: {words}" if words else label, amount)  # type: ignore[arg-type]


def _note(report: ShiftReport, tz: tzinfo) -> str:
    """The close note, then settlement slips that disagree, then the handover."""
    parts = [report.note] if report.note else []
    for line in report.settlements:
        if line.difference:
            parts.append(
                _("{method} settlement slip {slip}, recorded {recorded}").format(
                    method=_method(line.method),
                    slip=format_money(line.slip) if line.slip is not None else "",
                    recorded=format_money(line.recorded),
                )
            )
    if report.handover is not None:
        h = report.handover
        parts.append(
            _("Handed over {time}: {name} counted {counted} ({difference})").format(
                time=format_datetime(h.accepted_at, tz),
                name=h.accepted_by,
                counted=format_money(h.counted),
                difference=format_money(h.difference),
            )
            + (f" {h.note}" if h.note else "")
        )
    return "; ".join(parts)


def daily_report_doc(
    report: DailyReport, *, company: str, tz: tzinfo, printed_at: datetime, copy_count: int = 0
) -> DailyReportDoc:
    """The daily report (收费日报表) for the printer."""
    takings = report.takings
    scope = report.device_name or _("{site} (all counters)").format(site=report.site_name)
    return DailyReportDoc(
        company=company,
        site=report.site_name,
        business_date=report.business_date.isoformat(),
        scope=scope,
        printed_at=format_datetime(printed_at, tz),
        fee_groups=_groups(takings),
        tender_totals=_methods(takings),
        counter_totals=tuple(AmountRow(c.name, c.amount, c.count) for c in report.counters),
        total=takings.total,
        payment_count=takings.payment_count,
        units_served=takings.units_served,
        voids=AmountRow(_("Voids"), takings.void_total, takings.void_count),
        refunds=report.refunds,
        waivers=report.waivers,
        copy_count=copy_count,
        labels=PrintLabels().translated(_),
    )


__all__ = ["daily_report_doc", "shift_report_doc"]
