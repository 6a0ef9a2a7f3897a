"""``scripts/run.sh``'s orchestration, headless, with a real ``sync-server`` child on 127.0.0.1.

The first run builds a 30-unit demo, has HQ adopt it, enrols the counter and does one sync round
(``--no-app``); the second reuses the folder; ``--serve`` stops its server on Ctrl+C. Each run
must leave no server process behind. The server runs on the real clock (a real process).
"""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]
RUN_SECONDS = 120


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FEETUI_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, (str(PROJECT), env.get("PYTHONPATH"))))
    return env


def _orchestrate(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    argv = [sys.executable, "-m", "feetui.commands.demo_run", "--dir", str(folder),
            "--units", "30", "--lang", "en_US", *args]  # fmt: skip
    return subprocess.run(
        argv, env=_env(), capture_output=True, text=True, timeout=RUN_SECONDS, check=False
    )


def _server_pid(output: str) -> int:
    found = re.search(r"Sync server \(pid (\d+)\) stopped\.", output)
    assert found, output
    return int(found.group(1))


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def _count(path: Path, sql: str) -> int:
    with sqlite3.connect(path) as conn:
        return int(conn.execute(sql).fetchone()[0])


@pytest.fixture(scope="module")
def first_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The folder after a first headless run, and what it printed."""
    folder = tmp_path_factory.mktemp("run") / "demo"
    done = _orchestrate(folder, "--no-app")
    assert done.returncode == 0, done.stdout + done.stderr
    return folder, done.stdout


def test_first_run_builds_adopts_enrols_and_pushes_then_stops_its_server(
    first_run: tuple[Path, str],
) -> None:
    folder, out = first_run
    assert "Building the demo community (30 units), once" in out
    for line in ("Cashier: code 1001, PIN 1234", "Supervisor: code 8001, PIN 8888"):
        assert line in out
    assert f"Demo files in {folder}:" in out and f"To start over, delete {folder}." in out
    counter, hq = folder / "counter.sqlite3", folder / "hq.sqlite3"
    journal = _count(counter, "SELECT count(*) FROM journal_entry")
    assert f"Pushed {journal} records: {journal} new" in out
    assert _count(hq, "SELECT count(*) FROM journal") == journal > 0
    assert _count(counter, "SELECT count(*) FROM outbox WHERE acked_at IS NULL") == 0
    # HQ adopted the counter's site: the pull stepped nothing aside.
    assert _count(counter, "SELECT count(*) FROM site WHERE code = 'DEMO01'") == 1
    assert _count(counter, "SELECT count(*) FROM unit WHERE active = 0 OR code LIKE '%~%'") == 0
    assert _count(hq, "SELECT count(*) FROM exceptions WHERE kind = 'late'") == 0
    assert _count(counter, "SELECT count(*) FROM device WHERE sync_token <> ''") == 1
    for name in ("ready.json", "sync-server.log", "setup.log"):
        assert (folder / name).is_file(), name
    # HQ's set-up commands spoke the demo's language too (their log is for the person running it).
    log = (folder / "setup.log").read_text(encoding="utf-8")
    assert "site DEMO01 adopted (" in log and "enrolment code for " in log, log
    assert _gone(_server_pid(out))


def test_second_run_reuses_the_demo(first_run: tuple[Path, str]) -> None:
    folder, _ = first_run
    device = _count(folder / "hq.sqlite3", "SELECT count(*) FROM devices")
    done = _orchestrate(folder, "--no-app")
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"Reusing the demo in {folder}" in done.stdout
    assert "--units applies to a new demo only." in done.stdout
    assert "Building" not in done.stdout and "adopts" not in done.stdout
    assert "Cashier: code 1001, PIN 1234" in done.stdout
    assert "Pushed 0 records" in done.stdout
    assert _count(folder / "hq.sqlite3", "SELECT count(*) FROM devices") == device == 1
    assert _gone(_server_pid(done.stdout))


def test_serve_stops_its_server_on_ctrl_c_even_when_started_with_it_ignored(
    first_run: tuple[Path, str],
) -> None:
    folder, _ = first_run
    argv = [sys.executable, "-m", "feetui.commands.demo_run", "--dir", str(folder),
            "--lang", "en_US", "--serve"]  # fmt: skip
    # A shell starts a background job with SIGINT ignored; Ctrl+C must still stop the demo.
    child = subprocess.Popen(
        argv, env=_env(), stdout=subprocess.PIPE, text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
    )  # fmt: skip
    assert child.stdout is not None
    deadline = time.monotonic() + RUN_SECONDS
    lines = []
    try:
        while time.monotonic() < deadline:
            line = child.stdout.readline()
            assert line, "".join(lines)
            lines.append(line)
            if "runs until Ctrl+C" in line:
                break
        pid = int(re.search(r"\(pid (\d+)\)", "".join(lines)).group(1))  # type: ignore[union-attr]
        assert not _gone(pid)
        child.send_signal(signal.SIGINT)
        rest, _ = child.communicate(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == 130
    assert _server_pid(rest) == pid and _gone(pid)


def test_a_folder_that_cannot_be_made_stops_the_demo_with_its_reason(tmp_path: Path) -> None:
    taken = tmp_path / "demo"
    taken.write_text("not a folder", encoding="utf-8")
    done = _orchestrate(taken, "--no-app")
    assert done.returncode == 1
    assert done.stderr.startswith("The demo stopped: ") and "Traceback" not in done.stderr
    assert "Starting the sync server" not in done.stdout
