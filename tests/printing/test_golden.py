"""Every document prints right on 32-, 42- and 48-column paper, byte for byte (RELIABILITY R21).

The golden files under tests/printing/golden/ are the exact ESC/POS bytes python-escpos's Dummy
printer produced when they were last reviewed. To regenerate them after an intended change, run
``FEETUI_UPDATE_GOLDEN=1 python -m pytest tests/printing/test_golden.py`` and review the decoded
dump of each changed file before committing.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from feetui.core.receipt import printed_money
from feetui.printing.escpos_render import PrintProfile, render, render_document
from feetui.printing.layout import COLUMN_CHOICES, PrinterTestPage, layout_test_page
from tests.printing.escpos_decoder import Paper, decode
from tests.printing.samples import DOCUMENTS

GOLDEN = Path(__file__).parent / "golden"
# Read at import time: the autouse fixture clears FEETUI_* variables before each test runs.
UPDATE = os.environ.get("FEETUI_UPDATE_GOLDEN") == "1"

TEST_PAGE = PrinterTestPage(
    title="打印测试",
    columns_note="每行 32/42/48 个字符：下面的标尺应正好占满一行。",
    chinese_sample="中文：收费员 李晓梅（窗口1）",
    latin_sample="Latin: ABCDEFGHIJKLMNOPQRSTUVWXYZ 0123456789",
    amount_label="金额",
    qr_note="扫码测试",
    qr_payload="FEETUI TEST PAGE",
)


def _bytes_of(name: str, columns: int) -> bytes:
    profile = PrintProfile(columns=columns)
    if name == "test_page":
        return render(layout_test_page(TEST_PAGE, columns), profile)
    return render_document(DOCUMENTS[name](), profile)


CASES = [(name, columns) for name in [*DOCUMENTS, "test_page"] for columns in COLUMN_CHOICES]


def _first_difference(expected: bytes, actual: bytes) -> str:
    index = next(
        (i for i, (a, b) in enumerate(zip(expected, actual, strict=False)) if a != b),
        min(len(expected), len(actual)),
    )
    start = max(0, index - 24)
    return (
        f"first difference at byte {index} (lengths {len(expected)} vs {len(actual)})\n"
        f"  golden: {expected[start : index + 24].hex(' ')}\n"
        f"  now:    {actual[start : index + 24].hex(' ')}"
    )


@pytest.mark.parametrize(("name", "columns"), CASES)
def test_document_bytes_match_golden_file(name: str, columns: int) -> None:
    actual = _bytes_of(name, columns)
    path = GOLDEN / f"{name}-{columns}.bin"
    if UPDATE:
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(actual)
    assert path.is_file(), f"no golden file {path.name}; run with FEETUI_UPDATE_GOLDEN=1 and review"
    expected = path.read_bytes()
    if actual != expected:
        pytest.fail(
            f"{path.name} differs from what the renderer prints now.\n"
            f"{_first_difference(expected, actual)}\n"
            f"--- golden, decoded ---\n{decode(expected).dump()}\n"
            f"--- now, decoded ---\n{decode(actual).dump()}",
            pytrace=False,
        )


@pytest.mark.parametrize(("name", "columns"), CASES)
def test_every_printed_line_fits_the_paper_without_question_marks(name: str, columns: int) -> None:
    paper = decode(_bytes_of(name, columns))
    for line in paper.lines:
        assert line.width <= columns, f"{line.text!r} is {line.width} columns\n{paper.dump()}"
    text = "\n".join(paper.texts())
    assert "?" not in text
    assert "¥" not in text
    assert paper.cuts == 1


def _line_with(paper: Paper, fragment: str) -> str:
    found = [line.text for line in paper.lines if fragment in line.text]
    assert found, f"no line with {fragment!r}\n{paper.dump()}"
    return found[0]


@pytest.mark.parametrize("columns", COLUMN_CHOICES)
def test_receipt_shows_total_capitals_and_amounts_flush_right(columns: int) -> None:
    doc = DOCUMENTS["receipt"]()
    paper = decode(render_document(doc, PrintProfile(columns=columns)))
    total_line = _line_with(paper, "合计")
    assert total_line.endswith("￥1,822.77")
    by_line = {line.text: line for line in paper.lines}
    assert by_line[total_line].width == columns and by_line[total_line].bold
    assert "大写：壹仟捌佰贰拾贰元柒角柒分" in paper.texts()
    for fee in (*doc.lines, *doc.late_fees, *doc.adjustments, *doc.tenders):
        amount = printed_money(fee.amount)
        line = _line_with(paper, amount)
        assert line.endswith(amount) and by_line[line].width == columns, line
    assert paper.qr_codes == [doc.qr]
    assert doc.verification in _line_with(paper, "验证码")
    assert paper.drawer_kicks == 1


@pytest.mark.parametrize("columns", COLUMN_CHOICES)
def test_reprint_carries_copy_mark_and_count_and_never_kicks_the_drawer(columns: int) -> None:
    paper = decode(render_document(DOCUMENTS["receipt_reprint"](), PrintProfile(columns=columns)))
    mark = _line_with(paper, "重打/COPY")
    assert mark.strip() == "重打/COPY 第2次"
    assert paper.drawer_kicks == 0
    original = decode(render_document(DOCUMENTS["receipt"](), PrintProfile(columns=columns)))
    assert not any("重打" in text for text in original.texts())


def test_voided_receipt_reprint_is_marked_void_in_large_type() -> None:
    paper = decode(render_document(DOCUMENTS["receipt_voided_reprint"](), PrintProfile(32)))
    void_lines = [line for line in paper.lines if line.text.strip() == "作废"]
    assert void_lines and void_lines[0].double
    assert paper.drawer_kicks == 0


@pytest.mark.parametrize("columns", COLUMN_CHOICES)
def test_shift_report_shows_the_shortage_and_signature_lines(columns: int) -> None:
    paper = decode(render_document(DOCUMENTS["shift_report"](), PrintProfile(columns=columns)))
    assert _line_with(paper, "长款(+)/短款(-)").endswith("-￥1.00")
    assert _line_with(paper, "交班人：").endswith("____")
    assert "NO.A00012346" in _line_with(paper, "作废收据")


@pytest.mark.parametrize("columns", COLUMN_CHOICES)
def test_reminder_notice_fills_the_wording_and_writes_the_capitals(columns: int) -> None:
    paper = decode(render_document(DOCUMENTS["reminder_notice"](), PrintProfile(columns=columns)))
    text = "".join(paper.texts())
    assert "尊敬的司马相如、卓文君" in text
    assert "{" not in text
    assert "大写：壹仟捌佰壹拾陆元肆角整" in paper.texts()


@pytest.mark.parametrize("columns", COLUMN_CHOICES)
def test_test_page_ruler_fills_exactly_one_line(columns: int) -> None:
    paper = decode(_bytes_of("test_page", columns))
    ruler = _line_with(paper, "123456789")
    assert len(ruler) == columns and ruler.endswith(str(columns % 10))
    assert _line_with(paper, "中中").count("中") * 2 == columns
    assert paper.drawer_kicks == 1 and paper.qr_codes == ["FEETUI TEST PAGE"]
