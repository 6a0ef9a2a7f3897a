"""The demo's history keeps every invariant real payments keep."""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from feetui.core.journal import ChainEntry, verify_chain
from feetui.db.connection import raw_connection
from feetui.demo import DemoSummary
from feetui.services.results import PostedPayment
from feetui.services.shifts import ClosedShift


@contextmanager
def _open(summary: DemoSummary) -> Iterator[sqlite3.Connection]:
    connection = raw_connection(summary.path)
    try:
        yield connection
    finally:
        connection.close()


def _one(connection: sqlite3.Connection, sql: str, *args: object) -> object:
    return connection.execute(sql, args).fetchone()[0]


def test_demo_database_is_sound(small_demo: DemoSummary) -> None:
    with _open(small_demo) as c:
        assert _one(c, "PRAGMA integrity_check") == "ok"
        assert c.execute("PRAGMA foreign_key_check").fetchall() == []
        assert _one(c, "PRAGMA journal_mode") == "wal"


def test_demo_has_the_community_it_promises(small_demo: DemoSummary) -> None:
    with _open(small_demo) as c:
        assert _one(c, "SELECT COUNT(*) FROM unit") == 60
        assert _one(c, "SELECT COUNT(*) FROM unit WHERE kind = 'shop'") >= 1
        assert _one(c, "SELECT COUNT(*) FROM vehicle") > 0
        assert _one(c, "SELECT COUNT(*) FROM fee_item") >= 8
        assert _one(c, "SELECT COUNT(DISTINCT period) FROM charge WHERE source = 'bill'") >= 24
        roles = {row[0] for row in c.execute("SELECT role FROM user")}
        assert roles == {"cashier", "supervisor", "admin"}
        assert _one(c, "SELECT MIN(area_centi_m2) FROM unit WHERE kind = 'residential'") >= 6000
        assert _one(c, "SELECT MAX(area_centi_m2) FROM unit WHERE kind = 'residential'") <= 18000
    assert small_demo.payments > 100
    assert 80 <= small_demo.collection_percent < 100  # 60 units: one lapsed shop moves it
    assert small_demo.units_in_arrears > 0


def _chain(c: sqlite3.Connection) -> list[ChainEntry]:
    rows = c.execute(
        "SELECT device_id, seq, record_id, kind, payload_json, prev_hash, hash "
        "FROM journal_entry ORDER BY seq"
    )
    return [ChainEntry(*row) for row in rows]


def test_journal_chain_verifies_and_has_one_outbox_row_per_entry(small_demo: DemoSummary) -> None:
    with _open(small_demo) as c:
        chain = _chain(c)
        assert verify_chain(chain, device_id=small_demo.device_id) is None
        assert [e.seq for e in chain] == list(range(1, len(chain) + 1))
        outbox = {row[0] for row in c.execute("SELECT entry_id FROM outbox")}
        assert outbox == {row[0] for row in c.execute("SELECT id FROM journal_entry")}
        kinds = defaultdict(set)
        for entry in chain:
            kinds[entry.kind].add(entry.record_id)
        assert kinds["payment"] == {r[0] for r in c.execute("SELECT id FROM payment")}
        assert kinds["shift_open"] == {r[0] for r in c.execute("SELECT id FROM shift")}
        assert kinds["shift_close"] == {r[0] for r in c.execute("SELECT id FROM shift_close")}


def test_a_tampered_demo_chain_is_detected(small_demo: DemoSummary) -> None:
    with _open(small_demo) as c:
        chain = _chain(c)
    middle = chain[len(chain) // 2]
    forged = ChainEntry(*[*vars_of(middle)[:4], middle.payload_json.replace("1", "2", 1),
                          *vars_of(middle)[5:]])  # fmt: skip
    chain[len(chain) // 2] = forged
    broken = verify_chain(chain, device_id=small_demo.device_id)
    assert broken is not None and broken.seq == middle.seq


def vars_of(entry: ChainEntry) -> list:
    return [entry.device_id, entry.seq, entry.record_id, entry.kind, entry.payload_json,
            entry.prev_hash, entry.hash]  # fmt: skip


def test_receipt_series_is_gapless_and_matches_payments(small_demo: DemoSummary) -> None:
    with _open(small_demo) as c:
        numbers = [row[0] for row in c.execute("SELECT number FROM receipt_number ORDER BY number")]
        assert numbers == list(range(1, len(numbers) + 1))
        mismatched = _one(
            c,
            "SELECT COUNT(*) FROM payment p LEFT JOIN receipt_number r ON r.payment_id = p.id "
            "WHERE r.id IS NULL OR r.text <> p.receipt_no",
        )
        assert mismatched == 0
        assert len(numbers) == small_demo.payments
        # Numbers follow the order the payments were taken.
        order = [row[0] for row in c.execute(
            "SELECT r.number FROM payment p JOIN receipt_number r ON r.payment_id = p.id "
            "ORDER BY p.created_at, p.id")]  # fmt: skip
        assert order == numbers


def test_allocations_never_exceed_charges_and_sums_hold(small_demo: DemoSummary) -> None:
    with _open(small_demo) as c:
        over = _one(
            c,
            "SELECT COUNT(*) FROM charge ch WHERE ch.amount_fen < "
            "(SELECT COALESCE(SUM(a.amount_fen), 0) FROM allocation a WHERE a.charge_id = ch.id)",
        )
        assert over == 0
        assert _one(c, "SELECT COUNT(*) FROM allocation WHERE amount_fen <= 0") == 0
        bad = _one(
            c,
            """SELECT COUNT(*) FROM payment p WHERE
              (SELECT SUM(amount_fen) FROM tender t WHERE t.payment_id = p.id)
                <> p.total_fen + p.prepaid_used_fen
              OR (SELECT SUM(amount_fen) FROM tender t WHERE t.payment_id = p.id)
                <> COALESCE((SELECT SUM(amount_fen) FROM allocation a WHERE a.payment_id = p.id), 0)
                   + p.prepaid_credit_fen""",
        )
        assert bad == 0


def test_prepaid_balances_never_go_negative(small_demo: DemoSummary) -> None:
    with _open(small_demo) as c:
        running: dict[str, int] = defaultdict(int)
        rows = c.execute(
            "SELECT unit_id, amount_fen FROM prepaid_entry ORDER BY created_at, id"
        ).fetchall()
        assert rows, "some households keep prepaid balance"
        for unit_id, amount in rows:
            running[unit_id] += amount
            assert running[unit_id] >= 0
        stored = dict(c.execute("SELECT unit_id, prepaid_fen FROM unit_balance WHERE prepaid_fen"))
        assert stored == {u: v for u, v in running.items() if v}


def test_every_payment_is_inside_a_closed_shift_of_its_day(small_demo: DemoSummary) -> None:
    with _open(small_demo) as c:
        outside = _one(
            c,
            """SELECT COUNT(*) FROM payment p
            LEFT JOIN shift s ON s.id = p.shift_id
            LEFT JOIN shift_close x ON x.shift_id = s.id
            WHERE s.id IS NULL OR x.id IS NULL OR p.business_date <> s.business_date
               OR p.created_at < s.opened_at OR p.created_at > x.closed_at""",
        )
        assert outside == 0
        assert _one(c, "SELECT COUNT(*) FROM shift") == _one(c, "SELECT COUNT(*) FROM shift_close")
        assert _one(c, "SELECT COUNT(*) FROM tender t JOIN payment p ON p.id = t.payment_id "
                       "WHERE t.shift_id <> p.shift_id") == 0  # fmt: skip


def test_shift_closes_expect_the_cash_their_payments_took(small_demo: DemoSummary) -> None:
    with _open(small_demo) as c:
        rows = c.execute(
            """SELECT x.expected_fen, s.opening_float_fen,
              COALESCE((SELECT SUM(t.tendered_fen - t.change_fen) FROM tender t
                WHERE t.shift_id = s.id AND t.method = 'cash'), 0),
              x.counted_fen, x.over_short_fen, x.counts_json
            FROM shift s JOIN shift_close x ON x.shift_id = s.id"""
        ).fetchall()
    from feetui.core.shift import count_total

    for expected, opening, cash, counted, difference, counts in rows:
        assert expected == opening + cash
        assert counted == count_total(json.loads(counts)).fen
        assert difference == counted - expected


def test_settlement_slips_agree_with_each_shifts_tenders(small_demo: DemoSummary) -> None:
    with _open(small_demo) as c:
        checks = c.execute(
            """SELECT k.method, k.recorded_fen, k.slip_fen, k.difference_fen,
              (SELECT COALESCE(SUM(t.amount_fen), 0) FROM tender t
               WHERE t.shift_id = x.shift_id AND t.method = k.method)
            FROM settlement_check k JOIN shift_close x ON x.id = k.close_id"""
        ).fetchall()
        payloads = [json.loads(r[0]) for r in c.execute(
            "SELECT payload_json FROM journal_entry WHERE kind = 'shift_close'")]  # fmt: skip
    assert checks
    for method, recorded, slip, difference, tendered in checks:
        assert method in ("card", "wechat", "alipay")
        assert recorded == slip == tendered and difference == 0
    for payload in payloads:
        closed = ClosedShift.from_payload(payload)
        assert closed.over_short == closed.counted - closed.expected
    with _open(small_demo) as c:
        tendered = c.execute(
            "SELECT shift_id, method, SUM(amount_fen) FROM tender GROUP BY shift_id, method"
        ).fetchall()
    for payload in payloads:  # each close carries its shift's totals per method, as close_shift
        assert payload["method_totals"] == {
            method: fen for shift_id, method, fen in tendered if shift_id == payload["shift_id"]
        }


def test_unit_balances_equal_the_posted_rows(small_demo: DemoSummary) -> None:
    with _open(small_demo) as c:
        computed = dict(c.execute(
            """SELECT c.unit_id, SUM(c.amount_fen) - COALESCE(SUM(
                 (SELECT SUM(a.amount_fen) FROM allocation a WHERE a.charge_id = c.id)), 0)
               FROM charge c GROUP BY c.unit_id"""))  # fmt: skip
        stored = dict(c.execute("SELECT unit_id, arrears_fen FROM unit_balance"))
    assert {u: v for u, v in computed.items()} == {u: stored.get(u, 0) for u in computed}
    assert small_demo.arrears_fen == sum(computed.values())


def test_every_payment_payload_reads_back_as_a_posted_payment(small_demo: DemoSummary) -> None:
    with _open(small_demo) as c:
        payloads = [json.loads(r[0]) for r in c.execute(
            "SELECT payload_json FROM journal_entry WHERE kind = 'payment'")]  # fmt: skip
    for payload in payloads:
        posted = PostedPayment.from_payload(payload)
        assert posted.receipt_no == payload["receipt_no"]


def test_arrears_include_debts_older_than_six_months(tmp_path: Path) -> None:
    from feetui.demo import DemoOptions
    from tests.demo.conftest import AS_OF, build_in_thread

    summary = build_in_thread(tmp_path / "d.sqlite3", DemoOptions(as_of=AS_OF, units=200, seed=3))
    assert summary.units_over_six_months > 0
    assert 93 <= summary.collection_percent <= 99


@pytest.mark.parametrize("table", ["payment", "charge", "journal_entry", "unit", "search_key"])
def test_demo_tables_are_filled(small_demo: DemoSummary, table: str) -> None:
    with _open(small_demo) as c:
        assert _one(c, f"SELECT COUNT(*) FROM {table}") > 0
