"""``sync-server scanpay ...``: merchant accounts, bill imports and the reconciliation report.

    sync-server scanpay add --site LJY --provider wechat --app-id wx... --mch-id 1900000109 \\
        --key-file /etc/feetui/wechat-api-key.txt [--cert-file apiclient_cert.pem ...]
    sync-server scanpay add --site LJY --provider alipay --app-id 2021... \\
        --key-file app-private.pem --alipay-public-key-file alipay-public.txt
    sync-server scanpay list
    sync-server scanpay sweep [--idle-s 120]     # e.g. from cron: payments a counter abandoned
    sync-server scanpay import-bill --site LJY --provider wechat bill-2026-11-23.csv
    sync-server scanpay report --date 2026-11-23 [--site LJY] [--format text|csv|json]

Keys stay in their files; only the paths are stored. Messages go through :mod:`sync_server.i18n`.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from sync_server.i18n import _
from sync_server.settings import Settings

Register = Callable[..., argparse.ArgumentParser]


def register(sub: Any, command: Register) -> None:
    """Add the ``scanpay`` command group to the parser (``command`` is cli.py's ``_command``)."""
    group = command(
        sub, "scanpay", _("scanned-code payments: merchants, bills, reconciliation"), None
    )
    actions = group.add_subparsers(dest="action", required=True)
    add = command(actions, "add", _("configure (or replace) a site's merchant account"), _add)
    add.add_argument("--site", required=True, help=_("site code"))
    add.add_argument("--provider", required=True, choices=("wechat", "alipay"))
    add.add_argument("--gateway", default=None, help=_("gateway URL (the provider's by default)"))
    add.add_argument("--app-id", required=True, help=_("WeChat appid / Alipay app_id"))
    add.add_argument("--mch-id", default="", help=_("WeChat merchant number"))
    add.add_argument("--sign-type", default="", help=_("WeChat MD5 (default) or HMAC-SHA256"))
    add.add_argument("--key-file", required=True, help=_("WeChat API key / Alipay app private key"))
    add.add_argument("--alipay-public-key-file", default="", help=_("Alipay's public key"))
    add.add_argument("--cert-file", default="", help=_("WeChat API certificate (PEM)"))
    add.add_argument("--cert-key-file", default="", help=_("its private key (PEM)"))
    add.add_argument("--time-limit-s", type=float, default=60.0, help=_("time a payer may take"))
    add.add_argument("--reverse-window-s", type=float, default=15.0, help=_("no reversal before"))
    add.add_argument("--poll-ms", type=int, default=2000, help=_("counter's poll interval"))
    add.add_argument("--timeout-s", type=float, default=10.0, help=_("deadline of one call"))
    command(actions, "list", _("list the configured merchant accounts"), _list)
    sweep = command(actions, "sweep", _("finish payments whose counter stopped polling"), _sweep)
    sweep.add_argument("--idle-s", type=float, default=120.0, help=_("untouched for this long"))
    bill = command(actions, "import-bill", _("import a provider's daily bill file"), _import_bill)
    bill.add_argument("--site", required=True, help=_("site code"))
    bill.add_argument("--provider", required=True, choices=("wechat", "alipay"))
    bill.add_argument(
        "--date", default=None, help=_("YYYY-MM-DD (needed for a day without trades)")
    )
    bill.add_argument("file", help=_("WeChat downloadbill CSV; Alipay 业务明细 CSV or its zip"))
    report = command(actions, "report", _("scanned payments against the providers' bills"), _report)
    report.add_argument("--date", required=True, help=_("YYYY-MM-DD"))
    report.add_argument("--site", default=None, help=_("site code (every site by default)"))
    report.add_argument("--format", default="text", choices=("text", "csv", "json"))


def _merchant(args: argparse.Namespace) -> Any:
    from sync_server.services.merchants import DEFAULT_GATEWAYS, Merchant

    def path(value: str) -> str:
        return str(Path(value).resolve()) if value else ""

    return Merchant(
        site_id="",
        provider=args.provider,
        gateway_url=args.gateway or DEFAULT_GATEWAYS[args.provider],
        app_id=args.app_id,
        mch_id=args.mch_id,
        sign_type=args.sign_type,
        key_file=path(args.key_file),
        provider_key_file=path(args.alipay_public_key_file),
        cert_file=path(args.cert_file),
        cert_key_file=path(args.cert_key_file),
        time_limit_ms=round(args.time_limit_s * 1000),
        reverse_window_ms=round(args.reverse_window_s * 1000),
        poll_ms=args.poll_ms,
        timeout_ms=round(args.timeout_s * 1000),
    )


async def _open(settings: Settings) -> Any:
    from sync_server.cli import open_database

    return await open_database(settings)


async def _add(args: argparse.Namespace, settings: Settings) -> int:
    from sync_server.clock import utc_now
    from sync_server.services.merchants import add_merchant

    merchant = _merchant(args)
    db = await _open(settings)
    try:
        await add_merchant(db, merchant, site_code=args.site, now=utc_now())
    finally:
        await db.close()
    print(
        _("Merchant account saved: {site} {provider} (the keys stay in their files)").format(
            site=args.site, provider=args.provider
        )
    )
    return 0


async def _list(args: argparse.Namespace, settings: Settings) -> int:
    from sync_server.services.merchants import list_merchants

    db = await _open(settings)
    try:
        rows = await list_merchants(db)
    finally:
        await db.close()
    if not rows:
        print(_("No merchant account is configured."))
    for row in rows:
        print(
            f"{row['site']}\t{row['provider']}\t{row['app_id']}\t{row['mch_id']}\t"
            f"{row['gateway_url']}\t{row['time_limit_ms']}/{row['reverse_window_ms']}/"
            f"{row['poll_ms']}/{row['timeout_ms']} ms"
        )
    return 0


async def _sweep(args: argparse.Namespace, settings: Settings) -> int:
    from datetime import timedelta

    import aiohttp

    from sync_server.clock import utc_now
    from sync_server.services.scanpay import ScanContext, provider_factory, sweep_scans

    db = await _open(settings)
    try:
        async with aiohttp.ClientSession() as session:
            context = ScanContext(db, utc_now, provider_factory(session), settings.timezone)
            states = await sweep_scans(context, idle=timedelta(seconds=args.idle_s))
    finally:
        await db.close()
    for state in states:
        print(f"{state.payment_id}\t{state.provider}\t{state.state}\t{state.reason or ''}")
    print(_("{count} unfinished scanned payment(s) swept").format(count=len(states)))
    return 0


def _read(file: str) -> bytes | None:
    try:
        return Path(file).read_bytes()
    except OSError as error:
        print(_("Cannot read {file}: {reason}").format(file=file, reason=error.strerror),
              file=sys.stderr)  # fmt: skip
        return None


def _day(text: str | None) -> str | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text).isoformat() if len(text) == 10 else None
    except ValueError:
        return None


async def _import_bill(args: argparse.Namespace, settings: Settings) -> int:
    from feetui.core.money import Money
    from sync_server.clock import utc_now
    from sync_server.services.bills import import_bill

    day = _day(args.date)
    if args.date is not None and day is None:
        print(_("--date must be a date YYYY-MM-DD"), file=sys.stderr)
        return 2
    data = _read(args.file)
    if data is None:
        return 1
    db = await _open(settings)
    try:
        result = await import_bill(db, site_code=args.site, provider=args.provider, data=data,
                                   now=utc_now(), bill_date=day)  # fmt: skip
    finally:
        await db.close()
    print(
        _(
            "Bill imported for {site} {provider} ({dates}): {lines} lines, {new} new;"
            " taken ¥{trade}, given back ¥{refund}"
        ).format(
            site=result.site,
            provider=result.provider,
            dates=", ".join(result.dates) or "-",
            lines=result.lines,
            new=result.new_lines,
            trade=Money(result.trade_fen).yuan_text(grouping=True),
            refund=Money(result.refund_fen).yuan_text(grouping=True),
        )
    )
    return 0


async def _report(args: argparse.Namespace, settings: Settings) -> int:
    from sync_server.handlers.exports import to_csv
    from sync_server.services.reconcile import scanpay_report
    from sync_server.services.reports import site_ids_for

    day = _day(args.date)
    if day is None:
        print(_("--date must be a date YYYY-MM-DD"), file=sys.stderr)
        return 2
    db = await _open(settings)
    try:
        sites = await site_ids_for(db, [args.site] if args.site else None)
        if args.site and args.site not in sites:
            print(_("No site with code {site}").format(site=args.site), file=sys.stderr)
            return 1
        report = await scanpay_report(
            db, day=date.fromisoformat(day), site_ids=list(sites.values())
        )
    finally:
        await db.close()
    if args.format == "json":
        print(json.dumps(report.to_json(), ensure_ascii=False, indent=1))
    elif args.format == "csv":
        sys.stdout.write(to_csv(report, settings.language))
    else:
        _print_text(report)
    differences = [r for r in report.rows if r["kind"] not in ("total",)]
    return 1 if differences else 0


def _print_text(report: Any) -> None:
    from feetui.core.money import Money

    def yuan(value: Any) -> str:
        return "-" if value is None else Money(int(value)).yuan_text(grouping=True)

    if not report.rows:
        print(_("No scanned payments and no bill for this day."))
    for row in report.rows:
        what = {
            "total": _("total"),
            "no_bill": _("no bill imported"),
            "missing_at_hq": _("missing at HQ"),
            "missing_at_provider": _("missing at the provider"),
            "amount_differs": _("amount differs"),
            "transaction_differs": _("transaction id differs"),
            "not_in_collections": _("not in collections"),
            "voided_in_collections": _("voided at the counter, refund through the provider"),
            "not_scanned_at_hq": _("in collections, never charged by HQ"),
        }[row["kind"]]
        order = row["out_trade_no"] or ""
        amounts = _("HQ {hq} · provider {provider} · collections {collections}").format(
            hq=yuan(row["hq_fen"]),
            provider=yuan(row["provider_fen"]),
            collections=yuan(row["collections_fen"]),
        )
        print(f"{row['site']}\t{row['date']}\t{row['provider']}\t{what}\t{order}\t{amounts}")


__all__ = ["register"]
