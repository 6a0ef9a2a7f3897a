"""``feetui``'s command line speaks the user's language: its help and argparse's own messages."""

from __future__ import annotations

import argparse
import inspect
import re
from pathlib import Path

import pytest

from feetui import i18n
from feetui.cli import language_before_parsing, main
from feetui.core.command_line import ARGPARSE_MESSAGES, option_in_argv

USERS_ADD = ["users", "add"]


def _refusal(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    with pytest.raises(SystemExit) as stop:
        main(list(argv))
    assert stop.value.code == 2
    out, err = capsys.readouterr()
    assert out == ""
    return err


def _help(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    with pytest.raises(SystemExit) as stop:
        main(list(argv))
    assert stop.value.code in (0, None)
    return capsys.readouterr().out


def test_a_missing_argument_is_refused_in_chinese_by_default(
    capsys: pytest.CaptureFixture[str],
) -> None:
    err = _refusal(capsys, *USERS_ADD)
    assert err.startswith("用法：feetui users add ")
    assert "feetui users add：错误：缺少必填参数：code, --name, --role\n" in err
    assert "usage" not in err and "error" not in err


@pytest.mark.parametrize(
    "argv",
    [
        [*USERS_ADD, "--lang", "en_US"],
        ["--lang=en_US", *USERS_ADD],
        ["--lang", "en_US", *USERS_ADD],
    ],
)
def test_a_missing_argument_is_refused_in_english_with_lang(
    capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    err = _refusal(capsys, *argv)
    assert err.startswith("usage: feetui users add ")
    assert (
        "feetui users add: error: the following arguments are required: code, --name, --role\n"
        in err
    )


def test_an_invalid_choice_is_refused_in_the_users_language(
    capsys: pytest.CaptureFixture[str],
) -> None:
    bad_role = [*USERS_ADD, "1001", "--name", "张三", "--role", "boss"]
    assert "参数 --role：无效的选项 'boss'（可选：'cashier', 'supervisor', 'admin'）" in _refusal(
        capsys, *bad_role
    )
    assert (
        "argument --role: invalid choice: 'boss' (choose from 'cashier', 'supervisor', 'admin')"
        in _refusal(capsys, *bad_role, "--lang", "en_US")
    )


def test_an_unknown_command_is_refused_in_chinese(capsys: pytest.CaptureFixture[str]) -> None:
    assert "feetui：错误：参数 command：无效的选项 'pay'（可选：" in _refusal(capsys, "pay")


def test_help_is_chinese_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    out = _help(capsys, "--help")
    assert out.startswith("用法：feetui ")
    for text in ("feetui 物业收费窗口", "位置参数", "选项", "显示本帮助后退出", "显示版本号后退出"):
        assert text in out
    assert "添加或停用单机收费窗口的用户" in out  # the users command's help
    assert "界面语言" in out  # --lang's help
    assert not re.search(r"\b(usage|options|show this help|interface language)\b", out)


def test_a_commands_help_is_chinese_and_english_with_lang(
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = _help(capsys, *USERS_ADD, "-h")
    assert "登录工号，例如 1001" in out and "从标准输入读取密码" in out
    out = _help(capsys, *USERS_ADD, "-h", "--lang", "en_US")
    assert out.startswith("usage: feetui users add ")
    for text in ("options:", "show this help message and exit", "the sign-in code, e.g. 1001"):
        assert text in out


def test_the_language_comes_from_the_environment_then_the_config_file(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    config = tmp_path / "feetui.toml"
    config.write_text('lang = "en_US"\n', encoding="utf-8")
    assert "usage:" in _refusal(capsys, *USERS_ADD, "--config", str(config))
    assert "用法：" in _refusal(capsys, *USERS_ADD, "--config", str(config), "--lang", "zh_CN")
    monkeypatch.setenv("FEETUI_LANG", "zh_CN")  # the environment beats the file
    assert "用法：" in _refusal(capsys, *USERS_ADD, "--config", str(config))
    monkeypatch.setenv("FEETUI_LANG", "en_US")
    assert "usage:" in _refusal(capsys, *USERS_ADD)
    assert "用法：" in _refusal(capsys, *USERS_ADD, "--lang=zh_CN")  # the flag beats both


def test_the_default_config_file_names_the_language(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from feetui.config import default_config_path

    path = default_config_path()  # under the test's XDG_CONFIG_HOME (conftest)
    assert path.is_relative_to(tmp_path)
    path.parent.mkdir(parents=True)
    path.write_text('lang = "en_US"\n', encoding="utf-8")
    assert "usage:" in _refusal(capsys, *USERS_ADD)


@pytest.mark.parametrize(
    ("argv", "environ", "expected"),
    [
        ([], {}, "zh_CN"),
        (["--lang", "en_US"], {}, "en_US"),
        (["--lang=en_US"], {"FEETUI_LANG": "zh_CN"}, "en_US"),
        (["--lang", "fr_FR"], {"FEETUI_LANG": "en_US"}, "en_US"),  # argparse refuses it, in en_US
        ([], {"FEETUI_LANG": "fr_FR"}, "zh_CN"),  # the settings refuse it after parsing
        (["--", "--lang", "en_US"], {}, "zh_CN"),
        (["--lang"], {}, "zh_CN"),
    ],
)
def test_language_before_parsing_mirrors_the_settings(
    argv: list[str], environ: dict[str, str], expected: str
) -> None:
    assert language_before_parsing(argv, environ) == expected


def test_an_unreadable_config_file_leaves_the_default_for_the_parser(tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text("lang = \n", encoding="utf-8")
    assert language_before_parsing(["--config", str(broken)], {}) == "zh_CN"


def test_option_in_argv_takes_the_last_value_before_the_end_of_options() -> None:
    argv = ["--lang", "zh_CN", "x", "--lang=en_US", "--", "--lang", "fr"]
    assert option_in_argv(argv, "--lang") == "en_US"
    assert option_in_argv(["--language", "x"], "--lang") is None
    assert option_in_argv(["--lang="], "--lang") == ""


def test_every_argparse_message_is_argparses_own_and_keeps_its_placeholders() -> None:
    source = inspect.getsource(argparse)
    for message in ARGPARSE_MESSAGES:
        assert repr(message) in source or f'"{message}"' in source, message
        for lang in i18n.SUPPORTED:
            i18n.set_language(lang)
            translated = i18n._(message)
            assert translated != "" and (lang == "en_US" or translated != message), message
            assert sorted(re.findall(r"%\(\w+\)[sr]|%[sr]", translated)) == sorted(
                re.findall(r"%\(\w+\)[sr]|%[sr]", message)
            ), (lang, message)


def test_routed_argparse_passes_empty_and_absent_texts_through() -> None:
    i18n.translate_argparse()
    assert argparse._("") == ""  # not the catalog's header
    assert argparse._(None) is None  # add_subparsers(title=...) without a description
    assert argparse._("options") == "选项"
