"""Scanned-code payment providers: one adapter per provider behind :mod:`.base`."""
