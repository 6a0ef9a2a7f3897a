"""Benchmark printing: render time per document and width, and how long a dead printer blocks.

    PYTHONPATH=. python scripts/bench_printing.py [--rounds 200] [--notices 1000]

Prints p50/p99 of rendering each sample document (layout + ESC/POS bytes) at 32/42/48 columns,
and the wall time of sending a receipt to a loopback printer that works, refuses the connection,
stalls (accepts and never answers) or hangs up mid-job, with the default 2 s timeout. The promise
checked: no failure blocks the print worker for more than about 2 s. Then the A4 PDF of
reminder notices: the first one (reportlab's import included), and a file of ``--notices`` of them
(three charges each), per notice and in all.
"""

from __future__ import annotations

import argparse
import socket
import statistics
import time

from feetui.printing import PrintFailure, PrintProfile, render_document, send
from feetui.printing.devices import DEFAULT_TIMEOUT
from tests.printing.fake_printer import FakePrinter
from tests.printing.samples import DOCUMENTS


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def bench_render(rounds: int) -> None:
    """Time layout + rendering of every sample document at every width."""
    print(f"render (layout + ESC/POS), {rounds} rounds each: p50 / p99 ms, bytes")
    for name, build in DOCUMENTS.items():
        for columns in (32, 42, 48):
            profile = PrintProfile(columns=columns)
            doc = build()
            times = []
            for _ in range(rounds):
                start = time.perf_counter()
                data = render_document(doc, profile)
                times.append((time.perf_counter() - start) * 1000)
            p50, p99 = _percentiles(times)
            print(f"  {name:24} {columns}: {p50:6.2f} / {p99:6.2f}  {len(data)} B")


def _time_send(uri: str, data: bytes) -> tuple[float, str]:
    start = time.perf_counter()
    try:
        send(uri, data, DEFAULT_TIMEOUT)
        outcome = "printed"
    except PrintFailure as failure:
        outcome = failure.code
    return time.perf_counter() - start, outcome


def bench_failures() -> None:
    """Time one receipt against each kind of loopback printer."""
    data = render_document(DOCUMENTS["receipt"](), PrintProfile(columns=32))
    print(f"send one receipt ({len(data)} B), timeout {DEFAULT_TIMEOUT} s: seconds, outcome")
    with socket.create_server(("127.0.0.1", 0)) as server:
        refused = f"tcp://127.0.0.1:{server.getsockname()[1]}"
    seconds, outcome = _time_send(refused, data)
    print(f"  {'refused':8} {seconds:6.3f}  {outcome}")
    for mode in ("ok", "stall", "drop"):
        fake = FakePrinter(mode=mode, drop_after=100)
        try:
            seconds, outcome = _time_send(fake.uri, data)
        finally:
            fake.close()
        print(f"  {mode:8} {seconds:6.3f}  {outcome}")


def bench_pdf(count: int) -> None:
    """Time drawing reminder notices as one A4 PDF."""
    from feetui.printing.pdf_notice import render_notices
    from tests.printing.test_pdf_notice import notice

    start = time.perf_counter()
    render_notices([notice("1-1-101", "张三丰", [22_375, 30_000, 4_500])])
    print(f"first PDF notice, reportlab import included: {time.perf_counter() - start:.3f} s")
    sheets = [notice(f"1-1-{n}", "张三丰", [22_375 + n, 30_000, 4_500]) for n in range(count)]
    start = time.perf_counter()
    data = render_notices(sheets)
    seconds = time.perf_counter() - start
    print(f"  {count} notices: {seconds:.2f} s, {seconds / count * 1000:.1f} ms each, "
          f"{len(data) / 1e6:.2f} MB")  # fmt: skip


def main() -> None:
    """Run the benchmarks."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--notices", type=int, default=1000)
    args = parser.parse_args()
    start = time.perf_counter()
    render_document(DOCUMENTS["receipt"](), PrintProfile())
    print(f"first render, python-escpos import included: {time.perf_counter() - start:.3f} s")
    bench_render(args.rounds)
    bench_failures()
    bench_pdf(args.notices)


if __name__ == "__main__":
    main()
