"""The test kit itself: a live HQ on 127.0.0.1 charging the simulators on the real clock."""

from __future__ import annotations

from pathlib import Path

import aiohttp

from feetui.clock import IdSource, SystemClock
from sync_server.services.scanpay import out_trade_no
from tests.scanpay.hq import scan_hq
from tests.scanpay.kit import alipay_code, wechat_code


async def _enroll(session: aiohttp.ClientSession, url: str, code: str, ids: IdSource) -> str:
    body = {"code": code, "device_id": ids.new_str(), "name": "window-1"}
    async with session.post(f"{url}/api/v1/enroll", json=body) as response:
        assert response.status == 200, await response.text()
        return (await response.json())["token"]


async def test_a_live_hq_charges_both_simulators_and_polls_in_real_time(tmp_path: Path) -> None:
    ids = IdSource(SystemClock())
    async with scan_hq(tmp_path) as hq, aiohttp.ClientSession() as session:
        token = await _enroll(session, hq.url, await hq.enrollment_code(), ids)
        auth = {"Authorization": f"Bearer {token}"}
        wechat, alipay = wechat_code(), alipay_code()
        hq.alipay.script(alipay, "paying_then_success")
        answers = {}
        for code in (wechat, alipay):
            body = {"payment_id": ids.new_str(), "auth_code": code, "amount_fen": 100,
                    "unit_id": None, "subject": "物业费"}  # fmt: skip
            async with session.post(f"{hq.url}/api/v1/pay/scan", json=body, headers=auth) as r:
                answers[code] = await r.json()
        assert answers[wechat]["state"] == "success"
        state = answers[alipay]
        assert state["state"] == "paying"
        for _ in range(20):
            if state["state"] != "paying":
                break
            path = f"{hq.url}/api/v1/pay/scan/{state['payment_id']}/poll"
            async with session.post(path, headers=auth) as response:
                state = await response.json()
        assert state["state"] == "success"
        assert hq.wechat.charged() == 1 and hq.alipay.charged() == 1
        row = await hq.scan_row(state["payment_id"])
        assert row is not None and row["transaction_id"] == state["transaction_id"]
        assert hq.alipay.orders[out_trade_no(state["payment_id"])].charges == 1


async def test_the_simulator_refuses_a_request_with_a_bad_signature(tmp_path: Path) -> None:
    async with scan_hq(tmp_path) as hq, aiohttp.ClientSession() as session:
        body = "<xml><appid>x</appid><out_trade_no>1</out_trade_no><sign>BAD</sign></xml>"
        async with session.post(f"{hq.wechat.url}/pay/orderquery", data=body) as response:
            text = await response.text()
        assert "<return_code>FAIL</return_code>" in text
        form = {"app_id": "2021000000000001", "method": "alipay.trade.query", "sign": "QkFE"}
        async with session.post(hq.alipay.url, data=form) as response:
            answer = await response.json()
        assert answer["alipay_trade_query_response"]["sub_code"] == "isv.invalid-signature"
        assert hq.wechat.bad_requests == 1 and hq.alipay.bad_requests == 1
