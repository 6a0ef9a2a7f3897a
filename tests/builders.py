"""Builders that set up a small community so service tests read as short scenarios.

Master data (site, units, fee items, users) and HQ-billed charges are written directly, the way
the sync puller stores what headquarters sends; everything the counter posts goes through the
services. Demo codes: cashier ``1001`` / PIN ``1234``, supervisor ``9001`` / PIN ``9999``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from tortoise import connections

from feetui.core.money import Money
from feetui.core.pin import hash_pin
from feetui.db.models import Charge, FeeItem, Site, Unit, User
from feetui.db.queries.balances import get_prepaid_balance, list_charge_balances
from feetui.services.container import Services
from feetui.services.payments import take_payment
from feetui.services.results import PostedPayment, TenderInput
from feetui.services.shifts import OpenedShift, open_shift

CASHIER_CODE, CASHIER_PIN = "1001", "1234"
SUPERVISOR_CODE, SUPERVISOR_PIN = "9001", "9999"

# code: (name, kind, rate_fen, unit label, late-fee ppm per day, grace days, cap percent)
FEE_ITEMS = {
    "PF": ("物业费", "area", 250, "m²", 500, 0, 100),
    "PK": ("停车费", "fixed", 15000, "月", 0, 0, 0),
    "WA": ("水费", "metered", 420, "m³", 0, 0, 0),
    "CARD": ("门禁卡工本费", "one_off", 2000, "张", 0, 0, 0),
}


@lru_cache(maxsize=8)
def pin_hash(pin: str) -> str:
    """A stored PIN hash (cached: scrypt is deliberately slow)."""
    return hash_pin(pin, salt=b"builders-salt-" + pin.encode())


@dataclass
class Ledger:
    """A site with fee items, a cashier, a supervisor and (usually) an open shift."""

    svc: Services
    site: Site
    cashier: User
    supervisor: User
    fee_items: dict[str, FeeItem]
    shift: OpenedShift | None = None
    _units: int = field(default=0)

    def svc_db_path(self) -> str:
        """The database file (from the settings the services were built with)."""
        return str(self.svc.settings.resolved_db_path())

    def new_id(self) -> str:
        """A fresh record id from the services' id source."""
        return self.svc.ids.new_str()

    async def unit(
        self, code: str = "", *, area_centi_m2: int = 8950, owner: str = "张三丰"
    ) -> Unit:
        """A residential unit (codes 1-1-101, 1-1-102 ... unless given)."""
        self._units += 1
        code = code or f"1-1-{100 + self._units}"
        building, entrance, room = code.split("-")
        return await Unit.create(
            id=self.new_id(),
            site=self.site,
            code=code,
            building=building,
            entrance=entrance,
            room=room,
            area_centi_m2=area_centi_m2,
            owner_name=owner,
        )

    async def charge(
        self,
        unit: Unit,
        *,
        item: str = "PF",
        period: str = "2026-10",
        amount_fen: int = 10_000,
        due_date: date | None = None,
    ) -> Charge:
        """A charge billed by headquarters (due at the end of its period's month by default)."""
        year, month = (int(part) for part in period.split("-"))
        return await Charge.create(
            id=self.new_id(),
            unit=unit,
            fee_item=self.fee_items[item],
            period=period,
            amount_fen=amount_fen,
            due_date=due_date or date(year, month, 28),
            source="bill",
            created_at=self.svc.clock.now(),
        )

    async def open_shift(self, counts: dict[str, int] | None = None) -> OpenedShift:
        """Open a shift for the cashier with a ¥500 float unless counts are given."""
        self.shift = await open_shift(
            self.svc,
            shift_id=self.new_id(),
            cashier_id=self.cashier.id,
            opening_counts=counts if counts is not None else {"n100": 5},
        )
        return self.shift

    async def pay(
        self, unit: Unit, *, cash: int | None = None, payment_id: str = "", **kwargs: object
    ) -> PostedPayment:
        """Take a payment of ``unit``: by default exact cash for everything it owes."""
        if "tenders" not in kwargs:
            due = cash if cash is not None else await self.due(unit)
            kwargs["tenders"] = [TenderInput("cash", Money(due))]
        return await take_payment(
            self.svc,
            payment_id=payment_id or self.new_id(),
            unit_id=unit.id,
            cashier_id=self.cashier.id,
            **kwargs,  # type: ignore[arg-type]
        )

    async def due(self, unit: Unit) -> int:
        """What ``unit`` owes now in fen, late fees as of the shift's business date included."""
        as_of = self.shift.business_date if self.shift else self.svc.clock.now().date()
        balances = await list_charge_balances(unit.id)
        owed = [b for b in balances if b.outstanding.fen > 0]
        return sum(b.outstanding.fen + b.late_fee_as_of(as_of).fen for b in owed)

    async def prepaid(self, unit: Unit) -> int:
        """The unit's prepaid balance in fen."""
        return (await get_prepaid_balance(unit.id)).fen


POSTED_TABLES = (
    "adjustment",
    "allocation",
    "cash_movement",
    "charge",
    "journal_entry",
    "meter_reading",
    "outbox",
    "payment",
    "prepaid_entry",
    "receipt_number",
    "refund",
    "shift",
    "shift_close",
    "tender",
    "void",
)


async def snapshot() -> dict[str, tuple[int, int]]:
    """Row count and the sum of every ``*_fen`` column, per posted table (to prove "no change")."""
    conn = connections.get("default")
    result = {}
    for table in POSTED_TABLES:
        _, columns = await conn.execute_query(f'PRAGMA table_info("{table}")')
        money = [c[1] for c in columns if c[1].endswith("_fen")] or ["0"]
        total = " + ".join(f"COALESCE(SUM({name}), 0)" for name in money)
        _, rows = await conn.execute_query(f'SELECT COUNT(*), {total} FROM "{table}"')
        result[table] = (rows[0][0], rows[0][1])
    return result


async def make_ledger(svc: Services, *, with_shift: bool = True) -> Ledger:
    """A site "示范小区" with the fee items of :data:`FEE_ITEMS`, users, and an open shift."""
    site = await Site.create(id=svc.ids.new_str(), code="DEMO", name="示范小区")
    items = {}
    for code, (name, kind, rate, label, ppm, grace, cap) in FEE_ITEMS.items():
        items[code] = await FeeItem.create(
            id=svc.ids.new_str(),
            site=site,
            code=code,
            name=name,
            kind=kind,
            rate_fen=rate,
            unit_label=label,
            late_fee_daily_ppm=ppm,
            late_fee_grace_days=grace,
            late_fee_cap_percent=cap,
        )
    cashier = await _user(svc, CASHIER_CODE, "李收银", "cashier", CASHIER_PIN)
    supervisor = await _user(svc, SUPERVISOR_CODE, "王主管", "supervisor", SUPERVISOR_PIN)
    ledger = Ledger(svc, site, cashier, supervisor, items)
    if with_shift:
        await ledger.open_shift()
    return ledger


async def _user(svc: Services, code: str, name: str, role: str, pin: str) -> User:
    return await User.create(
        id=svc.ids.new_str(), code=code, name=name, role=role, pin_hash=pin_hash(pin)
    )


__all__ = [
    "CASHIER_CODE",
    "CASHIER_PIN",
    "FEE_ITEMS",
    "SUPERVISOR_CODE",
    "SUPERVISOR_PIN",
    "Ledger",
    "make_ledger",
    "pin_hash",
    "snapshot",
]
