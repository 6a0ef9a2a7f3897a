"""The shift slip and the daily report as printed: figures from the records, on paper."""

from __future__ import annotations

from datetime import date

import pytest

from feetui.core.money import Money
from feetui.printing import PrintProfile, render_document
from feetui.services.report_documents import daily_report_doc, shift_report_doc
from feetui.services.reports import build_daily_report, build_shift_report
from tests.builders import Ledger
from tests.printing.escpos_decoder import decode
from tests.shift_builders import close, hand_checked_day


def _squeezed(lines: list[str]) -> list[str]:
    return [" ".join(line.split()) for line in lines]


@pytest.mark.parametrize("columns", [32, 48])
async def test_shift_slip_prints_the_closed_shift(ledger: Ledger, columns: int) -> None:
    await hand_checked_day(ledger)
    await close(
        ledger,
        {"n100": 5, "n50": 1, "n20": 1, "n1": 4},
        note="短款一元",
        settlement_slips={"card": Money(29_900)},
    )
    report = await build_shift_report(ledger.svc, shift_id=ledger.shift.shift_id)
    doc = shift_report_doc(
        report, company="示范物业", tz=ledger.svc.tz, printed_at=ledger.svc.clock.now()
    )
    assert doc.total == Money(67_000)
    assert doc.over_short == Money(-100)
    assert doc.note.startswith("短款一元; 银行卡结算单")
    paper = decode(render_document(doc, PrintProfile(columns=columns)))
    lines = _squeezed(paper.texts())
    assert all(line.width <= columns for line in paper.lines)
    assert "应有现金 ￥575.00" in lines
    assert "实点现金 ￥574.00" in lines
    assert "长款(+)/短款(-) -￥1.00" in lines
    assert "存行: 工商银行 0023 -￥300.00" in lines


async def test_daily_report_prints_the_site_day(ledger: Ledger) -> None:
    await hand_checked_day(ledger)
    report = await build_daily_report(ledger.svc, business_date=date(2026, 11, 23))
    doc = daily_report_doc(
        report, company="示范物业", tz=ledger.svc.tz, printed_at=ledger.svc.clock.now()
    )
    assert doc.scope == "示范小区（全部窗口）"
    assert doc.total_in_capitals == "陆佰柒拾元整"
    assert (doc.voids.amount, doc.voids.count) == (Money(8_000), 1)
    lines = _squeezed(decode(render_document(doc, PrintProfile(columns=42))).texts())
    assert "合计 ￥670.00" in lines
