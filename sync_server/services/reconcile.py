"""Reconciliation of scanned-code payments: HQ's successes against the providers' bills.

For one day (the Beijing date the provider took the money) and each site and provider, three
amounts are set side by side, per order number (``out_trade_no``, derived from the payment id):

* HQ: the scanned payments that ended ``success`` (``scan_payments``);
* the provider: what its imported bill says was taken, less what it gave back;
* collections: the ledger payment the counter pushed for it (same payment id, tender method
  wechat/alipay, reference = the provider's transaction id), from HQ's journal.

The report has one ``total`` row per site and provider, then one row per difference:
``missing_at_provider`` (HQ says paid, the bill does not), ``missing_at_hq`` (the bill has money
HQ never saw succeed), ``amount_differs``, ``transaction_differs``, and ``not_in_collections``
(a success whose ledger payment has not arrived, or names another amount or reference),
``voided_in_collections`` (the counter voided the ledger payment of a scanned success: the payer
is owed a refund through the provider) and ``not_scanned_at_hq`` (a ledger payment of the day
with a wechat/alipay tender that HQ never charged, e.g. a reference typed by hand). A day with
payments but no imported bill gets a ``no_bill`` row instead of false differences.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sync_server.db.connection import Database, Tx
from sync_server.services.reports import Report

COLUMNS = (
    "site",
    "date",
    "provider",
    "kind",
    "payment_id",
    "out_trade_no",
    "transaction_id",
    "hq_fen",
    "provider_fen",
    "collections_fen",
    "difference_fen",
)
SCAN_METHODS = ("wechat", "alipay")


def _in(values: list[str]) -> str:
    return "(" + ",".join("?" * len(values)) + ")" if values else "(NULL)"


@dataclass
class _Book:
    """One site and provider's day: HQ's successes and the bill's net amounts by order."""

    hq: dict[str, dict[str, Any]] = field(default_factory=dict)
    provider: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    provider_tx: dict[str, str] = field(default_factory=dict)
    has_bill: bool = False
    unscanned: dict[str, int] = field(default_factory=dict)
    """Ledger payments of the day with this provider's tender that HQ never charged."""


async def scanpay_report(db: Database, *, day: date, site_ids: list[str]) -> Report:
    """The reconciliation of ``day`` for ``site_ids`` (see the module docstring)."""
    text = day.isoformat()
    async with db.transaction() as tx:
        codes = {
            row["id"]: row["code"]
            for row in await tx.fetch(
                f"SELECT id, code FROM sites WHERE id IN {_in(site_ids)}", *site_ids
            )
        }
        books = await _books(tx, text, site_ids)
        ledger = await _ledger(tx, [p for b in books.values() for p in b.hq.values()])
        await _unscanned(tx, text, site_ids, books)
        voided = await _voided(tx, [p for b in books.values() for p in b.hq.values()])
    rows: list[dict[str, Any]] = []
    for (site_id, provider), book in sorted(books.items(), key=lambda i: (codes[i[0][0]], i[0][1])):
        rows += _rows(codes[site_id], text, provider, book, ledger, voided)
    return Report("scanpay", {"date": text}, COLUMNS, rows)


async def _books(tx: Tx, day: str, site_ids: list[str]) -> dict[tuple[str, str], _Book]:
    books: dict[tuple[str, str], _Book] = defaultdict(_Book)
    for row in await tx.fetch(
        "SELECT payment_id, site_id, provider, out_trade_no, transaction_id, amount_fen"
        f" FROM scan_payments WHERE state = 'success' AND paid_date = ? AND site_id IN"
        f" {_in(site_ids)}",
        day,
        *site_ids,
    ):
        books[(row["site_id"], row["provider"])].hq[row["out_trade_no"]] = dict(row)
    for row in await tx.fetch(
        f"SELECT site_id, provider FROM scan_bills WHERE bill_date = ? AND site_id IN"
        f" {_in(site_ids)}",
        day,
        *site_ids,
    ):
        books[(row["site_id"], row["provider"])].has_bill = True
    for row in await tx.fetch(
        "SELECT site_id, provider, out_trade_no, transaction_id, kind, amount_fen"
        f" FROM scan_bill_lines WHERE bill_date = ? AND site_id IN {_in(site_ids)}",
        day,
        *site_ids,
    ):
        book = books[(row["site_id"], row["provider"])]
        sign = 1 if row["kind"] == "trade" else -1
        book.provider[row["out_trade_no"]] += sign * int(row["amount_fen"])
        book.provider_tx[row["out_trade_no"]] = row["transaction_id"]
    return books


async def _ledger(tx: Tx, payments: list[dict[str, Any]]) -> dict[str, tuple[int, set[str]]]:
    """Per payment id: the scanned tenders' amount in HQ's journal and their references."""
    ids = [p["payment_id"] for p in payments]
    found: dict[str, tuple[int, set[str]]] = {}
    if not ids:
        return found
    for row in await tx.fetch(
        "SELECT record_id, payload FROM journal WHERE kind = 'payment'"
        f" AND record_id IN {_in(ids)}",
        *ids,
    ):
        tenders = json.loads(row["payload"]).get("tenders") or []
        scanned = [t for t in tenders if isinstance(t, dict) and t.get("method") in SCAN_METHODS]
        amount = sum(int(t.get("amount_fen") or 0) for t in scanned)
        found[row["record_id"]] = (amount, {str(t.get("reference") or "") for t in scanned})
    return found


async def _unscanned(
    tx: Tx, day: str, site_ids: list[str], books: dict[tuple[str, str], _Book]
) -> None:
    rows = await tx.fetch(
        "SELECT record_id, site_id, method, CAST(sum(amount_fen) AS BIGINT) AS fen"
        " FROM money_lines WHERE kind = 'payment' AND method IN ('wechat', 'alipay')"
        f" AND business_date = ? AND site_id IN {_in(site_ids)}"
        " GROUP BY record_id, site_id, method",
        day,
        *site_ids,
    )
    ids = sorted({row["record_id"] for row in rows})
    scanned = {
        row["payment_id"]
        for row in await tx.fetch(
            f"SELECT payment_id FROM scan_payments WHERE state = 'success' AND payment_id IN"
            f" {_in(ids)}",
            *ids,
        )
    }
    for row in rows:
        if row["record_id"] not in scanned:
            books[(row["site_id"], row["method"])].unscanned[row["record_id"]] = int(row["fen"])


async def _voided(tx: Tx, payments: list[dict[str, Any]]) -> set[str]:
    ids = [p["payment_id"] for p in payments]
    rows = await tx.fetch(f"SELECT payment_id FROM voids WHERE payment_id IN {_in(ids)}", *ids)
    return {row["payment_id"] for row in rows}


def _rows(
    site: str,
    day: str,
    provider: str,
    book: _Book,
    ledger: dict[str, tuple[int, set[str]]],
    voided: set[str],
) -> list[dict[str, Any]]:
    base = {"site": site, "date": day, "provider": provider}
    hq_total = sum(int(p["amount_fen"]) for p in book.hq.values())
    provider_total = sum(book.provider.values())
    collections_total = sum(ledger.get(p["payment_id"], (0, set()))[0] for p in book.hq.values())
    total = base | {
        "kind": "total" if book.has_bill else "no_bill",
        "payment_id": None,
        "out_trade_no": None,
        "transaction_id": None,
        "hq_fen": hq_total,
        "provider_fen": provider_total if book.has_bill else None,
        "collections_fen": collections_total,
        "difference_fen": provider_total - hq_total if book.has_bill else None,
    }
    out = [total]
    for order in sorted(set(book.hq) | {o for o, fen in book.provider.items() if fen}):
        out += _differences(base, order, book, ledger)
        ours = book.hq.get(order)
        if ours is not None and ours["payment_id"] in voided:
            out.append(_voided_row(base, ours))
    for payment_id, amount in sorted(book.unscanned.items()):
        empty = dict.fromkeys(("out_trade_no", "transaction_id", "provider_fen"))
        out.append(base | empty | {"kind": "not_scanned_at_hq", "payment_id": payment_id,
                                   "hq_fen": 0, "collections_fen": amount,
                                   "difference_fen": amount})  # fmt: skip
    return out


def _voided_row(base: dict[str, Any], ours: dict[str, Any]) -> dict[str, Any]:
    return base | {
        "kind": "voided_in_collections",
        "payment_id": ours["payment_id"],
        "out_trade_no": ours["out_trade_no"],
        "transaction_id": ours["transaction_id"],
        "hq_fen": int(ours["amount_fen"]),
        "provider_fen": None,
        "collections_fen": 0,
        "difference_fen": -int(ours["amount_fen"]),
    }


def _differences(
    base: dict[str, Any], order: str, book: _Book, ledger: dict[str, tuple[int, set[str]]]
) -> list[dict[str, Any]]:
    ours = book.hq.get(order)
    theirs = book.provider.get(order, 0)
    row = base | {
        "payment_id": ours["payment_id"] if ours else None,
        "out_trade_no": order,
        "transaction_id": ours["transaction_id"] if ours else book.provider_tx.get(order),
        "hq_fen": int(ours["amount_fen"]) if ours else 0,
        "provider_fen": theirs if book.has_bill else None,
        "collections_fen": None,
    }
    found: list[dict[str, Any]] = []
    if book.has_bill:
        kind = None
        if ours is None:
            kind = "missing_at_hq"
        elif theirs == 0:
            kind = "missing_at_provider"
        elif theirs != row["hq_fen"]:
            kind = "amount_differs"
        elif book.provider_tx.get(order) != ours["transaction_id"]:
            kind = "transaction_differs"
        if kind is not None:
            found.append(row | {"kind": kind, "difference_fen": theirs - row["hq_fen"]})
    if ours is not None:
        amount, references = ledger.get(ours["payment_id"], (0, set()))
        if amount != row["hq_fen"] or ours["transaction_id"] not in references:
            found.append(
                row
                | {
                    "kind": "not_in_collections",
                    "collections_fen": amount,
                    "difference_fen": amount - row["hq_fen"],
                }
            )
    return found


__all__ = ["COLUMNS", "scanpay_report"]
