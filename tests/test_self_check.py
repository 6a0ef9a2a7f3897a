"""``feetui self-check`` from source: every check passes on a sound setup and names what broke."""

from __future__ import annotations

import argparse
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from feetui import __version__, i18n
from feetui.cli import main
from feetui.config import Settings
from feetui.core.errors import FeeError
from feetui.db.connection import InstanceLock, raw_connection
from feetui.diagnostics import check_database, check_resources


@pytest.fixture
def args() -> argparse.Namespace:
    """The parsed command line of a plain ``feetui self-check``."""
    return argparse.Namespace(receipt=None, notice=None)


@pytest.fixture
def counter_db(tmp_path: Path, db_template: Path) -> Path:
    """A migrated counter database file that no one has open."""
    path = tmp_path / "counter.sqlite3"
    shutil.copyfile(db_template, path)
    return path


def lines(text: str) -> dict[str, str]:
    """``{check name: its status word}`` from the self-check's report."""
    found = {}
    for line in text.splitlines():
        words = line.split()
        if len(words) > 2 and words[0] in ("ok", "FAILED"):
            found[words[1]] = words[0]
    return found


def test_self_check_passes_prints_the_demo_receipt_and_leaves_the_counter_ledger_alone(
    counter_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    receipt = tmp_path / "receipt.bin"

    code = main(["self-check", "--db", str(counter_db), "--receipt", str(receipt)])

    out = capsys.readouterr().out
    assert code == 0, out
    assert out.startswith(f"feetui {__version__} 自检 (source)\n")  # zh_CN, the kind kept
    assert out.rstrip().endswith("OK")
    assert set(lines(out).values()) == {"ok"}
    assert list(lines(out)) == ["resources", "database", "screens", "receipt", "notice"]
    data = receipt.read_bytes()
    assert "壹佰贰拾叁元整".encode("gb18030") in data  # the demo payment's total in capitals
    assert b"\x1dV" in data[-8:]  # cut at the end
    # The demo payment went to a scratch database, never into the counter's own ledger.
    connection = raw_connection(counter_db)
    try:
        for table in ("payment", "journal_entry", "unit", "user", "shift"):
            assert connection.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone() == (0,)
    finally:
        connection.close()


def test_self_check_reports_a_database_in_use_and_still_runs_the_other_checks(
    counter_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with InstanceLock(counter_db):
        code = main(["--lang", "en_US", "self-check", "--db", str(counter_db)])
    out = capsys.readouterr().out
    assert code == 1
    # The screens need the database too; the demo receipt does not (it has its own).
    assert lines(out) == {
        "resources": "ok",
        "database": "FAILED",
        "screens": "FAILED",
        "receipt": "ok",
        "notice": "ok",
    }
    assert "database_in_use" in out
    assert "FAILED: database, screens" in out
    assert out.startswith(f"feetui {__version__} self-check (source)\n")


async def test_resources_check_names_an_unknown_printer_profile(
    settings: Settings, args: argparse.Namespace
) -> None:
    with pytest.raises(FeeError) as caught:
        await check_resources(replace(settings, printer_profile="no-such-printer"), args)
    assert caught.value.code == "printer_profile_unknown"


def test_self_check_reports_a_receipt_file_it_cannot_write(
    counter_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "no-such-folder" / "receipt.bin"
    assert main(["self-check", "--db", str(counter_db), "--receipt", str(target)]) == 1
    out = capsys.readouterr().out
    assert lines(out)["receipt"] == "FAILED"
    assert "printer_not_found" in out


async def test_resources_check_names_missing_catalogs(
    settings: Settings, args: argparse.Namespace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # What a build that left out the compiled catalogs looks like from inside.
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path / "empty-locale")
    i18n._load.cache_clear()
    try:
        with pytest.raises(FeeError) as caught:
            await check_resources(settings, args)
    finally:
        i18n._load.cache_clear()
    assert caught.value.code == "self_check_missing"
    assert i18n.current_language() == "zh_CN"


async def test_database_check_migrates_a_new_file_and_counts_its_units(
    settings: Settings, args: argparse.Namespace
) -> None:
    detail = await check_database(settings, args)
    assert detail.endswith(" 0 units")
    assert settings.resolved_db_path().is_file()


def test_self_check_keeps_the_demo_notice_when_asked(
    counter_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from pypdf import PdfReader

    notice = tmp_path / "notice.pdf"
    assert main(["self-check", "--db", str(counter_db), "--notice", str(notice)]) == 0
    assert lines(capsys.readouterr().out)["notice"] == "ok"
    (page,) = PdfReader(notice).pages
    assert "张三丰" in page.extract_text() and "壹佰贰拾叁元整" in page.extract_text()
