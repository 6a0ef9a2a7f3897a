"""The demo in one command (``scripts/run.sh``): a demo community, a local HQ, the counter app.

    python -m feetui.commands.demo_run [--dir .feetui/demo] [--units 1860] [--lang zh_CN]
                                       [--no-app | --serve] [feetui run options...]

The first run builds everything into the demo folder; later runs reuse it:

1. ``feetui demo-data`` builds the counter's database (two years of bills and payments);
2. ``sync-server migrate`` makes headquarters' database beside it, ``sync-server adopt-counter``
   takes the standalone counter's site, units, owners, cars, fee items, users and charges into it
   with their ids, and ``sync-server enroll`` + ``feetui enroll`` join the counter to it;
3. only then is the folder marked ready (``ready.json``): a run stopped half-way starts over.

Every run then starts ``sync-server serve`` on 127.0.0.1 on a free port (its own session, its
output in ``sync-server.log``), prints the demo users' codes and PINs and where the files are, and
opens ``feetui run`` on the counter's database with that server and a ``file:`` printer. The
server is stopped when the app ends, on Ctrl+C, on SIGTERM/SIGHUP and on errors.

``--no-app`` does one ``feetui sync --once`` round instead of opening the app (tests, CI);
``--serve`` keeps the server running until Ctrl+C (to look at HQ's API with the demo).
Everything runs as ``python -m feetui`` / ``python -m sync_server`` child processes of the same
interpreter, as a person would type the commands.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

DEFAULT_UNITS = 1860
READY_VERSION = 1
"""Bump when the folder's layout changes: an older folder is then rebuilt."""
SERVER_START_SECONDS = 30.0
SERVER_STOP_SECONDS = 10.0
PORT_ATTEMPTS = 3


class DemoError(Exception):
    """A step failed; the message is already in the user's language."""


@dataclass(frozen=True, slots=True)
class DemoFolder:
    """Where the demo keeps its files (all inside one folder, git-ignored)."""

    root: Path

    @property
    def counter_db(self) -> Path:
        """The counter's database (its log, lock and print queue sit beside it)."""
        return self.root / "counter.sqlite3"

    @property
    def hq_db(self) -> Path:
        """Headquarters' SQLite database."""
        return self.root / "hq.sqlite3"

    @property
    def hq_url(self) -> str:
        """``--db`` of the sync server."""
        return f"sqlite:///{self.hq_db}"

    @property
    def receipts(self) -> Path:
        """The ``file:`` printer: raw ESC/POS bytes of every printed document, appended."""
        return self.root / "receipts.escpos"

    @property
    def server_log(self) -> Path:
        """Output of ``sync-server serve``."""
        return self.root / "sync-server.log"

    @property
    def setup_log(self) -> Path:
        """Output of the set-up commands (migrate, adopt, enrol)."""
        return self.root / "setup.log"

    @property
    def app_log(self) -> Path:
        """The counter app's log (beside its database, named after it)."""
        return self.counter_db.with_suffix(".log")

    @property
    def ready(self) -> Path:
        """Written last: the folder holds a complete demo."""
        return self.root / "ready.json"

    def is_ready(self) -> bool:
        """True when a complete demo of this layout is here."""
        try:
            data = json.loads(self.ready.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False
        return isinstance(data, dict) and data.get("version") == READY_VERSION

    def clear(self) -> None:
        """Remove an incomplete demo (databases and their side files; logs are kept)."""
        for path in list(self.root.glob("counter.sqlite3*")) + list(self.root.glob("hq.sqlite3*")):
            if path.is_dir():
                for child in sorted(path.rglob("*"), reverse=True):
                    child.unlink() if child.is_file() else child.rmdir()
                path.rmdir()
            else:
                path.unlink()
        self.ready.unlink(missing_ok=True)


def parse_args(argv: Sequence[str]) -> tuple[argparse.Namespace, list[str]]:
    """The orchestrator's own options; everything else goes to ``feetui run``."""
    from feetui.i18n import _

    parser = argparse.ArgumentParser(
        prog="scripts/run.sh",
        description=_(
            "Build the demo community (once), start a local sync server and open the "
            "counter app on it. Other options are passed to `feetui run`."
        ),
    )
    parser.add_argument("--dir", default=".feetui/demo", help=_("demo folder (.feetui/demo)"))
    parser.add_argument("--units", type=int, default=None, help=_("units of a new demo (1860)"))
    parser.add_argument("--lang", choices=("zh_CN", "en_US"), default=None, help=_("language"))
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--no-app", action="store_true", help=_("one sync round instead of the app"))
    mode.add_argument("--serve", action="store_true", help=_("run the server until Ctrl+C"))
    return parser.parse_known_args(list(argv))


def main(argv: Sequence[str] | None = None) -> int:
    """Run the demo; returns the exit code (the app's, or 1 with the reason on stderr)."""
    from feetui.cli import language_before_parsing
    from feetui.config import load_settings
    from feetui.i18n import _, set_language, translate_argparse

    words = list(sys.argv[1:] if argv is None else argv)
    set_language(language_before_parsing(words))  # its help and errors in the user's language
    translate_argparse()
    args, app_args = parse_args(words)
    lang = args.lang or load_settings(overrides={}).lang
    set_language(lang)
    folder = DemoFolder(Path(args.dir).resolve())
    try:
        with _signals_raise():
            return _run(args, app_args, folder, lang)
    except (DemoError, OSError) as error:
        print(_("The demo stopped: {reason}").format(reason=error), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(_("Stopped."), file=sys.stderr)
        return 130


def _run(args: argparse.Namespace, app_args: list[str], folder: DemoFolder, lang: str) -> int:
    from feetui.i18n import _

    folder.root.mkdir(parents=True, exist_ok=True)
    fresh = not folder.is_ready()
    units = args.units or DEFAULT_UNITS
    if fresh:
        folder.clear()
        _build(folder, units, lang)
        _setup_hq(folder, lang)
    else:
        print(
            _("Reusing the demo in {folder} (delete it to start over).").format(folder=folder.root)
        )
        if args.units is not None:
            print(_("--units applies to a new demo only."))
    with LocalServer(folder) as server:
        if fresh:
            _enroll(folder, server.url, lang)
            folder.ready.write_text(
                json.dumps({"version": READY_VERSION, "units": units}), encoding="utf-8"
            )
        _print_welcome(folder, server)
        if args.no_app:
            return _sync_once(folder, server.url, lang)
        if args.serve:
            print(_("The sync server runs until Ctrl+C."), flush=True)
            while server.alive():
                time.sleep(0.5)
            raise DemoError(
                _("the sync server stopped by itself; see {log}").format(log=folder.server_log)
            )
        return _open_app(folder, server.url, lang, app_args)


# --- child processes ----------------------------------------------------------------------------


def _feetui(*argv: str) -> list[str]:
    return [sys.executable, "-m", "feetui", *argv]


def _server(*argv: str) -> list[str]:
    return [sys.executable, "-m", "sync_server", *argv]


def _child_env(lang: str) -> dict[str, str]:
    """The children's environment: the same interpreter's packages, the chosen language."""
    env = dict(os.environ)
    project = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (project, env.get("PYTHONPATH", "")) if p)
    env["FEETUI_LANG"] = lang
    return env


def _step(folder: DemoFolder, title: str, argv: list[str], lang: str) -> str:
    """Run a set-up command, its output appended to ``setup.log``; returns its stdout."""
    from feetui.i18n import _

    print(title, flush=True)
    done = subprocess.run(
        argv, env={**_child_env(lang), "SYNC_SERVER_LANGUAGE": lang}, capture_output=True,
        text=True, encoding="utf-8", check=False,
    )  # fmt: skip
    with folder.setup_log.open("a", encoding="utf-8") as log:
        log.write(f"$ {' '.join(argv[1:])}\n{done.stdout}{done.stderr}\n")
    if done.returncode != 0:
        reason = (done.stderr or done.stdout).strip().splitlines()
        raise DemoError(
            _("{command} failed: {reason} (see {log})").format(
                command=f"{argv[2].replace('_', '-')} {argv[3]}",
                reason=reason[-1] if reason else "?",
                log=folder.setup_log,
            )
        )
    return done.stdout


def _build(folder: DemoFolder, units: int, lang: str) -> None:
    """``feetui demo-data`` in the foreground: its progress bar and summary show."""
    from feetui.i18n import _

    print(_("Building the demo community ({units} units), once…").format(units=units), flush=True)
    argv = _feetui("demo-data", "--db", str(folder.counter_db), "--units", str(units))
    if subprocess.run(argv, env=_child_env(lang), check=False).returncode != 0:
        raise DemoError(_("the demo community could not be built"))


def _setup_hq(folder: DemoFolder, lang: str) -> None:
    """Headquarters' database, holding the standalone counter's site."""
    from feetui.i18n import _

    _step(folder, _("Creating headquarters' database…"),
          _server("migrate", "--db", folder.hq_url), lang)  # fmt: skip
    _step(folder, _("Headquarters adopts the demo counter's site, units and bills…"),
          _server("adopt-counter", str(folder.counter_db), "--db", folder.hq_url),
          lang)  # fmt: skip


def _enroll(folder: DemoFolder, url: str, lang: str) -> None:
    """A one-time code from HQ, spent by the counter."""
    from feetui.demo.community import SITE_CODE
    from feetui.i18n import _

    name = _("Demo window")
    out = _step(folder, _("Enrolling the demo counter…"),
                _server("enroll", "--site", SITE_CODE, "--name", name, "--db", folder.hq_url),
                lang)  # fmt: skip
    code = out.splitlines()[0].rsplit(":", 1)[-1].strip() if out.strip() else ""
    if not code:
        raise DemoError(_("headquarters printed no enrolment code (see {log})").format(
            log=folder.setup_log))  # fmt: skip
    _step(folder, _("The counter joins headquarters…"),
          _feetui("enroll", "--db", str(folder.counter_db), "--server", url, "--code", code,
                  "--name", name), lang)  # fmt: skip


def _sync_once(folder: DemoFolder, url: str, lang: str) -> int:
    argv = _feetui("sync", "--once", "--db", str(folder.counter_db), "--server", url)
    return subprocess.run(argv, env=_child_env(lang), check=False).returncode


def _open_app(folder: DemoFolder, url: str, lang: str, app_args: list[str]) -> int:
    """The counter app in the foreground; its Ctrl+C is its own, not ours."""
    argv = _feetui("run", "--db", str(folder.counter_db), "--server", url,
                   "--printer", f"file:{folder.receipts}", *app_args)  # fmt: skip
    child = subprocess.Popen(argv, env=_child_env(lang))
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        code = child.wait()
        return code if code >= 0 else 128 - code  # killed by a signal: the shell's convention
    finally:
        signal.signal(signal.SIGINT, previous)
        _stop(child)


def _print_welcome(folder: DemoFolder, server: LocalServer) -> None:
    from feetui.demo.community import DEMO_USERS
    from feetui.i18n import _

    roles = {"cashier": _("Cashier"), "supervisor": _("Supervisor"), "admin": _("Admin")}
    print()
    print(_("Sync server: {url} (pid {pid})").format(url=server.url, pid=server.pid))
    print(_("Sign in with:"))
    for code, name, role, pin in DEMO_USERS:
        print(_("  {role}: code {code}, PIN {pin} ({name})").format(
            role=roles.get(role, role), code=code, pin=pin, name=name))  # fmt: skip
    print(_("Demo files in {folder}:").format(folder=folder.root))
    print(_("  counter database {file}").format(file=folder.counter_db.name))
    print(_("  headquarters database {file}").format(file=folder.hq_db.name))
    print(_("  receipts (raw ESC/POS) {file}").format(file=folder.receipts.name))
    print(_("  logs {files}").format(files=", ".join(
        p.name for p in (folder.app_log, folder.server_log, folder.setup_log))))  # fmt: skip
    print(_("To start over, delete {folder}.").format(folder=folder.root), flush=True)


# --- the local server ---------------------------------------------------------------------------


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class LocalServer:
    """``sync-server serve`` on 127.0.0.1 as a child in its own session, stopped on exit.

    Its own session keeps the terminal's Ctrl+C (meant for the app) from killing it half-way: it
    is stopped with SIGTERM (aiohttp shuts down cleanly), then SIGKILL if it does not stop.
    """

    def __init__(self, folder: DemoFolder) -> None:
        self.folder = folder
        self.process: subprocess.Popen[bytes] | None = None
        self.port = 0

    @property
    def url(self) -> str:
        """The server's base URL."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        """The server process id."""
        return self.process.pid if self.process else 0

    def alive(self) -> bool:
        """True while the server process runs."""
        return self.process is not None and self.process.poll() is None

    def __enter__(self) -> LocalServer:
        from feetui.i18n import _

        for _attempt in range(PORT_ATTEMPTS):
            self.port = free_port()
            self._spawn()
            if self._wait_healthy():
                return self
            _stop(self.process)
        raise DemoError(_("the sync server did not start; see {log}").format(
            log=self.folder.server_log))  # fmt: skip

    def __exit__(self, *exc: object) -> None:
        from feetui.i18n import _

        if self.process is not None:
            _stop(self.process)
            print(_("Sync server (pid {pid}) stopped.").format(pid=self.process.pid), flush=True)

    def _spawn(self) -> None:
        from feetui.i18n import _

        print(_("Starting the sync server on 127.0.0.1:{port}…").format(port=self.port), flush=True)
        argv = _server("serve", "--db", self.folder.hq_url, "--host", "127.0.0.1",
                       "--port", str(self.port))  # fmt: skip
        with self.folder.server_log.open("ab") as log:
            self.process = subprocess.Popen(
                argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                env=_child_env("en_US"), start_new_session=True,
            )  # fmt: skip

    def _wait_healthy(self) -> bool:
        deadline = time.monotonic() + SERVER_START_SECONDS
        while time.monotonic() < deadline and self.alive():
            with (
                suppress(OSError, urllib.error.URLError),
                urllib.request.urlopen(f"{self.url}/api/v1/health", timeout=2) as answer,
            ):
                if answer.status == 200:
                    return True
            time.sleep(0.1)
        return False


def _stop(process: subprocess.Popen[bytes] | None) -> None:
    """SIGTERM, a grace period, then SIGKILL; always reaped."""
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(SERVER_STOP_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def _signals_raise() -> Iterator[None]:
    """SIGTERM and SIGHUP unwind like Ctrl+C, so the server is stopped on the way out.

    SIGINT is set too: a shell starts a background job with SIGINT ignored, and then Python
    would never raise KeyboardInterrupt for it.
    """

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    names = [n for n in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, n)]
    previous = {n: signal.signal(getattr(signal, n), interrupt) for n in names}
    try:
        yield
    finally:
        for name, handler in previous.items():
            signal.signal(getattr(signal, name), handler)


if __name__ == "__main__":
    sys.exit(main())
