"""Printed documents laid out as blocks of text lines for 32-, 42- and 48-column paper.

Pure: a document from ``feetui.core.receipt`` goes in, a :class:`PrintLayout` comes out. Every
text line is already padded and aligned to the paper's width (so the layout does not depend on the
printer's own justification), amounts are right-aligned, and a double-size line holds at most half
the columns. Widths count a Chinese character as two columns (``feetui.printing.text``).
"""

from __future__ import annotations

from dataclasses import dataclass

from feetui.core.capitals import amount_in_capitals
from feetui.core.money import Money
from feetui.core.receipt import (
    AmountGroup,
    AmountRow,
    DailyReportDoc,
    FeeLine,
    PrintDocument,
    PrintLabels,
    ReceiptDoc,
    ReminderNoticeDoc,
    ShiftReportDoc,
    TenderLine,
    VoidSlipDoc,
    printed_money,
)
from feetui.printing.text import (
    centred,
    colon,
    display_width,
    labelled,
    pad_left,
    pad_right,
    pair,
    truncate,
    wrap,
)

COLUMN_CHOICES = (32, 42, 48)
# Below this many columns a fee line's period goes on a line of its own.
WIDE_TABLE_COLUMNS = 42


@dataclass(frozen=True, slots=True)
class TextLine:
    """One printed line, already laid out; ``double`` prints it at twice the width and height."""

    text: str
    bold: bool = False
    double: bool = False


@dataclass(frozen=True, slots=True)
class QrBlock:
    """A QR code printed by the printer itself, centred."""

    payload: str
    size: int = 5


Block = TextLine | QrBlock


@dataclass(frozen=True, slots=True)
class PrintLayout:
    """A document ready to render: its blocks, and whether to kick the drawer and cut."""

    columns: int
    blocks: tuple[Block, ...]
    kick_drawer: bool = False
    cut: bool = True

    def text_lines(self) -> list[str]:
        """The text of every line, for logs and screens (QR codes shown as ``[QR payload]``)."""
        return [b.text if isinstance(b, TextLine) else f"[QR {b.payload}]" for b in self.blocks]


class _Builder:
    """Collects the blocks of one document for a paper width."""

    def __init__(self, columns: int) -> None:
        if columns not in COLUMN_CHOICES:
            raise ValueError(f"printer columns must be one of {COLUMN_CHOICES}, not {columns}")
        self.columns = columns
        self.blocks: list[Block] = []

    def lines(self, lines: list[str], *, bold: bool = False) -> None:
        self.blocks.extend(TextLine(line, bold=bold) for line in lines)

    def centre(self, text: str, *, bold: bool = False) -> None:
        if text:
            self.lines(centred(text, self.columns), bold=bold)

    def title(self, text: str) -> None:
        # Double size: each column is two columns wide, so there is half the room.
        for line in centred(text, self.columns // 2):
            self.blocks.append(TextLine(line, bold=True, double=True))

    def rule(self, char: str = "-") -> None:
        self.blocks.append(TextLine(char * self.columns))

    def field(self, label: str, value: str) -> None:
        self.lines(labelled(label, value, self.columns))

    def money(self, label: str, amount: Money, *, bold: bool = False) -> None:
        self.lines(pair(label, printed_money(amount), self.columns), bold=bold)

    def count(self, label: str, number: int) -> None:
        self.lines(pair(label, str(number), self.columns))

    def qr(self, payload: str) -> None:
        self.blocks.append(QrBlock(payload, size=4 if self.columns < WIDE_TABLE_COLUMNS else 6))

    def feed(self) -> None:
        self.blocks.append(TextLine(""))

    def build(self, *, kick_drawer: bool = False) -> PrintLayout:
        return PrintLayout(self.columns, tuple(self.blocks), kick_drawer=kick_drawer)


def _heading(b: _Builder, company: str, site: str, title: str) -> None:
    b.centre(company, bold=True)
    b.centre(site)
    b.title(title)


def _copy_mark(b: _Builder, copy_count: int, labels: PrintLabels) -> None:
    if copy_count:
        b.centre(labels.copy_mark.replace("{count}", str(copy_count)), bold=True)


def _fee_table(
    b: _Builder, lines: tuple[FeeLine, ...], labels: PrintLabels, *, header: bool = True
) -> None:
    """Fee lines as a table: name | period | amount on wide paper, two lines each on narrow."""
    if b.columns < WIDE_TABLE_COLUMNS:
        if header:
            b.lines(pair(labels.item, labels.amount, b.columns))
        for line in lines:
            b.lines(pair(line.name, printed_money(line.amount), b.columns))
            if line.period:
                b.lines(["  " + truncate(line.period, b.columns - 2)])
        return
    amounts = [printed_money(line.amount) for line in lines]
    amount_w = max(display_width(text) for text in [labels.amount, *amounts])
    # The period column is as wide as its longest entry, but always leaves half the line for names.
    period_w = max(display_width(text) for text in [labels.period, *(ln.period for ln in lines)])
    period_w = min(period_w, (b.columns - amount_w) // 2)
    name_w = b.columns - amount_w - period_w - 2
    if header:
        b.lines([_row([labels.item, labels.period, labels.amount], (name_w, period_w, amount_w))])
    for line in lines:
        name_lines = wrap(line.name, name_w)
        cells = [name_lines[0], line.period, printed_money(line.amount)]
        b.lines([_row(cells, (name_w, period_w, amount_w))])
        b.lines(name_lines[1:])


def _row(cells: list[str], widths: tuple[int, int, int]) -> str:
    name, period, amount = cells
    name_w, period_w, amount_w = widths
    left = pad_right(truncate(name, name_w), name_w) + " " + truncate(period, period_w)
    return pad_right(left, name_w + 1 + period_w) + " " + pad_left(amount, amount_w)


def _section(b: _Builder, title: str, lines: tuple[FeeLine, ...], labels: PrintLabels) -> None:
    if lines:
        b.lines([title], bold=True)
        _fee_table(b, lines, labels, header=False)


def _tenders(b: _Builder, tenders: tuple[TenderLine, ...], labels: PrintLabels) -> None:
    for tender in tenders:
        b.money(tender.method, tender.amount)
        if tender.reference:
            b.lines(_reference(labels.reference, tender.reference, b.columns))
        if tender.tendered is not None:
            b.money("  " + labels.tendered, tender.tendered)
        if tender.change is not None:
            b.money("  " + labels.change, tender.change)


def _reference(label: str, reference: str, columns: int) -> list[str]:
    """A tender's reference under its label. A provider's transaction id (28-32 characters) does
    not fit beside the label on 58 mm paper: it then gets a line of its own, unbroken, so that it
    can be read out or matched against the provider's bill."""
    lines = labelled("  " + label, reference, columns)
    if len(lines) == 1 or display_width(reference) > columns - 4:
        return lines
    return [*labelled("  " + label, "", columns), "    " + reference]


def layout_receipt(doc: ReceiptDoc, columns: int) -> PrintLayout:
    """A receipt (收据) for ``columns``-wide paper."""
    b, lab = _Builder(columns), doc.labels
    _heading(b, doc.company, doc.site, lab.receipt_title)
    _copy_mark(b, doc.copy_count, lab)
    if doc.is_void:
        b.title(lab.void_mark)
    for label, value in (
        (lab.receipt_no, doc.receipt_no),
        (lab.printed_at, doc.printed_at),
        (lab.counter, doc.device_name),
        (lab.cashier, doc.cashier),
        (lab.unit, doc.unit_code),
        (lab.payer, doc.payer),
    ):
        b.field(label, value)
    b.rule()
    _fee_table(b, doc.lines, lab)
    _section(b, lab.late_fees, doc.late_fees, lab)
    _section(b, lab.adjustments, doc.adjustments, lab)
    b.rule()
    b.money(lab.total, doc.total, bold=True)
    b.field(lab.capitals, doc.total_in_capitals)
    b.rule()
    b.lines([lab.tenders], bold=True)
    _tenders(b, doc.tenders, lab)
    if doc.prepaid_after is not None:
        b.money(lab.prepaid_after, doc.prepaid_after)
    b.rule()
    b.qr(doc.qr)
    b.centre(f"{lab.check_code} {doc.verification}")
    b.centre(doc.footer)
    return b.build(kick_drawer=doc.kicks_drawer)


def layout_void_slip(doc: VoidSlipDoc, columns: int) -> PrintLayout:
    """A void slip (作废凭证) for ``columns``-wide paper."""
    b, lab = _Builder(columns), doc.labels
    _heading(b, doc.company, doc.site, lab.void_title)
    _copy_mark(b, doc.copy_count, lab)
    for label, value in (
        (lab.voided_receipt, doc.receipt_no),
        (lab.voided_at, doc.voided_at),
        (lab.counter, doc.device_name),
        (lab.cashier, doc.cashier),
        (lab.supervisor, doc.supervisor),
        (lab.unit, doc.unit_code),
        (lab.payer, doc.payer),
        (lab.reason, doc.reason),
    ):
        b.field(label, value)
    b.rule()
    _fee_table(b, doc.lines, lab)
    b.rule()
    b.money(lab.void_total, doc.total, bold=True)
    b.field(lab.capitals, doc.total_in_capitals)
    b.rule()
    b.lines([lab.refunded_by], bold=True)
    _tenders(b, doc.refunds, lab)
    b.centre(doc.footer)
    return b.build()


def _groups(b: _Builder, title: str, groups: tuple[AmountGroup, ...]) -> None:
    b.lines([title], bold=True)
    for group in groups:
        b.money(group.title, group.total)
        for row in group.rows:
            b.money("  " + _row_label(row), row.amount)


def _rows(b: _Builder, title: str, rows: tuple[AmountRow, ...], labels: PrintLabels) -> None:
    b.lines([title], bold=True)
    if not rows:
        b.lines(["  " + labels.none])
    for row in rows:
        b.money(_row_label(row), row.amount)


def _row_label(row: AmountRow) -> str:
    return row.label if row.count is None else f"{row.label} ({row.count})"


def _signature(b: _Builder, label: str) -> None:
    prefix = label + colon(label)
    b.lines([prefix + "_" * max(4, b.columns - display_width(prefix))])


def layout_shift_report(doc: ShiftReportDoc, columns: int) -> PrintLayout:
    """A shift report (交班报表) for ``columns``-wide paper."""
    b, lab = _Builder(columns), doc.labels
    _heading(b, doc.company, doc.site, lab.shift_title)
    _copy_mark(b, doc.copy_count, lab)
    for label, value in (
        (lab.counter, doc.device_name),
        (lab.cashier, doc.cashier),
        (lab.shift_no, doc.shift_no),
        (lab.business_date, doc.business_date),
        (lab.opened_at, doc.opened_at),
        (lab.closed_at, doc.closed_at),
        (lab.printed_at, doc.printed_at),
    ):
        b.field(label, value)
    b.rule()
    _groups(b, lab.by_fee_item, doc.fee_groups)
    b.rule()
    _rows(b, lab.by_tender, doc.tender_totals, lab)
    b.money(lab.total, doc.total, bold=True)
    b.count(lab.payment_count, doc.payment_count)
    b.rule()
    used = f"{doc.receipt_first} - {doc.receipt_last} ({doc.receipts_used})"
    b.field(lab.receipts_used, used if doc.receipts_used else lab.none)
    b.field(lab.voided_receipts, ", ".join(doc.voided_receipts) or lab.none)
    b.money(lab.refunds, doc.refunds)
    b.money(lab.waivers, doc.waivers)
    _rows(b, lab.cash_movements, doc.cash_movements, lab)
    b.rule()
    b.money(lab.opening_float, doc.opening_float)
    b.money(lab.expected_cash, doc.expected_cash)
    b.money(lab.counted_cash, doc.counted_cash)
    sign = "+" if doc.over_short.fen > 0 else ""
    b.lines(pair(lab.over_short, sign + printed_money(doc.over_short), columns), bold=True)
    if doc.note:
        b.field(lab.note, doc.note)
    b.feed()
    _signature(b, lab.handed_over_by)
    b.feed()
    _signature(b, lab.received_by)
    return b.build()


def layout_daily_report(doc: DailyReportDoc, columns: int) -> PrintLayout:
    """A daily collection report (收费日报表) for ``columns``-wide paper."""
    b, lab = _Builder(columns), doc.labels
    _heading(b, doc.company, doc.site, lab.daily_title)
    _copy_mark(b, doc.copy_count, lab)
    b.field(lab.business_date, doc.business_date)
    b.field(lab.scope, doc.scope)
    b.field(lab.printed_at, doc.printed_at)
    b.rule()
    _groups(b, lab.by_fee_item, doc.fee_groups)
    b.rule()
    _rows(b, lab.by_tender, doc.tender_totals, lab)
    b.rule()
    _rows(b, lab.by_counter, doc.counter_totals, lab)
    b.rule()
    b.money(lab.total, doc.total, bold=True)
    b.field(lab.capitals, doc.total_in_capitals)
    b.count(lab.payment_count, doc.payment_count)
    b.count(lab.units_served, doc.units_served)
    b.money(_row_label(doc.voids), doc.voids.amount)
    b.money(lab.refunds, doc.refunds)
    b.money(lab.waivers, doc.waivers)
    return b.build()


def layout_reminder_notice(doc: ReminderNoticeDoc, columns: int) -> PrintLayout:
    """An arrears reminder notice (催缴通知单) for ``columns``-wide paper."""
    b, lab = _Builder(columns), doc.labels
    _heading(b, doc.company, doc.site, lab.reminder_title)
    _copy_mark(b, doc.copy_count, lab)
    if doc.notice_no:
        b.field(lab.notice_no, doc.notice_no)
    b.field(lab.unit, doc.unit_code)
    b.field(lab.owner, doc.owner)
    b.field(lab.as_of, doc.as_of)
    b.rule()
    b.lines(wrap(doc.body, columns))
    b.rule()
    _fee_table(b, doc.lines, lab)
    b.rule()
    b.money(lab.amount_owed, doc.total, bold=True)
    b.field(lab.capitals, doc.total_in_capitals)
    if doc.deadline:
        b.field(lab.pay_by, doc.deadline)
    if doc.contact:
        b.field(lab.contact, doc.contact)
    b.field(lab.printed_at, doc.printed_at)
    b.centre(doc.footer)
    return b.build()


def layout_document(doc: PrintDocument, columns: int) -> PrintLayout:
    """Lay out any printable document for ``columns``-wide paper.

    Args:
        doc: a receipt, void slip, shift report, daily report or reminder notice.
        columns: characters per line: 32, 42 or 48.

    Returns:
        The laid-out document.

    Raises:
        ValueError: ``columns`` is not one we lay out for.
        TypeError: ``doc`` is not a printable document.
    """
    for kind, layout in _LAYOUTS:
        if isinstance(doc, kind):
            return layout(doc, columns)  # type: ignore[operator]
    raise TypeError(f"cannot lay out {type(doc).__name__}")


_LAYOUTS = (
    (ReceiptDoc, layout_receipt),
    (VoidSlipDoc, layout_void_slip),
    (ShiftReportDoc, layout_shift_report),
    (DailyReportDoc, layout_daily_report),
    (ReminderNoticeDoc, layout_reminder_notice),
)


@dataclass(frozen=True, slots=True)
class PrinterTestPage:
    """The words of the printer test page, already translated by the caller."""

    title: str
    columns_note: str
    chinese_sample: str
    latin_sample: str
    amount_label: str
    qr_note: str
    qr_payload: str


def layout_test_page(page: PrinterTestPage, columns: int) -> PrintLayout:
    """A test page: a ruler of the configured width, Chinese and Latin text, a QR code.

    The ruler's last digit must be the last character on the paper's line: if it wraps, the
    columns setting is too wide for the printer; if it stops short, too narrow.
    """
    b = _Builder(columns)
    b.title(page.title)
    b.lines(wrap(page.columns_note, columns))
    b.lines(["".join(str(i // 10 % 10) if i % 10 == 0 else "." for i in range(1, columns + 1))])
    b.lines(["".join(str(i % 10) for i in range(1, columns + 1))])
    b.lines(["中" * (columns // 2)])
    b.rule()
    b.lines(wrap(page.chinese_sample, columns))
    b.lines(wrap(page.latin_sample, columns))
    sample = Money(168032)
    b.money(page.amount_label, sample, bold=True)
    b.lines(wrap(amount_in_capitals(sample), columns))
    b.rule()
    b.qr(page.qr_payload)
    b.centre(page.qr_note)
    return b.build(kick_drawer=True)


__all__ = [
    "COLUMN_CHOICES",
    "Block",
    "PrintLayout",
    "PrinterTestPage",
    "QrBlock",
    "TextLine",
    "layout_daily_report",
    "layout_document",
    "layout_receipt",
    "layout_reminder_notice",
    "layout_shift_report",
    "layout_test_page",
    "layout_void_slip",
]
