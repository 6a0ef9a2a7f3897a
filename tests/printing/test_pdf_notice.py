"""Reminder notices on A4: what the PDF says (text read back with pypdf), its pages and fonts."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

import pytest
from pypdf import PdfReader

from feetui import i18n
from feetui.core.errors import FeeError
from feetui.core.money import Money, total
from feetui.core.notice import ReminderItem, ReminderSheet
from feetui.core.receipt import PrintLabels
from feetui.printing.pdf_notice import free_path, render_notices, runs, save_notices, write_file

WORDING = "{owner}：贵户{unit}截至{as_of}共欠{total}，请于{deadline}前到服务中心缴清。"


def notice(code: str, owner: str, amounts: list[int], *, lang: str = "zh_CN") -> ReminderSheet:
    """A notice of ``code`` with one property-fee charge per amount, every other one late."""
    i18n.set_language(lang)
    items = tuple(
        ReminderItem("物业服务费", f"2026-{n % 12 + 1:02d}", Money(fen), Money(150 * (n % 2)))
        for n, fen in enumerate(amounts)
    )
    return ReminderSheet(
        company="示范物业服务有限公司",
        site="阳光花园",
        notice_no=f"20261123-{code}",
        issued_on="2026-11-23",
        as_of="2026-11-23",
        unit_code=code,
        owner=owner,
        items=items,
        total=total(item.subtotal for item in items),
        deadline="2026-12-08",
        wording=WORDING,
        contact="0571-8888 6666",
        labels=PrintLabels().translated(i18n._),
    )


def pages(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def flat(text: str) -> str:
    """Text as read back, without the line breaks the wrapped wording gets."""
    return text.replace("\n", "")


def test_a_notice_shows_the_unit_owner_lines_total_capitals_and_wording() -> None:
    sheet = notice("3-2-1502", "张三丰", [22_375, 30_000])
    (text,) = pages(render_notices([sheet]))
    for part in (
        "示范物业服务有限公司", "催缴通知单", "20261123-3-2-1502", "3-2-1502", "张三丰",
        "223.75", "300.00", "1.50", "301.50",
        "￥525.25", "伍佰贰拾伍元贰角伍分", "截至日期：2026-11-23", "小计", "滞纳金",
        "请于此日前缴清：2026-12-08", "联系方式：0571-8888 6666", "第 1 页 / 共 1 页",
    ):  # fmt: skip
        assert part in text, part
    wording = "张三丰：贵户3-2-1502截至2026-11-23共欠￥525.25，请于2026-12-08前到服务中心缴清。"
    assert wording in flat(text)


def test_a_list_gets_one_page_per_unit_numbered_through_the_file() -> None:
    sheets = [notice(f"1-1-10{n}", f"业主{n}", [10_000 * n]) for n in (1, 2, 3)]
    texts = pages(render_notices(sheets))
    assert len(texts) == 3
    for n, text in enumerate(texts, start=1):
        assert f"1-1-10{n}" in text and f"业主{n}" in text
        assert f"第 {n} 页 / 共 3 页" in text


def test_a_unit_with_many_charges_continues_and_totals_on_its_last_page() -> None:
    many = notice("3-2-1502", "张三丰", [10_000 + n for n in range(45)])
    texts = pages(render_notices([many, notice("1-1-101", "李四", [5_000])]))
    assert len(texts) == 3
    first, second, other = texts
    assert "（续）" in second and "20261123-3-2-1502" in second
    assert "大写" not in first and many.total_in_capitals in second
    assert all(Money(10_000 + n).yuan_text() in first + second for n in range(45))
    assert "李四" in other and "第 3 页 / 共 3 页" in other


def test_an_english_notice_sets_latin_in_helvetica_and_chinese_names_in_stsong() -> None:
    sheet = notice("3-2-1502", "张三丰", [22_375], lang="en_US")
    data = render_notices([sheet])
    (text,) = pages(data)
    for part in ("Payment reminder", "Notice no.: 20261123-3-2-1502", "Owner: 张三丰",
                 "Subtotal", "In capitals: 贰佰贰拾叁元柒角伍分", "Page 1 of 1"):  # fmt: skip
        assert part in text, part
    fonts = PdfReader(io.BytesIO(data)).pages[0]["/Resources"]["/Font"]
    names = {str(font.get_object()["/BaseFont"]) for font in fonts.values()}
    assert names == {"/Helvetica", "/Helvetica-Bold", "/STSong-Light"}
    assert b"/FontFile" not in data  # nothing embedded: the reader supplies both fonts


def test_the_same_notices_give_the_same_bytes() -> None:
    sheets = [notice("3-2-1502", "张三丰", [22_375])]
    assert render_notices(sheets) == render_notices(sheets)


def test_runs_split_latin_from_chinese_and_control_characters_become_spaces() -> None:
    assert runs("Owner: 张三丰\t¥12") == [(True, "Owner: "), (False, "张三丰"), (True, " ¥12")]


def test_no_notice_is_a_clear_refusal() -> None:
    with pytest.raises(FeeError) as caught:
        render_notices([])
    assert caught.value.code == "no_notices"


def test_a_file_that_cannot_be_written_leaves_nothing_behind(tmp_path: Path) -> None:
    for target in (tmp_path / "missing" / "n.pdf", tmp_path):
        with pytest.raises(FeeError) as caught:
            write_file(target, b"%PDF")
        assert caught.value.code == "file_not_written"
        assert str(target) in caught.value.params["path"]
    assert list(tmp_path.iterdir()) == []


def test_saving_makes_the_folder_and_never_overwrites_an_earlier_file(tmp_path: Path) -> None:
    folder = tmp_path / "reminders"
    sheets = [notice("3-2-1502", "张三丰", [22_375])]
    first = save_notices(sheets, folder, "reminder.pdf")
    second = save_notices(sheets, folder, "reminder.pdf")
    assert (first.name, second.name) == ("reminder.pdf", "reminder-2.pdf")
    assert free_path(folder, "reminder.pdf").name == "reminder-3.pdf"
    assert first.read_bytes().startswith(b"%PDF")


def test_a_long_wording_wraps_on_the_sheet_without_splitting_latin_words() -> None:
    sheet = replace(notice("3-2-1502", "张三丰", [100]), wording="Remittance " * 40 + "汉" * 120)
    (text,) = pages(render_notices([sheet]))
    assert "Remittance" in text and "Remit\n" not in text
