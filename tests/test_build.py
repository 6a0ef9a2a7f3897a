"""The one-folder binary builds and passes its own self-check (issue 6: CI builds and runs it).

One test on purpose: the PyInstaller build is the expensive part (about a minute on a quiet
2-core machine), so it is done once and every command is run on its result. Deselect it while
iterating with ``-m "not binary"``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from feetui import __version__

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import build  # noqa: E402  (scripts/build.py: not a package)


def run_binary(exe: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run the built binary the way a counter PC would: no PYTHONPATH, from another folder."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    return subprocess.run(
        [str(exe), *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=300
    )


@pytest.mark.binary
@pytest.mark.timeout(1500)
def test_built_counter_binary_starts_and_passes_its_self_check(tmp_path: Path) -> None:
    dist, work, elsewhere = tmp_path / "dist", tmp_path / "build", tmp_path / "elsewhere"
    elsewhere.mkdir()
    sizes = build.build(["feetui"], dist, work, quiet=True)
    exe = build.executable(dist, "feetui")
    db, receipt = tmp_path / "counter.sqlite3", tmp_path / "receipt.bin"

    version = run_binary(exe, "--version", cwd=elsewhere)
    assert (version.returncode, version.stdout.strip()) == (0, f"feetui {__version__}")

    check = run_binary(exe, "self-check", "--db", str(db), "--receipt", str(receipt), cwd=elsewhere)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "(binary)" in check.stdout
    assert check.stdout.rstrip().endswith("OK")
    assert "壹佰贰拾叁元整".encode("gb18030") in receipt.read_bytes()

    # The folder carries the compiled catalogs and only the babel locales we use.
    internal = dist / "feetui" / "_internal"
    assert sorted(p.parent.parent.name for p in internal.glob("feetui/locale/*/*/*.mo")) == [
        "en_US",
        "zh_CN",
    ]
    assert not list(internal.glob("feetui/locale/*/*/*.po"))
    assert {p.stem for p in (internal / "babel" / "locale-data").iterdir()} <= build.BABEL_KEEP
    assert sizes["feetui"] < 80_000_000
