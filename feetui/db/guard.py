"""Turning SQLite failures into :class:`~feetui.core.errors.StorageError` a cashier can read (R18).

A full disk, a read-only file or an I/O error must refuse the work with a clear reason, never
surface as a traceback; the transaction has already been rolled back when the error arrives here.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from tortoise.exceptions import OperationalError

from feetui.core.errors import N_, StorageError

_FULL_MARKERS = ("database or disk is full", "disk i/o error")


@contextmanager
def storage_errors() -> Iterator[None]:
    """Re-raise database failures inside the block as ``StorageError``.

    Raises:
        StorageError: ``storage_full`` when the disk or the database's size limit is reached,
            ``storage_error`` for any other operational failure (locked, read-only, corrupt).
    """
    try:
        yield
    except (OperationalError, sqlite3.OperationalError, sqlite3.DatabaseError) as exc:
        text = str(exc).lower()
        if any(marker in text for marker in _FULL_MARKERS):
            raise StorageError(
                "storage_full",
                N_("The disk is full: nothing was saved. Free some space, then try again."),
            ) from exc
        raise StorageError(
            "storage_error",
            N_("The database refused the write ({detail}): nothing was saved."),
            detail=str(exc),
        ) from exc


__all__ = ["storage_errors"]
