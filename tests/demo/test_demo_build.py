"""Building the demo: same seed same file, the app's own schema, rows as take_payment writes
them, found by search, and bad options refused."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from feetui.clock import FixedClock
from feetui.config import Settings
from feetui.core.errors import InputError
from feetui.core.money import Money
from feetui.core.search import MatchKind
from feetui.db.connection import close_db, open_db, raw_connection
from feetui.demo import DemoOptions, DemoSummary, build_demo
from feetui.demo.writer import BULK_TABLES, close_rows, payment_rows
from feetui.services.container import Services
from feetui.services.lookup import find_units
from feetui.services.payments import take_payment
from feetui.services.results import TenderInput
from feetui.services.shifts import close_shift, open_shift
from tests.demo.conftest import AS_OF, SMALL, build_in_thread


def _dump(path: Path) -> dict[str, list[tuple]]:
    connection = raw_connection(path)
    try:
        tables = [r[0] for r in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]  # fmt: skip
        return {t: connection.execute(f'SELECT * FROM "{t}" ORDER BY 1').fetchall() for t in tables}
    finally:
        connection.close()


def _schema(path: Path) -> set[tuple]:
    connection = raw_connection(path)
    try:
        return set(connection.execute("SELECT type, name, tbl_name, sql FROM sqlite_master"))
    finally:
        connection.close()


def test_the_same_seed_builds_the_same_database(small_demo: DemoSummary, tmp_path: Path) -> None:
    again = build_in_thread(tmp_path / "again.sqlite3", SMALL)
    first, second = _dump(small_demo.path), _dump(again.path)
    assert first.keys() == second.keys()
    for table in first:
        if table != "tortoise_migrations":  # records when each migration ran
            assert first[table] == second[table], table


def test_another_seed_builds_another_community(tmp_path: Path) -> None:
    other = build_in_thread(tmp_path / "other.sqlite3", DemoOptions(as_of=AS_OF, units=20, seed=8))
    names = {r[0] for r in _dump(other.path)["party"]}
    assert len(names) == 20
    assert other.units == 20


def test_demo_schema_is_the_migrated_schema(small_demo: DemoSummary, db_template: Path) -> None:
    assert _schema(small_demo.path) == _schema(db_template)


def _columns(connection: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in connection.execute(f'PRAGMA table_info("{table}")')]


def _rows_of(connection: sqlite3.Connection, table: str, where: str, key: str) -> list[tuple]:
    """A payment's rows of ``table`` in the writer's column order."""
    columns = _writer_columns(table)
    sql = f'SELECT {", ".join(columns)} FROM "{table}" WHERE {where} = ? ORDER BY id'
    return connection.execute(sql, (key,)).fetchall()


def _writer_columns(table: str) -> list[str]:
    from feetui.demo.writer import _INSERT

    text = _INSERT[table]
    return [c.strip() for c in text[text.index("(") + 1 : text.index(")")].split(",")]


async def test_writer_makes_exactly_the_rows_the_services_make(
    small_demo: DemoSummary, tmp_path: Path
) -> None:
    path = tmp_path / "copy.sqlite3"
    path.write_bytes(small_demo.path.read_bytes())
    tz = ZoneInfo("Asia/Shanghai")
    clock = FixedClock(datetime.combine(AS_OF, time(9, 30), tz).astimezone(UTC))
    database = await open_db(path, clock=clock)
    try:
        svc = Services.build(Settings(db_path=str(path)), database, clock=clock)
        connection = raw_connection(path)
        unit_id, cashier_id = connection.execute(
            "SELECT b.unit_id, (SELECT id FROM user WHERE code = '1001') FROM unit_balance b "
            "ORDER BY b.arrears_fen DESC LIMIT 1"
        ).fetchone()
        shift = await open_shift(svc, shift_id=svc.ids.new_str(), cashier_id=cashier_id,
                                 opening_counts={"n100": 5})  # fmt: skip
        due = connection.execute(
            "SELECT arrears_fen FROM unit_balance WHERE unit_id = ?", (unit_id,)
        ).fetchone()[0]
        posted = await take_payment(
            svc, payment_id=svc.ids.new_str(), unit_id=unit_id, cashier_id=cashier_id,
            tenders=[TenderInput("wechat", Money(due * 2))], overpay_to_prepaid=True,
        )  # fmt: skip
        closed = await close_shift(
            svc, close_id=svc.ids.new_str(), shift_id=shift.shift_id, closed_by=cashier_id,
            counts={"n100": 4}, note="短款 100 元",
            settlement_slips={"wechat": Money(due * 2)},
        )  # fmt: skip
    finally:
        await close_db(database)
    payload = __import__("json").loads(connection.execute(
        "SELECT payload_json FROM journal_entry WHERE record_id = ?", (posted.payment_id,)
    ).fetchone()[0])  # fmt: skip
    expected: dict[str, list[tuple]] = {t: [] for t in BULK_TABLES}
    payment_rows(payload, expected)
    pid = posted.payment_id
    actual = {
        "payment": _rows_of(connection, "payment", "id", pid),
        "tender": _rows_of(connection, "tender", "payment_id", pid),
        "allocation": _rows_of(connection, "allocation", "payment_id", pid),
        "prepaid_entry": _rows_of(connection, "prepaid_entry", "payment_id", pid),
        "receipt_number": _rows_of(connection, "receipt_number", "payment_id", pid),
    }
    late = [row[0] for row in expected["charge"]]
    actual["charge"] = [
        row for charge_id in late for row in _rows_of(connection, "charge", "id", charge_id)
    ]
    close_payload = __import__("json").loads(connection.execute(
        "SELECT payload_json FROM journal_entry WHERE record_id = ?", (closed.close_id,)
    ).fetchone()[0])  # fmt: skip
    expected_close: dict[str, list[tuple]] = {"shift_close": [], "settlement_check": []}
    close_rows(close_payload, expected_close)
    actual["shift_close"] = _rows_of(connection, "shift_close", "id", closed.close_id)
    actual["settlement_check"] = _rows_of(
        connection, "settlement_check", "close_id", closed.close_id
    )
    expected.update(expected_close)
    connection.close()
    for table, rows in actual.items():
        assert sorted(rows) == sorted(_with_nulls(table, expected[table])), table
    assert expected["allocation"], "the payment paid charges"
    assert expected["settlement_check"], "the close checked a slip"


def _with_nulls(table: str, rows: list[tuple]) -> list[tuple]:
    """The writer's rows with the NULLs its SQL writes as literals put back in place."""
    from feetui.demo.writer import _INSERT

    text = _INSERT[table]
    values = [v.strip() for v in text[text.rindex("(") + 1 : text.rindex(")")].split(",")]
    result = []
    for row in rows:
        it = iter(row)
        result.append(tuple(None if v == "NULL" else 1 if v == "1" else next(it) for v in values))
    return result


async def test_demo_units_are_found_by_every_kind_of_search(
    small_demo: DemoSummary, tmp_path: Path
) -> None:
    connection = raw_connection(small_demo.path)
    code, name, initials, phone, plates = connection.execute(
        "SELECT u.code, u.owner_name, u.owner_initials, p.phone, u.plates FROM unit u "
        "JOIN party p ON p.id = u.owner_id WHERE u.plates <> '' AND u.kind = 'residential' "
        "ORDER BY u.code LIMIT 1"
    ).fetchone()
    connection.close()
    path = tmp_path / "copy.sqlite3"
    path.write_bytes(small_demo.path.read_bytes())
    database = await open_db(path)
    try:
        for query in (name, initials, code, phone[-6:], plates.split()[0]):
            hits = await find_units(query)
            assert code in [h.code for h in hits], query
        hits = await find_units(code)
    finally:
        await close_db(database)
    assert hits[0].code == code and hits[0].match is MatchKind.CODE


@pytest.mark.parametrize(
    ("options", "code"),
    [
        (DemoOptions(as_of=AS_OF, units=0), "demo_units_invalid"),
        (DemoOptions(as_of=AS_OF, units=200_001), "demo_units_invalid"),
        (DemoOptions(as_of=AS_OF, units=10, months=0), "demo_months_invalid"),
        (DemoOptions(as_of=AS_OF, units=10, months=61), "demo_months_invalid"),
    ],
)
async def test_build_demo_refuses_bad_options(
    tmp_path: Path, options: DemoOptions, code: str
) -> None:
    with pytest.raises(InputError) as caught:
        await build_demo(tmp_path / "d.sqlite3", options)
    assert caught.value.code == code
    assert not (tmp_path / "d.sqlite3").exists()


async def test_build_demo_refuses_an_existing_file(tmp_path: Path) -> None:
    path = tmp_path / "d.sqlite3"
    path.write_bytes(b"precious")
    with pytest.raises(InputError) as caught:
        await build_demo(path, DemoOptions(as_of=AS_OF, units=5))
    assert caught.value.code == "demo_db_exists"
    assert path.read_bytes() == b"precious"
