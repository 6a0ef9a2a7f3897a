"""The OpenAPI document is true: every route is in it and real traffic matches it."""

from __future__ import annotations

from dataclasses import replace

from jsonschema import Draft202012Validator

from sync_server.openapi import openapi_document
from tests.server.helpers import Hq
from tests.server.openapi_check import CheckingClient, operations


def test_the_documents_schemas_are_valid_json_schema() -> None:
    document = openapi_document()
    assert document["openapi"].startswith("3.1")
    for schema in document["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)
    for operation in operations().values():
        for parameter in operation.spec.get("parameters", []):
            assert parameter.get("in", "query") in ("query", "path")
            Draft202012Validator.check_schema(parameter["schema"])


async def test_every_route_is_documented_and_every_documented_route_exists(hq: Hq) -> None:
    served = {
        (route.method, route.resource.canonical)
        for route in hq.client.app.router.routes()
        if route.method != "HEAD"
    }
    assert served == set(operations())


async def test_real_traffic_matches_the_document(hq: Hq) -> None:
    api = CheckingClient(hq.client)
    device = await hq.enroll()
    other = await hq.enroll(name="window-2")
    auth = device.auth()
    records = [device.payment(100), device.payment(200)]
    records += [
        device.record("cash_movement", shift_id="shift-1", kind="deposit", amount_fen=100,
                      reason="", slip_no="B-1", cashier_name="李收银"),
        device.record("shift_close", shift_id="shift-1", expected_fen=200, counted_fen=200),
    ]  # fmt: skip
    await api.request("GET", "/api/v1/health")
    await api.request("GET", "/api/v1/openapi.json")
    await api.request("GET", "/metrics")
    body = {"code": await hq.code(), "device_id": other.ids.new_str(), "name": "window-3"}
    assert (await api.request("POST", "/api/v1/enroll", json=body))[0] == 200
    assert (await api.request("POST", "/api/v1/enroll", json=body))[0] == 401
    assert (await api.request("POST", "/api/v1/push", json=device.body(records), headers=auth))[
        0
    ] == 200
    forged = replace(records[1], payload=records[1].payload | {"total_fen": 1})
    _, answer = await api.request(
        "POST", "/api/v1/push", json=device.body([records[0], forged]), headers=auth
    )
    assert [r["status"] for r in answer["results"]] == ["exists", "conflict"]
    await api.request("POST", "/api/v1/push", json=other.body([other.payment(1)]), headers=auth)
    await api.request(
        "POST", "/api/v1/push", json={"device_id": "x"}, headers=auth, request_valid=False
    )
    await api.request("POST", "/api/v1/push", json=device.body(records))
    huge = {"device_id": device.device_id, "records": [], "pad": "x" * (5 * 1024 * 1024)}
    await api.request("POST", "/api/v1/push", json=huge, headers=auth, request_valid=False)
    await api.request("GET", "/api/v1/pull", params={"cursor": "0", "limit": "5"}, headers=auth)
    await api.request(
        "GET", "/api/v1/pull", params={"cursor": "x"}, headers=auth, request_valid=False
    )
    await api.request("GET", "/api/v1/pull")
    token = await hq.user_token("boss")
    await api.request("POST", "/api/v1/login", json={"code": "boss", "password": "wrong"})
    await api.request("POST", "/api/v1/login", json={"code": "boss", "password": "pw-boss"})
    user = {"Authorization": f"Bearer {token}"}
    for path, params in [
        ("/api/v1/reports/daily", {"date": "2026-11-23"}),
        ("/api/v1/reports/collection-rate", {"period": "2026-11"}),
        (
            "/api/v1/reports/collection-rate",
            {"period": "2026-11", "as_of": "2026-11-30", "by": "fee_item"},
        ),
        ("/api/v1/reports/arrears", {"as_of": "2026-11-30"}),
        ("/api/v1/reports/exceptions", {"resolved": "true"}),
        ("/api/v1/reports/scanpay", {"date": "2026-11-23"}),
        ("/api/v1/reports/shifts", {"date": "2026-11-23"}),
    ]:
        for fmt in ("json", "csv", "xlsx"):
            assert (await api.request("GET", path, params=params | {"format": fmt}, headers=user))[
                0
            ] == 200
        await api.request("GET", path, params=params | {"site": "NOPE"}, headers=user)
        await api.request("GET", path, params=params, headers=auth)
    await api.request(
        "GET", "/api/v1/reports/daily", params={"date": "bad"}, headers=user, request_valid=False
    )
    assert api.problems == []
    statuses = {status for _m, _p, status in api.calls}
    assert statuses >= {200, 400, 401, 403, 404, 413}


async def test_scanned_payment_traffic_matches_the_document(scan) -> None:
    api = CheckingClient(scan.hq.client)
    auth = scan.device.auth()
    code = "134567890123451234"
    scan.wechat.script(code, "paying_then_timeout")
    body = scan.body(code, 100)
    status, state = await api.request("POST", "/api/v1/pay/scan", json=body, headers=auth)
    assert (status, state["state"]) == (200, "paying")
    poll = f"/api/v1/pay/scan/{body['payment_id']}/poll"
    cancel = f"/api/v1/pay/scan/{body['payment_id']}/cancel"
    assert (await api.request("POST", poll, headers=auth))[0] == 200
    assert (await api.request("POST", cancel, headers=auth))[1]["state"] == "cancelling"
    assert (await api.request("POST", "/api/v1/pay/scan", json=body, headers=auth))[0] == 200
    reused = body | {"amount_fen": 101}
    assert (await api.request("POST", "/api/v1/pay/scan", json=reused, headers=auth))[0] == 409
    bad = body | {"auth_code": "1"}
    await api.request("POST", "/api/v1/pay/scan", json=bad, headers=auth, request_valid=False)
    await api.request("POST", "/api/v1/pay/scan", json=scan.body(code, 0), headers=auth,
                      request_valid=False)  # fmt: skip
    unknown = f"/api/v1/pay/scan/{scan.new_id()}/poll"
    assert (await api.request("POST", unknown, headers=auth))[0] == 404
    await api.request("POST", poll)
    token = await scan.hq.user_token("boss")
    await api.request("POST", poll, headers={"Authorization": f"Bearer {token}"})
    assert api.problems == []
    assert {status for _, _, status in api.calls} >= {200, 400, 401, 403, 404, 409}
