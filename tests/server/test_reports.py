"""HQ reports: daily takings, collection rate, arrears, exceptions; JSON, CSV and XLSX; roles."""

from __future__ import annotations

import csv
import io

from tests.server.helpers import Hq


async def _get(hq: Hq, token: str, path: str) -> tuple[int, object]:
    response = await hq.client.get(path, headers={"Authorization": f"Bearer {token}"})
    if response.content_type == "application/json":
        return response.status, await response.json()
    return response.status, await response.read()


def _charge(
    device, charge_id: str, amount: int, *, period: str = "2026-11", due: str = "2026-11-30"
):
    return device.record(
        "charge", charge_id=charge_id, unit_id="unit-1", period=period, amount_fen=amount,
        due_date=due,
    )  # fmt: skip


async def test_daily_report_nets_payments_voids_and_refunds_per_device_and_method(hq: Hq) -> None:
    one = await hq.enroll(name="window-1")
    two = await hq.enroll(name="window-2")
    cash = one.payment(10000)
    card = one.payment(2550, method="card")
    voided = one.void(cash)
    refund = two.record("refund", amount_fen=500, method="cash", unit_id="unit-1")
    await hq.push(one, [cash, card, voided])
    await hq.push(two, [two.payment(300), refund])
    token = await hq.user_token("boss")
    status, body = await _get(hq, token, "/api/v1/reports/daily?date=2026-11-23")
    assert status == 200
    rows = {(r["device"], r["method"]): r for r in body["rows"]}
    assert rows[("window-1", "cash")]["payments_fen"] == 10000
    assert rows[("window-1", "cash")]["voids_fen"] == -10000
    # Counts per method: payments (voided ones too) and voids, as the counter nets them.
    assert [(r["payments"], r["voids"]) for r in rows.values()] == [(1, 0), (1, 1), (1, 0)]
    assert rows[("window-1", "cash")]["net_fen"] == 0
    assert rows[("window-1", "card")]["net_fen"] == 2550
    assert rows[("window-2", "cash")]["net_fen"] == 300 - 500
    assert sum(r["net_fen"] for r in body["rows"]) == 2550 + 300 - 500


async def test_collection_rate_and_arrears_follow_charges_allocations_and_voids(hq: Hq) -> None:
    device = await hq.enroll()
    records = [
        _charge(device, "c-nov", 10000),
        _charge(device, "c-old", 4000, period="2026-06", due="2026-06-30"),
    ]
    paid = device.payment(7500, charge_id="c-nov")
    voided = device.payment(4000, charge_id="c-old")
    records += [paid, voided, device.void(voided)]
    await hq.push(device, records)
    token = await hq.user_token("boss")
    _, rate = await _get(hq, token, "/api/v1/reports/collection-rate?period=2026-11")
    assert [(r["billed_fen"], r["collected_fen"], r["rate_percent"]) for r in rate["rows"]] == [
        (10000, 7500, "75.00")
    ]
    _, rate = await _get(
        hq, token, "/api/v1/reports/collection-rate?period=2026-06&as_of=2026-11-23"
    )
    assert [(r["billed_fen"], r["collected_fen"], r["rate_percent"]) for r in rate["rows"]] == [
        (4000, 0, "0.00")
    ]
    _, owed = await _get(hq, token, "/api/v1/reports/arrears?as_of=2026-12-31")
    [unit] = owed["rows"]
    assert unit["owed_fen"] == 2500 + 4000
    assert (unit["age_31_90_fen"], unit["age_over_180_fen"]) == (2500, 4000)


async def test_a_site_manager_sees_only_their_sites(hq: Hq) -> None:
    here = await hq.enroll(site="S1")
    there = await hq.enroll(site="S2")
    await hq.push(here, [here.payment(100)])
    await hq.push(there, [there.payment(900)])
    token = await hq.user_token("mgr", role="site_manager", sites=("S1",))
    status, body = await _get(hq, token, "/api/v1/reports/daily?date=2026-11-23")
    assert status == 200
    assert {r["site"] for r in body["rows"]} == {"S1"}
    status, body = await _get(hq, token, "/api/v1/reports/daily?date=2026-11-23&site=S2")
    assert (status, body["error"]) == (403, "forbidden_site")
    status, body = await _get(hq, here.token, "/api/v1/reports/daily?date=2026-11-23")
    assert (status, body["error"]) == (403, "user_token_required")


async def test_exceptions_report_names_the_device(hq: Hq) -> None:
    device = await hq.enroll(name="window-9")
    records = [device.payment(100) for _ in range(3)]
    await hq.push(device, [records[0], records[2]])
    token = await hq.user_token("boss")
    _, body = await _get(hq, token, "/api/v1/reports/exceptions")
    assert [(r["kind"], r["device"], r["seq"]) for r in body["rows"]] == [
        ("seq_gap", "window-9", 2)
    ]
    await hq.push(device, [records[1]])
    _, body = await _get(hq, token, "/api/v1/reports/exceptions")
    assert body["rows"] == []
    _, body = await _get(hq, token, "/api/v1/reports/exceptions?resolved=true")
    assert len(body["rows"]) == 1


async def test_reports_export_as_csv_and_xlsx_in_yuan(hq: Hq) -> None:
    from openpyxl import load_workbook

    device = await hq.enroll()
    await hq.push(device, [device.payment(123456)])
    token = await hq.user_token("boss")
    status, body = await _get(hq, token, "/api/v1/reports/daily?date=2026-11-23&format=csv")
    assert status == 200
    text = body.decode("utf-8-sig").splitlines()
    assert text[0].startswith("小区,收费窗口,支付方式,收款笔数,收款（元）")
    assert "1234.56" in text[1]
    status, body = await _get(hq, token, "/api/v1/reports/daily?date=2026-11-23&format=xlsx")
    sheet = load_workbook(io.BytesIO(body)).active
    assert sheet["E1"].value == "收款（元）"
    assert sheet["E2"].value == 1234.56 and sheet["E2"].number_format == "0.00"
    assert sheet["D2"].value == 1


async def _exports(hq: Hq, token: str, path: str) -> tuple[list[list[str]], list[list[object]]]:
    """A report's CSV rows and XLSX cell values."""
    from openpyxl import load_workbook

    _, csv_body = await _get(hq, token, path + "&format=csv")
    _, xlsx_body = await _get(hq, token, path + "&format=xlsx")
    sheet = load_workbook(io.BytesIO(xlsx_body)).active
    cells = [[cell.value for cell in row] for row in sheet.iter_rows()]
    return list(csv.reader(io.StringIO(csv_body.decode("utf-8-sig")))), cells


async def test_collection_rate_arrears_and_exceptions_export_with_titles_and_numbers(
    hq: Hq,
) -> None:
    device = await hq.enroll(name="window-9")
    records = [_charge(device, "c-nov", 10000), _charge(device, "c-old", 4000, period="2026-06",
               due="2026-06-30")]  # fmt: skip
    records += [device.payment(7500, charge_id="c-nov"), device.payment(1000, charge_id="c-old")]
    skipped = device.payment(1)
    await hq.push(device, [*records, device.payment(2)])  # a gap: seq 5 never sent
    assert skipped.seq == 5
    token = await hq.user_token("boss")

    rate_csv, rate_xlsx = await _exports(
        hq, token, "/api/v1/reports/collection-rate?period=2026-11&as_of=2026-11-23&by=building"
    )
    assert rate_csv[0] == ["小区", "楼栋", "账期", "应收（元）", "实收（元）", "未收（元）",
                           "收缴率（%）", "收回往期欠费（元）"]  # fmt: skip
    assert rate_csv[1] == ["S1", "", "2026-11", "100.00", "75.00", "25.00", "75.00", "10.00"]
    assert rate_xlsx[0] == rate_csv[0]
    assert rate_xlsx[1] == ["S1", None, "2026-11", 100, 75, 25, 75, 10]
    assert all(isinstance(v, int | float) for v in rate_xlsx[1][3:])

    owed_csv, owed_xlsx = await _exports(hq, token, "/api/v1/reports/arrears?as_of=2026-12-31")
    assert owed_csv[0] == ["小区", "房号", "欠费（元）", "逾期30天内（元）", "逾期31–90天（元）",
                           "逾期91–180天（元）", "逾期180天以上（元）"]  # fmt: skip
    assert owed_csv[1] == ["S1", "unit-1", "55.00", "0.00", "25.00", "0.00", "30.00"]
    assert owed_xlsx[1] == ["S1", "unit-1", 55, 0, 25, 0, 30]

    flags_csv, flags_xlsx = await _exports(hq, token, "/api/v1/reports/exceptions?resolved=false")
    assert flags_csv[0][:6] == ["编号", "类别", "小区", "设备编号", "收费窗口", "序号"]
    [gap] = [row for row in flags_csv[1:] if row[1] == "seq_gap"]
    assert gap[2:6] == ["S1", device.device_id, "window-9", "5"]
    [gap_cells] = [row for row in flags_xlsx[1:] if row[1] == "seq_gap"]
    assert gap_cells[5] == 5 and isinstance(gap_cells[0], int)


def test_every_report_column_has_a_title_in_both_languages() -> None:
    from sync_server.handlers.exports import TITLES, headers
    from sync_server.services import reconcile, reports

    every = (reports.DAILY_COLUMNS, reports.RATE_COLUMNS, reports.ARREARS_COLUMNS,
             reports.EXCEPTION_COLUMNS, reports.SHIFT_COLUMNS, reconcile.COLUMNS)  # fmt: skip
    for columns in every:
        report = reports.Report("r", {"by": "fee_item"}, columns)
        assert set(columns) <= set(TITLES)
        english, chinese = headers(report, "en_US"), headers(report, "zh_CN")
        assert len(set(english)) == len(set(chinese)) == len(columns)
        assert all(title != column for title, column in zip(chinese, columns, strict=True))
    assert headers(reports.Report("r", {"by": "fee_item"}, ("group",)), "en_US") == ["Fee item"]
    assert headers(reports.Report("r", {}, ("site",)), "xx") == ["小区"]


def test_the_shift_reports_method_columns_are_the_counters_tender_methods() -> None:
    from feetui.db.models.base import TenderMethod
    from sync_server.services.reports import SHIFT_COLUMNS, SHIFT_METHODS

    assert SHIFT_METHODS == TenderMethod.ALL
    assert {f"{method}_fen" for method in SHIFT_METHODS} < set(SHIFT_COLUMNS)


async def test_shift_report_totals_each_method_in_its_column_and_exports_them(hq: Hq) -> None:
    from sync_server.services.reports import SHIFT_METHOD_COLUMNS

    device = await hq.enroll()
    device.shift_id = "shift-1"
    records = [
        device.record("shift_open", shift_id="shift-1", cashier_name="李收银"),
        device.payment(12_345),
        device.payment(5_000, method="card"),
    ]
    records += [
        device.void(records[-1]),
        device.payment(2_000, method="wechat"),
        device.payment(700, method="unionpay"),  # a method this HQ has no column for
        device.payment(300, method="prepaid"),
        device.record("refund", shift_id="shift-1", unit_id="unit-1", amount_fen=1_000,
                      method="cash"),
    ]  # fmt: skip
    device.shift_id = "shift-2"  # a shift whose open HQ has not seen yet
    records.append(device.payment(800, method="alipay"))
    await hq.push(device, records)
    token = await hq.user_token("boss")
    _, body = await _get(hq, token, "/api/v1/reports/shifts?date=2026-11-23")
    columns = (*SHIFT_METHOD_COLUMNS, "refunds_fen")
    taken = {row["shift_id"]: [row[c] for c in columns] for row in body["rows"]}  # type: ignore[index]
    # cash card wechat alipay bank cheque prepaid other refunds
    assert taken == {
        "shift-1": [12_345, 0, 2_000, 0, 0, 0, 300, 700, -1_000],
        "shift-2": [0, 0, 0, 800, 0, 0, 0, 0, 0],
    }
    rows_csv, rows_xlsx = await _exports(hq, token, "/api/v1/reports/shifts?date=2026-11-23")
    at = body["columns"].index("cash_fen")  # type: ignore[index]
    assert rows_csv[0][at : at + len(columns)] == [
        "现金收款（元）", "银行卡收款（元）", "微信支付收款（元）", "支付宝收款（元）",
        "银行转账收款（元）", "支票收款（元）", "预存抵扣（元）", "其他方式收款（元）",
        "退款（元）",
    ]  # fmt: skip
    [first] = [r[at : at + len(columns)] for r in rows_csv if "shift-1" in r]
    assert first == ["123.45", "0.00", "20.00", "0.00", "0.00", "0.00", "3.00", "7.00", "-10.00"]
    [cells] = [r[at : at + len(columns)] for r in rows_xlsx if "shift-1" in r]
    assert cells == [123.45, 0, 20, 0, 0, 0, 3, 7, -10]


async def test_report_queries_are_validated(hq: Hq) -> None:
    token = await hq.user_token("boss")
    cases = [
        ("/api/v1/reports/daily", 400, "missing_field"),
        ("/api/v1/reports/daily?date=2026-13-01", 400, "bad_value"),
        ("/api/v1/reports/daily?date=2026-11-23&format=pdf", 400, "bad_value"),
        ("/api/v1/reports/daily?date=2026-11-23&x=1", 400, "unknown_field"),
        ("/api/v1/reports/daily?date=2026-11-23&site=NOPE", 404, "unknown_site"),
        ("/api/v1/reports/collection-rate?period=2026-1", 400, "bad_value"),
        ("/api/v1/reports/collection-rate?period=2026-11&by=unit", 400, "bad_value"),
        ("/api/v1/reports/collection-rate?period=2026-11&as_of=11-23", 400, "bad_value"),
        ("/api/v1/reports/exceptions?resolved=maybe", 400, "bad_value"),
    ]
    for path, status, code in cases:
        got, body = await _get(hq, token, path)
        assert (got, body["error"]) == (status, code), path


async def test_a_cash_movement_hq_cannot_read_is_kept_in_the_journal_and_flagged(hq: Hq) -> None:
    device = await hq.enroll()
    good = device.record("cash_movement", shift_id="s-1", kind="pay_in", amount_fen=500,
                         reason="备用金", slip_no="")  # fmt: skip
    bad_kind = device.record("cash_movement", shift_id="s-1", kind="steal", amount_fen=500)
    bad_amount = device.record("cash_movement", shift_id="s-1", kind="deposit", amount_fen="5")
    no_shift = device.record("cash_movement", kind="deposit", amount_fen=5, slip_no="B-9")
    answer = await hq.push(device, [good, bad_kind, bad_amount, no_shift])
    assert {r["status"] for r in answer["results"]} == {"created"}
    assert await hq.scalar("SELECT count(*) FROM journal WHERE kind = 'cash_movement'") == 4
    assert await hq.rows("SELECT record_id, kind, amount_fen FROM cash_movements") == [
        {"record_id": good.record_id, "kind": "pay_in", "amount_fen": 500}
    ]
    flagged = {row["record_id"] for row in await hq.exceptions("unprojected")}
    assert flagged == {bad_kind.record_id, bad_amount.record_id, no_shift.record_id}
