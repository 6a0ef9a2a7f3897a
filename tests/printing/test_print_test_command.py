"""``feetui print-test``: the test page reaches the printer, and a dead printer is explained."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from feetui.cli import main
from tests.printing.escpos_decoder import decode


@pytest.mark.parametrize("columns", [32, 48])
def test_print_test_sends_a_page_with_ruler_qr_and_drawer_kick(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], columns: int
) -> None:
    target = tmp_path / "printer.bin"
    code = main(["print-test", "--printer", f"file:{target}", "--columns", str(columns)])
    assert code == 0
    assert "测试页已发送" in capsys.readouterr().out
    paper = decode(target.read_bytes())
    assert "".join(str(i % 10) for i in range(1, columns + 1)) in paper.texts()
    assert paper.texts()[0].strip() == "打印测试"
    assert paper.qr_codes == [f"feetui print-test {columns}"]
    assert paper.drawer_kicks == 1 and paper.cuts == 1
    assert all(line.width <= columns for line in paper.lines)


def test_print_test_explains_an_offline_printer_in_the_cashiers_language(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
    code = main(["print-test", "--printer", f"tcp://127.0.0.1:{port}", "--timeout", "0.5"])
    assert code == 1
    assert "没有应答" in capsys.readouterr().err


def test_print_test_explains_a_bad_printer_setting_in_english(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["--lang", "en_US", "print-test", "--printer", "lpt1"]) == 1
    assert "is not a printer address" in capsys.readouterr().err


def test_print_test_with_no_printer_says_nothing_was_printed(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["print-test", "--printer", "none"]) == 0
    assert "没有打印任何内容" in capsys.readouterr().out
