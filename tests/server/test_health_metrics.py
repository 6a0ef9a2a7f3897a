"""Health and metrics answer without a token; metrics count requests, pushes and conflicts."""

from __future__ import annotations

from dataclasses import replace

from tests.server.helpers import Hq


async def test_health_answers_without_a_token(hq: Hq) -> None:
    response = await hq.client.get("/api/v1/health")
    assert response.status == 200
    assert (await response.json())["status"] == "ok"


async def test_metrics_count_pushes_records_and_conflicts(hq: Hq) -> None:
    device = await hq.enroll()
    records = [device.payment(100), device.payment(200)]
    await hq.push(device, records)
    forged = replace(records[0], payload=records[0].payload | {"total_fen": 5})
    await hq.push(device, [forged, records[1]])
    response = await hq.client.get("/metrics")
    assert response.status == 200
    assert response.content_type == "text/plain"
    lines = set((await response.text()).splitlines())
    assert "feetui_pushes_total 2" in lines
    assert 'feetui_records_applied_total{status="created"} 2' in lines
    assert 'feetui_records_applied_total{status="exists"} 1' in lines
    assert "feetui_conflicts_total 1" in lines
    assert 'feetui_http_requests_total{route="push",status="200"} 2' in lines
