"""The posting side of the crash test (R1): ``python -m tests.faults.crash_worker DB``.

It imports everything once, then waits on stdin. For each ``go <seed>`` line it forks a child
that opens the database the way the app does and posts until it is killed: payments of what a
unit owes (in part, split across tenders), prepaid deposits and the odd void, printing ``ok`` after
each commit. The worker prints ``pid <n>`` for the child and ``dead`` once the test has killed it
and it has been reaped. Forking a warm process keeps a round at a few milliseconds instead of the
second a fresh interpreter needs to import Tortoise.
"""

from __future__ import annotations

import asyncio
import os
import random
import sys

from feetui.config import Settings
from feetui.core.errors import FeeError
from feetui.core.money import Money
from feetui.db.connection import open_db
from feetui.db.models import Payment, Unit, User, Void
from feetui.db.queries.balances import list_charge_balances
from feetui.services.container import Services
from feetui.services.payments import take_payment
from feetui.services.results import TenderInput
from feetui.services.voids import void_payment

SUPERVISOR_CODE, SUPERVISOR_PIN = "9001", "9999"


async def _post_forever(path: str, seed: int) -> None:
    db = await open_db(path)
    svc = Services.build(Settings(db_path=path), db)
    rng = random.Random(seed)
    units = await Unit.all().values_list("id", flat=True)
    cashier = await User.get(code="1001")
    while True:
        try:
            await _one_operation(svc, rng, rng.choice(units), cashier.id)
        except FeeError:
            continue  # a refused void (credit already spent) is part of the game
        print("ok", flush=True)


async def _one_operation(svc: Services, rng: random.Random, unit_id: str, cashier_id: str) -> None:
    roll = rng.random()
    if roll < 0.1:
        await _void_a_payment(svc, rng, cashier_id)
        return
    due = sum(b.outstanding.fen for b in await list_charge_balances(unit_id) if b.outstanding.fen)
    if roll < 0.4 or due <= 0:
        cash = rng.randint(1, 50_000)
        await take_payment(
            svc,
            payment_id=svc.ids.new_str(),
            unit_id=unit_id,
            cashier_id=cashier_id,
            tenders=[TenderInput("cash", Money(cash), tendered=Money(cash + rng.randint(0, 99)))],
            charge_ids=[],
            amount_to_charges=Money(0),
            overpay_to_prepaid=True,
        )
        return
    part = rng.randint(1, due)
    card = rng.randint(0, part)
    tenders = [TenderInput("card", Money(card), reference="T" + str(rng.randint(1, 10**9)))]
    tenders = [t for t in tenders if t.amount.fen] + [TenderInput("cash", Money(part - card))]
    await take_payment(
        svc,
        payment_id=svc.ids.new_str(),
        unit_id=unit_id,
        cashier_id=cashier_id,
        tenders=[t for t in tenders if t.amount.fen],
        amount_to_charges=Money(part),
    )


async def _void_a_payment(svc: Services, rng: random.Random, cashier_id: str) -> None:
    voided = await Void.all().values_list("payment_id", flat=True)
    candidates = await Payment.exclude(id__in=voided).order_by("-created_at").limit(5)
    if not candidates:
        return
    await void_payment(
        svc,
        void_id=svc.ids.new_str(),
        payment_id=rng.choice(candidates).id,
        cashier_id=cashier_id,
        supervisor_code=SUPERVISOR_CODE,
        supervisor_pin=SUPERVISOR_PIN,
        reason="crash test",
    )


def _child(path: str, seed: int) -> None:
    try:
        asyncio.run(_post_forever(path, seed))
    except BaseException as error:  # reported to the test, then the child ends
        print(f"error {type(error).__name__}: {error}", flush=True)
    finally:
        os._exit(1)


def main(path: str) -> None:
    """Fork one posting child per ``go <seed>`` line on stdin, until stdin closes."""
    for line in sys.stdin:
        seed = int(line.split()[1])
        pid = os.fork()
        if pid == 0:
            _child(path, seed)
        print(f"pid {pid}", flush=True)
        os.waitpid(pid, 0)
        print("dead", flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
