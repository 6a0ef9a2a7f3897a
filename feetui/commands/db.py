"""``feetui db backup --out FILE`` and ``feetui db restore FILE``: copies of the counter database.

A backup is safe while the counter app is running (SQLite's online backup API); a restore refuses
while any feetui has the database open, and keeps the database it replaces beside it.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any


def register(subparsers: Any) -> None:
    """Add the ``db`` sub-command and its ``backup`` and ``restore`` actions."""
    from feetui.cli import add_global_options
    from feetui.i18n import _

    parser = subparsers.add_parser(
        "db",
        help=_("back up or restore the counter database"),
        description=_(
            "A backup is safe while the counter app is running (SQLite's online backup API); a "
            "restore refuses while any feetui has the database open, and keeps the database it "
            "replaces beside it."
        ),
    )
    actions = parser.add_subparsers(dest="db_action", required=True)
    backup = actions.add_parser(
        "backup",
        help=_("copy the database to a file (safe while the app runs)"),
        description=_(
            "Copy the counter database to FILE with SQLite's online backup API, check "
            "the copy and flush it to disk. Safe while the counter app is running."
        ),
    )
    add_global_options(backup)
    backup.add_argument("--out", required=True, help=_("backup file to write (must not exist)"))
    backup.set_defaults(func=run_backup)
    restore = actions.add_parser(
        "restore",
        help=_("replace the database with a backup (the app must be closed)"),
        description=_(
            "Replace the counter database with FILE. Refused while a feetui has the "
            "database open; the replaced database is kept as <db>.before-restore-<time>."
        ),
    )
    add_global_options(restore)
    restore.add_argument("file", help=_("a backup written by 'feetui db backup'"))
    restore.set_defaults(func=run_restore)


def run_backup(args: argparse.Namespace) -> int:
    """Write the backup and say what it holds; 1 with the reason on stderr if it failed."""
    from feetui.cli import settings_from_args
    from feetui.core.errors import FeeError
    from feetui.db.backup import backup_database
    from feetui.i18n import _, tr_error

    settings = settings_from_args(args)
    try:
        info = backup_database(settings.resolved_db_path(), args.out)
    except FeeError as error:
        print(_("Backup failed: {reason}").format(reason=tr_error(error)), file=sys.stderr)
        return 1
    print(
        _(
            "Backup written to {path} ({size} KB, {payments} payments, {entries} journal entries)."
        ).format(
            path=info.path,
            size=info.size_bytes // 1024,
            payments=info.payments,
            entries=info.journal_entries,
        )
    )
    return 0


def run_restore(args: argparse.Namespace) -> int:
    """Restore the backup; 1 with the reason on stderr if it was refused or failed."""
    from feetui.cli import settings_from_args
    from feetui.clock import SystemClock
    from feetui.core.errors import FeeError
    from feetui.db.backup import restore_database
    from feetui.i18n import _, tr_error

    settings = settings_from_args(args)
    target = settings.resolved_db_path()
    try:
        saved = restore_database(target, args.file, now=SystemClock().now())
    except FeeError as error:
        print(_("Restore refused: {reason}").format(reason=tr_error(error)), file=sys.stderr)
        return 1
    print(_("Database {path} restored from {backup}.").format(path=target, backup=args.file))
    if saved != target:
        print(_("The database it replaced is kept as {saved}.").format(saved=saved))
    return 0
