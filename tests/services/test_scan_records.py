"""Scanned payments before headquarters answers: the local record, the refusals that need no HQ,
and the shift close held while a scan is open (provider paths: tests/sync/test_scan_payments.py).
"""

from __future__ import annotations

import pytest

from feetui.core.errors import InputError, RuleError
from feetui.core.money import Money
from feetui.core.paycode import classify_scan
from feetui.db.connection import raw_connection
from feetui.db.models import ScanPayment
from feetui.services.results import TenderInput
from feetui.services.scan_payments import (
    ScanIntent,
    list_open_scans,
    require_no_open_scan,
    scanned_tender_refusal,
    start_scan,
)
from feetui.services.shifts import close_shift, preview_close
from feetui.sync.client import SyncClient
from feetui.sync.status import SyncMode, SyncStatus
from tests.builders import snapshot
from tests.sync.hq import free_port

CODE = "134567890123450001"


def test_the_scanned_tender_works_only_online() -> None:
    assert scanned_tender_refusal(SyncStatus(SyncMode.ONLINE)) is None
    codes = {mode: scanned_tender_refusal(SyncStatus(mode)) for mode in SyncMode}
    for mode, refusal in codes.items():
        if mode is not SyncMode.ONLINE:
            assert refusal is not None and refusal.code == f"scan_unavailable_{mode.value}"
    assert scanned_tender_refusal(None).code == "scan_unavailable_starting"


def test_an_intent_survives_the_database() -> None:
    intent = ScanIntent(
        "u1", "c1", ("a", "b"), Money(5000), True,
        (TenderInput("cash", Money(1000), Money(2000), ""),), "物业费 3-2-1502",
    )  # fmt: skip
    row = ScanPayment(unit_id="u1", cashier_id="c1", intent_json=intent.to_json())
    assert ScanIntent.from_row(row) == intent


async def _start(ledger, client, amount_fen: int):
    unit = await ledger.unit()
    intent = ScanIntent(unit.id, ledger.cashier.id, (), subject="物业费")
    return await start_scan(
        ledger.svc, client, payment_id=ledger.new_id(), code=classify_scan(CODE),
        amount=Money(amount_fen), intent=intent,
    )  # fmt: skip


@pytest.mark.parametrize(("amount_fen", "code"), [(0, "amount_zero"), (-1, "amount_negative")])
async def test_a_bad_amount_is_refused_before_anything_is_recorded_or_sent(
    ledger, amount_fen, code
) -> None:
    async with SyncClient(f"http://127.0.0.1:{free_port()}", "token") as away:
        with pytest.raises(InputError) as refused:
            await _start(ledger, away, amount_fen)
    assert refused.value.code == code
    assert await ScanPayment.all().count() == 0


async def test_hq_out_of_reach_keeps_the_scan_open_and_the_shift_cannot_close(
    ledger, settings
) -> None:
    before = await snapshot()
    async with SyncClient(f"http://127.0.0.1:{free_port()}", "token") as away:
        progress = await _start(ledger, away, 10_000)
    assert progress.state == "sending" and not progress.settled
    assert progress.error is not None and progress.error.code == "server_unreachable"
    assert [p.payment_id for p in await list_open_scans(ledger.svc)] == [progress.payment_id]
    assert await snapshot() == before  # nothing posted
    with pytest.raises(RuleError) as refused:
        await require_no_open_scan(ledger.svc)
    assert refused.value.code == "scan_pending" and "1345****0001" in str(refused.value)
    shift_id = ledger.shift.shift_id
    with pytest.raises(RuleError, match="still waiting"):
        await preview_close(ledger.svc, shift_id=shift_id, counts={"n100": 5})
    with pytest.raises(RuleError) as refused:
        await close_shift(
            ledger.svc, close_id=ledger.new_id(), shift_id=shift_id,
            closed_by=ledger.cashier.id, counts={"n100": 5},
        )  # fmt: skip
    assert refused.value.code == "scan_pending"
    with raw_connection(settings.resolved_db_path()) as connection:
        rows = connection.execute("SELECT code_masked, state FROM scan_payment").fetchall()
    assert rows == [("1345****0001", "sending")]
