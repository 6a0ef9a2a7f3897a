"""Benchmark the counter app: cold start to the sign-in screen, and keystroke-to-results latency.

    PYTHONPATH=. python scripts/bench_ui.py [--runs 7] [--units 100000] [--db PATH]

1. Cold start: a fresh Python process per run imports and starts the app headless until the
   sign-in screen is up, on an existing database; beside it, the same for a minimal Textual app
   (one Label). Runs alternate between the two so machine noise hits both alike. Reported: the
   median and the best of each, and feetui's median over the minimal app's. The database opens
   in the background after that first frame; when it is open (a PIN typed by then is answered at
   once) is reported too, from the same runs.
2. Search latency: the app runs headless (Pilot) on a database of ``--units`` units (built here
   with the search index's bulk path unless ``--db`` names one), a cashier signs in, and for each
   query the last keystroke is timed until the results for that query are in the list. p50/p99.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

FEETUI_CHILD = """
import sys, time
from feetui.config import Settings
from feetui.app import make_app
from feetui.screens.sign_in import SignInScreen

async def ready(pilot):
    while not isinstance(pilot.app.screen, SignInScreen) or not pilot.app.screen.is_mounted:
        await pilot.pause()
    print(f"READY {time.time():.6f}", flush=True)
    await pilot.app.wait_for_store()
    print(f"STORE {time.time():.6f}", flush=True)
    pilot.app.exit()

make_app(Settings(db_path=sys.argv[1], printer="none")).run(headless=True, auto_pilot=ready)
"""

MINIMAL_CHILD = """
import time
from textual.app import App
from textual.widgets import Label

class Minimal(App):
    def compose(self):
        yield Label("hello")

async def ready(pilot):
    await pilot.pause()
    print(f"READY {time.time():.6f}", flush=True)
    pilot.app.exit()

Minimal().run(headless=True, auto_pilot=ready)
"""

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国红梅志强文"


def cold_start(code: str, args: list[str]) -> dict[str, float]:
    """Seconds from spawning the process to each mark the child prints (``READY``: the first
    ready screen; ``STORE``: feetui's database open)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    started = time.time()
    out = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, cwd=ROOT
    )
    marks = {}
    for line in out.stdout.splitlines():
        name, _, stamp = line.partition(" ")
        if name in ("READY", "STORE"):
            marks[name] = float(stamp) - started
    if "READY" not in marks:
        raise RuntimeError(f"child did not get ready: {out.stderr[-2000:]}")
    return marks


def make_database(path: Path, units: int, seed: int = 7) -> None:
    """A migrated database with ``units`` units, owners, phones, a cashier (1001/1234), indexed."""
    from feetui.clock import FixedClock
    from feetui.core.pin import hash_pin
    from feetui.db.connection import close_db, open_db
    from feetui.db.search_index import index_units_sqlite

    async def migrate() -> None:
        await close_db(await open_db(path, clock=FixedClock()))

    asyncio.run(migrate())
    rng = random.Random(seed)
    connection = sqlite3.connect(path)
    with connection:
        connection.execute("INSERT INTO site (id, code, name) VALUES ('site-1', 'B1', '基准小区')")
        connection.execute(
            "INSERT INTO user (id, code, name, role, pin_hash, active) "
            "VALUES ('user-1', '1001', '收费员', 'cashier', ?, 1)",
            [hash_pin("1234", salt=b"bench-salt-1001")],
        )
        parties, rows = [], []
        for n in range(units):
            building, rest = divmod(n, 400)
            entrance, room_index = divmod(rest, 100)
            floor, door = divmod(room_index, 4)
            room = f"{floor + 1}{door + 1:02d}"
            code = f"{building + 1}-{entrance + 1}-{room}"
            name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)[: rng.randint(0, 1)]
            phone = f"13{rng.randint(100000000, 999999999)}"
            parties.append((f"p{n}", "site-1", name, phone, "owner"))
            rows.append(
                (
                    f"u{n}",
                    "site-1",
                    code,
                    str(building + 1),
                    str(entrance + 1),
                    floor + 1,
                    room,
                    8950,
                    "residential",
                    f"p{n}",
                    name,
                    phone[-4:],
                )
            )
        connection.executemany(
            "INSERT INTO party (id, site_id, name, phone, kind) VALUES (?, ?, ?, ?, ?)", parties
        )
        connection.executemany(
            "INSERT INTO unit (id, site_id, code, building, entrance, floor, room, area_centi_m2, "
            "kind, owner_id, owner_name, phone_tail, tags, owner_initials, plates, active) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', '', '', 1)",
            rows,
        )
        index_units_sqlite(connection, None)
    connection.close()


QUERIES = ("3-2-1502", "120-3-401", "1502", "王芳", "李", "zsf", "wf", "5678", "88", "2-1")


async def search_latency(path: Path, rounds: int) -> list[float]:
    """Milliseconds from the last keystroke of a query to its results in the list."""
    from feetui.app import make_app
    from feetui.config import Settings
    from feetui.widgets.unit_search import UnitSearch

    app = make_app(Settings(db_path=str(path), printer="none", idle_lock_minutes=0))
    timings: list[float] = []
    shown: dict[str, asyncio.Event] = {}

    def hook(message: object) -> None:
        # The search widget announces each query whose results are in the list.
        if isinstance(message, UnitSearch.Searched) and message.query in shown:
            shown[message.query].set()

    async with app.run_test(size=(120, 40), message_hook=hook) as pilot:
        await pilot.press(*"1001", "enter", *"1234", "enter")
        while type(app.screen).__name__ not in ("LookupScreen", "ShiftOpenScreen"):
            await pilot.pause()
        if type(app.screen).__name__ == "ShiftOpenScreen":
            await pilot.press("f9")
            while type(app.screen).__name__ != "LookupScreen":
                await pilot.pause()
        box = app.screen.query_one(UnitSearch).query_one("#unit-search-input")
        for round_no in range(rounds):
            query = QUERIES[round_no % len(QUERIES)]
            box.value = query[:-1]
            box.cursor_position = len(box.value)  # the next key goes at the end, as typed
            # The box selects its text on focus: put the cursor after the text, nothing selected,
            # so the last key is typed at the end (as a cashier's would be).
            box.action_end()
            await app.workers.wait_for_complete()
            await pilot.pause()
            shown.clear()
            shown[query] = asyncio.Event()
            started = time.perf_counter()
            # Pilot's press() also waits for the screen to settle (~60 ms of its own): the clock
            # stops when the results are in the list, whatever press() is still waiting for.
            typing = asyncio.ensure_future(pilot.press(query[-1]))
            await shown[query].wait()
            timings.append((time.perf_counter() - started) * 1000)
            await typing
    return timings


def percentile(values: list[float], share: float) -> float:
    """The ``share`` percentile (0..1) by nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def main() -> int:
    """Run both benchmarks and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="cold starts of each app")
    parser.add_argument("--units", type=int, default=100_000, help="units in the search database")
    parser.add_argument("--rounds", type=int, default=200, help="timed searches")
    parser.add_argument("--db", help="an existing database to search (skips building one)")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="feetui-bench-ui-"))
    small = folder / "start.sqlite3"
    make_database(small, 10)
    feetui_runs, store_runs, minimal_runs = [], [], []
    for _ in range(args.runs):
        marks = cold_start(FEETUI_CHILD, [str(small)])
        feetui_runs.append(marks["READY"])
        store_runs.append(marks["STORE"])
        minimal_runs.append(cold_start(MINIMAL_CHILD, [])["READY"])
    f_med, m_med = statistics.median(feetui_runs), statistics.median(minimal_runs)
    s_med = statistics.median(store_runs)
    print(f"cold start, {args.runs} runs each (median / best):")
    print(f"  feetui sign-in screen  {f_med:.3f} s / {min(feetui_runs):.3f} s")
    print(f"  minimal Textual app    {m_med:.3f} s / {min(minimal_runs):.3f} s")
    print(f"  ratio of medians       {f_med / m_med:.2f}x")
    print(f"  feetui database open   {s_med:.3f} s / {min(store_runs):.3f} s (after the frame)")

    big = Path(args.db) if args.db else folder / "search.sqlite3"
    if not args.db:
        started = time.perf_counter()
        make_database(big, args.units)
        print(f"built {args.units} units in {time.perf_counter() - started:.1f} s")
    timings = asyncio.run(search_latency(big, args.rounds))
    print(f"keystroke to results, {len(timings)} searches on {big.name}:")
    print(
        f"  p50 {percentile(timings, 0.5):.1f} ms  p99 {percentile(timings, 0.99):.1f} ms  "
        f"max {max(timings):.1f} ms"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
