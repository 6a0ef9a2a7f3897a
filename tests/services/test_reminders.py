"""Reminder notices from the ledger: what a sheet itemises, which units a list takes, skips."""

from __future__ import annotations

from datetime import date

from feetui.core.money import Money
from feetui.core.receipt import PrintLabels
from feetui.db.queries.arrears_list import ArrearsFilter, list_arrears
from feetui.services.reminders import (
    build_reminder_sheet,
    build_reminder_sheets,
    find_reminder_units,
)

TODAY = date(2026, 11, 23)


async def test_a_sheet_has_a_row_per_charge_with_its_late_fee_and_a_pay_by_date(svc, ledger):
    unit = await ledger.unit("3-2-1502", owner="张三丰")
    await ledger.charge(unit, item="PF", period="2026-10", amount_fen=10_000)
    await ledger.charge(unit, item="PK", period="2026-10", amount_fen=15_000)
    await ledger.charge(unit, item="PK", period="2026-12", amount_fen=15_000)  # not due yet
    sheet = await build_reminder_sheet(svc, unit_id=unit.id, as_of=TODAY, labels=PrintLabels())
    assert [(i.name, i.amount, i.late_fee) for i in sheet.items] == [
        ("物业费", Money(10_000), Money(130)),
        ("停车费", Money(15_000), Money(0)),
    ]
    assert sheet.total == Money(25_130)
    assert (sheet.notice_no, sheet.issued_on, sheet.deadline) == (
        "20261123-3-2-1502",
        "2026-11-23",
        "2026-12-08",
    )
    assert sheet.company == svc.settings.company_name and sheet.owner == "张三丰"


async def test_a_list_takes_every_matching_unit_past_the_screens_page_and_skips_the_paid(
    svc, ledger
):
    units = [await ledger.unit(f"1-1-10{n}") for n in range(3)]
    for n, unit in enumerate(units):
        await ledger.charge(unit, item="PK", period="2026-10", amount_fen=10_000 * (n + 1))
    assert len((await list_arrears(TODAY, ArrearsFilter(), limit=2)).rows) == 2
    found = await find_reminder_units(svc, as_of=TODAY, flt=ArrearsFilter())
    assert found == [units[2].id, units[1].id, units[0].id]  # the list's order: largest first
    await ledger.pay(units[1])
    batch = await build_reminder_sheets(svc, unit_ids=found, as_of=TODAY, labels=PrintLabels())
    assert [s.unit_code for s in batch.sheets] == ["1-1-102", "1-1-100"]
    assert [(s.unit_code, s.error.code) for s in batch.skipped] == [("1-1-101", "nothing_owed")]
    assert batch.file_name == "reminders-20261123-093000.pdf"
