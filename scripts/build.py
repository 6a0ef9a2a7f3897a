"""Build the one-folder binaries: the counter (dist/feetui/) and the server (dist/sync-server/).

    python scripts/build.py                       # both, then a smoke run of each --version
    python scripts/build.py --app feetui          # only the counter
    python scripts/build.py --dist /tmp/out       # somewhere else

Needs the ``build`` extra (``pip install -e '.[build]'``: pyinstaller). The folder is what a
counter PC gets: copy it, run ``feetui`` (``feetui.exe`` on Windows) inside it. One folder, not
one file: a single-file build unpacks itself into a temporary folder at every launch (seconds on
an old PC), a folder starts as fast as from source. What goes into it is in scripts/binary.spec.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "scripts" / "binary.spec"
APPS = ("feetui", "sync-server")
# babel loads <locale>.dat and every parent up to root.dat; zh_CN resolves to zh_Hans_CN and
# en_US to en_US. The other ~1,000 files (30 MB) are never read by us.
BABEL_KEEP = frozenset({"root", "en", "en_US", "zh", "zh_Hans", "zh_Hans_CN"})


def executable(dist: Path, app: str) -> Path:
    """The launcher inside the built folder of ``app`` (``.exe`` on Windows)."""
    suffix = ".exe" if sys.platform == "win32" else ""
    return dist / app / f"{app}{suffix}"


def folder_size(path: Path) -> int:
    """Bytes of every file under ``path`` (symlinks not followed, counted once)."""
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())


def warn_without_libusb() -> None:
    """Say so when this machine has no libusb: the folder then cannot drive ``usb:`` printers."""
    import ctypes.util

    if not any(ctypes.util.find_library(name) for name in ("usb-1.0", "libusb-1.0")):
        print(
            "note: no libusb-1.0 on this machine, so the build cannot carry it: usb: printers "
            "will need libusb installed on the counter PC (file:/dev/usb/lp0, tcp:// and serial: "
            "printers do not)",
            file=sys.stderr,
        )


def compile_catalogs(out: Path) -> None:
    """Compile the .po catalogs into ``out`` (not the source tree, so it keeps no stale .mo)."""
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "i18n.py"), "compile", str(out)], check=True
    )


def run_pyinstaller(apps: list[str], dist: Path, work: Path, locale: Path, quiet: bool) -> None:
    """Run PyInstaller on the spec for ``apps``.

    Raises:
        subprocess.CalledProcessError: PyInstaller failed (its log says why).
    """
    command = [
        sys.executable,
        "-m",
        "PyInstaller",
        str(SPEC),
        "--noconfirm",
        "--distpath",
        str(dist),
        "--workpath",
        str(work / "pyinstaller"),
        "--log-level",
        "WARN" if quiet else "INFO",
        "--",
        "--apps",
        ",".join(apps),
        "--locale-dir",
        str(locale),
    ]
    subprocess.run(command, check=True, cwd=ROOT)


def smoke(dist: Path, app: str) -> str:
    """Run the built ``app --version`` from another folder and return what it printed.

    Raises:
        RuntimeError: the binary did not start or printed something unexpected.
    """
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    result = subprocess.run(
        [str(executable(dist, app)), "--version"],
        capture_output=True,
        text=True,
        cwd=dist,
        env=env,
        timeout=60,
    )
    text = (result.stdout + result.stderr).strip()
    if result.returncode != 0 or not text.startswith(app):
        raise RuntimeError(f"{app} --version failed ({result.returncode}): {text}")
    return text


def build(apps: list[str], dist: Path, work: Path, *, quiet: bool = False) -> dict[str, int]:
    """Build ``apps`` into ``dist``, smoke-test each, and return each folder's size in bytes."""
    locale = work / "locale"
    if "feetui" in apps:
        warn_without_libusb()
    compile_catalogs(locale)
    run_pyinstaller(apps, dist, work, locale, quiet)
    sizes = {}
    for app in apps:
        version = smoke(dist, app)
        sizes[app] = folder_size(dist / app)
        print(f"{app}: {dist / app} ({sizes[app] / 1e6:.1f} MB), {version}")
    return sizes


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and build."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--app", action="append", choices=APPS, help="build only this (repeatable)")
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="output folder (dist/)")
    parser.add_argument("--work", type=Path, default=ROOT / "build", help="work folder (build/)")
    parser.add_argument("--quiet", action="store_true", help="only PyInstaller's warnings")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    build(args.app or list(APPS), args.dist.resolve(), args.work.resolve(), quiet=args.quiet)
    print(f"built in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
