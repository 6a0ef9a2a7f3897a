"""Benchmark the ledger on a 100,000-unit database: taking a payment and every kind of unit search,
each beside raw sqlite3 doing the same work with the same PRAGMAs.

    PYTHONPATH=. python scripts/bench_ledger.py [--db PATH] [--units 100000] [--months 24]
        [--payments 300] [--searches 200] [--seed 1] [--keep]

Without ``--db`` (or when the file is missing) it first builds the demo community there
(``feetui demo-data``), which takes minutes at 100,000 units; keep it with ``--keep`` and pass
``--db`` next time. The database is copied twice: feetui's side takes its payments on one copy,
raw sqlite3 writes the very same rows on the other, so both start from the same state.

* Payment: ``take_payment`` (open shift, the unit's whole arrears, WeChat) through Tortoise,
  timed per call. Raw: one ``BEGIN IMMEDIATE`` transaction doing the same reads (open shift, next
  receipt number, replay check, the unit, its charge balances, prepaid balance, last journal link)
  and inserting the same rows (late-fee charges, payment, tenders, allocations, prepaid entries,
  receipt number, journal entry, outbox row) taken from the payment feetui posted.
* Search: ``find_units`` for a room code, a room number, 1-, 2- and 3-character names, pinyin
  initials, a phone tail and a plate, drawn from the data; raw runs the same range scans through
  sqlite3.

Prints a table and, with ``--markdown``, the rows for BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from datetime import time as dtime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from feetui.clock import FixedClock  # noqa: E402
from feetui.config import Settings  # noqa: E402
from feetui.core.money import Money  # noqa: E402
from feetui.core.search import DEFAULT_LIMIT, plan_search  # noqa: E402
from feetui.db.config import PRAGMAS  # noqa: E402
from feetui.db.connection import close_db, open_db  # noqa: E402

# The SQL feetui runs, taken from its modules so the raw side does exactly the same reads.
from feetui.db.queries.balances import _BALANCES  # noqa: E402
from feetui.db.queries.posting import _NEXT_RECEIPT, _OPEN_SHIFT  # noqa: E402
from feetui.db.queries.search import _SCAN_SQL  # noqa: E402
from feetui.demo import DemoOptions, build_demo  # noqa: E402
from feetui.demo.writer import _INSERT, BULK_TABLES, payment_rows  # noqa: E402
from feetui.services.container import Services  # noqa: E402
from feetui.services.lookup import find_units  # noqa: E402
from feetui.services.payments import take_payment  # noqa: E402
from feetui.services.results import TenderInput  # noqa: E402
from feetui.services.shifts import open_shift  # noqa: E402

AS_OF = date(2026, 11, 23)
KINDS = ("room code", "room only", "name 1 char", "name 2 chars", "name 3 chars", "initials",
         "phone tail", "plate")  # fmt: skip


def percentiles(samples: list[float]) -> tuple[float, float]:
    """p50 and p99 in milliseconds."""
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p99 * 1000


def raw_connect(path: Path) -> sqlite3.Connection:
    """sqlite3 with the PRAGMAs feetui opens its store with."""
    connection = sqlite3.connect(path, isolation_level=None)
    for key, value in PRAGMAS.items():
        connection.execute(f"PRAGMA {key}={value}")
    return connection


# -- the database ---------------------------------------------------------------------------------


def ensure_database(args: argparse.Namespace) -> Path:
    """The benchmark's demo database, built when missing."""
    path = Path(args.db)
    if path.exists():
        return path
    print(f"building a {args.units}-unit demo at {path} (minutes) ...", flush=True)
    started = time.perf_counter()

    def progress(stage: str, done: int, total: int) -> None:
        print(f"\r  {stage} {done}/{total}  {time.perf_counter() - started:.0f} s", end="")

    options = DemoOptions(as_of=AS_OF, units=args.units, seed=args.seed, months=args.months)
    summary = asyncio.run(build_demo(path, options, progress))
    print(f"\n  built {summary.units} units, {summary.charges} charges, {summary.payments} "
          f"payments in {time.perf_counter() - started:.0f} s")  # fmt: skip
    return path


def copy_database(source: Path, folder: Path, name: str) -> Path:
    """A copy of the (closed, checkpointed) database file."""
    target = folder / name
    shutil.copyfile(source, target)
    return target


# -- payments -------------------------------------------------------------------------------------


def owing_units(path: Path, count: int, rng: random.Random) -> list[str]:
    """Units that owe something, drawn at random."""
    connection = raw_connect(path)
    try:
        rows = [r[0] for r in connection.execute(
            "SELECT unit_id FROM unit_balance WHERE arrears_fen > 0 ORDER BY unit_id")]  # fmt: skip
    finally:
        connection.close()
    return rng.sample(rows, min(count, len(rows)))


async def feetui_payments(path: Path, units: list[str]) -> tuple[list[float], list[str]]:
    """take_payment for each unit (its whole arrears by WeChat); durations and payment ids."""
    tz = ZoneInfo("Asia/Shanghai")
    clock = FixedClock(datetime.combine(AS_OF, dtime(9, 0), tz).astimezone(UTC))
    database = await open_db(path, clock=clock)
    durations, ids = [], []
    try:
        svc = Services.build(Settings(db_path=str(path)), database, clock=clock)
        cashier = await _cashier(path)
        await open_shift(svc, shift_id=svc.ids.new_str(), cashier_id=cashier,
                         opening_counts={"n100": 5})  # fmt: skip
        for unit_id in units:
            due = await _due(unit_id)
            payment_id = svc.ids.new_str()
            started = time.perf_counter()
            await take_payment(
                svc, payment_id=payment_id, unit_id=unit_id, cashier_id=cashier,
                tenders=[TenderInput("wechat", Money(due), reference="420000000000")],
                amount_to_charges=Money(due),
            )  # fmt: skip
            durations.append(time.perf_counter() - started)
            ids.append(payment_id)
            clock.advance(seconds=20)
    finally:
        await close_db(database)
    return durations, ids


async def _cashier(path: Path) -> str:
    from tortoise.connection import connections

    _, rows = await connections.get("default").execute_query(
        "SELECT id FROM user WHERE role = 'cashier' ORDER BY code LIMIT 1"
    )
    return rows[0][0]


async def _due(unit_id: str) -> int:
    """What the unit owes today, late fees included (what the pay screen would offer)."""
    from feetui.db.queries.balances import list_charge_balances

    total = 0
    for charge in await list_charge_balances(unit_id):
        if charge.outstanding.fen > 0:
            total += charge.outstanding.fen + charge.late_fee_as_of(AS_OF).fen
    return total


def posted_payloads(path: Path, ids: list[str]) -> list[tuple[dict, tuple]]:
    """Each payment's payload and its journal row, as feetui wrote them (plus the shift's)."""
    connection = raw_connect(path)
    try:
        result = []
        for payment_id in ids:
            row = connection.execute(
                "SELECT id, device_id, seq, record_id, kind, payload_json, prev_hash, hash, "
                "created_at FROM journal_entry WHERE record_id = ?", (payment_id,)
            ).fetchone()  # fmt: skip
            result.append((json.loads(row[5]), tuple(row)))
        return result
    finally:
        connection.close()


def copy_shift(source: Path, target: Path) -> None:
    """The shift feetui opened (and its journal entry), so raw posts into the same open shift."""
    src, dst = raw_connect(source), raw_connect(target)
    try:
        shift = src.execute("SELECT * FROM shift ORDER BY opened_at DESC LIMIT 1").fetchone()
        entry = src.execute(
            "SELECT * FROM journal_entry WHERE record_id = ?", (shift[0],)
        ).fetchone()
        columns = lambda t: [r[1] for r in src.execute(f"PRAGMA table_info({t})")]  # noqa: E731
        dst.execute("BEGIN")
        for table, row in (("shift", shift), ("journal_entry", entry)):
            cols = columns(table)
            dst.execute(f"INSERT INTO {table} ({','.join(cols)}) VALUES "
                        f"({','.join('?' * len(cols))})", row)  # fmt: skip
        dst.execute("INSERT INTO outbox (entry_id, acked_at) VALUES (?, NULL)", (entry[0],))
        dst.execute("COMMIT")
    finally:
        src.close()
        dst.close()


def raw_payments(path: Path, posted: list[tuple[dict, tuple]]) -> list[float]:
    """The same reads and the same rows as take_payment, in one transaction each."""
    connection = raw_connect(path)
    durations = []
    try:
        for payload, entry in posted:
            started = time.perf_counter()
            raw_payment(connection, payload, entry)
            durations.append(time.perf_counter() - started)
    finally:
        connection.close()
    return durations


def raw_payment(connection: sqlite3.Connection, p: dict, entry: tuple) -> None:
    """One payment the way feetui posts it, in plain SQL."""
    device = p["device_id"]
    connection.execute("BEGIN IMMEDIATE")
    connection.execute("SELECT kind, payload_json FROM journal_entry WHERE record_id = ?",
                       (p["id"],)).fetchall()  # fmt: skip
    connection.execute(_OPEN_SHIFT, (device,)).fetchall()
    connection.execute("SELECT * FROM unit WHERE id = ?", (p["unit_id"],)).fetchall()
    connection.execute(_BALANCES + " WHERE c.unit_id = ? ORDER BY c.due_date, f.code, c.id",
                       (p["unit_id"],)).fetchall()  # fmt: skip
    connection.execute("SELECT COALESCE(SUM(amount_fen), 0) FROM prepaid_entry WHERE unit_id = ?",
                       (p["unit_id"],)).fetchall()  # fmt: skip
    connection.execute(_NEXT_RECEIPT, (device,)).fetchall()
    connection.execute("SELECT seq, hash FROM journal_entry WHERE device_id = ? "
                       "ORDER BY seq DESC LIMIT 1", (device,)).fetchall()  # fmt: skip
    rows: dict[str, list[tuple]] = {t: [] for t in BULK_TABLES}
    payment_rows(p, rows)
    for table in ("charge", "payment", "tender", "allocation", "prepaid_entry", "receipt_number"):
        if rows[table]:
            connection.executemany(_INSERT[table], rows[table])
    connection.execute(_INSERT["journal_entry"], entry)
    connection.execute(_INSERT["outbox"], (entry[0],))
    connection.execute("COMMIT")


# -- searches -------------------------------------------------------------------------------------


def search_queries(path: Path, per_kind: int, rng: random.Random) -> dict[str, list[str]]:
    """Queries of each kind, drawn from the units of the database."""
    connection = raw_connect(path)
    try:
        rows = connection.execute(
            "SELECT u.code, u.room, u.owner_name, u.owner_initials, p.phone, u.plates "
            "FROM unit u LEFT JOIN party p ON p.id = u.owner_id WHERE u.kind = 'residential'"
        ).fetchall()
    finally:
        connection.close()
    sample = rng.sample(rows, min(len(rows), per_kind * 3))
    names = [r[2] for r in sample if len(r[2]) >= 3]
    return {
        "room code": [r[0] for r in sample[:per_kind]],
        "room only": [r[1] for r in sample[:per_kind]],
        "name 1 char": [n[0] for n in names[:per_kind]],
        "name 2 chars": [n[:2] for n in names[:per_kind]],
        "name 3 chars": [n[:3] for n in names[:per_kind]],
        "initials": [r[3] for r in sample[:per_kind]],
        "phone tail": [r[4][-4:] for r in sample[:per_kind]],
        "plate": [r[5].split()[0] for r in sample if r[5]][:per_kind],
    }


async def feetui_searches(path: Path, queries: dict[str, list[str]]) -> dict[str, tuple]:
    """find_units for every query; per kind: durations and mean result count."""
    database = await open_db(path)
    result = {}
    try:
        for query in queries["room code"][:20]:  # warm the page cache like a day's use would
            await find_units(query)
        for kind, items in queries.items():
            durations, counts = [], []
            for query in items:
                started = time.perf_counter()
                hits = await find_units(query)
                durations.append(time.perf_counter() - started)
                counts.append(len(hits))
            result[kind] = (durations, statistics.mean(counts) if counts else 0)
    finally:
        await close_db(database)
    return result


def raw_searches(path: Path, queries: dict[str, list[str]]) -> dict[str, list[float]]:
    """The same range scans through sqlite3."""
    connection = raw_connect(path)
    result = {}
    try:
        for kind, items in queries.items():
            durations = []
            for query in items:
                started = time.perf_counter()
                raw_search(connection, query)
                durations.append(time.perf_counter() - started)
            result[kind] = durations
    finally:
        connection.close()
    return result


def raw_search(connection: sqlite3.Connection, query: str) -> int:
    """search_units in plain sqlite3: the same plan, the same SQL, the same early stop."""
    found: set[str] = set()
    for scan in plan_search(query):
        rows = connection.execute(_SCAN_SQL, (scan.low, scan.high, DEFAULT_LIMIT)).fetchall()
        found.update(row[1] for row in rows)
        if len(found) >= DEFAULT_LIMIT:
            break
    return len(found)


# -- report ---------------------------------------------------------------------------------------


def report(rows: list[tuple], markdown: bool) -> None:
    """Print the figures as a table."""
    if markdown:
        print("| operation | feetui p50 ms | feetui p99 ms | raw p50 ms | raw p99 ms | p99 ratio |"
              " mean results |")  # fmt: skip
        print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
        for name, fp, rp, extra in rows:
            ratio = fp[1] / rp[1] if rp[1] else float("nan")
            print(f"| {name} | {fp[0]:.2f} | {fp[1]:.2f} | {rp[0]:.2f} | {rp[1]:.2f} | "
                  f"{ratio:.1f}× | {extra} |")  # fmt: skip
        return
    print(f"{'operation':<16}{'feetui p50':>12}{'p99':>9}{'raw p50':>10}{'p99':>9}{'ratio':>8}")
    for name, fp, rp, _ in rows:
        ratio = fp[1] / rp[1] if rp[1] else float("nan")
        print(f"{name:<16}{fp[0]:>12.2f}{fp[1]:>9.2f}{rp[0]:>10.2f}{rp[1]:>9.2f}{ratio:>7.1f}x")


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; returns the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--db", default=str(Path(tempfile.gettempdir()) / "feetui-bench-100k.sqlite3")
    )
    parser.add_argument("--units", type=int, default=100_000)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--payments", type=int, default=300)
    parser.add_argument("--searches", type=int, default=200)
    parser.add_argument("--keep", action="store_true", help="keep a database this run built")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    args = parser.parse_args(argv)
    built = not Path(args.db).exists()
    source = ensure_database(args)
    rng = random.Random(args.seed)
    rows: list[tuple] = []
    with tempfile.TemporaryDirectory(dir=source.parent) as folder:
        ours = copy_database(source, Path(folder), "feetui.sqlite3")
        theirs = copy_database(source, Path(folder), "raw.sqlite3")
        queries = search_queries(source, args.searches, rng)
        searched = asyncio.run(feetui_searches(ours, queries))
        raw_searched = raw_searches(theirs, queries)
        for kind in KINDS:
            durations, mean = searched[kind]
            rows.append((f"search: {kind}", percentiles(durations),
                         percentiles(raw_searched[kind]), f"{mean:.0f}"))  # fmt: skip
        units = owing_units(source, args.payments, rng)
        durations, ids = asyncio.run(feetui_payments(ours, units))
        copy_shift(ours, theirs)
        raw = raw_payments(theirs, posted_payloads(ours, ids))
        rows.insert(0, ("take_payment", percentiles(durations), percentiles(raw), len(ids)))
    if built and not args.keep:
        for suffix in ("", "-wal", "-shm", ".lock"):
            Path(str(source) + suffix).unlink(missing_ok=True)
    report(rows, args.markdown)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
