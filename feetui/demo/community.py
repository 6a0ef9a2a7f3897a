"""The demo community's master data: buildings of flats, a row of shops, owners, cars, fee items
and the counter's users, drawn from a seeded random source.

Buildings come in the shapes of a real northern Chinese estate: six-storey walk-ups (多层), small
high-rises (小高层), high-rises and towers, each with entrances (单元) and two to four flats per
floor, numbered floor × 100 + position (``3-2-1502``). About 3% of units are shops on a
commercial street (``S1-1-105``) that pay rent and a higher property fee.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from feetui.core.unitcode import canonical_code
from feetui.demo.ids import SeededIds
from feetui.demo.people import PeopleSource

SITE_CODE = "DEMO01"
SITE_NAME = "翠湖花园"


@dataclass(frozen=True, slots=True)
class BuildingShape:
    """One kind of building: floors, entrances, flats per floor and entrance, flat sizes."""

    floors: tuple[int, int]
    entrances: tuple[int, int]
    per_floor: int
    area_m2: tuple[int, int]
    weight: int


SHAPES = (
    BuildingShape(floors=(6, 6), entrances=(3, 4), per_floor=2, area_m2=(60, 110), weight=4),
    BuildingShape(floors=(11, 11), entrances=(2, 3), per_floor=2, area_m2=(85, 140), weight=3),
    BuildingShape(floors=(18, 18), entrances=(2, 2), per_floor=3, area_m2=(75, 150), weight=3),
    BuildingShape(floors=(26, 33), entrances=(2, 2), per_floor=4, area_m2=(60, 130), weight=2),
    BuildingShape(floors=(6, 7), entrances=(2, 2), per_floor=2, area_m2=(130, 180), weight=1),
)


@dataclass(slots=True)
class Party:
    """An owner (or, for a shop, the business) of a unit."""

    id: str
    name: str
    phone: str
    kind: str


@dataclass(slots=True)
class Car:
    """A car of a unit, with the kind of space it parks in (``underground`` or ``ground``)."""

    id: str
    plate: str
    space: str


@dataclass(slots=True)
class Unit:
    """A flat or a shop with everything the demo knows about it."""

    id: str
    code: str
    building: str
    entrance: str
    floor: int
    room: str
    area_centi_m2: int
    kind: str
    owner: Party
    tags: str = ""
    cars: list[Car] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class FeeItem:
    """A fee item of the site (see :class:`feetui.db.models.FeeItem` for the meaning of rate)."""

    id: str
    code: str
    name: str
    kind: str
    rate_fen: int
    months_per_bill: int
    unit_label: str
    late_fee_daily_ppm: int = 0
    late_fee_grace_days: int = 0
    late_fee_cap_percent: int = 0
    due_day: int = 31
    """The demo's bills fall due at the end of their month."""
    scope: str = "unit"
    """``vehicle`` for parking: billed per car."""


@dataclass(frozen=True, slots=True)
class DemoUser:
    """A counter user with the demo code and PIN the command prints."""

    id: str
    code: str
    name: str
    role: str
    pin: str


@dataclass(slots=True)
class Community:
    """All master data of the demo site."""

    site_id: str
    site_code: str
    site_name: str
    units: list[Unit]
    fee_items: dict[str, FeeItem]
    users: list[DemoUser]


PROPERTY_RATES_FEN = (185, 198, 210, 220, 235, 250, 265, 280)
"""Property fee choices, fen per m² per month (¥1.85 … ¥2.80)."""
WATER_PRICES_FEN = (345, 370, 395, 420, 455, 500)
"""Water price choices, fen per m³."""


def fee_items(rng: random.Random, ids: SeededIds) -> dict[str, FeeItem]:
    """The site's fee items with realistic rates, by code."""
    pm_rate = rng.choice(PROPERTY_RATES_FEN)
    items = [
        FeeItem(ids.new_str(), "PM", "物业服务费", "area", pm_rate, 3, "m²", 300, 60, 20),
        FeeItem(ids.new_str(), "SPM", "商铺物业费", "area", 450, 1, "m²", 300, 60, 20),
        FeeItem(ids.new_str(), "RENT", "商铺租金", "area", rng.choice((5800, 6500, 7200)), 1,
                "m²", 500, 15, 30),
        FeeItem(ids.new_str(), "PARKU", "地下车位管理费", "fixed", 15000, 3, "月", scope="vehicle"),
        FeeItem(ids.new_str(), "PARKG", "地面停车费", "fixed", 8000, 3, "月", scope="vehicle"),
        FeeItem(ids.new_str(), "WATER", "水费", "metered", rng.choice(WATER_PRICES_FEN), 2, "m³"),
        FeeItem(ids.new_str(), "ELEC", "商铺电费", "metered", 56, 1, "kWh"),
        FeeItem(ids.new_str(), "SHARED", "公摊电费", "metered", 56, 2, "kWh"),
        FeeItem(ids.new_str(), "RUBBISH", "生活垃圾清运费", "fixed", 1000, 3, "月"),
        FeeItem(ids.new_str(), "HEAT", "供暖费", "area", 500, 5, "m²"),
    ]  # fmt: skip
    return {item.code: item for item in items}


DEMO_USERS = (
    ("1001", "王丽", "cashier", "1234"),
    ("1002", "刘敏", "cashier", "2345"),
    ("8001", "赵建国", "supervisor", "8888"),
    ("9001", "系统管理员", "admin", "9999"),
)
"""Code, name, role and PIN of the demo's users (printed by the command)."""


def _area(rng: random.Random, shape: BuildingShape, position: int) -> int:
    """A flat's area in hundredths of a m²: end flats are the larger ones."""
    low, high = shape.area_m2
    middle = (low + high) / 2
    bias = 1.0 if position in (1, shape.per_floor) else 0.0
    base = rng.uniform(low, middle) if not bias else rng.uniform(middle, high)
    return round(base * 100)


def _flats(rng: random.Random, building: str, shape: BuildingShape) -> list[tuple]:
    """(code, building, entrance, floor, room, area) of every flat of one building."""
    entrances = rng.randint(*shape.entrances)
    floors = rng.randint(*shape.floors)
    flats = []
    for entrance in range(1, entrances + 1):
        sizes = {p: _area(rng, shape, p) for p in range(1, shape.per_floor + 1)}
        for floor in range(1, floors + 1):
            for position in range(1, shape.per_floor + 1):
                room = str(floor * 100 + position)
                code = canonical_code(building, str(entrance), room)
                flats.append((code, building, str(entrance), floor, room, sizes[position]))
    return flats


def layout(rng: random.Random, residential: int, shops: int) -> list[tuple]:
    """Flats of buildings 1, 2, 3 … until ``residential`` are placed, then ``shops`` shops."""
    flats: list[tuple] = []
    number = 0
    weights = [s.weight for s in SHAPES]
    while len(flats) < residential:
        number += 1
        shape = rng.choices(SHAPES, weights)[0]
        flats.extend(_flats(rng, str(number), shape))
    flats = flats[:residential]
    for n in range(shops):
        block, position = divmod(n, 40)
        room = str(100 + position + 1)
        code = canonical_code(f"S{block + 1}", "1", room)
        area = round(rng.triangular(35, 320, 80) * 100)
        flats.append((code, f"S{block + 1}", "1", 1, room, area))
    return flats


def _cars(rng: random.Random, people: PeopleSource, ids: SeededIds) -> list[Car]:
    roll = rng.random()
    count = 2 if roll < 0.07 else 1 if roll < 0.45 else 0
    return [
        Car(ids.new_str(), people.plate(), "underground" if rng.random() < 0.7 else "ground")
        for _ in range(count)
    ]


def _unit(rng: random.Random, people: PeopleSource, ids: SeededIds, flat: tuple) -> Unit:
    code, building, entrance, floor, room, area = flat
    shop = building.startswith("S")
    owner = Party(
        ids.new_str(),
        people.shop_name() if shop else people.name(),
        people.phone(),
        "shop" if shop else "owner",
    )
    tags = "vacant" if not shop and rng.random() < 0.05 else ""
    unit = Unit(
        ids.new_str(), code, building, entrance, floor, room, area,
        "shop" if shop else "residential", owner, tags,
    )  # fmt: skip
    if not shop:
        unit.cars = _cars(rng, people, ids)
    return unit


def build_community(rng: random.Random, ids: SeededIds, units: int) -> Community:
    """The demo site with ``units`` units (about 3% of them shops), its fee items and users.

    Args:
        rng: seeded random source (the same seed gives the same community).
        ids: id source for master data.
        units: how many units in all (at least 1).

    Returns:
        The community, units in code order of their buildings.
    """
    shops = max(1, round(units * 0.03)) if units >= 10 else 0
    people = PeopleSource(rng)
    flats = layout(rng, units - shops, shops)
    return Community(
        site_id=ids.new_str(),
        site_code=SITE_CODE,
        site_name=SITE_NAME,
        units=[_unit(rng, people, ids, flat) for flat in flats],
        fee_items=fee_items(rng, ids),
        users=[DemoUser(ids.new_str(), *user) for user in DEMO_USERS],
    )


__all__ = [
    "SITE_CODE",
    "SITE_NAME",
    "Car",
    "Community",
    "DemoUser",
    "FeeItem",
    "Party",
    "Unit",
    "build_community",
]
