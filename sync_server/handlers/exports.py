"""One report, three renderings: JSON (default), CSV for any tool, XLSX for finance's Excel.

JSON keeps the stable column names. CSV and XLSX are for people: each column gets its title in the
server's language (``SYNC_SERVER_LANGUAGE``, zh_CN by default, through :mod:`sync_server.i18n`),
and a ``*_fen`` column is shown in yuan with two decimals (exact: ``Money.yuan_text``). In XLSX,
money, counts and percentages are numbers, so Excel can add them up. openpyxl is imported only
when an XLSX is asked for, and the workbook is written in a thread so the event loop keeps serving.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
from decimal import Decimal
from typing import Any

from aiohttp import web

from feetui.core.money import Money
from sync_server.handlers.common import json_response
from sync_server.i18n import N_, translate
from sync_server.keys import SETTINGS
from sync_server.services.reports import Report

FORMATS = ("json", "csv", "xlsx")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def render(request: web.Request, report: Report) -> web.StreamResponse:
    """Answer with ``report`` in the format the query asks for."""
    fmt = request.query.get("format", "json")
    if fmt == "json":
        return json_response(report.to_json())
    name = f"{report.name}.{fmt}"
    disposition = {"Content-Disposition": f'attachment; filename="{name}"'}
    lang = request.app[SETTINGS].language
    if fmt == "csv":
        body = to_csv(report, lang).encode("utf-8-sig")
        return web.Response(
            body=body, content_type="text/csv", charset="utf-8", headers=disposition
        )
    body = await asyncio.to_thread(to_xlsx, report, lang)
    return web.Response(body=body, content_type=XLSX_TYPE, headers=disposition)


TITLES: dict[str, str] = {
    "site": N_("Site"),
    "device": N_("Counter"),
    "method": N_("Payment method"),
    "payments": N_("Number of payments"),
    "payments_fen": N_("Payments (¥)"),
    "voids": N_("Number of voids"),
    "voids_fen": N_("Voids (¥)"),
    "refunds_fen": N_("Refunds (¥)"),
    "net_fen": N_("Net received (¥)"),
    "paid_from_prepaid_fen": N_("Paid from prepaid (¥)"),
    "group": N_("Group"),
    "period": N_("Billing month"),
    "billed_fen": N_("Billed (¥)"),
    "collected_fen": N_("Collected (¥)"),
    "outstanding_fen": N_("Outstanding (¥)"),
    "rate_percent": N_("Collection rate (%)"),
    "prior_collected_fen": N_("Prior-period arrears collected (¥)"),
    "unit": N_("Unit"),
    "owed_fen": N_("Owed (¥)"),
    "age_0_30_fen": N_("Overdue ≤30 days (¥)"),
    "age_31_90_fen": N_("Overdue 31–90 days (¥)"),
    "age_91_180_fen": N_("Overdue 91–180 days (¥)"),
    "age_over_180_fen": N_("Overdue >180 days (¥)"),
    "id": N_("No."),
    "kind": N_("Kind"),
    "device_id": N_("Device ID"),
    "seq": N_("Sequence no."),
    "record_id": N_("Record ID"),
    "detail": N_("Detail"),
    "created_at": N_("Raised at"),
    "resolved_at": N_("Resolved at"),
    "shift_id": N_("Shift ID"),
    "cashier": N_("Cashier"),
    "business_date": N_("Business date"),
    "opened_at": N_("Opened at"),
    "closed_at": N_("Closed at"),
    "expected_fen": N_("Expected cash (¥)"),
    "counted_fen": N_("Counted cash (¥)"),
    "over_short_fen": N_("Over/short (¥)"),
    "pay_in_fen": N_("Pay-ins (¥)"),
    "pay_out_fen": N_("Pay-outs (¥)"),
    "deposit_fen": N_("Bank deposits (¥)"),
    "deposit_slips": N_("Deposit slips"),
    "cash_fen": N_("Cash takings (¥)"),
    "card_fen": N_("Bank card takings (¥)"),
    "wechat_fen": N_("WeChat Pay takings (¥)"),
    "alipay_fen": N_("Alipay takings (¥)"),
    "bank_fen": N_("Bank transfer takings (¥)"),
    "cheque_fen": N_("Cheque takings (¥)"),
    "prepaid_fen": N_("Paid from prepaid (¥)"),
    "other_fen": N_("Other methods' takings (¥)"),
    "date": N_("Date"),
    "provider": N_("Provider"),
    "payment_id": N_("Payment ID"),
    "out_trade_no": N_("Merchant order no."),
    "transaction_id": N_("Provider transaction no."),
    "hq_fen": N_("HQ paid (¥)"),
    "provider_fen": N_("Provider bill (¥)"),
    "collections_fen": N_("Counter collections (¥)"),
    "difference_fen": N_("Difference (¥)"),
}
"""Each report column's title for people (English message ids)."""

GROUP_TITLES = {"building": N_("Building"), "fee_item": N_("Fee item")}
"""The collection rate's ``group`` column, titled by what it groups by."""


def headers(report: Report, lang: str) -> list[str]:
    """Column titles for people, in ``lang``."""
    titles = []
    for column in report.columns:
        title = TITLES.get(column, column)
        if column == "group":
            title = GROUP_TITLES.get(str(report.params.get("by")), title)
        titles.append(translate(title, lang))
    return titles


def _cell(column: str, value: Any) -> Any:
    if value is None:
        return ""
    if column.endswith("_fen"):
        return Money(int(value)).yuan_text()
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return value


def to_csv(report: Report, lang: str) -> str:
    """The report as CSV text (titles in ``lang`` first)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headers(report, lang))
    for row in report.rows:
        writer.writerow([_cell(c, row.get(c)) for c in report.columns])
    return out.getvalue()


def to_xlsx(report: Report, lang: str) -> bytes:
    """The report as an XLSX workbook (titles in ``lang``); yuan and percentages are numbers
    formatted ``0.00``, counts are integers."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = report.name[:31]
    sheet.append(headers(report, lang))
    for row in report.rows:
        sheet.append([_xlsx_cell(c, row.get(c)) for c in report.columns])
    for index, column in enumerate(report.columns, start=1):
        if column.endswith(("_fen", "_percent")):
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = "0.00"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _xlsx_cell(column: str, value: Any) -> Any:
    if value is None:
        return None
    if column.endswith("_fen"):
        return Decimal(int(value)) / 100
    if column.endswith("_percent"):
        return Decimal(str(value))
    return _cell(column, value)


__all__ = ["FORMATS", "TITLES", "headers", "render", "to_csv", "to_xlsx"]
