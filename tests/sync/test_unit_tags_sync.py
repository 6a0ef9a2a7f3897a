"""Resident tags set at one window reach the other windows of the site, the latest change wins
on every window alike, and HQ re-publishing a unit (without tags, or after a restore) keeps them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from feetui.clock import FixedClock, IdSource
from tests.sync.counters import Community, Counter, publish_community

START = datetime(2026, 11, 23, 1, 30, tzinfo=UTC)


@pytest.fixture
async def pair(hq, tmp_path: Path, db_template: Path) -> AsyncIterator[Any]:
    """Counters A and B of ``S1``, each with its own clock, synced once."""
    community = await publish_community(hq, IdSource(FixedClock(START)), units=2)
    counters = [
        Counter(tmp_path / f"{n}.sqlite3", FixedClock(START), f"window-{n}", template=db_template)
        for n in "AB"
    ]
    try:
        for counter in counters:
            await counter.open()
            await counter.enroll(hq)
            await counter.sync()
        yield community, *counters
    finally:
        for counter in counters:
            await counter.close()


async def _tag(counter: Counter, community: Community, unit_id: str, *tags: str) -> str:
    from feetui.services.tags import set_unit_tags

    change_id = counter.svc.ids.new_str()
    await counter.run(
        set_unit_tags(
            counter.svc,
            change_id=change_id,
            unit_id=unit_id,
            user_id=community.cashier_id,
            tags=list(tags),
        )
    )
    return change_id


async def _tags(counter: Counter, unit_id: str) -> str:
    [(tags,)] = await counter.query("SELECT tags FROM unit WHERE id = ?", unit_id)
    return str(tags)


async def _sync_all(*counters: Counter) -> None:
    for counter in (*counters, *counters):  # twice round: everyone sees everyone's pushes
        report = await counter.sync()
        assert report.pull.skipped == 0


async def test_tags_set_at_one_window_appear_at_the_other_with_their_history(hq, pair) -> None:
    community, a, b = pair
    unit = community.units[0]
    change = await _tag(a, community, unit, "elderly", "home_visit")
    await _sync_all(a, b)
    assert await _tags(b, unit) == await _tags(a, unit) == "home_visit elderly"
    history = "SELECT id, unit_id, tags_before, tags_after, user_id, device_id FROM unit_tag_change"
    assert await b.query(history) == await a.query(history)
    assert (await b.query(history))[0][0] == change
    # B's search finds the unit by the tag's text the same way A's does.
    card = "SELECT unit_id, tags FROM search_unit WHERE unit_id = ?"
    assert await b.query(card, unit) == await a.query(card, unit)
    # B changes them back; A follows.
    await _tag(b, community, unit)
    await _sync_all(b, a)
    assert await _tags(a, unit) == await _tags(b, unit) == ""


async def test_two_windows_changing_a_units_tags_offline_end_with_the_later_change(
    hq, pair
) -> None:
    community, a, b = pair
    unit = community.units[0]
    await _tag(a, community, unit, "elderly")
    b.clock.advance(minutes=5)
    await _tag(b, community, unit, "home_visit")
    # Whichever syncs first, both end with B's change (same tags_seq, B's clock later).
    await _sync_all(a, b)
    assert await _tags(a, unit) == await _tags(b, unit) == "home_visit"
    # Neither change is lost: both windows hold both in the unit's history.
    count = "SELECT count(*) FROM unit_tag_change WHERE unit_id = ?"
    assert await a.query(count, unit) == await b.query(count, unit) == [(2,)]


async def test_a_change_made_after_seeing_another_wins_even_with_a_slow_clock(hq, pair) -> None:
    community, a, b = pair
    unit = community.units[1]
    a.clock.advance(hours=2)
    await _tag(a, community, unit, "elderly")
    await _sync_all(a, b)
    assert await _tags(b, unit) == "elderly"
    # B's clock is two hours behind A's, but B changed the tags knowing A's change.
    await _tag(b, community, unit, "prefers_online")
    await _sync_all(b, a)
    assert await _tags(a, unit) == await _tags(b, unit) == "prefers_online"


async def test_hq_republishing_a_unit_or_a_restore_keeps_the_counters_tags(hq, pair) -> None:
    community, a, b = pair
    unit = community.units[0]
    await _tag(a, community, unit, "elderly")
    await _sync_all(a, b)
    [row] = await a.query(
        "SELECT site_id, code, building, entrance, room, area_centi_m2, kind, floor FROM unit"
        " WHERE id = ?",
        unit,
    )
    site, code, building, entrance, room, area, _kind, _floor = row
    await a.query("UPDATE unit SET kind = 'shop', floor = 15 WHERE id = ?", unit)
    await b.query("UPDATE unit SET kind = 'shop', floor = 15 WHERE id = ?", unit)
    # A unit import run again: HQ's record has no tags, kind or floor.
    plain = {"id": unit, "site_id": site, "code": code, "building": building,
             "entrance": entrance, "room": room, "area_centi_m2": area + 100}  # fmt: skip
    await hq.publish("unit", plain)
    await _sync_all(a, b)
    for counter in (a, b):
        assert await _tags(counter, unit) == "elderly"
        [(area_now, kind, floor)] = await counter.query(
            "SELECT area_centi_m2, kind, floor FROM unit WHERE id = ?", unit
        )
        assert (area_now, kind, floor) == (area + 100, "shop", 15)
    # HQ's own tag (vacant) comes with HQ's copy; the counters' tags still follow their change.
    await hq.publish("unit", {**plain, "tags": "vacant"})
    await _sync_all(a, b)
    assert await _tags(a, unit) == await _tags(b, unit) == "vacant elderly"
    # HQ restored from a backup: both re-snapshot master data and keep the tags.
    await hq.bump_epoch()
    for counter in (a, b):
        assert (await counter.sync()).pull.resnapshot
    assert await _tags(a, unit) == await _tags(b, unit) == "vacant elderly"
