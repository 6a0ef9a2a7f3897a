"""``feetui bill --period YYYY-MM``: a standalone counter bills a month from its fee items, once.

The same fee rules as headquarters' ``sync-server bill`` (:mod:`feetui.core.fees`); an enrolled
counter is billed by headquarters instead.
"""

from __future__ import annotations

import argparse
from typing import Any


def register(subparsers: Any) -> None:
    """Add the ``bill`` sub-command (imports nothing heavy)."""
    from feetui.cli import add_global_options
    from feetui.i18n import _

    parser = subparsers.add_parser(
        "bill",
        help=_("bill a month's charges from the fee items (standalone counter, once per period)"),
        description=_(
            "Write the month's charges of every active unit from the by-area and fixed "
            "fee items, once per period. Metered and one-off fees are charged at the counter."
        ),
    )
    add_global_options(parser)
    parser.add_argument("--period", required=True, help=_("the month to bill, YYYY-MM"))
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Bill the period and print what was written.

    Returns:
        0 when billed; 1 with the reason on stderr otherwise (nothing written).
    """
    from feetui.commands.common import run_with_services
    from feetui.i18n import N_, _, format_money

    async def work(svc: Any) -> Any:
        from feetui.services.billing import bill_period

        return await bill_period(svc, period=args.period)

    done = run_with_services(args, work, refused=N_("Nothing was billed: {reason}"))
    if done is None:
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


__all__ = ["register", "run"]
