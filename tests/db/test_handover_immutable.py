"""Handovers and settlement checks are posted rows: UPDATE and DELETE are refused (R11, R16)."""

from __future__ import annotations

import sqlite3
from datetime import date

import pytest
from tortoise.exceptions import IntegrityError
from tortoise.models import Model

from feetui.clock import FixedClock, IdSource
from feetui.db import models as m
from feetui.db.connection import raw_connection


@pytest.fixture
async def rows(db, clock: FixedClock, ids: IdSource) -> dict[str, Model]:
    now, day = clock.now(), date(2026, 11, 23)
    user = await m.User.create(
        id=ids.new_str(), code="1001", name="Li", role="cashier", pin_hash="x"
    )
    shifts = [
        await m.Shift.create(
            id=ids.new_str(),
            device_id=db.device_id,
            cashier=user,
            opened_at=now,
            business_date=day,
            opening_float_fen=50000,
        )
        for _ in range(2)
    ]
    close = await m.ShiftClose.create(
        id=ids.new_str(),
        shift=shifts[0],
        closed_at=now,
        counted_fen=50000,
        expected_fen=50000,
        over_short_fen=0,
        closed_by=user,
    )
    handover = await m.Handover.create(
        id=ids.new_str(),
        shift=shifts[0],
        next_shift=shifts[1],
        accepted_by=user,
        left_fen=50000,
        counted_fen=49900,
        difference_fen=-100,
        device_id=db.device_id,
        created_at=now,
    )
    check = await m.SettlementCheck.create(
        id=ids.new_str(), close=close, method="card", recorded_fen=1, slip_fen=1, difference_fen=0
    )
    return {"handover": handover, "settlement_check": check}


@pytest.mark.parametrize("table", ["handover", "settlement_check"])
async def test_handover_rows_refuse_update_and_delete(db, rows: dict[str, Model], table: str):
    row = rows[table]
    with pytest.raises(IntegrityError, match="posted_row_immutable"):
        await row.save()
    with pytest.raises(IntegrityError, match="posted_row_immutable"):
        await row.delete()
    connection = raw_connection(db.path)
    try:
        with pytest.raises(sqlite3.IntegrityError, match=f"posted_row_immutable: {table}"):
            connection.execute(f'UPDATE "{table}" SET id = id WHERE id = ?', (row.pk,))
        with pytest.raises(sqlite3.IntegrityError, match=f"posted_row_immutable: {table}"):
            connection.execute(f'DELETE FROM "{table}" WHERE id = ?', (row.pk,))
    finally:
        connection.close()


async def test_a_shift_is_handed_over_once(db, rows: dict[str, Model], ids: IdSource, clock):
    handover = rows["handover"]
    with pytest.raises(IntegrityError):
        await m.Handover.create(
            id=ids.new_str(),
            shift_id=handover.shift_id,
            next_shift_id=handover.shift_id,
            accepted_by_id=handover.accepted_by_id,
            left_fen=0,
            counted_fen=0,
            difference_fen=0,
            device_id=db.device_id,
            created_at=clock.now(),
        )
