"""Import hygiene: core stays pure and start-up stays light (checked in a fresh interpreter)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

HEAVY = ("textual", "tortoise", "aiohttp", "babel", "escpos", "pypinyin", "openpyxl", "asyncpg")


def _modules_after(code: str) -> set[str]:
    script = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    return set(json.loads(out.strip().splitlines()[-1]))


def _heavy(modules: set[str]) -> set[str]:
    return {m for m in modules if m.split(".")[0] in HEAVY}


def test_core_imports_nothing_but_the_standard_library() -> None:
    modules = _modules_after(
        "import pkgutil, importlib, feetui.core\n"
        "for m in pkgutil.iter_modules(feetui.core.__path__):\n"
        "    importlib.import_module('feetui.core.' + m.name)"
    )
    assert _heavy(modules) == set()
    assert not {m for m in modules if m.startswith("feetui.") and not m.startswith("feetui.core")}


def test_cli_parser_builds_without_heavy_imports() -> None:
    # The parser's texts are translated, so it reads the catalog: from source, the first run ever
    # compiles the .po with babel and caches it (feetui/i18n.py); every later start reads the
    # cache. Warm it, as any earlier start of the checkout has, then build in a fresh interpreter.
    _modules_after("import feetui.i18n\nfeetui.i18n.set_language('zh_CN')")
    modules = _modules_after("import feetui.cli\nfeetui.cli.build_parser()")
    assert _heavy(modules) == set()


def test_feetui_version_prints_the_version() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "feetui", "--version"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0
    assert result.stdout.startswith("feetui ")


def test_sync_server_loads_only_core_protocol_and_tables_of_feetui() -> None:
    modules = _modules_after(
        "import pkgutil, importlib, sync_server\n"
        "for m in pkgutil.walk_packages(sync_server.__path__, 'sync_server.'):\n"
        "    if not m.name.endswith('__main__'):\n"
        "        importlib.import_module(m.name)\n"
        "import sync_server.services.imports"
    )
    allowed = {"feetui", "feetui.sync", "feetui.sync.protocol", "feetui.tables"}
    feetui = {m for m in modules if m.split(".")[0] == "feetui"}
    assert "feetui.tables" in feetui
    assert {m for m in feetui if not m.startswith("feetui.core")} <= allowed
