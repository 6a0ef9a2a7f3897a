"""Cold start: the sign-in screen comes before the database, and the database still refuses first.

The app draws the sign-in screen, then opens the database in the background (docs/ARCHITECTURE.md,
"Cold start"). These tests hold the opening back to prove that nothing reaches the database before
it is open and checked, and that a refusal (R2, R17) still ends the app with code 1 and its reason
before any cashier action.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from textual import events
from textual.widgets import Input

from feetui.app import make_app
from feetui.core.errors import StorageError
from feetui.db import connection
from feetui.db.connection import InstanceLock, raw_connection
from feetui.i18n import _
from feetui.screens.shift_open import ShiftOpenScreen
from feetui.screens.sign_in import SignInScreen
from tests.screens.community import CASHIER_CODE, CASHIER_PIN
from tests.screens.flows import SMALL, settle, shows

ROOT = Path(__file__).resolve().parents[2]

# What the first frame must not wait for: the store, the use cases, the sync client.
FIRST_FRAME_IMPORTS = """
import sys
import feetui.app, feetui.config, feetui.screens.sign_in
heavy = ("tortoise", "aiohttp", "aiosqlite", "feetui.db", "feetui.services", "feetui.sync")
print(sorted(m for m in sys.modules if m.split(".")[0] in heavy or m.startswith(heavy)))
"""


def test_the_app_and_the_sign_in_screen_import_no_store_and_no_sync_client() -> None:
    result = subprocess.run(
        [sys.executable, "-c", FIRST_FRAME_IMPORTS],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=60,
        check=True,
    )
    assert result.stdout.strip() == "[]"


@pytest.fixture
def held_open(monkeypatch: pytest.MonkeyPatch) -> asyncio.Event:
    """Hold the app's database opening until the returned event is set."""
    real_open = connection.open_db
    release = asyncio.Event()

    async def gated_open(*args, **kwargs):
        await release.wait()
        return await real_open(*args, **kwargs)

    monkeypatch.setattr(connection, "open_db", gated_open)
    return release


async def _until(pilot, condition, what: str) -> None:
    for _step in range(500):
        if condition():
            return
        await pilot.pause(0.01)
    raise AssertionError(f"never happened: {what}")


async def _type_sign_in(pilot, pin: str = CASHIER_PIN) -> None:
    await pilot.press(*CASHIER_CODE, "enter", *pin, "enter")
    await pilot.pause()


async def test_a_pin_typed_while_the_database_opens_waits_for_it_then_signs_in(
    settings, clock, community, held_open: asyncio.Event
) -> None:
    app = make_app(settings, clock=clock)
    seen: dict[str, object] = {}

    async def cashier(pilot) -> None:
        await _until(pilot, lambda: isinstance(app.screen, SignInScreen), "the sign-in screen")
        await _type_sign_in(pilot)
        await pilot.pause(0.1)
        seen["open_before_release"] = app.store_open
        seen["waiting"] = shows(pilot, _("Opening the database…"))
        seen["screen_while_waiting"] = type(app.screen)
        held_open.set()
        await _until(pilot, lambda: isinstance(app.screen, ShiftOpenScreen), "the shift screen")
        await settle(pilot)
        app.exit()

    await app.run_async(headless=True, size=SMALL, auto_pilot=cashier)
    assert seen == {
        "open_before_release": False,
        "waiting": True,
        "screen_while_waiting": SignInScreen,
    }
    assert app.return_code == 0


async def test_keys_typed_ahead_while_the_database_opens_land_in_their_fields(
    settings, clock, community, held_open: asyncio.Event
) -> None:
    # All ten keys are queued before the app handles any: Enter in the code field must move the
    # focus before the PIN's digits are routed (under load they arrive faster than it reacts).
    app = make_app(settings, clock=clock)
    seen: dict[str, object] = {}

    async def cashier(pilot) -> None:
        await _until(pilot, lambda: isinstance(app.screen, SignInScreen), "the sign-in screen")
        for char in f"{CASHIER_CODE}\r{CASHIER_PIN}\r":
            app.post_message(events.Key("enter" if char == "\r" else char, char))
        await pilot.pause(0.1)
        code, pin = (field.value for field in app.screen.query(Input))
        seen["fields"] = (code, pin)
        held_open.set()
        await _until(pilot, lambda: isinstance(app.screen, ShiftOpenScreen), "the shift screen")
        await settle(pilot)
        app.exit()

    await app.run_async(headless=True, size=SMALL, auto_pilot=cashier)
    assert seen == {"fields": (CASHIER_CODE, CASHIER_PIN)}
    assert app.return_code == 0


def _digests(path: Path) -> dict[str, str]:
    files = sorted(path.parent.glob(path.name + "*"))
    return {f.name: hashlib.sha256(f.read_bytes()).hexdigest() for f in files}


async def test_a_database_in_use_ends_the_app_with_code_1_before_the_cashier_signs_in(
    settings, clock, community
) -> None:
    path = settings.resolved_db_path()
    app = make_app(settings, clock=clock)

    async def cashier(pilot) -> None:
        await _type_sign_in(pilot)  # the app then exits by itself

    with InstanceLock(path):
        before = _digests(path)
        with pytest.raises(StorageError) as refused:
            await app.run_async(headless=True, size=SMALL, auto_pilot=cashier)
        assert _digests(path) == before
    assert refused.value.code == "database_in_use"
    assert app.return_code == 1
    assert app.user is None and not app.store_open


async def test_a_database_that_is_not_durable_is_refused_before_any_query(
    settings, clock, community, held_open: asyncio.Event, monkeypatch: pytest.MonkeyPatch
) -> None:
    # What a network share that ignores synchronous=FULL looks like from inside (R2).
    monkeypatch.setattr(connection, "_REQUIRED", (("synchronous", 3),))
    app = make_app(settings, clock=clock)

    async def cashier(pilot) -> None:
        # A wrong PIN would be counted in pin_lockout if it reached the database.
        await _type_sign_in(pilot, pin="0000")
        held_open.set()  # the app then exits by itself

    with pytest.raises(StorageError) as refused:
        await app.run_async(headless=True, size=SMALL, auto_pilot=cashier)
    assert refused.value.code == "database_unsafe"
    assert app.return_code == 1 and app.user is None
    with raw_connection(settings.resolved_db_path()) as db:
        assert db.execute("SELECT COUNT(*) FROM pin_lockout").fetchone() == (0,)
        assert db.execute("SELECT COUNT(*) FROM shift").fetchone() == (0,)


def test_the_test_entry_raises_the_refusal_as_it_always_did(settings, clock, community) -> None:
    async def run() -> None:
        async with make_app(settings, clock=clock).run_test(size=SMALL):
            raise AssertionError("the pilot must not be handed over")

    with InstanceLock(settings.resolved_db_path()), pytest.raises(StorageError) as refused:
        asyncio.run(run())
    assert refused.value.code == "database_in_use"


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX pseudo-terminal")
def test_the_command_line_shows_the_refusal_on_the_terminal_and_exits_1(
    settings, community
) -> None:
    import pty
    import select

    path = settings.resolved_db_path()
    master, slave = pty.openpty()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "FEETUI_LANG": "en_US"}
    output = b""
    with InstanceLock(path):
        process = subprocess.Popen(
            [sys.executable, "-m", "feetui", "--db", str(path), "--config", f"{path}.toml"],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            start_new_session=True,
        )
        os.close(slave)
        try:
            while True:  # read as it writes: a full pseudo-terminal would stall it
                ready, _w, _x = select.select([master], [], [], 60)
                if not ready:
                    break
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # the program ended and closed its side
                    break
                if not chunk:
                    break
                output += chunk
            code = process.wait(timeout=60)
        finally:
            process.kill()
            os.close(master)
    assert code == 1
    assert b"Another feetui is already using this database" in output
