"""Unit search against a real database: every kind of query, ranking, limits and the balances."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from feetui.core.money import Money
from feetui.core.search import MatchKind
from feetui.db.models import (
    Charge,
    FeeItem,
    Party,
    PrepaidEntry,
    SearchKey,
    SearchUnit,
    Site,
    Unit,
    UnitBalance,
    Vehicle,
)
from feetui.db.pinyin import SURNAME_INITIALS
from feetui.db.queries.search import search_units
from feetui.db.search_index import index_units, rebuild_search_index

NOW = datetime(2026, 11, 23, 1, 30, tzinfo=UTC)

PEOPLE = [
    # code, owner, phone, plates
    ("3-2-1502", "张三丰", "13812345678", ["京A·12345"]),
    ("3-2-1501", "李四", "13900001111", []),
    ("3-1-1502", "王五", "13700002222", ["粤BD12345"]),
    ("12-1-301", "单田芳", "13600003333", []),
    ("12-1-302", "曾国藩", "13500004444", []),
    ("12-1-303", "解缙", "13400005555", []),
    ("12-2-101", "仇英", "13300006666", []),
    ("12-2-102", "查良镛", "13200007777", []),
    ("12-2-103", "覃雪", "13100008888", []),
    ("5-1-101", "区志强", "15000009999", []),
    ("5-1-102", "翟志刚", "15100001010", []),
    ("5-1-103", "尉迟恭", "15200001212", []),
    ("5-1-104", "欧阳娜娜", "15300001313", ["沪C88888"]),
    ("A-1-301", "张", "15400001414", []),
]


class Community:
    """Ids of the units made by :func:`community`, by code."""

    def __init__(self, site: Site, units: dict[str, str]) -> None:
        self.site = site
        self.units = units


async def _unit(site: Site, code: str, owner: str, phone: str, n: int) -> Unit:
    party = await Party.create(id=f"p-{n:04d}", site=site, name=owner, phone=phone)
    b, e, r = code.split("-")
    return await Unit.create(
        id=f"u-{n:04d}",
        site=site,
        code=code,
        building=b,
        entrance=e,
        room=r,
        floor=int(r) // 100,
        area_centi_m2=9000,
        owner=party,
    )


@pytest.fixture
async def community(db) -> Community:
    site = await Site.create(id="site-1", code="DEMO", name="示范小区")
    units = {}
    for n, (code, owner, phone, plates) in enumerate(PEOPLE):
        unit = await _unit(site, code, owner, phone, n)
        for k, plate in enumerate(plates):
            await Vehicle.create(id=f"v-{n}-{k}", unit=unit, plate=plate, party_id=unit.owner_id)
        units[code] = unit.id
    await index_units(units.values())
    return Community(site, units)


async def _codes(query: str, **kw) -> list[str]:
    return [hit.code for hit in await search_units(query, **kw)]


@pytest.mark.parametrize(
    "query", ["3-2-1502", "3栋2单元1502", "3号楼2单元1502室", "3 2 1502", "３－２－１５０２"]
)
async def test_search_by_full_code_puts_the_exact_unit_first(community, query: str) -> None:
    hits = await search_units(query)
    assert hits[0].code == "3-2-1502"
    assert hits[0].match is MatchKind.CODE
    assert [h.code for h in hits] == ["3-2-1502"]


async def test_search_by_room_only_finds_that_room_in_every_building(community) -> None:
    hits = await search_units("1502")
    assert {h.code for h in hits} == {"3-2-1502", "3-1-1502"}
    assert {h.match for h in hits} == {MatchKind.ROOM}


async def test_search_by_building_and_by_half_typed_room(community) -> None:
    assert set(await _codes("12栋")) == {c for c in community.units if c.startswith("12-")}
    assert set(await _codes("3-2-150")) == {"3-2-1501", "3-2-1502"}
    assert await _codes("3栋1501") == ["3-2-1501"]


async def test_search_by_one_character_name_ranks_the_whole_name_then_surnames(community) -> None:
    hits = await search_units("张")
    assert [h.code for h in hits] == ["A-1-301", "3-2-1502"]
    assert [h.match for h in hits] == [MatchKind.NAME, MatchKind.NAME_PREFIX]


async def test_search_by_a_character_inside_a_name(community) -> None:
    hits = await search_units("丰")
    assert [(h.code, h.match) for h in hits] == [("3-2-1502", MatchKind.NAME_CONTAINS)]


@pytest.mark.parametrize(
    ("query", "code"),
    [("李四", "3-2-1501"), ("张三", "3-2-1502"), ("三丰", "3-2-1502"), ("张三丰", "3-2-1502")],
)
async def test_search_by_two_and_three_character_names(community, query: str, code: str) -> None:
    assert await _codes(query) == [code]


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("zsf", "3-2-1502"),
        ("ZSF", "3-2-1502"),
        ("stf", "12-1-301"),
        ("zgf", "12-1-302"),
        ("xj", "12-1-303"),
        ("qy", "12-2-101"),
        ("zly", "12-2-102"),
        ("qx", "12-2-103"),
        ("ozq", "5-1-101"),
        ("zzg", "5-1-102"),
        ("ycg", "5-1-103"),
        ("oynn", "5-1-104"),
    ],
)
async def test_search_by_initials_reads_surnames_right(community, query: str, code: str) -> None:
    hits = await search_units(query)
    assert [h.code for h in hits] == [code]
    assert hits[0].match is MatchKind.INITIALS


async def test_search_by_start_of_initials(community) -> None:
    assert set(await _codes("z")) >= {"3-2-1502", "12-1-302", "12-2-102", "5-1-102", "A-1-301"}
    assert "12-1-301" not in await _codes("d")  # 单 is Shan, never Dan


@pytest.mark.parametrize(
    ("query", "code"), [("5678", "3-2-1502"), ("345678", "3-2-1502"), ("13812345678", "3-2-1502")]
)
async def test_search_by_phone_tail(community, query: str, code: str) -> None:
    hits = await search_units(query)
    assert [(h.code, h.match) for h in hits] == [(code, MatchKind.PHONE)]


@pytest.mark.parametrize(
    ("query", "codes"),
    [
        ("京A·12345", {"3-2-1502"}),
        ("京a12345", {"3-2-1502"}),
        ("京A", {"3-2-1502"}),
        ("粤BD12345", {"3-1-1502"}),
        ("沪C 88888", {"5-1-104"}),
        ("12345", {"3-2-1502", "3-1-1502"}),
        ("D12345", {"3-1-1502"}),
        ("888", {"5-1-104"}),
    ],
)
async def test_search_by_plate_whole_start_or_tail(community, query: str, codes: set) -> None:
    hits = await search_units(query)
    assert {h.code for h in hits} == codes
    assert {h.match for h in hits} == {MatchKind.PLATE}


async def test_hit_carries_masked_phone_plates_and_owner(community) -> None:
    (hit,) = await search_units("3-2-1502")
    assert hit.owner_name == "张三丰"
    assert hit.phone_masked == "138****5678"
    assert hit.plates == ("京A12345",)
    assert hit.unit_id == community.units["3-2-1502"]
    assert hit.arrears == Money(0)


@pytest.mark.parametrize("query", ["", "   ", "!!!", "不存在的人", "9-9-9999", "x" * 500])
async def test_search_with_bad_or_empty_input_finds_nothing(community, query: str) -> None:
    assert await search_units(query) == []


async def test_search_respects_the_limit(community) -> None:
    assert len(await search_units("z", limit=2)) == 2
    assert await search_units("z", limit=0) == []


async def test_search_caps_results_at_the_default_page(db) -> None:
    site = await Site.create(id="site-1", code="DEMO", name="示范小区")
    ids = [(await _unit(site, f"1-1-{n + 100}", "张伟", "", n)).id for n in range(230)]
    await index_units(ids)
    assert len(await search_units("张")) == 200
    assert len(await search_units("1栋")) == 200


async def test_reindexing_follows_changes_and_drops_inactive_units(community) -> None:
    unit = await Unit.get(id=community.units["3-2-1501"])
    await Party.filter(id=unit.owner_id).update(name="赵六")
    await index_units([unit.id])
    assert await _codes("李四") == []
    assert await _codes("赵六") == ["3-2-1501"]
    await Unit.filter(id=unit.id).update(active=False)
    await index_units([unit.id])
    assert await _codes("3-2-1501") == []
    assert not await SearchKey.filter(unit_id=unit.id).exists()


async def test_rebuild_gives_the_same_index(community) -> None:
    before = sorted(await SearchKey.all().values_list("key", "unit_id"))
    cards = sorted(await SearchUnit.all().values_list("unit_id", "code", "owner_name"))
    assert await rebuild_search_index() == len(PEOPLE)
    assert sorted(await SearchKey.all().values_list("key", "unit_id")) == before
    assert sorted(await SearchUnit.all().values_list("unit_id", "code", "owner_name")) == cards


async def test_arrears_and_prepaid_follow_posted_rows(community) -> None:
    unit_id = community.units["3-2-1502"]
    item = await FeeItem.create(
        id="f-1", site=community.site, code="PM", name="物业费", kind="area"
    )
    for n in range(3):
        await Charge.create(
            id=f"c-{n}",
            unit_id=unit_id,
            fee_item=item,
            period=f"2026-0{n + 1}",
            amount_fen=12_345,
            due_date=date(2026, n + 1, 28),
            source="bill",
            created_at=NOW,
        )
    await PrepaidEntry.create(
        id="e-1", unit_id=unit_id, amount_fen=500, kind="credit", created_at=NOW
    )
    (hit,) = await search_units("3-2-1502")
    assert hit.arrears == Money(3 * 12_345)
    assert "prepaid" in hit.tags
    balance = await UnitBalance.get(unit_id=unit_id)
    await rebuild_search_index()
    again = await UnitBalance.get(unit_id=unit_id)
    assert (again.arrears_fen, again.prepaid_fen) == (balance.arrears_fen, balance.prepaid_fen)


async def test_every_override_surname_is_found_by_its_initials(db) -> None:
    site = await Site.create(id="site-1", code="DEMO", name="示范小区")
    surnames = sorted(SURNAME_INITIALS)
    ids = [
        (await _unit(site, f"1-1-{n + 101}", surname + "明", "", n)).id
        for n, surname in enumerate(surnames)
    ]
    await index_units(ids)
    for n, surname in enumerate(surnames):
        for reading in SURNAME_INITIALS[surname]:
            assert f"1-1-{n + 101}" in await _codes(reading + "m"), surname
