"""Quitting the app while a sync round is under way: the round ends, then the store closes.

The counter (tests/screens/community.py) is adopted by a real HQ on 127.0.0.1 and enrolled; the
app talks to HQ through a loopback proxy that can hold one push's answer after HQ has committed
the batch. The cashier takes a payment, the push it starts is held, and Ctrl+Q is pressed. The
app must stop its sync task (``SyncService.stop``) and wait for the round before it closes the
database: a cancel would leave HQ holding a payment the counter still thinks unsent (or, landing
in a store transaction, leave the SQLite connection's lock held), and a round going on after the
close would write to a closed store.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from pathlib import Path

import pytest
from aiohttp import ClientSession, web
from textual.pilot import Pilot

from feetui.app import make_app
from feetui.db.connection import raw_connection
from feetui.screens.receipt import ReceiptScreen
from feetui.sync.status import SyncMode
from tests.screens.flows import SMALL
from tests.screens.screen_text import screen_text
from tests.sync.hq import LiveHq, free_port

FORWARDED = ("Authorization", "Content-Type")


class HoldingProxy:
    """A reverse proxy on 127.0.0.1 in front of HQ; when armed, it keeps the next push's answer
    (HQ has committed that batch) until released."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.port = free_port()
        self.armed = False
        self.held = asyncio.Event()
        self.release = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._session: ClientSession | None = None

    @property
    def url(self) -> str:
        """The base URL the counter is told to use."""
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        """Listen."""
        self._session = ClientSession()
        app = web.Application(client_max_size=8 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._forward)
        self._runner = web.AppRunner(app, shutdown_timeout=1.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

    async def stop(self) -> None:
        """Let any held answer go and stop listening."""
        self.release.set()
        if self._runner is not None:
            await self._runner.cleanup()
        if self._session is not None:
            await self._session.close()

    async def _forward(self, request: web.Request) -> web.Response:
        assert self._session is not None
        headers = {name: request.headers[name] for name in FORWARDED if name in request.headers}
        async with self._session.request(
            request.method, self.upstream + request.path_qs, data=await request.read(),
            headers=headers,
        ) as answer:  # fmt: skip
            body, status = await answer.read(), answer.status
            content_type = answer.headers.get("Content-Type", "application/json")
        if self.armed and request.path.endswith("/push"):
            self.armed = False
            self.held.set()
            await self.release.wait()
        return web.Response(body=body, status=status, headers={"Content-Type": content_type})


@pytest.fixture
async def hq(tmp_path: Path) -> AsyncIterator[LiveHq]:
    """A running HQ on a fresh SQLite database."""
    server = LiveHq(f"sqlite:///{tmp_path / 'hq.sqlite3'}")
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
async def proxy(hq: LiveHq) -> AsyncIterator[HoldingProxy]:
    """The holding proxy in front of ``hq``."""
    server = HoldingProxy(hq.url)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
async def enrolled(settings, clock, counter, hq: LiveHq) -> str:
    """The screen tests' counter adopted by HQ and enrolled there; returns its device id."""
    from feetui.db.connection import close_db, open_db
    from feetui.sync.enrolment import enroll_device
    from sync_server.services.adopt import adopt_counter, read_counter

    data = read_counter(settings.resolved_db_path())
    async with hq.db.transaction() as tx:
        await adopt_counter(tx, data, now=hq.clock())
    code = await hq.enrollment_code(data.site["code"])
    database = await open_db(settings.resolved_db_path(), clock=clock)
    try:
        await enroll_device(server=hq.url, code=code, now=clock.now())
        return database.device_id
    finally:
        await close_db(database)


async def _press(pilot: Pilot, *keys: str) -> None:
    """Press ``keys`` and wait for every worker but a sync one (which may never end)."""
    await pilot.press(*keys)
    for _round in range(3):
        running = [w for w in pilot.app.workers if w.group != "sync"]
        if running:
            await pilot.app.workers.wait_for_complete(running)
        await pilot.pause()


async def _until(pilot: Pilot, check: Callable[[], object], seconds: float = 15.0) -> None:
    """Let the app run (in real time: HQ answers) until ``check()`` holds (it may be exiting,
    so this waits on the loop, not on the app)."""
    for _tick in range(int(seconds / 0.02)):
        if check():
            return
        await asyncio.sleep(0.02)
    raise AssertionError(screen_text(pilot.app))


def _counter_outbox(settings) -> tuple[int, int]:
    """(rows HQ has not acknowledged, the highest sequence marked acknowledged) on the counter."""
    with raw_connection(settings.resolved_db_path()) as connection:
        waiting, acked_to = connection.execute(
            "SELECT SUM(o.acked_at IS NULL), COALESCE(MAX(CASE WHEN o.acked_at IS NOT NULL"
            " THEN j.seq END), 0) FROM outbox o JOIN journal_entry j ON j.id = o.entry_id"
        ).fetchone()
    return int(waiting or 0), int(acked_to)


async def test_quitting_during_a_sync_round_ends_the_round_then_closes_the_store(
    settings, clock, enrolled: str, hq: LiveHq, proxy: HoldingProxy, caplog
) -> None:
    caplog.set_level(logging.INFO, logger="feetui")
    app = make_app(replace(settings, server=proxy.url), clock=clock)
    async with app.run_test(size=SMALL) as pilot:
        await _until(pilot, lambda: app.sync_status and app.sync_status.mode is SyncMode.ONLINE)
        proxy.armed = True
        await _press(pilot, *"1001", "enter", *"1234", "enter")
        await _press(pilot, *"3-2-1502", "enter")
        await _press(pilot, "p", "c", "enter")
        assert isinstance(app.screen, ReceiptScreen), screen_text(app)
        # The payment's push reached HQ, which committed it; its answer is on hold.
        async with asyncio.timeout(15):
            await proxy.held.wait()
        await pilot.press("ctrl+q")
        await _until(pilot, lambda: not app.is_running)
        # Only now, with the app's screens and workers gone, does HQ's answer come back.
        proxy.release.set()
    assert not app.store_open and app.database is None
    held_by_hq = await hq.scalar("SELECT ack_seq FROM devices WHERE id = ?", enrolled)
    assert held_by_hq > 0
    # The outbox agrees with HQ: the round under way was let finish and its answer recorded.
    assert _counter_outbox(settings) == (0, held_by_hq)
    # The store was closed cleanly: it opens again at once (no lock left held, no "in use").
    from feetui.db.connection import close_db, open_db
    from feetui.sync.pusher import count_waiting

    async with asyncio.timeout(10):
        database = await open_db(settings.resolved_db_path(), clock=clock)
        try:
            assert await count_waiting(enrolled) == 0
        finally:
            await close_db(database)
    # Nothing failed on the way out (a round writing to a closed store would say so here).
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert "waiting for the sync round under way to end" in caplog.messages


async def test_ctrl_q_while_a_payment_posts_lets_it_post_and_print_then_quits(
    settings, clock, counter, tmp_path, monkeypatch
) -> None:
    """A cashier presses Ctrl+Q right after Enter: the payment is not cancelled part way (a
    cancel in a store transaction can leave the store's lock held and the close waiting on it):
    it posts, its receipt prints, then the app quits by itself and the store closes."""
    import feetui.screens.pay as pay_screen
    from tests.screens.flows import press, sign_in, type_text

    released = asyncio.Event()
    real_post = pay_screen.post_checkout

    async def slow_post(*args, **kwargs):
        await released.wait()
        return await real_post(*args, **kwargs)

    monkeypatch.setattr(pay_screen, "post_checkout", slow_post)
    printer = tmp_path / "printer.bin"
    app = make_app(replace(settings, printer=f"file:{printer}"), clock=clock)
    async with app.run_test(size=SMALL) as pilot:
        await sign_in(pilot)
        await type_text(pilot, "3-2-1502")
        await press(pilot, "enter", "p", "c")  # the unit, pay, cash (exact)
        await pilot.press("enter")  # posting, held (no settle: it does not finish)
        await pilot.pause(0.1)
        await pilot.press("ctrl+q")
        for _ in range(10):
            await pilot.pause(0.05)
        assert app.is_running  # still waiting for the payment
        released.set()
        async with asyncio.timeout(15):
            while app.is_running:
                await pilot.pause(0.05)
    with raw_connection(settings.resolved_db_path()) as connection:
        paid = connection.execute(
            "SELECT count(*) FROM payment WHERE unit_id = ?", [counter.owing_unit_id]
        ).fetchone()[0]
    assert paid == 1
    assert printer.exists() and printer.stat().st_size > 0  # the receipt printed before the exit
