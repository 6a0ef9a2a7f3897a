"""Every user-visible message id in feetui/ is translated in zh_CN and present in en_US."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from feetui import i18n

ROOT = Path(__file__).resolve().parent.parent


def _load_script():
    spec = importlib.util.spec_from_file_location("i18n_script", ROOT / "scripts" / "i18n.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_catalogs_translate_every_message_id_in_the_source() -> None:
    gaps = _load_script().missing()
    assert gaps == {"zh_CN": [], "en_US": []}, (
        "run `python scripts/i18n.py update` and translate the new zh_CN entries"
    )


def test_set_language_refuses_an_unknown_language() -> None:
    with pytest.raises(ValueError):
        i18n.set_language("fr_FR")
