"""``sync-server``'s own result and error lines in the user's language (zh_CN by default), with
the values scripts read (ids, codes) left as they are."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from sync_server.cli import API_MESSAGES, main

ID = r"[0-9a-f-]{36}"
LINES = {
    "zh_CN": {
        "site": rf"已添加小区 LJY：{ID}",
        "again": "错误：编码为 LJY 的小区已存在（site_exists）",
        "user": rf"已添加用户 boss（admin）：{ID}",
        "item": rf"已为小区 LJY 添加收费项目 PF：{ID}",
        "enroll": r"小区 LJY 收费窗口 window-1 的注册码: (\S+)",
        "valid": r"有效期至 \S+（只能使用一次）",
    },
    "en_US": {
        "site": rf"site LJY added: {ID}",
        "again": "error: a site with code LJY exists (site_exists)",
        "user": rf"user boss \(admin\) added: {ID}",
        "item": rf"fee item PF added to LJY: {ID}",
        "enroll": r"enrolment code for window-1 at LJY: (\S+)",
        "valid": r"valid until \S+ \(once\)",
    },
}


def _run(capsys: pytest.CaptureFixture[str], lang: list[str], *argv: str) -> tuple[int, str, str]:
    code = main([*lang, *argv])
    out, err = capsys.readouterr()
    return code, out.rstrip("\n"), err.rstrip("\n")


@pytest.mark.parametrize(
    ("lang", "words"), [([], LINES["zh_CN"]), (["--lang", "en_US"], LINES["en_US"])]
)
def test_commands_print_their_results_in_the_users_language(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    lang: list[str],
    words: dict[str, str],
) -> None:
    monkeypatch.delenv("SYNC_SERVER_LANGUAGE", raising=False)
    db = ["--db", f"sqlite:///{tmp_path / 'hq.sqlite3'}"]
    code, out, _ = _run(capsys, lang, "sites", "add", "LJY", "绿景苑", *db)
    assert code == 0 and re.fullmatch(words["site"], out), out
    code, out, err = _run(capsys, lang, "sites", "add", "LJY", "again", *db)
    assert (code, out, err) == (1, "", words["again"])
    monkeypatch.setattr("sys.stdin", io.StringIO("s3cret\n"))
    argv = ["users", "add", "boss", "--name", "老板", "--role", "admin", "--password-stdin"]
    code, out, _ = _run(capsys, lang, *argv, *db)
    assert code == 0 and re.fullmatch(words["user"], out), out
    argv = ["fee-items", "add", "--site", "LJY", "--code", "PF", "--name", "物业费"]
    code, out, _ = _run(capsys, lang, *argv, "--kind", "area", "--rate-fen", "250", *db)
    assert code == 0 and re.fullmatch(words["item"], out), out
    code, out, _ = _run(capsys, lang, "enroll", "--site", "LJY", "--name", "window-1", *db)
    first, second = out.splitlines()
    found = re.fullmatch(words["enroll"], first)
    assert code == 0 and found and re.fullmatch(words["valid"], second), out
    # The code stays what scripts take: the first line's last word, after its last colon.
    assert first.split()[-1] == first.rsplit(":", 1)[-1].strip() == found.group(1)


def test_an_error_names_its_code_in_both_languages(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SYNC_SERVER_LANGUAGE", raising=False)
    db = ["--db", f"sqlite:///{tmp_path / 'hq.sqlite3'}"]
    argv = ["fee-items", "add", "--site", "NOPE", "--code", "PF", "--name", "物业费", "--kind",
            "area", "--rate-fen", "250", *db]  # fmt: skip
    assert _run(capsys, [], *argv)[1:] == ("", "错误：没有编码为 NOPE 的小区（unknown_site）")
    monkeypatch.setenv("SYNC_SERVER_LANGUAGE", "en_US")
    assert _run(capsys, [], *argv)[1:] == ("", "error: no site with code NOPE (unknown_site)")


def test_the_listed_api_messages_are_the_services_own() -> None:
    """Each id the command line translates is a message a server service raises, word for word,
    so the list cannot drift from what the services say."""
    services = Path(__file__).resolve().parents[2] / "sync_server" / "services"
    text = "".join(path.read_text(encoding="utf-8") for path in services.glob("*.py"))
    assert [m for m in API_MESSAGES if f'"{m}"' not in text] == []
