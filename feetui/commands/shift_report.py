"""``feetui report shift`` and ``feetui report daily``: the shift report and the daily report
(收费日报表), headless.

    feetui report shift --id S20261123-01 [--format text|csv|xlsx] [--out FILE]
    feetui report daily --date 2026-11-23 [--counter] [--format text|csv|xlsx] [--out FILE]
    feetui report daily --date 2026-11-23 --print [--printer URI]

A shift is named by its number as printed (``S20261123-01``), its place in this counter's history
(``--id 7``: the seventh shift ever opened here), or its record id (or a unique start of it, eight
characters at least). The daily report covers every counter this one knows of unless
``--counter`` limits it to this one. xlsx needs ``--out``; text and csv go to stdout without it.
The database is opened without the instance lock: a report only reads, and WAL lets it read while
the counter app runs. ``--print`` prints the daily report on the configured printer (or
``--printer``) through the counter's print queue: a report the printer does not take waits there,
and F5 in the app prints it later; the queue's send lock keeps the app and this command from
printing one job twice.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
from datetime import date
from pathlib import Path
from typing import Any

FORMATS = ("text", "csv", "xlsx")
_NUMBER = re.compile(r"^S(\d{8})-(\d{1,4})$")


def register_report(reports: Any) -> None:
    """Add ``shift`` and ``daily`` to the ``report`` command (imports nothing heavy)."""
    from feetui.cli import add_global_options
    from feetui.i18n import _

    shift = reports.add_parser(
        "shift",
        help=_("the report of one shift"),
        description=_(
            "Takings by fee item and payment method, receipts used, cash in and out, "
            "expected and counted cash, settlement slips and the handover of one shift."
        ),
    )
    shift.add_argument("--id", dest="shift", required=True, help=_("S20261123-01, N, or an id"))
    daily = reports.add_parser(
        "daily",
        help=_("the daily collection report of a business date"),
        description=_(
            "The daily collection report: takings by fee item, payment method and "
            "counter, payments, units served, voids, refunds and waivers of one business date."
        ),
    )
    daily.add_argument("--date", dest="day", required=True, help=_("business date YYYY-MM-DD"))
    daily.add_argument(
        "--counter", action="store_true", help=_("this counter only (default: the whole site)")
    )
    daily.add_argument(
        "--print",
        dest="print_it",
        action="store_true",
        help=_(
            "print it on the receipt printer (the configured one, or --printer URI); "
            "with --out the table is written too"
        ),
    )
    for sub in (shift, daily):
        add_global_options(sub)
        sub.add_argument("--format", choices=FORMATS, default="text", help=_("output format"))
        sub.add_argument("--out", help=_("file to write (required for xlsx; stdout otherwise)"))
        sub.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Build the report and write it.

    Returns:
        0 on success; 1 with the reason on stderr for a bad argument, an unknown shift or a
        database that cannot be opened.
    """
    from feetui.cli import settings_from_args
    from feetui.core.errors import FeeError
    from feetui.i18n import _, tr_error

    settings = settings_from_args(args)
    if args.format == "xlsx" and not args.out:
        print(_("An Excel report needs --out FILE."), file=sys.stderr)
        return 1
    try:
        if getattr(args, "print_it", False):
            return _print_daily(settings, args)
        table = asyncio.run(_build(settings, args))
        _write(table, args.format, args.out)
    except FeeError as error:
        print(tr_error(error), file=sys.stderr)
        return 1
    except OSError as error:
        print(_("The report could not be written: {reason}").format(reason=error), file=sys.stderr)
        return 1
    return 0


async def _build(settings: Any, args: argparse.Namespace) -> Any:
    from feetui.db.connection import close_db, open_db
    from feetui.services.container import Services

    database = await open_db(settings.resolved_db_path(), create=False, lock=False)
    try:
        svc = Services.build(settings, database)
        if args.report == "shift":
            return await _shift_table(svc, args.shift)
        return await _daily_table(svc, args.day, this_counter=args.counter)
    finally:
        await close_db(database)


def _print_daily(settings: Any, args: argparse.Namespace) -> int:
    """Print the daily report through the spool; write the table too when ``--out`` is given.

    Returns:
        0 when the printer took it; 1 with the reason on stderr (the job waits in the queue).
    """
    from feetui.i18n import _, tr_error
    from feetui.screens.documents import print_document

    doc, table = asyncio.run(_daily_doc(settings, args.day, this_counter=args.counter))
    if args.out:
        _write(table, args.format, args.out)
    failure = print_document(
        doc, settings, document_id=f"daily-{doc.business_date}", kind="daily_report"
    )
    if failure is not None:
        print(
            _("The daily report was not printed: {reason} It waits in the print queue.").format(
                reason=tr_error(failure)
            ),
            file=sys.stderr,
        )
        return 1
    print(
        _("Daily report of {date} sent to {printer}.").format(
            date=doc.business_date, printer=settings.printer
        )
    )
    return 0


async def _daily_doc(settings: Any, day: str, *, this_counter: bool) -> tuple[Any, Any]:
    """The printable daily report and its table, read in one go."""
    from feetui.db.connection import close_db, open_db
    from feetui.services.container import Services
    from feetui.services.report_documents import daily_report_doc
    from feetui.services.report_export import daily_table
    from feetui.services.reports import build_daily_report

    business_date = parse_date(day)
    database = await open_db(settings.resolved_db_path(), create=False, lock=False)
    try:
        svc = Services.build(settings, database)
        device_id = svc.device_id if this_counter else None
        report = await build_daily_report(svc, business_date=business_date, device_id=device_id)
    finally:
        await close_db(database)
    doc = daily_report_doc(
        report, company=settings.company_name, tz=svc.tz, printed_at=svc.clock.now()
    )
    return doc, daily_table(report)


async def _shift_table(svc: Any, ref: str) -> Any:
    from functools import partial

    from feetui.i18n import format_datetime
    from feetui.services.report_export import shift_table
    from feetui.services.reports import build_shift_report

    shift_id = await find_shift(svc, ref)
    report = await build_shift_report(svc, shift_id=shift_id)
    return shift_table(report, fmt_time=partial(format_datetime, tz=svc.tz))


async def _daily_table(svc: Any, day: str, *, this_counter: bool) -> Any:
    from feetui.services.report_export import daily_table
    from feetui.services.reports import build_daily_report

    business_date = parse_date(day)
    device_id = svc.device_id if this_counter else None
    report = await build_daily_report(svc, business_date=business_date, device_id=device_id)
    return daily_table(report)


def parse_date(text: str) -> date:
    """A business date typed as YYYY-MM-DD.

    Raises:
        InputError: ``date_invalid``.
    """
    from feetui.core.errors import N_, InputError

    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InputError(
            "date_invalid", N_("{text} is not a date: write it as YYYY-MM-DD."), text=text
        ) from None


async def find_shift(svc: Any, ref: str) -> str:
    """The id of this counter's shift named by ``ref`` (number, place or id).

    Raises:
        InputError: ``shift_not_found`` or ``shift_ambiguous``.
    """
    from feetui.core.errors import N_, InputError
    from feetui.db.queries.reports import find_shift_ids, list_device_shifts

    text = ref.strip()
    found: list[str] = []
    match = _NUMBER.match(text.upper())
    if match:
        day = parse_date(f"{match[1][:4]}-{match[1][4:6]}-{match[1][6:]}")
        same_day = await list_device_shifts(svc.device_id, day)
        place = int(match[2])
        found = same_day[place - 1 : place] if place >= 1 else []
    elif text.isdigit() and len(text) <= 6:
        found = await find_shift_ids(svc.device_id, ordinal=int(text)) if int(text) else []
    elif len(text) >= 8:
        found = await find_shift_ids(svc.device_id, prefix=text.lower())
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        raise InputError(
            "shift_ambiguous", N_("More than one shift starts with {ref}: type more."), ref=ref
        )
    raise InputError("shift_not_found", N_("No shift of this counter is {ref}."), ref=ref)


def _write(table: Any, fmt: str, out: str | None) -> None:
    from feetui.services.report_export import to_csv, to_text, write_xlsx

    if fmt == "xlsx":
        write_xlsx(table, Path(out or ""))
        return
    text = to_text(table) if fmt == "text" else to_csv(table)
    if out:
        Path(out).write_text(text, encoding="utf-8-sig" if fmt == "csv" else "utf-8")
    else:
        sys.stdout.write(text)
