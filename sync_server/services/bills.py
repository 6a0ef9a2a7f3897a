"""The providers' daily bill files (对账单), read and imported for reconciliation.

* WeChat Pay's downloadbill CSV (UTF-8): a header row starting ``交易时间``, one row per trade or
  refund with every field prefixed by a back-tick (so spreadsheets keep long numbers as text), then
  a summary header ``总交易单数,应结订单总金额,退款总金额,...`` and its row.
* Alipay's 业务明细 CSV (GBK), alone or inside the downloaded zip (whose member names may be GBK
  too): ``#`` comment lines around a header row starting ``支付宝交易号``, one row per trade
  (业务类型 交易) or refund (退款), cells padded with tabs, and the totals in ``#交易合计`` /
  ``#退款合计`` lines.

A file is read whole and checked against its own totals before anything is stored: a truncated
or edited file is refused with the line at fault. Amounts are read from their decimal text into
fen exactly. Lines are stored once (importing a file again adds nothing), in one transaction.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import zipfile
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sync_server.clock import iso
from sync_server.db.connection import Database, Tx
from sync_server.errors import ApiError

BEIJING = ZoneInfo("Asia/Shanghai")
AMOUNT = re.compile(r"^-?\d+(\.\d{1,2})?$")


@dataclass(frozen=True, slots=True)
class BillLine:
    """One trade or refund of a provider's bill."""

    transaction_id: str
    out_trade_no: str
    kind: str
    """``trade`` (money in) or ``refund`` (money back, ``amount_fen`` positive)."""
    refund_id: str
    amount_fen: int
    fee_fen: int
    traded_at: datetime

    @property
    def bill_date(self) -> str:
        """The Beijing date of the line."""
        return self.traded_at.astimezone(BEIJING).date().isoformat()


@dataclass(frozen=True, slots=True)
class Bill:
    """A parsed bill file."""

    provider: str
    lines: tuple[BillLine, ...]

    @property
    def trade_fen(self) -> int:
        """Money in."""
        return sum(line.amount_fen for line in self.lines if line.kind == "trade")

    @property
    def refund_fen(self) -> int:
        """Money given back."""
        return sum(line.amount_fen for line in self.lines if line.kind == "refund")


@dataclass(frozen=True, slots=True)
class BillImport:
    """What an import did."""

    site: str
    provider: str
    dates: tuple[str, ...]
    lines: int
    new_lines: int
    trade_fen: int
    refund_fen: int


def bad_bill(message: str, /, **params: object) -> ApiError:
    """400 ``bad_bill``: the file is not a bill of this provider, or disagrees with itself."""
    return ApiError(400, "bad_bill", message, **params)


def fen(text: str, *, where: str) -> int:
    """``"-12.34"`` → -1234 exactly.

    Raises:
        ApiError: ``bad_bill`` naming ``where``.
    """
    text = text.strip().lstrip("`").replace(",", "")
    if not AMOUNT.match(text):
        raise bad_bill("{where}: {text!r} is not an amount", where=where, text=text[:20])
    sign = -1 if text.startswith("-") else 1
    whole, _, frac = text.lstrip("-").partition(".")
    return sign * (int(whole) * 100 + int((frac + "00")[:2]))


def _time(text: str, *, where: str) -> datetime:
    try:
        return datetime.strptime(text.strip(), "%Y-%m-%d %H:%M:%S").replace(tzinfo=BEIJING)
    except ValueError:
        raise bad_bill("{where}: {text!r} is not a time", where=where, text=text[:20]) from None


# --- WeChat Pay ---------------------------------------------------------------------------------


def parse_wechat_bill(data: bytes) -> Bill:
    """Read a WeChat Pay downloadbill CSV.

    Raises:
        ApiError: ``bad_bill``.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise bad_bill("a WeChat bill is UTF-8 text") from None
    rows = [[cell.strip().lstrip("`") for cell in row] for row in csv.reader(io.StringIO(text))]
    rows = [row for row in rows if any(row)]
    if not rows or rows[0][0] != "交易时间":
        raise bad_bill("not a WeChat Pay bill: the first row must start with 交易时间")
    header = {name: index for index, name in enumerate(rows[0])}
    for needed in ("交易时间", "微信订单号", "商户订单号", "交易状态", "应结订单金额", "退款金额"):
        if needed not in header:
            raise bad_bill("the WeChat bill has no column {column}", column=needed)
    try:
        end = next(i for i, row in enumerate(rows) if row[0] == "总交易单数")
    except StopIteration:
        raise bad_bill("the WeChat bill has no summary (总交易单数): is it cut short?") from None
    body, summary = rows[1:end], rows[end + 1] if end + 1 < len(rows) else []
    lines: list[BillLine] = []
    settled = refunded = 0
    for number, row in enumerate(body, start=2):

        def cell(name: str, row: list[str] = row) -> str:
            return row[header[name]] if header[name] < len(row) else ""

        where = f"line {number}"
        at = _time(cell("交易时间"), where=where)
        trade, back = fen(cell("应结订单金额"), where=where), fen(cell("退款金额"), where=where)
        fee = fen(cell("手续费") or "0", where=where) if "手续费" in header else 0
        settled, refunded = settled + trade, refunded + back
        status = cell("交易状态")
        ids = (cell("微信订单号"), cell("商户订单号"))
        if status == "SUCCESS":
            lines.append(BillLine(*ids, "trade", "", trade, fee, at))
        elif status in ("REFUND", "REVOKED"):
            refund_id = cell("微信退款单号") if "微信退款单号" in header else ""
            lines.append(BillLine(*ids, "refund", refund_id or status, back, fee, at))
        else:
            raise bad_bill("{where}: unknown 交易状态 {status}", where=where, status=status[:20])
    _check_wechat_summary(summary, len(body), settled, refunded)
    return Bill("wechat", tuple(lines))


def _check_wechat_summary(summary: list[str], count: int, settled: int, refunded: int) -> None:
    if len(summary) < 3 or not summary[0].isdigit():
        raise bad_bill("the WeChat bill's summary row is missing")
    expected = (int(summary[0]), fen(summary[1], where="summary"), fen(summary[2], where="summary"))
    if expected != (count, settled, refunded):
        raise bad_bill(
            "the WeChat bill disagrees with its summary: {rows} rows, {settled} fen settled and"
            " {refunded} fen refunded, but the summary says {expected}",
            rows=count,
            settled=settled,
            refunded=refunded,
            expected=list(expected),
        )


# --- Alipay -------------------------------------------------------------------------------------


def _zip_member_name(info: zipfile.ZipInfo) -> str:
    if info.flag_bits & 0x800:
        return info.filename
    try:  # Alipay's zips name their members in GBK without saying so
        return info.filename.encode("cp437").decode("gbk")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename


def _alipay_csv(data: bytes) -> str:
    if data[:2] == b"PK":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                members = [(i, _zip_member_name(i)) for i in archive.infolist()]
                detail = [i for i, name in members if "业务明细" in name and "汇总" not in name]
                if not detail:
                    raise bad_bill("the zip holds no 业务明细 CSV")
                data = archive.read(detail[0])
        except zipfile.BadZipFile:
            raise bad_bill("the zip file is damaged") from None
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise bad_bill("an Alipay bill is GBK text") from None


TOTALS = re.compile(r"#(交易|退款)合计：(\d+)笔，商家实收(?:退款)?共(-?[\d.]+)元")


def parse_alipay_bill(data: bytes) -> Bill:
    """Read an Alipay 业务明细 CSV, or the zip that holds it.

    Raises:
        ApiError: ``bad_bill``.
    """
    text = _alipay_csv(data)
    header: dict[str, int] | None = None
    lines: list[BillLine] = []
    totals: dict[str, tuple[int, int]] = {}
    counted = {"交易": [0, 0], "退款": [0, 0]}
    for number, raw in enumerate(text.splitlines(), start=1):
        if raw.startswith("#"):
            found = TOTALS.match(raw.strip())
            if found:
                kind, count, amount = found.groups()
                totals[kind] = (int(count), abs(fen(amount, where=f"line {number}")))
            continue
        cells = [cell.strip() for cell in next(csv.reader([raw]), [])]
        if not any(cells):
            continue
        if header is None:
            if cells[0] != "支付宝交易号":
                raise bad_bill("not an Alipay 业务明细 bill: no 支付宝交易号 header row")
            header = {name: index for index, name in enumerate(cells)}
            continue
        lines.append(_alipay_line(cells, header, f"line {number}", counted))
    if header is None:
        raise bad_bill("not an Alipay 业务明细 bill: no 支付宝交易号 header row")
    for kind in ("交易", "退款"):
        if kind not in totals:
            raise bad_bill("the Alipay bill has no #{kind}合计 line: is it cut short?", kind=kind)
        if totals[kind] != tuple(counted[kind]):
            raise bad_bill(
                "the Alipay bill disagrees with its #{kind}合计 line",
                kind=kind,
            )
    return Bill("alipay", tuple(lines))


def _alipay_line(
    cells: list[str], header: dict[str, int], where: str, counted: dict[str, list[int]]
) -> BillLine:
    def cell(name: str) -> str:
        index = header.get(name)
        if index is None:
            raise bad_bill("the Alipay bill has no column {column}", column=name)
        return cells[index] if index < len(cells) else ""

    kind = cell("业务类型")
    received = fen(cell("商家实收（元）"), where=where)
    fee = abs(fen(cell("服务费（元）") or "0", where=where))
    at = _time(cell("完成时间") or cell("创建时间"), where=where)
    ids = (cell("支付宝交易号"), cell("商户订单号"))
    if kind == "交易":
        counted[kind][0] += 1
        counted[kind][1] += received
        return BillLine(*ids, "trade", "", fen(cell("订单金额（元）"), where=where), fee, at)
    if kind == "退款":
        counted[kind][0] += 1
        counted[kind][1] += abs(received)
        return BillLine(
            *ids, "refund", cell("退款批次号/请求号") or "refund", abs(received), fee, at
        )
    raise bad_bill("{where}: unknown 业务类型 {kind}", where=where, kind=kind[:20])


PARSERS = {"wechat": parse_wechat_bill, "alipay": parse_alipay_bill}


def parse_bill(provider: str, data: bytes) -> Bill:
    """The bill of ``provider`` in ``data``.

    Raises:
        ApiError: ``bad_bill``, or ``bad_value`` for an unknown provider.
    """
    if provider not in PARSERS:
        raise ApiError(400, "bad_value", "provider must be wechat or alipay", field="provider")
    return PARSERS[provider](data)


async def import_bill(
    db: Database,
    *,
    site_code: str,
    provider: str,
    data: bytes,
    now: datetime,
    bill_date: str | None = None,
) -> BillImport:
    """Store a bill's lines for ``site_code`` (once each) and each date's totals, in one
    transaction.

    Args:
        bill_date: the date the bill is for (``YYYY-MM-DD``); needed to record a day without
            trades, and every line must then be of that date.

    Raises:
        ApiError: ``bad_bill``; 404 ``unknown_site``.
    """
    bill = parse_bill(provider, data)
    if bill_date is not None:
        stray = [line for line in bill.lines if line.bill_date != bill_date]
        if stray:
            raise bad_bill(
                "the bill has a line of {other}, not {day}", other=stray[0].bill_date, day=bill_date
            )
    digest = hashlib.sha256(data).hexdigest()
    new = 0
    async with db.transaction() as tx:
        site_id = await tx.fetchval("SELECT id FROM sites WHERE code = ?", site_code)
        if site_id is None:
            raise ApiError(404, "unknown_site", "no site with code {site}", site=site_code)
        for line in bill.lines:
            inserted = await tx.fetchval(
                "INSERT INTO scan_bill_lines (site_id, provider, bill_date, transaction_id, kind,"
                " refund_id, out_trade_no, amount_fen, fee_fen, traded_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING kind",
                site_id,
                provider,
                line.bill_date,
                line.transaction_id,
                line.kind,
                line.refund_id,
                line.out_trade_no,
                line.amount_fen,
                line.fee_fen,
                iso(line.traded_at),
            )
            new += inserted is not None
        dates = sorted({line.bill_date for line in bill.lines} | ({bill_date} - {None}))
        for day in dates:
            await _store_totals(tx, site_id, provider, day, digest, iso(now))
    return BillImport(
        site_code, provider, tuple(dates), len(bill.lines), new, bill.trade_fen, bill.refund_fen
    )


async def _store_totals(tx: Tx, site_id: str, provider: str, day: str, digest: str,
                        at: str) -> None:  # fmt: skip
    row = await tx.fetchrow(
        "SELECT count(*) AS n,"
        " CAST(coalesce(sum(CASE WHEN kind = 'trade' THEN amount_fen ELSE 0 END), 0) AS BIGINT)"
        " AS trade,"
        " CAST(coalesce(sum(CASE WHEN kind = 'refund' THEN amount_fen ELSE 0 END), 0) AS BIGINT)"
        " AS refund, CAST(coalesce(sum(fee_fen), 0) AS BIGINT) AS fee"
        " FROM scan_bill_lines WHERE site_id = ? AND provider = ? AND bill_date = ?",
        site_id,
        provider,
        day,
    )
    assert row is not None
    await tx.execute(
        "INSERT INTO scan_bills (site_id, provider, bill_date, lines, trade_fen, refund_fen,"
        " fee_fen, sha256, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (site_id, provider, bill_date) DO UPDATE SET lines = excluded.lines,"
        " trade_fen = excluded.trade_fen, refund_fen = excluded.refund_fen,"
        " fee_fen = excluded.fee_fen, sha256 = excluded.sha256, imported_at = excluded.imported_at",
        site_id,
        provider,
        day,
        int(row["n"]),
        int(row["trade"]),
        int(row["refund"]),
        int(row["fee"]),
        digest,
        at,
    )


__all__ = [
    "Bill",
    "BillImport",
    "BillLine",
    "import_bill",
    "parse_alipay_bill",
    "parse_bill",
    "parse_wechat_bill",
]
