"""Benchmark: drain queued payments into the sync server over HTTP, beside a raw bulk insert.

    PYTHONPATH=. python scripts/bench_sync.py [--records 10000] [--pg-dsn postgres://...]

For SQLite and PostgreSQL (a private cluster is started when no DSN is given and the binaries
exist), in one run: (1) one counter pushes N hash-chained payments in batches of 500 through
``POST /api/v1/push`` on 127.0.0.1 (validation, chain and receipt checks, projection, change log:
the whole path); (2) four counters push N each at once; (3) the same rows go into the same
database with a raw multi-row ``INSERT ... ON CONFLICT DO NOTHING`` and nothing else. Prints
records/s and the ratio to the raw insert.
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import tempfile
import time
import uuid
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from feetui.clock import FixedClock, IdSource
from feetui.core.journal import GENESIS_HASH
from feetui.sync.protocol import MAX_BATCH, WireRecord, make_record
from sync_server.app import create_app
from sync_server.db.connection import connect, flatten, values_clause
from sync_server.keys import DB
from sync_server.services.auth import create_enrollment_code
from sync_server.services.master import add_site
from sync_server.settings import Settings


def _records(device_id: str, count: int) -> list[WireRecord]:
    ids, prev, out = IdSource(FixedClock()), GENESIS_HASH, []
    for seq in range(1, count + 1):
        payload = {
            "created_at": "2026-11-23T01:30:00+00:00", "business_date": "2026-11-23",
            "shift_id": "shift-1", "unit_id": f"unit-{seq % 1860}", "receipt_series_id": "A",
            "receipt_number": seq, "receipt_no": f"A-{seq:08d}", "total_fen": 12345,
            "tenders": [{"id": ids.new_str(), "method": "cash", "amount_fen": 12345}],
            "allocations": [{"id": ids.new_str(), "charge_id": f"c-{seq}", "amount_fen": 12345}],
        }  # fmt: skip
        record = make_record(
            device_id=device_id, seq=seq, record_id=ids.new_str(), kind="payment",
            payload=payload, prev_hash=prev,
        )  # fmt: skip
        out.append(record)
        prev = record.hash
    return out


async def _enroll(app: web.Application, session: aiohttp.ClientSession, base: str) -> str:
    code, _ = await create_enrollment_code(
        app[DB], site_code="B", name="bench", now=FixedClock().now(), hours=24
    )
    device_id = str(uuid.uuid4())
    body = {"code": code, "device_id": device_id, "name": "bench"}
    async with session.post(f"{base}/api/v1/enroll", json=body) as response:
        return device_id + " " + (await response.json())["token"]


async def _drain(
    session: aiohttp.ClientSession, base: str, device: str, records: list[WireRecord]
) -> None:
    device_id, token = device.split()
    n = len(records)
    headers = {"Authorization": f"Bearer {token}"}
    for start in range(0, n, MAX_BATCH):
        batch = [r.to_json() for r in records[start : start + MAX_BATCH]]
        body = {"device_id": device_id, "records": batch}
        async with session.post(f"{base}/api/v1/push", json=body, headers=headers) as response:
            answer = await response.json()
            assert answer["ack_seq"] == start + len(batch), answer


async def _raw(url: str, n: int) -> float:
    db = await connect(url)
    records = _records(str(uuid.uuid4()), n)
    try:
        async with db.transaction() as tx:
            await tx.execute("CREATE TABLE raw_journal AS SELECT * FROM journal WHERE 1 = 0")
        began = time.perf_counter()
        for start in range(0, n, MAX_BATCH):
            rows = [
                (r.record_id, r.device_id, r.seq, r.kind, r.payload_json, r.prev_hash, r.hash,
                 "site", "2026-11-23T01:30:00Z", 1)
                for r in records[start : start + MAX_BATCH]
            ]  # fmt: skip
            async with db.transaction() as tx:
                await tx.execute(
                    f"INSERT INTO raw_journal VALUES {values_clause(len(rows), 10)}"
                    " ON CONFLICT DO NOTHING",
                    *flatten(rows),
                )
        return n / (time.perf_counter() - began)
    finally:
        await db.close()


async def bench(url: str, n: int) -> dict[str, float]:
    """Records/s for one counter, four counters, and the raw insert, on the database ``url``."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    app = create_app(Settings(db=url))
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    base = f"http://127.0.0.1:{port}"
    try:
        await add_site(app[DB], code="B", name="bench", now=FixedClock().now())
        async with aiohttp.ClientSession() as session:
            devices = [await _enroll(app, session, base) for _ in range(5)]
            queued = [_records(d.split()[0], n) for d in devices]
            began = time.perf_counter()
            await _drain(session, base, devices[0], queued[0])
            one = n / (time.perf_counter() - began)
            began = time.perf_counter()
            await asyncio.gather(
                *(_drain(session, base, d, q) for d, q in zip(devices[1:], queued[1:], strict=True))
            )
            four = 4 * n / (time.perf_counter() - began)
    finally:
        await runner.cleanup()
    return {"one": one, "four": four, "raw": await _raw(url, n)}


def _report(name: str, result: dict[str, float]) -> None:
    raw = result["raw"]
    print(
        f"{name:10} one counter {result['one']:8.0f}/s  four counters {result['four']:8.0f}/s"
        f"  raw insert {raw:8.0f}/s  raw/one {raw / result['one']:.2f}×"
        f"  raw/four {raw / result['four']:.2f}×"
    )


async def main() -> None:
    """Run the benchmark on SQLite and on PostgreSQL."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--pg-dsn", default="")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder, ExitStack() as stack:
        _report("sqlite", await bench(f"sqlite:///{Path(folder) / 'hq.sqlite3'}", args.records))
        dsn = args.pg_dsn or _start_postgres(stack)
        if dsn:
            _report("postgres", await bench(await _fresh(dsn), args.records))


def _start_postgres(stack: ExitStack) -> str:
    from tests.server.postgres import private_cluster

    folder = Path(tempfile.mkdtemp(prefix="feetui-bench-pg-"))
    try:
        return stack.enter_context(private_cluster(folder))
    except FileNotFoundError as error:
        print(f"postgres: skipped ({error})")
        return ""


async def _fresh(dsn: str) -> str:
    import asyncpg

    name = f"bench_{uuid.uuid4().hex[:8]}"
    conn: Any = await asyncpg.connect(dsn)
    await conn.execute(f"CREATE DATABASE {name}")
    await conn.close()
    return dsn.rsplit("/", 1)[0] + f"/{name}"


if __name__ == "__main__":
    asyncio.run(main())
