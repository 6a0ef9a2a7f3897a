"""Command line of the counter: ``feetui [options] [command]``.

With no command it opens the counter app. Each sub-command lives in its own module under
``feetui/commands/`` with a ``register(subparsers)`` function; this file only wires them. Nothing
heavy is imported until a command runs, so ``feetui --help`` and ``--version`` stay instant.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Mapping, Sequence

from feetui import __version__
from feetui.core.command_line import option_in_argv
from feetui.i18n import DEFAULT_LANGUAGE, SUPPORTED, _

# One module per sub-command; each adds itself with register(subparsers).
COMMAND_MODULES: tuple[str, ...] = (
    "feetui.commands.print_test",
    "feetui.commands.report",
    "feetui.commands.enroll",
    "feetui.commands.sync",
    "feetui.commands.db",
    "feetui.commands.self_check",
    "feetui.commands.bill",
    "feetui.commands.users",
    "feetui.commands.sites",
    "feetui.commands.fee_items",
    "feetui.commands.import_units",
    "feetui.commands.run",
    "feetui.commands.demo",
)


def add_global_options(parser: argparse.ArgumentParser, *, sub: bool = True) -> None:
    """Options every command accepts (they override the config file and FEETUI_* variables).

    Sub-commands call this too, so ``feetui demo-data --db X`` works; their defaults are
    suppressed so that a value given before the sub-command name is not reset.
    """
    kw: dict = {"default": argparse.SUPPRESS} if sub else {"default": None}
    parser.add_argument("--db", dest="db_path", help=_("counter database file"), **kw)
    parser.add_argument("--config", dest="config", help=_("TOML config file"), **kw)
    parser.add_argument("--lang", choices=SUPPORTED, help=_("interface language"), **kw)
    parser.add_argument(
        "--printer", help=_("printer URI: usb:VID:PID, tcp://H:9100, file:PATH, none"), **kw
    )
    parser.add_argument("--server", help=_("headquarters sync server URL"), **kw)
    parser.add_argument(
        "--server-ca",
        dest="server_ca",
        help=_("PEM file of the authority that signed headquarters' HTTPS certificate"),
        **kw,
    )


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser with every registered sub-command."""
    parser = argparse.ArgumentParser(prog="feetui", description=_("feetui fee counter"))
    parser.add_argument(
        "--version",
        action="version",
        version=f"feetui {__version__}",
        help=_("show the version and exit"),
    )
    add_global_options(parser, sub=False)
    subparsers = parser.add_subparsers(dest="command")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def language_before_parsing(argv: Sequence[str], environ: Mapping[str, str] | None = None) -> str:
    """The language to build the parser in, found before parsing (so ``-h`` and errors use it).

    The same precedence as :func:`feetui.config.load_settings`, read cheaply: ``--lang`` in
    ``argv`` (``--lang X`` or ``--lang=X``), else ``FEETUI_LANG``, else ``lang`` in the config
    file (``--config``, or the platform's default), else zh_CN. A value we do not ship is passed
    over here; the full settings refuse it after parsing, as before.
    """
    named = option_in_argv(argv, "--lang")
    if named in SUPPORTED:
        return str(named)
    env = os.environ if environ is None else environ
    if "FEETUI_LANG" in env:
        return env["FEETUI_LANG"] if env["FEETUI_LANG"] in SUPPORTED else DEFAULT_LANGUAGE
    return _language_in_config(option_in_argv(argv, "--config")) or DEFAULT_LANGUAGE


def _language_in_config(config: str | None) -> str | None:
    """``lang`` of the config file, or ``None`` when there is none, it is unreadable or unknown
    (``load_settings`` reports a broken file after parsing, in the language chosen here)."""
    from pathlib import Path

    from feetui.config import default_config_path

    path = Path(config) if config else default_config_path()
    if not path.is_file():
        return None
    import tomllib  # only when there is a file to read, as load_settings does

    try:
        with path.open("rb") as handle:
            lang = tomllib.load(handle).get("lang")
    except (OSError, ValueError):
        return None
    return lang if lang in SUPPORTED else None


def settings_from_args(args: argparse.Namespace):
    """Merge config file, environment and flags into Settings, and switch the language."""
    from feetui.config import load_settings
    from feetui.i18n import set_language

    overrides = {
        key: getattr(args, key, None)
        for key in ("db_path", "lang", "printer", "server", "server_ca")
    }
    settings = load_settings(getattr(args, "config", None), overrides=overrides)
    set_language(settings.lang)
    return settings


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``feetui`` script; returns the process exit code.

    The language is chosen before the parser is built, so its help and argparse's own messages
    (usage, errors) are in the user's language; the settings confirm it after parsing.
    """
    from feetui.i18n import set_language, translate_argparse

    words = list(sys.argv[1:] if argv is None else argv)
    set_language(language_before_parsing(words))
    translate_argparse()
    parser = build_parser()
    args = parser.parse_args(words)
    func = getattr(args, "func", None)
    if func is None:
        if "feetui.commands.run" not in COMMAND_MODULES:
            parser.print_help()
            return 2
        func = importlib.import_module("feetui.commands.run").run_app
    return int(func(args) or 0)


__all__ = [
    "add_global_options",
    "build_parser",
    "language_before_parsing",
    "main",
    "settings_from_args",
]
