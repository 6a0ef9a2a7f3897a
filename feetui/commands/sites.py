"""``feetui sites add CODE NAME`` and ``feetui sites list``: a standalone counter's one site.

A company with one window starts here: the site first, then users, fee items and units. The code
and name pass the checks of headquarters' ``sync-server sites add``
(:mod:`feetui.core.master_data`); an enrolled counter gets its site from headquarters.
"""

from __future__ import annotations

import argparse
from typing import Any


def register(subparsers: Any) -> None:
    """Add the ``sites`` sub-command with ``add`` and ``list`` (imports nothing heavy)."""
    from feetui.cli import add_global_options
    from feetui.i18n import _

    parser = subparsers.add_parser(
        "sites", help=_("the site of a standalone counter (one site; HQ's on an enrolled counter)")
    )
    actions = parser.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", help=_("add the counter's site"))
    add_global_options(add)
    add.add_argument("code", help=_("short site code, e.g. LJY"))
    add.add_argument("name", help=_("site name, e.g. 绿景苑"))
    add.set_defaults(func=run_add)
    show = actions.add_parser("list", help=_("list the sites the counter holds"))
    add_global_options(show)
    show.set_defaults(func=run_list)


def run_add(args: argparse.Namespace) -> int:
    """Add the site; 0 when added, 1 with the reason on stderr (nothing written)."""
    from feetui.commands.common import run_with_services
    from feetui.core.errors import N_
    from feetui.i18n import _

    async def work(svc: Any) -> Any:
        from feetui.services.master_data import add_site

        return await add_site(svc, code=args.code, name=args.name)

    done = run_with_services(args, work, refused=N_("Nothing was changed: {reason}"))
    if done is None:
        return 1
    print(_("Site {code} ({name}) added: it is this counter's site.").format(
        code=done.code, name=done.name))  # fmt: skip
    return 0


def run_list(args: argparse.Namespace) -> int:
    """Print the sites, the counter's own marked; 0, or 1 with the reason on stderr."""
    from feetui.commands.common import run_with_services
    from feetui.i18n import _

    async def work(svc: Any) -> Any:
        from feetui.services.master_data import list_sites

        return await list_sites(svc)

    rows = run_with_services(args, work)
    if rows is None:
        return 1
    if not rows:
        print(_("No site yet: add it with feetui sites add CODE NAME."))
    for row in rows:
        mark = _("(this counter's)") if row.own else ""
        print(f"{row.code}\t{row.name}\t{mark}".rstrip())
    return 0


__all__ = ["register", "run_add", "run_list"]
