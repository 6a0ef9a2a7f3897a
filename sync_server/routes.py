"""Every route of the server, named (the auth middleware and the OpenAPI test use the names)."""

from __future__ import annotations

from aiohttp import web

from feetui.sync.protocol import API_PREFIX
from sync_server.handlers import auth, enroll, health, pull, push, reports, scanpay


def setup_routes(app: web.Application) -> None:
    """Add the API's routes to ``app``."""
    p = API_PREFIX
    app.router.add_get(f"{p}/health", health.health, name="health", allow_head=False)
    app.router.add_get("/metrics", health.metrics, name="metrics", allow_head=False)
    app.router.add_get(f"{p}/openapi.json", health.openapi, name="openapi", allow_head=False)
    app.router.add_post(f"{p}/enroll", enroll.enroll, name="enroll")
    app.router.add_post(f"{p}/login", auth.login, name="login")
    app.router.add_post(f"{p}/push", push.push, name="push")
    app.router.add_get(f"{p}/pull", pull.pull, name="pull", allow_head=False)
    app.router.add_post(f"{p}/pay/scan", scanpay.scan, name="pay_scan")
    app.router.add_post(f"{p}/pay/scan/{{payment_id}}/poll", scanpay.poll, name="pay_scan_poll")
    app.router.add_post(
        f"{p}/pay/scan/{{payment_id}}/cancel", scanpay.cancel, name="pay_scan_cancel"
    )
    for path, handler in (
        ("daily", reports.daily),
        ("collection-rate", reports.collection_rate),
        ("arrears", reports.arrears),
        ("exceptions", reports.exceptions),
        ("shifts", reports.shifts),
        ("scanpay", reports.scanpay),
    ):
        name = "report_" + path.replace("-", "_")
        app.router.add_get(f"{p}/reports/{path}", handler, name=name, allow_head=False)


__all__ = ["setup_routes"]
