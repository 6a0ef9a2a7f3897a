"""Shift and daily reports of a hand-checked day: by fee item × method, receipts, cash."""

from __future__ import annotations

from datetime import date

import pytest

from feetui.core.errors import InputError
from feetui.core.money import Money
from feetui.services.reports import (
    FeeGroup,
    Takings,
    build_daily_report,
    build_shift_report,
)
from tests.builders import Ledger
from tests.shift_builders import close, hand_checked_day


def _table(takings: Takings) -> dict[str, dict[str, tuple[int, int]]]:
    return {
        group.title(str): {row.method: (row.amount.fen, row.count) for row in group.rows}
        for group in takings.groups
    }


async def test_shift_report_of_the_hand_checked_day(ledger: Ledger) -> None:
    day = await hand_checked_day(ledger)
    await close(ledger, {"n100": 5, "n50": 1, "n20": 1, "n1": 5})
    report = await build_shift_report(ledger.svc, shift_id=ledger.shift.shift_id)

    # E's ¥80 cash and its void cancel in the cash cell; its count nets to zero too.
    assert _table(report.takings) == {
        "停车费": {"cash": (31_000, 3), "card": (30_000, 1), "wechat": (4_000, 1)},
        "Prepaid deposits": {"cash": (2_000, 1)},
    }
    assert [(m.method, m.amount.fen) for m in report.takings.methods] == [
        ("cash", 33_000),
        ("card", 30_000),
        ("wechat", 4_000),
    ]
    assert report.takings.total == Money(67_000)
    assert report.takings.payment_count == 5
    assert (report.takings.void_count, report.takings.void_total) == (1, Money(8_000))
    assert report.takings.units_served == 4

    receipts = report.receipts
    assert receipts.first == day.payments[0].receipt_no
    assert receipts.last == day.voided.receipt_no
    assert receipts.used == 6
    assert receipts.voided == (day.payments[4].receipt_no,)
    assert receipts.unaccounted == ()

    assert report.refunds == Money(2_000)
    assert report.waivers == Money(0)
    assert [(m.kind, m.amount.fen, m.reason, m.slip_no) for m in report.cash_movements] == [
        ("pay_in", 10_000, "零钱补充", ""),
        ("pay_out", -3_500, "购买打印纸", ""),
        ("deposit", -30_000, "工商银行", "0023"),
    ]
    assert report.expected == Money(57_500)
    assert report.counted == Money(57_500)
    assert report.over_short == Money(0)
    assert report.shift_no == "S20261123-01"
    assert report.cashier == "李收银"
    assert report.site_name == "示范小区"
    assert [(s.method, s.recorded, s.slip) for s in report.settlements] == [
        ("card", Money(30_000), None),
        ("wechat", Money(4_000), None),
    ]
    assert report.handover is None


async def test_shift_report_totals_equal_the_receipts_less_the_voids(ledger: Ledger) -> None:
    day = await hand_checked_day(ledger)
    report = await build_shift_report(ledger.svc, shift_id=ledger.shift.shift_id)
    receipts = sum((p.tendered_total for p in day.payments), Money(0))
    assert report.takings.total == receipts - day.voided.total
    for group in report.takings.groups:
        assert isinstance(group, FeeGroup)
        assert group.total == sum((row.amount for row in group.rows), Money(0))


async def test_report_of_an_open_zero_sale_shift(ledger: Ledger) -> None:
    report = await build_shift_report(ledger.svc, shift_id=ledger.shift.shift_id)
    assert report.takings.groups == ()
    assert report.takings.total == Money(0)
    assert (report.receipts.first, report.receipts.used) == ("", 0)
    assert report.closed_at is None
    assert report.counted is None and report.over_short is None
    assert report.expected == Money(50_000)


async def test_report_of_an_unknown_shift_is_refused(ledger: Ledger) -> None:
    with pytest.raises(InputError) as caught:
        await build_shift_report(ledger.svc, shift_id=ledger.new_id())
    assert caught.value.code == "shift_unknown"


async def test_daily_report_of_the_hand_checked_day(ledger: Ledger) -> None:
    await hand_checked_day(ledger)
    site = await build_daily_report(ledger.svc, business_date=date(2026, 11, 23))
    device = await build_daily_report(
        ledger.svc, business_date=date(2026, 11, 23), device_id=ledger.svc.device_id
    )
    for report in (site, device):
        assert report.takings.total == Money(67_000)
        assert report.takings.payment_count == 5
        assert report.takings.units_served == 4
        assert report.refunds == Money(2_000)
    assert site.device_name is None
    assert device.device_name == "counter-1"
    assert [(c.name, c.amount, c.count) for c in site.counters] == [("counter-1", Money(67_000), 5)]
    other_day = await build_daily_report(ledger.svc, business_date=date(2026, 11, 24))
    assert other_day.takings.total == Money(0)
    assert other_day.counters == ()


async def test_open_shift_header_names_the_shift_until_it_closes(ledger: Ledger) -> None:
    from feetui.services.reports import get_open_shift_header

    header = await get_open_shift_header(ledger.svc)
    assert header is not None
    assert (header.shift_id, header.shift_no, header.cashier_name) == (
        ledger.shift.shift_id,
        "S20261123-01",
        "李收银",
    )
    await close(ledger, {"n100": 5})
    assert await get_open_shift_header(ledger.svc) is None
