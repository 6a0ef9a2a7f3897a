"""Bad scanned-payment requests: the right status, a clear error, and nothing changed anywhere.

"Nothing changed" is checked on HQ's tables (``Hq.snapshot``) and on the simulators (no call).
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from tests.scanpay.kit import ScanKit, alipay_code, wechat_code


async def _unchanged(kit: ScanKit, before: dict, calls: int = 0) -> None:
    assert await kit.hq.snapshot() == before
    assert sum(len(sim.calls) for sim in kit.sims.values()) == calls


@pytest.mark.parametrize(
    "code",
    [
        "13456789012345123",  # 17 digits
        "134567890123451234X",
        "194567890123451234",  # 18 digits, but 19 is nobody's prefix
        "１３4567890123451234",  # full-width digits are the counter's to normalise
        "13456789 012345123",
        "",
        134567890123451234,
    ],
)
async def test_a_code_of_the_wrong_shape_is_refused_without_echoing_it(
    scan: ScanKit, code: object
) -> None:
    before = await scan.hq.snapshot()
    status, body = await scan.post("/api/v1/pay/scan", scan.body(code, 100))  # type: ignore[arg-type]
    assert (status, body["error"]) == (400, "bad_auth_code")
    if code:
        assert str(code) not in body["message"] and str(code) not in str(body["params"])
    await _unchanged(scan, before)


@pytest.mark.parametrize("amount", [0, -1, 100_000_001])
async def test_an_amount_of_zero_or_beyond_the_ceiling_is_refused(
    scan: ScanKit, amount: int
) -> None:
    before = await scan.hq.snapshot()
    status, body = await scan.pay(wechat_code(), amount)
    assert (status, body["error"]) == (400, "bad_amount")
    await _unchanged(scan, before)


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"amount_fen": "100"}, "wrong_type"),
        ({"amount_fen": 1.5}, "wrong_type"),
        ({"payment_id": "not-a-uuid"}, "bad_value"),
        ({"subject": "x" * 65}, "bad_value"),
        ({"extra": 1}, "unknown_field"),
    ],
)
async def test_schema_errors_are_refused(scan: ScanKit, change: dict, error: str) -> None:
    before = await scan.hq.snapshot()
    status, body = await scan.post("/api/v1/pay/scan", scan.body(wechat_code(), 100) | change)
    assert (status, body["error"]) == (400, error)
    await _unchanged(scan, before)


async def test_an_unknown_payment_id_is_404(scan: ScanKit) -> None:
    before = await scan.hq.snapshot()
    for path in (f"/api/v1/pay/scan/{scan.new_id()}/poll", "/api/v1/pay/scan/nope/cancel"):
        status, body = await scan.post(path)
        assert (status, body["error"]) == (404, "unknown_payment")
    await _unchanged(scan, before)


async def test_another_devices_payment_is_unknown_and_its_id_cannot_be_reused(
    scan: ScanKit,
) -> None:
    code = wechat_code()
    scan.wechat.script(code, "paying_then_timeout")
    status, state = await scan.pay(code, 100)
    assert state["state"] == "paying"
    other = await scan.hq.enroll(name="window-2")
    before, calls = await scan.hq.snapshot(), len(scan.wechat.calls)
    for step in (scan.poll, scan.cancel):
        status, body = await step(state["payment_id"], device=other)
        assert (status, body["error"]) == (404, "unknown_payment")
    status, body = await scan.pay(code, 100, state["payment_id"], device=other)
    assert (status, body["error"]) == (409, "payment_id_reused")
    await _unchanged(scan, before, calls)


async def test_a_site_without_a_merchant_is_told_so(scan: ScanKit) -> None:
    other_site = await scan.hq.enroll(site="S2", name="window-9")
    before = await scan.hq.snapshot()
    for code in (wechat_code(), alipay_code()):
        status, body = await scan.pay(code, 100, device=other_site)
        assert (status, body["error"]) == (409, "scanpay_not_configured")
    await _unchanged(scan, before)


async def test_unreadable_merchant_keys_refuse_before_anything_is_charged(
    scan: ScanKit, tmp_path: Path
) -> None:
    (tmp_path / "keys" / "wechat" / "wechat-api-key.txt").unlink()
    before = await scan.hq.snapshot()
    status, body = await scan.pay(wechat_code(), 100)
    assert (status, body["error"]) == (409, "scanpay_not_configured")
    await _unchanged(scan, before)


async def test_only_devices_may_pay(scan: ScanKit) -> None:
    token = await scan.hq.user_token("boss")
    before = await scan.hq.snapshot()
    response = await scan.hq.client.post(
        "/api/v1/pay/scan",
        json=scan.body(wechat_code(), 100),
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status == 403
    response = await scan.hq.client.post("/api/v1/pay/scan", json=scan.body(wechat_code(), 100))
    assert response.status == 401
    await _unchanged(scan, before)


async def test_a_wrong_merchant_key_never_makes_a_success(scan: ScanKit, tmp_path: Path) -> None:
    (tmp_path / "keys" / "wechat" / "wechat-api-key.txt").write_text("0" * 32)
    status, state = await scan.pay(wechat_code(), 100)
    assert status == 200 and state["state"] == "cancelling"
    states = await scan.until_final(state)
    assert (states[-1]["state"], states[-1]["reason"]) == ("failed", "provider_error")
    assert scan.wechat.charged() == 0 and scan.wechat.bad_requests > 0


async def test_the_scanned_digits_are_nowhere_in_hqs_database_or_logs(
    scan: ScanKit, caplog: pytest.LogCaptureFixture
) -> None:
    """R14: after every kind of outcome, HQ's files and log output never hold the full code."""
    caplog.set_level(logging.DEBUG)
    if "postgres" in scan.hq.db.url:
        pytest.skip("the files grepped are SQLite's")
    codes = []
    for provider, make in (("wechat", wechat_code), ("alipay", alipay_code)):
        for scenario in ("success", "paying_then_timeout", "system_error", "bad_signature"):
            code = make()
            codes.append(code)
            scan.sims[provider].script(code, scenario)
            status, state = await scan.pay(code, 100)
            assert status == 200
            await scan.until_final(state)
            await scan.pay(code, 100, state["payment_id"])
    masked = await scan.hq.rows("SELECT code_masked FROM scan_payments")
    assert len(masked) == len(codes)
    db_file = Path(scan.hq.db.url.removeprefix("sqlite:///"))
    blobs = [p.read_bytes() for p in (db_file, Path(f"{db_file}-wal")) if p.exists()]
    assert blobs, "the database files exist"
    logged = "\n".join(r.getMessage() + str(r.args) for r in caplog.records)
    assert "scanned payment" in logged, "the state machine logged its steps"
    for code in codes:
        assert all(code.encode() not in blob for blob in blobs)
        assert code not in logged
        assert code[:6].encode() in b"".join(blobs), "the masked form is stored"
