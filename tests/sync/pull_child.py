"""A counter process that pulls page by page, saying "applying" before each page's transaction
and "applied <cursor>" after its commit (for R12's kill test). Usage:

    python -m tests.sync.pull_child DB_PATH LIMIT
"""

from __future__ import annotations

import asyncio
import sys

from feetui.clock import SystemClock
from feetui.db.connection import close_db, open_db
from feetui.sync.client import SyncClient
from feetui.sync.puller import apply_page, get_pull_state
from feetui.sync.service import find_target


async def main(db_path: str, limit: int) -> None:
    db = await open_db(db_path)
    try:
        target = await find_target("")
        assert target is not None
        async with SyncClient(target.server, target.token) as client:
            while True:
                state = await get_pull_state()
                page = await client.pull(state.cursor, limit)
                print("applying", flush=True)
                await apply_page(page, device_id=db.device_id, now=SystemClock().now())
                print(f"applied {page.next_cursor}", flush=True)
                if not page.more:
                    break
    finally:
        await close_db(db)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2])))
