"""Reconciliation: HQ's scanned successes against the providers' bill files and HQ's collections.

The bills come from the simulators (``settlement_bill``), in the providers' own formats: WeChat's
back-ticked downloadbill CSV and Alipay's GBK 业务明细 CSV inside its zip. Differences are made
the way they happen: a payment the counter has not pushed yet, an amount the provider reports
otherwise, an order the provider has and HQ never saw succeed, one HQ has and the bill lacks.
"""

from __future__ import annotations

import asyncio
import io
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from feetui.sync.protocol import make_record
from sync_server.cli import main
from sync_server.services.bills import import_bill, parse_alipay_bill, parse_wechat_bill
from sync_server.services.scanpay import out_trade_no
from tests.scanpay.kit import ScanKit, alipay_code, wechat_code
from tests.scanpay.simulator import SimOrder

DAY = date(2026, 11, 23)
CODES = {"wechat": wechat_code, "alipay": alipay_code}


@pytest.fixture(params=["wechat", "alipay"])
def provider(request: pytest.FixtureRequest) -> str:
    """Which provider's bill is reconciled."""
    return request.param


async def _paid(kit: ScanKit, provider: str, amount: int, scenario: str = "success") -> dict:
    code = CODES[provider]()
    kit.sims[provider].script(code, scenario)
    _, state = await kit.pay(code, amount)
    states = await kit.until_final(state)
    return states[-1]


async def _push_ledger_payment(kit: ScanKit, state: dict[str, Any], provider: str) -> Any:
    """The counter's ledger payment of a scanned success: same id, reference = transaction."""
    device = kit.device
    device.seq += 1
    tender = {"id": kit.new_id(), "method": provider, "amount_fen": state["amount_fen"],
              "reference": state["transaction_id"]}  # fmt: skip
    payload = {"site_id": device.site_id, "business_date": "2026-11-23", "unit_id": "unit-1",
               "created_at": "2026-11-23T01:30:00Z", "total_fen": state["amount_fen"],
               "tenders": [tender], "allocations": [], "receipt_no": "X-00000001",
               "receipt_series_id": "series-x", "receipt_number": device.seq}  # fmt: skip
    record = make_record(device_id=device.device_id, seq=device.seq,
                         record_id=state["payment_id"], kind="payment", payload=payload,
                         prev_hash=device.prev)  # fmt: skip
    device.prev = record.hash
    device.made.append(record)
    await kit.hq.push(device, [record])
    return record


async def _report(kit: ScanKit, **params: str) -> dict[str, Any]:
    token = await kit.hq.user_token(f"boss{len(params)}")
    response = await kit.hq.client.get(
        "/api/v1/reports/scanpay",
        params={"date": "2026-11-23", **params},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status == 200, await response.text()
    return await response.json()


async def test_the_report_lists_every_difference_with_the_bill_and_collections(
    scan: ScanKit, provider: str
) -> None:
    sim = scan.sims[provider]
    clean = await _paid(scan, provider, 10_000)
    unpushed = await _paid(scan, provider, 20_000)
    other_amount = await _paid(scan, provider, 30_000)
    refunded = await _paid(scan, provider, 500, "bad_signature")
    forgotten = await _paid(scan, provider, 4_000)
    voided = await _paid(scan, provider, 6_000)
    assert refunded["state"] == "failed"
    await _push_ledger_payment(scan, clean, provider)
    await _push_ledger_payment(scan, other_amount, provider)
    await _push_ledger_payment(scan, forgotten, provider)
    payment = await _push_ledger_payment(scan, voided, provider)
    typed = scan.device.payment(800, method=provider)  # a reference typed at the counter
    await scan.hq.push(scan.device, [scan.device.void(payment), typed])
    sim.orders[out_trade_no(other_amount["payment_id"])].amount_fen = 30_001
    del sim.orders[out_trade_no(forgotten["payment_id"])]
    stranger = SimOrder("f" * 32, 777, "success", "280000******0000", "物业费", state="SUCCESS",
                        transaction_id="2026stranger", charges=1,
                        paid_at=datetime(2026, 11, 23, 2, 0, tzinfo=UTC))  # fmt: skip
    sim.orders[stranger.out_trade_no] = stranger

    result = await import_bill(scan.hq.db, site_code="S1", provider=provider,
                               data=sim.settlement_bill(DAY), now=scan.hq.clock())  # fmt: skip
    assert result.dates == ("2026-11-23",)
    report = await _report(scan)
    rows = [r for r in report["rows"] if r["provider"] == provider]
    total = rows[0]
    assert total["kind"] == "total"
    assert total["hq_fen"] == 70_000
    assert total["provider_fen"] == 10_000 + 20_000 + 30_001 + 777 + 6_000
    assert total["difference_fen"] == total["provider_fen"] - 70_000
    assert total["collections_fen"] == 10_000 + 30_000 + 4_000 + 6_000
    found = sorted(
        (r["kind"], r["out_trade_no"] or r["payment_id"], r["difference_fen"]) for r in rows[1:]
    )
    assert found == sorted(
        [
            ("not_in_collections", out_trade_no(unpushed["payment_id"]), -20_000),
            ("amount_differs", out_trade_no(other_amount["payment_id"]), 1),
            ("missing_at_provider", out_trade_no(forgotten["payment_id"]), -4_000),
            ("missing_at_hq", "f" * 32, 777),
            ("voided_in_collections", out_trade_no(voided["payment_id"]), -6_000),
            ("not_scanned_at_hq", typed.record_id, 800),
        ]
    )
    other = [r for r in report["rows"] if r["provider"] != provider]
    assert [r["kind"] for r in other] == []


async def test_importing_a_bill_again_adds_nothing(scan: ScanKit, provider: str) -> None:
    await _paid(scan, provider, 1_000)
    data = scan.sims[provider].settlement_bill(DAY)
    first = await import_bill(scan.hq.db, site_code="S1", provider=provider, data=data,
                              now=scan.hq.clock())  # fmt: skip
    before = await scan.hq.snapshot()
    again = await import_bill(scan.hq.db, site_code="S1", provider=provider, data=data,
                              now=scan.hq.clock())  # fmt: skip
    assert (first.new_lines, again.new_lines) == (1, 0)
    assert await scan.hq.snapshot() == before


async def test_a_day_without_a_bill_says_so(scan: ScanKit, provider: str) -> None:
    await _paid(scan, provider, 1_000)
    rows = (await _report(scan))["rows"]
    mine = [(r["kind"], r["provider_fen"]) for r in rows if r["provider"] == provider]
    assert mine == [("no_bill", None), ("not_in_collections", None)]


async def test_the_report_exports_as_csv_and_xlsx_in_yuan(scan: ScanKit) -> None:
    await _paid(scan, "wechat", 1_234)
    token = await scan.hq.user_token("finance")
    bodies = {}
    for fmt in ("csv", "xlsx"):
        response = await scan.hq.client.get(
            "/api/v1/reports/scanpay",
            params={"date": "2026-11-23", "format": fmt, "site": "S1"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.status == 200
        bodies[fmt] = await response.read()
    lines = bodies["csv"].decode("utf-8-sig").splitlines()
    assert lines[0].startswith("小区,日期,支付机构,类别,收款编号,商户订单号,机构交易号,")
    assert "总部已付（元）" in lines[0] and "S1,2026-11-23,wechat,no_bill" in lines[1]
    assert ",12.34," in lines[1]
    assert bodies["xlsx"][:2] == b"PK"


def _wechat_bill_with(summary_count: str) -> bytes:
    return (
        "交易时间,公众账号ID,商户号,微信订单号,商户订单号,交易状态,应结订单金额,退款金额\r\n"
        "`2026-11-23 09:30:00,`wx1,`19,`4200001,`abc,`SUCCESS,`1.00,`0.00\r\n"
        "总交易单数,应结订单总金额,退款总金额\r\n"
        f"`{summary_count},`1.00,`0.00\r\n"
    ).encode()


def test_a_wechat_bill_must_agree_with_its_summary() -> None:
    bill = parse_wechat_bill(_wechat_bill_with("1"))
    assert [(line.kind, line.amount_fen, line.bill_date) for line in bill.lines] == [
        ("trade", 100, "2026-11-23")
    ]
    with pytest.raises(Exception) as refused:
        parse_wechat_bill(_wechat_bill_with("2"))
    assert getattr(refused.value, "code", "") == "bad_bill"
    cut = _wechat_bill_with("1").split("总交易单数".encode())[0]
    with pytest.raises(Exception, match="summary"):
        parse_wechat_bill(cut)
    with pytest.raises(Exception, match="not a WeChat Pay bill"):
        parse_wechat_bill(b"hello,world\r\n")


async def test_an_alipay_bill_is_read_from_its_zip_or_as_the_bare_csv(scan: ScanKit) -> None:
    await _paid(scan, "alipay", 2_500)
    zipped = scan.alipay.settlement_bill(DAY)
    with zipfile.ZipFile(io.BytesIO(zipped)) as archive:
        name = next(n for n in archive.namelist() if n.endswith("业务明细.csv"))
        bare = archive.read(name)
    assert bare.decode("gbk").startswith("#支付宝业务明细查询")
    for data in (zipped, bare):
        bill = parse_alipay_bill(data)
        assert [(line.kind, line.amount_fen) for line in bill.lines] == [("trade", 2_500)]
    edited = bare.replace("共25.00元".encode("gbk"), "共26.00元".encode("gbk"))
    with pytest.raises(Exception, match="合计"):
        parse_alipay_bill(edited)
    with pytest.raises(Exception, match="damaged"):
        parse_alipay_bill(zipped[:40])


async def test_a_refused_bill_stores_nothing(scan: ScanKit) -> None:
    before = await scan.hq.snapshot()
    with pytest.raises(Exception, match="summary"):
        await import_bill(scan.hq.db, site_code="S1", provider="wechat",
                          data=_wechat_bill_with("3"), now=scan.hq.clock())  # fmt: skip
    assert await scan.hq.snapshot() == before


async def test_the_command_line_configures_imports_and_reports(
    scan: ScanKit, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    if "postgres" in scan.hq.db.url:
        pytest.skip("one backend is enough for the command line")
    monkeypatch.setenv("SYNC_SERVER_LANGUAGE", "en_US")
    db = ["--db", scan.hq.db.url]
    key = tmp_path / "keys" / "wechat" / "wechat-api-key.txt"
    secret = key.read_text().strip()

    async def run(*argv: str) -> tuple[int, str, str]:
        code = await asyncio.to_thread(main, [*argv, *db])
        out, err = capsys.readouterr()
        return code, out, err

    add = ["scanpay", "add", "--site", "S2", "--provider", "wechat", "--app-id", "wx1",
           "--mch-id", "19", "--gateway", scan.wechat.url]  # fmt: skip
    code, out, err = await run(*add, "--key-file", str(tmp_path / "nope.txt"))
    assert code == 1 and "scanpay_not_configured" in err
    code, out, err = await run(*add, "--key-file", str(key), "--time-limit-s", "0")
    assert code == 1 and "time_limit_ms" in err
    code, out, _ = await run(*add, "--key-file", str(key), "--time-limit-s", "30")
    assert code == 0 and "S2 wechat" in out and secret not in out
    code, out, _ = await run("scanpay", "list")
    assert "S2\twechat\twx1\t19" in out and "30000/15000/2000/10000 ms" in out
    assert secret not in out

    paid = await _paid(scan, "wechat", 1_500)
    bill = tmp_path / "bill.csv"
    bill.write_bytes(scan.wechat.settlement_bill(DAY))
    args = ["scanpay", "import-bill", "--site", "S1", "--provider", "wechat", str(bill)]
    code, out, _ = await run(*args)
    assert code == 0 and "1 lines, 1 new" in out and "¥15.00" in out
    code, out, _ = await run("scanpay", "report", "--date", "2026-11-23", "--site", "S1")
    assert code == 1, "the payment is not in collections yet"
    assert "not in collections" in out and out_trade_no(paid["payment_id"]) in out
    await _push_ledger_payment(scan, paid, "wechat")
    code, out, _ = await run("scanpay", "report", "--date", "2026-11-23", "--site", "S1")
    assert (code, out.count("\n")) == (0, 1) and "total" in out
    code, out, _ = await run("scanpay", "report", "--date", "2026-11-23", "--format", "csv")
    assert out.startswith("Site,Date,Provider,Kind")
    monkeypatch.setenv("SYNC_SERVER_LANGUAGE", "zh_CN")
    code, out, _ = await run("scanpay", "report", "--date", "2026-11-23", "--site", "S1")
    assert "合计" in out and "支付机构" in out
    code, _, err = await run("scanpay", "report", "--date", "2026-11-31")
    assert code == 2 and "YYYY-MM-DD" in err
    code, out, _ = await run("scanpay", "sweep")
    assert code == 0 and "已处理 0 笔" in out
    (tmp_path / "not-a-bill.csv").write_text("hello\n", encoding="utf-8")
    code, out, err = await run(*args[:-1], str(tmp_path / "not-a-bill.csv"))
    assert (code, out) == (1, "")
    assert err == "错误：不是微信支付账单：第一行必须以“交易时间”开头（bad_bill）\n"
