"""The one-folder binaries build and work (issue 6: CI builds the binary and self-checks it).

One test on purpose: the PyInstaller build is the expensive part (a minute or two for both
folders on a quiet 2-core machine), so it is done once and every command is run on its result:
the counter's ``--version``, ``demo-data`` and ``self-check``, the server's ``migrate``,
``enroll`` and ``serve``, and the counter enrolling with that server and syncing, binary to
binary. Deselect it while iterating with ``-m "not binary"``.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pypdf import PdfReader

from feetui import __version__

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import build  # noqa: E402  (scripts/build.py: not a package)


def clean_env(**extra: str) -> dict[str, str]:
    """The environment of a PC with no Python: no PYTHONPATH, no developer settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "SYNC_SERVER_"))}
    return dict(env, **extra)


def run(exe: Path, *args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """Run a built binary from another folder and return what it did."""
    command = [str(exe), *args]
    return subprocess.run(
        command, capture_output=True, text=True, cwd=cwd, env=clean_env(**env), timeout=300
    )


def ok(result: subprocess.CompletedProcess[str]) -> str:
    """The output of a command that must have succeeded."""
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_listening(process: subprocess.Popen[str], port: int, timeout: float = 120.0) -> None:
    """Return once something accepts connections on ``port``; fail if the server exits first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            pass
        try:
            process.wait(timeout=0.1)  # the readiness poll's pause; returns at once if it died
        except subprocess.TimeoutExpired:
            continue
        output = process.stdout.read() if process.stdout else ""
        raise AssertionError(f"the server exited ({process.returncode}): {output}")
    raise AssertionError(f"nothing listened on port {port} after {timeout} s")


def check_counter(exe: Path, tmp: Path) -> None:
    """``--version``, ``demo-data`` and ``self-check`` of the built counter."""
    assert ok(run(exe, "--version", cwd=tmp)).strip() == f"feetui {__version__}"
    db, receipt, notice = tmp / "counter.sqlite3", tmp / "receipt.bin", tmp / "notice.pdf"
    demo = ok(run(exe, "--lang", "en_US", "demo-data", "--db", str(db), "--units", "50", cwd=tmp))
    assert "1001" in demo  # the demo cashier's code is printed
    out = ok(
        run(exe, "self-check", "--db", str(db), "--receipt", str(receipt), "--notice", str(notice),
            cwd=tmp)
    )  # fmt: skip
    assert "(binary)" in out
    assert f"{db}: " in out
    assert " 50 units" in out
    assert out.rstrip().endswith("OK")
    assert "壹佰贰拾叁元整".encode("gb18030") in receipt.read_bytes()
    # The built counter draws reminder notices: reportlab and its CID font data came along.
    (page,) = PdfReader(notice).pages
    assert "催缴通知单" in page.extract_text() and "壹佰贰拾叁元整" in page.extract_text()
    reminders = ok(run(exe, "report", "reminders", "--db", str(db), "--out", "n.pdf", cwd=tmp))
    assert "n.pdf" in reminders
    assert len(PdfReader(tmp / "n.pdf").pages) >= 1  # the demo community owes something


def check_enrol_and_sync(counter: Path, server: Path, tmp: Path) -> None:
    """The built server migrates and serves; the built counter enrols with it and syncs."""
    hq = {"SYNC_SERVER_DB": f"sqlite:///{tmp / 'hq.sqlite3'}"}
    assert ok(run(server, "--version", cwd=tmp)).strip() == f"sync-server {__version__}"
    ok(run(server, "migrate", cwd=tmp, **hq))
    ok(run(server, "sites", "add", "LJY", "绿景苑", cwd=tmp, **hq))
    code = ok(run(server, "enroll", "--site", "LJY", "--name", "window-1", cwd=tmp, **hq))
    code = code.splitlines()[0].split()[-1]
    port = free_port()
    serving = subprocess.Popen(
        [str(server), "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=tmp,
        env=clean_env(**hq),
    )
    try:
        wait_until_listening(serving, port)
        url, db = f"http://127.0.0.1:{port}", str(tmp / "enrolled.sqlite3")
        enrolled = ok(run(counter, "enroll", "--db", db, "--server", url, "--code", code, cwd=tmp))
        assert "绿景苑" in enrolled
        synced = ok(run(counter, "--lang", "en_US", "sync", "--once", "--db", db, cwd=tmp))
        assert "Pushed 0 records" in synced  # nothing taken yet; the pull brought the site
        assert "Pulled " in synced
    finally:
        serving.terminate()
        serving.wait(timeout=30)


@pytest.mark.binary
@pytest.mark.timeout(1800)
def test_built_binaries_self_check_and_sync_with_each_other(tmp_path: Path) -> None:
    dist, work, elsewhere = tmp_path / "dist", tmp_path / "build", tmp_path / "elsewhere"
    elsewhere.mkdir()
    sizes = build.build(list(build.APPS), dist, work, quiet=True)
    counter = build.executable(dist, "feetui")

    check_counter(counter, elsewhere)
    check_enrol_and_sync(counter, build.executable(dist, "sync-server"), elsewhere)

    # The counter's folder carries the compiled catalogs and only the babel locales we use.
    internal = dist / "feetui" / "_internal"
    catalogs = sorted(p.parent.parent.name for p in internal.glob("feetui/locale/*/*/*.mo"))
    assert catalogs == ["en_US", "zh_CN"]
    assert not list(internal.glob("feetui/locale/*/*/*.po"))
    assert {p.stem for p in (internal / "babel" / "locale-data").iterdir()} <= build.BABEL_KEEP
    assert sizes["feetui"] < 80_000_000
