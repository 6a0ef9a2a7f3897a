"""Room codes typed in every common form read as the same canonical code."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from feetui.core.errors import InputError
from feetui.core.unitcode import (
    RoomCode,
    canonical_code,
    canonical_part,
    parse_room_code,
    split_code,
)

FULL = RoomCode("3", "2", "1502")


@pytest.mark.parametrize(
    "text",
    [
        "3-2-1502",
        "3栋2单元1502",
        "3栋2单元1502室",
        "3号楼2单元1502",
        "3号楼2单元1502室",
        "3幢2单元1502号",
        "3座2单元1502",
        "3#2-1502",
        "3#楼2单元1502",
        "3 2 1502",
        "3  2   1502",
        "3/2/1502",
        "3\\2\\1502",
        "3.2.1502",
        "3_2_1502",
        "3，2，1502",
        "３－２－１５０２",
        "３栋２单元１５０２室",
        "3—2—1502",
        "3–2–1502",
        "03-02-1502",
        "三栋二单元1502",
        "三号楼二单元1502室",
        " 3 号楼 2 单元 1502 室 ",
        "3栋2门1502",
        "3-2-01502",
    ],
)
def test_parse_room_code_reads_every_common_form_of_one_room(text: str) -> None:
    assert parse_room_code(text) == FULL
    assert parse_room_code(text).canonical == "3-2-1502"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1502", RoomCode(room="1502")),
        ("1502室", RoomCode(room="1502")),
        ("1502号", RoomCode(room="1502")),
        ("１５０２", RoomCode(room="1502")),
        ("3栋", RoomCode(building="3")),
        ("3号楼", RoomCode(building="3")),
        ("十二栋", RoomCode(building="12")),
        ("二十三栋", RoomCode(building="23")),
        ("3栋2单元", RoomCode(building="3", entrance="2")),
        ("3-2", RoomCode(building="3", entrance="2")),
        ("3-2-", RoomCode(building="3", entrance="2")),
        ("3栋1502", RoomCode(building="3", room="1502")),
        ("3-1502", RoomCode(building="3", room="1502")),
        ("3栋2单元15", RoomCode("3", "2", "15")),
        ("A栋1单元301", RoomCode("A", "1", "301")),
        ("a-1-301", RoomCode("A", "1", "301")),
        ("S1-1-105", RoomCode("S1", "1", "105")),
        ("2单元1502", RoomCode(entrance="2", room="1502")),
    ],
)
def test_parse_room_code_reads_partial_codes(text: str, expected: RoomCode) -> None:
    assert parse_room_code(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "zsf",
        "zs f",
        "张三",
        "张三丰",
        "京A12345",
        "3-2-1502-1",
        "栋3",
        "3栋栋",
        "123456789",
        "1502!",
        "3-2-1502;DROP TABLE unit",
        "1" * 41,
    ],
)
def test_parse_room_code_returns_none_for_what_is_not_a_room_code(text: str) -> None:
    assert parse_room_code(text) is None


def test_room_code_prefix_leaves_the_room_open_and_keeps_building_exact() -> None:
    assert RoomCode("3", "2", "15").code_prefix == "3-2-15"
    assert RoomCode("3", "2").code_prefix == "3-2-"
    assert RoomCode("3").code_prefix == "3-"
    assert RoomCode(room="1502").code_prefix is None
    assert RoomCode(building="3", room="1502").code_prefix is None


def test_canonical_code_strips_leading_zeros_and_upper_cases() -> None:
    assert canonical_code("03", "02", "0101") == "3-2-101"
    assert canonical_code("a", "1", "301") == "A-1-301"
    assert canonical_part("０") == "0"


@pytest.mark.parametrize("part", ["", "3 2", "3-2", "栋", "123456789"])
def test_canonical_part_rejects_what_is_not_letters_and_digits(part: str) -> None:
    with pytest.raises(InputError) as caught:
        canonical_part(part)
    assert caught.value.code == "unit_code_part_invalid"


def test_split_code_reads_three_and_two_part_codes_and_rejects_others() -> None:
    assert split_code("3-2-1502") == FULL
    assert split_code("S-12") == RoomCode(building="S", room="12")
    with pytest.raises(InputError) as caught:
        split_code("1502")
    assert caught.value.code == "unit_code_invalid"


_parts = st.from_regex(r"[1-9][0-9]{0,2}|[A-Z][0-9]?", fullmatch=True)
_rooms = st.from_regex(r"[1-9][0-9]{2,3}", fullmatch=True)
_forms = st.sampled_from(
    ["{b}-{e}-{r}", "{b}栋{e}单元{r}", "{b}号楼{e}单元{r}室", "{b} {e} {r}", "{b}/{e}/{r}"]
)


@given(_parts, st.integers(1, 9), _rooms, _forms)
def test_every_form_of_a_code_parses_back_to_its_canonical_code(
    building: str, entrance: int, room: str, form: str
) -> None:
    text = form.format(b=building, e=entrance, r=room)
    assert parse_room_code(text).canonical == canonical_code(building, str(entrance), room)
