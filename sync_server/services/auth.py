"""Who is calling: device tokens from enrolment, HQ users' login tokens, and what each may see.

A device is enrolled with a one-time code (24 h) made by ``sync-server enroll``; it keeps its own
UUIDv7 as its id and gets a bearer token, stored only as a SHA-256. Revoking clears the token. An HQ
user signs in with code and password for a short-lived token; ``admin`` sees every site, a
``site_manager`` the sites linked to them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from feetui.core.journal import GENESIS_HASH
from feetui.sync.protocol import EnrollRequest, EnrollResponse, LoginRequest
from sync_server.clock import iso
from sync_server.db.connection import Database, Tx
from sync_server.errors import ApiError, forbidden, unauthorized
from sync_server.security import (
    DEVICE_TOKEN_PREFIX,
    USER_TOKEN_PREFIX,
    new_enrollment_code,
    new_token,
    normalise_code,
    token_hash,
    verify_secret,
)

HQ_ROLES = ("admin", "site_manager")
ROLES = ("admin", "site_manager", "supervisor", "cashier")


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated caller: a device of one site, or an HQ user."""

    kind: str
    """``device`` or ``user``."""
    device_id: str | None = None
    site_id: str | None = None
    user_id: str | None = None
    role: str | None = None
    site_ids: tuple[str, ...] | None = None
    """Sites a user may see; ``None`` means every site (admin)."""

    def may_see(self, site_id: str) -> bool:
        """True when this caller may read ``site_id``'s data."""
        if self.kind == "device":
            return self.site_id == site_id
        return self.site_ids is None or site_id in self.site_ids


async def authenticate(db: Database, token: str, *, now: datetime) -> Principal | None:
    """The principal of a bearer token, or ``None`` when it is unknown, expired or revoked."""
    digest = token_hash(token)
    async with db.reading() as tx:
        if token.startswith(DEVICE_TOKEN_PREFIX):
            row = await tx.fetchrow(
                "SELECT id, site_id FROM devices WHERE token_hash = ? AND revoked_at IS NULL",
                digest,
            )
            return None if row is None else Principal("device", row["id"], row["site_id"])
        if token.startswith(USER_TOKEN_PREFIX):
            return await _user_principal(tx, digest, iso(now))
    return None


async def _user_principal(tx: Tx, digest: str, at: str) -> Principal | None:
    row = await tx.fetchrow(
        "SELECT u.id, u.role FROM user_tokens t JOIN users u ON u.id = t.user_id"
        " WHERE t.token_hash = ? AND t.expires_at > ? AND u.disabled_at IS NULL",
        digest,
        at,
    )
    if row is None:
        return None
    if row["role"] == "admin":
        return Principal("user", user_id=row["id"], role="admin")
    sites = await tx.fetch("SELECT site_id FROM user_sites WHERE user_id = ?", row["id"])
    site_ids = tuple(sorted(r["site_id"] for r in sites))
    return Principal("user", user_id=row["id"], role=row["role"], site_ids=site_ids)


async def create_enrollment_code(
    db: Database, *, site_code: str, name: str, now: datetime, hours: int
) -> tuple[str, datetime]:
    """A one-time code for enrolling a counter named ``name`` at the site ``site_code``.

    Returns:
        The code (shown once, stored hashed) and when it expires.

    Raises:
        ApiError: 404 ``unknown_site``.
    """
    code = new_enrollment_code()
    expires = now + timedelta(hours=hours)
    async with db.transaction() as tx:
        site_id = await tx.fetchval("SELECT id FROM sites WHERE code = ?", site_code)
        if site_id is None:
            raise ApiError(404, "unknown_site", "no site with code {site}", site=site_code)
        await tx.execute(
            "INSERT INTO enrollment_codes (code_hash, site_id, name, created_at, expires_at)"
            " VALUES (?, ?, ?, ?, ?)",
            token_hash(normalise_code(code)),
            site_id,
            name,
            iso(now),
            iso(expires),
        )
    return code, expires


async def enroll_device(db: Database, request: EnrollRequest, *, now: datetime) -> EnrollResponse:
    """Spend a one-time code: the device (its own id) gets a token for the code's site.

    A device enrolled before at the same site (after a revoke, or a lost token) gets a new token
    and keeps its acknowledged sequence; a device of another site is refused.

    Raises:
        ApiError: 401 ``bad_code`` (unknown, used or expired), 409 ``device_of_other_site``.
    """
    at = iso(now)
    token = new_token(DEVICE_TOKEN_PREFIX)
    async with db.transaction() as tx:
        # The UPDATE both checks and spends the code, so two enrolments cannot share it.
        row = await tx.fetchrow(
            "UPDATE enrollment_codes SET used_at = ?, device_id = ? WHERE code_hash = ?"
            " AND used_at IS NULL AND expires_at > ? RETURNING site_id",
            at,
            request.device_id,
            token_hash(normalise_code(request.code)),
            at,
        )
        if row is None:
            raise unauthorized("bad_code", "the enrolment code is unknown, used or expired")
        site = await tx.fetchrow("SELECT id, code, name FROM sites WHERE id = ?", row["site_id"])
        assert site is not None
        await _upsert_device(tx, request, site["id"], token_hash(token), at)
    return EnrollResponse(token, request.device_id, site["id"], site["code"], site["name"])


async def _upsert_device(
    tx: Tx, request: EnrollRequest, site_id: str, digest: str, at: str
) -> None:
    existing = await tx.fetchval("SELECT site_id FROM devices WHERE id = ?", request.device_id)
    if existing is not None and existing != site_id:
        raise ApiError(409, "device_of_other_site", "this device is enrolled at another site")
    if existing is None:
        await tx.execute(
            "INSERT INTO devices (id, site_id, name, token_hash, enrolled_at, ack_hash)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            request.device_id,
            site_id,
            request.name,
            digest,
            at,
            GENESIS_HASH,
        )
        return
    await tx.execute(
        "UPDATE devices SET name = ?, token_hash = ?, enrolled_at = ?, revoked_at = NULL"
        " WHERE id = ?",
        request.name,
        digest,
        at,
        request.device_id,
    )


async def revoke_device(db: Database, device_id: str, *, now: datetime) -> bool:
    """Revoke a device's token; its records stay. Returns False when no such enrolled device."""
    async with db.transaction() as tx:
        row = await tx.fetchrow(
            "UPDATE devices SET revoked_at = ?, token_hash = NULL WHERE id = ?"
            " AND revoked_at IS NULL RETURNING id",
            iso(now),
            device_id,
        )
    return row is not None


async def login(
    db: Database, request: LoginRequest, *, now: datetime, minutes: int
) -> dict[str, object]:
    """Check an HQ user's password and issue a short-lived token.

    Raises:
        ApiError: 401 ``bad_credentials`` (unknown, disabled, wrong password, no HQ role).
    """
    async with db.transaction() as tx:
        row = await tx.fetchrow(
            "SELECT id, role, password_hash FROM users WHERE code = ? AND disabled_at IS NULL",
            request.code,
        )
    # The slow hash runs outside the transaction, so a login never holds the database.
    ok = row is not None and row["role"] in HQ_ROLES
    if not (verify_secret(request.password, row["password_hash"] if row else None) and ok):
        raise unauthorized("bad_credentials", "wrong user code or password")
    assert row is not None
    token = new_token(USER_TOKEN_PREFIX)
    expires = now + timedelta(minutes=minutes)
    async with db.transaction() as tx:
        await tx.execute("DELETE FROM user_tokens WHERE expires_at <= ?", iso(now))
        await tx.execute(
            "INSERT INTO user_tokens (token_hash, user_id, created_at, expires_at)"
            " VALUES (?, ?, ?, ?)",
            token_hash(token),
            row["id"],
            iso(now),
            iso(expires),
        )
    return {"token": token, "expires_at": iso(expires), "role": row["role"]}


def require_device(principal: Principal) -> Principal:
    """The principal if it is a device, else 403 ``device_token_required``."""
    if principal.kind != "device":
        raise forbidden("device_token_required", "this endpoint is for enrolled counters")
    return principal


def require_user(principal: Principal) -> Principal:
    """The principal if it is an HQ user, else 403 ``user_token_required``."""
    if principal.kind != "user":
        raise forbidden("user_token_required", "this endpoint is for headquarters users")
    return principal


def new_id() -> str:
    """A fresh id for rows made at HQ (sites, users, units ...)."""
    return str(uuid.uuid4())


__all__ = [
    "HQ_ROLES",
    "ROLES",
    "Principal",
    "authenticate",
    "create_enrollment_code",
    "enroll_device",
    "login",
    "new_id",
    "require_device",
    "require_user",
    "revoke_device",
]
