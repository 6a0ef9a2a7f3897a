"""App-wide command messages: bindings, the command palette and screens share one handler each.

A screen that wants something the app decides (open a unit, sign out, show help) posts one of
these; :class:`feetui.app.FeeApp` handles it. Names are facts or requests in the past/imperative
the way Textual's own messages read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from feetui.core.paycode import PaymentCode


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

    The full code travels only inside a :class:`~feetui.core.paycode.PaymentCode`, whose ``repr``
    and ``str`` are masked, so that the pay screen can hand it to headquarters for a scanned
    payment; nothing stores or logs it (RELIABILITY R14).
    """

    method: str
    """``wechat`` or ``alipay``."""
    masked: str
    """The code with its middle hidden, safe to show and store."""
    code: PaymentCode | None = field(default=None, repr=False)
    """The code itself, for a scanned payment through headquarters; never stored."""


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
