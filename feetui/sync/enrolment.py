"""Enrolment: a one-time code from headquarters becomes this counter's stored device token.

The counter sends its own device id (made with its database, so its journal chain keeps it) and
its name; HQ answers with a token and the site. The site row is written locally (the counter's
master data starts with it) and the device row keeps the server URL, the token and the site, in
one transaction after HQ answered.
"""

from __future__ import annotations

from datetime import UTC, datetime

from tortoise.transactions import in_transaction

from feetui.core.errors import N_, IntegrityError_
from feetui.db.models import Device, Site
from feetui.sync.client import SyncClient, Timeouts
from feetui.sync.protocol import EnrollRequest, EnrollResponse


async def enroll_device(
    *,
    server: str,
    code: str,
    name: str | None = None,
    now: datetime | None = None,
    timeouts: Timeouts | None = None,
    ca_file: str = "",
) -> dict[str, str]:
    """Spend ``code`` at ``server`` and store the token.

    Args:
        server: headquarters' base URL.
        code: the one-time enrolment code.
        name: the counter's name for HQ; the device row's name when omitted.
        now: the enrolment time (the system clock by default).
        timeouts: HTTP timeouts.
        ca_file: PEM file of the authorities trusted for HTTPS (``server_ca``).

    Returns:
        ``name``, ``site_name``, ``site_code`` and ``device_id``, for the message to print.

    Raises:
        SyncError: HQ could not be reached or refused the code.
        IntegrityError_: ``enrolment_mismatch`` when HQ answered for another device.
    """
    device = await Device.all().order_by("created_at").first()
    assert device is not None, "open_db makes the device row"
    counter_name = (name or device.name).strip() or device.name
    async with SyncClient(server, timeouts=timeouts, ca_file=ca_file) as client:
        answer = await client.enroll(EnrollRequest(code.strip(), device.id, counter_name))
    if answer.device_id != device.id:
        raise IntegrityError_(
            "enrolment_mismatch",
            N_("Headquarters answered for another device ({device_id}): nothing was stored."),
            device_id=answer.device_id,
        )
    await _store(device.id, server, counter_name, answer, now or datetime.now(UTC))
    return {
        "name": counter_name,
        "site_name": answer.site_name,
        "site_code": answer.site_code,
        "device_id": device.id,
    }


async def _store(
    device_id: str, server: str, name: str, answer: EnrollResponse, now: datetime
) -> None:
    """The site row and the device's token, together."""
    async with in_transaction() as conn:
        clash = await Site.filter(code=answer.site_code).exclude(id=answer.site_id).using_db(conn)
        for site in clash:
            # A site made while standalone under the same code steps aside for HQ's.
            await (
                Site.filter(id=site.id)
                .using_db(conn)
                .update(code=f"{site.code}~{site.id[-6:]}"[:32])
            )
        values = {"code": answer.site_code, "name": answer.site_name}
        if not await Site.filter(id=answer.site_id).using_db(conn).update(**values):
            await Site.create(using_db=conn, id=answer.site_id, **values)
        await (
            Device.filter(id=device_id)
            .using_db(conn)
            .update(
                name=name,
                server_url=server.rstrip("/"),
                sync_token=answer.token,
                enrolled_at=now,
                site_id=answer.site_id,
            )
        )


__all__ = ["enroll_device"]
