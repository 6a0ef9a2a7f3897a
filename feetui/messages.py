"""App-wide command messages: bindings, the command palette and screens share one handler each.

A screen that wants something the app decides (open a unit, sign out, show help) posts one of
these; :class:`feetui.app.FeeApp` handles it. Names are facts or requests in the past/imperative
the way Textual's own messages read.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message


@dataclass
class SignedIn(Message):
    """A cashier proved their code and PIN; the app moves on to the shift or the lookup."""

    user_id: str
    """Id of the signed-in user."""


class SignOutRequested(Message):
    """The cashier asked to sign out (or the idle lock gave up on them)."""


@dataclass
class UnitChosen(Message):
    """A unit was picked from the lookup results; the app opens its screen."""

    unit_id: str
    """Id of the chosen unit."""


class HelpRequested(Message):
    """The cashier pressed F1: list every key of the current screen."""


@dataclass
class PaymentCodeScanned(Message):
    """A digit burst ending in Enter was a WeChat/Alipay payment code, recognised by its content.

    Only the method and the masked code travel on: the full code is dropped by the scanner
    handler itself, so no screen, log or record can keep it (RELIABILITY R14).
    """

    method: str
    """``wechat`` or ``alipay``."""
    masked: str
    """The code with its middle hidden, safe to show and store."""


@dataclass
class ScanRejected(Message):
    """A digit burst ending in Enter looked like a payment code but is not a valid one."""

    reason: str
    """Translated reason to show the cashier."""


__all__ = [
    "HelpRequested",
    "PaymentCodeScanned",
    "ScanRejected",
    "SignOutRequested",
    "SignedIn",
    "UnitChosen",
]
