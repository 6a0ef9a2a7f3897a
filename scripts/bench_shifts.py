"""How long the shift work takes on a busy day: expected cash, preview, close, reports, exports.

    PYTHONPATH=. python scripts/bench_shifts.py --payments 2000 [--rounds 20]

Builds a shift of ``--payments`` payments (cash with change, card, WeChat, splits), some voids and
cash movements through the services on a fresh database in a temporary folder, then times each
read ``--rounds`` times (p50/p99) and the close once. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from feetui.clock import FixedClock
from feetui.config import Settings
from feetui.core.money import Money
from feetui.services.results import TenderInput

DAY = date(2026, 11, 23)


async def _busy_shift(ledger, payments: int) -> None:
    from tests.shift_builders import move, parking, void

    for number in range(payments):
        fen = 5_000 + (number * 731) % 50_000
        unit = await parking(ledger, fen)
        kind = number % 4
        tenders = [
            [TenderInput("cash", Money(fen), tendered=Money(fen + 1_000))],
            [TenderInput("card", Money(fen), reference="T")],
            [TenderInput("wechat", Money(fen), reference="W")],
            [TenderInput("cash", Money(fen // 2)), TenderInput("alipay", Money(fen - fen // 2))],
        ][kind]
        posted = await ledger.pay(unit, tenders=tenders)
        if number % 100 == 99:
            await void(ledger, posted.payment_id)
        if number % 250 == 0:
            await move(ledger, "pay_in", 10_000, reason="零钱")


async def _timed(rounds: int, job: Callable[[], Awaitable[object]]) -> tuple[float, float]:
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        await job()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    p99 = samples[min(len(samples) - 1, int(len(samples) * 0.99))]
    return statistics.median(samples), p99


async def run(payments: int, rounds: int) -> list[tuple[str, str, str]]:
    from feetui.db.connection import close_db, open_db
    from feetui.i18n import format_datetime
    from feetui.services.container import Services
    from feetui.services.report_export import daily_table, shift_table, to_text, write_xlsx
    from feetui.services.reports import build_daily_report, build_shift_report
    from feetui.services.shifts import get_drawer_cash, preview_close
    from tests.builders import make_ledger
    from tests.shift_builders import close

    folder = Path(tempfile.mkdtemp(prefix="bench-shifts-"))
    path = folder / "counter.sqlite3"
    clock = FixedClock(datetime(2026, 11, 23, 1, 30, tzinfo=UTC))
    database = await open_db(path, clock=clock)
    rows: list[tuple[str, str, str]] = []
    try:
        svc = Services.build(Settings(db_path=str(path)), database, clock=clock)
        ledger = await make_ledger(svc)
        start = time.perf_counter()
        await _busy_shift(ledger, payments)
        print(f"built {payments} payments in {time.perf_counter() - start:.1f} s", file=sys.stderr)
        shift_id = ledger.shift.shift_id
        drawer = await get_drawer_cash(svc, shift_id=shift_id)
        counts = {"n100": drawer.expected.fen // 10_000, "c01": drawer.expected.fen % 10_000 // 10}

        async def export_xlsx() -> None:
            report = await build_daily_report(svc, business_date=DAY)
            await asyncio.to_thread(write_xlsx, daily_table(report), folder / "daily.xlsx")

        async def shift_text() -> str:
            report = await build_shift_report(svc, shift_id=shift_id)
            return to_text(shift_table(report, fmt_time=lambda t: format_datetime(t, svc.tz)))

        jobs = {
            "running expected cash": lambda: get_drawer_cash(svc, shift_id=shift_id),
            "close preview (blind count)": lambda: preview_close(
                svc, shift_id=shift_id, counts=counts
            ),
            "shift report": lambda: build_shift_report(svc, shift_id=shift_id),
            "shift report as text": shift_text,
            "daily report (site)": lambda: build_daily_report(svc, business_date=DAY),
            "daily report to xlsx": export_xlsx,
        }
        for name, job in jobs.items():
            p50, p99 = await _timed(rounds, job)
            rows.append((name, f"{p50:.1f}", f"{p99:.1f}"))
        start = time.perf_counter()
        await close(ledger, counts)
        closed = (time.perf_counter() - start) * 1000
        rows.append(("close_shift (once)", f"{closed:.1f}", "—"))
    finally:
        await close_db(database)
    return rows


def main() -> int:
    """Parse the options, run, print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--payments", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    rows = asyncio.run(run(args.payments, args.rounds))
    print(f"| {args.payments} payments | p50 ms | p99 ms |\n| --- | --- | --- |")
    for name, p50, p99 in rows:
        print(f"| {name} | {p50} | {p99} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
