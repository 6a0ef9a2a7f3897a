"""The checks run by ``feetui self-check``: each loads for real what the counter loads at run time.

Every check is ``async (settings, args) -> detail`` and raises on failure; the command
(``feetui/commands/self_check.py``) times them and reports. They matter most in the packaged
binary, where a data file or a module imported by name that the build left out would otherwise
only show up in front of a cashier.
"""

from __future__ import annotations

import argparse
import html
import secrets
import tempfile
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

from feetui.config import Settings
from feetui.core.errors import N_, IntegrityError_

# A message id every catalog translates (a printed label), to prove the .mo files are there.
_PROBE_ID = "Receipt"
_DEMO_CHARGE_FEN = 12_300
_DEMO_TENDERED_FEN = 20_000


def _test_page():
    from feetui.printing import PrinterTestPage

    return PrinterTestPage(
        title="feetui self-check",
        columns_note="",
        chinese_sample="收费员 物业服务费（高层）￥1,680.32",
        latin_sample="ABCDEFGHIJKLMNOPQRSTUVWXYZ",
        amount_label="合计",
        qr_note="",
        qr_payload="feetui self-check",
    )


async def check_resources(settings: Settings, args: argparse.Namespace) -> str:
    """Catalogs, babel locale data, the timezone, python-escpos and the printer profile load."""
    from babel import Locale
    from babel.numbers import format_decimal

    from feetui.clock import zone
    from feetui.i18n import SUPPORTED, _, current_language, set_language
    from feetui.printing import PrintProfile, layout_test_page, render

    language = current_language()
    try:
        set_language("zh_CN")
        if _(_PROBE_ID) == _PROBE_ID:
            raise _missing("the zh_CN message catalog")
    finally:
        set_language(language)
    numbers = [format_decimal(Decimal("1234.5"), locale=Locale.parse(lang)) for lang in SUPPORTED]
    zone(settings.timezone)
    profile = PrintProfile.from_settings(settings)
    render(layout_test_page(_test_page(), profile.columns), profile)  # escpos and its profiles
    return (
        f"catalogs {'/'.join(SUPPORTED)}, babel {' '.join(numbers)}, {settings.timezone}, "
        f"escpos profile {profile.profile_name}"
    )


async def check_database(settings: Settings, args: argparse.Namespace) -> str:
    """Open the configured database as the app does and apply any pending migration."""
    from tortoise import connections

    from feetui.db.connection import close_db, open_db

    path = settings.resolved_db_path()
    database = await open_db(path, device_name=settings.device_name)
    try:
        conn = connections.get("default")
        _, migrations = await conn.execute_query("SELECT COUNT(*) FROM tortoise_migrations")
        _, units = await conn.execute_query("SELECT COUNT(*) FROM unit")
    finally:
        await close_db(database)
    return f"{path}: {migrations[0][0]} migrations, {units[0][0]} units"


async def check_screens(settings: Settings, args: argparse.Namespace) -> str:
    """Render the sign-in screen and the lookup screen once, headless, at 80×24.

    The app opens the configured database itself, as it does at the counter; each screen must
    show its title (translated), which proves its layout, stylesheet and catalogs all loaded.
    """
    from feetui.app import make_app
    from feetui.i18n import _
    from feetui.screens.lookup import LookupScreen
    from feetui.screens.sign_in import SignInScreen

    app = make_app(settings)
    seen = []
    async with app.run_test(headless=True, size=(80, 24)) as pilot:
        await _wait_for_screen(pilot, SignInScreen)
        seen.append(_require_text(app, _("Fee counter"), "sign-in"))
        await app.push_screen(LookupScreen())
        await _wait_for_screen(pilot, LookupScreen)
        seen.append(_require_text(app, _("Find a unit"), "lookup"))
        app.exit()
    return ", ".join(seen) + " at 80×24"


async def _wait_for_screen(pilot, kind: type) -> None:
    """Let the app run until a screen of ``kind`` is mounted and idle (bounded)."""
    for _ in range(200):
        if isinstance(pilot.app.screen, kind) and pilot.app.screen.is_mounted:
            await pilot.pause()
            return
        await pilot.pause(0.01)
    raise _missing(f"the {kind.__name__}")


def _require_text(app, text: str, name: str) -> str:
    """``name`` when ``text`` is on the rendered screen; otherwise the check fails."""
    # The screenshot is SVG: entities unescaped and non-breaking spaces made plain again.
    shown = html.unescape(app.export_screenshot()).replace("\xa0", " ")
    if text not in shown:
        raise IntegrityError_(
            "self_check_screen_blank",
            N_("The {screen} screen did not show {text!r}."),
            screen=name,
            text=text,
        )
    return name


async def check_receipt(settings: Settings, args: argparse.Namespace) -> str:
    """Take a demo payment on a scratch database and print its receipt to a ``file:`` printer.

    The scratch database lives in a temporary folder: the counter's own ledger never receives a
    demo payment (posted records cannot be removed and would reach headquarters).
    """
    from feetui.i18n import format_money
    from feetui.printing import PrintProfile, render_document, send

    with tempfile.TemporaryDirectory(prefix="feetui-self-check-") as folder:
        scratch = Path(folder)
        target = Path(args.receipt) if getattr(args, "receipt", None) else scratch / "receipt.bin"
        demo = replace(settings, db_path=str(scratch / "demo.sqlite3"))
        doc = await _demo_receipt(demo)
        profile = PrintProfile.from_settings(settings)
        data = render_document(doc, profile)
        before = target.stat().st_size if target.is_file() else 0
        send(f"file:{target}", data)
        _verify_printed(target.read_bytes()[before:], data, doc, profile.encoding)
    return f"{doc.receipt_no} {format_money(doc.total)} → file:{target} ({len(data)} bytes)"


async def _demo_receipt(settings: Settings):
    """Post one cash payment on the scratch database and build its receipt as the app does."""
    from feetui.db.connection import close_db, open_db
    from feetui.screens.documents import receipt_doc
    from feetui.services.container import Services
    from feetui.services.counter import load_receipt

    database = await open_db(settings.resolved_db_path(), device_name=settings.device_name)
    try:
        svc = Services.build(settings, database)
        view = await load_receipt(svc, await _demo_payment(svc))
    finally:
        await close_db(database)
    return receipt_doc(view, settings, svc.tz)


async def _demo_payment(svc) -> str:
    """A one-unit site, a cashier, a shift, and an over-tendered cash payment (change due).

    Returns:
        The payment's id.
    """
    from feetui.core.money import Money
    from feetui.core.pin import hash_pin
    from feetui.db.models import Charge, FeeItem, Site, Unit, User
    from feetui.services.payments import take_payment
    from feetui.services.results import TenderInput
    from feetui.services.shifts import open_shift

    new = svc.ids.new_str
    site = await Site.create(id=new(), code="CHECK", name="自检小区")
    item = await FeeItem.create(
        id=new(), site=site, code="PF", name="物业费", kind="fixed", rate_fen=_DEMO_CHARGE_FEN,
        unit_label="月",
    )  # fmt: skip
    unit = await Unit.create(
        id=new(), site=site, code="1-1-101", building="1", entrance="1", room="101",
        area_centi_m2=8950, owner_name="张三丰",
    )  # fmt: skip
    await Charge.create(
        id=new(), unit=unit, fee_item=item, period="2026-10", amount_fen=_DEMO_CHARGE_FEN,
        due_date=date(2099, 12, 31), source="bill", created_at=svc.clock.now(),
    )  # fmt: skip
    cashier = await User.create(
        id=new(), code="0000", name="自检", role="cashier",
        pin_hash=hash_pin("0000", salt=secrets.token_bytes(16)),
    )  # fmt: skip
    await open_shift(svc, shift_id=new(), cashier_id=cashier.id, opening_counts={})
    cash = TenderInput("cash", Money(_DEMO_CHARGE_FEN), tendered=Money(_DEMO_TENDERED_FEN))
    posted = await take_payment(
        svc, payment_id=new(), unit_id=unit.id, cashier_id=cashier.id, tenders=[cash]
    )
    return posted.payment_id


def _verify_printed(printed: bytes, rendered: bytes, doc, encoding: str) -> None:
    """The printer file holds exactly the rendered job, with the receipt number and capitals."""
    expected = [doc.receipt_no.encode("ascii"), doc.total_in_capitals.encode(encoding)]
    if printed != rendered or not all(part in printed for part in expected):
        raise IntegrityError_(
            "self_check_receipt_mismatch",
            N_("The printed demo receipt is not what was rendered."),
        )


async def check_notice(settings: Settings, args: argparse.Namespace) -> str:
    """Draw a demo reminder notice as an A4 PDF and write it (reportlab and its CID font data).

    Nothing is read from the database: the notice is made up here. It goes to ``--notice`` when
    given, otherwise to a temporary folder.
    """
    from feetui.core.money import Money
    from feetui.core.notice import ReminderItem, ReminderSheet
    from feetui.core.receipt import PrintLabels
    from feetui.i18n import _
    from feetui.printing.pdf_notice import CJK_FONT, render_notices, write_file

    item = ReminderItem("物业费", "2026-10", Money(_DEMO_CHARGE_FEN), Money(0))
    sheet = ReminderSheet(
        company=settings.company_name, site="自检小区", notice_no="20261123-1-1-101",
        issued_on="2026-11-23", as_of="2026-11-23", unit_code="1-1-101", owner="张三丰",
        items=(item,), total=item.subtotal, labels=PrintLabels().translated(_),
    )  # fmt: skip
    data = render_notices([sheet])
    if not data.startswith(b"%PDF-") or f"/{CJK_FONT}".encode() not in data:
        raise IntegrityError_(
            "self_check_notice_mismatch", N_("The demo reminder notice is not a PDF in Chinese.")
        )
    with tempfile.TemporaryDirectory(prefix="feetui-self-check-") as folder:
        notice = getattr(args, "notice", None)
        target = write_file(Path(notice) if notice else Path(folder) / "notice.pdf", data)
    return f"{CJK_FONT} → {target} ({len(data)} bytes)"


def _missing(what: str) -> IntegrityError_:
    return IntegrityError_(
        "self_check_missing", N_("{what} is missing from this installation."), what=what
    )


CHECKS = (
    ("resources", check_resources),
    ("database", check_database),
    ("screens", check_screens),
    ("receipt", check_receipt),
    ("notice", check_notice),
)
"""The checks in the order they run: each later one relies on what the earlier ones loaded."""

__all__ = [
    "CHECKS",
    "check_database",
    "check_notice",
    "check_receipt",
    "check_resources",
    "check_screens",
]
