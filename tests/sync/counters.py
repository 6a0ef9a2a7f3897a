"""Several counters in one test: each has its own database file and its own Tortoise context.

Tortoise keeps its state in a context variable, so each counter runs its coroutines in a
``contextvars.Context`` of its own (``Counter.run``). Master data comes from HQ: the community is
published to HQ's change log and pulled, so every counter holds the same ids.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Coroutine
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from feetui.clock import FixedClock, IdSource
from feetui.config import Settings
from feetui.core.money import Money
from tests.builders import CASHIER_CODE, CASHIER_PIN, SUPERVISOR_CODE, SUPERVISOR_PIN, pin_hash
from tests.sync.hq import LiveHq

T = TypeVar("T")


@dataclass
class Community:
    """What HQ published: ids of users, fee items, units and charges."""

    site_id: str
    cashier_id: str
    supervisor_id: str
    fee_item_id: str
    one_off_item_id: str
    units: list[str] = field(default_factory=list)
    charges: dict[str, list[str]] = field(default_factory=dict)
    """Charges per unit, oldest first."""


async def publish_community(
    hq: LiveHq, ids: IdSource, *, units: int, charges_per_unit: int = 1, amount_fen: int = 10_000
) -> Community:
    """Publish users, one fee item, units and their charges to HQ's change log for ``S1``."""
    site = hq.sites["S1"]
    community = Community(site, ids.new_str(), ids.new_str(), ids.new_str(), ids.new_str())
    for user_id, code, name, role, pin in (
        (community.cashier_id, CASHIER_CODE, "李收银", "cashier", CASHIER_PIN),
        (community.supervisor_id, SUPERVISOR_CODE, "王主管", "supervisor", SUPERVISOR_PIN),
    ):
        await hq.publish(
            "user",
            {
                "id": user_id,
                "code": code,
                "name": name,
                "role": role,
                "pin_hash": pin_hash(pin),
                "disabled": False,
            },
        )
    await hq.publish(
        "fee_item",
        {
            "id": community.fee_item_id,
            "site_id": site,
            "code": "PF",
            "name": "物业费",
            "kind": "area",
            "rate_fen": 250,
        },
    )
    await hq.publish(
        "fee_item",
        {
            "id": community.one_off_item_id,
            "site_id": site,
            "code": "CARD",
            "name": "门禁卡工本费",
            "kind": "one_off",
            "rate_fen": 2000,
        },
    )
    for _number in range(units):
        await publish_unit(hq, ids, community, charges=charges_per_unit, amount_fen=amount_fen)
    return community


def copy_without_device(template: Path, path: Path) -> None:
    """A copy of the migrated template with its device row removed, so that opening it makes a
    new device (migrating from scratch costs ~1 s per counter). The template's receipt series
    is posted (a trigger refuses DELETE): the trigger is dropped for the copy and put back."""
    import shutil
    import sqlite3

    shutil.copyfile(template, path)
    raw = sqlite3.connect(path, isolation_level=None)
    try:
        [(trigger,)] = raw.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger'"
            " AND name = 'receipt_series_no_delete'"
        ).fetchall()
        raw.execute('DROP TRIGGER "receipt_series_no_delete"')
        for table in ("receipt_series", "sync_state", "device"):
            raw.execute(f"DELETE FROM {table}")
        raw.execute(trigger)
    finally:
        raw.close()


async def publish_unit(
    hq: LiveHq, ids: IdSource, community: Community, *, charges: int, amount_fen: int = 10_000
) -> str:
    """Publish one more unit of the community with ``charges`` monthly charges; returns its id."""
    unit_id = ids.new_str()
    room = f"{1001 + len(community.units)}"
    await hq.publish(
        "unit",
        {
            "id": unit_id,
            "site_id": community.site_id,
            "code": f"1-1-{room}",
            "building": "1",
            "entrance": "1",
            "room": room,
            "area_centi_m2": 8950,
        },
    )
    community.units.append(unit_id)
    community.charges[unit_id] = []
    for month in range(charges):
        charge_id = ids.new_str()
        await hq.publish(
            "charge",
            {
                "id": charge_id,
                "unit_id": unit_id,
                "fee_item_id": community.fee_item_id,
                "period": f"2026-{month + 1:02d}",
                "amount_fen": amount_fen,
                "due_date": date(2026, month + 1, 28).isoformat(),
            },
        )
        community.charges[unit_id].append(charge_id)
    return unit_id


class Counter:
    """One counter: its database, Tortoise context, services, and its enrolment at HQ.

    Args:
        path: its database file.
        clock: its clock (each counter may have its own).
        name: its device name.
    """

    def __init__(
        self, path: Path, clock: FixedClock, name: str, *, template: Path | None = None
    ) -> None:
        if template is not None and not path.exists():
            copy_without_device(template, path)
        self.path = path
        self.clock = clock
        self.name = name
        self.context = contextvars.copy_context()
        self.db: Any = None
        self.svc: Any = None
        self.target: Any = None
        self.shift_id = ""

    async def run(self, coro: Coroutine[Any, Any, T], *, base: bool = False) -> T:
        """Run ``coro`` as a task of this counter (its Tortoise context).

        Each task gets a copy of the counter's context, as asyncio gives every task of the app a
        copy: a transaction's connection, set in a context variable, stays the task's own.
        ``base`` runs in the counter's context itself (opening and closing the store).
        """
        context = self.context if base else self.context.copy()
        return await asyncio.get_running_loop().create_task(coro, context=context)

    def spawn(self, coro: Coroutine[Any, Any, T]) -> asyncio.Task[T]:
        """Start ``coro`` as a background task of this counter (the app's sync task)."""
        return asyncio.get_running_loop().create_task(coro, context=self.context.copy())

    async def open(self) -> None:
        """Open (or reopen) the database and build the services."""

        async def go() -> None:
            from feetui.db.connection import open_db
            from feetui.services.container import Services

            self.db = await open_db(self.path, clock=self.clock, device_name=self.name)
            settings = Settings(db_path=str(self.path), printer="none")
            self.svc = Services.build(settings, self.db, clock=self.clock)

        await self.run(go(), base=True)

    async def close(self) -> None:
        """Close the database (the process 'dies' politely)."""
        from feetui.db.connection import close_db

        if self.db is not None:
            db, self.db = self.db, None
            await self.run(close_db(db), base=True)

    @property
    def device_id(self) -> str:
        """This counter's device id."""
        return str(self.db.device_id)

    async def enroll(self, hq: LiveHq) -> None:
        """Enrol at ``S1`` with a fresh code."""
        from feetui.sync.enrolment import enroll_device
        from feetui.sync.service import find_target

        code = await hq.enrollment_code("S1", self.name)

        async def go() -> Any:
            await enroll_device(server=hq.url, code=code, name=self.name, now=self.clock.now())
            return await find_target("")

        self.target = await self.run(go())

    def service(self, server: str | None = None) -> Any:
        """A sync service for this counter (optionally through another URL, e.g. a proxy)."""
        from dataclasses import replace

        from feetui.sync.service import SyncService

        target = self.target if server is None else replace(self.target, server=server)
        return SyncService(target, self.clock)

    async def sync(self, server: str | None = None) -> Any:
        """One push+pull round; returns its report."""
        service = self.service(server)
        try:
            return await self.run(service.sync_once())
        finally:
            await service.close()

    async def open_shift(self, cashier_id: str) -> str:
        """Open a shift with a ¥500 float."""
        from feetui.services.shifts import open_shift

        shift_id = self.svc.ids.new_str()
        await self.run(
            open_shift(
                self.svc, shift_id=shift_id, cashier_id=cashier_id, opening_counts={"n100": 5}
            )
        )
        self.shift_id = shift_id
        return shift_id

    async def pay(
        self,
        unit_id: str,
        cashier_id: str,
        cash_fen: int,
        charge_ids: list[str] | None = None,
        **kwargs: Any,
    ) -> Any:
        """Take ``cash_fen`` in cash for ``unit_id`` (its charges, the rest to prepaid)."""
        from feetui.services.payments import take_payment
        from feetui.services.results import TenderInput

        return await self.run(
            take_payment(
                self.svc,
                payment_id=self.svc.ids.new_str(),
                unit_id=unit_id,
                cashier_id=cashier_id,
                tenders=[TenderInput("cash", Money(cash_fen))],
                charge_ids=charge_ids,
                **kwargs,
            )
        )

    async def query(self, sql: str, *args: Any) -> list[tuple[Any, ...]]:
        """Rows of a raw query on this counter's database."""
        from tortoise import connections

        async def go() -> list[tuple[Any, ...]]:
            _, rows = await connections.get("default").execute_query(sql, list(args))
            return [tuple(row) for row in rows]

        return await self.run(go())

    async def prepaid(self, unit_id: str) -> int:
        """The unit's prepaid balance here, in fen."""
        from feetui.db.queries.balances import get_prepaid_balance

        return (await self.run(get_prepaid_balance(unit_id))).fen

    async def outstanding(self, unit_id: str) -> int:
        """What the unit's charges still owe here (overpaid charges count as 0), in fen."""
        from feetui.db.queries.balances import list_charge_balances

        balances = await self.run(list_charge_balances(unit_id))
        return sum(max(b.outstanding.fen, 0) for b in balances)


@dataclass
class Site:
    """A live HQ on either database, an HQ admin's token, one enrolled counter and the community
    it pulled (the ``site`` fixture); ``paid`` keeps ids a test wants later."""

    hq: LiveHq
    token: str
    counter: Counter
    community: Community
    paid: dict[str, Any] = field(default_factory=dict)

    async def login(self) -> None:
        """Sign HQ's admin ``boss`` in (an HQ user's token lasts hours, not days)."""
        self.token = await self.hq.login("boss", "pw-boss")

    async def report(self, path: str) -> dict[str, Any]:
        """A report's JSON from HQ, as its admin sees it."""
        return await self.hq.get_json(path, self.token)
