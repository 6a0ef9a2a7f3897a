"""Posted money rows cannot be changed, even by a bug (RELIABILITY R11).

One row of every posted table is written directly; each then refuses UPDATE and DELETE through
Tortoise (instance save, queryset update, instance delete, queryset delete) and through raw SQL.
"""

from __future__ import annotations

import sqlite3
from datetime import date
from typing import Any

import pytest
from tortoise.exceptions import IntegrityError
from tortoise.models import Model

from feetui.clock import FixedClock, IdSource
from feetui.db import models as m
from feetui.db.connection import raw_connection

POSTED = (
    m.Adjustment,
    m.Allocation,
    m.CashMovement,
    m.Charge,
    m.CollectionNote,
    m.JournalEntry,
    m.MeterReading,
    m.Payment,
    m.PrepaidEntry,
    m.ReceiptNumber,
    m.ReceiptSeries,
    m.Refund,
    m.Shift,
    m.ShiftClose,
    m.Tender,
    m.Void,
)


async def _one_of_each(ids: IdSource, clock: FixedClock, device_id: str) -> dict[type, Model]:
    """Write one row in every posted table (and the master data they point at)."""
    now, day = clock.now(), date(2026, 11, 23)

    def new(**kw: Any) -> dict[str, Any]:
        return {"id": ids.new_str(), **kw}

    site = await m.Site.create(**new(code="S1", name="Demo"))
    unit = await m.Unit.create(**new(site=site, code="1-1-101", building="1", room="101"))
    item = await m.FeeItem.create(**new(site=site, code="PF", name="Property", kind="area"))
    user = await m.User.create(**new(code="1001", name="Li", role="supervisor", pin_hash="x"))
    shift = await m.Shift.create(
        **new(device_id=device_id, cashier=user, opened_at=now, business_date=day),
        opening_float_fen=0,
    )
    charge = await m.Charge.create(
        **new(unit=unit, fee_item=item, period="2026-11", amount_fen=100, due_date=day),
        source="bill",
        created_at=now,
    )
    payment = await m.Payment.create(
        **new(device_id=device_id, shift_id=shift.id, unit=unit, cashier=user, business_date=day),
        created_at=now,
        total_fen=100,
        receipt_no="A1",
    )
    void = await m.Void.create(
        **new(payment=payment, reason="r", approver=user, cashier=user, device_id=device_id),
        shift_id=shift.id,
        business_date=day,
        created_at=now,
        receipt_no="A2",
    )
    refund = await m.Refund.create(
        **new(unit=unit, amount_fen=1, method="cash", reason="r", approver=user, cashier=user),
        device_id=device_id,
        shift_id=shift.id,
        business_date=day,
        created_at=now,
    )
    series = await m.ReceiptSeries.create(
        **new(device_id=device_id, prefix="A", first_no=1, last_no=9, created_at=now)
    )
    entry = await m.JournalEntry.create(
        **new(device_id=device_id, seq=1, record_id=payment.id, kind="payment"),
        payload_json="{}",
        prev_hash="0" * 64,
        hash="1" * 64,
        created_at=now,
    )
    rows: list[Model] = [
        charge,
        payment,
        void,
        refund,
        series,
        entry,
        shift,
        await m.Tender.create(
            **new(payment=payment, shift_id=shift.id, method="cash", amount_fen=100),
            tendered_fen=100,
        ),
        await m.Allocation.create(**new(payment=payment, charge=charge, amount_fen=100)),
        await m.PrepaidEntry.create(**new(unit=unit, amount_fen=5, kind="credit", created_at=now)),
        await m.Adjustment.create(
            **new(charge=charge, kind="waiver", amount_fen=1, reason="r", approver=user),
            requested_by=user,
            device_id=device_id,
            business_date=day,
            created_at=now,
        ),
        await m.ReceiptNumber.create(**new(series=series, number=1, text="A1", payment=payment)),
        await m.ShiftClose.create(
            **new(shift=shift, closed_at=now, counted_fen=0, expected_fen=0, over_short_fen=0),
            closed_by=user,
        ),
        await m.CashMovement.create(
            **new(shift=shift, kind="pay_in", amount_fen=1, cashier=user, device_id=device_id),
            created_at=now,
        ),
        await m.CollectionNote.create(
            **new(unit=unit, channel="phone", user=user, device_id=device_id, created_at=now)
        ),
        await m.MeterReading.create(
            **new(unit=unit, fee_item=item, read_on=day, previous_centi=0, current_centi=1),
            usage_centi=1,
            charge=await m.Charge.create(
                **new(unit=unit, fee_item=item, period="m", amount_fen=1, due_date=day),
                source="meter",
                created_at=now,
            ),
            recorded_by=user,
            device_id=device_id,
            created_at=now,
        ),
    ]
    return {type(row): row for row in rows}


@pytest.fixture
async def posted(db, clock: FixedClock, ids: IdSource) -> dict[type, Model]:
    return await _one_of_each(ids, clock, db.device_id)


def test_every_posted_model_is_covered() -> None:
    assert len(POSTED) == 16


@pytest.mark.parametrize("model", POSTED, ids=lambda model: model.__name__)
async def test_posted_row_refuses_update_and_delete_through_tortoise(
    posted: dict[type, Model], model: type[Model]
) -> None:
    row = posted[model]
    with pytest.raises(IntegrityError, match="posted_row_immutable"):
        await row.save(force_update=True)
    field = next(n for n in model._meta.fields_db_projection if n != model._meta.pk_attr)
    with pytest.raises(IntegrityError, match="posted_row_immutable"):
        await model.filter(pk=row.pk).update(**{field: getattr(row, field)})
    with pytest.raises(IntegrityError, match="posted_row_immutable"):
        await row.delete()
    with pytest.raises(IntegrityError, match="posted_row_immutable"):
        await model.filter(pk=row.pk).delete()
    assert await model.filter(pk=row.pk).count() == 1


@pytest.mark.parametrize("model", POSTED, ids=lambda model: model.__name__)
async def test_posted_row_refuses_update_and_delete_through_raw_sql(
    db, posted: dict[type, Model], model: type[Model]
) -> None:
    table = model._meta.db_table
    row_id = posted[model].pk
    connection = raw_connection(db.path)
    try:
        with pytest.raises(sqlite3.IntegrityError, match="posted_row_immutable"):
            connection.execute(f'UPDATE "{table}" SET id = id WHERE id = ?', (row_id,))
        with pytest.raises(sqlite3.IntegrityError, match="posted_row_immutable"):
            connection.execute(f'DELETE FROM "{table}" WHERE id = ?', (row_id,))
        with pytest.raises(sqlite3.IntegrityError, match="posted_row_immutable"):
            connection.execute(f'DELETE FROM "{table}"')
        count = connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
        assert count >= 1
    finally:
        connection.close()


async def test_master_data_stays_editable(posted: dict[type, Model]) -> None:
    unit = await m.Unit.first()
    assert unit is not None
    unit.owner_name = "张三丰"
    await unit.save()
    assert (await m.Unit.get(id=unit.id)).owner_name == "张三丰"
