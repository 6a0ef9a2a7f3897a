"""The arrears tables are posted records: UPDATE and DELETE are refused (RELIABILITY R11)."""

from __future__ import annotations

import sqlite3
from datetime import date

import pytest
from tortoise.exceptions import IntegrityError

from feetui.db import models as m
from feetui.db.connection import raw_connection


async def _rows(svc, ledger) -> None:
    new, now, day = svc.ids.new_str, svc.clock.now(), date(2026, 11, 23)
    unit = await ledger.unit()
    charge = await ledger.charge(unit)
    user = ledger.supervisor
    note = await m.CollectionNote.create(
        id=new(), unit=unit, channel="phone", user=user, device_id=svc.device_id, created_at=now
    )
    await m.CollectionNoteDetail.create(id=new(), note=note, contacted_on=day)
    plan = await m.InstalmentPlan.create(
        id=new(),
        unit=unit,
        debt_fen=100,
        approver=user,
        requested_by=user,
        device_id=svc.device_id,
        business_date=day,
        created_at=now,
    )
    await m.InstalmentLine.create(id=new(), plan=plan, number=1, due_date=day, amount_fen=100)
    await m.InstalmentCharge.create(id=new(), plan=plan, charge=charge, outstanding_fen=100)
    await m.UnitTagChange.create(
        id=new(),
        unit=unit,
        tags_after="elderly",
        user=user,
        device_id=svc.device_id,
        created_at=now,
    )


COLUMNS = (
    ("collection_note_detail", "reason_detail"),
    ("instalment_plan", "note"),
    ("instalment_line", "amount_fen"),
    ("instalment_charge", "outstanding_fen"),
    ("unit_tag_change", "tags_after"),
)


async def test_arrears_rows_refuse_update_and_delete(svc, ledger, db) -> None:
    await _rows(svc, ledger)
    for table, column in COLUMNS:
        await _refuses_changes(db, table, column)


async def _refuses_changes(db, table: str, column: str) -> None:
    model = next(
        cls
        for cls in vars(m).values()
        if getattr(getattr(cls, "_meta", None), "db_table", "") == table
    )
    value = 7 if column.endswith("_fen") else "changed"
    with pytest.raises(IntegrityError, match="posted_row_immutable"):
        await model.all().update(**{column: value})
    with pytest.raises(IntegrityError, match="posted_row_immutable"):
        await model.all().delete()
    connection = raw_connection(db.path)
    try:
        with pytest.raises(sqlite3.IntegrityError, match="posted_row_immutable"):
            connection.execute(f'UPDATE "{table}" SET "{column}" = ?', [value])
        with pytest.raises(sqlite3.IntegrityError, match="posted_row_immutable"):
            connection.execute(f'DELETE FROM "{table}"')
    finally:
        connection.close()
    assert await model.filter(**{column: value}).count() == 0
    assert await model.all().count() == 1
