"""ISO instants in records and changes: one reading for the counter, HQ and core."""

from __future__ import annotations

from datetime import UTC, datetime

from feetui.core.instants import parse_instant


def test_an_instant_with_z_or_an_offset_is_read_in_utc() -> None:
    assert parse_instant("2026-11-23T01:30:00Z") == datetime(2026, 11, 23, 1, 30, tzinfo=UTC)
    shanghai = parse_instant("2026-11-23T09:30:00+08:00")
    assert shanghai == datetime(2026, 11, 23, 1, 30, tzinfo=UTC) and shanghai.tzinfo is UTC


def test_anything_that_names_no_instant_is_none() -> None:
    for text in ("2026-11-23T09:30:00", "yesterday", "", None, 1732325400, ["2026-11-23"]):
        assert parse_instant(text) is None, text
