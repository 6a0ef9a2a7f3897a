"""Typed keys of the application and of each request."""

from __future__ import annotations

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

__all__ = ["CLOCK", "DB", "METRICS", "PRINCIPAL", "SETTINGS"]
