"""Headquarters sync server (aiohttp)."""
