"""The reminder notice as a sheet: totals to the fen, the company's wording, number, pay-by date."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from feetui.core.errors import FeeError
from feetui.core.money import Money
from feetui.core.notice import ReminderItem, ReminderSheet, notice_number, pay_by

ITEMS = (
    ReminderItem("物业费", "2026-09", Money(22_375), Money(604)),
    ReminderItem("停车费", "2026-10", Money(30_000), Money(0)),
)


def sheet(**changes: object) -> ReminderSheet:
    base = ReminderSheet(
        company="示范物业服务有限公司",
        site="阳光花园",
        notice_no="20261123-3-2-1502",
        issued_on="2026-11-23",
        as_of="2026-11-23",
        unit_code="3-2-1502",
        owner="张三丰",
        items=ITEMS,
        total=Money(52_979),
        deadline="2026-12-08",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_a_sheet_adds_amounts_and_late_fees_to_its_total() -> None:
    notice = sheet()
    assert [item.subtotal for item in notice.items] == [Money(22_979), Money(30_000)]
    assert (notice.amounts, notice.late_fees) == (Money(52_375), Money(604))
    assert notice.total_in_capitals == "伍佰贰拾玖元柒角玖分"


def test_a_sheet_whose_rows_do_not_add_up_cannot_be_built() -> None:
    with pytest.raises(FeeError) as caught:
        sheet(total=Money(52_978))
    assert caught.value.code == "document_does_not_add_up"


def test_the_company_wording_gets_every_placeholder_and_keeps_unknown_ones() -> None:
    wording = "{owner}（{unit}）截至{as_of}欠{total}，即{total_capitals}，"
    wording += "请于{deadline}前缴清。{x} {notice_no}"
    body = sheet(wording=wording).body
    assert body == (
        "张三丰（3-2-1502）截至2026-11-23欠￥529.79，即伍佰贰拾玖元柒角玖分，"
        "请于2026-12-08前缴清。{x} 20261123-3-2-1502"
    )


def test_the_receipt_printer_notice_has_a_line_per_charge_and_per_late_fee() -> None:
    doc = sheet(wording="{deadline}").receipt_doc(printed_at="2026-11-23 09:30")
    assert [(line.name, line.amount) for line in doc.lines] == [
        ("物业费", Money(22_375)),
        ("Late fees", Money(604)),
        ("停车费", Money(30_000)),
    ]
    assert doc.total == Money(52_979)
    assert (doc.body, doc.notice_no) == ("2026-12-08", "20261123-3-2-1502")


def test_the_notice_number_is_the_day_and_the_unit() -> None:
    assert notice_number(date(2026, 11, 3), "3-2-1502") == "20261103-3-2-1502"


@pytest.mark.parametrize(
    ("issued", "as_of", "days", "expected"),
    [
        (date(2026, 11, 23), date(2026, 11, 23), 15, date(2026, 12, 8)),
        (date(2026, 11, 23), date(2026, 11, 1), 15, date(2026, 12, 8)),  # counted to a past day
        (date(2026, 11, 23), date(2026, 11, 30), 10, date(2026, 12, 10)),  # to a later day
        (date(2026, 11, 23), date(2026, 11, 23), 0, None),
    ],
)
def test_the_pay_by_date_counts_from_the_later_of_the_two_dates(
    issued: date, as_of: date, days: int, expected: date | None
) -> None:
    assert pay_by(issued, as_of, days) == expected
