"""``feetui report reminders``: reminder notices (催缴通知单) as one A4 PDF, or as text.

    feetui report reminders --as-of 2026-11-23 --building 3 --out 3栋催缴.pdf
    feetui report reminders --unit 3-2-1502 --unit 3-2-1503 --out notices.pdf
    feetui report reminders --as-of 2026-11-23 --format text

The units are chosen as ``report arrears`` chooses them (``--building``, ``--fee-item``,
``--bucket``, ``--reason``, ``--sort``; every unit, not only the first 200), or named with
``--unit`` (one or more; not with the filters). Each notice itemises everything its unit owes as
of the date: the filters choose units, not charges. A unit that owes nothing due by then gets no
notice, and a line on stderr says so. ``--format text`` writes the receipt printer's notices as
plain text (to stdout without ``--out``). A file is written whole or not at all. The database is
opened without the instance lock: the command only reads.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import date
from pathlib import Path
from typing import Any

FORMATS = ("pdf", "text")
TEXT_COLUMNS = 48


def register_report(reports: Any) -> None:
    """Add ``reminders`` to the ``report`` command (imports nothing heavy)."""
    from feetui.cli import add_global_options
    from feetui.i18n import _

    parser = reports.add_parser(
        "reminders",
        help=_("reminder notices (催缴通知单) as a PDF for a sheet printer, or as text"),
        description=_(
            "One reminder notice per unit in arrears, itemising what it owes as of a "
            "date in the company's wording (reminder_wording in the config): an A4 PDF with one "
            "sheet per unit, or the receipt printer's notices as text."
        ),
    )
    add_global_options(parser)
    parser.add_argument("--as-of", help=_("count to this date YYYY-MM-DD (default today)"))
    parser.add_argument("--format", choices=FORMATS, default="pdf", help=_("output format"))
    parser.add_argument("--out", help=_("file to write (required for pdf; stdout for text)"))
    parser.add_argument("--unit", action="append", help=_("this unit's room code (repeatable)"))
    parser.add_argument("--building", help=_("only this building"))
    parser.add_argument("--fee-item", help=_("only units owing this fee item code"))
    parser.add_argument("--bucket", choices=("d30", "d90", "d180", "over180"), help=_("age bucket"))
    parser.add_argument("--reason", help=_("reason code of the last follow-up ('none': never)"))
    parser.add_argument("--sort", choices=("amount", "age"), default="amount")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Build the notices and write them.

    Returns:
        0 when at least one notice was written; 1 with the reason on stderr for bad arguments,
        a database that cannot be read, no unit to remind, or a file that cannot be written
        (nothing is written then).
    """
    from feetui.cli import settings_from_args
    from feetui.core.errors import FeeError
    from feetui.i18n import _, tr_error

    settings = settings_from_args(args)
    problem = _argument_problem(args)
    if problem:
        print(problem, file=sys.stderr)
        return 1
    try:
        batch = asyncio.run(_build(settings, args))
        for skipped in batch.skipped:
            print(tr_error(skipped.error), file=sys.stderr)
        if not batch.sheets:
            print(_("No unit owes anything: no notice was written."), file=sys.stderr)
            return 1
        written = _write(batch.sheets, args.format, args.out)
    except FeeError as error:
        print(_("No notice was written: {reason}").format(reason=tr_error(error)), file=sys.stderr)
        return 1
    if written is not None:
        count = len(batch.sheets)
        print(_("{count} reminder notices written to {path}").format(count=count, path=written))
    return 0


def _argument_problem(args: argparse.Namespace) -> str:
    """What is wrong with the arguments as given, in the user's language, or ``""``."""
    from feetui.i18n import _

    if args.format == "pdf" and not args.out:
        return _("A PDF needs --out FILE.")
    filters = (args.building, args.fee_item, args.bucket, args.reason)
    if args.unit and any(filters):
        return _("Name units with --unit or choose them with the filters, not both.")
    return ""


async def _build(settings: Any, args: argparse.Namespace) -> Any:
    from feetui.commands.shift_report import parse_date
    from feetui.core.receipt import PrintLabels
    from feetui.db.connection import close_db, open_db
    from feetui.db.queries.arrears_list import ArrearsFilter
    from feetui.i18n import _
    from feetui.services.container import Services
    from feetui.services.followups import today
    from feetui.services.reminders import (
        build_reminder_sheets,
        find_reminder_units,
        find_units_by_code,
    )

    as_of: date | None = parse_date(args.as_of) if args.as_of else None
    database = await open_db(settings.resolved_db_path(), create=False, lock=False)
    try:
        svc = Services.build(settings, database)
        as_of = as_of or today(svc)
        if args.unit:
            unit_ids = await find_units_by_code(svc, args.unit)
        else:
            flt = ArrearsFilter(args.building, args.fee_item, args.bucket, args.reason, args.sort)
            unit_ids = await find_reminder_units(svc, as_of=as_of, flt=flt)
        labels = PrintLabels().translated(_)
        return await build_reminder_sheets(svc, unit_ids=unit_ids, as_of=as_of, labels=labels)
    finally:
        await close_db(database)


def _write(sheets: Any, fmt: str, out: str | None) -> Path | None:
    """Write the notices; the path written, or ``None`` for text on stdout.

    Raises:
        StorageError: ``file_not_written``.
    """
    from feetui.printing.pdf_notice import render_notices, write_file

    if fmt == "pdf":
        assert out is not None
        return write_file(Path(out), render_notices(sheets))
    text = notices_text(sheets)
    if out is None:
        sys.stdout.write(text)
        return None
    return write_file(Path(out), text.encode("utf-8"))


def notices_text(sheets: Any) -> str:
    """The receipt printer's notices as plain text, separated by form feeds."""
    from feetui.printing.layout import layout_reminder_notice

    pages = []
    for sheet in sheets:
        doc = sheet.receipt_doc(printed_at=sheet.issued_on)
        lines = layout_reminder_notice(doc, TEXT_COLUMNS).text_lines()
        pages.append("\n".join(line.rstrip() for line in lines) + "\n")
    return "\f".join(pages)


__all__ = ["FORMATS", "notices_text", "register_report", "run"]
