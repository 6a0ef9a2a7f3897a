"""Scanned-code payments from the counter's side, against a real HQ on 127.0.0.1 and the provider
simulators (tests/scanpay): each provider path ends in exactly one ledger payment or none, a
restart or a lost HQ resumes, the shift cannot close meanwhile, and the code is stored nowhere."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from feetui.core.errors import InputError, RuleError
from feetui.core.money import Money
from feetui.core.paycode import PaymentCode, classify_scan
from feetui.db.models import Charge, Payment, ScanPayment, Tender
from feetui.services.scan_payments import (
    ScanIntent,
    cancel_scan,
    follow_scan,
    list_open_scans,
    poll_scan,
    require_no_open_scan,
    start_scan,
)
from feetui.services.shifts import close_shift
from feetui.sync.client import SyncClient
from tests.builders import snapshot
from tests.scanpay.hq import ScanHq, scan_hq
from tests.sync.hq import free_port

WECHAT = "134567890123450001"
ALIPAY = "2812345678901230002"


@pytest.fixture
async def hq(tmp_path: Path) -> AsyncIterator[ScanHq]:
    """HQ with site S1 charging at the two simulators."""
    async with scan_hq(tmp_path / "hq") as server:
        yield server


@pytest.fixture
async def client(db, hq: ScanHq, clock) -> AsyncIterator[SyncClient]:
    """The ``db`` counter enrolled at S1, and its HQ client."""
    from feetui.sync.enrolment import enroll_device
    from feetui.sync.service import find_target

    await enroll_device(server=hq.url, code=await hq.enrollment_code(), now=clock.now())
    target = await find_target("")
    assert target is not None
    async with SyncClient(target.server, target.token) as http:
        yield http


async def _unit(ledger, amount_fen: int = 10_000):
    unit = await ledger.unit()
    await ledger.charge(unit, amount_fen=amount_fen, period="2026-11", due_date=None)
    return unit


async def _intent(ledger, unit) -> ScanIntent:
    charges = await Charge.filter(unit_id=unit.id).order_by("due_date").values_list("id", flat=True)
    return ScanIntent(unit.id, ledger.cashier.id, tuple(charges), subject="物业费 1-1-101")


async def _scan(ledger, client, code: str, unit, *, amount_fen: int | None = None, follow=True):
    paycode = classify_scan(code)
    assert paycode is not None
    amount = Money(amount_fen if amount_fen is not None else await ledger.due(unit))
    progress = await start_scan(
        ledger.svc,
        client,
        payment_id=ledger.new_id(),
        code=paycode,
        amount=amount,
        intent=await _intent(ledger, unit),
    )
    if follow:
        progress = await follow_scan(ledger.svc, client, progress, code=paycode)
    return progress


@pytest.mark.parametrize(
    ("code", "scenario"),
    [
        (WECHAT, "success"),
        (ALIPAY, "success"),
        (WECHAT, "paying_then_success"),
        (ALIPAY, "system_error"),
        (WECHAT, "already_paid_on_retry"),
        (WECHAT, "slow"),
        (ALIPAY, "drop"),
    ],
)
async def test_a_paid_scan_posts_one_payment_with_the_transaction_id(
    ledger, client, hq, code, scenario, caplog
) -> None:
    caplog.set_level(logging.DEBUG)
    provider = classify_scan(code).provider
    hq.sims[provider].script(code, scenario)
    unit = await _unit(ledger)
    progress = await _scan(ledger, client, code, unit)
    assert progress.state == "success" and progress.posted and progress.transaction_id
    tender = await Tender.get(payment_id=progress.payment_id)
    assert (tender.method, tender.amount_fen) == (provider, 10_000)
    assert tender.reference == progress.transaction_id
    assert hq.sims[provider].charged() == 1
    # A success seen again never posts again.
    again = await poll_scan(ledger.svc, client, progress.payment_id, code=classify_scan(code))
    assert again.posted and await Payment.filter(unit_id=unit.id).count() == 1
    assert await ledger.due(unit) == 0 and await list_open_scans(ledger.svc) == []
    assert code not in caplog.text


@pytest.mark.parametrize("scenario", ["paying_then_timeout", "bad_signature", "code_expired"])
async def test_a_scan_that_is_not_paid_posts_nothing(ledger, client, hq, scenario) -> None:
    hq.wechat.script(WECHAT, scenario)
    unit = await _unit(ledger)
    before = await snapshot()
    progress = await _scan(ledger, client, WECHAT, unit)
    assert progress.state in ("failed", "cancelled") and not progress.posted
    assert progress.reason
    assert await snapshot() == before
    assert await list_open_scans(ledger.svc) == []


async def test_cancel_while_the_resident_is_paying_posts_nothing(ledger, client, hq) -> None:
    hq.wechat.script(WECHAT, "paying_then_timeout")
    unit = await _unit(ledger)
    before = await snapshot()
    started = await _scan(ledger, client, WECHAT, unit, follow=False)
    assert started.state == "paying"
    asked = await cancel_scan(ledger.svc, client, started.payment_id)
    assert asked.cancel_requested
    done = await follow_scan(ledger.svc, client, asked)
    assert done.state == "cancelled" and not done.posted
    assert await snapshot() == before


async def test_a_code_of_the_wrong_shape_is_refused_by_hq_and_nothing_is_posted(
    ledger, client, hq
) -> None:
    unit = await _unit(ledger)
    before = await snapshot()
    progress = await start_scan(
        ledger.svc,
        client,
        payment_id=ledger.new_id(),
        code=PaymentCode("wechat", "1345678901234"),
        amount=Money(10_000),
        intent=await _intent(ledger, unit),
    )
    assert (progress.state, progress.reason) == ("failed", "bad_auth_code")
    assert await snapshot() == before and hq.wechat.charged() == 0


async def test_an_amount_of_zero_is_refused_before_anything_is_recorded_or_sent(
    ledger, client, hq
) -> None:
    unit = await _unit(ledger)
    with pytest.raises(InputError) as refused:
        await _scan(ledger, client, WECHAT, unit, amount_fen=0)
    assert refused.value.code == "amount_zero"
    assert await ScanPayment.all().count() == 0 and hq.wechat.charged() == 0


async def test_a_scan_resumed_without_its_code_after_a_restart_is_posted(
    ledger, client, hq
) -> None:
    hq.wechat.script(WECHAT, "paying_then_success")
    unit = await _unit(ledger)
    started = await _scan(ledger, client, WECHAT, unit, follow=False)
    # The app restarts: the code is gone, the row is there, and the resume follows it.
    [open_scan] = await list_open_scans(ledger.svc)
    assert open_scan.payment_id == started.payment_id
    done = await follow_scan(ledger.svc, client, open_scan)
    assert done.posted and await Payment.filter(unit_id=unit.id).count() == 1


async def test_two_followers_of_one_success_post_one_payment(ledger, client, hq) -> None:
    hq.wechat.script(WECHAT, "paying_then_success")
    unit = await _unit(ledger)
    started = await _scan(ledger, client, WECHAT, unit, follow=False)
    results = await asyncio.gather(
        follow_scan(ledger.svc, client, started), follow_scan(ledger.svc, client, started)
    )
    assert all(result.posted for result in results)
    assert await Payment.filter(unit_id=unit.id).count() == 1
    assert hq.wechat.charged() == 1


async def test_charges_paid_meanwhile_send_the_scanned_money_to_prepaid(ledger, client, hq) -> None:
    hq.wechat.script(WECHAT, "paying_then_success")
    unit = await _unit(ledger)
    started = await _scan(ledger, client, WECHAT, unit, follow=False)
    await ledger.pay(unit)  # another tender paid the charge while the resident was confirming
    done = await follow_scan(ledger.svc, client, started)
    assert done.posted and await ledger.prepaid(unit) == 10_000


async def test_hq_unreachable_keeps_the_scan_open_blocks_the_close_and_resumes(
    ledger, client, hq
) -> None:
    unit = await _unit(ledger)
    async with SyncClient(f"http://127.0.0.1:{free_port()}", client.token) as away:
        progress = await _scan(ledger, away, WECHAT, unit, follow=False)
    assert progress.state == "sending" and progress.error is not None
    assert progress.error.code == "server_unreachable"
    with pytest.raises(RuleError) as refused:
        await require_no_open_scan(ledger.svc)
    assert refused.value.code == "scan_pending"
    assert "1345****0001" in str(refused.value)
    with pytest.raises(RuleError):
        await close_shift(
            ledger.svc,
            close_id=ledger.new_id(),
            shift_id=ledger.shift.shift_id,
            closed_by=ledger.cashier.id,
            counts={"n100": 5},
        )
    # Back online after a restart (no code in memory): HQ never got it, nothing was charged.
    [open_scan] = await list_open_scans(ledger.svc)
    done = await follow_scan(ledger.svc, client, open_scan)
    assert (done.state, done.reason) == ("cancelled", "not_sent")
    await require_no_open_scan(ledger.svc)
    assert hq.wechat.charged() == 0


async def test_the_scanned_digits_are_nowhere_on_the_counter(
    ledger, client, hq, settings, caplog
) -> None:
    caplog.set_level(logging.DEBUG)
    hq.wechat.script(WECHAT, "paying_then_success")
    hq.alipay.script(ALIPAY, "paying_then_timeout")
    unit = await _unit(ledger)
    await _scan(ledger, client, WECHAT, unit)
    await _scan(ledger, client, ALIPAY, await _unit(ledger))
    assert await ScanPayment.filter(code_masked="1345****0001").count() == 1
    folder = Path(settings.resolved_db_path()).parent
    for path in folder.glob("counter.sqlite3*"):
        data = path.read_bytes()
        for code in (WECHAT, ALIPAY):
            assert code.encode() not in data, path
    assert WECHAT not in caplog.text and ALIPAY not in caplog.text
