"""A small badge saying how this counter stands with headquarters.

Until the sync client lands it says the truth it knows: "Standalone" with no server configured,
and "Sync off" with one configured (nothing is sent yet).
"""

from __future__ import annotations

from textual.widgets import Label

from feetui.i18n import _


class SyncBadge(Label):
    """The sync state, in words (colour is only a hint: 16-colour terminals read it the same).

    Args:
        server: the configured headquarters URL; empty for a standalone counter.
    """

    DEFAULT_CSS = """
    SyncBadge { width: auto; color: $text-muted; }
    """

    def __init__(self, server: str, *, id: str | None = None) -> None:
        super().__init__(self.describe(server), id=id)
        self.server = server

    @staticmethod
    def describe(server: str) -> str:
        """The badge text for ``server``."""
        return _("Standalone") if not server else _("Sync off")


__all__ = ["SyncBadge"]
