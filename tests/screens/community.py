"""A small community for the screen tests: two users, three fee items, a handful of units.

Master data (site, users, fee items, units, charges) comes from headquarters in real life, so it
is written here directly as rows; money that moves at the counter goes through the services.

Who is who:

* cashier ``1001`` 王芳, PIN ``1234``; supervisor ``9001`` 李主管, PIN ``9999``;
* ``3-2-1502`` 张三丰 owes three months of property fee (the oldest overdue with a late fee)
  and one month of parking;
* ``3-2-1501`` 李四 owes nothing;
* ``1-1-101`` 赵[记]商店, a shop whose name has markup-like brackets, owes one month of rent;
* ``2-1-301`` 王五 holds ¥500.00 of prepaid balance and owes one month of property fee
  (written by :func:`open_counter`, which also opens the cashier's shift with a ¥500 float).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, date, datetime

from feetui.core.money import Money
from feetui.core.pin import hash_pin
from feetui.db.models import Charge, FeeItem, Party, Site, Unit, User
from feetui.db.search_index import index_units

CASHIER_CODE, CASHIER_PIN = "1001", "1234"
SUPERVISOR_CODE, SUPERVISOR_PIN = "9001", "9999"
CREATED = datetime(2026, 8, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Community:
    """Ids the tests look up."""

    cashier_id: str
    supervisor_id: str
    owing_unit_id: str
    paid_up_unit_id: str
    shop_unit_id: str
    prepaid_unit_id: str = ""


async def build_community(ids: object) -> Community:
    """Write the community with ids from ``ids`` (an :class:`~feetui.clock.IdSource`)."""
    new = ids.new_str  # type: ignore[attr-defined]
    site = await Site.create(id=new(), code="YG", name="阳光花园")
    cashier = await _user(new(), CASHIER_CODE, "王芳", "cashier", CASHIER_PIN)
    supervisor = await _user(new(), SUPERVISOR_CODE, "李主管", "supervisor", SUPERVISOR_PIN)
    property_fee = await FeeItem.create(
        id=new(),
        site=site,
        code="WYF",
        name="物业费",
        kind="area",
        rate_fen=250,
        unit_label="m²",
        late_fee_daily_ppm=500,
        late_fee_grace_days=0,
        late_fee_cap_percent=20,
    )
    parking = await FeeItem.create(
        id=new(), site=site, code="TCF", name="停车费", kind="fixed", rate_fen=30000
    )
    rent = await FeeItem.create(id=new(), site=site, code="ZJ", name="租金", kind="fixed")
    owing = await _unit(new(), site, "3-2-1502", "张三丰", "13812345678", 8950, new)
    paid_up = await _unit(new(), site, "3-2-1501", "李四", "13900001111", 9000, new)
    shop = await _unit(new(), site, "1-1-101", "赵[记]商店", "13700002222", 4000, new, "shop")
    for month, due in (("2026-09", date(2026, 9, 30)), ("2026-10", date(2026, 10, 31))):
        await _charge(new(), owing, property_fee, month, due, 22375)
    await _charge(new(), owing, property_fee, "2026-11", date(2026, 11, 30), 22375)
    await _charge(new(), owing, parking, "2026-10", date(2026, 10, 31), 30000)
    await _charge(new(), shop, rent, "2026-11", date(2026, 11, 10), 500000)
    await FeeItem.create(
        id=new(), site=site, code="CARD", name="门禁卡工本费", kind="one_off", rate_fen=2000
    )
    await index_units([owing.id, paid_up.id, shop.id])
    return Community(cashier.id, supervisor.id, owing.id, paid_up.id, shop.id)


async def _user(user_id: str, code: str, name: str, role: str, pin: str) -> User:
    return await User.create(
        id=user_id, code=code, name=name, role=role, pin_hash=hash_pin(pin, salt=os.urandom(16))
    )


async def _unit(
    unit_id: str,
    site: Site,
    code: str,
    owner: str,
    phone: str,
    area_centi: int,
    new: object,
    kind: str = "residential",
) -> Unit:
    building, entrance, room = code.split("-")
    party = await Party.create(id=new(), site=site, name=owner, phone=phone)  # type: ignore[operator]
    return await Unit.create(
        id=unit_id,
        site=site,
        code=code,
        building=building,
        entrance=entrance,
        floor=int(room[:-2] or 0),
        room=room,
        area_centi_m2=area_centi,
        kind=kind,
        owner=party,
        owner_name=owner,
        phone_tail=phone[-4:],
    )


async def _charge(
    charge_id: str, unit: Unit, item: FeeItem, period: str, due: date, amount_fen: int
) -> Charge:
    return await Charge.create(
        id=charge_id,
        unit=unit,
        fee_item=item,
        period=period,
        amount_fen=amount_fen,
        due_date=due,
        source="bill",
        created_at=CREATED,
    )


async def open_counter(community: Community, svc: object) -> Community:
    """Open the cashier's shift and give ``2-1-301`` a prepaid balance, through the services."""
    from dataclasses import replace

    from feetui.services.payments import take_payment
    from feetui.services.results import TenderInput
    from feetui.services.shifts import open_shift

    new = svc.ids.new_str  # type: ignore[attr-defined]
    await open_shift(
        svc, shift_id=new(), cashier_id=community.cashier_id, opening_counts={"n100": 5}
    )
    unit = await Unit.get(id=community.owing_unit_id).prefetch_related("site")
    site = unit.site
    parking = await FeeItem.get(site=site, code="TCF")
    property_fee = await FeeItem.get(site=site, code="WYF")
    prepaid = await _unit(new(), site, "2-1-301", "王五", "13600003333", 8950, new)
    old = await _charge(new(), prepaid, parking, "2026-10", date(2026, 10, 31), 10000)
    await take_payment(
        svc,
        payment_id=new(),
        unit_id=prepaid.id,
        cashier_id=community.cashier_id,
        tenders=[TenderInput("cash", Money(60000))],
        charge_ids=[old.id],
        overpay_to_prepaid=True,
    )
    await _charge(new(), prepaid, property_fee, "2026-11", date(2026, 11, 30), 22375)
    await index_units([prepaid.id])
    return replace(community, prepaid_unit_id=prepaid.id)
