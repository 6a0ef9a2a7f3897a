"""Building a demo counter database: the community, its bills and two years of payments.

The store is created the way the app creates it (:func:`feetui.db.connection.open_db`: PRAGMAs,
migrations, the device row and its receipt series, here with seeded ids), then filled through one
plain ``sqlite3`` connection under the instance lock, a month per transaction, and finally indexed
for search. The same seed and the same ``as_of`` day give the same file, ids included.
"""

from __future__ import annotations

import asyncio
import hashlib
import random
import sqlite3
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from tortoise.context import TortoiseContext
from tortoise.migrations.executor import MigrationExecutor

from feetui.clock import FixedClock
from feetui.core.errors import N_, InputError
from feetui.db import migrations
from feetui.db.config import APP_LABEL, tortoise_config
from feetui.db.connection import close_db, instance_lock, open_db, raw_connection
from feetui.db.search_index import index_units_sqlite
from feetui.demo.billing import BillRun, days_of, months_back
from feetui.demo.community import Community, DemoUser, build_community
from feetui.demo.history import DayRows, History, Receipts
from feetui.demo.ids import SeededIds
from feetui.demo.writer import bulk_load, write_charges, write_days, write_master

MAX_UNITS = 200_000
BULK_CACHE_KIB = 256 * 1024
MAX_MONTHS = 60

Progress = Callable[[str, int, int], None]
"""Called with a stage name, steps done and steps in all."""


@dataclass(frozen=True, slots=True)
class DemoOptions:
    """What demo to build.

    Attributes:
        as_of: the day the demo is built for; the history ends the day before.
        units: how many units (about 3% shops).
        seed: the seed every random choice comes from.
        months: months of bills, ending with ``as_of``'s month.
        timezone: the site's timezone.
    """

    as_of: date
    units: int = 1860
    seed: int = 1
    months: int = 24
    timezone: str = "Asia/Shanghai"


@dataclass(frozen=True, slots=True)
class DemoSummary:
    """What was built, for the command to print.

    Attributes:
        path: the database file.
        device_id: the counter's id.
        units: units in the community.
        charges: charges billed (late fees included).
        payments: payments taken.
        shifts: shifts opened and closed.
        billed_fen: what the charges due before ``as_of`` ask.
        collected_fen: what was paid on them.
        arrears_fen: what is owed now on all charges.
        units_in_arrears: units owing something due before ``as_of``.
        units_over_six_months: units owing on a charge due more than six months ago.
        users: the users with their demo PINs.
    """

    path: Path
    device_id: str
    units: int
    charges: int
    payments: int
    shifts: int
    billed_fen: int
    collected_fen: int
    arrears_fen: int
    units_in_arrears: int
    units_over_six_months: int
    users: tuple[DemoUser, ...]

    @property
    def collection_percent(self) -> float:
        """收缴率: collected / billed for charges already due, in percent (for display only)."""
        return 100 * self.collected_fen / self.billed_fen if self.billed_fen else 100.0


def check_options(options: DemoOptions) -> None:
    """Refuse a demo that cannot be built.

    Raises:
        InputError: ``demo_units_invalid`` or ``demo_months_invalid``.
    """
    if not 1 <= options.units <= MAX_UNITS:
        raise InputError(
            "demo_units_invalid",
            N_("The number of units must be between 1 and {limit}."),
            limit=MAX_UNITS,
        )
    if not 1 <= options.months <= MAX_MONTHS:
        raise InputError(
            "demo_months_invalid",
            N_("The number of months must be between 1 and {limit}."),
            limit=MAX_MONTHS,
        )


def _rng(seed: int, purpose: str) -> random.Random:
    """An independent seeded source per purpose, so one part's draws never shift another's."""
    return random.Random(f"feetui-demo:{seed}:{purpose}")


_TEMPLATES: dict[str, bytes] = {}
"""Migrated empty stores by the hash of the migrations that made them (see :func:`_template`)."""


def _migrations_key() -> str:
    digest = hashlib.sha256()
    for migration in sorted(Path(migrations.__file__).parent.glob("0*.py")):
        digest.update(migration.name.encode() + migration.read_bytes())
    return digest.hexdigest()


async def _template() -> bytes:
    """An empty store with every migration applied, made once per process.

    Tortoise replays its model state for each migration, which takes a second or more; a process
    that builds several demos (the tests, a benchmark) pays it once. The file is what
    :func:`~feetui.db.connection.open_db` would make before adding the device row.
    """
    key = _migrations_key()
    if key not in _TEMPLATES:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "template.sqlite3"
            config = tortoise_config(str(path))
            context = TortoiseContext()
            with context:
                await context.init(config=config)
                await MigrationExecutor(
                    context.db(), {APP_LABEL: config["apps"][APP_LABEL]}
                ).migrate()
                await context.close_connections()
            _TEMPLATES[key] = path.read_bytes()
    return _TEMPLATES[key]


def _place(path: Path, template: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(template)


async def _create_store(path: Path, start: datetime, seed: int) -> tuple[str, Receipts]:
    """The empty store, as the app makes it, with a seeded device id; its receipt series."""
    await asyncio.to_thread(_place, path, await _template())
    ids = SeededIds(_rng(seed, "device"), start)
    database = await open_db(path, clock=FixedClock(start), ids=ids)  # type: ignore[arg-type]
    await close_db(database)
    connection = raw_connection(path)
    try:
        series = connection.execute(
            "SELECT id, prefix, last_no FROM receipt_series WHERE device_id = ?",
            (database.device_id,),
        ).fetchone()
    finally:
        connection.close()
    return database.device_id, Receipts(series[0], series[1], series[2])


async def build_demo(
    path: str | Path, options: DemoOptions, progress: Progress | None = None
) -> DemoSummary:
    """Build the demo database at ``path`` (which must not exist yet).

    Args:
        path: where to create the database.
        options: what to build.
        progress: told about each month built.

    Returns:
        What was built.

    Raises:
        InputError: bad options, or ``demo_db_exists`` when ``path`` exists.
        StorageError: the database could not be created or written.
    """
    check_options(options)
    path = Path(path)
    if path.exists():
        raise InputError(
            "demo_db_exists",
            N_("There is already a file at {path}: choose a new file for the demo."),
            path=str(path),
        )
    tz = ZoneInfo(options.timezone)
    months = months_back(options.as_of, options.months)
    start = datetime.combine(date(*months[0], 1), time(0, 0), tz).astimezone(UTC)
    device_id, receipts = await _create_store(path, start - timedelta(days=1), options.seed)
    # The bulk work blocks: it runs in a thread, so an event loop calling this stays free.
    return await asyncio.to_thread(_fill_file, path, options, start, device_id, receipts, progress)


def _fill_file(
    path: Path,
    options: DemoOptions,
    start: datetime,
    device_id: str,
    receipts: Receipts,
    progress: Progress | None,
) -> DemoSummary:
    """Fill the new store under the instance lock through one plain connection."""
    community = build_community(
        _rng(options.seed, "community"), SeededIds(_rng(options.seed, "ids"), start), options.units
    )
    with instance_lock(path):
        connection = raw_connection(path)
        # The history's working set of indexes stays in memory (the default cache is 2 MB).
        connection.execute(f"PRAGMA cache_size = -{BULK_CACHE_KIB}")
        try:
            _fill(connection, community, options, device_id, receipts, progress)
            return _summary(connection, path, community, options, device_id)
        finally:
            connection.close()


def _fill(
    connection: sqlite3.Connection,
    community: Community,
    options: DemoOptions,
    device_id: str,
    receipts: Receipts,
    progress: Progress | None,
) -> None:
    """Master data, then each month's bill run and days at the counter, then the search index."""
    tz = ZoneInfo(options.timezone)
    months = months_back(options.as_of, options.months)
    salt = hashlib.sha256(f"feetui-demo-pin:{options.seed}".encode()).digest()[:16]
    with connection:
        connection.execute("BEGIN")
        write_master(connection, community, salt)
    start = date(*months[0], 1)
    device_ids = SeededIds(_rng(options.seed, "records"), datetime.combine(start, time(), tz))
    history = History(
        community, _rng(options.seed, "history"), device_ids, tz,
        device_id=device_id, receipts=receipts, start=start, as_of=options.as_of,
    )  # fmt: skip
    hq_ids = SeededIds(_rng(options.seed, "hq"), datetime.combine(start, time(), tz))
    bills = BillRun(community, _rng(options.seed, "bills"), hq_ids, tz)
    with bulk_load(connection):
        for done, (year, month) in enumerate(months, start=1):
            charges = bills.run(year, month)
            history.bill(year, month, charges)
            days = [rows for d in days_of(year, month, options.as_of) if (rows := history.day(d))]
            _write_month(connection, charges, days)
            if progress is not None:
                progress("months", done, len(months))
    with connection:
        connection.execute("BEGIN")
        index_units_sqlite(connection, None)
    if progress is not None:
        progress("index", 1, 1)


def _write_month(connection: sqlite3.Connection, charges: list, days: list[DayRows]) -> None:
    """One month in one transaction: its bills, then its days at the counter."""
    with connection:
        connection.execute("BEGIN")
        write_charges(connection, charges)
        write_days(connection, days)


_FIGURES = """
SELECT
  (SELECT COUNT(*) FROM charge),
  (SELECT COUNT(*) FROM payment),
  (SELECT COUNT(*) FROM shift),
  (SELECT COALESCE(SUM(amount_fen), 0) FROM charge WHERE source = 'bill' AND due_date < :day),
  (SELECT COALESCE(SUM(a.amount_fen), 0) FROM allocation a JOIN charge c ON c.id = a.charge_id
    WHERE c.source = 'bill' AND c.due_date < :day),
  (SELECT COALESCE(SUM(arrears_fen), 0) FROM unit_balance)
"""
_OWING = """
SELECT COUNT(DISTINCT c.unit_id) FROM charge c
WHERE c.due_date < :day AND c.amount_fen >
  COALESCE((SELECT SUM(a.amount_fen) FROM allocation a WHERE a.charge_id = c.id), 0)
"""


def _summary(
    connection: sqlite3.Connection,
    path: Path,
    community: Community,
    options: DemoOptions,
    device_id: str,
) -> DemoSummary:
    day = options.as_of.isoformat()
    half_year = (options.as_of - timedelta(days=183)).isoformat()
    charges, payments, shifts, billed, collected, arrears = connection.execute(
        _FIGURES, {"day": day}
    ).fetchone()
    owing = connection.execute(_OWING, {"day": day}).fetchone()[0]
    old = connection.execute(_OWING, {"day": half_year}).fetchone()[0]
    return DemoSummary(
        path=path,
        device_id=device_id,
        units=len(community.units),
        charges=charges,
        payments=payments,
        shifts=shifts,
        billed_fen=billed,
        collected_fen=collected,
        arrears_fen=arrears,
        units_in_arrears=owing,
        units_over_six_months=old,
        users=tuple(community.users),
    )


__all__ = ["DemoOptions", "DemoSummary", "Progress", "build_demo", "check_options"]
