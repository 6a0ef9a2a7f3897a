"""Payment codes scanned from a payer's phone (付款码): recognised by shape, never shown in full.

A USB scanner types the code like a keyboard. A burst of text becomes a payment code only when its
content is one (RELIABILITY R20): after normalising full-width digits and surrounding whitespace,

* WeChat Pay: exactly 18 digits starting 10 to 15;
* Alipay: 16 to 24 digits starting 25 to 30.

The full code is a bearer credential for one payment, so it must never be stored or logged
(RELIABILITY R14): :class:`PaymentCode` shows only its masked form in ``repr``/``str``, and errors
never carry the scanned text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from feetui.core.errors import N_, InputError
from feetui.core.parse import normalise_digits

Provider = Literal["wechat", "alipay"]

_DIGITS = frozenset("0123456789")
_WECHAT_LENGTH = 18
_WECHAT_PREFIXES = range(10, 16)
_ALIPAY_LENGTHS = range(16, 25)
_ALIPAY_PREFIXES = range(25, 31)


@dataclass(frozen=True, slots=True, repr=False)
class PaymentCode:
    """A valid payment code of one provider.

    Attributes:
        provider: ``"wechat"`` or ``"alipay"``.
        digits: the full code; hand it to the payment provider only, never store or log it.
    """

    provider: Provider
    digits: str = field(repr=False)

    @property
    def masked(self) -> str:
        """The first 4 and last 4 digits around ``****``: safe to store, log and print."""
        return f"{self.digits[:4]}****{self.digits[-4:]}"

    def __repr__(self) -> str:
        return f"PaymentCode(provider={self.provider!r}, masked={self.masked!r})"

    def __str__(self) -> str:
        return self.masked


def _provider_of(digits: str) -> Provider | None:
    if not digits or not set(digits) <= _DIGITS:
        return None
    prefix = int(digits[:2]) if len(digits) >= 2 else -1
    if len(digits) == _WECHAT_LENGTH and prefix in _WECHAT_PREFIXES:
        return "wechat"
    if len(digits) in _ALIPAY_LENGTHS and prefix in _ALIPAY_PREFIXES:
        return "alipay"
    return None


def classify_scan(text: str) -> PaymentCode | None:
    """The payment code in a scanned text, or None if the text is not one.

    Args:
        text: what the scanner typed (full-width digits and surrounding whitespace are fine).

    Returns:
        A :class:`PaymentCode`, or None.
    """
    digits = normalise_digits(text)
    provider = _provider_of(digits)
    return None if provider is None else PaymentCode(provider, digits)


def parse_payment_code(text: str) -> PaymentCode:
    """Like :func:`classify_scan`, but a text that is not a payment code is an error.

    Raises:
        InputError: ``payment_code_invalid``; its params never contain the scanned text.
    """
    code = classify_scan(text)
    if code is None:
        raise InputError(
            "payment_code_invalid",
            N_(
                "This is not a WeChat or Alipay payment code: "
                "ask the payer to refresh the code and scan again"
            ),
        )
    return code


__all__ = ["PaymentCode", "Provider", "classify_scan", "parse_payment_code"]
