"""Alipay face-to-face payment (当面付, bar code): alipay.trade.pay, .query and .cancel.

A request is a form POST to the gateway: public parameters (``app_id``, ``method``, ``format``,
``charset``, ``sign_type=RSA2``, ``timestamp``, ``version``) and the call's own ``biz_content``
(JSON). ``sign`` is SHA256withRSA (RSA2), with the app's private key, over every non-empty
parameter but ``sign``, sorted by name and joined as ``key=value&...``, in base64. The answer is
JSON ``{"<method>_response": {...}, "sign": "..."}``; Alipay signs the exact text of the
``..._response`` object with its own key, so we verify that text as it came, with Alipay's public
key. An answer that does not verify is never believed.

``code`` 10000 is success, 10003 "waiting for the payer", 20000 an unknown outcome, 40004 a
business failure named by ``sub_code``.
"""

from __future__ import annotations

import base64
import json
import logging
from datetime import datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from feetui.core.money import Money
from sync_server.clock import utc_now
from sync_server.providers import base
from sync_server.providers.base import PayOrder, ProviderAnswer
from sync_server.providers.http import post

log = logging.getLogger(__name__)
BEIJING = ZoneInfo("Asia/Shanghai")

PAY_FAILURES = {
    "ACQ.PAYMENT_AUTH_CODE_INVALID": "code_invalid",
    "ACQ.BUYER_BALANCE_NOT_ENOUGH": "insufficient_funds",
    "ACQ.BUYER_BANKCARD_BALANCE_NOT_ENOUGH": "insufficient_funds",
    "ACQ.PULL_MOBILE_CASHIER_FAIL": "code_invalid",
    "ACQ.TRADE_HAS_CLOSE": "closed",
    "ACQ.BUYER_ENABLE_STATUS_FORBID": "provider_refused",
    "ACQ.BUYER_PAYMENT_AMOUNT_DAY_LIMIT_ERROR": "provider_refused",
    "ACQ.ERROR_BUYER_CERTIFY_LEVEL_LIMIT": "provider_refused",
    "ACQ.PAYMENT_FAIL": "payment_error",
    "ACQ.TOTAL_FEE_EXCEED": "provider_refused",
    "ACQ.INVALID_PARAMETER": "provider_error",
    "ACQ.ACCESS_FORBIDDEN": "provider_error",
    "ACQ.EXIST_FORBIDDEN_WORD": "provider_error",
    "ACQ.PARTNER_ERROR": "provider_error",
    "ACQ.CONTEXT_INCONSISTENT": "provider_error",
}
QUERY_STATES = {
    "TRADE_SUCCESS": base.SUCCESS,
    "TRADE_FINISHED": base.SUCCESS,
    "WAIT_BUYER_PAY": base.PAYING,
    "TRADE_CLOSED": base.CLOSED,
}


class KeyError_(ValueError):
    """A key file that is not an RSA key."""


@lru_cache(maxsize=16)
def load_keys(private_text: str, public_text: str) -> tuple[rsa.RSAPrivateKey, rsa.RSAPublicKey]:
    """The app's private key (PEM) and Alipay's public key (PEM or bare base64).

    Cached by the files' text: loading checks the RSA key, which costs tens of milliseconds, and
    every request reads the files (a changed file is a new entry).

    Raises:
        KeyError_: either is not an RSA key.
    """
    if "-----BEGIN" not in public_text:
        body = "".join(public_text.split())
        lines = [body[i : i + 64] for i in range(0, len(body), 64)]
        public_text = "\n".join(["-----BEGIN PUBLIC KEY-----", *lines, "-----END PUBLIC KEY-----"])
    if "-----BEGIN" not in private_text:
        body = "".join(private_text.split())
        lines = [body[i : i + 64] for i in range(0, len(body), 64)]
        private_text = "\n".join(
            ["-----BEGIN PRIVATE KEY-----", *lines, "-----END PRIVATE KEY-----"]
        )
    try:
        private = serialization.load_pem_private_key(private_text.encode(), None)
        public = serialization.load_pem_public_key(public_text.encode())
    except (ValueError, TypeError, UnsupportedAlgorithm):
        raise KeyError_("not an RSA key") from None
    if not isinstance(private, rsa.RSAPrivateKey) or not isinstance(public, rsa.RSAPublicKey):
        raise KeyError_("not an RSA key")
    return private, public


def signing_text(params: dict[str, str]) -> bytes:
    """What RSA2 signs: non-empty parameters but ``sign``, sorted, ``key=value`` joined by ``&``."""
    return "&".join(f"{k}={params[k]}" for k in sorted(params) if k != "sign" and params[k]).encode(
        "utf-8"
    )


def sign(params: dict[str, str], private_key: rsa.RSAPrivateKey) -> str:
    """The base64 RSA2 signature of a request."""
    signature = private_key.sign(signing_text(params), padding.PKCS1v15(), hashes.SHA256())
    return base64.b64encode(signature).decode()


def raw_member(text: str, name: str) -> str | None:
    """The exact text of the top-level JSON object member ``name`` (what Alipay signed)."""
    key = json.dumps(name)
    start = text.find(key)
    if start < 0:
        return None
    index = text.find("{", start + len(key))
    if index < 0 or text[start + len(key) : index].strip() != ":":
        return None
    depth, in_string, escaped = 0, False, False
    for position in range(index, len(text)):
        char = text[position]
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return text[index : position + 1]
    return None


def verify_answer(text: str, method: str, public_key: rsa.RSAPublicKey) -> dict[str, Any] | None:
    """The ``..._response`` object of an answer if its signature verifies, else ``None``."""
    try:
        document = json.loads(text)
    except ValueError:
        return None
    name = method.replace(".", "_") + "_response"
    raw = raw_member(text, name)
    claimed = document.get("sign") if isinstance(document, dict) else None
    if raw is None or not isinstance(claimed, str):
        return None
    try:
        public_key.verify(
            base64.b64decode(claimed, validate=True),
            raw.encode("utf-8"),
            padding.PKCS1v15(),
            hashes.SHA256(),
        )
    except (InvalidSignature, ValueError):
        return None
    inner = json.loads(raw)
    return inner if isinstance(inner, dict) else None


def yuan_to_fen(text: Any) -> int | None:
    """``"12.34"`` → 1234 exactly (no float); ``None`` when it is not such an amount."""
    if not isinstance(text, str):
        return None
    whole, dot, frac = text.partition(".")
    if not whole.isascii() or not whole.isdigit() or len(frac) > 2 or (dot and not frac.isdigit()):
        return None
    return int(whole) * 100 + int((frac + "00")[:2])


def parse_time(text: Any) -> datetime | None:
    """``yyyy-MM-dd HH:mm:ss`` (Beijing time) as an aware instant."""
    try:
        return datetime.strptime(str(text), "%Y-%m-%d %H:%M:%S").replace(tzinfo=BEIJING)
    except ValueError:
        return None


class AlipayProvider:
    """One Alipay app (``app_id``) charging payment codes.

    Args:
        session: the HTTP client session.
        gateway_url: ``https://openapi.alipay.com/gateway.do`` (or a simulator).
        app_id: the app's id.
        private_key: the app's RSA private key.
        alipay_public_key: Alipay's RSA public key (verifies answers).
        timeout_s: deadline of one call.
    """

    name = "alipay"

    def __init__(
        self,
        session: aiohttp.ClientSession,
        *,
        gateway_url: str,
        app_id: str,
        private_key: rsa.RSAPrivateKey,
        alipay_public_key: rsa.RSAPublicKey,
        timeout_s: float = 10.0,
    ) -> None:
        self._session = session
        self._gateway = gateway_url
        self._app_id = app_id
        self._private = private_key
        self._public = alipay_public_key
        self._timeout = timeout_s

    def __repr__(self) -> str:
        return f"AlipayProvider(app_id={self._app_id!r}, gateway={self._gateway!r})"

    async def _call(self, method: str, biz: dict[str, Any]) -> tuple[dict[str, Any] | None, str]:
        """Send a signed call; the verified ``..._response`` object, or ``None`` and why not."""
        params = {
            "app_id": self._app_id,
            "method": method,
            "format": "JSON",
            "charset": "utf-8",
            "sign_type": "RSA2",
            "timestamp": utc_now().astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S"),
            "version": "1.0",
            "biz_content": json.dumps(biz, ensure_ascii=False, separators=(",", ":")),
        }
        params["sign"] = sign(params, self._private)
        reply = await post(
            self._session,
            self._gateway,
            data=params,
            headers={"Accept": "application/json"},
            timeout_s=self._timeout,
        )
        if reply is None:
            return None, "no_answer"
        if reply.status != 200:
            return None, f"http_{reply.status}"
        try:
            text = reply.body.decode("utf-8")
        except UnicodeDecodeError:
            return None, "bad_body"
        inner = verify_answer(text, method, self._public)
        if inner is None:
            return None, "bad_signature"
        return inner, "ok"

    @staticmethod
    def _untrusted(why: str) -> ProviderAnswer:
        if why == "bad_signature":
            return base.bad_signature()
        return base.unknown(why, untrusted=why == "bad_body")

    @staticmethod
    def _code(inner: dict[str, Any]) -> str:
        return str(inner.get("sub_code") or inner.get("code") or "")

    def _paid(self, inner: dict[str, Any], order_no: str, time_key: str) -> ProviderAnswer:
        if inner.get("out_trade_no") != order_no or not inner.get("trade_no"):
            return base.unknown("foreign_order", untrusted=True)
        return ProviderAnswer(
            base.SUCCESS,
            code=str(inner.get("code", "")),
            transaction_id=str(inner["trade_no"]),
            paid_at=parse_time(inner.get(time_key)),
            amount_fen=yuan_to_fen(inner.get("total_amount")),
        )

    async def pay(self, order: PayOrder) -> ProviderAnswer:
        """alipay.trade.pay with scene ``bar_code``."""
        biz = {
            "out_trade_no": order.out_trade_no,
            "scene": "bar_code",
            "auth_code": order.auth_code,
            "product_code": "FACE_TO_FACE_PAYMENT",
            "subject": order.subject,
            "total_amount": Money(order.amount_fen).yuan_text(),
        }
        inner, why = await self._call("alipay.trade.pay", biz)
        if inner is None:
            return self._untrusted(why)
        code, sub = str(inner.get("code", "")), str(inner.get("sub_code", ""))
        if code == "10000":
            return self._paid(inner, order.out_trade_no, "gmt_payment")
        if code == "10003":
            return ProviderAnswer(base.PAYING, code=code)
        if sub == "ACQ.TRADE_HAS_SUCCESS":
            return ProviderAnswer(base.ALREADY_PAID, code=sub)
        if code == "40004" and sub in PAY_FAILURES:
            return ProviderAnswer(base.FAILED, code=sub, reason=PAY_FAILURES[sub])
        # 20000, ACQ.SYSTEM_ERROR and anything unexpected: the outcome is not known.
        return base.unknown(self._code(inner))

    async def query(self, out_trade_no: str) -> ProviderAnswer:
        """alipay.trade.query."""
        inner, why = await self._call("alipay.trade.query", {"out_trade_no": out_trade_no})
        if inner is None:
            return self._untrusted(why)
        code, sub = str(inner.get("code", "")), str(inner.get("sub_code", ""))
        if code != "10000":
            if sub == "ACQ.TRADE_NOT_EXIST":
                return ProviderAnswer(base.NOT_FOUND, code=sub)
            return base.unknown(self._code(inner))
        status = str(inner.get("trade_status", ""))
        outcome = QUERY_STATES.get(status, base.UNKNOWN)
        if outcome == base.SUCCESS:
            return self._paid(inner, out_trade_no, "send_pay_date")
        return ProviderAnswer(
            outcome, code=status, reason="closed" if outcome == base.CLOSED else None
        )

    async def reverse(self, out_trade_no: str) -> ProviderAnswer:
        """alipay.trade.cancel: closes an unpaid trade, refunds a paid one."""
        inner, why = await self._call("alipay.trade.cancel", {"out_trade_no": out_trade_no})
        if inner is None:
            return ProviderAnswer(base.REVERSE_RETRY, code=why, untrusted=True)
        code, sub = str(inner.get("code", "")), str(inner.get("sub_code", ""))
        if inner.get("retry_flag") == "Y":
            return ProviderAnswer(base.REVERSE_RETRY, code=self._code(inner))
        if code == "10000" or sub == "ACQ.TRADE_NOT_EXIST":
            return ProviderAnswer(base.REVERSED, code=self._code(inner) or code)
        if sub in ("ACQ.TRADE_STATUS_ERROR", "ACQ.REASON_TRADE_BEEN_FREEZEN"):
            return ProviderAnswer(base.NOT_REVERSIBLE, code=sub)
        return ProviderAnswer(base.REVERSE_RETRY, code=self._code(inner))


__all__ = [
    "AlipayProvider",
    "KeyError_",
    "load_keys",
    "raw_member",
    "sign",
    "signing_text",
    "verify_answer",
    "yuan_to_fen",
]
