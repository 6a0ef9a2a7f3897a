"""Benchmark: drain queued payments into the sync server over HTTP, beside a raw bulk insert.

    PYTHONPATH=. python scripts/bench_sync.py [--records 10000] [--pg-dsn postgres://...]

For SQLite and PostgreSQL (a private cluster is started when no DSN is given and the binaries
exist), in one run: (1) one counter pushes N hash-chained payments in batches of 500 through
``POST /api/v1/push`` of a real ``sync-server serve`` process on 127.0.0.1 (validation, chain and
receipt checks, projection, change log: the whole path); (2) four counters push N each at once;
(3) the same kind of rows go into the same database, in batches of the same size, one
transaction each, with the bulk ``INSERT ... ON CONFLICT DO NOTHING`` the server itself uses
(``Tx.insert_rows``) and nothing else: "raw keyed" into a copy of ``journal`` with its keys and
index (the fair baseline: the server's insert must be keyed by record id), and "raw heap" into a
copy without any key (what earlier runs compared against). Prints records/s, the ratios to the
raw inserts, the sync-server process's CPU time per record of the one-counter drain (the
SQLite work runs in that process; PostgreSQL's own processes are not counted) and the load
average. Request bodies are encoded before the clock starts, as a counter's outbox would be.
Payments are stamped today on the real clock, as the server judges lateness by it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import socket
import sys
import tempfile
import time
import uuid
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path
from statistics import median
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp

from feetui.clock import FixedClock, IdSource
from feetui.core.journal import GENESIS_HASH
from feetui.sync.protocol import MAX_BATCH, WireRecord, make_record
from sync_server.db.connection import Table, connect
from sync_server.services.apply_push import JOURNAL
from sync_server.services.auth import create_enrollment_code
from sync_server.services.master import add_site


def _records(device_id: str, count: int) -> list[WireRecord]:
    """A counter's queued payments of today: the server runs on the real clock, so records stamped
    on a fixed date would all be flagged late and measure the late path, not the common one."""
    now = datetime.now(UTC)
    created_at = now.isoformat(timespec="seconds")
    business_date = now.astimezone(ZoneInfo("Asia/Shanghai")).date().isoformat()
    ids, prev, out = IdSource(FixedClock(now)), GENESIS_HASH, []
    for seq in range(1, count + 1):
        payload = {
            "created_at": created_at, "business_date": business_date,
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


async def _enroll(session: aiohttp.ClientSession, base: str, code: str) -> tuple[str, str]:
    device_id = str(uuid.uuid4())
    body = {"code": code, "device_id": device_id, "name": "bench"}
    async with session.post(f"{base}/api/v1/enroll", json=body) as response:
        return device_id, (await response.json())["token"]


def _bodies(device_id: str, records: list[WireRecord]) -> list[bytes]:
    """The push requests of a drained outbox, encoded before the clock starts (as a counter
    would have them ready)."""
    out = []
    for start in range(0, len(records), MAX_BATCH):
        batch = [r.to_json() for r in records[start : start + MAX_BATCH]]
        out.append(json.dumps({"device_id": device_id, "records": batch}).encode())
    return out


async def _drain(
    session: aiohttp.ClientSession, base: str, device: tuple[str, str], bodies: list[bytes],
    in_flight: int = 1,
) -> None:  # fmt: skip
    """Send a counter's batches in order, ``in_flight`` at a time (a counter sends one: more is an
    experiment on whether the server could overlap one request's Python with another's
    statements)."""
    headers = {"Authorization": f"Bearer {device[1]}", "Content-Type": "application/json"}
    window = asyncio.Semaphore(in_flight)

    async def send(body: bytes) -> None:
        try:
            async with session.post(f"{base}/api/v1/push", data=body, headers=headers) as answer:
                assert answer.status == 200, await answer.text()
                await answer.read()
        finally:
            window.release()

    sent = []
    for body in bodies:
        await window.acquire()
        sent.append(asyncio.ensure_future(send(body)))
    await asyncio.gather(*sent)


async def _raw_table(db: Any, name: str, *, keyed: bool) -> Table:
    """An empty copy of ``journal``: with its keys and indexes, or a bare heap of its columns."""
    async with db.transaction() as tx:
        if keyed:
            await _copy_table(tx, "journal", name)
        else:
            await tx.execute(f"CREATE TABLE {name} AS SELECT * FROM journal WHERE 1 = 0")
    return Table(name, JOURNAL.columns)


async def _raw(url: str, n: int, *, keyed: bool) -> float:
    """The same kind of rows straight into a copy of the journal, in batches of the same size and
    with the same bulk insert the server uses, one transaction per batch; nothing else."""
    db = await connect(url)
    records = _records(str(uuid.uuid4()), n)
    try:
        table = await _raw_table(db, "raw_keyed" if keyed else "raw_heap", keyed=keyed)
        began = time.perf_counter()
        for start in range(0, n, MAX_BATCH):
            rows = [
                (r.record_id, r.device_id, r.seq, r.kind, r.payload_json, r.prev_hash, r.hash,
                 "site", "2026-11-23T01:30:00Z", 1)
                for r in records[start : start + MAX_BATCH]
            ]  # fmt: skip
            async with db.transaction() as tx:
                await tx.insert_rows(table, rows)
        return n / (time.perf_counter() - began)
    finally:
        await db.close()


# What the push writes for a payment: its journal row, its report rows and its change-log entry.
WRITTEN = ("journal", "money_lines", "allocations", "change_log")


async def _copy_table(tx: Any, name: str, copy: str) -> list[tuple[str, str]]:
    """An empty copy of table ``name`` with its keys and indexes; returns its columns and their
    types (without a serial ``seq``, which the copy numbers itself as the original does)."""
    if tx.dialect == "postgres":
        await tx.execute(f"CREATE TABLE {copy} (LIKE {name} INCLUDING ALL)")
        rows = await tx.fetch(
            "SELECT column_name, data_type FROM information_schema.columns"
            " WHERE table_name = ? ORDER BY ordinal_position",
            name,
        )
        columns = [(row["column_name"], row["data_type"]) for row in rows]
    else:
        for row in await tx.fetch(
            "SELECT sql FROM sqlite_master WHERE tbl_name = ? AND sql IS NOT NULL", name
        ):
            sql = re.sub(rf"^CREATE TABLE {name}\b", f"CREATE TABLE {copy}", row["sql"])
            sql = re.sub(
                rf"^CREATE (UNIQUE )?INDEX (\w+) ON {name}\b",
                lambda m: f"CREATE {m[1] or ''}INDEX {copy}_{m[2]} ON {copy}",
                sql,
            )
            await tx.execute(sql)
        rows = await tx.fetch(f"PRAGMA table_info({name})")
        columns = [(row["name"], row["type"].lower()) for row in rows]
    return [c for c in columns if not (name == "change_log" and c[0] == "seq")]


async def _raw_copies(url: str) -> dict[str, Table]:
    """Empty keyed copies of the tables a push writes, made once; every round adds to them, as
    every round's push adds to the originals."""
    db = await connect(url)
    try:
        async with db.transaction() as tx:
            tables = {name: await _copy_table(tx, name, f"raw_{name}") for name in WRITTEN}
        return {name: Table(f"raw_{name}", tuple(columns)) for name, columns in tables.items()}
    finally:
        await db.close()


async def _raw_same(
    url: str, device_id: str, copies: dict[str, Table]
) -> tuple[float, dict[str, int]]:
    """Every row the push wrote for ``device_id``'s drain (its journal rows, their money lines
    and allocations, their change-log entries), read back before the clock starts and inserted
    again into the keyed copies of those tables, a batch's rows in one transaction with the
    server's bulk insert: what storing the same rows costs without the push's checks."""
    db = await connect(url)
    try:
        batches: list[dict[str, list[tuple[Any, ...]]]] = []
        counts = dict.fromkeys(WRITTEN, 0)
        async with db.transaction() as tx:
            ids = [
                row["record_id"]
                for row in await tx.fetch(
                    "SELECT record_id FROM journal WHERE device_id = ? ORDER BY seq", device_id
                )
            ]
            for start in range(0, len(ids), MAX_BATCH):
                chunk = ids[start : start + MAX_BATCH]
                marks = ",".join("?" * len(chunk))
                batch = {}
                for name, copy in copies.items():
                    key = "entity_id" if name == "change_log" else "record_id"
                    names = [column for column, _type in copy.columns]
                    rows = await tx.fetch(
                        f"SELECT {', '.join(names)} FROM {name} WHERE {key} IN ({marks})", *chunk
                    )
                    batch[name] = [tuple(row[c] for c in names) for row in rows]
                    counts[name] += len(rows)
                batches.append(batch)
        began = time.perf_counter()
        for batch in batches:
            async with db.transaction() as tx:
                for name, rows in batch.items():
                    await tx.insert_rows(copies[name], rows)
        return len(ids) / (time.perf_counter() - began), counts
    finally:
        await db.close()


async def _prepare(url: str, devices: int) -> list[str]:
    """Migrate, add the site and make one enrolment code per counter, before the server starts.

    On the real clock: the server process checks the codes' expiry against it."""
    from sync_server.db.migrate import migrate

    db = await connect(url)
    now = datetime.now(UTC)
    try:
        await migrate(db, now=now)
        await add_site(db, code="B", name="bench", now=now)
        return [
            (await create_enrollment_code(db, site_code="B", name="b", now=now, hours=24))[0]
            for _ in range(devices)
        ]  # fmt: skip
    finally:
        await db.close()


def _cpu_seconds(pid: int) -> tuple[float, float]:
    """User + system CPU time of a process's main thread and of its other threads (Linux
    ``/proc``; zeros elsewhere): figures the other sessions' load on a shared machine barely
    moves. On SQLite the other thread is aiosqlite's, where every statement runs; the main
    thread does HTTP, decoding, checks, hashing and projection."""
    main = other = 0.0
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return 0.0, 0.0
    for task in tasks:
        try:
            fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        seconds = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        if task.name == str(pid):
            main += seconds
        else:
            other += seconds
    return main, other


async def _serve(url: str, port: int) -> asyncio.subprocess.Process:
    """The real server in its own process, as deployed; returns once it listens."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "sync_server", "serve", "--port", str(port), "--db", url,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    assert process.stdout is not None
    line = await process.stdout.readline()
    assert b"Running on" in line, line
    return process


async def bench(url: str, n: int, rounds: int, in_flight: int = 1) -> dict[str, Any]:
    """Records/s for one counter, four counters and the raw inserts, on the database ``url``.

    Each round drains a new counter, then four new counters at once, then inserts the rows the
    one-counter drain wrote again, raw: the push and its baseline are measured minutes, not
    seconds, apart, so a shared machine's changing speed touches both alike.
    """
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    codes = await _prepare(url, 5 * rounds)
    copies = await _raw_copies(url)
    process = await _serve(url, port)
    base = f"http://127.0.0.1:{port}"
    out: dict[str, Any] = {"one": [], "four": [], "cpu_us": [], "cpu_main_us": [], "raw_same": []}
    try:
        async with aiohttp.ClientSession() as session:
            devices = [await _enroll(session, base, code) for code in codes]
            queued = [_bodies(d[0], _records(d[0], n)) for d in devices]
            for index in range(0, 5 * rounds, 5):
                one, others = devices[index], devices[index + 1 : index + 5]
                began, cpu = time.perf_counter(), _cpu_seconds(process.pid)
                await _drain(session, base, one, queued[index], in_flight)
                out["one"].append(n / (time.perf_counter() - began))
                main, other = (b - a for a, b in zip(cpu, _cpu_seconds(process.pid), strict=True))
                out["cpu_us"].append((main + other) / n * 1e6)
                out["cpu_main_us"].append(main / n * 1e6)
                began = time.perf_counter()
                await asyncio.gather(
                    *(
                        _drain(session, base, d, queued[index + 1 + k], in_flight)
                        for k, d in enumerate(others)
                    )
                )
                out["four"].append(4 * n / (time.perf_counter() - began))
                # The server is idle between requests: the raw insert has the database alone.
                same, out["rows"] = await _raw_same(url, one[0], copies)
                out["raw_same"].append(same)
    finally:
        process.terminate()
        await process.wait()
    out["raw"] = await _raw(url, n, keyed=True)
    out["raw_heap"] = await _raw(url, n, keyed=False)
    return out


def _report(name: str, result: dict[str, Any]) -> None:
    one, four, same = result["one"], result["four"], result["raw_same"]
    raw, heap = result["raw"], result["raw_heap"]
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    rows = ", ".join(f"{count:,} {name}" for name, count in result["rows"].items())
    by_round = "; ".join(
        f"{o:,.0f} / {f:,.0f} / {s:,.0f} ({s / o:.2f}×, {s / f:.2f}×)"
        for o, f, s in zip(one, four, same, strict=True)
    )
    ratio_one = median([s / o for s, o in zip(same, one, strict=True)])
    ratio_four = median([s / f for s, f in zip(same, four, strict=True)])
    print(
        f"{name}: median of {len(one)} rounds: one counter {median(one):,.0f} rec/s, four"
        f" counters {median(four):,.0f} rec/s, raw same rows {median(same):,.0f} rec/s;"
        f" same/one {ratio_one:.2f}×, same/four {ratio_four:.2f}×;"
        f" server CPU {median(result['cpu_us']):.0f} µs/record (one counter; main thread"
        f" {median(result['cpu_main_us']):.0f}, raw same rows {1e6 / median(same):.0f} µs/record"
        f" wall); load {load}\n"
        f"  rounds (one / four / raw same rec/s): {by_round}\n"
        f"  raw same rows per round: {rows}\n"
        f"  raw keyed journal {raw:,.0f} rec/s: raw/one {raw / median(one):.2f}×;"
        f" raw heap journal {heap:,.0f} rec/s"
    )


async def main() -> None:
    """Run the benchmark on SQLite and on PostgreSQL."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--pg-dsn", default="")
    parser.add_argument("--only", choices=("sqlite", "postgres"), default=None)
    parser.add_argument(
        "--in-flight", type=int, default=1, help="requests a counter has in flight (a counter: 1)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder, ExitStack() as stack:
        url = f"sqlite:///{Path(folder) / 'hq.sqlite3'}"
        if args.only != "postgres":
            _report("sqlite", await bench(url, args.records, args.rounds, args.in_flight))
        dsn = "" if args.only == "sqlite" else args.pg_dsn or _start_postgres(stack)
        if dsn:
            pg_url = await _fresh(dsn)
            _report("postgres", await bench(pg_url, args.records, args.rounds, args.in_flight))


def _start_postgres(stack: ExitStack) -> str:
    from tests.server.postgres import private_cluster

    folder = Path(tempfile.mkdtemp(prefix="feetui-bench-pg-"))
    stack.callback(shutil.rmtree, folder, ignore_errors=True)  # after the cluster has stopped
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
