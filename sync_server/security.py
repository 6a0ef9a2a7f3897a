"""Secrets of the server: device and user tokens, enrolment codes, password and PIN hashes.

Tokens and codes are random and stored only as their SHA-256 (a stolen database gives no working
token). Passwords and PINs are slow hashes (scrypt from the standard library) in the text form
``scrypt$n$r$p$salt_hex$hash_hex``, which the counter verifies for the PIN hashes it pulls.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

DEVICE_TOKEN_PREFIX = "fdt_"
USER_TOKEN_PREFIX = "fut_"
# Crockford-style alphabet without 0/O/1/I/L: an enrolment code is read aloud and typed by hand.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_GROUPS = 3
CODE_GROUP_LENGTH = 4
SCRYPT_N = 2**14
SCRYPT_R = 8
SCRYPT_P = 1


def new_token(prefix: str) -> str:
    """A fresh bearer token: the prefix says what it is for, 256 random bits follow."""
    return prefix + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """What the database keeps of a token or code: its SHA-256 in hex."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_enrollment_code() -> str:
    """A one-time code like ``7KQM-3XTD-P9WA`` (about 59 bits)."""
    groups = (
        "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_GROUP_LENGTH))
        for _ in range(CODE_GROUPS)
    )
    return "-".join(groups)


def normalise_code(code: str) -> str:
    """A typed code in canonical form: upper case, no spaces, dashes between groups."""
    compact = "".join(ch for ch in code.upper() if ch.isalnum())
    size = CODE_GROUP_LENGTH
    return "-".join(compact[i : i + size] for i in range(0, len(compact), size))


def hash_secret(secret: str) -> str:
    """A slow salted hash of a password or PIN."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(
        secret.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32
    )
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${digest.hex()}"


def verify_secret(secret: str, stored: str | None) -> bool:
    """True when ``secret`` matches a hash made by :func:`hash_secret` (constant-time compare)."""
    if not stored:
        return False
    try:
        scheme, n, r, p, salt_hex, digest_hex = stored.split("$")
        if scheme != "scrypt":
            return False
        digest = hashlib.scrypt(
            secret.encode("utf-8"),
            salt=bytes.fromhex(salt_hex),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(digest_hex) // 2,
        )
    except ValueError:
        return False
    return hmac.compare_digest(digest.hex(), digest_hex)


__all__ = [
    "DEVICE_TOKEN_PREFIX",
    "USER_TOKEN_PREFIX",
    "hash_secret",
    "new_enrollment_code",
    "new_token",
    "normalise_code",
    "token_hash",
    "verify_secret",
]
