"""The compiled-catalog cache: used while the .po is unchanged, never after an edit."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from feetui import i18n

CODE_ZH = 'msgid "Code"\nmsgstr "工号"\n'


@pytest.fixture
def locale(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the shipped catalogs that the test may edit."""
    folder = tmp_path / "locale"
    shutil.copytree(i18n.LOCALE_DIR, folder, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    monkeypatch.setattr(i18n, "LOCALE_DIR", folder)
    i18n._load.cache_clear()
    yield folder
    i18n._load.cache_clear()


def _po(locale: Path) -> Path:
    return locale / "zh_CN" / "LC_MESSAGES" / "feetui.po"


def test_the_compiled_catalog_is_cached_and_an_edit_of_the_po_misses_the_cache(
    locale: Path,
) -> None:
    assert i18n._load("zh_CN").gettext("Code") == "工号"
    cache = _po(locale).parent / "__pycache__"
    first = list(cache.glob("feetui-*.mo"))
    assert len(first) == 1

    i18n._load.cache_clear()
    assert i18n._load("zh_CN").gettext("Code") == "工号"  # read back from the cache
    assert list(cache.glob("feetui-*.mo")) == first

    text = _po(locale).read_text(encoding="utf-8")
    assert CODE_ZH in text
    _po(locale).write_text(text.replace(CODE_ZH, CODE_ZH.replace("工号", "员工号")), "utf-8")
    i18n._load.cache_clear()
    assert i18n._load("zh_CN").gettext("Code") == "员工号"
    second = list(cache.glob("feetui-*.mo"))
    assert len(second) == 1 and second != first  # the stale one is gone


def test_a_folder_that_cannot_hold_the_cache_still_gets_translations(locale: Path) -> None:
    (_po(locale).parent / "__pycache__").write_text("not a folder")
    assert i18n._load("zh_CN").gettext("Code") == "工号"
    assert not list(_po(locale).parent.glob("*.partial"))
