"""A small badge saying how this counter stands with headquarters.

It is a view: the app's sync task hands it a :class:`~feetui.sync.status.SyncStatus` through
:meth:`SyncBadge.show`, and it says, in words, online or offline, how many records wait to be
sent and when headquarters was last reached, or that the counter is standalone, not enrolled, or
stopped by an integrity alarm. Colour is only a hint: a 16-colour terminal reads the same words.
"""

from __future__ import annotations

from datetime import tzinfo

from textual.widgets import Label

from feetui.i18n import _
from feetui.sync.status import SyncMode, SyncStatus


class SyncBadge(Label):
    """The sync state, in words.

    Args:
        server: the configured headquarters URL; empty for a standalone counter.
        tz: the site's timezone, for the time of the last success.
    """

    DEFAULT_CSS = """
    SyncBadge { width: auto; color: $text-muted; }
    SyncBadge.-online { color: $success; }
    SyncBadge.-offline { color: $warning; }
    SyncBadge.-alarm { color: $error; text-style: bold; }
    """

    def __init__(self, server: str, *, tz: tzinfo | None = None, id: str | None = None) -> None:
        mode = SyncMode.NOT_ENROLLED if server else SyncMode.STANDALONE
        self.status = SyncStatus(mode)
        self.tz = tz
        super().__init__(self.describe(self.status, tz), id=id)
        self.server = server

    def on_mount(self) -> None:
        """Follow the app's sync status when the app keeps one (the counter app does)."""
        if hasattr(self.app, "sync_status"):
            self.watch(self.app, "sync_status", self._follow, init=True)

    def _follow(self, status: SyncStatus | None) -> None:
        if status is not None:
            self.show(status)

    def show(self, status: SyncStatus) -> None:
        """Show a new status."""
        self.status = status
        self.update(self.describe(status, self.tz))
        for mode in ("online", "offline", "alarm"):
            self.set_class(status.mode == mode, f"-{mode}")

    @staticmethod
    def describe(status: SyncStatus, tz: tzinfo | None = None) -> str:
        """The badge text for ``status``."""
        mode = status.mode
        if mode is SyncMode.STANDALONE:
            return _("Standalone")
        if mode is SyncMode.NOT_ENROLLED:
            return _("Not enrolled")
        if mode is SyncMode.ALARM:
            return _("Integrity alarm: sending stopped")
        when = _last(status, tz)
        if mode is SyncMode.ONLINE:
            if status.waiting == 0:
                return _("Online · all sent · {when}").format(when=when)
            return _("Online · {waiting} waiting").format(waiting=status.waiting)
        if mode is SyncMode.OFFLINE:
            return _("Offline · {waiting} waiting · last {when}").format(
                waiting=status.waiting, when=when
            )
        return _("Connecting · {waiting} waiting").format(waiting=status.waiting)


def _last(status: SyncStatus, tz: tzinfo | None) -> str:
    """When headquarters was last reached, short: ``11-23 09:30``, or "never"."""
    if status.last_success is None:
        return _("never")
    local = status.last_success.astimezone(tz) if tz else status.last_success
    return local.strftime("%m-%d %H:%M")


__all__ = ["SyncBadge"]
