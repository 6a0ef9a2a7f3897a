"""Documents a counter really prints, with zh_CN labels, shared by the printing tests."""

from __future__ import annotations

from dataclasses import replace

from feetui.core.money import Money
from feetui.core.receipt import (
    AmountGroup,
    AmountRow,
    DailyReportDoc,
    FeeLine,
    PrintLabels,
    ReceiptDoc,
    ReminderNoticeDoc,
    ShiftReportDoc,
    TenderLine,
    VoidSlipDoc,
    verification_code,
)
from feetui.i18n import _, set_language

RECEIPT_ID = "019ab2c4-1f00-7a3b-9c41-5d2e8f6a7b10"
SALT = "test-salt-not-secret"


def labels() -> PrintLabels:
    """The labels as a zh_CN cashier reads them."""
    set_language("zh_CN")
    return PrintLabels().translated(_)


def receipt(copy_count: int = 0, *, is_void: bool = False) -> ReceiptDoc:
    """A cash-and-card receipt with late fees, a waiver, change and a prepaid balance."""
    lines = (
        FeeLine("物业服务费（高层住宅）", "2026-07~2026-09", Money(86_427)),
        FeeLine("车位管理费 地下B2-117", "2026-07~2026-12", Money(90_000)),
        FeeLine("水费", "2026-10", Money(4_350)),
        FeeLine("生活垃圾处理费", "2026-10", Money(1_500)),
    )
    late = (FeeLine("物业服务费滞纳金", "2026-07", Money(1_296)),)
    waivers = (FeeLine("滞纳金减免（主管批准）", "", Money(-1_296)),)
    total = Money(182_277)
    tenders = (
        TenderLine("现金", Money(82_277), tendered=Money(82_300), change=Money(23), is_cash=True),
        TenderLine("银行卡", Money(100_000), reference="****6217"),
    )
    return ReceiptDoc(
        company="示范物业服务有限公司",
        site="阳光花园小区",
        receipt_no="NO.A00012345",
        printed_at="2026-11-23 09:30",
        device_name="counter-1",
        cashier="李晓梅",
        unit_code="3-2-1502",
        payer="欧阳长风（业主）",
        lines=lines,
        late_fees=late,
        adjustments=waivers,
        total=total,
        tenders=tenders,
        prepaid_after=Money(2_000),
        receipt_id=RECEIPT_ID,
        verification=verification_code(RECEIPT_ID, "NO.A00012345", total, SALT),
        footer="请妥善保管本收据。服务热线：0571-8888 6666",
        copy_count=copy_count,
        is_void=is_void,
        labels=labels(),
    )


def void_slip() -> VoidSlipDoc:
    """A void of a WeChat payment, refunded the same way."""
    lines = (FeeLine("物业服务费", "2026-10", Money(28_809)),)
    return VoidSlipDoc(
        company="示范物业服务有限公司",
        site="阳光花园小区",
        receipt_no="NO.A00012346",
        voided_at="2026-11-23 10:05",
        device_name="counter-1",
        cashier="李晓梅",
        supervisor="王建国",
        unit_code="5-1-0302",
        payer="张三丰",
        reason="收费员选错房号，业主当场发现，原路退回微信支付",
        lines=lines,
        total=Money(28_809),
        refunds=(TenderLine("微信支付", Money(28_809), reference="4200****8812"),),
        footer="作废凭证随原收据一并存档",
        labels=labels(),
    )


def shift_report() -> ShiftReportDoc:
    """A shift with cash, card and WeChat, a void, a pay-out, a deposit and a shortage."""
    groups = (
        AmountGroup(
            "物业服务费",
            (
                AmountRow("现金", Money(412_050), 23),
                AmountRow("微信支付", Money(286_000), 11),
            ),
            Money(698_050),
        ),
        AmountGroup("车位管理费", (AmountRow("银行卡", Money(360_000), 4),), Money(360_000)),
        AmountGroup("水费", (AmountRow("现金", Money(18_735), 9),), Money(18_735)),
    )
    tenders = (
        AmountRow("现金", Money(430_785), 32),
        AmountRow("银行卡", Money(360_000), 4),
        AmountRow("微信支付", Money(286_000), 11),
    )
    return ShiftReportDoc(
        company="示范物业服务有限公司",
        site="阳光花园小区",
        device_name="counter-1",
        cashier="李晓梅",
        shift_no="S20261123-01",
        business_date="2026-11-23",
        opened_at="2026-11-23 08:00",
        closed_at="2026-11-23 16:30",
        printed_at="2026-11-23 16:31",
        fee_groups=groups,
        tender_totals=tenders,
        total=Money(1_076_785),
        payment_count=47,
        receipt_first="NO.A00012300",
        receipt_last="NO.A00012347",
        receipts_used=48,
        voided_receipts=("NO.A00012346",),
        refunds=Money(0),
        waivers=Money(1_296),
        cash_movements=(
            AmountRow("支出：购买打印纸", Money(-3_500)),
            AmountRow("存行：工商银行 缴款单 0023", Money(-300_000)),
        ),
        opening_float=Money(50_000),
        expected_cash=Money(177_285),
        counted_cash=Money(177_185),
        note="短款1元，已由收费员当场说明",
        labels=labels(),
    )


def daily_report() -> DailyReportDoc:
    """The site's day as this counter knows it: two counters."""
    shift = shift_report()
    return DailyReportDoc(
        company=shift.company,
        site=shift.site,
        business_date="2026-11-23",
        scope="阳光花园小区（全部窗口）",
        printed_at="2026-11-23 17:05",
        fee_groups=shift.fee_groups,
        tender_totals=shift.tender_totals,
        counter_totals=(
            AmountRow("counter-1", Money(800_000), 35),
            AmountRow("counter-2", Money(276_785), 12),
        ),
        total=shift.total,
        payment_count=47,
        units_served=41,
        voids=AmountRow("作废", Money(28_809), 1),
        refunds=Money(0),
        waivers=Money(1_296),
        labels=labels(),
    )


def reminder_notice() -> ReminderNoticeDoc:
    """Six months of arrears for a unit whose owner has a long name."""
    lines = (
        FeeLine("物业服务费", "2026-04~2026-06", Money(86_427)),
        FeeLine("物业服务费", "2026-07~2026-09", Money(86_427)),
        FeeLine("公共区域水电分摊", "2026-04~2026-09", Money(3_600)),
        FeeLine("物业服务费滞纳金（截至2026-11-23）", "", Money(5_186)),
    )
    return ReminderNoticeDoc(
        company="示范物业服务有限公司",
        site="阳光花园小区",
        unit_code="12-3-2604",
        owner="司马相如、卓文君",
        as_of="2026-11-23",
        lines=lines,
        total=Money(181_640),
        printed_at="2026-11-23 09:30",
        contact="物业服务中心 0571-8888 6666（9:00-17:30）",
        footer="示范物业服务有限公司 阳光花园服务中心",
        labels=labels(),
    )


DOCUMENTS = {
    "receipt": receipt,
    "receipt_reprint": lambda: receipt(copy_count=2),
    "receipt_voided_reprint": lambda: replace(receipt(copy_count=1), is_void=True),
    "void_slip": void_slip,
    "shift_report": shift_report,
    "daily_report": daily_report,
    "reminder_notice": reminder_notice,
}
