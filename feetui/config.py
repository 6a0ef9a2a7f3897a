"""Settings of the counter app: one frozen dataclass, one documented field each.

Precedence, lowest first: defaults < TOML config file (the platform's user config folder unless
``--config`` names one) < environment variables ``FEETUI_<FIELD>`` < command-line flags.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

APP_NAME = "feetui"


def default_data_dir() -> Path:
    """The platform's user data folder for feetui (created on demand by the caller)."""
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False))


def default_config_path() -> Path:
    """The platform's user config file for feetui."""
    from platformdirs import user_config_dir

    return Path(user_config_dir(APP_NAME, appauthor=False)) / "config.toml"


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the counter app can be told from outside."""

    db_path: str = ""
    """Path of the counter's SQLite database; empty means ``<user data dir>/feetui.sqlite3``."""
    lang: str = "zh_CN"
    """User-interface language: ``zh_CN`` (default) or ``en_US``."""
    timezone: str = "Asia/Shanghai"
    """Timezone of the site; business dates and printed times use it."""
    printer: str = "none"
    """Receipt printer URI: ``usb:VID:PID``, ``tcp://HOST:9100``,
    ``serial:/dev/ttyUSB0?baudrate=9600``, ``file:PATH`` or ``none``."""
    printer_columns: int = 32
    """Characters per line of the receipt printer: 32 (58 mm), 42 or 48 (80 mm)."""
    printer_profile: str = "default"
    """python-escpos capability profile name of the printer."""
    printer_encoding: str = "gb18030"
    """Encoding the printer expects for Chinese text in its Chinese mode."""
    printer_chinese_mode: bool = True
    """Send ``FS &`` to switch the printer into Chinese mode before Chinese text."""
    receipt_footer: str = ""
    """Extra line printed at the bottom of every receipt."""
    receipt_secret: str = ""
    """Company secret keying the check code printed under each receipt's QR code; empty keys it
    by the receipt id alone (the code then catches misreadings, not forgeries)."""
    company_name: str = "示范物业服务有限公司"
    """Company name printed on receipts and reports."""
    reminder_wording: str = ""
    """The company's wording of reminder notices, with ``{owner}``, ``{unit}``, ``{as_of}``,
    ``{total}``, ``{total_capitals}``, ``{deadline}`` and ``{notice_no}``; empty means the
    translated default."""
    reminder_contact: str = ""
    """Whom to contact about a reminder notice (e.g. the service centre's phone)."""
    reminder_deadline_days: int = 15
    """Days a reminder notice gives to pay (``{deadline}``), counted from the later of the day it
    is made and the day it counts to; 0 names no date."""
    reminder_pdf_dir: str = ""
    """Folder the counter writes reminder notices to as PDF; empty means a ``reminders`` folder
    beside the database."""
    server: str = ""
    """Headquarters sync server URL; empty means standalone (never syncs)."""
    server_ca: str = ""
    """PEM file of the certificate authority that signed headquarters' HTTPS certificate (a
    company's own CA); empty trusts the system's authorities only."""
    amount_ceiling_fen: int = 100_000_000
    """Largest amount a cashier may type, in fen (default ¥1,000,000)."""
    idle_lock_minutes: int = 10
    """Minutes without a key press before the counter locks; 0 turns the idle lock off."""
    show_expected_cash: bool = True
    """Whether the cashier may see the running expected cash during a shift."""
    device_name: str = "counter-1"
    """Human name of this counter, printed on receipts until enrolment names it."""
    log_path: str = ""
    """Log file; empty means ``<user data dir>/feetui.log``."""

    def resolved_db_path(self) -> Path:
        """The database path, with the platform default filled in."""
        return Path(self.db_path) if self.db_path else default_data_dir() / "feetui.sqlite3"

    def resolved_reminder_dir(self) -> Path:
        """The folder of PDF reminder notices, beside the database unless configured."""
        if self.reminder_pdf_dir:
            return Path(self.reminder_pdf_dir)
        return self.resolved_db_path().parent / "reminders"

    def resolved_log_path(self) -> Path:
        """The log path, beside the database unless configured."""
        if self.log_path:
            return Path(self.log_path)
        return self.resolved_db_path().with_suffix(".log")


_FIELD_TYPES = {f.name: f.type for f in fields(Settings)}


def _coerce(name: str, value: Any) -> Any:
    kind = _FIELD_TYPES[name]
    if kind in ("int", int):
        return int(value)
    if kind in ("bool", bool):
        if isinstance(value, bool):
            return value
        return str(value).strip().lower() in {"1", "true", "yes", "on"}
    return str(value)


def load_settings(
    config_path: str | Path | None = None,
    *,
    overrides: dict[str, Any] | None = None,
    environ: dict[str, str] | None = None,
) -> Settings:
    """Build :class:`Settings` from the config file, ``FEETUI_*`` variables and flag overrides.

    Args:
        config_path: TOML file to read; ``None`` reads the platform default if it exists.
        overrides: values from command-line flags; ``None`` values are ignored.
        environ: environment to read (``os.environ`` when omitted).

    Returns:
        The merged settings.

    Raises:
        ValueError: an unknown key or a value of the wrong type in the file.
    """
    values: dict[str, Any] = {}
    path = Path(config_path) if config_path else default_config_path()
    if path.is_file():
        import tomllib  # only when there is a file to read (~15 ms of a cold start otherwise)

        with path.open("rb") as handle:
            data = tomllib.load(handle)
        for key, value in data.items():
            if key not in _FIELD_TYPES:
                raise ValueError(f"unknown setting {key!r} in {path}")
            values[key] = _coerce(key, value)
    env = os.environ if environ is None else environ
    for name in _FIELD_TYPES:
        raw = env.get(f"FEETUI_{name.upper()}")
        if raw is not None:
            values[name] = _coerce(name, raw)
    for key, value in (overrides or {}).items():
        if value is not None:
            values[key] = _coerce(key, value)
    return replace(Settings(), **values)


__all__ = ["Settings", "default_config_path", "default_data_dir", "load_settings"]
