"""The sync badge says how the counter stands, in words, in both languages."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from textual.app import App, ComposeResult

from feetui import i18n
from feetui.core.errors import FeeError
from feetui.sync.status import SyncMode, SyncStatus
from feetui.widgets.sync_badge import SyncBadge

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOON = datetime(2026, 11, 23, 4, 5, tzinfo=UTC)


def test_badge_words_for_each_state_in_english() -> None:
    i18n.set_language("en_US")
    say = SyncBadge.describe
    assert say(SyncStatus(SyncMode.STANDALONE)) == "Standalone"
    assert say(SyncStatus(SyncMode.NOT_ENROLLED)) == "Not enrolled"
    assert say(SyncStatus(SyncMode.ONLINE, 0, NOON), SHANGHAI) == "Online · all sent · 11-23 12:05"
    assert say(SyncStatus(SyncMode.ONLINE, 4, NOON), SHANGHAI) == "Online · 4 waiting"
    offline = SyncStatus(SyncMode.OFFLINE, 17, NOON, error=FeeError("server_unreachable", "x"))
    assert say(offline, SHANGHAI) == "Offline · 17 waiting · last 11-23 12:05"
    assert say(SyncStatus(SyncMode.OFFLINE, 3)) == "Offline · 3 waiting · last never"
    alarm = SyncStatus(SyncMode.ALARM, 2, NOON, alarm="conflict seq=1")
    assert say(alarm) == "Integrity alarm: sending stopped"
    assert say(SyncStatus(SyncMode.STARTING, 5)) == "Connecting · 5 waiting"


def test_badge_words_in_chinese_are_translated() -> None:
    i18n.set_language("zh_CN")
    for mode in SyncMode:
        text = SyncBadge.describe(SyncStatus(mode, 2, NOON), SHANGHAI)
        assert not any(word in text for word in ("Online", "Offline", "waiting", "Standalone"))


class _BadgeApp(App[None]):
    def compose(self) -> ComposeResult:
        yield SyncBadge("http://hq:8470", tz=SHANGHAI, id="badge")


async def test_badge_shows_a_new_status_with_its_class() -> None:
    i18n.set_language("en_US")
    app = _BadgeApp()
    async with app.run_test() as pilot:
        badge = app.query_one(SyncBadge)
        assert str(badge.render()) == "Not enrolled"
        badge.show(SyncStatus(SyncMode.OFFLINE, 9, NOON))
        await pilot.pause()
        assert str(badge.render()) == "Offline · 9 waiting · last 11-23 12:05"
        assert badge.has_class("-offline") and not badge.has_class("-online")
        badge.show(SyncStatus(SyncMode.ALARM, 9, NOON, alarm="conflict"))
        await pilot.pause()
        assert badge.has_class("-alarm") and not badge.has_class("-offline")
