"""``feetui import-units FILE``: a standalone counter imports its units from a CSV or XLSX file.

The same checks as headquarters' ``sync-server import-units`` (:mod:`feetui.core.unit_import`);
every bad row is listed in the user's language and nothing is imported. An enrolled counter gets
its units from headquarters instead.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any


def register(subparsers: Any) -> None:
    """Add the ``import-units`` sub-command (imports nothing heavy)."""
    from feetui.cli import add_global_options
    from feetui.i18n import _

    parser = subparsers.add_parser(
        "import-units",
        help=_(
            "import units, owners, areas, phones and plates from a CSV or XLSX file "
            "(standalone counter)"
        ),
        description=_(
            "Check every row of the file, then import it whole or not at all. Columns: "
            "site/小区, unit/房号, area/面积, owner/业主 and optional phone/电话, "
            "plates/车牌. Units are matched by room code, so importing a file again updates them."
        ),
    )
    add_global_options(parser)
    parser.add_argument("file", help=_("a .csv (UTF-8) or .xlsx file"))
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Import the file and print what was done, or every problem.

    Returns:
        0 when imported; 1 with the reasons on stderr otherwise (nothing imported).
    """
    from feetui.commands.common import run_with_services
    from feetui.i18n import N_, _

    path = Path(args.file)

    async def work(svc: Any) -> Any:
        from feetui.services.unit_import import import_units

        return await import_units(svc, path=path)

    done = run_with_services(args, work, refused=N_("Nothing was imported: {reason}"))
    if done is None:
        return 1
    if not done.ok:
        print(
            _("Nothing was imported: {file} has {count} problem(s).").format(
                file=path.name, count=len(done.problems)
            ),
            file=sys.stderr,
        )
        for problem in done.problems:
            print("  " + problem_text(problem), file=sys.stderr)
        return 1
    print(
        _("Imported: {created} new unit(s), {updated} updated, {vehicles} plate(s).").format(
            created=done.units_created, updated=done.units_updated, vehicles=done.vehicles
        )
    )
    return 0


def problem_text(problem: Any) -> str:
    """One :class:`~feetui.core.unit_import.RowProblem` in the user's language."""
    from feetui.core.unit_import import COLUMN_LABELS
    from feetui.i18n import _, tr_error

    reason = tr_error(problem)
    if problem.line == 0:
        return reason
    if not problem.column:
        return _("header: {reason}").format(reason=reason)
    return _("row {line}, {column}: {reason}").format(
        line=problem.line, column=_(COLUMN_LABELS[problem.column]), reason=reason
    )


__all__ = ["problem_text", "register", "run"]
