"""``feetui bill --period YYYY-MM``: a standalone counter bills a month from its fee items, once.

The same fee rules as headquarters' ``sync-server bill`` (:mod:`feetui.core.fees`); an enrolled
counter is billed by headquarters instead.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any


def register(subparsers: Any) -> None:
    """Add the ``bill`` sub-command (imports nothing heavy)."""
    from feetui.cli import add_global_options

    parser = subparsers.add_parser(
        "bill",
        help="bill a month's charges from the fee items (standalone counter, once per period)",
        description="Write the month's charges of every active unit from the by-area and fixed "
        "fee items, once per period. Metered and one-off fees are charged at the counter.",
    )
    add_global_options(parser)
    parser.add_argument("--period", required=True, help="the month to bill, YYYY-MM")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Bill the period and print what was written.

    Returns:
        0 when billed; 1 with the reason on stderr otherwise (nothing written).
    """
    from feetui.cli import settings_from_args
    from feetui.core.errors import FeeError
    from feetui.i18n import _, format_money, tr_error

    settings = settings_from_args(args)
    try:
        done = asyncio.run(_bill(settings, args.period))
    except FeeError as error:
        print(_("Nothing was billed: {reason}").format(reason=tr_error(error)), file=sys.stderr)
        return 1
    from feetui.core.money import Money

    print(
        _("Billed {period}: {charges} charges, {total} in all.").format(
            period=done.period, charges=done.charges, total=format_money(Money(done.total_fen))
        )
    )
    for code, count, total in done.by_item:
        print(f"  {code}: {count} · {format_money(Money(total))}")
    return 0


async def _bill(settings: Any, period: str) -> Any:
    from feetui.db.connection import close_db, open_db
    from feetui.services.billing import bill_period
    from feetui.services.container import Services

    db = await open_db(settings.resolved_db_path(), device_name=settings.device_name)
    try:
        return await bill_period(Services.build(settings, db), period=period)
    finally:
        await close_db(db)


__all__ = ["register", "run"]
