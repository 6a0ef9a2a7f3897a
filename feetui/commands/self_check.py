"""``feetui self-check --db PATH``: prove that this installation can do a counter's day.

Run it after copying the folder to a counter PC, and in CI on the built binary. Each check loads
for real what the counter loads at run time, so a file the build left out shows up here, not in
front of a queue:

* resources: the compiled catalogs, babel's locale data, the site's timezone, python-escpos and
  its printer profiles;
* database: opens PATH as the app does (instance lock, durability PRAGMAs) and applies migrations;
* screens: the sign-in and lookup screens rendered once, headless, at 80×24;
* receipt: a demo payment taken on a scratch database in a temporary folder and its receipt
  printed to a ``file:`` printer, then read back;
* notice: a demo reminder notice drawn as an A4 PDF (reportlab, the STSong-Light CID font).

The counter's own database never gets a demo payment: posted records can never be removed, and
they would reach headquarters' totals.

It prints one line per check and ``OK``, or what failed, and exits non-zero on any failure.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
import traceback
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from feetui.config import Settings

Check = Callable[[Settings, argparse.Namespace], Awaitable[str]]


def register(subparsers: Any) -> None:
    """Add the ``self-check`` sub-command (imports nothing heavy)."""
    from feetui.cli import add_global_options
    from feetui.i18n import _

    parser = subparsers.add_parser(
        "self-check",
        help=_("check that this installation works (database, screens, printing)"),
        description=_(
            "Open the database and apply migrations, render the sign-in and lookup "
            "screens headless, print a demo receipt to a file, draw a demo reminder notice as a "
            "PDF; print OK or what failed."
        ),
    )
    add_global_options(parser)
    parser.add_argument(
        "--receipt", help=_("keep the demo receipt's ESC/POS bytes in this file (default: discard)")
    )
    parser.add_argument(
        "--notice",
        help=_("keep the demo reminder notice (an A4 PDF) in this file (default: discard)"),
    )
    parser.set_defaults(func=run)


@dataclass(frozen=True, slots=True)
class Outcome:
    """The result of one check: its name, whether it passed, what it found, how long it took."""

    name: str
    passed: bool
    detail: str
    seconds: float


def run(args: argparse.Namespace) -> int:
    """Run every check in order and report; 0 when all passed, 1 otherwise."""
    from feetui import __version__
    from feetui.cli import settings_from_args

    settings = settings_from_args(args)
    from feetui.i18n import _

    # The kind, the status words and the last line's OK stay as they are: CI and scripts read them.
    kind = "binary" if getattr(sys, "frozen", False) else "source"
    print(_("feetui {version} self-check ({kind})").format(version=__version__, kind=kind),
          flush=True)  # fmt: skip
    outcomes = asyncio.run(_run_all(settings, args))
    failed = [outcome for outcome in outcomes if not outcome.passed]
    if failed:
        print(_("FAILED: {names}").format(names=", ".join(o.name for o in failed)))
        return 1
    print("OK")
    return 0


async def _run_all(settings: Settings, args: argparse.Namespace) -> list[Outcome]:
    from feetui.diagnostics import CHECKS

    outcomes = []
    for name, check in CHECKS:
        outcome = await _attempt(name, check, settings, args)
        status = "ok    " if outcome.passed else "FAILED"
        print(f"  {status} {name:<9} {outcome.seconds:6.2f} s  {outcome.detail}", flush=True)
        outcomes.append(outcome)
    return outcomes


async def _attempt(
    name: str, check: Check, settings: Settings, args: argparse.Namespace
) -> Outcome:
    """Run one check; any exception is its failure, reported with its reason."""
    from feetui.core.errors import FeeError
    from feetui.i18n import tr_error

    started = time.perf_counter()
    try:
        detail = await check(settings, args)
    except FeeError as error:
        return Outcome(name, False, f"{error.code}: {tr_error(error)}", _since(started))
    except Exception as error:
        # The point of a self-check is to say what broke (often a file the build left out), so
        # every unexpected error is shown with its traceback rather than raised.
        traceback.print_exc(file=sys.stderr)
        return Outcome(name, False, f"{type(error).__name__}: {error}", _since(started))
    return Outcome(name, True, detail, _since(started))


def _since(started: float) -> float:
    return time.perf_counter() - started


__all__ = ["Outcome", "register", "run"]
