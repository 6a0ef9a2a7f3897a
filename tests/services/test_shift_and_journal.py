"""open_shift (one open shift per device, float by denomination) and the local journal chain."""

from __future__ import annotations

from datetime import date

import pytest

from feetui.core.errors import InputError, PermissionError_, RuleError
from feetui.core.money import Money
from feetui.db.connection import raw_connection
from feetui.db.models import JournalEntry, Outbox, Shift
from feetui.services.journal import verify_local_chain
from feetui.services.shifts import open_shift
from tests.builders import Ledger, make_ledger, snapshot


@pytest.fixture
async def closed(svc) -> Ledger:
    """A ledger with no shift open yet."""
    return await make_ledger(svc, with_shift=False)


async def test_open_shift_counts_the_float_and_books_the_site_date(closed: Ledger) -> None:
    # 01:30 UTC on 2026-11-23 is 09:30 in Shanghai; at 17:00 UTC it is already the 24th there.
    closed.svc.clock.advance(hours=15, minutes=30)  # type: ignore[attr-defined]
    opened = await closed.open_shift({"n100": 3, "n10": 2, "c05": 4, "c01": 0})
    assert opened.opening_float == Money(32_200)
    assert opened.business_date == date(2026, 11, 24)
    assert opened.opening_counts == {"n100": 3, "n10": 2, "c05": 4}
    shift = await Shift.get(id=opened.shift_id)
    assert (shift.opening_float_fen, shift.device_id) == (32_200, closed.svc.device_id)
    entry = await JournalEntry.get(record_id=opened.shift_id)
    assert entry.kind == "shift_open"
    assert await Outbox.filter(entry_id=entry.id).count() == 1


async def test_open_shift_refuses_a_second_open_shift_and_replays_the_first(
    closed: Ledger,
) -> None:
    shift_id = closed.new_id()
    kwargs = {"cashier_id": closed.cashier.id, "opening_counts": {"n100": 1}}
    first = await open_shift(closed.svc, shift_id=shift_id, **kwargs)
    before = await snapshot()
    assert await open_shift(closed.svc, shift_id=shift_id, **kwargs) == first
    with pytest.raises(RuleError) as info:
        await open_shift(closed.svc, shift_id=closed.new_id(), **kwargs)
    assert info.value.code == "shift_already_open"
    assert await snapshot() == before


@pytest.mark.parametrize(
    ("counts", "cashier", "error", "code"),
    [
        ({"n3": 1}, None, InputError, "count_invalid"),
        ({"n100": -1}, None, InputError, "count_invalid"),
        ({"n100": 1}, "nobody", PermissionError_, "user_unknown"),
    ],
)
async def test_open_shift_refuses_bad_counts_and_unknown_users(
    closed: Ledger, counts: dict, cashier: str | None, error: type, code: str
) -> None:
    before = await snapshot()
    with pytest.raises(error) as info:
        await open_shift(
            closed.svc,
            shift_id=closed.new_id(),
            cashier_id=cashier or closed.cashier.id,
            opening_counts=counts,
        )
    assert info.value.code == code
    assert await snapshot() == before


async def test_an_edited_journal_entry_breaks_the_chain_at_that_entry(ledger: Ledger) -> None:
    unit = await ledger.unit()
    await ledger.charge(unit, item="PK", amount_fen=15_000)
    await ledger.pay(unit)
    await ledger.charge(unit, item="PK", period="2026-11", amount_fen=15_000)
    await ledger.pay(unit)
    assert await verify_local_chain(ledger.svc.device_id) is None
    # Someone edits the file by hand: drops the guard and changes an amount in entry 2.
    connection = raw_connection(ledger.svc_db_path())
    try:
        connection.execute('DROP TRIGGER "journal_entry_no_update"')
        connection.execute(
            "UPDATE journal_entry SET payload_json = replace(payload_json, "
            "'\"total_fen\":15000', '\"total_fen\":1500') WHERE seq = 2"
        )
    finally:
        connection.close()
    broken = await verify_local_chain(ledger.svc.device_id)
    assert broken is not None
    assert (broken.seq, broken.reason) == (2, "hash_mismatch")
