"""``feetui report arrears``: the arrears list with age-bucket totals and the collection rate of
the last 12 months, as text, CSV or an Excel workbook.

The database is opened without the instance lock: the report only reads, and SQLite's WAL lets it
read while the counter app is running.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import sys
import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

FORMATS = ("text", "csv", "xlsx")


def register_report(reports: Any) -> None:
    """Add ``arrears`` to the ``report`` command (imports nothing heavy)."""
    from feetui.cli import add_global_options
    from feetui.i18n import _

    parser = reports.add_parser(
        "arrears",
        help=_("units in arrears, age-bucket totals and the collection rate"),
        description=_(
            "Units that owe overdue charges as of a date, aged (≤30, 31–90, 91–180, "
            ">180 days), with their last follow-up and promise; totals per age bucket; and the "
            "collection rate of the last 12 months."
        ),
    )
    add_global_options(parser)
    parser.add_argument("--as-of", type=_date, help=_("report date YYYY-MM-DD (default today)"))
    parser.add_argument("--format", choices=FORMATS, default="text", help=_("output format"))
    parser.add_argument("--out", help=_("file to write (required for xlsx; stdout otherwise)"))
    parser.add_argument("--building", help=_("only this building"))
    parser.add_argument("--fee-item", help=_("only this fee item code"))
    parser.add_argument("--bucket", choices=("d30", "d90", "d180", "over180"), help=_("age bucket"))
    parser.add_argument("--reason", help=_("reason code of the last follow-up ('none': never)"))
    parser.add_argument("--sort", choices=("amount", "age"), default="amount")
    parser.set_defaults(func=run)


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"not a date YYYY-MM-DD: {text!r}") from error


@dataclass(frozen=True, slots=True)
class ReportData:
    """What the report shows, read from the database."""

    arrears: Any
    """An :class:`~feetui.db.queries.arrears_list.ArrearsList`."""
    rates: list[Any]
    """Site-wide :class:`~feetui.core.arrears.CollectionRate` per month, oldest first."""


def run(args: argparse.Namespace) -> int:
    """Read the report and write it; 0 on success, 1 with the reason on stderr otherwise."""
    from feetui.cli import settings_from_args
    from feetui.core.errors import FeeError
    from feetui.i18n import _, tr_error

    settings = settings_from_args(args)
    if args.format == "xlsx" and not args.out:
        print(_("An Excel report needs --out FILE."), file=sys.stderr)
        return 1
    try:
        data, as_of = asyncio.run(_read(settings, args))
        output = render(data, as_of, args.format)
    except FeeError as error:
        print(
            _("The report was not made: {reason}").format(reason=tr_error(error)), file=sys.stderr
        )
        return 1
    _write(output, args.out)
    return 0


async def _read(settings: Any, args: argparse.Namespace) -> tuple[ReportData, date]:
    from feetui.clock import SystemClock, business_date, zone
    from feetui.db.connection import close_db, open_db
    from feetui.db.queries.arrears_list import ArrearsFilter, list_arrears
    from feetui.db.queries.collection_rate import list_collection_rates

    as_of = args.as_of or business_date(SystemClock().now(), zone(settings.timezone))
    db = await open_db(settings.resolved_db_path(), create=False, lock=False)
    try:
        flt = ArrearsFilter(args.building, args.fee_item, args.bucket, args.reason, args.sort)
        arrears = await list_arrears(as_of, flt)
        rates = await list_collection_rates(as_of, months=12, by="site")
    finally:
        await close_db(db)
    return ReportData(arrears, rates), as_of


def _write(output: str | bytes, out: str | None) -> None:
    if out is None:
        sys.stdout.write(output if isinstance(output, str) else output.decode())
        return
    Path(out).write_bytes(output if isinstance(output, bytes) else output.encode("utf-8-sig"))


def render(data: ReportData, as_of: date, fmt: str) -> str | bytes:
    """The report in ``fmt`` (``text`` or ``csv`` give text; ``xlsx`` gives bytes)."""
    if fmt == "csv":
        return _csv(data)
    if fmt == "xlsx":
        return _xlsx(data, as_of)
    return _text(data, as_of)


def _headers() -> list[str]:
    from feetui.i18n import _

    return [
        _("Unit"), _("Owner"), _("Building"), _("Owed"), _("Late fees"), _("Oldest due"),
        _("Days"), _("Age"), _("Fee items"), _("Last follow-up"), _("Promise"), _("Tags"),
    ]  # fmt: skip


def _cells(row: Any) -> list[Any]:
    """One unit's cells, money as Money (formatted by each writer)."""
    from feetui.core.arrears import AGE_BUCKETS, PROMISE_LABELS, label_of
    from feetui.core.tags import tag_label
    from feetui.i18n import _

    buckets = {b.code: b.label for b in AGE_BUCKETS}
    return [
        row.unit_code,
        row.owner_name,
        row.building,
        row.owed,
        row.late_fees,
        row.oldest_due.isoformat(),
        row.age_days,
        _(buckets.get(row.bucket, row.bucket)),
        " ".join(row.fee_items),
        _last_text(row.last, label_of, _),
        _promise_text(row.last, PROMISE_LABELS, _),
        " ".join(_(tag_label(t)) for t in row.tags),
    ]


def _last_text(last: Any, label_of: Any, _: Any) -> str:
    from feetui.core.arrears import CHANNELS, REASONS

    if last is None:
        return ""
    reason = _(label_of(REASONS, last.reason))
    if last.reason_detail:
        reason += f"（{last.reason_detail}）"
    return f"{last.contacted_on.isoformat()} {_(label_of(CHANNELS, last.channel))} {reason}"


def _promise_text(last: Any, labels: dict[str, str], _: Any) -> str:
    from feetui.i18n import format_money

    if last is None or last.promise is None:
        return ""
    when = last.promised_date.isoformat()
    return f"{when} {format_money(last.promised_amount)} {_(labels[last.promise])}"


def _csv(data: ReportData) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(_headers())
    for row in data.arrears.rows:
        cells = _cells(row)
        writer.writerow([c.yuan_text() if hasattr(c, "yuan_text") else c for c in cells])
    return buffer.getvalue()


def width(text: str) -> int:
    """Terminal columns of ``text`` (CJK wide and full-width characters take two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, columns: int, right: bool = False) -> str:
    space = " " * max(columns - width(text), 0)
    return space + text if right else text + space


def _table(headers: list[str], rows: list[list[str]], numeric: set[int]) -> list[str]:
    widths = [max(width(str(r[i])) for r in [headers, *rows]) for i in range(len(headers))]
    lines = []
    for r in [headers, *rows]:
        cells = [_pad(str(c), widths[i], i in numeric) for i, c in enumerate(r)]
        lines.append("  ".join(cells).rstrip())
    return lines


def _text(data: ReportData, as_of: date) -> str:
    from feetui.core.arrears import AGE_BUCKETS, percent_text
    from feetui.i18n import _, format_money

    arrears = data.arrears
    lines = [_("Arrears as of {date}").format(date=as_of.isoformat()), ""]
    rows = [[format_money(c) if hasattr(c, "yuan_text") else str(c) for c in _cells(r)]
            for r in arrears.rows]  # fmt: skip
    lines += _table(_headers(), rows, {3, 4, 6}) if rows else [_("No unit owes overdue fees.")]
    lines += ["", _("Units: {count}").format(count=arrears.unit_count)]
    lines += [f"{_(b.label)}: {format_money(arrears.bucket_totals[b.code])}" for b in AGE_BUCKETS]
    lines += [_("Total owed: {total}").format(total=format_money(arrears.total)), ""]
    lines.append(_("Collection rate, last 12 months"))
    rate_rows = [
        [r.period, format_money(r.billed), format_money(r.collected), percent_text(r.rate_bp),
         format_money(r.prior_collected)]
        for r in data.rates
    ]  # fmt: skip
    headers = [_("Month"), _("Billed"), _("Collected"), _("Rate"), _("Prior arrears collected")]
    lines += _table(headers, rate_rows, {1, 2, 3, 4})
    return "\n".join(lines) + "\n"


def _yuan(amount: Any) -> Decimal:
    return Decimal(amount.fen) / 100


def _xlsx(data: ReportData, as_of: date) -> bytes:
    from openpyxl import Workbook

    from feetui.i18n import _

    book = Workbook()
    sheet = book.active
    sheet.title = _("Arrears")
    sheet.append(_headers())
    for row in data.arrears.rows:
        sheet.append([_yuan(c) if hasattr(c, "yuan_text") else c for c in _cells(row)])
    for cells in sheet.iter_rows(min_row=2, min_col=4, max_col=5):
        for cell in cells:
            cell.number_format = "#,##0.00"
    rates = book.create_sheet(_("Collection rate"))
    rates.append([_("Month"), _("Billed"), _("Collected"), _("Rate"), _("Prior arrears collected")])
    for r in data.rates:
        rate = Decimal(r.rate_bp) / 10_000 if r.rate_bp is not None else None
        rates.append(
            [r.period, _yuan(r.billed), _yuan(r.collected), rate, _yuan(r.prior_collected)]
        )
        rates.cell(rates.max_row, 4).number_format = "0.00%"
    book.properties.title = _("Arrears as of {date}").format(date=as_of.isoformat())
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


__all__ = ["FORMATS", "ReportData", "register_report", "render", "run", "width"]
