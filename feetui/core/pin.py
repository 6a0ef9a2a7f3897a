"""PINs of counter users: 4 to 8 digits, stored only as a slow salted scrypt hash.

A stored PIN reads ``scrypt$<n>$<r>$<p>$<salt hex>$<hash hex>``, so the cost can be raised later
and older hashes still verify with the parameters they were made with. The caller supplies the
salt (core has no randomness: use ``os.urandom(16)``). Verification compares in constant time.
"""

from __future__ import annotations

import hashlib
import hmac

from feetui.core.errors import N_, InputError
from feetui.core.parse import normalise_digits

SCRYPT_N = 2**14
"""CPU/memory cost of new hashes (16 MiB with r=8)."""
SCRYPT_R = 8
"""Block size of new hashes."""
SCRYPT_P = 1
"""Parallelism of new hashes."""
DKLEN = 32
"""Bytes of derived key."""
MIN_SALT_BYTES = 8
"""The shortest salt accepted (16 random bytes are recommended)."""

_PREFIX = "scrypt"
_MAX_MEMORY = 128 * 1024 * 1024  # room for stored hashes made with a higher cost than today's
_DIGITS = frozenset("0123456789")


def _pin_digits(pin: str) -> str | None:
    """The PIN's ASCII digits after normalising, or None if it is not 4 to 8 digits."""
    digits = normalise_digits(pin)
    if 4 <= len(digits) <= 8 and set(digits) <= _DIGITS:
        return digits
    return None


def check_pin_format(pin: str) -> None:
    """Refuse a PIN that is not 4 to 8 digits (full-width digits and outer spaces are fine).

    Raises:
        InputError: ``pin_invalid``, without the PIN in its params.
    """
    if _pin_digits(pin) is None:
        raise InputError("pin_invalid", N_("A PIN is 4 to 8 digits"))


def _derive(digits: str, salt: bytes, n: int, r: int, p: int, dklen: int = DKLEN) -> bytes:
    return hashlib.scrypt(
        digits.encode("ascii"), salt=salt, n=n, r=r, p=p, maxmem=_MAX_MEMORY, dklen=dklen
    )


def hash_pin(pin: str, *, salt: bytes) -> str:
    """The stored form of ``pin``: ``scrypt$n$r$p$salt_hex$hash_hex``.

    Args:
        pin: 4 to 8 digits (full-width digits and outer spaces are normalised first).
        salt: random bytes from the caller, at least :data:`MIN_SALT_BYTES` long.

    Raises:
        InputError: ``pin_invalid`` when the PIN is not 4 to 8 digits.
        ValueError: the salt is too short.
    """
    digits = _pin_digits(pin)
    if digits is None:
        raise InputError("pin_invalid", N_("A PIN is 4 to 8 digits"))
    if not isinstance(salt, bytes) or len(salt) < MIN_SALT_BYTES:
        raise ValueError(f"the salt must be at least {MIN_SALT_BYTES} bytes")
    digest = _derive(digits, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    return f"{_PREFIX}${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${digest.hex()}"


def _parse_stored(stored: str) -> tuple[int, int, int, bytes, bytes]:
    """The parameters, salt and hash of a stored PIN hash.

    Raises:
        ValueError: the text is not a stored scrypt PIN hash.
    """
    parts = stored.split("$")
    if len(parts) != 6 or parts[0] != _PREFIX:
        raise ValueError("not a stored scrypt PIN hash")
    try:
        n, r, p = (int(part) for part in parts[1:4])
        salt, digest = bytes.fromhex(parts[4]), bytes.fromhex(parts[5])
    except ValueError:
        raise ValueError("not a stored scrypt PIN hash") from None
    if n < 2 or n & (n - 1) or r < 1 or p < 1 or 128 * n * r * p > _MAX_MEMORY:
        raise ValueError("stored scrypt PIN hash has impossible parameters")
    if not 16 <= len(digest) <= 64 or len(salt) < MIN_SALT_BYTES:
        raise ValueError("stored scrypt PIN hash has an impossible salt or hash length")
    return n, r, p, salt, digest


def verify_pin(pin: str, stored: str) -> bool:
    """True when ``pin`` matches the ``stored`` hash (compared in constant time).

    A PIN that is not 4 to 8 digits never matches.

    Raises:
        ValueError: ``stored`` is not a stored scrypt PIN hash (a damaged user record).
    """
    n, r, p, salt, digest = _parse_stored(stored)
    digits = _pin_digits(pin)
    if digits is None:
        return False
    return hmac.compare_digest(_derive(digits, salt, n, r, p, len(digest)), digest)


__all__ = [
    "DKLEN",
    "SCRYPT_N",
    "SCRYPT_P",
    "SCRYPT_R",
    "check_pin_format",
    "hash_pin",
    "verify_pin",
]
