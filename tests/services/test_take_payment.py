"""take_payment: the rows it writes, the receipt it answers, and what it refuses."""

from __future__ import annotations

from datetime import date

import pytest

from feetui.core.errors import InputError, PermissionError_, RuleError
from feetui.core.money import Money
from feetui.db.models import Allocation, Charge, Payment, PrepaidEntry, ReceiptNumber, Tender
from feetui.services.journal import verify_local_chain
from feetui.services.results import TenderInput
from tests.builders import Ledger, snapshot


async def test_take_payment_of_everything_owed_in_exact_cash(ledger: Ledger) -> None:
    unit = await ledger.unit("3-2-1502")
    older = await ledger.charge(unit, period="2026-10", amount_fen=22_375)
    newer = await ledger.charge(unit, item="PK", period="2026-11", amount_fen=15_000)
    posted = await ledger.pay(unit, payer_name="张三丰")

    assert [line.charge_id for line in posted.lines] == [older.id, newer.id]
    assert [line.fee_item_name for line in posted.lines] == ["物业费", "停车费"]
    assert posted.total == Money(37_375) + sum((f.amount for f in posted.late_fees), Money(0))
    assert posted.unit_code == "3-2-1502"
    assert posted.cashier_name == "李收银"
    assert posted.payer_name == "张三丰"
    assert posted.business_date == date(2026, 11, 23)
    assert posted.receipt_no.endswith("-00000001")
    assert posted.change == Money(0)
    payment = await Payment.get(id=posted.payment_id)
    assert payment.total_fen == posted.total.fen
    assert payment.receipt_no == posted.receipt_no
    assert await ledger.due(unit) == 0


async def test_take_payment_posts_the_late_fee_as_of_the_shift_date(ledger: Ledger) -> None:
    unit = await ledger.unit()
    # Due 2026-10-28, 26 days late on 2026-11-23 at 500 ppm a day: 10000 × 0.0005 × 26 = 130 fen.
    parent = await ledger.charge(unit, amount_fen=10_000, due_date=date(2026, 10, 28))
    posted = await ledger.pay(unit)
    assert [(f.fee_item_name, f.amount) for f in posted.late_fees] == [("物业费", Money(130))]
    late = await Charge.get(parent_id=parent.id)
    assert (late.source, late.amount_fen, late.due_date) == ("late_fee", 130, date(2026, 11, 23))
    assert posted.total == Money(10_130)
    assert await ledger.due(unit) == 0


async def test_take_payment_gives_change_for_cash_above_the_amount(ledger: Ledger) -> None:
    unit = await ledger.unit()
    await ledger.charge(unit, item="PK", amount_fen=15_000)
    posted = await ledger.pay(
        unit, tenders=[TenderInput("cash", Money(15_000), tendered=Money(20_000))]
    )
    assert posted.change == Money(5_000)
    assert posted.total == Money(15_000)
    tender = await Tender.get(payment_id=posted.payment_id)
    assert (tender.amount_fen, tender.tendered_fen, tender.change_fen) == (15_000, 20_000, 5_000)


async def test_take_payment_splits_tenders_and_masks_a_scanned_code(ledger: Ledger) -> None:
    unit = await ledger.unit()
    await ledger.charge(unit, item="PK", amount_fen=15_000)
    code = "134567890123456789"
    posted = await ledger.pay(
        unit,
        tenders=[
            TenderInput("cash", Money(5_000)),
            TenderInput("wechat", Money(10_000), reference=code),
        ],
    )
    assert [t.method for t in posted.tenders] == ["cash", "wechat"]
    assert posted.tenders[1].reference == "1345****6789"
    stored = await Tender.filter(payment_id=posted.payment_id).values_list("reference", flat=True)
    assert code not in stored


async def test_take_payment_of_part_pays_oldest_first_and_leaves_the_rest(ledger: Ledger) -> None:
    unit = await ledger.unit()
    first = await ledger.charge(unit, item="PK", period="2026-10", amount_fen=15_000)
    second = await ledger.charge(unit, item="PK", period="2026-11", amount_fen=15_000)
    posted = await ledger.pay(unit, cash=20_000, amount_to_charges=Money(20_000))
    paid = {a.charge_id: a.amount_fen for a in await Allocation.all()}
    assert paid == {first.id: 15_000, second.id: 5_000}
    assert posted.total == Money(20_000)
    assert await ledger.due(unit) == 10_000


async def test_take_payment_puts_overpayment_to_prepaid_and_spends_it_later(
    ledger: Ledger,
) -> None:
    unit = await ledger.unit()
    await ledger.charge(unit, item="PK", period="2026-10", amount_fen=15_000)
    posted = await ledger.pay(unit, cash=20_000, overpay_to_prepaid=True)
    assert posted.prepaid_credit == Money(5_000)
    assert posted.prepaid_balance_after == Money(5_000)
    await ledger.charge(unit, item="PK", period="2026-11", amount_fen=15_000)
    second = await ledger.pay(
        unit,
        tenders=[TenderInput("prepaid", Money(5_000)), TenderInput("cash", Money(10_000))],
    )
    assert second.prepaid_used == Money(5_000)
    assert second.total == Money(10_000)
    assert second.prepaid_balance_after == Money(0)
    kinds = await PrepaidEntry.all().order_by("created_at").values_list("kind", "amount_fen")
    assert sorted(kinds) == [("credit", 5_000), ("spend", -5_000)]


async def test_take_payment_as_a_pure_prepaid_deposit(ledger: Ledger) -> None:
    unit = await ledger.unit()
    posted = await ledger.pay(
        unit, cash=30_000, charge_ids=[], amount_to_charges=Money(0), overpay_to_prepaid=True
    )
    assert posted.lines == ()
    assert posted.prepaid_credit == Money(30_000)
    assert await ledger.prepaid(unit) == 30_000


async def test_take_payment_issues_gapless_receipt_numbers(ledger: Ledger) -> None:
    numbers = []
    for _ in range(3):
        unit = await ledger.unit()
        await ledger.charge(unit, item="PK")
        numbers.append((await ledger.pay(unit)).receipt_no)
    assert [n[-8:] for n in numbers] == ["00000001", "00000002", "00000003"]
    assert await ReceiptNumber.all().order_by("number").values_list("number", flat=True) == [
        1,
        2,
        3,
    ]


async def test_take_payment_journals_everything_and_the_chain_verifies(ledger: Ledger) -> None:
    unit = await ledger.unit()
    await ledger.charge(unit)
    posted = await ledger.pay(unit)
    from feetui.db.models import JournalEntry, Outbox

    entry = await JournalEntry.get(record_id=posted.payment_id)
    assert entry.kind == "payment"
    assert entry.seq == 2  # after the shift's opening
    assert await Outbox.filter(entry_id=entry.id, acked_at=None).count() == 1
    assert await verify_local_chain(ledger.svc.device_id) is None


@pytest.mark.parametrize(
    ("tenders", "code"),
    [
        ([], "tender_required"),
        ([TenderInput("bitcoin", Money(100))], "tender_method_unknown"),
        ([TenderInput("cash", Money(0))], "amount_zero"),
        ([TenderInput("cash", Money(-100))], "amount_negative"),
        ([TenderInput("cash", Money(100_000_001))], "amount_above_ceiling"),
        ([TenderInput("cash", Money(15_000), tendered=Money(100))], "tendered_below_amount"),
        ([TenderInput("card", Money(15_000), tendered=Money(20_000))], "change_only_for_cash"),
        ([TenderInput("card", Money(15_000), reference="x" * 65)], "reference_too_long"),
    ],
)
async def test_take_payment_refuses_bad_tenders_and_changes_nothing(
    ledger: Ledger, tenders: list[TenderInput], code: str
) -> None:
    unit = await ledger.unit()
    await ledger.charge(unit, item="PK", amount_fen=15_000)
    before = await snapshot()
    with pytest.raises(InputError) as info:
        await ledger.pay(unit, tenders=tenders)
    assert info.value.code == code
    assert await snapshot() == before


@pytest.mark.parametrize(
    ("cash", "kwargs", "code"),
    [
        (10_000, {}, "tender_short"),
        (20_000, {}, "overpaid"),
        (20_000, {"amount_to_charges": Money(20_000)}, "amount_above_due"),
        (100, {"charge_ids": []}, "nothing_owed"),
    ],
)
async def test_take_payment_refuses_sums_that_do_not_add_up(
    ledger: Ledger, cash: int, kwargs: dict, code: str
) -> None:
    unit = await ledger.unit()
    await ledger.charge(unit, item="PK", amount_fen=15_000)
    before = await snapshot()
    with pytest.raises(RuleError) as info:
        await ledger.pay(unit, cash=cash, **kwargs)
    assert info.value.code == code
    assert await snapshot() == before


async def test_take_payment_refuses_more_prepaid_than_the_balance(ledger: Ledger) -> None:
    unit = await ledger.unit()
    await ledger.charge(unit, item="PK", amount_fen=15_000)
    before = await snapshot()
    with pytest.raises(RuleError) as info:
        await ledger.pay(unit, tenders=[TenderInput("prepaid", Money(15_000))])
    assert info.value.code == "prepaid_insufficient"
    assert await snapshot() == before


async def test_take_payment_refuses_a_charge_of_another_unit(ledger: Ledger) -> None:
    unit, other = await ledger.unit(), await ledger.unit()
    foreign = await ledger.charge(other, item="PK", amount_fen=15_000)
    before = await snapshot()
    with pytest.raises(InputError) as info:
        await ledger.pay(unit, cash=15_000, charge_ids=[foreign.id])
    assert info.value.code == "charge_unknown"
    assert await snapshot() == before


async def test_take_payment_refuses_without_an_open_shift(svc) -> None:
    from tests.builders import make_ledger

    ledger = await make_ledger(svc, with_shift=False)
    unit = await ledger.unit()
    await ledger.charge(unit, item="PK", amount_fen=15_000)
    before = await snapshot()
    with pytest.raises(RuleError) as info:
        await ledger.pay(unit, cash=15_000)
    assert info.value.code == "no_open_shift"
    assert await snapshot() == before


async def test_take_payment_refuses_a_disabled_cashier(ledger: Ledger) -> None:
    unit = await ledger.unit()
    await ledger.charge(unit, item="PK", amount_fen=15_000)
    ledger.cashier.active = False
    await ledger.cashier.save()
    with pytest.raises(PermissionError_) as info:
        await ledger.pay(unit, cash=15_000)
    assert info.value.code == "user_unknown"


async def test_a_returned_payment_is_already_durable_for_a_second_connection(
    ledger: Ledger,
) -> None:
    from feetui.db.connection import raw_connection

    unit = await ledger.unit()
    await ledger.charge(unit, item="PK", amount_fen=15_000)
    posted = await ledger.pay(unit)
    # What the printer thread would do: look from outside the app's connection.
    connection = raw_connection(ledger.svc_db_path())
    try:
        row = connection.execute(
            "SELECT receipt_no, total_fen FROM payment WHERE id = ?", (posted.payment_id,)
        ).fetchone()
    finally:
        connection.close()
    assert row == (posted.receipt_no, 15_000)


async def test_take_payment_refuses_when_the_receipt_series_is_used_up(ledger: Ledger) -> None:
    from feetui.db.models import ReceiptSeries

    ledger.svc.clock.advance(seconds=1)  # type: ignore[attr-defined]
    await ReceiptSeries.create(
        id=ledger.new_id(),
        device_id=ledger.svc.device_id,
        prefix="Z",
        first_no=7,
        last_no=7,
        created_at=ledger.svc.clock.now(),
    )
    first, second = await ledger.unit(), await ledger.unit()
    for unit in (first, second):
        await ledger.charge(unit, item="PK", amount_fen=15_000)
    assert (await ledger.pay(first)).receipt_no == "Z-00000007"
    before = await snapshot()
    with pytest.raises(RuleError) as info:
        await ledger.pay(second)
    assert info.value.code == "receipt_series_exhausted"
    assert await snapshot() == before
