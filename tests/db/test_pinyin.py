"""Pinyin initials: 张三丰 is zsf, and surnames read the way their bearers say them."""

from __future__ import annotations

import subprocess
import sys

import pytest

from feetui.db.pinyin import SURNAME_INITIALS, name_initials, split_surname


@pytest.mark.parametrize(
    ("name", "initials"),
    [
        ("张三丰", "zsf"),
        ("李四", "ls"),
        ("王小明", "wxm"),
        ("单田芳", "stf"),
        ("曾国藩", "zgf"),
        ("解缙", "xj"),
        ("仇英", "qy"),
        ("查良镛", "zly"),
        ("覃雪", "qx"),
        ("区志强", "ozq"),
        ("翟志刚", "zzg"),
        ("朴树", "ps"),
        ("盖聂", "gn"),
        ("尉迟恭", "ycg"),
        ("万俟卨", "mqx"),
        ("长孙无忌", "zswj"),
        ("欧阳娜娜", "oynn"),
        ("诸葛亮", "zgl"),
        ("司马光", "smg"),
        ("缪斯", "ms"),
        ("乐嘉", "yj"),
        ("王 小明", "wxm"),
        ("王·小明", "wxm"),
    ],
)
def test_name_initials_first_variant_is_how_the_name_is_said(name: str, initials: str) -> None:
    assert name_initials(name)[0] == initials


@pytest.mark.parametrize("surname", sorted(SURNAME_INITIALS))
def test_every_override_surname_is_read_from_the_table(surname: str) -> None:
    name = surname + "明"
    expected = {reading + "m" for reading in SURNAME_INITIALS[surname]}
    assert expected <= set(name_initials(name))
    assert all(v[: len(surname)] in SURNAME_INITIALS[surname] for v in name_initials(name))


def test_a_polyphonic_given_name_gets_each_reading_as_a_variant() -> None:
    assert {"zll", "zyy"} <= set(name_initials("张乐乐"))


def test_a_two_character_name_never_has_a_compound_surname() -> None:
    assert split_surname("欧阳") == ("欧", "阳")
    assert split_surname("欧阳娜娜") == ("欧阳", "娜娜")
    assert name_initials("欧阳") == ("oy",)


def test_organisation_names_are_read_without_surname_rules() -> None:
    assert name_initials("单车行", person=False) == ("dcx",)
    assert name_initials("单车行")[0].startswith("s")


@pytest.mark.parametrize("name", ["", " ", "·", "!!"])
def test_name_initials_of_nothing_readable_is_empty(name: str) -> None:
    assert name_initials(name) == ()


def test_latin_letters_and_digits_are_kept_lower_case() -> None:
    assert name_initials("张3")[0] == "z3"
    assert name_initials("Anna", person=False) == ("anna",)


def test_variants_are_bounded() -> None:
    assert len(name_initials("乐乐乐乐乐乐")) <= 8


def test_importing_search_does_not_import_pypinyin() -> None:
    code = (
        "import sys, feetui.db.pinyin;"
        "assert 'pypinyin' not in sys.modules, 'pypinyin imported at start-up'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=".")
