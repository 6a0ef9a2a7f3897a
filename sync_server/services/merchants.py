"""Each site's merchant accounts with the scanned-code providers, configured at HQ only.

A merchant row names the provider's gateway, the account ids and the *paths* of the key files on
HQ's disk (the WeChat API key, the Alipay app private key and Alipay's public key, the WeChat API
certificate). Keys are read from those files when a call is made; they never go into the
database, an answer or a log. The per-merchant times drive the state machine: how long a payer
may take (``time_limit_ms``), how soon after the charge a reversal may be sent
(``reverse_window_ms``: WeChat asks for at least 15 s), how often the counter polls
(``poll_ms``) and the deadline of one provider call (``timeout_ms``).
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import aiohttp

from sync_server.clock import iso
from sync_server.db.connection import Database, Row, Tx
from sync_server.errors import ApiError
from sync_server.providers.base import ScanProvider
from sync_server.services.auth import new_id

PROVIDERS = ("wechat", "alipay")
DEFAULT_GATEWAYS = {
    "wechat": "https://api.mch.weixin.qq.com",
    "alipay": "https://openapi.alipay.com/gateway.do",
}
DEFAULT_SIGN_TYPES = {"wechat": "MD5", "alipay": "RSA2"}


@dataclass(frozen=True, slots=True)
class Merchant:
    """One site's account with one provider (key files by path only)."""

    site_id: str
    provider: str
    gateway_url: str
    app_id: str
    mch_id: str = ""
    sign_type: str = ""
    key_file: str = ""
    """WeChat: the API key; Alipay: the app's RSA private key (PEM)."""
    provider_key_file: str = ""
    """Alipay: Alipay's RSA public key (PEM or bare base64)."""
    cert_file: str = ""
    """WeChat: the API client certificate (reverse needs it on the real gateway)."""
    cert_key_file: str = ""
    time_limit_ms: int = 60_000
    reverse_window_ms: int = 15_000
    poll_ms: int = 2_000
    timeout_ms: int = 10_000
    id: str = ""


def _not_configured(provider: str, detail: str = "") -> ApiError:
    return ApiError(
        409,
        "scanpay_not_configured",
        "this site has no usable {provider} merchant account" + (f" ({detail})" if detail else ""),
        provider=provider,
    )


def check_merchant(merchant: Merchant) -> None:
    """Refuse a merchant whose settings cannot work (before it is stored).

    Raises:
        ApiError: 400 ``bad_value`` naming the setting.
    """
    if merchant.provider not in PROVIDERS:
        raise ApiError(400, "bad_value", "provider must be wechat or alipay", field="provider")
    if not merchant.gateway_url.startswith(("https://", "http://")):
        raise ApiError(400, "bad_value", "the gateway must be an http(s) URL", field="gateway")
    needs = ["app_id", "key_file"]
    needs += ["mch_id"] if merchant.provider == "wechat" else ["provider_key_file"]
    for name in needs:
        if not getattr(merchant, name):
            raise ApiError(400, "missing_field", "missing setting {field}", field=name)
    if merchant.provider == "alipay" and merchant.sign_type not in ("", "RSA2"):
        raise ApiError(400, "bad_value", "Alipay calls are signed RSA2", field="sign_type")
    for name in ("time_limit_ms", "reverse_window_ms", "poll_ms", "timeout_ms"):
        if not 1 <= getattr(merchant, name) <= 600_000:
            raise ApiError(400, "bad_value", "{field} must be 1 to 600000 ms", field=name)
    load_provider(merchant, None)


async def add_merchant(db: Database, merchant: Merchant, *, site_code: str, now: datetime) -> str:
    """Configure (or replace) ``site_code``'s account with ``merchant.provider``.

    The key files are read once to prove they work; only their paths are stored.

    Returns:
        The merchant row's id.

    Raises:
        ApiError: 404 ``unknown_site``; 400 for a bad setting or an unreadable key.
    """
    check_merchant(merchant)
    at = iso(now)
    async with db.transaction() as tx:
        site_id = await tx.fetchval("SELECT id FROM sites WHERE code = ?", site_code)
        if site_id is None:
            raise ApiError(404, "unknown_site", "no site with code {site}", site=site_code)
        existing = await tx.fetchval(
            "SELECT id FROM scan_merchants WHERE site_id = ? AND provider = ?",
            site_id,
            merchant.provider,
        )
        values = (
            merchant.gateway_url,
            merchant.app_id,
            merchant.mch_id,
            merchant.sign_type or DEFAULT_SIGN_TYPES[merchant.provider],
            merchant.key_file,
            merchant.provider_key_file,
            merchant.cert_file,
            merchant.cert_key_file,
            merchant.time_limit_ms,
            merchant.reverse_window_ms,
            merchant.poll_ms,
            merchant.timeout_ms,
        )
        if existing is not None:
            await tx.execute(
                "UPDATE scan_merchants SET gateway_url = ?, app_id = ?, mch_id = ?, sign_type = ?,"
                " key_file = ?, provider_key_file = ?, cert_file = ?, cert_key_file = ?,"
                " time_limit_ms = ?, reverse_window_ms = ?, poll_ms = ?, timeout_ms = ?,"
                " updated_at = ? WHERE id = ?",
                *values,
                at,
                existing,
            )
            return str(existing)
        merchant_id = new_id()
        await tx.execute(
            "INSERT INTO scan_merchants (id, site_id, provider, gateway_url, app_id, mch_id,"
            " sign_type, key_file, provider_key_file, cert_file, cert_key_file, time_limit_ms,"
            " reverse_window_ms, poll_ms, timeout_ms, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            merchant_id,
            site_id,
            merchant.provider,
            *values,
            at,
            at,
        )
    return merchant_id


def merchant_from_row(row: Row) -> Merchant:
    """A :class:`Merchant` from its table row."""
    return Merchant(
        **{
            name: row[name]
            for name in Merchant.__dataclass_fields__  # type: ignore[attr-defined]
        }
    )


async def find_merchant(tx: Tx, *, site_id: str, provider: str) -> Merchant | None:
    """The site's account with ``provider``, or ``None``."""
    row = await tx.fetchrow(
        "SELECT * FROM scan_merchants WHERE site_id = ? AND provider = ?", site_id, provider
    )
    return None if row is None else merchant_from_row(row)


async def get_merchant(tx: Tx, merchant_id: str) -> Merchant:
    """The merchant of a stored scanned payment."""
    row = await tx.fetchrow("SELECT * FROM scan_merchants WHERE id = ?", merchant_id)
    assert row is not None, "scan_payments.merchant_id is a foreign key"
    return merchant_from_row(row)


async def list_merchants(db: Database) -> list[dict[str, object]]:
    """Every configured account, for ``sync-server scanpay list`` (paths, never keys)."""
    async with db.transaction() as tx:
        rows = await tx.fetch(
            "SELECT s.code AS site, m.provider, m.gateway_url, m.app_id, m.mch_id, m.sign_type,"
            " m.time_limit_ms, m.reverse_window_ms, m.poll_ms, m.timeout_ms"
            " FROM scan_merchants m JOIN sites s ON s.id = m.site_id ORDER BY s.code, m.provider"
        )
    return [dict(row) for row in rows]


def _read_text(path: str, what: str, provider: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        raise _not_configured(provider, f"cannot read the {what} file") from None


def _client_ssl(merchant: Merchant) -> ssl.SSLContext | None:
    if not merchant.cert_file:
        return None
    context = ssl.create_default_context()
    try:
        context.load_cert_chain(merchant.cert_file, merchant.cert_key_file or None)
    except (OSError, ssl.SSLError):
        raise _not_configured(merchant.provider, "cannot load the API certificate") from None
    return context


def load_provider(merchant: Merchant, session: aiohttp.ClientSession | None) -> ScanProvider:
    """The adapter of ``merchant``, its keys read from their files now.

    Raises:
        ApiError: 409 ``scanpay_not_configured`` when a key file cannot be read or parsed.
    """
    timeout_s = merchant.timeout_ms / 1000
    if merchant.provider == "wechat":
        from sync_server.providers.wechat import SIGN_TYPES, WechatProvider

        if merchant.sign_type and merchant.sign_type not in SIGN_TYPES:
            raise _not_configured("wechat", "sign type must be MD5 or HMAC-SHA256")
        return WechatProvider(
            session,  # type: ignore[arg-type]
            gateway_url=merchant.gateway_url,
            app_id=merchant.app_id,
            mch_id=merchant.mch_id,
            key=_read_text(merchant.key_file, "API key", "wechat"),
            sign_type=merchant.sign_type or "MD5",
            timeout_s=timeout_s,
            ssl_context=_client_ssl(merchant),
        )
    from sync_server.providers.alipay import AlipayProvider, KeyError_, load_keys

    try:
        private_key, public_key = load_keys(
            _read_text(merchant.key_file, "app private key", "alipay"),
            _read_text(merchant.provider_key_file, "Alipay public key", "alipay"),
        )
    except KeyError_:
        raise _not_configured("alipay", "a key file is not an RSA key") from None
    return AlipayProvider(
        session,  # type: ignore[arg-type]
        gateway_url=merchant.gateway_url,
        app_id=merchant.app_id,
        private_key=private_key,
        alipay_public_key=public_key,
        timeout_s=timeout_s,
    )


__all__ = [
    "DEFAULT_GATEWAYS",
    "PROVIDERS",
    "Merchant",
    "add_merchant",
    "check_merchant",
    "find_merchant",
    "get_merchant",
    "list_merchants",
    "load_provider",
    "merchant_from_row",
]
