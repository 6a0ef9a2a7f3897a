"""The counter's real journal pushed as it is: HQ verifies it, its totals equal the counter's."""

from __future__ import annotations

from tortoise import connections

from feetui.core.money import Money
from feetui.services.charges import add_one_off_charge
from feetui.services.refunds import refund_prepaid
from feetui.services.voids import void_payment
from feetui.sync.protocol import parse_push_request
from sync_server.clock import iso
from tests.builders import SUPERVISOR_CODE, SUPERVISOR_PIN, Ledger
from tests.server.helpers import Hq


async def _counter(sql: str) -> list:
    _, rows = await connections.get("default").execute_query(sql)
    return rows


async def _enroll_counter(hq: Hq, ledger: Ledger) -> str:
    """HQ knows the counter's site under the same id (as the puller stores it) and enrols it."""
    site = ledger.site
    async with hq.db.transaction() as tx:
        await tx.execute(
            "INSERT INTO sites (id, code, name, created_at) VALUES (?, ?, ?, ?)",
            site.id, site.code, site.name, iso(hq.clock()),
        )  # fmt: skip
    body = {"code": await hq.code(site.code), "device_id": ledger.svc.device_id, "name": "w1"}
    response = await hq.client.post("/api/v1/enroll", json=body)
    assert response.status == 200, await response.text()
    return (await response.json())["token"]


async def _post_journal(ledger: Ledger) -> None:
    unit = await ledger.unit()
    other = await ledger.unit()
    await ledger.charge(unit, amount_fen=12_000)
    await ledger.charge(other, amount_fen=8_000, item="PK", period="2026-11")
    await ledger.pay(unit, cash=15_000, overpay_to_prepaid=True)
    paid = await ledger.pay(other)
    await void_payment(
        ledger.svc, void_id=ledger.new_id(), payment_id=paid.payment_id,
        cashier_id=ledger.cashier.id, supervisor_code=SUPERVISOR_CODE,
        supervisor_pin=SUPERVISOR_PIN, reason="录错房号",
    )  # fmt: skip
    await refund_prepaid(
        ledger.svc, refund_id=ledger.new_id(), unit_id=unit.id, amount=Money(1_000),
        method="cash", cashier_id=ledger.cashier.id, supervisor_code=SUPERVISOR_CODE,
        supervisor_pin=SUPERVISOR_PIN, reason="业主搬离",
    )  # fmt: skip
    await add_one_off_charge(
        ledger.svc, charge_id=ledger.new_id(), unit_id=unit.id,
        fee_item_id=ledger.fee_items["CARD"].id, cashier_id=ledger.cashier.id,
    )  # fmt: skip
    await ledger.pay(unit, cash=2_000)


async def test_the_counters_journal_is_accepted_verified_and_totals_match(
    hq: Hq, ledger: Ledger
) -> None:
    token = await _enroll_counter(hq, ledger)
    await _post_journal(ledger)
    rows = await _counter(
        "SELECT device_id, seq, record_id, kind, payload_json, prev_hash, hash"
        " FROM journal_entry ORDER BY seq"
    )
    import json

    records = [
        {"device_id": r[0], "seq": r[1], "record_id": r[2], "kind": r[3],
         "payload": json.loads(r[4]), "prev_hash": r[5], "hash": r[6]}
        for r in rows
    ]  # fmt: skip
    body = {"device_id": ledger.svc.device_id, "records": records}
    parse_push_request(body)
    response = await hq.client.post(
        "/api/v1/push", json=body, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status == 200, await response.text()
    answer = await response.json()
    assert answer["ack_seq"] == len(records)
    assert {r["status"] for r in answer["results"]} == {"created"}
    assert await hq.exceptions() == []
    [(tendered,)] = await _counter("SELECT coalesce(sum(amount_fen), 0) FROM tender")
    [(refunded,)] = await _counter("SELECT coalesce(sum(amount_fen), 0) FROM refund")
    assert await hq.scalar("SELECT sum(amount_fen) FROM money_lines") == tendered - refunded
    kinds = {r["kind"] for r in records}
    assert {"shift_open", "payment", "void", "refund", "charge"} <= kinds
