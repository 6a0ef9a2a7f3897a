"""Column arithmetic, wrapping and the renderer's refusal to print what the printer cannot."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feetui.core.errors import InputError, IntegrityError_
from feetui.core.money import Money
from feetui.core.receipt import FeeLine, PrintLabels, TenderLine, printed_money
from feetui.printing.escpos_render import (
    PrintProfile,
    UnprintableTextError,
    encode_text,
    render_document,
)
from feetui.printing.layout import layout_document
from feetui.printing.text import display_width, labelled, pair, truncate, wrap
from tests.printing.escpos_decoder import decode
from tests.printing.samples import receipt, reminder_notice


def test_display_width_counts_chinese_and_full_width_as_two_columns() -> None:
    assert display_width("abc") == 3
    assert display_width("物业费") == 6
    assert display_width("￥1.00") == 6
    assert display_width("（：）") == 6


def test_wrap_keeps_latin_words_and_numbers_whole() -> None:
    assert wrap("服务热线：0571-8888", 12) == ["服务热线：", "0571-8888"]
    assert wrap("pay at the service centre", 10) == ["pay at the", "service", "centre"]


def test_wrap_never_starts_a_line_with_closing_punctuation() -> None:
    lines = wrap("物业服务费用（高层）", 12)
    assert all(not line.startswith(("）", "，", "。")) for line in lines)
    assert "".join(lines) == "物业服务费用（高层）"


def test_wrap_refuses_a_width_too_small_for_one_chinese_character() -> None:
    with pytest.raises(ValueError):
        wrap("中", 1)


def test_truncate_ends_in_an_ellipsis_within_the_width() -> None:
    cut = truncate("欧阳长风欧阳长风欧阳长风", 9)
    assert cut.endswith("…") and display_width(cut) <= 9
    assert truncate("short", 9) == "short"


def test_pair_puts_the_amount_flush_right_even_after_a_long_name() -> None:
    lines = pair("车位管理费（地下二层B2区117号机械车位）", "￥900.00", 32)
    assert lines[-1].endswith("￥900.00")
    assert all(display_width(line) <= 32 for line in lines)
    assert display_width(lines[-1]) == 32


def test_labelled_value_wraps_under_itself() -> None:
    lines = labelled("作废原因", "收费员选错房号，业主当场发现，原路退回", 32)
    assert lines[0].startswith("作废原因：")
    assert all(line.startswith(" " * 10) for line in lines[1:])


def test_text_is_cleaned_of_control_characters_and_half_width_yen() -> None:
    lines = wrap("张\x1b@三¥5", 32)
    assert lines == ["张 @三￥5"]


cjk = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)
latin = st.characters(min_codepoint=0x21, max_codepoint=0x7E)


@settings(max_examples=200, deadline=None)
@given(st.text(st.one_of(cjk, latin, st.just(" "), st.sampled_from("（）：，。￥")), max_size=120))
@pytest.mark.parametrize("width", [32, 42, 48, 13])
def test_wrap_fits_the_width_and_loses_no_character(width: int, text: str) -> None:
    lines = wrap(text, width)
    assert all(display_width(line) <= width for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")


def test_encode_text_switches_chinese_mode_only_around_non_ascii_lines() -> None:
    profile = PrintProfile(columns=32)
    assert encode_text("NO.123", profile) == b"NO.123"
    assert encode_text("合计￥1", profile) == b"\x1c&" + "合计￥1".encode("gb18030") + b"\x1c."
    plain = PrintProfile(columns=32, chinese_mode=False)
    assert encode_text("合计", plain) == "合计".encode("gb18030")


@pytest.mark.parametrize("text", ["¥12.00", "房号😀", "业主\u20ac\u4dc0"])
def test_encode_text_refuses_characters_a_gbk_printer_would_garble(text: str) -> None:
    with pytest.raises(UnprintableTextError) as caught:
        encode_text(text, PrintProfile(columns=32))
    assert caught.value.code == "unprintable_text"


def test_rendering_chinese_on_a_latin_only_printer_fails_instead_of_printing_question() -> None:
    with pytest.raises(UnprintableTextError):
        render_document(receipt(), PrintProfile(columns=32, encoding="cp437", chinese_mode=False))


def test_rendering_a_name_with_an_unprintable_character_fails() -> None:
    doc = replace(receipt(), payer="张三😀")
    with pytest.raises(UnprintableTextError):
        render_document(doc, PrintProfile(columns=48))


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"columns": 40}, "printer_columns_unsupported"),
        ({"encoding": "no-such-codec"}, "printer_encoding_unknown"),
    ],
)
def test_print_profile_refuses_bad_settings(kwargs: dict, code: str) -> None:
    with pytest.raises(InputError) as caught:
        PrintProfile(**kwargs)
    assert caught.value.code == code


def test_unknown_escpos_profile_is_reported_by_name() -> None:
    with pytest.raises(InputError) as caught:
        render_document(receipt(), PrintProfile(columns=32, profile_name="NoSuchPrinter"))
    assert caught.value.code == "printer_profile_unknown"


def test_print_profile_reads_the_printer_settings(settings) -> None:
    custom = replace(
        settings, printer_columns=48, printer_encoding="gbk", printer_profile="TM-T88V"
    )
    profile = PrintProfile.from_settings(custom)
    assert (profile.columns, profile.encoding, profile.profile_name) == (48, "gbk", "TM-T88V")
    assert decode(render_document(receipt(), profile)).cuts == 1


def test_receipt_refuses_tenders_that_do_not_add_up_to_the_total() -> None:
    doc = receipt()
    with pytest.raises(IntegrityError_) as caught:
        replace(doc, tenders=(TenderLine("现金", Money(1), is_cash=True),))
    assert caught.value.code == "document_does_not_add_up"
    with pytest.raises(IntegrityError_):
        replace(doc, lines=(*doc.lines, FeeLine("水费", "2026-11", Money(100))))


def test_receipt_refuses_a_negative_reprint_count() -> None:
    with pytest.raises(InputError):
        replace(receipt(), copy_count=-1)


def test_untranslated_labels_print_in_english_with_latin_colons() -> None:
    doc = replace(receipt(), labels=PrintLabels())
    lines = layout_document(doc, 42).text_lines()
    assert "Receipt no.: NO.A00012345" in lines
    assert any(line.startswith("Total") and line.endswith("￥1,822.77") for line in lines)


def test_reminder_notice_keeps_unknown_placeholders_and_fills_known_ones() -> None:
    doc = replace(reminder_notice(), wording="{owner}：请于{due}前缴清{total}（{total_capitals}）")
    assert doc.body == (
        f"司马相如、卓文君：请于{{due}}前缴清{printed_money(doc.total)}（壹仟捌佰壹拾陆元肆角整）"
    )


def test_layout_refuses_a_width_it_was_not_designed_for() -> None:
    with pytest.raises(ValueError):
        layout_document(receipt(), 40)
