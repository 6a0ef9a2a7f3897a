"""Scanned-code payments through the real server against the provider simulators, every path.

Each test runs for WeChat Pay and Alipay, on SQLite and PostgreSQL. The server's clock is the
mutable test clock: polls move it by the ``retry_after_ms`` the server asked for, so the time limit
and the reverse window are crossed without sleeping. What the provider did is read from the
simulator's records: the promise "never charge twice" is ``sim.charged() <= 1`` per order.
"""

from __future__ import annotations

import asyncio

import pytest

from feetui.sync.protocol import parse_scan_request
from sync_server.providers import base
from sync_server.providers.base import PayOrder, ProviderAnswer
from sync_server.services.scanpay import out_trade_no
from tests.scanpay.kit import ScanKit, alipay_code, wechat_code

CODES = {"wechat": wechat_code, "alipay": alipay_code}


@pytest.fixture(params=["wechat", "alipay"])
def provider(request: pytest.FixtureRequest) -> str:
    """Which provider the test pays with."""
    return request.param


def _apis(kit: ScanKit, provider: str, payment_id: str) -> list[str]:
    order = out_trade_no(payment_id)
    return [c.api for c in kit.sims[provider].calls if c.out_trade_no == order]


async def _scan(kit: ScanKit, provider: str, scenario: str, amount: int = 12_345) -> dict:
    code = CODES[provider]()
    kit.sims[provider].script(code, scenario)
    status, state = await kit.pay(code, amount)
    assert status == 200, state
    return state


async def test_a_code_that_pays_at_once_is_success_with_the_providers_transaction(
    scan: ScanKit, provider: str
) -> None:
    state = await _scan(scan, provider, "success")
    order = scan.sims[provider].orders[out_trade_no(state["payment_id"])]
    assert state["state"] == "success"
    assert state["transaction_id"] == order.transaction_id
    assert state["retry_after_ms"] == 0
    assert state["paid_at"].startswith("2026-11-23T01:30:00")
    assert state["provider"] == provider
    assert state["code_masked"][6:-4] == "*" * 8
    assert order.charges == 1 and order.amount_fen == 12_345
    assert _apis(scan, provider, state["payment_id"]) == ["pay"]
    row = await scan.row(state["payment_id"])
    assert row["paid_date"] == "2026-11-23"


async def test_a_payer_confirming_is_polled_until_paid(scan: ScanKit, provider: str) -> None:
    state = await _scan(scan, provider, "paying_then_success")
    assert state["state"] == "paying"
    assert state["retry_after_ms"] == 50
    states = await scan.until_final(state)
    assert [s["state"] for s in states] == ["paying", "paying", "paying", "success"]
    assert _apis(scan, provider, state["payment_id"]) == ["pay", "query", "query", "query"]
    assert scan.sims[provider].charged() == 1


async def test_a_payer_who_never_confirms_is_reversed_after_the_time_limit(
    scan: ScanKit, provider: str
) -> None:
    await scan.configure(scan.sims[provider], time_limit_ms=200)
    state = await _scan(scan, provider, "paying_then_timeout")
    states = await scan.until_final(state)
    final = states[-1]
    assert (final["state"], final["reason"]) == ("cancelled", "timeout")
    assert final["transaction_id"] is None
    apis = _apis(scan, provider, state["payment_id"])
    assert apis[0] == "pay" and apis[-1] == "reverse" and apis.count("reverse") == 1
    order = scan.sims[provider].orders[out_trade_no(state["payment_id"])]
    assert order.state == "REVOKED" and order.charges == 0


@pytest.mark.parametrize("scenario", ["system_error", "slow", "drop"])
async def test_an_unknown_outcome_is_queried_before_anything_else(
    scan: ScanKit, provider: str, scenario: str
) -> None:
    if scenario == "slow":  # the simulator answers after 2 s
        await scan.configure(scan.sims[provider], timeout_ms=300)
    state = await _scan(scan, provider, scenario)
    assert state["state"] == "success"
    assert _apis(scan, provider, state["payment_id"]) == ["pay", "query"]
    assert scan.sims[provider].charged() == 1


async def test_a_charge_the_provider_already_took_is_not_taken_again(
    scan: ScanKit, provider: str
) -> None:
    state = await _scan(scan, provider, "already_paid_on_retry")
    assert state["state"] == "success"
    assert _apis(scan, provider, state["payment_id"]) == ["pay", "query", "pay", "query"]
    assert scan.sims[provider].charged() == 1


async def test_answers_with_a_bad_signature_are_never_taken_as_success(
    scan: ScanKit, provider: str
) -> None:
    state = await _scan(scan, provider, "bad_signature")
    assert (state["state"], state["reason"]) == ("cancelling", "bad_signature")
    states = await scan.until_final(state)
    final = states[-1]
    assert (final["state"], final["reason"]) == ("failed", "bad_signature")
    assert all(s["transaction_id"] is None for s in states)
    order = scan.sims[provider].orders[out_trade_no(state["payment_id"])]
    assert order.refunded, "the reversal gave back what the provider had taken"
    alarms = await scan.hq.exceptions("scanpay_unresolved")
    assert [(a["record_id"], a["site_id"]) for a in alarms] == [
        (state["payment_id"], scan.device.site_id)
    ]
    metrics = await (await scan.hq.client.get("/metrics")).text()
    assert f'call="reverse",outcome="reverse_retry",provider="{provider}"' in metrics


@pytest.mark.parametrize("scenario", ["insufficient_funds", "code_expired"])
async def test_a_definite_failure_is_failed_with_its_reason(
    scan: ScanKit, provider: str, scenario: str
) -> None:
    state = await _scan(scan, provider, scenario)
    expected = "code_invalid" if (provider, scenario) == ("alipay", "code_expired") else scenario
    assert (state["state"], state["reason"]) == ("failed", expected)
    assert _apis(scan, provider, state["payment_id"]) == ["pay"]
    assert scan.sims[provider].charged() == 0


async def test_a_retried_post_never_charges_twice(scan: ScanKit, provider: str) -> None:
    code = CODES[provider]()
    payment_id = scan.new_id()
    first = await scan.pay(code, 500, payment_id)
    again = await scan.pay(code, 500, payment_id)
    assert first == again
    assert first[1]["state"] == "success"
    assert _apis(scan, provider, payment_id) == ["pay"]
    assert scan.sims[provider].charged() == 1


async def test_concurrent_posts_of_one_payment_charge_once(scan: ScanKit, provider: str) -> None:
    code = CODES[provider]()
    scan.sims[provider].script(code, "paying_then_success")
    payment_id = scan.new_id()
    answers = await asyncio.gather(*(scan.pay(code, 700, payment_id) for _ in range(5)))
    assert {status for status, _ in answers} == {200}
    assert [c.api for c in scan.sims[provider].calls].count("pay") == 1
    states = await scan.until_final(answers[0][1])
    assert states[-1]["state"] == "success"
    assert scan.sims[provider].charged() == 1


async def test_a_retried_post_while_paying_only_queries(scan: ScanKit, provider: str) -> None:
    code = CODES[provider]()
    scan.sims[provider].script(code, "paying_then_success")
    payment_id = scan.new_id()
    await scan.pay(code, 900, payment_id)
    status, state = await scan.pay(code, 900, payment_id)
    assert status == 200 and state["state"] == "paying"
    assert _apis(scan, provider, payment_id) == ["pay", "query"]


async def test_the_same_payment_id_with_another_amount_is_refused(
    scan: ScanKit, provider: str
) -> None:
    code = CODES[provider]()
    payment_id = scan.new_id()
    await scan.pay(code, 500, payment_id)
    before = await scan.row(payment_id)
    status, body = await scan.pay(code, 501, payment_id)
    assert (status, body["error"]) == (409, "payment_id_reused")
    assert await scan.row(payment_id) == before
    assert scan.sims[provider].charged() == 1


async def test_no_reversal_is_sent_inside_the_providers_window(
    scan: ScanKit, provider: str
) -> None:
    sim = scan.sims[provider]
    await scan.configure(sim, time_limit_ms=100, reverse_window_ms=1_000)
    state = await _scan(scan, provider, "paying_then_timeout")
    payment_id = state["payment_id"]
    scan.hq.clock.advance(milliseconds=150)
    status, state = await scan.poll(payment_id)
    assert status == 200
    assert (state["state"], state["reason"]) == ("cancelling", "timeout")
    assert state["retry_after_ms"] == 850
    scan.hq.clock.advance(milliseconds=849)
    status, state = await scan.poll(payment_id)
    assert status == 200
    assert state["state"] == "cancelling" and state["retry_after_ms"] == 50
    assert "reverse" not in _apis(scan, provider, payment_id)
    scan.hq.clock.advance(milliseconds=1)
    status, state = await scan.poll(payment_id)
    assert status == 200
    assert (state["state"], state["reason"]) == ("cancelled", "timeout")
    assert _apis(scan, provider, payment_id).count("reverse") == 1


async def test_cancel_while_waiting_reverses_once_the_window_allows(
    scan: ScanKit, provider: str
) -> None:
    state = await _scan(scan, provider, "paying_then_timeout")
    payment_id = state["payment_id"]
    status, state = await scan.cancel(payment_id)
    assert status == 200
    assert (state["state"], state["reason"]) == ("cancelling", "user_cancelled")
    assert state["retry_after_ms"] == 300
    assert "reverse" not in _apis(scan, provider, payment_id)
    states = await scan.until_final(state)
    assert (states[-1]["state"], states[-1]["reason"]) == ("cancelled", "user_cancelled")
    assert _apis(scan, provider, payment_id).count("reverse") == 1
    status, again = await scan.cancel(payment_id)
    assert again == states[-1]
    assert _apis(scan, provider, payment_id).count("reverse") == 1


async def test_cancelling_a_success_answers_the_success(scan: ScanKit, provider: str) -> None:
    state = await _scan(scan, provider, "success")
    status, after = await scan.cancel(state["payment_id"])
    assert (status, after) == (200, state)
    assert "reverse" not in _apis(scan, provider, state["payment_id"])


async def test_a_payment_its_counter_abandoned_is_finished_by_the_sweep(
    scan: ScanKit, provider: str
) -> None:
    from datetime import timedelta

    from sync_server.keys import CLOCK, DB, SCAN_HTTP
    from sync_server.services.scanpay import ScanContext, provider_factory, sweep_scans

    abandoned = await _scan(scan, provider, "paying_then_timeout")
    done = await _scan(scan, provider, "success")
    app = scan.hq.client.app
    context = ScanContext(app[DB], app[CLOCK], provider_factory(app[SCAN_HTTP]))
    assert await sweep_scans(context, idle=timedelta(seconds=60)) == []
    scan.hq.clock.advance(seconds=61)
    states = await sweep_scans(context, idle=timedelta(seconds=60))
    assert [(s.payment_id, s.state, s.reason) for s in states] == [
        (abandoned["payment_id"], "cancelled", "timeout")
    ]
    assert _apis(scan, provider, abandoned["payment_id"])[-1] == "reverse"
    assert _apis(scan, provider, done["payment_id"]) == ["pay"]


async def test_wechat_answers_signed_with_hmac_sha256_are_verified(scan: ScanKit) -> None:
    await scan.configure(scan.wechat, sign_type="HMAC-SHA256")
    state = await _scan(scan, "wechat", "paying_then_success")
    states = await scan.until_final(state)
    assert states[-1]["state"] == "success"
    assert scan.wechat.bad_requests == 0


class ScriptedProvider:
    """An adapter answering from a script (the state machine's view of any provider)."""

    name = "wechat"

    def __init__(self, *answers: ProviderAnswer) -> None:
        self.answers = list(answers)
        self.calls: list[str] = []

    async def _next(self, call: str) -> ProviderAnswer:
        self.calls.append(call)
        return self.answers.pop(0)

    async def pay(self, order: PayOrder) -> ProviderAnswer:
        return await self._next("pay")

    async def query(self, out_trade_no: str) -> ProviderAnswer:
        return await self._next("query")

    async def reverse(self, out_trade_no: str) -> ProviderAnswer:
        return await self._next("reverse")


@pytest.mark.parametrize(
    ("last_query", "expected"),
    [
        (ProviderAnswer(base.SUCCESS, transaction_id="4200x"), ("success", None)),
        (ProviderAnswer(base.NOT_FOUND), ("failed", "code_expired")),
    ],
)
async def test_a_failure_answered_to_a_resent_charge_is_believed_only_if_a_query_agrees(
    scan: ScanKit, last_query: ProviderAnswer, expected: tuple[str, str | None]
) -> None:
    from sync_server.keys import CLOCK, DB
    from sync_server.services.auth import Principal
    from sync_server.services.scanpay import ScanContext, start_scan

    scripted = ScriptedProvider(
        base.unknown("SYSTEMERROR"),
        ProviderAnswer(base.NOT_FOUND, code="ORDERNOTEXIST"),
        ProviderAnswer(base.FAILED, code="AUTHCODEEXPIRE", reason="code_expired"),
        last_query,
    )
    app = scan.hq.client.app
    context = ScanContext(app[DB], app[CLOCK], lambda merchant: scripted)
    device = Principal("device", device_id=scan.device.device_id, site_id=scan.device.site_id)
    request = parse_scan_request(scan.body(wechat_code(), 100))
    state = await start_scan(context, request, device=device)
    assert scripted.calls == ["pay", "query", "pay", "query"]
    assert (state.state, state.reason) == expected


async def test_a_subject_of_64_chinese_characters_is_accepted(scan: ScanKit, provider: str) -> None:
    body = scan.body(CODES[provider](), 100) | {"subject": "物" * 64}
    status, state = await scan.post("/api/v1/pay/scan", body)
    assert (status, state["state"]) == (200, "success")
    assert scan.sims[provider].bad_requests == 0
