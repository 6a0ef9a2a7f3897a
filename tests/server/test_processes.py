"""Two ``sync-server serve`` processes on one database: nothing is kept between requests.

Issue 9: the server is "stateless between requests, so several processes can serve one
PostgreSQL" (and several processes on one SQLite file wait their turn: WAL, ``BEGIN IMMEDIATE``,
busy timeout). Two real server processes start at once on one fresh database (both migrate at
start); the site, an HQ user and enrolment codes are then written straight into the database.
Three counters enrol through either process (one code spent through both at once works once),
then push ~300 hash-chained payments each in batches of ~50, the three at once; each batch goes
to a process picked by a seeded random source and, at the same moment, to the other process too
(duplicate delivery across processes), and some batches go before the one they follow (a gap HQ
must see, and close once it fills). Meanwhile every counter follows the others' payments through
``GET /pull``, each page from the other process than the page before.

Then: every answer acknowledged exactly what was committed (never past a gap); each record was
``created`` once and ``exists`` every other time; the journal holds each record once; the money
per device is what the counter took, to the fen; no exception is left open (the gaps were
recorded and closed); a login on process 1 is a token process 2 takes, and its daily report
equals what was pushed; a cursor paged on process 2 and continued on process 1 neither skips nor
repeats a change, and equals what the followers saw.

On the real clock (the server processes run on it): records are stamped now and today's business
date in Asia/Shanghai, so none is flagged late.
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
import pytest

from feetui.clock import FixedClock, IdSource
from feetui.sync.protocol import WireRecord
from sync_server.db.connection import Database, connect
from sync_server.db.migrate import migrate
from sync_server.services.auth import create_enrollment_code
from sync_server.services.master import NewUser, add_site, add_user
from tests.faults.hq_process import HqProcess
from tests.server.helpers import Device
from tests.sync.hq import free_port

SEED = 20261206
DEVICES = 3
PAYMENTS = 300
BATCH = (40, 60)
"""Batch sizes are drawn between these (about 50)."""
PULL_LIMIT = 40
SITE = "P1"
BOSS, PASSWORD = "boss", "pw-boss-1"


@dataclass
class Till:
    """One enrolled counter: its records cut into batches, and what HQ answered it."""

    device: Device
    name: str
    batches: list[list[WireRecord]] = field(default_factory=list)
    statuses: dict[str, list[str]] = field(default_factory=dict)
    swaps: int = 0

    @property
    def records(self) -> list[WireRecord]:
        return self.device.made

    @property
    def taken_fen(self) -> int:
        return sum(r.payload["total_fen"] for r in self.records)


class Servers:
    """The two processes' base URLs and one client session for every request."""

    def __init__(self, session: aiohttp.ClientSession, ports: Sequence[int]) -> None:
        self.session = session
        self.bases = [f"http://127.0.0.1:{port}/api/v1" for port in ports]

    async def enroll(self, process: int, code: str, name: str, now: datetime) -> Device:
        ids = IdSource(FixedClock(now))
        device_id = ids.new_str()
        status, data = await self.try_enroll(process, code, device_id, name)
        assert status == 200, data
        return Device(device_id, data["token"], data["site_id"], ids)

    async def try_enroll(
        self, process: int, code: str, device_id: str, name: str
    ) -> tuple[int, Any]:
        body = {"code": code, "device_id": device_id, "name": name}
        async with self.session.post(f"{self.bases[process]}/enroll", json=body) as response:
            return response.status, await response.json()

    async def push(self, process: int, device: Device, records: list[WireRecord]) -> Any:
        async with self.session.post(
            f"{self.bases[process]}/push", json=device.body(records), headers=device.auth()
        ) as response:
            assert response.status == 200, (process, await response.text())
            return await response.json()

    async def pull(self, process: int, device: Device, cursor: int) -> Any:
        async with self.session.get(
            f"{self.bases[process]}/pull",
            params={"cursor": str(cursor), "limit": str(PULL_LIMIT)},
            headers=device.auth(),
        ) as response:
            assert response.status == 200, (process, await response.text())
            page = await response.json()
        assert page["cursor"] == cursor, page
        return page

    async def get(self, process: int, path: str, token: str, **params: str) -> tuple[int, Any]:
        async with self.session.get(
            f"{self.bases[process]}/{path}",
            params=params,
            headers={"Authorization": f"Bearer {token}"},
        ) as response:
            return response.status, await response.json()


async def _prepare(db_url: str, now: datetime) -> list[str]:
    """Migrate (nothing left to do), add the site and the HQ user, and one enrolment code per
    counter and one more."""
    db = await connect(db_url)
    try:
        await migrate(db, now=now)
        await add_site(db, code=SITE, name="两进程苑", now=now)
        await add_user(db, NewUser(BOSS, "总部", "admin", password=PASSWORD), now=now)
        return [
            (await create_enrollment_code(db, site_code=SITE, name=f"w{i}", now=now, hours=1))[0]
            for i in range(DEVICES + 1)
        ]
    finally:
        await db.close()


def _take_payments(counter: Till, rng: random.Random, now: datetime, today: date) -> None:
    """~300 chained payments stamped now and today, cut into batches of about 50."""
    stamp = {"created_at": now.isoformat(timespec="seconds"), "business_date": today.isoformat()}
    for _ in range(PAYMENTS):
        counter.device.payment(rng.randint(1, 900_000), **stamp)
    records = counter.records
    start = 0
    while start < len(records):
        size = rng.randint(*BATCH)
        counter.batches.append(records[start : start + size])
        start += size


def _sending_order(counter: Till, rng: random.Random) -> list[int]:
    """Batch indexes in the order sent: some neighbours swapped (at least one pair)."""
    order = list(range(len(counter.batches)))
    index = 0
    while index < len(order) - 1:
        if rng.random() < 0.4:
            order[index], order[index + 1] = order[index + 1], order[index]
            counter.swaps += 1
            index += 2
        else:
            index += 1
    if counter.swaps == 0:
        index = rng.randrange(len(order) - 1)
        order[index], order[index + 1] = order[index + 1], order[index]
        counter.swaps = 1
    return order


async def _push_all(servers: Servers, counter: Till, rng: random.Random) -> None:
    """Each batch to a process picked by ``rng`` and at the same time to the other one."""
    sent: set[int] = set()
    acknowledged = 0
    for index in _sending_order(counter, rng):
        batch = counter.batches[index]
        first = rng.randrange(2)
        answers = await asyncio.gather(
            servers.push(first, counter.device, batch),
            servers.push(1 - first, counter.device, batch),
        )
        sent.add(index)
        # Both answers came after their commits: together they have seen every batch sent so
        # far, and neither may acknowledge past the first batch not sent yet.
        committed = _contiguous_end(counter.batches, sent)
        acks = [answer["ack_seq"] for answer in answers]
        assert max(acks) == committed, (counter.name, index, acks, committed)
        assert acknowledged <= min(acks), (counter.name, index, acks, acknowledged)
        acknowledged = committed
        for answer in answers:
            for result in answer["results"]:
                counter.statuses.setdefault(result["record_id"], []).append(result["status"])


def _contiguous_end(batches: list[list[WireRecord]], sent: set[int]) -> int:
    """The last seq of the batches sent without a hole from the first."""
    end = 0
    for index, batch in enumerate(batches):
        if index not in sent:
            break
        end = batch[-1].seq
    return end


def _change_key(change: dict[str, Any]) -> tuple[int, str, str]:
    data = change["data"]
    return change["seq"], change["entity"], str(data.get("record_id") or data.get("id"))


async def _follow(
    servers: Servers, device: Device, pushing: asyncio.Future[Any]
) -> list[tuple[int, str, str]]:
    """Pull page after page while the pushes go on, each page from the other process, until
    they are done and the log is read to its end."""
    seen: list[tuple[int, str, str]] = []
    cursor, page_number, more = 0, 0, True
    while more or not pushing.done():
        finished = pushing.done()
        page = await servers.pull(page_number % 2, device, cursor)
        page_number += 1
        seen += [_change_key(change) for change in page["changes"]]
        cursor, more = page["next_cursor"], page["more"] or not finished
    return seen


async def _page_through(
    servers: Servers, device: Device, processes: Sequence[int]
) -> list[tuple[int, str, str]]:
    """From cursor 0 to the end: page ``n`` from ``processes[n]`` (the last one thereafter)."""
    seen: list[tuple[int, str, str]] = []
    cursor, page_number, more = 0, 0, True
    while more:
        process = processes[min(page_number, len(processes) - 1)]
        page = await servers.pull(process, device, cursor)
        page_number += 1
        seen += [_change_key(change) for change in page["changes"]]
        cursor, more = page["next_cursor"], page["more"]
    return seen


async def _rows(db: Database, sql: str, *args: Any) -> list[dict[str, Any]]:
    async with db.transaction() as tx:
        return [dict(row) for row in await tx.fetch(sql, *args)]


@pytest.mark.timeout(120)
async def test_two_processes_serve_one_database(db_url: str, tmp_path: Path) -> None:
    now = datetime.now(UTC)
    today = now.astimezone(ZoneInfo("Asia/Shanghai")).date()
    processes = [HqProcess(db_url, free_port(), tmp_path / f"hq{number}.log") for number in (1, 2)]
    try:
        # Both start at once on the empty database (each migrates at start, one waits for the
        # other); the site, user and codes are written after, straight into the database.
        await asyncio.gather(*(process.start() for process in processes))
        codes = await _prepare(db_url, now)
        async with aiohttp.ClientSession() as session:
            servers = Servers(session, [process.port for process in processes])
            await _run(servers, db_url, codes, now, today)
    except BaseException:
        for process in processes:
            print(f"--- {process.log_path.name}\n{process.log_tail()}")
        raise
    finally:
        for process in processes:
            process.kill()


async def _run(servers: Servers, db_url: str, codes: list[str], now: datetime, today: date) -> None:
    # One code spent through both processes at once: one enrolment, one refusal.
    ids = IdSource(FixedClock(now))
    raced = await asyncio.gather(
        *(servers.try_enroll(p, codes[-1], ids.new_str(), f"race{p}") for p in (0, 1))
    )
    assert sorted(status for status, _data in raced) == [200, 401], raced
    assert any(data.get("error") == "bad_code" for _status, data in raced), raced
    # Enrolment through either process: devices 0 and 2 through process 1, device 1 through 2.
    counters = [
        Till(await servers.enroll(i % 2, code, f"w{i}", now), f"w{i}")
        for i, code in enumerate(codes[:DEVICES])
    ]
    rngs = [random.Random(f"{SEED}-{i}") for i in range(DEVICES)]
    for counter, rng in zip(counters, rngs, strict=True):
        _take_payments(counter, rng, now, today)

    pushing = asyncio.gather(
        *(_push_all(servers, c, rng) for c, rng in zip(counters, rngs, strict=True))
    )
    followed = await asyncio.gather(*(_follow(servers, c.device, pushing) for c in counters))
    await pushing

    # Every record was created by exactly one of its two deliveries; the other said exists.
    for counter in counters:
        assert counter.swaps >= 1
        assert set(counter.statuses) == {r.record_id for r in counter.records}
        wrong = {k: v for k, v in counter.statuses.items() if sorted(v) != ["created", "exists"]}
        assert not wrong, (counter.name, list(wrong.items())[:5])

    db = await connect(db_url)
    try:
        await _check_database(db, counters)
    finally:
        await db.close()
    await _check_reports(servers, counters, today)
    await _check_pull(servers, counters, followed)


async def _check_database(db: Database, counters: list[Till]) -> None:
    """Acknowledgements, the journal, the money, the change log and the exceptions."""
    devices = {
        row["id"]: row for row in await _rows(db, "SELECT id, ack_seq, ack_hash FROM devices")
    }
    journal = await _rows(db, "SELECT record_id, device_id, seq FROM journal")
    money = {
        row["device_id"]: row
        for row in await _rows(
            db,
            "SELECT device_id, CAST(sum(amount_fen) AS BIGINT) AS fen,"
            " count(DISTINCT record_id) AS n FROM money_lines GROUP BY device_id",
        )
    }
    for counter in counters:
        device_id = counter.device.device_id
        last = counter.records[-1]
        assert devices[device_id]["ack_seq"] == last.seq == PAYMENTS
        assert devices[device_id]["ack_hash"] == last.hash
        held = [row for row in journal if row["device_id"] == device_id]
        assert len(held) == PAYMENTS
        assert sorted(row["record_id"] for row in held) == sorted(
            r.record_id for r in counter.records
        )
        assert int(money[device_id]["fen"]) == counter.taken_fen
        assert money[device_id]["n"] == PAYMENTS
    assert len(journal) == len({row["record_id"] for row in journal}) == DEVICES * PAYMENTS

    twice = await _rows(
        db,
        "SELECT entity_id, count(*) AS n FROM change_log WHERE entity = 'journal'"
        " GROUP BY entity_id HAVING count(*) > 1",
    )
    assert twice == []

    exceptions = await _rows(db, "SELECT kind, device_id, seq, resolved_at FROM exceptions")
    still_open = [row for row in exceptions if row["resolved_at"] is None]
    assert still_open == [], still_open[:10]
    # The gaps seen while batches came out of order were recorded, and closed when they filled.
    gaps = Counter(row["device_id"] for row in exceptions if row["kind"] == "seq_gap")
    for counter in counters:
        assert gaps[counter.device.device_id] >= 1, counter.name
    assert {row["kind"] for row in exceptions} <= {"seq_gap"}, exceptions[:10]


async def _check_reports(servers: Servers, counters: list[Till], today: date) -> None:
    """A login on process 1 is a token process 2 accepts; the daily report equals the pushes."""
    body = {"code": BOSS, "password": PASSWORD}
    async with servers.session.post(f"{servers.bases[0]}/login", json=body) as response:
        assert response.status == 200, await response.text()
        token = (await response.json())["token"]
    status, rejected = await servers.get(
        1, "reports/daily", "fut_" + "x" * 43, date=today.isoformat(), site=SITE
    )
    assert (status, rejected["error"]) == (401, "bad_token")
    status, report = await servers.get(1, "reports/daily", token, date=today.isoformat(), site=SITE)
    assert status == 200, report
    by_device: Counter[str] = Counter()
    counts: Counter[str] = Counter()
    for row in report["rows"]:
        assert row["site"] == SITE
        by_device[row["device"]] += row["payments_fen"]
        counts[row["device"]] += row["payments"]
        assert row["net_fen"] == row["payments_fen"]
    assert dict(by_device) == {c.name: c.taken_fen for c in counters}
    assert dict(counts) == {c.name: PAYMENTS for c in counters}
    assert sum(row["net_fen"] for row in report["rows"]) == sum(c.taken_fen for c in counters)


async def _check_pull(
    servers: Servers, counters: list[Till], followed: list[list[tuple[int, str, str]]]
) -> None:
    """For each counter: pages from process 2 continued on process 1 equal process 1 alone, and
    so do the pages it followed, alternating processes, while the pushes went on; they hold
    every other counter's payment once and none of its own."""
    for counter, seen in zip(counters, followed, strict=True):
        alone = await _page_through(servers, counter.device, [0])
        mixed = await _page_through(servers, counter.device, [1, 1, 1, 1, 0])
        assert [key[0] for key in alone] == sorted({key[0] for key in alone})
        assert mixed == alone, counter.name
        assert seen == alone, counter.name
        others = sorted(r.record_id for c in counters if c is not counter for r in c.records)
        assert sorted(key[2] for key in alone if key[1] == "journal") == others
