"""``sync-server``'s command line speaks the user's language: its help and argparse's messages."""

from __future__ import annotations

from pathlib import Path

import pytest

from sync_server.cli import language_before_parsing, main


def _stop(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as stop:
        main(list(argv))
    out, err = capsys.readouterr()
    return int(stop.value.code or 0), out, err


def test_a_missing_argument_is_refused_in_chinese_by_default(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, err = _stop(capsys, "sites", "add")
    assert code == 2
    assert err.startswith("用法：sync-server sites add ")
    assert err.endswith("sync-server sites add：错误：缺少必填参数：code, name\n")


@pytest.mark.parametrize("lang", [["--lang", "en_US"], ["--lang=en_US"]])
def test_a_missing_argument_is_refused_in_english_with_lang(
    capsys: pytest.CaptureFixture[str], lang: list[str]
) -> None:
    code, _, err = _stop(capsys, "sites", "add", *lang)
    assert code == 2
    assert err.startswith("usage: sync-server sites add ")
    assert err.endswith(
        "sync-server sites add: error: the following arguments are required: code, name\n"
    )


def test_the_language_setting_chooses_english(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SYNC_SERVER_LANGUAGE", "en_US")
    assert "the following arguments are required: code, name" in _stop(capsys, "sites", "add")[2]
    assert "缺少必填参数" in _stop(capsys, "--lang", "zh_CN", "sites", "add")[2]


def test_an_invalid_choice_is_refused_in_the_users_language(
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = ["users", "add", "boss", "--name", "王", "--role", "boss"]
    assert (
        "参数 --role：无效的选项 'boss'（可选：'admin', 'site_manager'" in _stop(capsys, *argv)[2]
    )
    english = _stop(capsys, *argv, "--lang", "en_US")[2]
    assert "argument --role: invalid choice: 'boss' (choose from 'admin', 'site_manager'" in english


def test_a_figure_is_refused_in_chinese(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["fee-items", "add", "--site", "LJY", "--code", "PF", "--name", "物业费"]
    code, _, err = _stop(capsys, *argv, "--kind", "area", "--rate-fen", "2.5")
    assert code == 2
    assert "参数 --rate-fen：--rate-fen 须填整数" in err


def test_help_is_chinese_by_default_and_english_with_lang(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = _stop(capsys, "scanpay", "--help")
    assert code == 0
    assert out.startswith("用法：sync-server scanpay ")
    for text in ("扫码支付：商户账号、对账单、对账", "位置参数", "选项", "显示本帮助后退出"):
        assert text in out
    assert "配置（或替换）小区的商户账号" in out and "数据库地址（SYNC_SERVER_DB）" in out
    code, out, _ = _stop(capsys, "scanpay", "--help", "--lang", "en_US")
    assert out.startswith("usage: sync-server scanpay ")
    assert "show this help message and exit" in out
    assert "configure (or replace) a site's merchant account" in out


@pytest.mark.parametrize(
    ("argv", "environ", "expected"),
    [
        ([], {}, "zh_CN"),
        (["--lang", "en_US"], {}, "en_US"),
        (["--lang=zh_CN"], {"SYNC_SERVER_LANGUAGE": "en_US"}, "zh_CN"),
        ([], {"SYNC_SERVER_LANGUAGE": "en_US"}, "en_US"),
        ([], {"SYNC_SERVER_LANGUAGE": "fr_FR"}, "zh_CN"),
    ],
)
def test_language_before_parsing_follows_the_setting(
    argv: list[str], environ: dict[str, str], expected: str
) -> None:
    assert language_before_parsing(argv, environ) == expected


def test_lang_words_the_commands_own_messages_too(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = ["--db", f"sqlite:///{tmp_path / 'hq.sqlite3'}"]
    argv = ["scanpay", "report", "--date", "2026-13-01", *db]
    assert main(argv) == 2
    assert capsys.readouterr().err == "--date 必须是日期 YYYY-MM-DD\n"
    assert main([*argv, "--lang", "en_US"]) == 2
    assert capsys.readouterr().err == "--date must be a date YYYY-MM-DD\n"
