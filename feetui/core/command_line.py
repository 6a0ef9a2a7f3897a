"""What the two command lines (``feetui`` and ``sync-server``) share: argparse in our language.

argparse words its own messages (``usage:``, ``error: the following arguments are required``,
``invalid choice``, the ``-h`` help, the ``options`` heading ...) through the standard library's
gettext, so they would stay English whatever the user's language. :data:`ARGPARSE_MESSAGES` lists
the ids of Python 3.11's argparse that our users can meet, marked with ``N_`` so that the catalogs
hold them; :func:`route_argparse` points argparse's module-level ``_`` and ``ngettext`` at a
translator. Group titles and the ``-h`` help are read when a parser is made, so the language is
set, and argparse routed, before the parser is built: :func:`option_in_argv` finds ``--lang``
(and ``--config``) in the raw arguments without parsing them.

This lives in core because core is the one package both ``feetui`` and ``sync_server`` may
import (the server may not import ``feetui.i18n``). It does no I/O and imports only the standard
library; routing argparse is the only state it touches, and only when a command line asks.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from feetui.core.errors import N_

ARGPARSE_MESSAGES: tuple[str, ...] = (
    # Help output.
    N_("usage: "),
    N_("positional arguments"),
    N_("options"),
    N_("show this help message and exit"),
    # Errors: "<prog>: error: <message>", where a message may name its argument.
    N_("%(prog)s: error: %(message)s\n"),
    N_("argument %(argument_name)s: %(message)s"),
    N_("the following arguments are required: %s"),
    N_("unrecognized arguments: %s"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("invalid %(type)s value: %(value)r"),
    N_("expected one argument"),
    N_("expected at most one argument"),
    N_("expected at least one argument"),
    N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("not allowed with argument %s"),
    N_("ignored explicit argument %r"),
)
"""argparse's message ids our command lines can show (3.11's wording, placeholders kept).

Left out: messages only a programmer meets while writing a parser (conflicting option strings,
``dest=`` required ...), ``FileType``'s (no command uses it) and the plural ``expected %s
argument(s)`` (no option takes a fixed count above one); those stay English.
"""


def option_in_argv(argv: Sequence[str], option: str) -> str | None:
    """The value of ``option`` in raw arguments (``--lang X`` or ``--lang=X``), without parsing.

    The last one wins, as argparse's does; ``--`` ends the options. A bare ``--lang`` at the end
    has no value and counts as absent (argparse will refuse it in the chosen language).

    Returns:
        The value as typed, not checked, or ``None``.
    """
    found: str | None = None
    words = list(argv)
    for index, word in enumerate(words):
        if word == "--":
            break
        if word == option and index + 1 < len(words):
            found = words[index + 1]
        elif word.startswith(option + "="):
            found = word[len(option) + 1 :]
    return found


def route_argparse(gettext: Callable[[str], str], ngettext: Callable[[str, str, int], str]) -> None:
    """Make argparse word its messages with ``gettext`` and ``ngettext`` from now on.

    argparse looks its module-level ``_`` and ``ngettext`` up each time it speaks, so replacing
    them once is enough; the translator reads the current language at each call. argparse also
    passes ``None`` or ``""`` (an absent description): those are returned as they are, never
    looked up (``""`` would fetch the catalog's header).
    """
    import argparse

    def translated(message: str) -> str:
        return gettext(message) if message else message

    argparse._ = translated  # type: ignore[attr-defined]
    argparse.ngettext = ngettext  # type: ignore[attr-defined]


__all__ = ["ARGPARSE_MESSAGES", "option_in_argv", "route_argparse"]
