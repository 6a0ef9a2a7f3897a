"""Footprint of the one-folder binary beside the same app from source, in one run (issue 6).

    python scripts/bench_binary.py [--rounds 7] [--db BIG.sqlite3 | --units 100000] [--build]

Measures, on Linux (the run needs a pseudo-terminal and /proc):

* cold start to the sign-in screen: each app is started in an 80×24 pseudo-terminal and timed
  until the sign-in screen's text has been drawn, the way a cashier sees it; the binary and the
  source run alternate so machine noise falls on both; median of ``--rounds``, after one warm-up
  each. Target: binary within 1.1× of source.
* resident memory with a 100,000-unit database open: the app is started on that database (a
  shift is opened for the demo cashier beforehand if none is), the cashier signs in and
  searches, and ``VmRSS``/``VmHWM`` are read from /proc. Target under 150 MB.
* the folder's size. Target under 80 MB.

The binary is ``dist/feetui/feetui`` (``--build`` makes it first); the source run is
``python -m feetui`` from this checkout.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import re
import select
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

import build  # noqa: E402  (scripts/build.py)

# Escape sequences (CSI, OSC, two-byte ESC x) removed before looking for text on the screen.
_ANSI = re.compile(rb"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")


@dataclass
class Terminal:
    """A program running in a pseudo-terminal of a given size, with its output kept."""

    process: subprocess.Popen[bytes]
    master: int
    started: float
    screen: bytes = b""
    mark: int = 0

    @classmethod
    def start(cls, command: Sequence[str], env: dict[str, str], size: tuple[int, int]) -> Terminal:
        """Start ``command`` on a new pseudo-terminal of ``size`` (columns, rows)."""
        master, slave = pty.openpty()
        columns, rows = size
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        started = time.perf_counter()
        process = subprocess.Popen(
            list(command),
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            cwd=tempfile.gettempdir(),
            start_new_session=True,
        )
        os.close(slave)
        return cls(process, master, started)

    def wait_for(self, *texts: str, timeout: float = 60.0) -> tuple[str, float]:
        """Wait until one of ``texts`` is drawn after the last :meth:`type`.

        Returns:
            The text that appeared and the seconds since the program started.

        Raises:
            TimeoutError: none appeared (the last screenful is in the message).
        """
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            ready, _, _ = select.select([self.master], [], [], 0.05)
            if ready:
                try:
                    self.screen += os.read(self.master, 65536)
                except OSError:
                    break
                shown = _ANSI.sub(b"", self.screen[self.mark :]).decode(errors="replace")
                for text in texts:
                    if text in shown:
                        return text, time.perf_counter() - self.started
        shown = _ANSI.sub(b"", self.screen)[-600:].decode(errors="replace")
        raise TimeoutError(f"{texts!r} never appeared; last output: {shown!r}")

    def type(self, keys: str, settle: float = 0.5) -> None:
        """Type ``keys`` as a keyboard would, then give the app ``settle`` seconds to react.

        Later :meth:`wait_for` calls look only at what is drawn from now on.
        """
        self.mark = len(self.screen)
        os.write(self.master, keys.encode())
        time.sleep(settle)

    def memory_kb(self) -> tuple[int, int]:
        """``(VmRSS, VmHWM)`` of the program in KiB."""
        fields = {}
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            name, _, value = line.partition(":")
            fields[name] = value.strip()
        return int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0])

    def stop(self) -> None:
        """Quit (Ctrl+Q), then end the process group if it lingers."""
        self.type("\x11")
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        os.close(self.master)


@dataclass(frozen=True)
class Runner:
    """How to start one side of the comparison."""

    name: str
    command: tuple[str, ...]
    env: dict[str, str]


def runners(dist: Path, home: Path) -> list[Runner]:
    """The binary and the source app, with the same clean environment and settings."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("FEETUI_", "PYTHON"))}
    base.update(
        TERM="xterm-256color",
        COLORTERM="truecolor",
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_DATA_HOME=str(home / "data"),
        XDG_CACHE_HOME=str(home / "cache"),
    )
    source_env = dict(base, PYTHONPATH=str(ROOT))
    return [
        Runner("binary", (str(build.executable(dist, "feetui")),), base),
        Runner("source", (sys.executable, "-m", "feetui"), source_env),
    ]


def first_frame(runner: Runner, db: Path, marker: str) -> float:
    """Seconds from exec to the sign-in screen's ``marker`` text on the terminal."""
    terminal = Terminal.start([*runner.command, "--db", str(db)], runner.env, (80, 24))
    try:
        return terminal.wait_for(marker)[1]
    finally:
        terminal.stop()


def bench_start(rs: list[Runner], db: Path, marker: str, rounds: int) -> dict[str, list[float]]:
    """Alternate binary and source starts; one warm-up each is not counted."""
    times: dict[str, list[float]] = {r.name: [] for r in rs}
    for runner in rs:
        first_frame(runner, db, marker)
    for _ in range(rounds):
        for runner in rs:
            times[runner.name].append(first_frame(runner, db, marker))
    return times


def bench_memory(runner: Runner, db: Path, session: Session) -> dict[str, float]:
    """Memory at the sign-in screen, and after signing in and searching (a shift is open)."""
    terminal = Terminal.start([*runner.command, "--db", str(db)], runner.env, (80, 24))
    try:
        opened = terminal.wait_for(session.sign_in, timeout=120)[1]
        at_sign_in = terminal.memory_kb()
        terminal.type(session.code + "\r")
        terminal.type(session.pin + "\r")
        terminal.wait_for(session.lookup, timeout=120)
        terminal.type(session.query)
        terminal.wait_for(session.result, timeout=120)
        after_search = terminal.memory_kb()
    finally:
        terminal.stop()
    return {
        "open_s": opened,
        "rss_sign_in_mb": at_sign_in[0] / 1024,
        "rss_search_mb": after_search[0] / 1024,
        "peak_mb": after_search[1] / 1024,
    }


def ensure_open_shift(db: Path, cashier_code: str) -> None:
    """Open a shift for the demo cashier unless one is open, so sign-in leads to the lookup.

    Through the ledger's own ``open_shift`` (zero float): the shift-open and handover screens
    are the shifts' to measure, not this footprint run's.
    """
    import asyncio

    from feetui.config import Settings
    from feetui.db.connection import close_db, open_db
    from feetui.db.models import User
    from feetui.services.container import Services
    from feetui.services.counter import find_open_shift
    from feetui.services.shifts import open_shift

    async def run() -> None:
        database = await open_db(db)
        try:
            svc = Services.build(Settings(db_path=str(db)), database)
            if await find_open_shift(svc) is None:
                cashier = await User.get(code=cashier_code)
                await open_shift(
                    svc, shift_id=svc.ids.new_str(), cashier_id=cashier.id, opening_counts={}
                )
        finally:
            await close_db(database)

    asyncio.run(run())


@dataclass(frozen=True)
class Session:
    """What the memory run types and waits for: the demo community's first cashier."""

    sign_in: str
    lookup: str
    code: str = "1001"
    pin: str = "1234"
    query: str = "1502"
    result: str = "-1502"
    """Only a result row shows this (the search box shows the query without the dash)."""


def ensure_database(args: argparse.Namespace, work: Path) -> Path:
    """The big database: ``--db`` as given, or one built with ``feetui demo-data --units N``."""
    if args.db:
        return Path(args.db)
    path = work / f"demo-{args.units}.sqlite3"
    if not path.exists():
        print(f"building a {args.units:,}-unit demo database at {path} ...", flush=True)
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        command = [sys.executable, "-m", "feetui", "demo-data", "--db", str(path)]
        subprocess.run([*command, "--units", str(args.units)], check=True, env=env)
    return path


def folder_size(dist: Path) -> tuple[float, float]:
    """(apparent MB, MB on disk per ``du``) of the binary's folder."""
    apparent = build.folder_size(dist / "feetui") / 1e6
    du = subprocess.run(["du", "-sk", str(dist / "feetui")], capture_output=True, text=True)
    return apparent, int(du.stdout.split()[0]) * 1024 / 1e6


def main(argv: list[str] | None = None) -> int:
    """Run every measurement and print the figures for BENCHMARKS.md."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--dist", type=Path, default=ROOT / "dist")
    parser.add_argument("--build", action="store_true", help="build dist/feetui first")
    parser.add_argument("--db", help="an existing big counter database (skips demo-data)")
    parser.add_argument("--units", type=int, default=100_000)
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "bench")
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    if args.build or not build.executable(args.dist, "feetui").exists():
        build.build(["feetui"], args.dist.resolve(), (ROOT / "build").resolve(), quiet=True)
    report(args)
    return 0


def report(args: argparse.Namespace) -> None:
    """Measure and print."""
    from feetui import __version__

    session = demo_session()
    home = Path(tempfile.mkdtemp(prefix="feetui-bench-"))
    try:
        rs = runners(args.dist, home)
        small = home / "small.sqlite3"
        first_frame(rs[1], small, session.sign_in)  # creates and migrates it once
        times = bench_start(rs, small, session.sign_in, args.rounds)
        big = ensure_database(args, args.work)
        ensure_open_shift(big, session.code)
        memory = {r.name: bench_memory(r, big, session) for r in rs}
    finally:
        shutil.rmtree(home, ignore_errors=True)
    apparent, on_disk = folder_size(args.dist)
    print(f"feetui {__version__}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")
    binary, source = (statistics.median(times[name]) for name in ("binary", "source"))
    for name, samples in times.items():
        print(f"first sign-in frame, {name}: median {statistics.median(samples):.3f} s "
              f"(min {min(samples):.3f}, max {max(samples):.3f}, {len(samples)} runs)")  # fmt: skip
    print(f"binary / source: {binary / source:.2f}× (target ≤ 1.10×)")
    for name, figures in memory.items():
        print(f"{big.name} ({name}): sign-in frame in {figures['open_s']:.2f} s; RSS at sign-in "
              f"{figures['rss_sign_in_mb']:.0f} MB, after a search {figures['rss_search_mb']:.0f} "
              f"MB, peak {figures['peak_mb']:.0f} MB (target < 150 MB)")  # fmt: skip
    print(f"folder dist/feetui: {apparent:.1f} MB of files, {on_disk:.1f} MB on disk (< 80 MB)")


def demo_session() -> Session:
    """The screen titles the memory run waits for, in zh_CN (the default language)."""
    from feetui.i18n import _, set_language

    set_language("zh_CN")
    return Session(
        sign_in=_("Fee counter"),
        lookup=_("Find a unit"),
    )


if __name__ == "__main__":
    raise SystemExit(main())
