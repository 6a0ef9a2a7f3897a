"""One-off charges, meter readings and adjustments: rows, journal, and what they refuse."""

from __future__ import annotations

from datetime import date

import pytest

from feetui.core.errors import InputError, PermissionError_, RuleError
from feetui.core.money import Money
from feetui.db.models import Adjustment, Charge, JournalEntry, MeterReading
from feetui.services.adjustments import adjust_charge
from feetui.services.charges import add_one_off_charge, record_meter_reading
from tests.builders import (
    CASHIER_CODE,
    CASHIER_PIN,
    SUPERVISOR_CODE,
    SUPERVISOR_PIN,
    Ledger,
    snapshot,
)


async def _one_off(ledger: Ledger, unit, **kwargs):
    return await add_one_off_charge(
        ledger.svc,
        charge_id=kwargs.pop("charge_id", ledger.new_id()),
        unit_id=unit.id,
        fee_item_id=kwargs.pop("fee_item_id", ledger.fee_items["CARD"].id),
        cashier_id=ledger.cashier.id,
        **kwargs,
    )


async def _reading(ledger: Ledger, unit, current: int, **kwargs):
    return await record_meter_reading(
        ledger.svc,
        reading_id=kwargs.pop("reading_id", ledger.new_id()),
        charge_id=ledger.new_id(),
        unit_id=unit.id,
        fee_item_id=kwargs.pop("fee_item_id", ledger.fee_items["WA"].id),
        recorded_by_id=ledger.cashier.id,
        read_on=kwargs.pop("read_on", date(2026, 11, 20)),
        current_centi=current,
        **kwargs,
    )


async def _adjust(ledger: Ledger, charge, kind: str, amount: int, **overrides):
    kwargs = {
        "adjustment_id": ledger.new_id(),
        "charge_id": charge.id,
        "kind": kind,
        "amount": Money(amount),
        "reason": "困难户减免",
        "requested_by_id": ledger.cashier.id,
        "supervisor_code": SUPERVISOR_CODE,
        "supervisor_pin": SUPERVISOR_PIN,
        **overrides,
    }
    return await adjust_charge(ledger.svc, **kwargs)


async def test_one_off_charge_at_the_fee_items_price_is_owed_at_once(ledger: Ledger) -> None:
    unit = await ledger.unit()
    posted = await _one_off(ledger, unit, period="门禁卡补办")
    assert (posted.amount, posted.source, posted.fee_item_name) == (
        Money(2_000),
        "one_off",
        "门禁卡工本费",
    )
    assert posted.due_date == date(2026, 11, 23)
    charge = await Charge.get(id=posted.charge_id)
    assert (charge.period, charge.origin_device_id) == ("门禁卡补办", ledger.svc.device_id)
    assert await ledger.due(unit) == 2_000
    paid = await ledger.pay(unit)
    assert [line.fee_item_name for line in paid.lines] == ["门禁卡工本费"]


async def test_one_off_charge_with_its_own_price_and_a_replay(ledger: Ledger) -> None:
    unit = await ledger.unit()
    charge_id = ledger.new_id()
    first = await _one_off(ledger, unit, charge_id=charge_id, amount=Money(35_000))
    assert await _one_off(ledger, unit, charge_id=charge_id, amount=Money(1)) == first
    assert await Charge.filter(unit_id=unit.id).count() == 1


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"amount": Money(0)}, "amount_zero"),
        ({"amount": Money(-100)}, "amount_negative"),
        ({"period": "x" * 33}, "period_invalid"),
        ({"fee_item_id": "PK"}, "fee_item_invalid"),
    ],
)
async def test_one_off_charge_refuses_bad_input(ledger: Ledger, kwargs: dict, code: str) -> None:
    unit = await ledger.unit()
    if kwargs.get("fee_item_id") == "PK":
        kwargs["fee_item_id"] = ledger.fee_items["PK"].id
    before = await snapshot()
    with pytest.raises(InputError) as info:
        await _one_off(ledger, unit, **kwargs)
    assert info.value.code == code
    assert await snapshot() == before


async def test_meter_reading_bills_usage_and_the_next_reading_follows_on(ledger: Ledger) -> None:
    unit = await ledger.unit()
    first = await _reading(ledger, unit, 12_345, previous_centi=10_000)
    # 23.45 m³ × ¥4.20 = ¥98.49
    assert (first.usage_centi, first.amount, first.period) == (2_345, Money(9_849), "2026-11")
    second = await _reading(ledger, unit, 13_345, read_on=date(2026, 12, 20))
    assert (second.usage_centi, second.amount) == (1_000, Money(4_200))
    readings = (
        await MeterReading.all().order_by("read_on").values_list("previous_centi", "current_centi")
    )
    assert readings == [(10_000, 12_345), (12_345, 13_345)]
    assert await Charge.filter(source="meter").count() == 2


async def test_meter_reading_handles_the_meter_rolling_over(ledger: Ledger) -> None:
    unit = await ledger.unit()
    posted = await _reading(ledger, unit, 500, previous_centi=9_999_000, rollover_centi=10_000_000)
    assert posted.usage_centi == 1_500


@pytest.mark.parametrize(
    ("kwargs", "error", "code"),
    [
        ({}, InputError, "previous_reading_required"),
        ({"previous_centi": 20_000}, RuleError, "meter_went_backwards"),
        ({"previous_centi": -1}, InputError, "meter_reading_invalid"),
        ({"previous_centi": 0, "fee_item_id": "PF"}, InputError, "fee_item_invalid"),
    ],
)
async def test_meter_reading_refuses_impossible_readings(
    ledger: Ledger, kwargs: dict, error: type, code: str
) -> None:
    unit = await ledger.unit()
    if kwargs.get("fee_item_id") == "PF":
        kwargs["fee_item_id"] = ledger.fee_items["PF"].id
    before = await snapshot()
    with pytest.raises(error) as info:
        await _reading(ledger, unit, 10_000, **kwargs)
    assert info.value.code == code
    assert await snapshot() == before


async def test_waiver_reduces_what_is_owed(ledger: Ledger) -> None:
    unit = await ledger.unit()
    charge = await ledger.charge(unit, item="PK", amount_fen=15_000)
    posted = await _adjust(ledger, charge, "waiver", 5_000)
    assert posted.outstanding_after == Money(10_000)
    assert posted.supervisor_name == "王主管"
    assert await ledger.due(unit) == 10_000
    assert await JournalEntry.filter(record_id=posted.adjustment_id, kind="adjustment").count() == 1


async def test_late_fee_waiver_stops_the_late_fee(ledger: Ledger) -> None:
    unit = await ledger.unit()
    charge = await ledger.charge(unit, amount_fen=10_000, due_date=date(2026, 10, 28))
    assert await ledger.due(unit) == 10_130
    await _adjust(ledger, charge, "late_fee_waiver", 130)
    assert await ledger.due(unit) == 10_000
    paid = await ledger.pay(unit)
    assert paid.late_fees == ()
    assert (await Adjustment.get(charge_id=charge.id)).kind == "late_fee_waiver"


@pytest.mark.parametrize(
    ("kind", "amount", "overrides", "code"),
    [
        ("waiver", 15_001, {}, "adjustment_above_outstanding"),
        ("late_fee_waiver", 1, {}, "adjustment_above_outstanding"),
        ("gift", 100, {}, "adjustment_kind_unknown"),
        ("waiver", 0, {}, "amount_zero"),
        ("waiver", 100, {"reason": ""}, "reason_required"),
        ("waiver", 100, {"supervisor_pin": "9998"}, "pin_wrong"),
        ("discount", 100, {"supervisor_code": CASHIER_CODE, "supervisor_pin": CASHIER_PIN},
         "supervisor_required"),
        ("waiver", 100, {"charge_id": "missing"}, "charge_unknown"),
    ],
)  # fmt: skip
async def test_adjustment_refuses_and_changes_nothing(
    ledger: Ledger, kind: str, amount: int, overrides: dict, code: str
) -> None:
    unit = await ledger.unit()
    charge = await ledger.charge(unit, item="PK", amount_fen=15_000)
    before = await snapshot()
    with pytest.raises((InputError, RuleError, PermissionError_)) as info:
        await _adjust(ledger, charge, kind, amount, **overrides)
    assert info.value.code == code
    assert await snapshot() == before
