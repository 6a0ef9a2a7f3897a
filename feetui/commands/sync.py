"""``feetui sync``: push the outbox and pull from headquarters without the app.

``--once`` does one round and prints what it did; without it the round repeats until Ctrl+C,
with the app's backoff after failures. ``--clear-alarm`` forgets an integrity alarm (after a
supervisor looked into it) so pushing resumes.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any


def register(subparsers: Any) -> None:
    """Add the ``sync`` sub-command (imports nothing heavy)."""
    from feetui.cli import add_global_options
    from feetui.i18n import _

    parser = subparsers.add_parser(
        "sync",
        help=_("push this counter's records to headquarters and pull changes"),
        description=_(
            "Push the outbox to headquarters and pull master data and the other "
            "counters' records, without opening the app."
        ),
    )
    add_global_options(parser)
    parser.add_argument("--once", action="store_true", help=_("one round, then exit"))
    parser.add_argument(
        "--clear-alarm", action="store_true", help=_("forget the integrity alarm, then sync")
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Sync as asked.

    Returns:
        0 after a successful round (or a clean Ctrl+C); 1 when the round failed or the counter
        is not enrolled, with the reason on stderr.
    """
    from feetui.cli import settings_from_args

    settings = settings_from_args(args)
    try:
        return asyncio.run(_main(settings, once=args.once, clear=args.clear_alarm))
    except KeyboardInterrupt:
        return 0


async def _main(settings: Any, *, once: bool, clear: bool) -> int:
    from feetui.clock import SystemClock
    from feetui.db.connection import close_db, open_db
    from feetui.i18n import _
    from feetui.sync.pusher import clear_alarm
    from feetui.sync.service import SyncService, find_target

    db = await open_db(settings.resolved_db_path(), device_name=settings.device_name)
    try:
        target = await find_target(settings.server, settings.server_ca)
        if target is None:
            print(_not_enrolled(settings.server), file=sys.stderr)
            return 1
        if clear:
            alarm = await clear_alarm()
            print(_("Integrity alarm cleared: {alarm}").format(alarm=alarm or "-"))
        service = SyncService(target, SystemClock())
        if not once:
            await service.run()
            return 0
        return await _once(service)
    finally:
        await close_db(db)


def _not_enrolled(server: str) -> str:
    from feetui.i18n import _

    if server:
        return _("This counter is not enrolled yet: run feetui enroll --server URL --code CODE.")
    return _("This counter is standalone (no server configured): there is nothing to sync.")


async def _once(service: Any) -> int:
    from feetui.core.errors import FeeError
    from feetui.i18n import _, tr_error

    try:
        report = await service.sync_once()
    except FeeError as error:
        print(_("Sync failed: {reason}").format(reason=tr_error(error)), file=sys.stderr)
        return 1
    finally:
        await service.close()
    for line in describe_round(report):
        print(line)
    return 1 if report.push.alarm else 0


def describe_round(report: Any) -> list[str]:
    """The lines ``sync --once`` prints about a round, in the current language."""
    from feetui.i18n import _

    push, pull = report.push, report.pull
    lines = [
        _("Pushed {sent} records: {created} new, {existing} already at headquarters.").format(
            sent=push.sent, created=push.created, existing=push.existing
        ),
        _("Waiting to be sent: {waiting}.").format(waiting=push.waiting),
        _("Pulled {changes} changes in {pages} pages; cursor now {cursor}.").format(
            changes=pull.changes, pages=pull.pages, cursor=pull.cursor
        ),
    ]
    if pull.skipped:
        lines.append(
            _("Skipped {skipped} changes this counter cannot read (see the log).").format(
                skipped=pull.skipped
            )
        )
    if pull.resnapshot:
        lines.append(_("Headquarters was restored from a backup: master data was replaced."))
    if push.alarm:
        lines.append(
            _("Integrity alarm: {alarm}. Pushing has stopped; ask a supervisor.").format(
                alarm=push.alarm
            )
        )
    return lines


__all__ = ["describe_round", "register", "run"]
