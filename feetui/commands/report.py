"""``feetui report <name>``: reports read from the counter's database, as text, CSV or Excel.

Each report registers itself here with ``register_report(subparsers)``; this module only makes
the ``report`` command and its list of reports. Nothing heavy is imported until one runs.
"""

from __future__ import annotations

import importlib
from typing import Any

# One module per report; each adds itself with register_report(subparsers).
REPORT_MODULES: tuple[str, ...] = (
    "feetui.commands.arrears",
    "feetui.commands.shift_report",
    "feetui.commands.reminders",
)


def register(subparsers: Any) -> None:
    """Add the ``report`` command with one sub-command per report."""
    from feetui.i18n import _

    parser = subparsers.add_parser(
        "report",
        help=_("print or export a report"),
        description=_(
            "Reports read from the counter's database: text on the screen, or CSV and "
            "Excel files for finance."
        ),
    )
    reports = parser.add_subparsers(dest="report", required=True, metavar="REPORT")
    for name in REPORT_MODULES:
        importlib.import_module(name).register_report(reports)


__all__ = ["REPORT_MODULES", "register"]
