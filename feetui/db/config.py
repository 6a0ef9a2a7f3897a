"""Tortoise configuration of the counter's store: one SQLite connection with the production PRAGMAs.

``TORTOISE_ORM`` serves Tortoise's own migration tool only::

    FEETUI_DB=/tmp/dev.sqlite3 python -m tortoise -c feetui.db.config.TORTOISE_ORM makemigrations

The app never reads it; it calls :func:`tortoise_config` with the configured database path.
"""

from __future__ import annotations

import os
from typing import Any

MODELS_MODULE = "feetui.db.models"
MIGRATIONS_MODULE = "feetui.db.migrations"
APP_LABEL = "models"
BUSY_TIMEOUT_MS = 5000

# Applied to the connection as ``PRAGMA key=value`` when it opens; connection.py checks they held.
PRAGMAS: dict[str, Any] = {
    "journal_mode": "WAL",
    "synchronous": "FULL",
    "foreign_keys": "ON",
    "busy_timeout": BUSY_TIMEOUT_MS,
}


def tortoise_config(path: str, **extra_pragmas: Any) -> dict[str, Any]:
    """The Tortoise config dict for the SQLite file at ``path``.

    Args:
        path: database file.
        **extra_pragmas: more ``PRAGMA`` settings (tests use ``max_page_count``).

    Returns:
        A config for ``TortoiseContext.init(config=...)`` with ``use_tz`` on and UTC.
    """
    credentials = {"file_path": path, **PRAGMAS, **extra_pragmas}
    return {
        "connections": {
            "default": {"engine": "tortoise.backends.sqlite", "credentials": credentials}
        },
        "apps": {
            APP_LABEL: {
                "models": [MODELS_MODULE],
                "default_connection": "default",
                "migrations": MIGRATIONS_MODULE,
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


TORTOISE_ORM = tortoise_config(os.environ.get("FEETUI_DB", "feetui-dev.sqlite3"))

__all__ = ["APP_LABEL", "MIGRATIONS_MODULE", "MODELS_MODULE", "PRAGMAS", "tortoise_config"]
