"""The checks of a site and a fee item that headquarters and a standalone counter share, and the
reading of a figure typed on a command line: every refusal has its code and reads well in
Chinese."""

from __future__ import annotations

from dataclasses import replace

import pytest

from feetui import i18n
from feetui.core.errors import InputError
from feetui.core.master_data import (
    MAX_RATE_FEN,
    FeeItemSpec,
    check_fee_item,
    check_site,
    parse_figure,
)

GOOD = FeeItemSpec("PF", "物业费", "area", 250, late_fee_daily_ppm=500, late_fee_cap_percent=30)


def test_check_site_trims_and_keeps_a_good_code_and_name() -> None:
    assert check_site(" LJY ", " 绿景苑 ") == ("LJY", "绿景苑")
    assert check_site("site_1.a-2", "A" * 100) == ("site_1.a-2", "A" * 100)


@pytest.mark.parametrize(
    ("code", "name", "error"),
    [
        ("", "绿景苑", "site_code_invalid"),
        ("L J", "绿景苑", "site_code_invalid"),
        ("L/J", "绿景苑", "site_code_invalid"),
        ("X" * 33, "绿景苑", "site_code_invalid"),
        ("LJY", "  ", "site_name_invalid"),
        ("LJY", "N" * 101, "site_name_invalid"),
        ("LJY", "a\nb", "site_name_invalid"),
    ],
)
def test_check_site_refuses_a_bad_code_or_name(code: str, name: str, error: str) -> None:
    with pytest.raises(InputError) as caught:
        check_site(code, name)
    assert caught.value.code == error


def test_check_fee_item_keeps_a_good_item_and_trims_its_code_and_name() -> None:
    assert check_fee_item(GOOD) == GOOD
    assert check_fee_item(replace(GOOD, code=" PF ", name=" 物业费 ")) == GOOD
    edge = replace(GOOD, rate_fen=MAX_RATE_FEN, due_day=31, months_per_bill=12,
                   late_fee_cap_percent=100, late_fee_daily_ppm=1_000_000)  # fmt: skip
    assert check_fee_item(edge) == edge
    assert check_fee_item(replace(GOOD, kind="fixed", scope="vehicle", rate_fen=0)).rate_fen == 0


@pytest.mark.parametrize(
    ("change", "error", "words"),
    [
        ({"code": "P F"}, "fee_item_code_invalid", "编码"),
        ({"name": ""}, "fee_item_name_invalid", "名称"),
        ({"kind": "hourly"}, "fee_kind_invalid", "area, fixed, metered, one_off"),
        ({"scope": "car"}, "fee_scope_invalid", "unit, vehicle"),
        ({"rate_fen": 2.5}, "fee_figure_invalid", "整数"),
        ({"due_day": True}, "fee_figure_invalid", "整数"),
        ({"rate_fen": -1}, "fee_rate_invalid", "100000000"),
        ({"rate_fen": MAX_RATE_FEN + 1}, "fee_rate_invalid", "100000000"),
        ({"due_day": 0}, "due_day_invalid", "1 到 31"),
        ({"due_day": 32}, "due_day_invalid", "1 到 31"),
        ({"months_per_bill": 0}, "months_per_bill_invalid", "1"),
        ({"months_per_bill": 13}, "months_per_bill_invalid", "12"),
        ({"late_fee_daily_ppm": -1}, "late_fee_rule_invalid", "负数"),
        ({"late_fee_grace_days": -1}, "late_fee_rule_invalid", "负数"),
        ({"late_fee_daily_ppm": 1_000_001}, "late_fee_rate_invalid", "1000000"),
        ({"late_fee_grace_days": 3651}, "late_fee_grace_invalid", "3650"),
        ({"late_fee_cap_percent": 101}, "late_fee_cap_invalid", "100"),
    ],
)
def test_check_fee_item_refuses_each_bad_field_in_chinese(
    change: dict[str, object], error: str, words: str
) -> None:
    with pytest.raises(InputError) as caught:
        check_fee_item(replace(GOOD, **change))  # type: ignore[arg-type]
    assert caught.value.code == error
    text = i18n.tr_error(caught.value)
    assert words in text and "{" not in text
    assert any("\u4e00" <= ch <= "\u9fff" for ch in text)


@pytest.mark.parametrize(
    ("text", "value"), [("250", 250), (" 0 ", 0), ("２５０", 250), ("-5", -5), ("9" * 30, 10**18)]
)
def test_parse_figure_reads_whole_numbers_and_leaves_the_range_to_the_rule(
    text: str, value: int
) -> None:
    assert parse_figure(text, option="--rate-fen") == value


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("2.5", "figure_not_whole"),
        ("-0.5", "figure_not_whole"),
        ("25a", "figure_invalid"),
        ("", "figure_invalid"),
        ("-", "figure_invalid"),
        ("1_000", "figure_invalid"),
        ("¥250", "figure_invalid"),
        ("٢٥٠", "figure_invalid"),
    ],
)
def test_parse_figure_refuses_what_is_not_a_whole_number_naming_the_option(
    text: str, error: str
) -> None:
    with pytest.raises(InputError) as caught:
        parse_figure(text, option="--rate-fen")
    assert caught.value.code == error
    assert i18n.tr_error(caught.value).startswith("--rate-fen 须填整数")


def test_a_negative_figure_is_refused_by_the_rule_with_its_range() -> None:
    rate = parse_figure("-5", option="--rate-fen")
    with pytest.raises(InputError) as caught:
        check_fee_item(replace(GOOD, rate_fen=rate))
    assert i18n.tr_error(caught.value) == "收费标准为 0 到 100000000 分的整数。"
