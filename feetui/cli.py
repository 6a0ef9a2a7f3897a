"""Command line of the counter: ``feetui [options] [command]``.

With no command it opens the counter app. Each sub-command lives in its own module under
``feetui/commands/`` with a ``register(subparsers)`` function; this file only wires them. Nothing
heavy is imported until a command runs, so ``feetui --help`` and ``--version`` stay instant.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from feetui import __version__

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
    parser.add_argument("--db", dest="db_path", help="counter database file", **kw)
    parser.add_argument("--config", dest="config", help="TOML config file", **kw)
    parser.add_argument("--lang", choices=("zh_CN", "en_US"), help="interface language", **kw)
    parser.add_argument(
        "--printer", help="printer URI: usb:VID:PID, tcp://H:9100, file:PATH, none", **kw
    )
    parser.add_argument("--server", help="headquarters sync server URL", **kw)
    parser.add_argument(
        "--server-ca",
        dest="server_ca",
        help="PEM file of the authority that signed headquarters' HTTPS certificate",
        **kw,
    )


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser with every registered sub-command."""
    parser = argparse.ArgumentParser(prog="feetui", description="feetui fee counter")
    parser.add_argument("--version", action="version", version=f"feetui {__version__}")
    add_global_options(parser, sub=False)
    subparsers = parser.add_subparsers(dest="command")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


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
    """Entry point of the ``feetui`` script; returns the process exit code."""
    parser = build_parser()
    args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    func = getattr(args, "func", None)
    if func is None:
        if "feetui.commands.run" not in COMMAND_MODULES:
            parser.print_help()
            return 2
        func = importlib.import_module("feetui.commands.run").run_app
    return int(func(args) or 0)


__all__ = ["add_global_options", "build_parser", "main", "settings_from_args"]
