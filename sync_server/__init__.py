"""Headquarters sync server (aiohttp): enrolment, push, pull, reports."""

__version__ = "0.1.0"
