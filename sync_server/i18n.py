"""Translations of the server's command line, from feetui's own catalogs (read as data files).

The server may import only ``feetui.core`` and ``feetui.sync.protocol``, so it does not use
``feetui.i18n``; it reads the same ``feetui/locale/<lang>/LC_MESSAGES/feetui.po`` (or a newer
``.mo``) itself. ``scripts/i18n.py`` extracts message ids from ``sync_server/`` too. The language
is the ``language`` setting (``SYNC_SERVER_LANGUAGE``), ``zh_CN`` by default. JSON answers are not
translated: they carry stable codes and column names, and the counter words them in its cashier's
language; the CSV and XLSX exports, read by people, get column titles in that language.
"""

from __future__ import annotations

import gettext as _gettext
import io
from functools import lru_cache
from pathlib import Path

import feetui

LOCALE_DIR = Path(feetui.__file__).resolve().parent / "locale"
DOMAIN = "feetui"
SUPPORTED = ("zh_CN", "en_US")
DEFAULT_LANGUAGE = "zh_CN"
_state: dict[str, str] = {"lang": DEFAULT_LANGUAGE}


@lru_cache(maxsize=4)
def _load(lang: str) -> _gettext.NullTranslations:
    po = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    mo = po.with_suffix(".mo")
    if mo.is_file() and (not po.is_file() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as handle:
            return _gettext.GNUTranslations(handle)
    if not po.is_file():
        return _gettext.NullTranslations()
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as handle:
        catalog = read_po(handle, locale=lang, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return _gettext.GNUTranslations(buffer)


def set_language(lang: str) -> None:
    """Make ``lang`` the language of later ``_()`` calls (an unknown one falls back to zh_CN)."""
    _state["lang"] = lang if lang in SUPPORTED else DEFAULT_LANGUAGE


def _(message: str) -> str:
    """Translate ``message`` into the current language."""
    return _load(_state["lang"]).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """Translate with the plural form the current language uses for ``n``."""
    return _load(_state["lang"]).ngettext(singular, plural, n)


def translate_argparse() -> None:
    """Word argparse's own messages (usage, errors, the ``-h`` help) through feetui's catalogs.

    Call it before building the parser; the same routing as the counter's
    (:mod:`feetui.core.command_line`), with the server's language.
    """
    from feetui.core.command_line import route_argparse

    route_argparse(_, ngettext)


def N_(message: str) -> str:
    """Mark ``message`` for translation where it is defined; translate it where it is shown."""
    return message


def translate(message: str, lang: str) -> str:
    """Translate ``message`` into ``lang`` (unknown: zh_CN), whatever the current language."""
    return _load(lang if lang in SUPPORTED else DEFAULT_LANGUAGE).gettext(message)


__all__ = [
    "DEFAULT_LANGUAGE",
    "N_",
    "SUPPORTED",
    "_",
    "ngettext",
    "set_language",
    "translate",
    "translate_argparse",
]
