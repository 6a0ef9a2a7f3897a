"""``feetui users add CODE --name NAME --role ROLE`` and ``feetui users disable CODE``.

For a standalone counter; an enrolled counter gets its users from headquarters. The PIN is read
from the terminal without echo (or one line of standard input with ``--pin-stdin``) and stored
only as a slow salted hash.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

ROLES = ("cashier", "supervisor", "admin")


def register(subparsers: Any) -> None:
    """Add the ``users`` sub-command with ``add`` and ``disable`` (imports nothing heavy)."""
    from feetui.cli import add_global_options
    from feetui.i18n import _

    parser = subparsers.add_parser("users", help=_("add or disable users of a standalone counter"))
    actions = parser.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", help=_("add a user with a PIN"))
    add_global_options(add)
    add.add_argument("code", help=_("the sign-in code, e.g. 1001"))
    add.add_argument("--name", required=True, help=_("the user's name"))
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--pin-stdin", action="store_true", help=_("read the PIN from standard input"))
    add.set_defaults(func=run_add)
    disable = actions.add_parser("disable", help=_("stop a user from signing in"))
    add_global_options(disable)
    disable.add_argument("code")
    disable.set_defaults(func=run_disable)


def _pin(from_stdin: bool) -> str:
    from feetui.i18n import _

    if from_stdin or not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    return getpass.getpass(_("PIN (4 to 8 digits): "))


def run_add(args: argparse.Namespace) -> int:
    """Add the user; 0 when added, 1 with the reason on stderr."""
    from feetui.i18n import _

    pin = _pin(args.pin_stdin)

    async def work(svc: Any) -> Any:
        from feetui.services.users import add_user

        return await add_user(svc, code=args.code, name=args.name, role=args.role, pin=pin)

    done = _run(args, work)
    if done is None:
        return 1
    print(
        _("User {code} ({name}, {role}) added.").format(
            code=done.code, name=done.name, role=done.role
        )
    )
    return 0


def run_disable(args: argparse.Namespace) -> int:
    """Disable the user; 0 when done, 1 with the reason on stderr."""
    from feetui.i18n import _

    async def work(svc: Any) -> Any:
        from feetui.services.users import disable_user

        return await disable_user(svc, code=args.code)

    done = _run(args, work)
    if done is None:
        return 1
    print(_("User {code} can no longer sign in.").format(code=done.code))
    return 0


def _run(args: argparse.Namespace, work: Any) -> Any:
    """Open the store, run ``work(services)``, close it; ``None`` after an error was printed."""
    from feetui.commands.common import run_with_services

    return run_with_services(args, work)


__all__ = ["register", "run_add", "run_disable"]
