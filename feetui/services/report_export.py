"""Shift and daily reports as tables for the back office: aligned text, CSV and Excel (xlsx).

A report becomes a list of :class:`Section` values (a title, a header, rows of text, counts and
:class:`~feetui.core.money.Money`) in the current language; the three formats only lay them out.
Money is exact everywhere: CSV carries yuan text with two decimals, Excel a ``Decimal`` with a
``#,##0.00`` format (never a float). openpyxl is imported only when an xlsx is written.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from feetui.core.capitals import amount_in_capitals
from feetui.core.money import Money
from feetui.i18n import _
from feetui.services.reports import (
    METHOD_LABELS,
    MOVEMENT_LABELS,
    DailyReport,
    ShiftReport,
    Takings,
)

Cell = str | int | Money


@dataclass(frozen=True, slots=True)
class Section:
    """One block of a report: a title, column headings and rows."""

    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]


@dataclass(frozen=True, slots=True)
class Table:
    """A whole report ready to lay out: its title and sections."""

    title: str
    sections: tuple[Section, ...]


def _method(method: str) -> str:
    return _(METHOD_LABELS[method]) if method in METHOD_LABELS else method


def _crosstab(takings: Takings) -> Section:
    """Fee items down, methods across, totals on the right and at the bottom."""
    methods = [row.method for row in takings.methods]
    rows: list[tuple[Cell, ...]] = []
    for group in takings.groups:
        cells = {row.method: row.amount for row in group.rows}
        rows.append((group.title(_), *(cells.get(m, Money(0)) for m in methods), group.total))
    rows.append((_("Total"), *(row.amount for row in takings.methods), takings.total))
    header = (_("Fee item"), *(_method(m) for m in methods), _("Total"))
    return Section(_("By fee item"), header, tuple(rows))


def _by_method(takings: Takings) -> Section:
    rows = tuple((_method(m.method), m.amount, m.count) for m in takings.methods)
    return Section(_("By payment method"), (_("Method"), _("Amount"), _("Count")), rows)


def _pairs(title: str, pairs: Sequence[tuple[str, Cell]]) -> Section:
    return Section(title, (_("Item"), _("Value")), tuple(pairs))


def shift_table(report: ShiftReport, *, fmt_time: Callable) -> Table:
    """The shift report as sections in the current language, instants through ``fmt_time``."""
    head = [
        (_("Site"), report.site_name),
        (_("Counter"), report.device_name),
        (_("Cashier"), report.cashier),
        (_("Shift"), report.shift_no),
        (_("Business date"), report.business_date.isoformat()),
        (_("Opened"), fmt_time(report.opened_at)),
        (_("Closed"), fmt_time(report.closed_at) if report.closed_at else _("still open")),
    ]
    sections = [
        _pairs(_("Shift report"), head),
        _crosstab(report.takings),
        _by_method(report.takings),
        _receipts(report),
        _movements(report),
        _cash(report),
    ]
    if report.settlements:
        sections.append(_settlements(report))
    if report.handover is not None:
        sections.append(_handover(report, fmt_time))
    return Table(_("Shift report"), tuple(sections))


def _receipts(report: ShiftReport) -> Section:
    use, none = report.receipts, _("none")
    pairs: list[tuple[str, Cell]] = [
        (_("Receipts used"), f"{use.first} - {use.last}" if use.used else none),
        (_("Numbers used"), use.used),
        (_("Voided receipts"), ", ".join(use.voided) or none),
        (_("Numbers not accounted for"), ", ".join(use.unaccounted) or none),
        (_("Payments"), report.takings.payment_count),
        (_("Voids"), report.takings.void_count),
        (_("Voided amount"), report.takings.void_total),
        (_("Refunds"), report.refunds),
        (_("Waivers"), report.waivers),
    ]
    return _pairs(_("Receipts"), pairs)


def _movements(report: ShiftReport) -> Section:
    rows = tuple(
        (_(MOVEMENT_LABELS.get(m.kind, m.kind)), m.reason, m.slip_no, m.amount)
        for m in report.cash_movements
    )
    header = (_("Kind"), _("Details"), _("Slip no."), _("Amount"))
    return Section(_("Cash in and out"), header, rows)


def _cash(report: ShiftReport) -> Section:
    d = report.drawer
    pairs: list[tuple[str, Cell]] = [
        (_("Opening float"), d.opening_float),
        (_("Cash tendered"), d.cash_tendered),
        (_("Change given"), -d.change_given),
        (_("Cash refunds"), -d.cash_refunds),
        (_("Pay-ins"), d.pay_ins),
        (_("Pay-outs"), -d.pay_outs),
        (_("Bank deposits"), -d.deposits),
        (_("Expected cash"), report.expected),
    ]
    if report.counted is not None and report.over_short is not None:
        pairs += [
            (_("Counted cash"), report.counted),
            (_("Over (+) / short (-)"), report.over_short),
            (_("Note"), report.note),
        ]
    return _pairs(_("Cash"), pairs)


def _settlements(report: ShiftReport) -> Section:
    rows = tuple(
        (_method(s.method), s.recorded, s.slip if s.slip is not None else "", _diff(s.difference))
        for s in report.settlements
    )
    header = (_("Method"), _("Recorded"), _("Settlement slip"), _("Difference"))
    return Section(_("Settlement slips"), header, rows)


def _diff(value: Money | None) -> Cell:
    return "" if value is None else value


def _handover(report: ShiftReport, fmt_time: Callable) -> Section:
    h = report.handover
    assert h is not None
    pairs: list[tuple[str, Cell]] = [
        (_("Received by"), h.accepted_by),
        (_("Time"), fmt_time(h.accepted_at)),
        (_("Left in the drawer"), h.left),
        (_("Counted at handover"), h.counted),
        (_("Difference"), h.difference),
        (_("Note"), h.note),
    ]
    return _pairs(_("Handover"), pairs)


def daily_table(report: DailyReport) -> Table:
    """The daily report (收费日报表) as sections in the current language."""
    scope = report.device_name or _("{site} (all counters)").format(site=report.site_name)
    takings = report.takings
    head: list[tuple[str, Cell]] = [
        (_("Site"), report.site_name),
        (_("Business date"), report.business_date.isoformat()),
        (_("Scope"), scope),
    ]
    counters = tuple((c.name, c.amount, c.count) for c in report.counters)
    summary: list[tuple[str, Cell]] = [
        (_("Total"), takings.total),
        (_("In capitals"), amount_in_capitals(takings.total) if takings.total.fen >= 0 else ""),
        (_("Payments"), takings.payment_count),
        (_("Units served"), takings.units_served),
        (_("Voids"), takings.void_count),
        (_("Voided amount"), takings.void_total),
        (_("Refunds"), report.refunds),
        (_("Waivers"), report.waivers),
    ]
    counter_header = (_("Counter"), _("Amount"), _("Payments"))
    return Table(
        _("Daily collection report"),
        (
            _pairs(_("Daily collection report"), head),
            _crosstab(takings),
            _by_method(takings),
            Section(_("By counter"), counter_header, counters),
            _pairs(_("Summary"), summary),
        ),
    )


# ---------------------------------------------------------------------------------------------
# Formats


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text)


def _shown(cell: Cell) -> str:
    if isinstance(cell, Money):
        return cell.yuan_text(grouping=True)
    return str(cell)


def to_text(table: Table) -> str:
    """Aligned columns for a terminal: numbers right, text left, wide characters two columns."""
    out = [table.title, "=" * _width(table.title)]
    for section in table.sections:
        out.append("")
        if section.title != table.title:
            out += [section.title, "-" * _width(section.title)]
        rows: list[tuple[Cell, ...]] = [section.header, *section.rows]
        widths = [max(_width(_shown(row[i])) for row in rows) for i in range(len(section.header))]
        # A heading sits over its column the way the column's first figure does.
        first = section.rows[0] if section.rows else section.header
        aligned = zip(section.header, widths, first, strict=True)
        heads = tuple(_pad(h, w, _numeric(c)) for h, w, c in aligned)
        out.append("  ".join(heads).rstrip())
        for row in section.rows:
            cells = (_pad(c, w, _numeric(c)) for c, w in zip(row, widths, strict=True))
            out.append("  ".join(cells).rstrip())
    return "\n".join(out) + "\n"


def _numeric(cell: Cell) -> bool:
    return isinstance(cell, Money | int)


def _pad(cell: Cell, width: int, right: bool) -> str:
    text = _shown(cell)
    gap = " " * (width - _width(text))
    return gap + text if right else text + gap


def to_csv(table: Table) -> str:
    """One CSV row per table row, the section's title first; money as plain yuan (1234.50)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for section in table.sections:
        writer.writerow([section.title, *section.header])
        for row in section.rows:
            writer.writerow(
                [section.title, *(c.yuan_text() if isinstance(c, Money) else c for c in row)]
            )
    return buffer.getvalue()


def write_xlsx(table: Table, path: Path) -> None:
    """One worksheet with the sections one under another; money as exact decimals."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = table.title[:31]
    bold = Font(bold=True)
    sheet.append([table.title])
    sheet.cell(row=1, column=1).font = Font(bold=True, size=14)
    for section in table.sections:
        sheet.append([])
        sheet.append([section.title])
        sheet.cell(row=sheet.max_row, column=1).font = bold
        sheet.append(list(section.header))
        for cell in sheet[sheet.max_row]:
            cell.font = bold
        for row in section.rows:
            sheet.append([_excel(c) for c in row])
            for cell, value in zip(sheet[sheet.max_row], row, strict=False):
                if isinstance(value, Money):
                    cell.number_format = "#,##0.00"
    for column in sheet.columns:
        letter = column[0].column_letter
        longest = max((_width(_shown(c.value)) for c in column if c.value is not None), default=8)
        sheet.column_dimensions[letter].width = min(60, max(10, longest + 2))
    book.save(path)


def _excel(cell: Cell) -> object:
    if isinstance(cell, Money):
        return Decimal(cell.fen).scaleb(-2)
    return cell


__all__ = [
    "Section",
    "Table",
    "daily_table",
    "shift_table",
    "to_csv",
    "to_text",
    "write_xlsx",
]
