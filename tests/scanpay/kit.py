"""Scanned-payment calls against the server under test (its aiohttp test client or a live URL).

``ScanKit`` wraps one enrolled device and the two simulators: ``await kit.pay(code, 100)``
posts ``/pay/scan`` with a fresh UUIDv7 payment id, ``kit.poll``/``kit.cancel`` the other two
routes, and ``kit.until_final(payment_id)`` polls until the state is final, moving the server's
(mutable) clock by each ``retry_after_ms`` instead of sleeping, so the time limit and the reverse
window are crossed deterministically.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from feetui.clock import FixedClock, IdSource
from sync_server.services.merchants import add_merchant
from tests.scanpay.hq import merchant_for
from tests.scanpay.simulator import ProviderSimulator

_SERIAL = itertools.count(1)
SERVER_TEST_TIMES = {"timeout_ms": 2_000}
"""The server tests' clock stands still, so only the provider call's (real) deadline is long: a
busy machine must not turn an ordinary answer into a timeout."""


def wechat_code(prefix: str = "13") -> str:
    """A fresh WeChat-shaped payment code (18 digits starting 10-15)."""
    return f"{prefix}{4567_0000_0000_0000 + next(_SERIAL):016d}"


def alipay_code(prefix: str = "28") -> str:
    """A fresh Alipay-shaped payment code (here 18 digits starting 25-30)."""
    return f"{prefix}{1234_0000_0000_0000 + next(_SERIAL):016d}"


@dataclass
class ScanKit:
    """An enrolled device of site ``S1`` paying by scanned code through the server under test.

    Args:
        hq: ``tests.server.helpers.Hq`` (test client, mutable clock, database).
        folder: where the merchant key files are written.
    """

    hq: Any
    folder: Path
    device: Any = None
    wechat: ProviderSimulator = field(init=False)
    alipay: ProviderSimulator = field(init=False)

    def __post_init__(self) -> None:
        self.wechat = ProviderSimulator("wechat", clock=self.hq.clock)
        self.alipay = ProviderSimulator("alipay", clock=self.hq.clock)
        self.ids = IdSource(FixedClock(self.hq.clock()))

    @property
    def sims(self) -> dict[str, ProviderSimulator]:
        """Both simulators by provider name."""
        return {"wechat": self.wechat, "alipay": self.alipay}

    async def open(self, **times: int) -> None:
        """Start the simulators, configure ``S1``'s merchants, enrol a device."""
        for sim in self.sims.values():
            await sim.start()
            await self.configure(sim, **times)
        self.device = await self.hq.enroll()

    async def configure(self, sim: ProviderSimulator, site: str = "S1", **times: Any) -> None:
        """Point ``site``'s merchant of ``sim.kind`` at ``sim``."""
        merchant = merchant_for(sim, self.folder / "keys", **(SERVER_TEST_TIMES | times))
        await add_merchant(self.hq.db, merchant, site_code=site, now=self.hq.clock())

    async def close(self) -> None:
        """Stop the simulators."""
        for sim in self.sims.values():
            await sim.stop()

    def new_id(self) -> str:
        """A fresh UUIDv7 payment id."""
        return self.ids.new_str()

    def body(self, code: str, amount_fen: int, payment_id: str | None = None) -> dict[str, Any]:
        """A ``/pay/scan`` body."""
        return {
            "payment_id": payment_id or self.new_id(),
            "auth_code": code,
            "amount_fen": amount_fen,
            "unit_id": None,
            "subject": "物业费 3-2-1502",
        }

    async def post(self, path: str, body: Any = None, device: Any = None) -> tuple[int, Any]:
        """POST with the device's token; status and JSON answer."""
        headers = (device or self.device).auth()
        response = await self.hq.client.post(path, json=body, headers=headers)
        return response.status, await response.json()

    async def pay(
        self, code: str, amount_fen: int, payment_id: str | None = None, device: Any = None
    ) -> tuple[int, Any]:
        """``POST /api/v1/pay/scan``."""
        return await self.post("/api/v1/pay/scan", self.body(code, amount_fen, payment_id), device)

    async def poll(self, payment_id: str, device: Any = None) -> tuple[int, Any]:
        """``POST /api/v1/pay/scan/{id}/poll``."""
        return await self.post(f"/api/v1/pay/scan/{payment_id}/poll", device=device)

    async def cancel(self, payment_id: str, device: Any = None) -> tuple[int, Any]:
        """``POST /api/v1/pay/scan/{id}/cancel``."""
        return await self.post(f"/api/v1/pay/scan/{payment_id}/cancel", device=device)

    async def until_final(self, state: dict[str, Any], *, limit: int = 50) -> list[dict[str, Any]]:
        """Poll from ``state`` until final, advancing the clock by ``retry_after_ms`` each time.

        Returns:
            Every state seen, ``state`` first, the final one last.
        """
        seen = [state]
        while state["state"] not in ("success", "failed", "cancelled"):
            assert len(seen) < limit, f"not final after {limit} polls: {seen[-3:]}"
            self.hq.clock.advance(milliseconds=state["retry_after_ms"])
            status, state = await self.poll(state["payment_id"])
            assert status == 200, state
            seen.append(state)
        return seen

    async def row(self, payment_id: str) -> dict[str, Any]:
        """HQ's ``scan_payments`` row."""
        rows = await self.hq.rows("SELECT * FROM scan_payments WHERE payment_id = ?", payment_id)
        assert rows, payment_id
        return rows[0]


__all__ = ["ScanKit", "alipay_code", "wechat_code"]
