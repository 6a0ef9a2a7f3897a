"""A real sync server on 127.0.0.1 whose site ``S1`` charges scanned codes at two simulators.

    async with scan_hq(tmp_path) as hq:          # real clock, short provider times
        code = await hq.enrollment_code()         # enrol a counter against hq.url
        hq.wechat.script("134567890123451234", "paying_then_success")
        ...
        assert hq.wechat.charged() == 1

``ScanHq`` is :class:`tests.sync.hq.LiveHq` (the same server the counter's sync tests use) plus a
WeChat and an Alipay :class:`~tests.scanpay.simulator.ProviderSimulator`, and merchants for the
site configured through HQ's own service, as ``sync-server scanpay add`` does. The server runs on
the real clock (the counter polls in real time), with times short enough for tests:
:data:`FAST_TIMES`. ``log_path`` collects the server's log records (for the R14 grep).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sync_server.services.merchants import Merchant, add_merchant
from tests.scanpay.simulator import ProviderSimulator
from tests.sync.hq import LiveHq

FAST_TIMES = {"time_limit_ms": 1_500, "reverse_window_ms": 300, "poll_ms": 50, "timeout_ms": 500}
"""Merchant times for tests: 1.5 s to pay, no reversal within 0.3 s, poll every 50 ms, 0.5 s per
provider call (the simulator's ``slow`` answers after 2 s)."""


def real_clock() -> datetime:
    """The machine's clock, aware UTC (the server under test runs on it)."""
    return datetime.now(UTC)


def merchant_for(
    sim: ProviderSimulator, folder: Path, sign_type: str = "", **times: int
) -> Merchant:
    """The merchant settings of a site's account at ``sim`` (key files written to ``folder``;
    ``sign_type`` is WeChat's, MD5 by default)."""
    files = sim.merchant_files(folder / sim.kind)
    return Merchant(
        site_id="",
        provider=sim.kind,
        gateway_url=sim.url,
        app_id=sim.app_id,
        mch_id=sim.mch_id,
        sign_type=sign_type or ("MD5" if sim.kind == "wechat" else "RSA2"),
        **files,
        **(FAST_TIMES | times),
    )


class ScanHq(LiveHq):
    """HQ on 127.0.0.1 with site ``S1`` configured against two provider simulators.

    Args:
        db_url: the server's database.
        folder: where the merchant key files and the server log go.
        clock: the server's clock (the real one by default).
        times: merchant times overriding :data:`FAST_TIMES`.
    """

    def __init__(self, db_url: str, folder: Path, clock: Any = None, **times: int) -> None:
        super().__init__(db_url, clock or real_clock)
        self.folder = folder
        self.times = times
        self.wechat = ProviderSimulator("wechat", clock=self.clock)
        self.alipay = ProviderSimulator("alipay", clock=self.clock)
        self.log_path = folder / "hq.log"
        self._log_handler: logging.Handler | None = None

    @property
    def sims(self) -> dict[str, ProviderSimulator]:
        """Both simulators by provider name."""
        return {"wechat": self.wechat, "alipay": self.alipay}

    async def open(self) -> None:
        """Start the simulators and the server, add ``S1`` and configure its merchants."""
        self.folder.mkdir(parents=True, exist_ok=True)
        self._log_handler = logging.FileHandler(self.log_path, encoding="utf-8")
        self._log_handler.setLevel(logging.DEBUG)
        logging.getLogger("sync_server").addHandler(self._log_handler)
        logging.getLogger("aiohttp").addHandler(self._log_handler)
        logging.getLogger("sync_server").setLevel(logging.DEBUG)
        for sim in self.sims.values():
            await sim.start()
        await self.start()
        await self.add_site("S1", "绿景苑")
        for sim in self.sims.values():
            await self.configure(sim)

    async def configure(self, sim: ProviderSimulator, site: str = "S1", **times: Any) -> None:
        """Point ``site``'s merchant of ``sim.kind`` at ``sim`` (through HQ's service)."""
        merchant = merchant_for(sim, self.folder / "keys", **(self.times | times))
        await add_merchant(self.db, merchant, site_code=site, now=self.clock())

    async def close(self) -> None:
        """Stop the server and the simulators; detach the log file."""
        await self.stop()
        for sim in self.sims.values():
            await sim.stop()
        if self._log_handler is not None:
            logging.getLogger("sync_server").removeHandler(self._log_handler)
            logging.getLogger("aiohttp").removeHandler(self._log_handler)
            self._log_handler.close()
            self._log_handler = None

    async def scan_row(self, payment_id: str) -> dict[str, Any] | None:
        """HQ's ``scan_payments`` row of a payment id."""
        rows = await self.rows("SELECT * FROM scan_payments WHERE payment_id = ?", payment_id)
        return rows[0] if rows else None

    def files(self) -> list[Path]:
        """HQ's database files (with WAL and shared memory) and its log: what R14 greps."""
        db = Path(self.db_url.removeprefix("sqlite:///"))
        candidates = [db, Path(f"{db}-wal"), Path(f"{db}-shm"), self.log_path]
        return [path for path in candidates if path.exists()]


@asynccontextmanager
async def scan_hq(folder: Path, **options: Any) -> AsyncIterator[ScanHq]:
    """A running :class:`ScanHq` on a fresh SQLite database in ``folder``."""
    hq = ScanHq(f"sqlite:///{folder / 'hq.sqlite3'}", folder, **options)
    try:
        await hq.open()
        yield hq
    finally:
        await hq.close()


__all__ = ["FAST_TIMES", "ScanHq", "merchant_for", "real_clock", "scan_hq"]
