"""A small demo community built once per session (building it takes a few seconds)."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import pytest

from feetui.demo import DemoOptions, DemoSummary, build_demo

AS_OF = date(2026, 11, 23)
SMALL = DemoOptions(as_of=AS_OF, units=60, seed=7, months=24)


def build_in_thread(path: Path, options: DemoOptions) -> DemoSummary:
    """Build a demo in a thread of its own, so its event loop never meets a test's loop."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, build_demo(path, options)).result()


@pytest.fixture(scope="session")
def small_demo(tmp_path_factory: pytest.TempPathFactory) -> DemoSummary:
    """A 60-unit demo with two years of history."""
    return build_in_thread(tmp_path_factory.mktemp("demo") / "demo.sqlite3", SMALL)
