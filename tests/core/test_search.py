"""Search keys and search plans: what a unit is found by, and how a query is answered."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from feetui.core.search import (
    MatchKind,
    is_plate,
    mask_phone,
    name_keys,
    normalise_phone,
    normalise_plate,
    plan_search,
    prefix_range,
    unit_keys,
)


def _lows(query: str) -> list[str]:
    return [scan.low for scan in plan_search(query)]


def _finds(query: str, keys: list[str]) -> set[str]:
    """The keys the plan for ``query`` would read from an index holding ``keys``."""
    return {k for scan in plan_search(query) for k in keys if scan.low <= k < scan.high}


KEYS = unit_keys(
    code="3-2-1502",
    names=["张三丰"],
    initials=["zsf"],
    phones=["138 1234 5678"],
    plates=["京A·12345"],
)


def test_unit_keys_cover_code_room_name_suffixes_initials_phone_and_plate() -> None:
    assert (
        sorted(
            [
                "c:3-2-1502",
                "r:1502",
                "b:3-1502",
                "n:张三丰",
                "m:三丰",
                "m:丰",
                "i:zsf",
                "p:87654321831",
                "v:京A12345",
                "w:54321A京",
            ]
        )
        == KEYS
    )


@pytest.mark.parametrize(
    "query",
    [
        "3-2-1502",
        "3栋2单元1502",
        "3 2 1502",
        "1502",
        "3栋1502",
        "3-2-15",
        "3栋",
        "张",
        "三",
        "丰",
        "张三",
        "三丰",
        "张三丰",
        "z",
        "zs",
        "zsf",
        "ZSF",
        "5678",
        "45678",
        "12345678",
        "13812345678",
        "京A12345",
        "京a·12345",
        "京A",
        "12345",
        "A12345",
        "345",
    ],
)
def test_every_kind_of_query_reaches_the_unit_keys(query: str) -> None:
    assert _finds(query, KEYS), query


@pytest.mark.parametrize(
    "query",
    ["3-2-1503", "4栋", "李", "张四", "zsg", "5679", "京B12345", "丰张", "", "   ", "!!", "1" * 41],
)
def test_queries_that_do_not_match_reach_no_key(query: str) -> None:
    assert not _finds(query, KEYS)


def test_plan_search_ranks_code_before_room_before_name_before_phone_before_plate() -> None:
    kinds = [scan.exact for scan in plan_search("1502")]
    assert kinds == sorted(kinds)
    assert plan_search("1502")[0].exact is MatchKind.ROOM


def test_plan_search_sends_a_code_with_separators_only_to_code_keys() -> None:
    assert _lows("3-2-1502") == ["c:3-2-1502"]
    assert _lows("3栋") == ["c:3-"]
    assert _lows("3栋1502") == ["b:3-1502"]


def test_plan_search_sends_names_letters_digits_and_plates_where_they_belong() -> None:
    assert _lows("张") == ["n:张", "m:张"]
    assert _lows("zsf") == ["i:zsf"]
    assert _lows("5678") == ["r:5678", "p:8765", "w:8765"]
    assert _lows("京A·12345") == ["v:京A12345"]
    assert _lows("京") == ["n:京", "m:京", "v:京"]


def test_plan_search_is_empty_for_empty_or_oversized_input() -> None:
    assert plan_search("") == []
    assert plan_search(" \t ") == []
    assert plan_search("x" * 41) == []


def test_phone_tail_needs_four_digits() -> None:
    assert not any(scan.exact is MatchKind.PHONE for scan in plan_search("678"))


def test_scan_kind_tells_exact_from_partial() -> None:
    scan = prefix_range("n:张三", MatchKind.NAME, MatchKind.NAME_PREFIX)
    assert scan.kind_of("n:张三") is MatchKind.NAME
    assert scan.kind_of("n:张三丰") is MatchKind.NAME_PREFIX


def test_prefix_range_bounds_characters_beyond_the_basic_plane() -> None:
    scan = prefix_range("n:张", MatchKind.NAME)
    assert scan.low <= "n:张𠀀" < scan.high
    assert not scan.low <= "n:弡" < scan.high


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("京A·12345", "京A12345"),
        ("京a 12345", "京A12345"),
        ("京Ａ．１２３４５", "京A12345"),
        ("粤B-D12345", "粤BD12345"),
        ("京A•12345", "京A12345"),
    ],
)
def test_normalise_plate_folds_separators_and_case(text: str, expected: str) -> None:
    assert normalise_plate(text) == expected


def test_is_plate_accepts_ordinary_and_new_energy_plates_only() -> None:
    assert is_plate("京A·12345")
    assert is_plate("粤BD12345")
    assert not is_plate("A12345")
    assert not is_plate("京12345")


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("13812345678", "138****5678"),
        ("+86 138 1234 5678", "138****5678"),
        ("１３８１２３４５６７８", "138****5678"),
        ("87654321", "****4321"),
        ("1234", "1234"),
        ("", ""),
    ],
)
def test_mask_phone_hides_the_middle(phone: str, masked: str) -> None:
    assert mask_phone(phone) == masked


def test_normalise_phone_drops_country_code_and_punctuation() -> None:
    assert normalise_phone("+86-138-1234-5678") == "13812345678"


def test_name_keys_of_an_empty_name_are_none() -> None:
    assert name_keys(" · ") == []


_han = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)


@given(st.text(_han, min_size=1, max_size=6), st.data())
def test_every_substring_of_a_name_finds_it(name: str, data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(name) - 1))
    end = data.draw(st.integers(start + 1, len(name)))
    assert _finds(name[start:end], name_keys(name))
