"""``feetui [run]``: open the counter app on the configured database.

Importing this module is cheap (the CLI builds its parser from it); Textual, Tortoise and the
screens are imported only in :func:`run_app`, after the language is set.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``run`` (also what ``feetui`` does with no command)."""
    from feetui.cli import add_global_options
    from feetui.i18n import _

    parser = subparsers.add_parser("run", help=_("open the counter app (the default)"))
    add_global_options(parser)
    parser.set_defaults(func=run_app)


def _configure_logging(path: Path) -> None:
    """Log to a file beside the database; the terminal belongs to the app."""
    path.parent.mkdir(parents=True, exist_ok=True)
    logging.basicConfig(
        filename=path,
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


def run_app(args: argparse.Namespace) -> int:
    """Run the counter app until the cashier quits.

    Returns:
        0 after a normal exit; 1 when the database cannot be used (another instance holds it, it
        is not durable, the disk refuses it), with the reason on stderr.
    """
    from feetui.cli import settings_from_args

    settings = settings_from_args(args)  # sets the language before any screen is imported
    from feetui.app import make_app
    from feetui.core.errors import FeeError
    from feetui.i18n import tr_error

    _configure_logging(settings.resolved_log_path())
    app = make_app(settings)
    try:
        app.run()
    except FeeError as error:
        logging.getLogger(__name__).error("cannot start: %s", error.code)
        print(tr_error(error), file=sys.stderr)
        return 1
    return int(app.return_code or 0)


__all__ = ["register", "run_app"]
