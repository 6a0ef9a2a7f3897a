"""The unit import's pure rules: column titles, one row, the whole file, problems as data."""

from __future__ import annotations

from feetui.core.unit_import import RowProblem, UnitRow, check_table, column_of

HEADER = ["site", "unit", "area", "owner", "phone", "plates"]


def test_column_of_reads_english_and_chinese_titles_in_any_case() -> None:
    assert [column_of(t) for t in (" Site ", "房号", "AREA", "业主", "电话", "车牌")] == [
        "site", "unit", "area", "owner", "phone", "plates",
    ]  # fmt: skip
    assert column_of("building") == "building"


def test_check_table_reads_a_good_row_into_canonical_values() -> None:
    cells = [
        HEADER,
        [
            "LJY",
            "三栋二单元1502室",
            "８９.５",
            "张三丰",
            "138-0000-1234",
            "京a12345，沪B1234C、粤C99999",
        ],
    ]
    rows, problems = check_table(cells, {"LJY"})
    assert problems == []
    assert rows == [
        UnitRow(2, "LJY", "3-2-1502", 8950, "张三丰", "138-0000-1234",
                ("京A12345", "沪B1234C", "粤C99999")),
    ]  # fmt: skip
    assert rows[0].parts == ("3", "2", "1502")


def test_blank_lines_are_skipped_and_line_numbers_stay_true() -> None:
    cells = [HEADER, ["LJY", "1-1-101", "50", "甲", "", ""], [], ["", "", "", "", "", ""],
             ["LJY", "1-1-101", "60", "乙", "", ""]]  # fmt: skip
    rows, problems = check_table(cells, {"LJY"})
    assert rows == [UnitRow(2, "LJY", "1-1-101", 5000, "甲", "", ())]
    assert problems == [
        RowProblem(5, "unit", "unit_repeated", "{code} repeats row {first}",
                   {"code": "1-1-101", "first": 2}),
    ]  # fmt: skip
    assert problems[0].english() == "1-1-101 repeats row 2"


def test_every_bad_column_of_a_row_is_one_problem() -> None:
    cells = [HEADER, ["XX", "3-2", "0", "", "12", "A1 京A12345 B2"]]
    rows, problems = check_table(cells, {"LJY"})
    assert rows == []
    assert [(p.line, p.column, p.code) for p in problems] == [
        (2, "site", "site_unknown"), (2, "unit", "unit_invalid"), (2, "area", "area_not_positive"),
        (2, "owner", "owner_invalid"), (2, "phone", "phone_invalid"),
        (2, "plates", "plate_invalid"), (2, "plates", "plate_invalid"),
    ]  # fmt: skip
    assert problems[0].english() == "no site with code 'XX'"
    assert problems[-1].english() == "'B2' is not a plate"


def test_the_caller_words_another_site_and_hears_the_codes_allowed() -> None:
    cells = [HEADER, ["XX", "1-1-101", "50", "甲", "", ""]]
    _, problems = check_table(cells, {"LJY"}, site_message="{site} is not {sites}")
    assert [p.english() for p in problems] == ["XX is not LJY"]


def test_whole_file_problems() -> None:
    assert [p.code for p in check_table([], {"LJY"})[1]] == ["file_empty"]
    assert [p.code for p in check_table([[], [" "]], {"LJY"})[1]] == ["file_empty"]
    assert [p.code for p in check_table([HEADER], {"LJY"})[1]] == ["file_without_units"]
    _, problems = check_table([["小区", "房号", "电话"], ["LJY", "1-1-101", ""]], {"LJY"})
    assert [(p.line, p.column, p.english()) for p in problems] == [
        (1, "", "missing column(s) area/面积, owner/业主")
    ]
