"""The demo community (seeded): master data, bills and a payment history that keeps every
invariant real payments keep, written in bulk. ``feetui demo-data`` is its command."""

from __future__ import annotations

from feetui.demo.build import DemoOptions, DemoSummary, build_demo, check_options

__all__ = ["DemoOptions", "DemoSummary", "build_demo", "check_options"]
