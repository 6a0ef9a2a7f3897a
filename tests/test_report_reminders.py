"""``feetui report reminders``: notices as one PDF (read back with pypdf) or as text; bad input
refused with a clear message and nothing written."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from pypdf import PdfReader

from feetui.cli import main

AS_OF = ["--as-of", "2026-11-23"]
WORDING = "{owner}：贵户{unit}截至{as_of}欠费{total}（{total_capitals}），请于{deadline}前缴清。"


def _run(argv: list[str]) -> int:
    """Run the CLI in a thread of its own (it runs its own event loop)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(main, argv).result()


@pytest.fixture
async def site(ledger, settings, tmp_path: Path) -> list[str]:
    """Two units owing parking (one in building 1, one in 2), one paid up; the company's wording
    in a config file. Returns the command's leading arguments."""
    owing = await ledger.unit("1-1-101", owner="张三丰")
    for period in ("2026-01", "2026-10"):
        await ledger.charge(owing, item="PK", period=period, amount_fen=15_000)
    other = await ledger.unit("2-1-101", owner="李四")
    await ledger.charge(other, item="PK", period="2026-09", amount_fen=12_345)
    paid = await ledger.unit("2-1-102", owner="王五")
    await ledger.charge(paid, item="PK", period="2026-11", amount_fen=15_000)
    await ledger.pay(paid)
    config = tmp_path / "config.toml"
    config.write_text(f'reminder_wording = "{WORDING}"\n', encoding="utf-8")
    return ["report", "reminders", "--db", settings.db_path, "--config", str(config), *AS_OF]


def _tree(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*"))


def _pages(path: Path) -> list[str]:
    return [page.extract_text().replace("\n", "") for page in PdfReader(path).pages]


async def test_a_building_gets_a_pdf_with_each_units_lines_total_and_wording(
    site, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    out = tmp_path / "notices.pdf"
    assert _run([*site, "--building", "1", "--out", str(out)]) == 0
    (text,) = _pages(out)
    for part in ("催缴通知单", "1-1-101", "张三丰", "2026-01", "2026-10", "150.00", "￥300.00",
                 "叁佰元整"):  # fmt: skip
        assert part in text, part
    assert "张三丰：贵户1-1-101截至2026-11-23欠费￥300.00（叁佰元整），请于" in text
    assert "李四" not in text
    assert str(out) in capsys.readouterr().out


async def test_every_unit_in_arrears_gets_a_page_of_its_own(site, tmp_path: Path):
    out = tmp_path / "all.pdf"
    assert _run([*site, "--out", str(out)]) == 0
    pages = _pages(out)
    assert len(pages) == 2
    assert "张三丰" in pages[0] and "第 1 页 / 共 2 页" in pages[0]  # the larger debt first
    assert "李四" in pages[1] and "123.45" in pages[1] and "壹佰贰拾叁元肆角伍分" in pages[1]


async def test_a_unit_that_owes_nothing_is_skipped_with_a_message(
    site, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    out = tmp_path / "two.pdf"
    assert _run([*site, "--unit", "2-1-102", "--unit", "1栋1单元101", "--out", str(out)]) == 0
    assert len(_pages(out)) == 1
    assert "2-1-102 截至 2026-11-23 没有到期欠费" in capsys.readouterr().err
    alone = tmp_path / "none.pdf"
    assert _run([*site, "--unit", "2-1-102", "--out", str(alone)]) == 1
    assert "未生成催缴通知单" in capsys.readouterr().err
    assert not alone.exists()


async def test_text_is_the_receipt_printers_notice(site, capsys: pytest.CaptureFixture[str]):
    assert _run([*site, "--unit", "1-1-101", "--format", "text"]) == 0
    text = capsys.readouterr().out
    for part in ("催缴通知单", "通知单号", "1-1-101", "张三丰", "￥300.00", "叁佰元整"):
        assert part in text, part


async def test_an_english_pdf_keeps_the_chinese_names(site, tmp_path: Path):
    out = tmp_path / "en.pdf"
    assert _run(["--lang", "en_US", *site, "--unit", "1-1-101", "--out", str(out)]) == 0
    (text,) = _pages(out)
    assert "Payment reminder" in text and "Owner: 张三丰" in text and "Page 1 of 1" in text


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--building", "9"], "没有 9 栋"),
        (["--fee-item", "XX"], "没有收费项目 XX"),
        (["--unit", "9-9-999"], "没有房号为 9-9-999 的房屋"),
        (["--as-of", "2026-13-45"], "2026-13-45 不是有效日期"),
        (["--as-of", "23/11/2026"], "23/11/2026 不是有效日期"),
        (["--unit", "1-1-101", "--building", "1"], "二者不能同时使用"),
    ],
)
async def test_bad_input_is_refused_clearly_and_nothing_is_written(
    site, tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: list[str], message: str
):
    out = tmp_path / "bad.pdf"
    assert _run([*site, *extra, "--out", str(out)]) == 1
    assert message in capsys.readouterr().err
    assert not out.exists()


async def test_an_unwritable_out_path_is_refused_and_nothing_is_written(
    site, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    for out in (tmp_path / "missing" / "n.pdf", tmp_path):
        before = _tree(tmp_path)
        assert _run([*site, "--out", str(out)]) == 1
        err = capsys.readouterr().err
        assert "无法写入" in err and str(out) in err
        assert _tree(tmp_path) == before
    assert _run([*site]) == 1  # a PDF needs a file
    assert "--out" in capsys.readouterr().err
