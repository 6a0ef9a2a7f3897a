"""A wrong or jumping PC clock does not corrupt ordering or dates (RELIABILITY R19)."""

from __future__ import annotations

from datetime import date

from feetui.db.models import JournalEntry, Payment
from feetui.services.journal import verify_local_chain
from tests.builders import Ledger


async def test_ids_stay_ordered_and_dates_come_from_the_shift_when_the_clock_jumps(
    ledger: Ledger,
) -> None:
    posted = []
    for jump in ({"days": -3}, {"hours": 50}, {"minutes": -90}, {"days": 400}):
        ledger.svc.clock.advance(**jump)  # type: ignore[attr-defined]
        unit = await ledger.unit()
        await ledger.charge(unit, item="PK", amount_fen=15_000)
        posted.append(await ledger.pay(unit))
    ids = [p.payment_id for p in posted]
    assert ids == sorted(ids)
    assert {p.business_date for p in posted} == {date(2026, 11, 23)}
    dates = await Payment.all().values_list("business_date", flat=True)
    assert set(dates) == {date(2026, 11, 23)}
    entries = await JournalEntry.all().order_by("seq").values_list("seq", "record_id")
    assert [seq for seq, _ in entries] == list(range(1, len(entries) + 1))
    assert [record for _, record in entries if record in ids] == ids
    assert await verify_local_chain(ledger.svc.device_id) is None
