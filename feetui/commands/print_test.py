"""``feetui print-test``: a test page (ruler, Chinese and Latin text, QR code, drawer kick)."""

from __future__ import annotations

import argparse
import sys
from typing import Any


def register(subparsers: Any) -> None:
    """Add the ``print-test`` sub-command (imports nothing heavy)."""
    from feetui.cli import add_global_options
    from feetui.i18n import _

    parser = subparsers.add_parser(
        "print-test",
        help=_("print a test page on the receipt printer"),
        description=_(
            "Print a width ruler, Chinese and Latin text and a QR code, and kick the "
            "cash drawer, on the configured printer (or the one given with --printer)."
        ),
    )
    add_global_options(parser)
    parser.add_argument(
        "--columns", type=int, choices=(32, 42, 48), help=_("characters per line of the printer")
    )
    parser.add_argument(
        "--timeout", type=float, default=2.0, help=_("seconds to wait for the printer (default 2)")
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Render the test page for the configured printer and send it.

    Returns:
        0 when the printer took the page, 1 with the reason on stderr otherwise.
    """
    from dataclasses import replace

    from feetui.cli import settings_from_args
    from feetui.core.errors import FeeError
    from feetui.i18n import _, tr_error
    from feetui.printing import PrintProfile, layout_test_page, render, send

    settings = settings_from_args(args)
    if getattr(args, "columns", None):
        settings = replace(settings, printer_columns=args.columns)
    try:
        profile = PrintProfile.from_settings(settings)
        data = render(layout_test_page(_test_page(profile.columns), profile.columns), profile)
        send(settings.printer, data, timeout=args.timeout)
    except FeeError as error:
        print(
            _("The test page was not printed: {reason}").format(reason=tr_error(error)),
            file=sys.stderr,
        )
        return 1
    if settings.printer.strip() in ("none", "none:"):
        print(_("No printer is set (printer = none): nothing was printed."))
    else:
        print(_("Test page sent to {printer}.").format(printer=settings.printer))
    return 0


def _test_page(columns: int):
    """The test page's words in the current language."""
    from feetui.i18n import _
    from feetui.printing import PrinterTestPage

    return PrinterTestPage(
        title=_("Printer test"),
        columns_note=_(
            "{columns} characters per line: the ruler below must fill exactly one line."
        ).format(columns=columns),
        chinese_sample=_("Chinese text:") + " 收费员 李晓梅 物业服务费（高层）￥1,680.32",
        latin_sample=_("Latin text:") + " ABCDEFGHIJKLMNOPQRSTUVWXYZ abcdefghijklmnopqrstuvwxyz",
        amount_label=_("Amount"),
        qr_note=_("The QR code above must scan with a phone."),
        qr_payload=f"feetui print-test {columns}",
    )
