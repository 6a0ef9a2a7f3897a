"""Settings of the sync server: one frozen dataclass, one documented field each.

Precedence, lowest first: defaults < environment variables ``SYNC_SERVER_<FIELD>``
(``SYNC_SERVER_DB`` for the database) < command-line flags.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

from feetui.sync.protocol import MAX_BODY_BYTES

DEFAULT_DB = "sqlite:///hq.sqlite3"


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the server can be told from outside."""

    db: str = DEFAULT_DB
    """Database URL: ``sqlite:///PATH`` (embedded default) or ``postgres://USER@HOST:PORT/DB``."""
    host: str = "127.0.0.1"
    """Address to listen on."""
    port: int = 8470
    """TCP port to listen on."""
    tls_cert: str = ""
    """PEM certificate file; with ``tls_key`` the server speaks HTTPS."""
    tls_key: str = ""
    """PEM private key file of ``tls_cert``."""
    max_body_bytes: int = MAX_BODY_BYTES
    """Largest request body read; larger ones get 413."""
    user_token_minutes: int = 480
    """Lifetime of a headquarters user's login token."""
    enroll_code_hours: int = 24
    """Lifetime of a one-time enrolment code."""
    timezone: str = "Asia/Shanghai"
    """Timezone of business dates (late records are judged against today's date there)."""
    late_after_days: int = 1
    """A record whose business date is more than this many days before its arrival is late."""
    skew_minutes: int = 5
    """A record stamped this many minutes in the future, or behind its predecessor, flags skew."""
    language: str = "zh_CN"
    """Language of the command line's messages (``zh_CN`` or ``en_US``)."""


_TYPES = {f.name: f.type for f in fields(Settings)}


def load_settings(
    overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
) -> Settings:
    """Build :class:`Settings` from ``SYNC_SERVER_*`` variables and flag overrides.

    Args:
        overrides: values from command-line flags; ``None`` values are ignored.
        environ: environment to read (``os.environ`` when omitted).

    Raises:
        ValueError: a value of the wrong type.
    """
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for name, kind in _TYPES.items():
        raw = env.get(f"SYNC_SERVER_{name.upper()}")
        if raw is not None:
            values[name] = int(raw) if kind in ("int", int) else raw
    for key, value in (overrides or {}).items():
        if value is not None:
            values[key] = value
    return replace(Settings(), **values)


__all__ = ["DEFAULT_DB", "Settings", "load_settings"]
