"""Child process of the R16 crash test: shifts opened, used, closed and handed over until it dies.

    python -m tests.faults.shift_close_child DB KILL_AT

Each cycle accepts the drawer left by the last close (or opens the first shift, or carries on with
a shift a crash left open), takes two payments, records a pay-out, and closes with two settlement
slips. While ``accept_handover`` and ``close_shift`` run it counts Python function calls, and at
the ``KILL_AT``-th it SIGKILLs itself: the kill lands at a seeded, repeatable point inside the
transaction or just after its commit. With ``KILL_AT`` 0 it runs one cycle and prints the number
of calls it counted.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from feetui.clock import FixedClock
from feetui.config import Settings
from feetui.core.money import Money
from feetui.db.connection import close_db, open_db
from feetui.db.models import FeeItem, Shift, Site, Unit, User
from feetui.db.queries.posting import get_open_shift
from feetui.services.container import Services
from feetui.services.handover import accept_handover, get_pending_handover
from feetui.services.results import TenderInput
from feetui.services.shifts import OpenedShift
from tests.builders import CASHIER_CODE, CASHIER_PIN, Ledger, make_ledger
from tests.shift_builders import close, move, parking

SLIPS = {"card": Money(30_000), "wechat": Money(0)}
FLOAT = {"n100": 5}


class Killer:
    """Counts calls of the main thread while armed; kills the process at the given count."""

    def __init__(self, kill_at: int) -> None:
        self.kill_at = kill_at
        self.calls = 0

    def _hook(self, frame: object, event: str, arg: object) -> None:
        if event == "call":
            self.calls += 1
            if self.calls == self.kill_at:
                os.kill(os.getpid(), signal.SIGKILL)

    @contextmanager
    def armed(self):
        """Count (and maybe die) inside the block."""
        sys.setprofile(self._hook)
        try:
            yield
        finally:
            sys.setprofile(None)


async def _cycle(ledger: Ledger, killer: Killer, number: int) -> None:
    pending = await get_pending_handover(ledger.svc)
    if pending is not None:
        with killer.armed():
            accepted = await accept_handover(
                ledger.svc,
                handover_id=ledger.new_id(),
                next_shift_id=ledger.new_id(),
                from_shift_id=pending.shift_id,
                code=CASHIER_CODE,
                pin=CASHIER_PIN,
                counts=FLOAT,
            )
        ledger.shift = accepted.next_shift
    elif ledger.shift is None:
        await ledger.open_shift(FLOAT)
    await ledger.pay(await parking(ledger, 1_000 + number))
    card = await parking(ledger, 30_000)
    await ledger.pay(card, tenders=[TenderInput("card", Money(30_000), reference="T")])
    await move(ledger, "pay_out", 1_000 + number, reason="快递费")
    # The cash payment and the pay-out cancel: the drawer should hold the float again.
    with killer.armed():
        await close(ledger, FLOAT, settlement_slips=SLIPS)


async def _ledger(svc: Services) -> Ledger:
    """The community of an earlier round (and a shift a crash left open), or a new one."""
    site = await Site.first()
    if site is None:
        return await make_ledger(svc, with_shift=False)
    items = {item.code: item for item in await FeeItem.filter(site=site)}
    cashier, supervisor = await User.get(code="1001"), await User.get(code="9001")
    ledger = Ledger(svc, site, cashier, supervisor, items, _units=await Unit.all().count())
    still_open = await get_open_shift(svc.device_id)
    if still_open is not None:
        shift = await Shift.get(id=still_open.shift_id)
        ledger.shift = OpenedShift(
            shift_id=shift.id,
            cashier_id=shift.cashier_id,  # type: ignore[attr-defined]
            cashier_name=cashier.name,
            business_date=shift.business_date,
            opened_at=shift.opened_at,
            opening_float=Money(shift.opening_float_fen),
            opening_counts=json.loads(shift.opening_counts_json),
        )
    return ledger


async def main(path: Path, kill_at: int) -> None:
    """Run cycles until the killer strikes (or one cycle when ``kill_at`` is 0)."""
    clock = FixedClock(datetime(2026, 11, 23, 1, 30, tzinfo=UTC))
    database = await open_db(path, clock=clock)
    try:
        svc = Services.build(Settings(db_path=str(path)), database, clock=clock)
        ledger = await _ledger(svc)
        killer = Killer(kill_at)
        start = await Shift.all().count()
        for number in range(start, start + 1_000):
            await _cycle(ledger, killer, number)
            if kill_at == 0:
                print(killer.calls, flush=True)
                return
    finally:
        await close_db(database)


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]), int(sys.argv[2])))
