"""Typed keys of the application and of each request."""

from __future__ import annotations

import aiohttp
from aiohttp import web

from sync_server.clock import Clock
from sync_server.db.connection import Database
from sync_server.metrics import Metrics
from sync_server.services.auth import Principal
from sync_server.settings import Settings

SETTINGS = web.AppKey("settings", Settings)
DB = web.AppKey("db", Database)
METRICS = web.AppKey("metrics", Metrics)
CLOCK = web.AppKey("clock", Clock)
PRINCIPAL = web.RequestKey("principal", Principal)
SCAN_HTTP = web.AppKey("scan_http", aiohttp.ClientSession)
"""The HTTP client session of the scanned-code provider adapters."""

__all__ = ["CLOCK", "DB", "METRICS", "PRINCIPAL", "SCAN_HTTP", "SETTINGS"]
