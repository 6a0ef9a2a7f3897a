"""``feetui enroll --server URL --code CODE``: join headquarters with a one-time code.

The counter keeps its own device id (made with its database); headquarters answers with a device
token and the site the counter belongs to. Both are stored in the ``device`` row, with the server's
URL, so ``feetui sync`` and the app's background task need nothing more.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any


def register(subparsers: Any) -> None:
    """Add the ``enroll`` sub-command (imports nothing heavy)."""
    from feetui.cli import add_global_options
    from feetui.i18n import _

    parser = subparsers.add_parser(
        "enroll",
        help=_("enrol this counter with headquarters using a one-time code"),
        description=_(
            "Spend a one-time enrolment code (from `sync-server enroll`) to get this "
            "counter's device token; the counter keeps its own id and records."
        ),
    )
    add_global_options(parser)
    parser.add_argument("--code", required=True, help=_("the one-time enrolment code"))
    parser.add_argument(
        "--name", default=None, help=_("this counter's name (default: device_name)")
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Enrol, store the token, print where the counter now belongs.

    Returns:
        0 when enrolled; 1 with the reason on stderr otherwise.
    """
    from feetui.cli import settings_from_args
    from feetui.core.errors import FeeError
    from feetui.i18n import _, tr_error

    settings = settings_from_args(args)
    if not settings.server:
        print(_("Name the headquarters server with --server URL."), file=sys.stderr)
        return 1
    try:
        done = asyncio.run(_enroll(settings, args.code, args.name))
    except FeeError as error:
        print(
            _("This counter was not enrolled: {reason}").format(reason=tr_error(error)),
            file=sys.stderr,
        )
        return 1
    print(
        _("Enrolled as {name} at {site_name} ({site_code}). Device id: {device_id}.").format(**done)
    )
    return 0


async def _enroll(settings: Any, code: str, name: str | None) -> dict[str, str]:
    from feetui.db.connection import close_db, open_db
    from feetui.sync.enrolment import enroll_device

    db = await open_db(settings.resolved_db_path(), device_name=settings.device_name)
    try:
        return await enroll_device(
            server=settings.server, code=code, name=name, ca_file=settings.server_ca
        )
    finally:
        await close_db(db)


__all__ = ["register", "run"]
