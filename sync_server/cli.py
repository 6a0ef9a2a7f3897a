"""Command line of the headquarters server: ``sync-server COMMAND [--db URL] ...``.

Every command takes ``--db`` (or ``SYNC_SERVER_DB``). Commands that change data run one
transaction each and print what they did after the commit.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import ssl
import sys
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from feetui.core.command_line import option_in_argv
from sync_server import __version__
from sync_server.i18n import DEFAULT_LANGUAGE, N_, SUPPORTED, _, set_language, translate_argparse
from sync_server.settings import Settings, load_settings

Command = Callable[[argparse.Namespace, Settings], Awaitable[int]]
RULE_FLAGS = (
    "--months-per-bill",
    "--late-fee-daily-ppm",
    "--late-fee-grace-days",
    "--late-fee-cap-percent",
)
"""A fee item's bill cycle and late-fee rule, as ``fee-items set`` takes them."""
LANG_HELP = N_("language of the messages (SYNC_SERVER_LANGUAGE, zh_CN by default)")
API_MESSAGES = (
    N_("a site with code {code} exists"),
    N_("a user with code {code} exists"),
    N_("role must be one of {roles}"),
    N_("HQ users need a password"),
    N_("counter users need a PIN"),
    N_("name at least one site for this user"),
    N_("no site with code {site}"),
    N_("the site has fee item {item}"),
    N_("the site has no fee item {item}"),
    N_("name at least one of {fields} to change"),
    N_("provider must be wechat or alipay"),
    N_("the gateway must be an http(s) URL"),
    N_("missing setting {field}"),
    N_("Alipay calls are signed RSA2"),
    N_("{field} must be 1 to 600000 ms"),
    N_("{where}: {text!r} is not an amount"),
    N_("{where}: {text!r} is not a time"),
    N_("a WeChat bill is UTF-8 text"),
    N_("not a WeChat Pay bill: the first row must start with 交易时间"),
    N_("the WeChat bill has no column {column}"),
    N_("the WeChat bill has no summary (总交易单数): is it cut short?"),
    N_("{where}: unknown 交易状态 {status}"),
    N_("the WeChat bill's summary row is missing"),
    N_("the zip holds no 业务明细 CSV"),
    N_("the zip file is damaged"),
    N_("an Alipay bill is GBK text"),
    N_("not an Alipay 业务明细 bill: no 支付宝交易号 header row"),
    N_("the Alipay bill has no #{kind}合计 line: is it cut short?"),
    N_("the Alipay bill has no column {column}"),
    N_("{where}: unknown 业务类型 {kind}"),
    N_("the bill has a line of {other}, not {day}"),
)
"""The services' English error messages a command can meet, marked here so the catalogs hold
them (the services answer HTTP in English and are not to depend on the catalogs)."""


def build_parser() -> argparse.ArgumentParser:
    """The parser with every sub-command."""
    parser = argparse.ArgumentParser(
        prog="sync-server", description=_("feetui headquarters server")
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"sync-server {__version__}",
        help=_("show the version and exit"),
    )
    parser.add_argument("--lang", choices=SUPPORTED, default=None, help=_(LANG_HELP))
    sub = parser.add_subparsers(dest="command", required=True)
    serve = _command(sub, "serve", _("run the HTTP server"), _serve)
    serve.add_argument("--host", default=None, help=_("address to listen on (127.0.0.1)"))
    serve.add_argument("--port", type=int, default=None, help=_("TCP port (8470)"))
    serve.add_argument("--tls-cert", default=None, help=_("PEM certificate for HTTPS"))
    serve.add_argument("--tls-key", default=None, help=_("PEM private key for HTTPS"))
    _command(sub, "migrate", _("create or upgrade the database schema"), _migrate)
    _command(sub, "bump-epoch", _("after a restore: make every counter re-snapshot"), _bump_epoch)
    sites = _command(sub, "sites", _("manage sites"), None)
    site_sub = sites.add_subparsers(dest="action", required=True)
    add_site = _command(site_sub, "add", _("add a site"), _sites_add)
    add_site.add_argument("code", help=_("short site code, e.g. LJY"))
    add_site.add_argument("name", help=_("site name, e.g. 绿景苑"))
    enroll = _command(sub, "enroll", _("print a one-time enrolment code for a counter"), _enroll)
    enroll.add_argument("--site", required=True, help=_("site code"))
    enroll.add_argument("--name", required=True, help=_("counter name, e.g. window-1"))
    revoke = _command(sub, "revoke", _("revoke a device's token"), _revoke)
    revoke.add_argument("device", help=_("device id"))
    users = _command(sub, "users", _("manage users"), None)
    user_sub = users.add_subparsers(dest="action", required=True)
    add_user = _command(user_sub, "add", _("add a user"), _users_add)
    add_user.add_argument("code", help=_("sign-in code"))
    add_user.add_argument("--name", required=True)
    add_user.add_argument(
        "--role", required=True, choices=("admin", "site_manager", "supervisor", "cashier")
    )
    add_user.add_argument("--site", action="append", default=[], help=_("site code (repeatable)"))
    add_user.add_argument(
        "--password-stdin", action="store_true", help=_("read the password from stdin")
    )
    add_user.add_argument("--pin-stdin", action="store_true", help=_("read the PIN from stdin"))
    disable = _command(user_sub, "disable", _("disable a user"), _users_disable)
    disable.add_argument("code")
    items = _command(sub, "fee-items", _("manage fee items"), None)
    item_sub = items.add_subparsers(dest="action", required=True)
    add_item = _command(item_sub, "add", _("add a fee item to a site"), _fee_items_add)
    add_item.add_argument("--site", required=True)
    add_item.add_argument("--code", required=True)
    add_item.add_argument("--name", required=True)
    add_item.add_argument("--kind", required=True, choices=("area", "fixed", "metered", "one_off"))
    add_item.add_argument(
        "--rate-fen", type=_figure("--rate-fen"), required=True,
        help=_("fen per m²/month, month or unit"),
    )  # fmt: skip
    add_item.add_argument("--due-day", type=_figure("--due-day"), default=28)
    add_item.add_argument("--scope", choices=("unit", "vehicle"), default="unit")
    add_item.add_argument(
        "--months-per-bill", type=_figure("--months-per-bill"), default=1,
        help=(_("bill every N months, N months' worth each time (1 to 12; 3 = quarterly)")),
    )  # fmt: skip
    add_item.add_argument(
        "--late-fee-daily-ppm", type=_figure("--late-fee-daily-ppm"), default=0,
        help=(_("late fee per day in parts per million of what is overdue (0.5‰ = 500; 0: none)")),
    )  # fmt: skip
    add_item.add_argument(
        "--late-fee-grace-days", type=_figure("--late-fee-grace-days"), default=0,
        help=(_("days after the due date before the late fee starts")),
    )  # fmt: skip
    add_item.add_argument(
        "--late-fee-cap-percent", type=_figure("--late-fee-cap-percent"), default=0,
        help=(_("the late fee is at most this percentage of the charge (0 to 100)")),
    )  # fmt: skip
    set_item = _command(
        item_sub, "set", _("change a fee item's rate, due day, cycle or late fee"), _fee_items_set
    )
    set_item.add_argument("--site", required=True)
    set_item.add_argument("--code", required=True)
    set_item.add_argument("--name", default=None)
    set_item.add_argument("--scope", choices=("unit", "vehicle"), default=None)
    for flag in ("--rate-fen", "--due-day", *RULE_FLAGS):
        set_item.add_argument(flag, type=_figure(flag), default=None)
    bill = _command(sub, "bill", _("bill a month from the fee items (once per period)"), _bill)
    bill.add_argument("--period", required=True, help=_("YYYY-MM"))
    units = _command(sub, "import-units", _("import units, owners and plates (CSV/XLSX)"), _import)
    units.add_argument("file", help=_("columns: site, unit, area, owner, phone, plates"))
    adopt = _command(
        sub,
        "adopt-counter",
        _("take a standalone counter's site and data into HQ, ids kept"),
        _adopt,
    )
    adopt.add_argument("counter_db", metavar="COUNTER_DB", help=_("the counter's SQLite file"))
    adopt.add_argument("--site-code", default=None, help=_("the site's code at HQ (the counter's)"))
    adopt.add_argument(
        "--without-users", action="store_true", help=_("leave the counter's cashiers out")
    )
    from sync_server import scanpay_cli

    scanpay_cli.register(sub, _command)
    return parser


def _figure(option: str) -> Callable[[str], int]:
    """An argparse type reading a whole number as a standalone counter's ``fee-items`` does
    (:func:`feetui.core.master_data.parse_figure`); the range is the fee item check's."""

    def read(text: str) -> int:
        from feetui.core.errors import FeeError
        from feetui.core.master_data import parse_figure

        try:
            return parse_figure(text, option=option)
        except FeeError as error:
            raise argparse.ArgumentTypeError(_(error.message).format(**error.params)) from None

    return read


def _command(sub: Any, name: str, help_text: str, func: Command | None) -> argparse.ArgumentParser:
    parser = sub.add_parser(name, help=help_text, description=help_text)
    parser.add_argument("--db", default=argparse.SUPPRESS, help=_("database URL (SYNC_SERVER_DB)"))
    parser.add_argument("--lang", choices=SUPPORTED, default=argparse.SUPPRESS, help=_(LANG_HELP))
    if func is not None:
        parser.set_defaults(func=func)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``sync-server`` script; returns the exit code.

    The language (``--lang``, else ``SYNC_SERVER_LANGUAGE``, else zh_CN) is set before the parser
    is built, so its help and argparse's own messages are in it.
    """
    words = list(sys.argv[1:] if argv is None else argv)
    set_language(language_before_parsing(words))
    translate_argparse()
    args = build_parser().parse_args(words)
    overrides = {
        "language": getattr(args, "lang", None),
        "db": getattr(args, "db", None),
        "host": getattr(args, "host", None),
        "port": getattr(args, "port", None),
        "tls_cert": getattr(args, "tls_cert", None),
        "tls_key": getattr(args, "tls_key", None),
    }
    settings = load_settings(overrides)
    set_language(settings.language)
    if args.func is _serve:
        return _run_server(settings)
    return asyncio.run(_with_errors(args, settings))


def language_before_parsing(argv: Sequence[str], environ: Mapping[str, str] | None = None) -> str:
    """The language to build the parser in: ``--lang`` in ``argv`` (``--lang X`` or
    ``--lang=X``), else the ``language`` setting's variable, else zh_CN; unknown ones are passed
    over."""
    named = option_in_argv(argv, "--lang")
    if named in SUPPORTED:
        return str(named)
    env = os.environ if environ is None else environ
    configured = env.get("SYNC_SERVER_LANGUAGE", DEFAULT_LANGUAGE)
    return configured if configured in SUPPORTED else DEFAULT_LANGUAGE


async def _with_errors(args: argparse.Namespace, settings: Settings) -> int:
    from sync_server.errors import ApiError

    try:
        return await args.func(args, settings)
    except ApiError as error:
        print(_("error: {reason} ({code})").format(reason=api_error_text(error), code=error.code),
              file=sys.stderr)  # fmt: skip
        return 1


def api_error_text(error: Any) -> str:
    """An :class:`~sync_server.errors.ApiError` in the command line's language.

    The HTTP API answers with the English text and a stable code (the counter words the code);
    here the English id is looked up in the catalog, so the messages listed in
    :data:`API_MESSAGES` read in the user's language and any other stays English.
    """
    try:
        return _(error.message).format(**error.params)
    except (KeyError, IndexError, ValueError):
        return str(error)


async def _open(settings: Settings) -> Any:
    from sync_server.clock import utc_now
    from sync_server.db import connect, migrate

    db = await connect(settings.db)
    await migrate(db, now=utc_now())
    return db


open_database = _open
"""Connect and migrate (for command modules beside this one)."""


def _run_server(settings: Settings) -> int:
    import logging

    from aiohttp import web

    from sync_server.app import create_app, tune_collector

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    tune_collector()
    web.run_app(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        ssl_context=server_tls_context(settings),
    )
    return 0


def server_tls_context(settings: Settings) -> ssl.SSLContext | None:
    """The HTTPS context of ``--tls-cert``/``--tls-key`` (``None``: plain HTTP)."""
    if not settings.tls_cert:
        return None
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(settings.tls_cert, settings.tls_key or None)
    return context


async def _serve(args: argparse.Namespace, settings: Settings) -> int:
    raise AssertionError("serve runs through _run_server")


async def _migrate(args: argparse.Namespace, settings: Settings) -> int:
    from sync_server.clock import utc_now
    from sync_server.db import connect, migrate

    db = await connect(settings.db)
    try:
        applied = await migrate(db, now=utc_now())
    finally:
        await db.close()
    if applied:
        print(_("applied migrations: {migrations}").format(migrations=applied))
    else:
        print(_("schema is current"))
    return 0


async def _bump_epoch(args: argparse.Namespace, settings: Settings) -> int:
    from sync_server.services.pull import bump_epoch

    db = await _open(settings)
    try:
        epoch = await bump_epoch(db)
    finally:
        await db.close()
    print(_("new epoch: {epoch}").format(epoch=epoch))
    return 0


async def _sites_add(args: argparse.Namespace, settings: Settings) -> int:
    from sync_server.clock import utc_now
    from sync_server.services.master import add_site

    db = await _open(settings)
    try:
        site_id = await add_site(db, code=args.code, name=args.name, now=utc_now())
    finally:
        await db.close()
    print(_("site {code} added: {id}").format(code=args.code, id=site_id))
    return 0


async def _enroll(args: argparse.Namespace, settings: Settings) -> int:
    from sync_server.clock import utc_now
    from sync_server.services.auth import create_enrollment_code

    db = await _open(settings)
    try:
        code, expires = await create_enrollment_code(
            db, site_code=args.site, name=args.name, now=utc_now(), hours=settings.enroll_code_hours
        )
    finally:
        await db.close()
    # Scripts take the code as the first line's last word, after its last ASCII colon.
    print(_("enrolment code for {name} at {site}: {code}").format(
        name=args.name, site=args.site, code=code))  # fmt: skip
    print(_("valid until {time} (once)").format(time=expires.isoformat(timespec="seconds")))
    return 0


async def _revoke(args: argparse.Namespace, settings: Settings) -> int:
    from sync_server.clock import utc_now
    from sync_server.services.auth import revoke_device

    db = await _open(settings)
    try:
        done = await revoke_device(db, args.device, now=utc_now())
    finally:
        await db.close()
    if done:
        print(_("device {device} revoked").format(device=args.device))
    else:
        print(_("no enrolled device {device}").format(device=args.device))
    return 0 if done else 1


def _secret(from_stdin: bool, prompt: str) -> str | None:
    if not from_stdin:
        return None
    if sys.stdin.isatty():
        return getpass.getpass(prompt)
    return sys.stdin.readline().rstrip("\n")


async def _users_add(args: argparse.Namespace, settings: Settings) -> int:
    from sync_server.clock import utc_now
    from sync_server.services.master import NewUser, add_user

    user = NewUser(
        code=args.code,
        name=args.name,
        role=args.role,
        sites=tuple(args.site),
        password=_secret(args.password_stdin, _("password: ")),
        pin=_secret(args.pin_stdin, _("PIN: ")),
    )
    db = await _open(settings)
    try:
        user_id = await add_user(db, user, now=utc_now())
    finally:
        await db.close()
    print(_("user {code} ({role}) added: {id}").format(
        code=args.code, role=args.role, id=user_id))  # fmt: skip
    return 0


async def _users_disable(args: argparse.Namespace, settings: Settings) -> int:
    from sync_server.clock import utc_now
    from sync_server.services.master import disable_user

    db = await _open(settings)
    try:
        done = await disable_user(db, code=args.code, now=utc_now())
    finally:
        await db.close()
    if done:
        print(_("user {code} disabled").format(code=args.code))
    else:
        print(_("no active user {code}").format(code=args.code))
    return 0 if done else 1


async def _fee_items_add(args: argparse.Namespace, settings: Settings) -> int:
    from sync_server.clock import utc_now
    from sync_server.services.billing import NewFeeItem, add_fee_item

    item = NewFeeItem(
        args.code, args.name, args.kind, args.rate_fen, args.due_day, args.scope,
        site=args.site, months_per_bill=args.months_per_bill,
        late_fee_daily_ppm=args.late_fee_daily_ppm, late_fee_grace_days=args.late_fee_grace_days,
        late_fee_cap_percent=args.late_fee_cap_percent,
    )  # fmt: skip
    db = await _open(settings)
    try:
        item_id = await add_fee_item(db, item, now=utc_now())
    finally:
        await db.close()
    print(_("fee item {code} added to {site}: {id}").format(
        code=args.code, site=args.site, id=item_id))  # fmt: skip
    return 0


async def _fee_items_set(args: argparse.Namespace, settings: Settings) -> int:
    from sync_server.clock import utc_now
    from sync_server.services.billing import EDITABLE, update_fee_item

    changes = {key: getattr(args, key) for key in EDITABLE if getattr(args, key) is not None}
    if not changes:
        print(_("Nothing to change: give at least one of the fee item's fields."), file=sys.stderr)
        return 2
    db = await _open(settings)
    try:
        await update_fee_item(db, site=args.site, code=args.code, changes=changes, now=utc_now())
    finally:
        await db.close()
    print(_("Fee item {code} of {site} changed and published to its counters.").format(
        code=args.code, site=args.site))  # fmt: skip
    return 0


async def _bill(args: argparse.Namespace, settings: Settings) -> int:
    import re

    from feetui.core.money import Money
    from sync_server.clock import utc_now
    from sync_server.services.billing import bill_period

    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", args.period):
        print(_("error: --period must be YYYY-MM"), file=sys.stderr)
        return 2
    db = await _open(settings)
    try:
        runs = await bill_period(db, period=args.period, now=utc_now())
    finally:
        await db.close()
    for run in runs:
        if run.already_billed:
            print(_("{site} {period}: already billed, nothing done").format(
                site=run.site, period=run.period))  # fmt: skip
        else:
            total = Money(run.total_fen).yuan_text(grouping=True)
            print(_("{site} {period}: {charges} charge(s), ¥{total}").format(
                site=run.site, period=run.period, charges=run.charges, total=total))  # fmt: skip
    return 0


async def _import(args: argparse.Namespace, settings: Settings) -> int:
    from pathlib import Path

    from sync_server.clock import utc_now
    from sync_server.services.imports import import_units

    db = await _open(settings)
    try:
        report = await import_units(db, Path(args.file), now=utc_now())
    finally:
        await db.close()
    if not report.ok:
        print(_("nothing imported: {count} problem(s)").format(count=len(report.errors)),
              file=sys.stderr)  # fmt: skip
        for line in report.errors:
            print(f"  {line}", file=sys.stderr)
        return 1
    print(_("imported: {created} new unit(s), {updated} updated, {vehicles} plate(s)").format(
        created=report.units_created, updated=report.units_updated,
        vehicles=report.vehicles))  # fmt: skip
    return 0


async def _adopt(args: argparse.Namespace, settings: Settings) -> int:
    from pathlib import Path

    from sync_server.clock import utc_now
    from sync_server.services.adopt import AdoptError, adopt_counter, read_counter

    path = Path(args.counter_db)
    db = await _open(settings)
    try:
        data = await asyncio.to_thread(
            read_counter, path, site_code=args.site_code, users=not args.without_users
        )
        async with db.transaction() as tx:
            report = await adopt_counter(tx, data, now=utc_now())
    except AdoptError as error:
        print(_("nothing adopted ({code}):").format(code=error.code), file=sys.stderr)
        for line in error.problems:
            print(f"  {line}", file=sys.stderr)
        return 1
    finally:
        await db.close()
    print(
        _(
            "site {code} adopted ({id}): {units} unit(s), {parties} party(ies),"
            " {vehicles} vehicle(s), {fee_items} fee item(s), {users} user(s),"
            " {charges} charge(s) in {months} billed month(s)"
        ).format(
            code=report.site_code, id=report.site_id, units=report.units,
            parties=report.parties, vehicles=report.vehicles, fee_items=report.fee_items,
            users=report.users, charges=report.charges, months=report.bill_periods,
        )
    )  # fmt: skip
    print(
        _(
            "counter {device}: its journal up to seq {seq} is history;"
            " enrol it with: sync-server enroll --site {code} --name NAME"
        ).format(device=report.device_id, seq=report.history_seq, code=report.site_code)
    )
    return 0


__all__ = ["build_parser", "language_before_parsing", "main"]
