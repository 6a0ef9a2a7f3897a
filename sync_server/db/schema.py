"""The server's tables, as numbered migrations written once for SQLite and PostgreSQL.

Each migration is a list of statements with two dialect words filled in: ``{serial}`` (an
auto-numbered primary key) and ``{bigint}``. Times are ISO-8601 UTC text and dates ``YYYY-MM-DD``
text on both databases, so the same queries compare them the same way; money is ``{bigint}`` fen.

``journal`` holds every pushed record exactly once (primary key ``record_id``, unique
``(device_id, seq)``). The projection tables below it (``money_lines``, ``allocations`` ...) are
what the reports read, written in the same transaction as the journal rows they come from.
"""

from __future__ import annotations

DIALECT_WORDS = {
    "sqlite": {"serial": "INTEGER PRIMARY KEY AUTOINCREMENT", "bigint": "INTEGER"},
    "postgres": {"serial": "BIGSERIAL PRIMARY KEY", "bigint": "BIGINT"},
}

V1 = [
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    """CREATE TABLE sites (
        id TEXT PRIMARY KEY, code TEXT NOT NULL UNIQUE, name TEXT NOT NULL,
        created_at TEXT NOT NULL)""",
    """CREATE TABLE devices (
        id TEXT PRIMARY KEY, site_id TEXT NOT NULL REFERENCES sites(id), name TEXT NOT NULL,
        token_hash TEXT UNIQUE, enrolled_at TEXT NOT NULL, revoked_at TEXT,
        ack_seq {bigint} NOT NULL DEFAULT 0, ack_hash TEXT NOT NULL,
        ack_created_at TEXT, last_push_at TEXT, alarm TEXT)""",
    """CREATE TABLE enrollment_codes (
        code_hash TEXT PRIMARY KEY, site_id TEXT NOT NULL REFERENCES sites(id),
        name TEXT NOT NULL, created_at TEXT NOT NULL, expires_at TEXT NOT NULL,
        used_at TEXT, device_id TEXT)""",
    """CREATE TABLE users (
        id TEXT PRIMARY KEY, code TEXT NOT NULL UNIQUE, name TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('admin', 'site_manager', 'supervisor', 'cashier')),
        password_hash TEXT, pin_hash TEXT, disabled_at TEXT, created_at TEXT NOT NULL)""",
    """CREATE TABLE user_sites (
        user_id TEXT NOT NULL REFERENCES users(id), site_id TEXT NOT NULL REFERENCES sites(id),
        PRIMARY KEY (user_id, site_id))""",
    """CREATE TABLE user_tokens (
        token_hash TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES users(id),
        created_at TEXT NOT NULL, expires_at TEXT NOT NULL)""",
    """CREATE TABLE units (
        id TEXT PRIMARY KEY, site_id TEXT NOT NULL REFERENCES sites(id), code TEXT NOT NULL,
        building TEXT NOT NULL, entrance TEXT NOT NULL, room TEXT NOT NULL,
        area_centi_m2 {bigint} NOT NULL, updated_at TEXT NOT NULL, UNIQUE (site_id, code))""",
    """CREATE TABLE parties (
        id TEXT PRIMARY KEY, site_id TEXT NOT NULL REFERENCES sites(id),
        unit_id TEXT NOT NULL REFERENCES units(id), role TEXT NOT NULL, name TEXT NOT NULL,
        phone TEXT NOT NULL, updated_at TEXT NOT NULL)""",
    """CREATE TABLE vehicles (
        id TEXT PRIMARY KEY, site_id TEXT NOT NULL REFERENCES sites(id),
        unit_id TEXT NOT NULL REFERENCES units(id), plate TEXT NOT NULL,
        updated_at TEXT NOT NULL, UNIQUE (site_id, plate))""",
    """CREATE TABLE fee_items (
        id TEXT PRIMARY KEY, site_id TEXT NOT NULL REFERENCES sites(id), code TEXT NOT NULL,
        name TEXT NOT NULL, kind TEXT NOT NULL, rate_fen {bigint} NOT NULL,
        due_day {bigint} NOT NULL DEFAULT 1, updated_at TEXT NOT NULL, UNIQUE (site_id, code))""",
    """CREATE TABLE charges (
        id TEXT PRIMARY KEY, site_id TEXT NOT NULL, unit_id TEXT NOT NULL,
        fee_item_id TEXT, period TEXT NOT NULL, amount_fen {bigint} NOT NULL,
        due_date TEXT NOT NULL, source TEXT NOT NULL, created_at TEXT NOT NULL)""",
    "CREATE INDEX charges_site_period ON charges (site_id, period)",
    "CREATE INDEX charges_unit ON charges (unit_id)",
    """CREATE TABLE bill_runs (
        site_id TEXT NOT NULL, period TEXT NOT NULL, run_at TEXT NOT NULL,
        charges {bigint} NOT NULL, total_fen {bigint} NOT NULL, PRIMARY KEY (site_id, period))""",
    """CREATE TABLE journal (
        record_id TEXT PRIMARY KEY, device_id TEXT NOT NULL, seq {bigint} NOT NULL,
        kind TEXT NOT NULL, payload TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL,
        site_id TEXT NOT NULL, received_at TEXT NOT NULL, hash_ok {bigint} NOT NULL,
        UNIQUE (device_id, seq))""",
    "CREATE INDEX journal_site_kind ON journal (site_id, kind)",
    """CREATE TABLE change_log (
        seq {serial}, site_id TEXT, entity TEXT NOT NULL, op TEXT NOT NULL,
        entity_id TEXT NOT NULL, data TEXT NOT NULL, source_device TEXT,
        created_at TEXT NOT NULL)""",
    """CREATE TABLE exceptions (
        id {serial}, dedupe_key TEXT NOT NULL UNIQUE, kind TEXT NOT NULL, site_id TEXT,
        device_id TEXT, seq {bigint}, record_id TEXT, detail TEXT NOT NULL,
        created_at TEXT NOT NULL, resolved_at TEXT)""",
    "CREATE INDEX exceptions_site ON exceptions (site_id, kind)",
    """CREATE TABLE receipt_series (
        device_id TEXT NOT NULL, series TEXT NOT NULL, last_no {bigint} NOT NULL,
        PRIMARY KEY (device_id, series))""",
    """CREATE TABLE money_lines (
        record_id TEXT NOT NULL, line TEXT NOT NULL, kind TEXT NOT NULL, site_id TEXT NOT NULL,
        device_id TEXT NOT NULL, business_date TEXT NOT NULL, shift_id TEXT,
        unit_id TEXT, method TEXT NOT NULL, amount_fen {bigint} NOT NULL,
        PRIMARY KEY (record_id, line))""",
    "CREATE INDEX money_lines_day ON money_lines (business_date, site_id)",
    """CREATE TABLE allocations (
        record_id TEXT NOT NULL, line TEXT NOT NULL, site_id TEXT NOT NULL,
        device_id TEXT NOT NULL, business_date TEXT NOT NULL, unit_id TEXT,
        charge_id TEXT, amount_fen {bigint} NOT NULL, PRIMARY KEY (record_id, line))""",
    "CREATE INDEX allocations_charge ON allocations (charge_id)",
    """CREATE TABLE voids (
        record_id TEXT PRIMARY KEY, payment_id TEXT NOT NULL, site_id TEXT NOT NULL,
        device_id TEXT NOT NULL, business_date TEXT NOT NULL, shift_id TEXT)""",
    "CREATE INDEX voids_payment ON voids (payment_id)",
    """CREATE TABLE adjustments (
        record_id TEXT PRIMARY KEY, site_id TEXT NOT NULL, device_id TEXT NOT NULL,
        business_date TEXT NOT NULL, unit_id TEXT, charge_id TEXT, amount_fen {bigint} NOT NULL)""",
    "CREATE INDEX adjustments_charge ON adjustments (charge_id)",
    """CREATE TABLE shifts (
        shift_id TEXT PRIMARY KEY, site_id TEXT NOT NULL, device_id TEXT NOT NULL,
        cashier TEXT, business_date TEXT, opened_at TEXT, closed_at TEXT,
        expected_fen {bigint}, counted_fen {bigint})""",
]

V2 = ["ALTER TABLE fee_items ADD COLUMN scope TEXT NOT NULL DEFAULT 'unit'"]

# Scanned-code payments (issue 7). ``scan_merchants`` holds each site's merchant account with a
# provider: key *file paths* only (the keys stay in files on HQ's disk). ``scan_payments`` is the
# state of one scanned payment, keyed by the counter's payment id; it is a working table, changed
# as the provider answers, not a posted record (the ledger payment is pushed by the counter). The
# scanned code itself is never stored: ``code_masked`` only (R14). ``scan_bill_lines`` and
# ``scan_bills`` are the providers' imported settlement bills, read by the reconciliation report.
V3 = [
    """CREATE TABLE scan_merchants (
        id TEXT PRIMARY KEY, site_id TEXT NOT NULL REFERENCES sites(id),
        provider TEXT NOT NULL CHECK (provider IN ('wechat', 'alipay')),
        gateway_url TEXT NOT NULL, app_id TEXT NOT NULL, mch_id TEXT NOT NULL,
        sign_type TEXT NOT NULL, key_file TEXT NOT NULL, provider_key_file TEXT NOT NULL,
        cert_file TEXT NOT NULL, cert_key_file TEXT NOT NULL,
        time_limit_ms {bigint} NOT NULL, reverse_window_ms {bigint} NOT NULL,
        poll_ms {bigint} NOT NULL, timeout_ms {bigint} NOT NULL,
        created_at TEXT NOT NULL, updated_at TEXT NOT NULL, UNIQUE (site_id, provider))""",
    """CREATE TABLE scan_payments (
        payment_id TEXT PRIMARY KEY, device_id TEXT NOT NULL, site_id TEXT NOT NULL,
        merchant_id TEXT NOT NULL REFERENCES scan_merchants(id), provider TEXT NOT NULL,
        out_trade_no TEXT NOT NULL UNIQUE, amount_fen {bigint} NOT NULL, unit_id TEXT,
        subject TEXT NOT NULL, code_masked TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN
            ('paying', 'cancelling', 'success', 'failed', 'cancelled')),
        phase TEXT NOT NULL, reason TEXT, transaction_id TEXT, paid_at TEXT, paid_date TEXT,
        created_at TEXT NOT NULL, deadline_at TEXT NOT NULL, reverse_after TEXT NOT NULL,
        cancel_requested_at TEXT, lease TEXT, lease_until TEXT,
        untrusted {bigint} NOT NULL DEFAULT 0, reverse_attempts {bigint} NOT NULL DEFAULT 0,
        last_code TEXT, updated_at TEXT NOT NULL, final_at TEXT)""",
    "CREATE INDEX scan_payments_day ON scan_payments (paid_date, site_id)",
    """CREATE TABLE scan_bills (
        site_id TEXT NOT NULL REFERENCES sites(id), provider TEXT NOT NULL,
        bill_date TEXT NOT NULL, lines {bigint} NOT NULL, trade_fen {bigint} NOT NULL,
        refund_fen {bigint} NOT NULL, fee_fen {bigint} NOT NULL, sha256 TEXT NOT NULL,
        imported_at TEXT NOT NULL, PRIMARY KEY (site_id, provider, bill_date))""",
    """CREATE TABLE scan_bill_lines (
        site_id TEXT NOT NULL, provider TEXT NOT NULL, bill_date TEXT NOT NULL,
        transaction_id TEXT NOT NULL, kind TEXT NOT NULL, refund_id TEXT NOT NULL,
        out_trade_no TEXT NOT NULL, amount_fen {bigint} NOT NULL, fee_fen {bigint} NOT NULL,
        traded_at TEXT NOT NULL,
        PRIMARY KEY (site_id, provider, bill_date, transaction_id, kind, refund_id))""",
]

V4 = [
    """CREATE TABLE adopted_counters (
        device_id TEXT PRIMARY KEY, site_id TEXT NOT NULL REFERENCES sites(id),
        name TEXT NOT NULL, history_seq {bigint} NOT NULL, adopted_at TEXT NOT NULL)""",
]
"""Standalone counters taken over by ``adopt-counter``: their journal up to ``history_seq`` was
written before HQ knew them, so it is history, not late."""

V5 = [
    f"ALTER TABLE fee_items ADD COLUMN {column} {{bigint}} NOT NULL DEFAULT {default}"
    for column, default in (
        ("months_per_bill", 1),
        ("late_fee_daily_ppm", 0),
        ("late_fee_grace_days", 0),
        ("late_fee_cap_percent", 0),
    )
]
"""A fee item's billing cycle and late-fee rule (:class:`feetui.core.late_fees.LateFeeRule`),
published to the counters with the item; items made before keep one month and no late fee."""

V6 = [
    """CREATE TABLE cash_movements (
        record_id TEXT PRIMARY KEY, site_id TEXT NOT NULL, device_id TEXT NOT NULL,
        shift_id TEXT NOT NULL, business_date TEXT NOT NULL, kind TEXT NOT NULL,
        amount_fen {bigint} NOT NULL, reason TEXT NOT NULL, slip_no TEXT NOT NULL,
        cashier TEXT, created_at TEXT NOT NULL)""",
    "CREATE INDEX cash_movements_shift ON cash_movements (shift_id)",
]
"""Pay-ins, pay-outs and bank deposits (存行) of the counters' drawers, one row per record."""

MIGRATIONS: list[tuple[int, str, list[str]]] = [
    (1, "initial schema", V1),
    (2, "fee item scope: per unit or per vehicle", V2),
    (3, "scanned-code payments: merchants, payment states, provider bills", V3),
    (4, "standalone counters adopted with their history", V4),
    (5, "fee items: months per bill and the late-fee rule", V5),
    (6, "cash movements of the counters' drawers", V6),
]
"""``(version, name, statements)``, applied in order, each in its own transaction."""


def statements(version_sql: list[str], dialect: str) -> list[str]:
    """The statements of one migration for ``dialect``."""
    words = DIALECT_WORDS[dialect]
    return [sql.format(**words) for sql in version_sql]


__all__ = ["MIGRATIONS", "statements"]
