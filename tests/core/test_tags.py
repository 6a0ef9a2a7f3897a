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
