"""``feetui fee-items add|set|list``: the fee items of a standalone counter's site.

The options are those of headquarters' ``sync-server fee-items`` (without ``--site``: a
standalone counter has one site) and every value passes the same checks
(:mod:`feetui.core.master_data`). Figures are read as typed, so a letter, a decimal point or a
minus sign is refused in the user's language, and nothing is written. ``set`` changes only the
fields given; charges already made keep their amounts. An enrolled counter gets its fee items
from headquarters.
"""

from __future__ import annotations

import argparse
from typing import Any

from feetui.core.errors import N_

FIGURE_OPTIONS = {
    "rate_fen": "--rate-fen",
    "due_day": "--due-day",
    "months_per_bill": "--months-per-bill",
    "late_fee_daily_ppm": "--late-fee-daily-ppm",
    "late_fee_grace_days": "--late-fee-grace-days",
    "late_fee_cap_percent": "--late-fee-cap-percent",
}
"""Each whole-number field and the option that sets it (as ``sync-server fee-items`` names it)."""
HELP = {
    "rate_fen": N_("fen per m²/month (area), per month (fixed), per unit (metered) or the price"),
    "due_day": N_("day of the billing month a charge falls due, 1 to 31 (28)"),
    "months_per_bill": N_(
        "bill every N months, N months' worth each time (1 to 12; 3 = quarterly)"
    ),
    "late_fee_daily_ppm": N_(
        "late fee per day in parts per million of what is overdue (0.5‰ = 500; 0: none)"
    ),
    "late_fee_grace_days": N_("days after the due date before the late fee starts"),
    "late_fee_cap_percent": N_("the late fee is at most this percentage of the charge (0 to 100)"),
}
DEFAULTS = {
    "due_day": "28",
    "months_per_bill": "1",
    "late_fee_daily_ppm": "0",
    "late_fee_grace_days": "0",
    "late_fee_cap_percent": "0",
}


def register(subparsers: Any) -> None:
    """Add the ``fee-items`` sub-command with ``add``, ``set`` and ``list``."""
    from feetui.cli import add_global_options
    from feetui.i18n import _

    parser = subparsers.add_parser(
        "fee-items",
        help=_("fee items of a standalone counter's site (HQ's on an enrolled counter)"),
    )
    actions = parser.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", help=_("add a fee item to the counter's site"))
    add_global_options(add)
    add.add_argument("--code", required=True, help=_("short code, e.g. PF"))
    add.add_argument("--name", required=True, help=_("name, e.g. 物业费"))
    add.add_argument("--kind", required=True, help=_("area, fixed, metered or one_off"))
    add.add_argument("--scope", default="unit", help=_("fixed fees: unit or vehicle (unit)"))
    for key, flag in FIGURE_OPTIONS.items():
        add.add_argument(flag, dest=key, default=DEFAULTS.get(key), help=_(HELP[key]),
                         required=key not in DEFAULTS)  # fmt: skip
    add.set_defaults(func=run_add)
    change = actions.add_parser("set", help=_("change a fee item's name, rate, due day, cycle or "
                                "late fee (bills already made keep their amounts)"))  # fmt: skip
    add_global_options(change)
    change.add_argument("--code", required=True, help=_("the fee item to change"))
    change.add_argument("--name", default=None)
    change.add_argument("--scope", default=None, help=_("unit or vehicle"))
    for key, flag in FIGURE_OPTIONS.items():
        change.add_argument(flag, dest=key, default=None, help=_(HELP[key]))
    change.set_defaults(func=run_set)
    show = actions.add_parser("list", help=_("list the fee items"))
    add_global_options(show)
    show.set_defaults(func=run_list)


def _figures(args: argparse.Namespace) -> dict[str, int]:
    """The whole-number options given, read by :func:`feetui.core.master_data.parse_figure`."""
    from feetui.core.master_data import parse_figure

    return {
        key: parse_figure(getattr(args, key), option=flag)
        for key, flag in FIGURE_OPTIONS.items()
        if getattr(args, key) is not None
    }


def run_add(args: argparse.Namespace) -> int:
    """Add the fee item; 0 when added, 1 with the reason on stderr (nothing written)."""
    from feetui.commands.common import run_with_services
    from feetui.core.errors import N_
    from feetui.i18n import _

    async def work(svc: Any) -> Any:
        from feetui.core.master_data import FeeItemSpec
        from feetui.services.master_data import add_fee_item

        spec = FeeItemSpec(args.code, args.name, args.kind, scope=args.scope, **_figures(args))
        return await add_fee_item(svc, spec)

    done = run_with_services(args, work, refused=N_("Nothing was changed: {reason}"))
    if done is None:
        return 1
    print(_("Fee item {code} added to site {site}:").format(code=done.spec.code,
                                                            site=done.site_code))  # fmt: skip
    print("  " + describe(done.spec))
    return 0


def run_set(args: argparse.Namespace) -> int:
    """Change the fields given; 0 when changed, 1 with the reason on stderr (nothing written)."""
    from feetui.commands.common import run_with_services
    from feetui.core.errors import N_
    from feetui.i18n import _

    async def work(svc: Any) -> Any:
        from feetui.services.master_data import update_fee_item

        changes: dict[str, Any] = _figures(args)
        changes.update(
            {k: getattr(args, k) for k in ("name", "scope") if getattr(args, k) is not None}
        )
        return await update_fee_item(svc, code=args.code, changes=changes)

    done = run_with_services(args, work, refused=N_("Nothing was changed: {reason}"))
    if done is None:
        return 1
    print(_("Fee item {code} of site {site} changed (bills already made keep their amounts):")
          .format(code=done.spec.code, site=done.site_code))  # fmt: skip
    print("  " + describe(done.spec))
    return 0


def run_list(args: argparse.Namespace) -> int:
    """Print every fee item, one a line; 0, or 1 with the reason on stderr."""
    from feetui.commands.common import run_with_services
    from feetui.i18n import _

    async def work(svc: Any) -> Any:
        from feetui.services.master_data import list_fee_items

        return await list_fee_items(svc)

    rows = run_with_services(args, work)
    if rows is None:
        return 1
    if not rows:
        print(_("No fee item yet: add one with feetui fee-items add."))
    for row in rows:
        stopped = "" if row.active else "  " + _("(not billed)")
        print(f"{row.site_code}  {describe(row.spec)}{stopped}")
    return 0


def describe(spec: Any) -> str:
    """One fee item for people: code, name, kind, rate, due day, cycle and late fee."""
    from feetui.core.errors import N_
    from feetui.core.money import Money
    from feetui.i18n import _, format_money

    rates = {
        "area": N_("{rate} per m² a month"),
        "fixed": N_("{rate} a month") if spec.scope == "unit" else N_("{rate} a month per car"),
        "metered": N_("{rate} per unit used"),
        "one_off": N_("{rate} each time"),
    }
    parts = [
        spec.code,
        spec.name,
        _(rates.get(spec.kind, "{rate}")).format(rate=format_money(Money(spec.rate_fen))),
        _("due on day {day}").format(day=spec.due_day),
        _("billed every {months} month(s)").format(months=spec.months_per_bill),
    ]
    if spec.late_fee_daily_ppm:
        parts.append(
            _("late fee {ppm} ppm a day after {grace} day(s), at most {cap}%").format(
                ppm=spec.late_fee_daily_ppm,
                grace=spec.late_fee_grace_days,
                cap=spec.late_fee_cap_percent,
            )
        )
    else:
        parts.append(_("no late fee"))
    return "  ".join(parts)


__all__ = ["describe", "register", "run_add", "run_list", "run_set"]
