"""``feetui demo-data``: build a demo community in a new counter database, or export its units.

    feetui demo-data --db demo.sqlite3 [--units 1860] [--seed 1] [--months 24] [--as-of DAY]
    feetui demo-data --db demo.sqlite3 --export-units units.csv

The build prints a progress bar, what was built and the demo users' codes and PINs. With
``--export-units`` on an existing database it only writes the CSV that ``sync-server
import-units`` reads; on a new one it builds first, then exports.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from typing import Any

BAR_WIDTH = 30


def register(subparsers: Any) -> None:
    """Add the ``demo-data`` sub-command (imports nothing heavy)."""
    from feetui.cli import add_global_options
    from feetui.i18n import _

    parser = subparsers.add_parser(
        "demo-data",
        help=_("build a demo community in a new database"),
        description=_(
            "Build a seeded demo community (units, owners, cars, fee items, two years of "
            "bills and payments) in a new counter database, and print the demo users' codes "
            "and PINs."
        ),
    )
    add_global_options(parser)
    parser.add_argument("--units", type=int, default=1860, help=_("units to build (default 1860)"))
    parser.add_argument("--seed", type=int, default=1, help=_("random seed (default 1)"))
    parser.add_argument("--months", type=int, default=24, help=_("months of history (default 24)"))
    parser.add_argument(
        "--as-of",
        dest="as_of",
        type=date.fromisoformat,
        help=_("the demo's today (YYYY-MM-DD, default today); same seed and day, same data"),
    )
    parser.add_argument(
        "--export-units", dest="export_units", metavar="FILE", help=_("write the units as CSV")
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Build the demo (unless the database exists and only an export is asked), then export.

    Returns:
        0 on success, 1 with the reason on stderr otherwise.
    """
    import asyncio
    import sqlite3

    from feetui.cli import settings_from_args
    from feetui.clock import SystemClock, business_date, zone
    from feetui.core.errors import FeeError
    from feetui.i18n import _, tr_error

    settings = settings_from_args(args)
    path = settings.resolved_db_path()
    try:
        if not (args.export_units and path.exists()):
            from feetui.demo import DemoOptions, build_demo

            as_of = args.as_of or business_date(SystemClock().now(), zone(settings.timezone))
            options = DemoOptions(
                as_of=as_of,
                units=args.units,
                seed=args.seed,
                months=args.months,
                timezone=settings.timezone,
            )
            started = time.perf_counter()
            summary = asyncio.run(build_demo(path, options, _progress_bar()))
            print(file=sys.stderr)
            _print_summary(summary, time.perf_counter() - started)
        if args.export_units:
            _export(path, args.export_units)
    except FeeError as error:
        print(_("The demo was not built: {reason}").format(reason=tr_error(error)), file=sys.stderr)
        return 1
    except (sqlite3.Error, OSError) as error:
        print(_("The units were not exported: {reason}").format(reason=error), file=sys.stderr)
        return 1
    return 0


def _progress_bar():
    """A plain-text progress bar on stderr, redrawn in place."""
    from feetui.i18n import _

    labels = {"months": _("Months of history"), "index": _("Search index")}

    def show(stage: str, done: int, total: int) -> None:
        filled = BAR_WIDTH * done // max(total, 1)
        bar = "#" * filled + "-" * (BAR_WIDTH - filled)
        sys.stderr.write(f"\r{labels.get(stage, stage)} [{bar}] {done}/{total}")
        sys.stderr.flush()

    return show


def _print_summary(summary: Any, seconds: float) -> None:
    from feetui.core.money import Money
    from feetui.i18n import _, format_money

    print(_("Demo database: {path}").format(path=summary.path))
    print(
        _("{units} units, {charges} charges, {payments} payments in {shifts} shifts").format(
            units=summary.units,
            charges=summary.charges,
            payments=summary.payments,
            shifts=summary.shifts,
        )
    )
    print(
        _("Collection rate {rate}% of {billed} billed; {arrears} owed by {owing} units").format(
            rate=f"{summary.collection_percent:.1f}",
            billed=format_money(Money(summary.billed_fen)),
            arrears=format_money(Money(summary.arrears_fen)),
            owing=summary.units_in_arrears,
        )
    )
    print(
        _("{count} units owe on bills more than six months old").format(
            count=summary.units_over_six_months
        )
    )
    print(_("Built in {seconds} s").format(seconds=f"{seconds:.1f}"))
    print(_("Sign in with:"))
    roles = {"cashier": _("Cashier"), "supervisor": _("Supervisor"), "admin": _("Admin")}
    for user in summary.users:
        print(
            _("  {role}: code {code}, PIN {pin} ({name})").format(
                role=roles.get(user.role, user.role), code=user.code, pin=user.pin, name=user.name
            )
        )


def _export(path: Any, out: str) -> None:
    from feetui.demo.export import export_units
    from feetui.i18n import _

    count = export_units(path, out)
    print(_("{count} units written to {file}").format(count=count, file=out))


__all__ = ["register", "run"]
