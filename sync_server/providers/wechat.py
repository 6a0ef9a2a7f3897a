"""WeChat Pay v2 payment-code API (付款码支付): micropay, orderquery, reverse.

Requests and answers are flat XML documents (``<xml><key>value</key>...</xml>``). Each carries a
random ``nonce_str`` and a ``sign``: the non-empty parameters other than ``sign`` sorted by name,
joined as ``key=value&...``, then ``&key=<API key>``, hashed with MD5 or HMAC-SHA256 (keyed with
the API key) and written in upper-case hex. ``return_code`` says whether the call itself went
through; ``result_code``/``err_code`` say what happened to the order. An answer whose ``sign``
does not verify is never believed (``untrusted``), whatever it says.

Reverse needs the merchant's API certificate (mutual TLS) on the real gateway: ``cert_file`` and
``cert_key_file`` of the merchant, when set, are loaded into the client TLS context.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import ssl
from datetime import datetime
from xml.etree import ElementTree
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

import aiohttp

from sync_server.providers import base
from sync_server.providers.base import PayOrder, ProviderAnswer
from sync_server.providers.http import post

log = logging.getLogger(__name__)
BEIJING = ZoneInfo("Asia/Shanghai")
SIGN_TYPES = ("MD5", "HMAC-SHA256")
BODY_BYTES = 128

# err_code of micropay that say for sure the payer was not charged, and our reason for each.
PAY_FAILURES = {
    "AUTHCODEEXPIRE": "code_expired",
    "AUTH_CODE_INVALID": "code_invalid",
    "AUTH_CODE_ERROR": "code_invalid",
    "NOTENOUGH": "insufficient_funds",
    "NOTSUPORTCARD": "card_not_supported",
    "BUYER_MISMATCH": "code_invalid",
    "ORDERCLOSED": "closed",
    "ORDERREVERSED": "closed",
    "TRADE_ERROR": "provider_refused",
    "PARAM_ERROR": "provider_error",
    "NOAUTH": "provider_error",
    "LACK_PARAMS": "provider_error",
    "APPID_MCHID_NOT_MATCH": "provider_error",
    "INVALID_REQUEST": "provider_error",
    "XML_FORMAT_ERROR": "provider_error",
    "REQUIRE_POST_METHOD": "provider_error",
    "SIGNERROR": "provider_error",
}
# trade_state of orderquery.
QUERY_STATES = {
    "SUCCESS": base.SUCCESS,
    "REFUND": base.SUCCESS,
    "USERPAYING": base.PAYING,
    "NOTPAY": base.PAYING,
    "CLOSED": base.CLOSED,
    "REVOKED": base.CLOSED,
    "PAYERROR": base.FAILED,
}


def sign(params: dict[str, str], key: str, sign_type: str = "MD5") -> str:
    """The ``sign`` of ``params`` (every non-empty parameter but ``sign`` itself)."""
    text = "&".join(f"{k}={params[k]}" for k in sorted(params) if k != "sign" and params[k] != "")
    data = f"{text}&key={key}".encode()
    if sign_type == "HMAC-SHA256":
        return hmac.new(key.encode(), data, hashlib.sha256).hexdigest().upper()
    if sign_type == "MD5":
        return hashlib.md5(data).hexdigest().upper()
    raise ValueError(f"unknown sign_type {sign_type}")


def verify(params: dict[str, str], key: str, sign_type: str) -> bool:
    """True when ``params["sign"]`` is the right signature (compared in constant time)."""
    claimed = params.get("sign", "")
    return bool(claimed) and hmac.compare_digest(claimed, sign(params, key, sign_type))


def to_xml(params: dict[str, str]) -> bytes:
    """A flat ``<xml>`` document of ``params``."""
    inner = "".join(f"<{k}>{escape(v)}</{k}>" for k, v in params.items())
    return f"<xml>{inner}</xml>".encode()


def from_xml(body: bytes) -> dict[str, str] | None:
    """The flat parameters of an ``<xml>`` answer, or ``None`` when it is not one.

    A document with a DOCTYPE or entity declaration is refused before parsing.
    """
    if b"<!DOCTYPE" in body.upper() or b"<!ENTITY" in body.upper():
        return None
    try:
        root = ElementTree.fromstring(body)
    except ElementTree.ParseError:
        return None
    if root.tag != "xml":
        return None
    return {child.tag: (child.text or "") for child in root}


def parse_time_end(text: str) -> datetime | None:
    """``time_end`` (``yyyyMMddHHmmss``, Beijing time) as an aware instant."""
    try:
        return datetime.strptime(text, "%Y%m%d%H%M%S").replace(tzinfo=BEIJING)
    except ValueError:
        return None


def fit_bytes(text: str, limit: int = BODY_BYTES) -> str:
    """``text`` cut at a character boundary to at most ``limit`` UTF-8 bytes (micropay's
    ``body`` is String(128): 64 Chinese characters would not fit)."""
    data = text.encode("utf-8")
    return text if len(data) <= limit else data[:limit].decode("utf-8", errors="ignore")


def _fen(text: str | None) -> int | None:
    return int(text) if text and text.isascii() and text.isdigit() else None


class WechatProvider:
    """One WeChat Pay merchant account (``appid`` + ``mch_id``).

    Args:
        session: the HTTP client session.
        gateway_url: ``https://api.mch.weixin.qq.com`` (or a simulator).
        app_id: the merchant's ``appid``.
        mch_id: the merchant number.
        key: the API key (read from the merchant's key file at HQ).
        sign_type: ``MD5`` or ``HMAC-SHA256``.
        timeout_s: deadline of one call.
        ssl_context: client TLS context carrying the API certificate, or ``None``.
        client_ip: ``spbill_create_ip`` of micropay.
    """

    name = "wechat"

    def __init__(
        self,
        session: aiohttp.ClientSession,
        *,
        gateway_url: str,
        app_id: str,
        mch_id: str,
        key: str,
        sign_type: str = "MD5",
        timeout_s: float = 10.0,
        ssl_context: ssl.SSLContext | None = None,
        client_ip: str = "127.0.0.1",
    ) -> None:
        if sign_type not in SIGN_TYPES:
            raise ValueError(f"unknown sign_type {sign_type}")
        self._session = session
        self._gateway = gateway_url.rstrip("/")
        self._app_id = app_id
        self._mch_id = mch_id
        self._key = key
        self._sign_type = sign_type
        self._timeout = timeout_s
        self._ssl = ssl_context
        self._client_ip = client_ip

    def __repr__(self) -> str:
        return f"WechatProvider(mch_id={self._mch_id!r}, gateway={self._gateway!r})"

    async def _call(self, path: str, params: dict[str, str]) -> tuple[dict[str, str] | None, str]:
        """Send a signed request; the verified answer, or ``None`` and why not."""
        params = {"appid": self._app_id, "mch_id": self._mch_id, **params}
        params["nonce_str"] = secrets.token_hex(16)
        if self._sign_type != "MD5":
            params["sign_type"] = self._sign_type
        params["sign"] = sign(params, self._key, self._sign_type)
        reply = await post(
            self._session,
            self._gateway + path,
            data=to_xml(params),
            headers={"Content-Type": "text/xml; charset=utf-8"},
            timeout_s=self._timeout,
            ssl_context=self._ssl,
        )
        if reply is None:
            return None, "no_answer"
        if reply.status != 200:
            return None, f"http_{reply.status}"
        answer = from_xml(reply.body)
        if answer is None:
            return None, "bad_body"
        if answer.get("return_code") != "SUCCESS":
            # The call itself was refused (e.g. our signature); such answers are not signed.
            return None, "return_fail"
        if not verify(answer, self._key, self._sign_type):
            return None, "bad_signature"
        if (
            answer.get("appid", self._app_id) != self._app_id
            or answer.get("mch_id") != self._mch_id
        ):
            return None, "foreign_answer"
        return answer, "ok"

    @staticmethod
    def _untrusted(why: str) -> ProviderAnswer:
        if why == "bad_signature":
            return base.bad_signature()
        return base.unknown(why, untrusted=why in ("return_fail", "foreign_answer", "bad_body"))

    def _paid(self, answer: dict[str, str], order_no: str) -> ProviderAnswer:
        if answer.get("out_trade_no") != order_no or not answer.get("transaction_id"):
            return base.unknown("foreign_order", untrusted=True)
        return ProviderAnswer(
            base.SUCCESS,
            code="SUCCESS",
            transaction_id=answer["transaction_id"],
            paid_at=parse_time_end(answer.get("time_end", "")),
            amount_fen=_fen(answer.get("total_fee")),
        )

    async def pay(self, order: PayOrder) -> ProviderAnswer:
        """micropay: charge the payer's code."""
        answer, why = await self._call(
            "/pay/micropay",
            {
                "body": fit_bytes(order.subject),
                "out_trade_no": order.out_trade_no,
                "total_fee": str(order.amount_fen),
                "spbill_create_ip": self._client_ip,
                "auth_code": order.auth_code,
            },
        )
        if answer is None:
            return self._untrusted(why)
        if answer.get("result_code") == "SUCCESS":
            return self._paid(answer, order.out_trade_no)
        err = answer.get("err_code", "")
        if err == "USERPAYING":
            return ProviderAnswer(base.PAYING, code=err)
        if err == "ORDERPAID":
            return ProviderAnswer(base.ALREADY_PAID, code=err)
        if err in PAY_FAILURES:
            return ProviderAnswer(base.FAILED, code=err, reason=PAY_FAILURES[err])
        # SYSTEMERROR, BANKERROR and anything unexpected: the outcome is not known.
        return base.unknown(err or "no_err_code")

    async def query(self, out_trade_no: str) -> ProviderAnswer:
        """orderquery: where the order stands."""
        answer, why = await self._call("/pay/orderquery", {"out_trade_no": out_trade_no})
        if answer is None:
            return self._untrusted(why)
        if answer.get("result_code") != "SUCCESS":
            err = answer.get("err_code", "")
            if err == "ORDERNOTEXIST":
                return ProviderAnswer(base.NOT_FOUND, code=err)
            return base.unknown(err or "no_err_code")
        state = answer.get("trade_state", "")
        outcome = QUERY_STATES.get(state, base.UNKNOWN)
        if outcome == base.SUCCESS:
            return self._paid(answer, out_trade_no)
        reason = {base.FAILED: "payment_error", base.CLOSED: "closed"}.get(outcome)
        return ProviderAnswer(outcome, code=state, reason=reason)

    async def reverse(self, out_trade_no: str) -> ProviderAnswer:
        """reverse: close the order, refunding the payer if they paid."""
        answer, why = await self._call("/secapi/pay/reverse", {"out_trade_no": out_trade_no})
        if answer is None:
            return base.ProviderAnswer(base.REVERSE_RETRY, code=why, untrusted=True)
        recall = answer.get("recall", "N")
        if answer.get("result_code") == "SUCCESS":
            outcome = base.REVERSE_RETRY if recall == "Y" else base.REVERSED
            return ProviderAnswer(outcome, code="SUCCESS")
        err = answer.get("err_code", "")
        if err == "ORDERNOTEXIST":
            return ProviderAnswer(base.REVERSED, code=err)
        if err == "REVERSE_EXPIRED":
            return ProviderAnswer(base.NOT_REVERSIBLE, code=err)
        return ProviderAnswer(base.REVERSE_RETRY, code=err or "no_err_code")


__all__ = ["SIGN_TYPES", "WechatProvider", "fit_bytes", "from_xml", "sign", "to_xml", "verify"]
