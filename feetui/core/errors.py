"""Error types of the domain, as data: a stable code, an English message id and its parameters.

Core and services raise :class:`FeeError` subclasses. The message is an English message id marked
with :func:`N_` so that babel extracts it while core stays free of babel; screens translate it with
``_()`` and fill the ``{named}`` placeholders from ``params``; the server returns ``code`` on the
wire.
"""

from __future__ import annotations

from typing import Any


def N_(message: str) -> str:
    """Mark ``message`` for extraction without translating it (translation happens at the edge)."""
    return message


class FeeError(Exception):
    """A problem a person can fix, with a stable ``code`` for tests and the wire.

    Args:
        code: stable snake_case identifier, e.g. ``amount_has_letters``.
        message: English message id with ``{named}`` placeholders, marked with ``N_``.
        **params: values for the placeholders (already formatted for people where needed).
    """

    def __init__(self, code: str, message: str, **params: Any) -> None:
        super().__init__(message.format(**params) if params else message)
        self.code = code
        self.message = message
        self.params = params

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.code!r}, {self.params!r})"


class InputError(FeeError):
    """What a person typed or scanned cannot be used (letters in an amount, a bad code ...)."""


class RuleError(FeeError):
    """Well formed, but a business rule refuses it (no open shift, already void ...)."""


class PermissionError_(FeeError):
    """The user may not do this (wrong PIN, supervisor required, locked out)."""


class IntegrityError_(FeeError):
    """Stored records disagree with their own guarantees (broken chain, receipt gap, conflict)."""


class StorageError(FeeError):
    """The local store refused the write (disk full, database locked, I/O error)."""


__all__ = [
    "N_",
    "FeeError",
    "InputError",
    "IntegrityError_",
    "PermissionError_",
    "RuleError",
    "StorageError",
]
