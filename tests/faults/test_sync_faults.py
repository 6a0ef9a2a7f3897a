"""R8: nothing lost or counted twice across a messy reconnect (issue 9's fault test).

Three counters of one site take payments, voids and refunds while their background sync runs
through a proxy that drops, loses, truncates, delays and replays requests, and while HQ (a real
``sync-server`` process) is SIGKILLed, once in the middle of a push, and started again. Then, with
the proxy calm, every counter drains. HQ's money per device, shift, tender and day must equal each
counter's to the fen; HQ's set of record ids must equal the union of the counters' journals, with
no id twice; every chain and receipt series must verify, at HQ and on the counters.

``FEETUI_FAULT_PAYMENTS`` sets the operations per counter (1000 by default, as the issue asks;
about 1 min alone, 2 min on a loaded 2-core machine); ``FEETUI_FAULT_SEED`` replays a run (the
seed is printed, and shown on failure), and ``FEETUI_FAULT_SEED=random`` draws a fresh one.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
from collections import Counter as Tally
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from feetui.clock import FixedClock, IdSource
from feetui.core.money import Money
from feetui.sync.backoff import Backoff
from tests.builders import SUPERVISOR_CODE, SUPERVISOR_PIN
from tests.faults.hq_process import HqProcess
from tests.faults.proxy import FaultyProxy
from tests.sync.counters import Community, Counter, publish_community
from tests.sync.hq import HqClock, LiveHq, free_port

# Read at import: the autouse fixture of tests/conftest.py clears FEETUI_* variables per test.
OPERATIONS = int(os.environ.get("FEETUI_FAULT_PAYMENTS", "1000"))
GIVEN_SEED = os.environ.get("FEETUI_FAULT_SEED")
DEFAULT_SEED = 2892768687
"""CI replays this seed; FEETUI_FAULT_SEED=random explores (3159960470 stalled once; passes now)."""
COUNTERS = 3
UNITS = 40


class HqStore(LiveHq):
    """HQ's database opened directly (the server itself runs as a separate process)."""

    def __init__(self, db_url: str) -> None:
        # The server process runs on the real clock: enrolment codes made here must be valid then.
        super().__init__(db_url, clock=HqClock(datetime.now(UTC)))
        self._db: Any = None

    @property
    def db(self) -> Any:
        return self._db

    async def open(self) -> None:
        from sync_server.db import connect, migrate

        self._db = await connect(self.db_url)
        await migrate(self._db, now=self.clock())

    async def close(self) -> None:
        if self._db is not None:
            await self._db.close()


class Cashier:
    """What one counter's cashier does, decided by the seeded random source."""

    def __init__(self, counter: Counter, community: Community, rng: random.Random) -> None:
        self.counter = counter
        self.community = community
        self.rng = rng
        self.payments: list[str] = []
        self.done: Tally[str] = Tally()

    async def act(self) -> None:
        """One operation: mostly payments, some voids, refunds and cash movements, and now and
        then a shift close and a new shift; the clock moves on (days pass)."""
        self.counter.clock.advance(seconds=self.rng.randint(5, 900))
        roll = self.rng.random()
        if roll < 0.015:
            await self._close_and_reopen()
        elif roll < 0.04:
            await self._cash_movement()
        elif roll < 0.11 and self.payments:
            await self._void()
        elif roll < 0.16:
            await self._refund()
        else:
            await self._pay()

    async def _close_and_reopen(self) -> None:
        from feetui.services.shifts import close_shift

        svc = self.counter.svc
        await self.counter.run(
            close_shift(
                svc,
                close_id=svc.ids.new_str(),
                shift_id=self.counter.shift_id,
                closed_by=self.community.cashier_id,
                counts={"n100": self.rng.randint(0, 40), "c1": self.rng.randint(0, 9)},
                note="点钞差异",
            )
        )
        self.counter.clock.advance(hours=self.rng.randint(1, 30))
        await self.counter.open_shift(self.community.cashier_id)
        self.done["shift_close"] += 1

    async def _cash_movement(self) -> None:
        from feetui.core.errors import RuleError
        from feetui.services.cash_movements import record_cash_movement

        svc = self.counter.svc
        kind = self.rng.choice(("pay_in", "pay_out", "deposit"))
        try:
            await self.counter.run(
                record_cash_movement(
                    svc,
                    movement_id=svc.ids.new_str(),
                    shift_id=self.counter.shift_id,
                    cashier_id=self.community.cashier_id,
                    kind=kind,
                    amount=Money(self.rng.randint(100, 20_000)),
                    reason="备用金调整",
                    slip_no=f"SLIP{self.rng.randint(1, 99999)}" if kind == "deposit" else "",
                )
            )
        except RuleError:
            return  # more than the drawer holds: refused, nothing written
        self.done["cash_movement"] += 1

    async def _pay(self) -> None:
        from feetui.core.errors import RuleError

        unit = self.rng.choice(self.community.units)
        owed = await self.counter.outstanding(unit)
        method = self.rng.choice(("cash", "cash", "card", "wechat", "bank"))
        if owed == 0 or self.rng.random() < 0.15:
            await self._post(unit, method, self.rng.randint(100, 5_000), None)
            return
        amount = self.rng.randint(1, owed)
        try:
            await self._post(unit, method, amount, amount)
        except RuleError as error:
            # Another window's payment of the same unit arrived meanwhile: the rest is prepaid.
            assert error.code in ("amount_above_due", "nothing_owed"), error.code
            await self._post(unit, method, amount, None)

    async def _post(self, unit: str, method: str, amount: int, to_charges: int | None) -> None:
        from feetui.services.payments import take_payment
        from feetui.services.results import TenderInput

        kwargs: dict[str, Any] = (
            {"amount_to_charges": Money(0), "overpay_to_prepaid": True}
            if to_charges is None
            else {"amount_to_charges": Money(to_charges)}
        )
        svc = self.counter.svc
        posted = await self.counter.run(
            take_payment(
                svc,
                payment_id=svc.ids.new_str(),
                unit_id=unit,
                cashier_id=self.community.cashier_id,
                tenders=[TenderInput(method, Money(amount), reference="REF")],
                **kwargs,
            )
        )
        self.payments.append(posted.payment_id)
        self.done["payment"] += 1

    async def _void(self) -> None:
        from feetui.core.errors import RuleError
        from feetui.services.voids import void_payment

        payment_id = self.payments.pop(self.rng.randrange(len(self.payments)))
        svc = self.counter.svc
        try:
            await self.counter.run(
                void_payment(
                    svc,
                    void_id=svc.ids.new_str(),
                    payment_id=payment_id,
                    cashier_id=self.community.cashier_id,
                    reason="收错",
                    supervisor_code=SUPERVISOR_CODE,
                    supervisor_pin=SUPERVISOR_PIN,
                )
            )
        except RuleError as error:
            # The credit this payment added was spent or refunded since (maybe on another
            # window): the cashier is told to void that first; nothing is written.
            assert error.code == "prepaid_already_spent", error.code
            self.done["void_refused"] += 1
            return
        self.done["void"] += 1

    async def _refund(self) -> None:
        from feetui.core.errors import RuleError
        from feetui.services.refunds import refund_prepaid

        unit = self.rng.choice(self.community.units)
        balance = await self.counter.prepaid(unit)
        if balance <= 0:
            await self._pay()
            return
        svc = self.counter.svc
        try:
            await self.counter.run(
                refund_prepaid(
                    svc,
                    refund_id=svc.ids.new_str(),
                    unit_id=unit,
                    amount=Money(self.rng.randint(1, balance)),
                    method="cash",
                    cashier_id=self.community.cashier_id,
                    reason="退预存",
                    supervisor_code=SUPERVISOR_CODE,
                    supervisor_pin=SUPERVISOR_PIN,
                )
            )
        except RuleError as error:
            # Another window's refund or spend of the same balance arrived meanwhile.
            assert error.code == "prepaid_insufficient", error.code
            self.done["refund_refused"] += 1
            return
        self.done["refund"] += 1


@pytest.fixture
def seed() -> int:
    """The run's seed: ``FEETUI_FAULT_SEED`` or a fresh one, printed either way."""
    if GIVEN_SEED == "random":
        value = random.SystemRandom().randrange(2**32)
    else:
        value = int(GIVEN_SEED or DEFAULT_SEED)
    print(f"fault seed: FEETUI_FAULT_SEED={value} FEETUI_FAULT_PAYMENTS={OPERATIONS}")
    return value


@pytest.mark.slow
@pytest.mark.timeout(600)
async def test_three_counters_through_a_faulty_proxy_and_hq_kills_lose_and_double_nothing(
    tmp_path: Path, db_template: Path, seed: int
) -> None:
    rng = random.Random(seed)
    store = HqStore(f"sqlite:///{tmp_path / 'hq.sqlite3'}")
    await store.open()
    await store.add_site("S1", "绿景苑")
    clock = FixedClock(datetime.now(UTC))
    community = await publish_community(store, IdSource(clock), units=UNITS, charges_per_unit=6)
    hq = HqProcess(store.db_url, free_port(), tmp_path / "hq.log")
    store.port = hq.port
    counters = [
        Counter(
            tmp_path / f"c{i}.sqlite3", FixedClock(clock.now()), f"window-{i}", template=db_template
        )
        for i in range(COUNTERS)
    ]
    proxy = FaultyProxy(hq.port, random.Random(rng.random()), on_request=_kill_once(hq))
    loops: list[asyncio.Task[None]] = []
    try:
        await hq.start()
        await proxy.start()
        for counter in counters:
            await counter.open()
            await counter.enroll(store)
            await counter.sync()
            await counter.open_shift(community.cashier_id)
        services = [_sync_service(c, proxy.url, random.Random(rng.random())) for c in counters]
        loops = [c.spawn(s.run()) for c, s in zip(counters, services, strict=True)]
        cashiers = [Cashier(c, community, random.Random(rng.random())) for c in counters]
        await _work(cashiers, hq, rng, loops)
        proxy.calm()
        # Stopped, not cancelled: a cancel landing as a store transaction starts leaves the
        # counter's Tortoise connection lock held, and the drain below would wait forever.
        for service in services:
            service.stop()
        async with asyncio.timeout(120):
            await asyncio.gather(*loops, return_exceptions=True)
        loops = []
        await _drain(counters, proxy.url)
        report = f"seed {seed}; faults {dict(proxy.counts)}; HQ kills {hq.kills}; " + "; ".join(
            f"{c.name}: {dict(k.done)}" for c, k in zip(counters, cashiers, strict=True)
        )
        print(report)
        assert hq.kills >= 3, report
        assert proxy.counts["lose"] and proxy.counts["replayed"], report
        await _check(store, counters, report)
    finally:
        for task in loops:
            task.cancel()
        await asyncio.gather(*loops, return_exceptions=True)
        await proxy.stop()
        hq.kill()
        for counter in counters:
            await counter.close()
        await store.close()


def _kill_once(hq: HqProcess) -> Any:
    """A proxy hook that SIGKILLs HQ while a push is in flight (after HQ read it): the 25th, or
    the first after it that finds HQ up (the 25th may come while a planned kill keeps it down)."""
    pushes = Tally[str]()

    def hook(first_line: str) -> None:
        if first_line.startswith("POST /api/v1/push"):
            pushes["push"] += 1
            if pushes["push"] >= 25 and not pushes["killed"] and hq.process is not None:
                pushes["killed"] = 1
                hq.kill()

    return hook


def _sync_service(counter: Counter, url: str, rng: random.Random) -> Any:
    """The app's background sync for ``counter``, through the proxy, with short waits."""
    service = counter.service(url)
    service.interval = 0.02
    service.backoff = Backoff(base=0.01, cap=0.2, rng=rng)
    return service


async def _work(
    cashiers: list[Cashier], hq: HqProcess, rng: random.Random, loops: list[asyncio.Task[None]]
) -> None:
    """Every cashier works through its operations; HQ is killed twice at random points and
    stays down for a while each time (payments keep coming), and is started again after the
    proxy hook's kill mid-push."""
    total = OPERATIONS * len(cashiers)
    downtime = max(6, total // 20)
    kills = sorted(rng.sample(range(total // 10, total * 7 // 10), 2))
    done = 0
    for _step in range(OPERATIONS):
        for cashier in cashiers:
            await cashier.act()
            done += 1
            if done in kills:
                if hq.process is None:  # the proxy hook's kill just took it down: a kill counts
                    await hq.start()  # only on a running HQ
                hq.kill()
            for loop in loops:
                if loop.done():  # a sync loop must never end by itself: show why it did
                    loop.result()
                    raise AssertionError("a sync loop ended")
            planned_down = any(k <= done < k + downtime for k in kills)
            if hq.process is None and not planned_down:
                await hq.start()
    if hq.process is None:
        await hq.start()


async def _drain(counters: list[Counter], url: str) -> None:
    """With the proxy calm: push everything, then pull until every counter has every record."""
    from feetui.sync.pusher import count_waiting

    for _round in range(3):
        for counter in counters:
            for _attempt in range(20):
                with contextlib.suppress(Exception):
                    await counter.sync(url)
                    if await counter.run(count_waiting(counter.device_id)) == 0:
                        break


async def _check(store: HqStore, counters: list[Counter], report: str) -> None:
    """HQ's ids, sums, chains and receipt series against each counter's."""
    from feetui.services.journal import verify_local_chain

    union: set[str] = set()
    for counter in counters:
        own = await counter.query(
            "SELECT record_id FROM journal_entry WHERE device_id = ?", counter.device_id
        )
        union |= {row[0] for row in own}
        assert await counter.query("SELECT count(*) FROM outbox WHERE acked_at IS NULL") == [
            (0,)
        ], report
        assert await counter.run(verify_local_chain(counter.device_id)) is None, report
        assert await _gapless_receipts(counter), report
        assert await _counter_money(counter) == await _hq_money(store, counter.device_id), report
        acked = await store.scalar("SELECT ack_seq FROM devices WHERE id = ?", counter.device_id)
        assert acked == len(own), report
    held = await store.rows("SELECT record_id FROM journal")
    assert len(held) == len({r["record_id"] for r in held}), report
    assert {r["record_id"] for r in held} == union, report
    bad = await store.rows(
        "SELECT kind, device_id, seq, detail FROM exceptions WHERE kind IN ('chain_break',"
        " 'seq_gap', 'receipt_gap', 'receipt_repeat', 'conflict', 'expected_cash_mismatch',"
        " 'method_total_mismatch')"
    )
    assert bad == [], report
    # Every counter also holds every other counter's money rows (two windows see each other).
    payments = [set(await c.query("SELECT id FROM payment")) for c in counters]
    assert all(p == payments[0] for p in payments), report


async def _gapless_receipts(counter: Counter) -> bool:
    """This counter's receipt numbers run 1, 2, 3 ... in each of its series."""
    rows = await counter.query(
        "SELECT n.series_id, n.number FROM receipt_number n JOIN receipt_series s"
        " ON s.id = n.series_id WHERE s.device_id = ? ORDER BY n.series_id, n.number",
        counter.device_id,
    )
    by_series: dict[str, list[int]] = {}
    for series, number in rows:
        by_series.setdefault(series, []).append(number)
    return all(numbers == list(range(1, len(numbers) + 1)) for numbers in by_series.values())


async def _counter_money(counter: Counter) -> dict[tuple, int]:
    """Money moved by this counter, per (shift, tender method, business day), in fen."""
    tenders = await counter.query(
        "SELECT t.shift_id, t.method, COALESCE(v.business_date, p.business_date),"
        " SUM(t.amount_fen) FROM tender t JOIN payment p ON p.id = t.payment_id"
        " LEFT JOIN void v ON v.id = t.void_id"
        " WHERE COALESCE(v.device_id, p.device_id) = ? GROUP BY 1, 2, 3",
        counter.device_id,
    )
    refunds = await counter.query(
        "SELECT shift_id, method, business_date, -SUM(amount_fen) FROM refund"
        " WHERE device_id = ? GROUP BY 1, 2, 3",
        counter.device_id,
    )
    return _merge(tenders + refunds)


async def _hq_money(store: HqStore, device_id: str) -> dict[tuple, int]:
    rows = await store.rows(
        "SELECT shift_id, method, business_date, SUM(amount_fen) AS fen FROM money_lines"
        " WHERE device_id = ? GROUP BY shift_id, method, business_date",
        device_id,
    )
    return _merge([(r["shift_id"], r["method"], r["business_date"], r["fen"]) for r in rows])


def _merge(rows: list[tuple]) -> dict[tuple, int]:
    totals: dict[tuple, int] = {}
    for shift_id, method, day, fen in rows:
        key = (shift_id, method, str(day))
        totals[key] = totals.get(key, 0) + int(fen)
    return {key: fen for key, fen in totals.items() if fen}
