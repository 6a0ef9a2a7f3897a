"""The device row made with a new database: this counter's id and first receipt series.

The device id is a UUIDv7 made here, on the counter, so the journal chain keeps its device id when
the counter later enrols with headquarters.
"""

from __future__ import annotations

from tortoise.transactions import in_transaction

from feetui.clock import Clock, IdSource
from feetui.db.models import Device, ReceiptSeries, SyncState

FIRST_RECEIPT_NO = 1
LAST_RECEIPT_NO = 99_999_999


async def ensure_device(*, clock: Clock, ids: IdSource, name: str) -> str:
    """Return this counter's device id, making the device row on a new database.

    A new device also gets its first receipt series (prefix: the last four hex digits of its id,
    which are random, so two counters of one site print different numbers) and its sync state row.

    Args:
        clock: when the device is made.
        ids: where the new device's id comes from.
        name: the device's name for people.

    Returns:
        The device id.
    """
    existing = await Device.all().order_by("created_at").first()
    if existing is not None:
        return existing.id
    async with in_transaction():
        device_id = ids.new_str()
        created_at = clock.now()
        await Device.create(id=device_id, name=name, created_at=created_at)
        await ReceiptSeries.create(
            id=ids.new_str(),
            device_id=device_id,
            prefix=device_id[-4:].upper(),
            first_no=FIRST_RECEIPT_NO,
            last_no=LAST_RECEIPT_NO,
            created_at=created_at,
        )
        await SyncState.create(id=1)
    return device_id


__all__ = ["ensure_device"]
