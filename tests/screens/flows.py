"""Keyboard steps the screen tests share: every step presses keys, then lets the app settle."""

from __future__ import annotations

from textual.pilot import Pilot

from tests.screens.community import CASHIER_CODE, CASHIER_PIN
from tests.screens.screen_text import screen_text

SMALL = (80, 24)
LARGE = (120, 40)


async def settle(pilot: Pilot) -> None:
    """Wait until every worker is done and every message handled (twice: workers start work)."""
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def press(pilot: Pilot, *keys: str) -> None:
    """Press ``keys`` one after the other, then settle."""
    await pilot.press(*keys)
    await settle(pilot)


async def type_text(pilot: Pilot, text: str) -> None:
    """Type ``text`` character by character (spaces as the space key)."""
    await press(pilot, *("space" if ch == " " else ch for ch in text))


async def sign_in(pilot: Pilot, code: str = CASHIER_CODE, pin: str = CASHIER_PIN) -> None:
    """Code, Enter, PIN, Enter."""
    await press(pilot, *code, "enter", *pin, "enter")


async def open_unit(pilot: Pilot, room: str) -> None:
    """From the lookup: type the room code and press Enter."""
    await type_text(pilot, room)
    await press(pilot, "enter")


def shows(pilot: Pilot, *texts: str) -> bool:
    """True when every text is on the screen now."""
    text = screen_text(pilot.app)
    return all(part in text for part in texts)


__all__ = ["LARGE", "SMALL", "open_unit", "press", "settle", "shows", "sign_in", "type_text"]
