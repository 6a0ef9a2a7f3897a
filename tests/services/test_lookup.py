"""The lookup service: what the lookup screen calls with the search box's text."""

from __future__ import annotations

from feetui.core.search import MATCH_LABELS, TAG_LABELS, MatchKind
from feetui.db.models import Party, Site, Unit
from feetui.db.search_index import index_units
from feetui.i18n import _, set_language
from feetui.services.lookup import find_units


async def _units(count: int, *, kind: str = "residential") -> list[str]:
    site = await Site.create(id="site-1", code="DEMO", name="示范小区")
    ids = []
    for n in range(count):
        party = await Party.create(id=f"p-{n}", site=site, name="刘洋", phone="13912340000")
        unit = await Unit.create(
            id=f"u-{n}",
            site=site,
            code=f"1-1-{101 + n}",
            building="1",
            entrance="1",
            room=str(101 + n),
            owner=party,
            kind=kind,
            tags="vacant" if n == 0 else "",
        )
        ids.append(unit.id)
    await index_units(ids)
    return ids


async def test_find_units_with_blank_text_finds_nothing(db) -> None:
    await _units(2)
    assert await find_units("") == []
    assert await find_units("  \t") == []


async def test_find_units_never_returns_more_than_a_page(db) -> None:
    await _units(205)
    assert len(await find_units("刘", limit=1000)) == 200
    assert len(await find_units("ly", limit=5)) == 5


async def test_find_units_shows_shop_and_own_tags(db) -> None:
    await _units(1, kind="shop")
    (hit,) = await find_units("1-1-101")
    assert hit.tags == ("shop", "vacant")
    assert hit.match is MatchKind.CODE


def test_every_match_kind_and_known_tag_has_a_translated_label() -> None:
    set_language("zh_CN")
    for kind in MatchKind:
        assert _(MATCH_LABELS[kind]) != MATCH_LABELS[kind]
    for label in TAG_LABELS.values():
        assert _(label) != label
