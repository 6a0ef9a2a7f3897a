"""The unit statement and arrears by age, built from posted rows through the services."""

from __future__ import annotations

from datetime import date

from feetui.core.money import Money
from feetui.db.queries.arrears import bucket_totals, list_arrears
from feetui.db.queries.statement import get_unit_statement
from feetui.services.voids import void_payment
from tests.builders import SUPERVISOR_CODE, SUPERVISOR_PIN, Ledger

AS_OF = date(2026, 11, 23)


async def test_statement_lists_owing_charges_late_fees_payments_and_prepaid(
    ledger: Ledger,
) -> None:
    unit = await ledger.unit("3-2-1502", owner="张三丰")
    old = await ledger.charge(unit, amount_fen=10_000, due_date=date(2026, 10, 28))
    await ledger.charge(unit, item="PK", period="2026-11", amount_fen=15_000)
    paid = await ledger.pay(unit, cash=5_000, charge_ids=[old.id], amount_to_charges=Money(5_000))
    statement = await get_unit_statement(unit.id, as_of=AS_OF)
    assert statement is not None
    assert (statement.unit_code, statement.owner_name) == ("3-2-1502", "张三丰")
    assert [line.charge.fee_item_name for line in statement.lines] == ["物业费", "停车费"]
    # The 50.00 went to the old charge itself; its late fee was not reached, so nothing was
    # posted, and it is still computed as of the date on what is left: 50.00 × 0.05% × 26 = 0.65.
    old_line, parking = statement.lines
    assert old_line.charge.outstanding == Money(5_000) and old_line.age_days == 26
    assert old_line.late_fee == Money(65)
    assert parking.late_fee == Money(0) and parking.age_days < 0
    assert statement.outstanding == Money(20_000)
    assert statement.due == Money(20_065)
    assert [p.receipt_no for p in statement.payments] == [paid.receipt_no]
    assert statement.payments[0].methods == ("cash",)
    assert statement.prepaid_balance == Money(0)


async def test_statement_shows_a_voided_payment_as_void(ledger: Ledger) -> None:
    unit = await ledger.unit()
    await ledger.charge(unit, item="PK", amount_fen=15_000)
    paid = await ledger.pay(unit)
    voided = await void_payment(
        ledger.svc,
        void_id=ledger.new_id(),
        payment_id=paid.payment_id,
        cashier_id=ledger.cashier.id,
        supervisor_code=SUPERVISOR_CODE,
        supervisor_pin=SUPERVISOR_PIN,
        reason="重复收费",
    )
    statement = await get_unit_statement(unit.id, as_of=AS_OF)
    assert statement is not None
    assert statement.payments[0].is_void
    assert statement.payments[0].void_receipt_no == voided.receipt_no
    assert statement.outstanding == Money(15_000)


async def test_statement_of_an_unknown_unit_is_none(ledger: Ledger) -> None:
    assert await get_unit_statement("missing", as_of=AS_OF) is None


async def test_arrears_ages_debts_into_the_four_buckets(ledger: Ledger) -> None:
    unit = await ledger.unit("1-1-101")
    for due, amount in [
        (date(2026, 11, 22), 100),  # 1 day
        (date(2026, 10, 24), 200),  # 30 days
        (date(2026, 10, 23), 300),  # 31 days
        (date(2026, 8, 25), 400),  # 90 days
        (date(2026, 8, 24), 500),  # 91 days
        (date(2026, 5, 27), 600),  # 180 days
        (date(2026, 5, 26), 700),  # 181 days
        (date(2026, 11, 23), 800),  # due today: not in arrears yet
    ]:
        await ledger.charge(unit, item="PK", amount_fen=amount, due_date=due)
    rows = await list_arrears(as_of=AS_OF)
    assert len(rows) == 1
    row = rows[0]
    assert row.buckets == {
        "d30": Money(300),
        "d90": Money(700),
        "d180": Money(1_100),
        "over180": Money(700),
    }
    assert row.total == Money(2_800)
    assert row.oldest_due == date(2026, 5, 26)


async def test_arrears_as_of_an_earlier_date_ignores_later_payments(ledger: Ledger) -> None:
    paying, owing = await ledger.unit("1-1-101"), await ledger.unit("1-1-102")
    await ledger.charge(paying, item="PK", amount_fen=15_000, due_date=date(2026, 9, 28))
    await ledger.charge(owing, item="PK", amount_fen=9_000, due_date=date(2026, 9, 28))
    await ledger.pay(paying)
    today = await list_arrears(as_of=AS_OF)
    assert [r.unit_code for r in today] == ["1-1-102"]
    before = await list_arrears(as_of=date(2026, 11, 1))
    assert [r.unit_code for r in before] == ["1-1-101", "1-1-102"]
    assert bucket_totals(before) == {
        "d30": Money(0),
        "d90": Money(24_000),
        "d180": Money(0),
        "over180": Money(0),
    }


async def test_arrears_of_one_site_only(ledger: Ledger) -> None:
    unit = await ledger.unit()
    await ledger.charge(unit, item="PK", amount_fen=1_000, due_date=date(2026, 9, 1))
    assert len(await list_arrears(as_of=AS_OF, site_id=ledger.site.id)) == 1
    assert await list_arrears(as_of=AS_OF, site_id="another-site") == []
