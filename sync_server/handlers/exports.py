"""One report, three renderings: JSON (default), CSV for any tool, XLSX for finance's Excel.

In CSV and XLSX a ``*_fen`` column becomes ``*_yuan`` with two decimals: people read yuan, and the
conversion from integer fen is exact (``Money.yuan_text``). openpyxl is imported only when an XLSX
is asked for, and the workbook is written in a thread so the event loop keeps serving.
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
    if fmt == "csv":
        body = to_csv(report).encode("utf-8-sig")
        return web.Response(
            body=body, content_type="text/csv", charset="utf-8", headers=disposition
        )
    body = await asyncio.to_thread(to_xlsx, report)
    return web.Response(body=body, content_type=XLSX_TYPE, headers=disposition)


def headers(report: Report) -> list[str]:
    """Column titles for people: ``_fen`` columns are shown in yuan."""
    return [c[: -len("_fen")] + "_yuan" if c.endswith("_fen") else c for c in report.columns]


def _cell(column: str, value: Any) -> Any:
    if value is None:
        return ""
    if column.endswith("_fen"):
        return Money(int(value)).yuan_text()
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return value


def to_csv(report: Report) -> str:
    """The report as CSV text (header row first)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headers(report))
    for row in report.rows:
        writer.writerow([_cell(c, row.get(c)) for c in report.columns])
    return out.getvalue()


def to_xlsx(report: Report) -> bytes:
    """The report as an XLSX workbook; yuan cells are numbers formatted ``0.00``."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = report.name[:31]
    sheet.append(headers(report))
    for row in report.rows:
        sheet.append([_xlsx_cell(c, row.get(c)) for c in report.columns])
    for index, column in enumerate(report.columns, start=1):
        if column.endswith("_fen"):
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = "0.00"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _xlsx_cell(column: str, value: Any) -> Any:
    if column.endswith("_fen") and value is not None:
        return Decimal(int(value)) / 100
    return _cell(column, value)


__all__ = ["FORMATS", "render", "to_csv", "to_xlsx"]
