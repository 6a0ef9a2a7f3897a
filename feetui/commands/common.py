"""What the commands that run one use case share: open the store, run it, close it, report."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable
from typing import Any


def run_with_services(
    args: argparse.Namespace,
    work: Callable[[Any], Awaitable[Any]],
    *,
    refused: str | None = None,
) -> Any:
    """Open the counter's store, run ``work(services)``, close it.

    Args:
        args: the parsed command line (its global options choose the store and language).
        work: the use case, given the :class:`~feetui.services.container.Services`.
        refused: a message id with a ``{reason}`` placeholder to print a refusal in (the bare
            reason when ``None``).

    Returns:
        What ``work`` returned, or ``None`` after a refusal was printed on stderr in the user's
        language (nothing was written: each use case is one transaction).
    """
    from feetui.cli import settings_from_args
    from feetui.core.errors import FeeError
    from feetui.i18n import _, tr_error

    settings = settings_from_args(args)

    async def go() -> Any:
        from feetui.db.connection import close_db, open_db
        from feetui.services.container import Services

        db = await open_db(settings.resolved_db_path(), device_name=settings.device_name)
        try:
            return await work(Services.build(settings, db))
        finally:
            await close_db(db)

    try:
        return asyncio.run(go())
    except FeeError as error:
        reason = tr_error(error)
        print(_(refused).format(reason=reason) if refused else reason, file=sys.stderr)
        return None


__all__ = ["run_with_services"]
