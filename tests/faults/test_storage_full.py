"""A full disk refuses the payment before money is taken, writes nothing, and recovers
(RELIABILITY R18). The database is capped with PRAGMA max_page_count on its live connection."""

from __future__ import annotations

import sqlite3

import pytest
from tortoise import connections

from feetui.core.errors import StorageError
from feetui.db.guard import storage_errors
from feetui.db.models import Payment, ReceiptNumber
from feetui.services.journal import verify_local_chain
from tests.builders import Ledger, snapshot

MAX_ATTEMPTS = 30


async def _set_max_pages(pages: int) -> None:
    await connections.get("default").execute_query(f"PRAGMA max_page_count = {int(pages)}")


async def _page_count() -> int:
    _, rows = await connections.get("default").execute_query("PRAGMA page_count")
    return int(rows[0][0])


async def test_full_disk_refuses_the_payment_writes_nothing_and_recovers(ledger: Ledger) -> None:
    units = [await ledger.unit() for _ in range(MAX_ATTEMPTS)]
    for unit in units:
        await ledger.charge(unit, item="PK", amount_fen=15_000)
    await _set_max_pages(await _page_count())
    refused = None
    for unit in units:
        before = await snapshot()
        payment_id = ledger.new_id()
        try:
            await ledger.pay(unit, payment_id=payment_id)
        except StorageError as error:
            refused = (unit, payment_id, error)
            break
    assert refused is not None, "the capped database never filled up"
    unit, payment_id, error = refused
    assert error.code == "storage_full"
    assert "nothing was saved" in str(error)
    assert await snapshot() == before
    assert not await Payment.filter(id=payment_id).exists()

    await _set_max_pages(1_000_000)
    posted = await ledger.pay(unit, payment_id=payment_id)
    numbers = await ReceiptNumber.all().order_by("number").values_list("number", flat=True)
    assert numbers == list(range(1, len(numbers) + 1))
    assert posted.receipt_no.endswith(f"{len(numbers):08d}")
    assert await verify_local_chain(ledger.svc.device_id) is None


def test_other_database_failures_become_a_storage_error() -> None:
    with pytest.raises(StorageError) as info, storage_errors():
        raise sqlite3.OperationalError("database is locked")
    assert info.value.code == "storage_error"
    assert info.value.params == {"detail": "database is locked"}
