"""Master data owned by headquarters: sites and users. Every change also goes to the change log.

Counters receive sites and the users of their site who sign in at a counter (cashiers and
supervisors, with PIN hashes and roles); HQ-only users (admin, site manager) never leave HQ.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime

from feetui.core.errors import FeeError
from feetui.core.master_data import check_site
from feetui.core.pin import check_pin_format, hash_pin
from sync_server.clock import iso
from sync_server.db.connection import Database, Tx
from sync_server.errors import ApiError
from sync_server.security import hash_secret
from sync_server.services.auth import HQ_ROLES, ROLES, new_id
from sync_server.services.changes import append_change


@dataclass(frozen=True, slots=True)
class NewUser:
    """A user to add: HQ roles need a password, counter roles a PIN (hashed as the counter
    verifies it, :mod:`feetui.core.pin`)."""

    code: str
    name: str
    role: str
    sites: tuple[str, ...] = ()
    """Site codes the user belongs to (ignored for admin)."""
    password: str | None = None
    pin: str | None = None


async def add_site(db: Database, *, code: str, name: str, now: datetime) -> str:
    """Create a site; returns its id.

    The code and name pass :func:`feetui.core.master_data.check_site`, as a standalone
    counter's ``feetui sites add`` does.

    Raises:
        ApiError: 400 ``bad_value`` for a bad code or name, 409 ``site_exists``.
    """
    try:
        code, name = check_site(code, name)
    except FeeError as error:
        raise ApiError(400, "bad_value", error.message, **error.params) from None
    site_id = new_id()
    at = iso(now)
    async with db.transaction() as tx:
        if await tx.fetchval("SELECT 1 FROM sites WHERE code = ?", code):
            raise ApiError(409, "site_exists", "a site with code {code} exists", code=code)
        await tx.execute(
            "INSERT INTO sites (id, code, name, created_at) VALUES (?, ?, ?, ?)",
            site_id,
            code,
            name,
            at,
        )
        data = {"id": site_id, "code": code, "name": name}
        await append_change(tx, site_id=site_id, entity="site", entity_id=site_id, data=data, at=at)
    return site_id


async def add_user(db: Database, user: NewUser, *, now: datetime) -> str:
    """Create a user; returns its id.

    Raises:
        ApiError: 400 ``bad_role`` / ``password_required`` / ``pin_required``, 404
            ``unknown_site``, 409 ``user_exists``.
    """
    _check_user(user)
    password_hash = hash_secret(user.password) if user.password else None
    pin_hash = hash_pin(user.pin, salt=os.urandom(16)) if user.pin else None
    user_id, at = new_id(), iso(now)
    async with db.transaction() as tx:
        if await tx.fetchval("SELECT 1 FROM users WHERE code = ?", user.code):
            raise ApiError(409, "user_exists", "a user with code {code} exists", code=user.code)
        site_ids = [await _site_id(tx, code) for code in user.sites]
        await tx.execute(
            "INSERT INTO users (id, code, name, role, password_hash, pin_hash, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            user_id, user.code, user.name, user.role, password_hash, pin_hash, at,
        )  # fmt: skip
        for site_id in site_ids:
            await tx.execute(
                "INSERT INTO user_sites (user_id, site_id) VALUES (?, ?)", user_id, site_id
            )
        await _publish_user(tx, user_id, at)
    return user_id


def _check_user(user: NewUser) -> None:
    if user.role not in ROLES:
        raise ApiError(400, "bad_role", "role must be one of {roles}", roles=", ".join(ROLES))
    if user.role in HQ_ROLES and not user.password:
        raise ApiError(400, "password_required", "HQ users need a password")
    if user.role not in HQ_ROLES and not user.pin:
        raise ApiError(400, "pin_required", "counter users need a PIN")
    if user.role != "admin" and not user.sites:
        raise ApiError(400, "site_required", "name at least one site for this user")
    if user.pin:
        try:
            check_pin_format(user.pin)
        except FeeError as error:
            raise ApiError(400, error.code, str(error), **error.params) from None


async def _site_id(tx: Tx, code: str) -> str:
    site_id = await tx.fetchval("SELECT id FROM sites WHERE code = ?", code)
    if site_id is None:
        raise ApiError(404, "unknown_site", "no site with code {site}", site=code)
    return str(site_id)


async def disable_user(db: Database, *, code: str, now: datetime) -> bool:
    """Disable a user (their tokens stop working; counters learn it by pull)."""
    at = iso(now)
    async with db.transaction() as tx:
        row = await tx.fetchrow(
            "UPDATE users SET disabled_at = ? WHERE code = ? AND disabled_at IS NULL RETURNING id",
            at,
            code,
        )
        if row is None:
            return False
        await tx.execute("DELETE FROM user_tokens WHERE user_id = ?", row["id"])
        await _publish_user(tx, row["id"], at)
    return True


async def _publish_user(tx: Tx, user_id: str, at: str) -> None:
    """Send a counter user (cashier, supervisor) to each of their sites' counters."""
    row = await tx.fetchrow(
        "SELECT id, code, name, role, pin_hash, disabled_at FROM users WHERE id = ?", user_id
    )
    assert row is not None
    if row["role"] in HQ_ROLES:
        return
    data = {
        "id": row["id"],
        "code": row["code"],
        "name": row["name"],
        "role": row["role"],
        "pin_hash": row["pin_hash"],
        "disabled": row["disabled_at"] is not None,
    }
    sites = await tx.fetch("SELECT site_id FROM user_sites WHERE user_id = ?", user_id)
    for site in sites:
        await append_change(
            tx, site_id=site["site_id"], entity="user", entity_id=user_id, data=data, at=at
        )


__all__ = ["NewUser", "add_site", "add_user", "disable_user"]
