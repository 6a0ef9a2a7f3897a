"""Translations and formatting for people, through babel.

Message ids are English; ``zh_CN`` is the default language and ``en_US`` is complete. Catalogs live
in ``feetui/locale/<lang>/LC_MESSAGES/feetui.po``. A compiled ``.mo`` beside the ``.po`` is used
when it is at least as new; otherwise the ``.po`` is compiled (babel: ~50 ms, a sixth of a cold
start). The compiled bytes are cached the way Python caches bytecode, in ``__pycache__`` beside
the ``.po`` under a name made of the ``.po``'s exact mtime and size (any edit, checkout or copy
misses it); where that folder cannot be written the ``.po`` is compiled in memory each time. So a
source checkout and the packaged binary (which ships only ``.mo`` files) behave the same.

Call :func:`set_language` before importing screens: binding labels are read when a class is made.
"""

from __future__ import annotations

import contextlib
import gettext as _gettext
import io
import os
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

from feetui.core.money import Money

DOMAIN = "feetui"
LOCALE_DIR = Path(__file__).parent / "locale"
SUPPORTED = ("zh_CN", "en_US")
DEFAULT_LANGUAGE = "zh_CN"

_state: dict[str, object] = {"lang": DEFAULT_LANGUAGE, "t": None}


@lru_cache(maxsize=4)
def _load(lang: str) -> _gettext.NullTranslations:
    po = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    mo = po.with_suffix(".mo")
    if mo.is_file() and (not po.is_file() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as handle:
            return _gettext.GNUTranslations(handle)
    if not po.is_file():
        return _gettext.NullTranslations()
    cached = _cache_path(po)
    if cached.is_file():
        with cached.open("rb") as handle:
            return _gettext.GNUTranslations(handle)
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as handle:
        catalog = read_po(handle, locale=lang, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    _write_cache(cached, buffer.getvalue())
    buffer.seek(0)
    return _gettext.GNUTranslations(buffer)


def _cache_path(po: Path) -> Path:
    """Where the ``.po``'s compiled bytes are cached: named by its exact mtime and size."""
    stat = po.stat()
    return po.parent / "__pycache__" / f"{po.stem}-{stat.st_mtime_ns}-{stat.st_size}.mo"


def _write_cache(cached: Path, data: bytes) -> None:
    """Write ``cached`` atomically and drop older caches of the same catalog; skip when the
    folder cannot be written (the next start compiles again)."""
    partial = cached.with_name(f"{cached.name}.{os.getpid()}.partial")
    try:
        cached.parent.mkdir(exist_ok=True)
        partial.write_bytes(data)
        os.replace(partial, cached)
        stem = cached.name.split("-", 1)[0]
        for old in cached.parent.glob(f"{stem}-*.mo"):
            if old != cached:
                old.unlink(missing_ok=True)
    except OSError:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)


def set_language(lang: str) -> None:
    """Make ``lang`` the language of every later ``_()`` call.

    Raises:
        ValueError: the language is not one we ship.
    """
    if lang not in SUPPORTED:
        raise ValueError(f"unsupported language {lang!r}; choose one of {', '.join(SUPPORTED)}")
    _state["lang"] = lang
    _state["t"] = _load(lang)


def current_language() -> str:
    """The language ``_()`` translates into now."""
    return str(_state["lang"])


def _translations() -> _gettext.NullTranslations:
    t = _state["t"]
    if t is None:
        set_language(str(_state["lang"]))
        t = _state["t"]
    return t  # type: ignore[return-value]


def _(message: str) -> str:
    """Translate ``message`` into the current language."""
    return _translations().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """Translate with the plural form the current language uses for ``n``."""
    return _translations().ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark ``message`` for extraction; translate later with ``_()``."""
    return message


def translate_argparse() -> None:
    """Word argparse's own messages (usage, errors, the ``-h`` help) through our catalogs.

    Call it before building a parser: group titles and the ``-h`` help are read when a parser is
    made. Later messages follow the current language (see :mod:`feetui.core.command_line`).
    """
    from feetui.core.command_line import route_argparse

    route_argparse(_, ngettext)


def tr_error(error: object) -> str:
    """Translate a :class:`feetui.core.errors.FeeError` (message id + params) for people."""
    message = getattr(error, "message", str(error))
    params = getattr(error, "params", {}) or {}
    text = _(message)
    try:
        return text.format(**params)
    except (KeyError, IndexError, ValueError):
        return text


@lru_cache(maxsize=4)
def _babel_locale(lang: str):
    from babel import Locale

    return Locale.parse(lang)


def format_money(amount: Money, *, symbol: bool = True) -> str:
    """``¥1,234.50`` for people, in every supported language (the symbol is CNY's)."""
    text = amount.yuan_text(grouping=True)
    if not symbol:
        return text
    if text.startswith("-"):
        return "-¥" + text[1:]
    return "¥" + text


def format_date(value: date) -> str:
    """A business date for people: 2026-11-23 in every language (what finance expects)."""
    return value.isoformat()


def format_datetime(value: datetime, tz: object) -> str:
    """A local time for people: ``2026-11-23 09:30``."""
    local = value.astimezone(tz)  # type: ignore[arg-type]
    return local.strftime("%Y-%m-%d %H:%M")


def format_decimal(value: object) -> str:
    """A plain number in the current language's style (areas, meter readings)."""
    from babel.numbers import format_decimal as _fmt

    return _fmt(value, locale=_babel_locale(current_language()))


__all__ = [
    "N_",
    "SUPPORTED",
    "_",
    "current_language",
    "format_date",
    "format_datetime",
    "format_decimal",
    "format_money",
    "ngettext",
    "set_language",
    "tr_error",
    "translate_argparse",
]
