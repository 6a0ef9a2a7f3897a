"""The digits typed since the last other key: what a keyboard-wedge scanner just sent, perhaps.

A USB scanner types a payment code as digit keys followed by Enter. Whether that burst is a
payment code is decided by its content (``feetui.core.paycode``), never by how fast it came
(RELIABILITY R20): a cashier typing the same digits slowly gets the same answer. This buffer only
remembers the current run of digits; any other key starts over.
"""

from __future__ import annotations

# ASCII and full-width digits: a scanner set to a Chinese input method may send either.
_DIGITS = frozenset("0123456789０１２３４５６７８９")
# The longest payment code is 24 digits; anything far longer is not a scan we route.
_LIMIT = 64


class ScanBuffer:
    """The run of digit characters seen since the last non-digit key."""

    def __init__(self) -> None:
        self._digits: list[str] = []

    def feed(self, character: str | None) -> None:
        """Note one key's character; anything but a digit clears the run.

        Args:
            character: the printable character of the key, or ``None`` for keys without one.
        """
        if character is not None and len(character) == 1 and character in _DIGITS:
            if len(self._digits) < _LIMIT:
                self._digits.append(character)
            return
        self._digits.clear()

    def take(self) -> str:
        """The run so far (as typed, full-width kept), and forget it."""
        burst = "".join(self._digits)
        self._digits.clear()
        return burst

    def __len__(self) -> int:
        return len(self._digits)


__all__ = ["ScanBuffer"]
