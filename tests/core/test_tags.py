"""Resident tags: the counter's vocabulary, and other tags kept as they are."""

from __future__ import annotations

import pytest

from feetui.core.errors import InputError
from feetui.core.tags import change_tags, split_tags, tag_label


def test_change_tags_sets_the_counters_tags_in_vocabulary_order() -> None:
    assert change_tags("", wanted=["elderly", "home_visit"]) == "home_visit elderly"


def test_change_tags_keeps_tags_from_headquarters_and_drops_unchosen_ones() -> None:
    assert change_tags("vacant elderly 空置", wanted=["prefers_online"]) == (
        "vacant 空置 prefers_online"
    )
    assert change_tags("elderly", wanted=[]) == ""


def test_change_tags_refuses_a_tag_outside_the_vocabulary() -> None:
    with pytest.raises(InputError) as caught:
        change_tags("", wanted=["vip"])
    assert caught.value.code == "tag_unknown"


def test_change_tags_refuses_a_text_longer_than_the_column() -> None:
    with pytest.raises(InputError) as caught:
        change_tags("x" * 199, wanted=["elderly"])
    assert caught.value.code == "tags_too_long"


def test_split_tags_drops_repeats_and_labels_fall_back_to_the_code() -> None:
    assert split_tags(" elderly  elderly vacant ") == ("elderly", "vacant")
    assert tag_label("elderly") == "Elderly"
    assert tag_label("vacant") == "vacant"


def test_the_latest_tag_change_is_by_tags_seq_then_time_then_id() -> None:
    from feetui.core.tags import latest_change, next_tags_seq

    early = {"id": "b", "tags_seq": 2, "created_at": "2026-11-23T01:00:00+00:00"}
    late = {"id": "a", "tags_seq": 2, "created_at": "2026-11-23T09:00:00+08:00"}
    # 09:00 in Shanghai is 01:00 UTC: the same instant, so the id decides.
    assert latest_change([early, late]) is early
    later = {"id": "c", "tags_seq": 2, "created_at": "2026-11-23T01:00:00.5+00:00"}
    assert latest_change([later, early, late]) is later
    # A change made knowing the others comes after them, whatever its clock said.
    seen = {
        "id": "0",
        "tags_seq": next_tags_seq([early, later]),
        "created_at": "2020-01-01T00:00:00Z",
    }
    assert latest_change([early, later, seen]) is seen
    # Records from before tags_seq count as 0; an unreadable time as the earliest.
    old = {"id": "z", "created_at": "2030-01-01T00:00:00+00:00"}
    odd = {"id": "y", "tags_seq": 1, "created_at": "yesterday"}
    assert latest_change([old, odd]) is odd and latest_change([]) is None
    assert next_tags_seq([]) == 1


def test_a_tag_change_sets_only_the_counters_tags() -> None:
    from feetui.core.tags import with_counter_tags

    assert with_counter_tags("vacant elderly", "home_visit vip") == "vacant home_visit"
    assert with_counter_tags("", "elderly") == "elderly"
    assert with_counter_tags("vacant", "") == "vacant"
