"""A standalone counter makes its own site and fee items through the checks HQ runs: one site,
one transaction each, refusals in Chinese with nothing written, bills keep their amounts when an
item changes, and an enrolled counter leaves all of it to headquarters."""

from __future__ import annotations

from dataclasses import replace

import pytest
from tortoise import connections

from feetui.core.errors import FeeError, InputError, RuleError
from feetui.core.master_data import FeeItemSpec
from feetui.db.models import Charge, Device, FeeItem, Site, Unit
from feetui.i18n import tr_error
from feetui.services.billing import bill_period
from feetui.services.master_data import (
    add_fee_item,
    add_site,
    list_fee_items,
    list_sites,
    update_fee_item,
)

PF = FeeItemSpec("PF", "物业费", "area", 250, late_fee_daily_ppm=500, late_fee_grace_days=15,
                 late_fee_cap_percent=30)  # fmt: skip
PK = FeeItemSpec("PK", "停车费", "fixed", 15000, due_day=31, scope="vehicle")


async def _everything() -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table of the counter, to prove a refusal changed nothing."""
    conn = connections.get("default")
    _, tables = await conn.execute_query(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    )
    state = {}
    for (table,) in (tuple(row) for row in tables):
        _, rows = await conn.execute_query(f'SELECT * FROM "{table}" ORDER BY 1')
        state[table] = [tuple(row) for row in rows]
    return state


async def _refused(call, code: str, words: str) -> FeeError:
    before = await _everything()
    with pytest.raises(FeeError) as caught:
        await call()
    assert caught.value.code == code
    text = tr_error(caught.value)
    assert words in text and "{" not in text, text
    assert await _everything() == before
    return caught.value


async def test_add_site_makes_the_counters_one_site_and_a_second_is_refused(svc) -> None:
    row = await add_site(svc, code=" LJY ", name="绿景苑")
    assert (row.code, row.name, row.own) == ("LJY", "绿景苑", True)
    device = await Device.get(id=svc.device_id)
    assert device.site_id == row.site_id  # type: ignore[attr-defined]
    assert await list_sites(svc) == [row]
    error = await _refused(
        lambda: add_site(svc, code="CHY", name="翠湖居"), "site_exists", "只能有一个小区"
    )
    assert isinstance(error, RuleError) and "LJY（绿景苑）" in tr_error(error)


@pytest.mark.parametrize(
    ("code", "name", "error", "words"),
    [("L J", "绿景苑", "site_code_invalid", "编码"), ("LJY", "", "site_name_invalid", "名称")],
)
async def test_add_site_refuses_a_bad_code_or_name_in_chinese(svc, code, name, error, words):
    assert isinstance(await _refused(lambda: add_site(svc, code=code, name=name), error, words),
                      InputError)  # fmt: skip


async def test_fee_items_need_the_site_first(svc) -> None:
    await _refused(lambda: add_fee_item(svc, PF), "own_site_unknown", "feetui sites add")


async def test_add_fee_item_writes_every_field_and_refuses_a_second_with_its_code(svc) -> None:
    site = await add_site(svc, code="LJY", name="绿景苑")
    added = await add_fee_item(svc, replace(PF, code=" PF "))
    item = await FeeItem.get(id=added.item_id)
    assert (item.site_id, item.code, item.name, item.kind, item.rate_fen) == (  # type: ignore[attr-defined]
        site.site_id, "PF", "物业费", "area", 250)  # fmt: skip
    assert (item.due_day, item.scope, item.months_per_bill) == (28, "unit", 1)
    assert (item.late_fee_daily_ppm, item.late_fee_grace_days, item.late_fee_cap_percent) == (
        500, 15, 30)  # fmt: skip
    await add_fee_item(svc, PK)
    assert [(r.site_code, r.spec) for r in await list_fee_items(svc)] == [("LJY", PF), ("LJY", PK)]
    await _refused(lambda: add_fee_item(svc, replace(PK, code="PF")), "fee_item_exists", "PF")


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"kind": "hourly"}, "fee_kind_invalid"),
        ({"rate_fen": -1}, "fee_rate_invalid"),
        ({"months_per_bill": 13}, "months_per_bill_invalid"),
        ({"due_day": 0}, "due_day_invalid"),
        ({"due_day": 32}, "due_day_invalid"),
        ({"late_fee_cap_percent": 101}, "late_fee_cap_invalid"),
    ],
)
async def test_add_fee_item_refuses_a_bad_value_and_writes_nothing(svc, change, error) -> None:
    await add_site(svc, code="LJY", name="绿景苑")
    await _refused(lambda: add_fee_item(svc, replace(PF, **change)), error, "")


async def test_set_changes_only_the_given_fields_and_bills_keep_their_amounts(svc) -> None:
    site = await add_site(svc, code="LJY", name="绿景苑")
    await add_fee_item(svc, PF)
    await Unit.create(id=svc.ids.new_str(), site_id=site.site_id, code="1-1-101", building="1",
                      entrance="1", room="101", area_centi_m2=8950)  # fmt: skip
    await bill_period(svc, period="2026-11")
    changed = await update_fee_item(svc, code="PF", changes={"rate_fen": 300, "due_day": 10})
    assert changed.spec == replace(PF, rate_fen=300, due_day=10)
    # 89.50 m² × ¥2.50 stays on November's bill; December bills ¥3.00, due the 10th.
    assert [(c.period, c.amount_fen, str(c.due_date)) for c in await Charge.all().order_by(
        "period")] == [("2026-11", 22375, "2026-11-28")]  # fmt: skip
    await bill_period(svc, period="2026-12")
    assert [(c.amount_fen, str(c.due_date)) for c in await Charge.filter(period="2026-12")] == [
        (26850, "2026-12-10")
    ]


@pytest.mark.parametrize(
    ("code", "changes", "error"),
    [
        ("PF", {}, "fee_item_nothing_to_change"),
        ("PF", {"kind": "fixed"}, "fee_item_nothing_to_change"),
        ("PF", {"due_day": 32}, "due_day_invalid"),
        ("PF", {"months_per_bill": 13}, "months_per_bill_invalid"),
        ("PF", {"late_fee_cap_percent": 101}, "late_fee_cap_invalid"),
        ("NOPE", {"rate_fen": 1}, "fee_item_unknown"),
    ],
)
async def test_set_refuses_bad_changes_and_writes_nothing(svc, code, changes, error) -> None:
    await add_site(svc, code="LJY", name="绿景苑")
    await add_fee_item(svc, PF)
    await _refused(lambda: update_fee_item(svc, code=code, changes=changes), error, "")


async def test_an_enrolled_counter_leaves_sites_and_fee_items_to_hq(svc) -> None:
    await add_site(svc, code="LJY", name="绿景苑")
    await add_fee_item(svc, PF)
    await Device.filter(id=svc.device_id).update(sync_token="fdt_x", server_url="http://hq")
    await _refused(lambda: add_site(svc, code="CHY", name="翠湖居"), "sites_by_hq",
                   "sync-server sites")  # fmt: skip
    await _refused(lambda: add_fee_item(svc, PK), "fee_items_by_hq", "sync-server fee-items")
    await _refused(lambda: update_fee_item(svc, code="PF", changes={"rate_fen": 1}),
                   "fee_items_by_hq", "sync-server fee-items")  # fmt: skip
    assert [row.code for row in await list_sites(svc)] == ["LJY"]


async def test_a_counter_holding_one_site_without_naming_it_adds_items_there(svc) -> None:
    # A counter made before ``feetui sites add`` existed (demo data) holds one site, unnamed.
    site = await Site.create(id=svc.ids.new_str(), code="DEMO01", name="示范小区")
    row = await add_fee_item(svc, PK)
    assert row.site_code == "DEMO01"
    assert (await FeeItem.get(id=row.item_id)).site_id == site.id  # type: ignore[attr-defined]
    await _refused(lambda: add_site(svc, code="LJY", name="绿景苑"), "site_exists", "DEMO01")
