"""A payment provider on 127.0.0.1 that speaks WeChat Pay's or Alipay's payment-code protocol.

``ProviderSimulator(kind="wechat"|"alipay")`` answers the same HTTP calls as the real gateway —
WeChat's ``/pay/micropay``, ``/pay/orderquery`` and ``/secapi/pay/reverse`` (signed XML), Alipay's
``gateway.do`` with ``alipay.trade.pay``/``query``/``cancel`` (RSA2-signed form in, RSA2-signed JSON
out) — and checks the signature of every request. Its signing code is written here again on
purpose, not imported from the server, so that a mistake on one side shows as a failed test.

What a code does is scripted: ``sim.script(auth_code, scenario)``; unscripted codes succeed.

* ``success``: paid at once.
* ``paying_then_success``: "user paying" (WeChat USERPAYING, Alipay 10003); the order is paid at
  the ``paying_polls + 1``-th query.
* ``paying_then_timeout``: "user paying" until reversed.
* ``system_error``: the money is taken but the charge answers a system error (WeChat
  SYSTEMERROR, Alipay 20000); a query shows it paid.
* ``already_paid_on_retry``: like ``system_error``, but the first query does not find the order
  yet (the provider lags); charging the same order again answers "already paid" (WeChat
  ORDERPAID, Alipay ACQ.TRADE_HAS_SUCCESS) and takes nothing; later queries show it paid.
* ``bad_signature``: the money is taken and every answer about the order is signed with a wrong
  key (a reversal still gives the money back).
* ``slow``: the money is taken and the answer comes after ``slow_s`` seconds.
* ``drop``: the money is taken and the connection is closed without an answer.
* ``insufficient_funds``, ``code_expired``: definite failures, nothing taken.

``sim.orders`` holds every order by ``out_trade_no`` (``charges`` counts how often money was
taken: never more than once), ``sim.calls`` every call in order, and ``sim.settlement_bill(day)``
gives the provider's bill file of a day (WeChat: the downloadbill CSV; Alipay: the zip holding
the GBK 业务明细 CSV) for reconciliation tests. Only masked codes are kept.

Why one file past 600 lines: both protocols and both bill formats are views of one order model
(``SimOrder`` and its scenarios); split up, a scenario's behaviour would live in three files.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import contextvars
import csv
import hashlib
import hmac
import io
import json
import secrets
import socket
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from xml.etree import ElementTree
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from aiohttp import web
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

from tests.scanpay.keys import bare_base64, key_pair, private_key

BEIJING = ZoneInfo("Asia/Shanghai")
_SIGN_TYPE: contextvars.ContextVar[str] = contextvars.ContextVar("sign_type", default="MD5")
"""The sign type of the WeChat request being answered (each request runs in its own task)."""
SCENARIOS = (
    "success",
    "paying_then_success",
    "paying_then_timeout",
    "system_error",
    "already_paid_on_retry",
    "bad_signature",
    "slow",
    "drop",
    "insufficient_funds",
    "code_expired",
)
WECHAT_KEY = "a3f1c0de5b7e4d2f9a8b6c4d2e0f1a2b"
WECHAT_APP_ID = "wx2421b1c4370ec43b"
WECHAT_MCH_ID = "1900000109"
ALIPAY_APP_ID = "2021000000000001"
ALIPAY_PID = "2088000000000001"


def _mask(code: str) -> str:
    return code[:6] + "*" * max(0, len(code) - 10) + code[-4:]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class SimOrder:
    """One order the simulator holds."""

    out_trade_no: str
    amount_fen: int
    scenario: str
    code_masked: str
    subject: str
    state: str = "NOTPAY"
    """WeChat trade_state words: NOTPAY, USERPAYING, SUCCESS, PAYERROR, REVOKED."""
    transaction_id: str = ""
    paid_at: datetime | None = None
    charges: int = 0
    """How many times money was taken for this order (the promise: at most 1)."""
    refunded: bool = False
    reversed_at: datetime | None = None
    queries: int = 0
    created_mono: float = 0.0
    reverse_mono: list[float] = field(default_factory=list)
    """``time.monotonic()`` of each reversal received (to check the forbidden window)."""


@dataclass(frozen=True)
class SimCall:
    """One call received: the API (``pay``, ``query``, ``reverse``) and the order number."""

    api: str
    out_trade_no: str


class ProviderSimulator:
    """A WeChat Pay or Alipay gateway on 127.0.0.1 (see the module docstring).

    Args:
        kind: ``wechat`` or ``alipay``.
        clock: when things are paid (default: the real clock); bills group by its Beijing date.
        paying_polls: queries answered "paying" before ``paying_then_success`` is paid.
        slow_s: how long ``slow`` makes the charge wait.
    """

    def __init__(
        self,
        kind: str = "wechat",
        *,
        clock: Callable[[], datetime] | None = None,
        paying_polls: int = 2,
        slow_s: float = 2.0,
    ) -> None:
        if kind not in ("wechat", "alipay"):
            raise ValueError(kind)
        self.kind = kind
        self.clock = clock or (lambda: datetime.now(UTC))
        self.paying_polls = paying_polls
        self.slow_s = slow_s
        self.orders: dict[str, SimOrder] = {}
        self.calls: list[SimCall] = []
        self.bad_requests = 0
        """Requests refused for a bad signature or a foreign account."""
        self._scripts: dict[str, str] = {}
        self._runner: web.AppRunner | None = None
        self._stopping = asyncio.Event()
        self.port = 0
        self.app_private_pem, self.app_public_pem = key_pair("alipay-app")
        self.alipay_private_pem, self.alipay_public_pem = key_pair("alipay-platform")
        self._alipay_key = private_key("alipay-platform")
        self._wrong_key = private_key("impostor")
        self._app_public = serialization.load_pem_public_key(self.app_public_pem.encode())

    # --- control -------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The gateway URL HQ's merchant points at."""
        base = f"http://127.0.0.1:{self.port}"
        return base if self.kind == "wechat" else f"{base}/gateway.do"

    async def start(self) -> None:
        """Listen on a free port of 127.0.0.1."""
        app = web.Application()
        if self.kind == "wechat":
            for path in ("/pay/micropay", "/pay/orderquery", "/secapi/pay/reverse"):
                app.router.add_post(path, self._wechat)
        else:
            app.router.add_post("/gateway.do", self._alipay)
        self._stopping = asyncio.Event()
        self._runner = web.AppRunner(app, shutdown_timeout=0.5, access_log=None)
        await self._runner.setup()
        self.port = _free_port()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

    async def stop(self) -> None:
        """Stop listening (a ``slow`` answer still waiting is given up)."""
        self._stopping.set()
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    def script(self, auth_code: str, scenario: str) -> None:
        """Decide what ``auth_code`` does (one of :data:`SCENARIOS`)."""
        if scenario not in SCENARIOS:
            raise ValueError(scenario)
        self._scripts[auth_code] = scenario

    def charged(self) -> int:
        """Times money was taken, over every order."""
        return sum(order.charges for order in self.orders.values())

    def calls_of(self, api: str, out_trade_no: str | None = None) -> list[SimCall]:
        """The calls of one API (for one order)."""
        return [c for c in self.calls if c.api == api and out_trade_no in (None, c.out_trade_no)]

    def merchant_files(self, folder: Path) -> dict[str, str]:
        """Write the key files HQ's merchant configuration needs; their paths by setting name."""
        folder.mkdir(parents=True, exist_ok=True)
        if self.kind == "wechat":
            key_file = folder / "wechat-api-key.txt"
            key_file.write_text(WECHAT_KEY + "\n", encoding="utf-8")
            return {"key_file": str(key_file)}
        private = folder / "alipay-app-private.pem"
        public = folder / "alipay-public.txt"
        private.write_text(self.app_private_pem, encoding="utf-8")
        public.write_text(bare_base64(self.alipay_public_pem), encoding="utf-8")
        return {"key_file": str(private), "provider_key_file": str(public)}

    @property
    def app_id(self) -> str:
        """The merchant's app id at this provider."""
        return WECHAT_APP_ID if self.kind == "wechat" else ALIPAY_APP_ID

    @property
    def mch_id(self) -> str:
        """WeChat's merchant number (empty for Alipay)."""
        return WECHAT_MCH_ID if self.kind == "wechat" else ""

    # --- the order's life (shared by both protocols) -------------------------------------------

    def _charge(self, order: SimOrder) -> None:
        order.charges += 1
        order.state = "SUCCESS"
        order.paid_at = self.clock()
        prefix = "4200" if self.kind == "wechat" else "2026"
        order.transaction_id = prefix + secrets.token_hex(12)[:24]

    def _new_order(self, out_trade_no: str, amount_fen: int, code: str, subject: str) -> SimOrder:
        scenario = self._scripts.get(code, "success")
        order = SimOrder(out_trade_no, amount_fen, scenario, _mask(code), subject)
        order.created_mono = time.monotonic()
        order.queries = 0
        self.orders[out_trade_no] = order
        return order

    async def _pay(self, out_trade_no: str, amount_fen: int, code: str, subject: str) -> str:
        """Process a charge; returns what to answer: ``success``, ``paying``, ``system_error``,
        ``already_paid``, ``closed``, ``insufficient_funds``, ``code_expired`` or ``drop``."""
        order = self.orders.get(out_trade_no)
        if order is not None:
            if order.state == "SUCCESS":
                return "already_paid"
            if order.state == "REVOKED":
                return "closed"
            return "paying" if order.state == "USERPAYING" else "system_error"
        order = self._new_order(out_trade_no, amount_fen, code, subject)
        scenario = order.scenario
        if scenario in ("paying_then_success", "paying_then_timeout"):
            order.state = "USERPAYING"
            return "paying"
        if scenario in ("insufficient_funds", "code_expired"):
            order.state = "PAYERROR"
            return scenario
        self._charge(order)
        if scenario in ("system_error", "already_paid_on_retry"):
            return "system_error"
        if scenario == "slow":
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), self.slow_s)
        return "drop" if scenario == "drop" else "success"

    def _query(self, out_trade_no: str) -> SimOrder | None:
        order = self.orders.get(out_trade_no)
        if order is None:
            return None
        order.queries += 1
        if order.scenario == "already_paid_on_retry" and order.queries == 1:
            return None  # the provider's query lags behind its charge
        if (
            order.scenario == "paying_then_success"
            and order.state == "USERPAYING"
            and order.queries > self.paying_polls
        ):
            self._charge(order)
        return order

    def _reverse(self, out_trade_no: str) -> SimOrder | None:
        order = self.orders.get(out_trade_no)
        if order is None:
            return None
        order.reverse_mono.append(time.monotonic())
        if order.state == "SUCCESS":
            order.refunded = True
        if order.state != "REVOKED":
            order.reversed_at = self.clock()
        order.state = "REVOKED"
        return order

    def _bad_sign(self, out_trade_no: str) -> bool:
        order = self.orders.get(out_trade_no)
        return order is not None and order.scenario == "bad_signature"

    # --- WeChat Pay v2 -------------------------------------------------------------------------

    def _wx_sign(self, params: dict[str, str], key: str, sign_type: str) -> str:
        pairs = [f"{k}={v}" for k, v in sorted(params.items()) if v and k != "sign"]
        text = "&".join([*pairs, f"key={key}"]).encode("utf-8")
        if sign_type == "HMAC-SHA256":
            return hmac.new(key.encode(), text, hashlib.sha256).hexdigest().upper()
        return hashlib.md5(text).hexdigest().upper()

    def _wx_answer(self, params: dict[str, str], *, bad: bool = False) -> web.Response:
        base = {"return_code": "SUCCESS", "return_msg": "OK", "appid": WECHAT_APP_ID,
                "mch_id": WECHAT_MCH_ID, "nonce_str": secrets.token_hex(8)}  # fmt: skip
        out = {**base, **params}
        # WeChat signs its answer the way the request was signed.
        out["sign"] = self._wx_sign(out, "x" * 32 if bad else WECHAT_KEY, _SIGN_TYPE.get())
        body = "".join(f"<{k}><![CDATA[{v}]]></{k}>" for k, v in out.items())
        return web.Response(body=f"<xml>{body}</xml>".encode(), content_type="text/xml")

    @staticmethod
    def _wx_fail(message: str) -> web.Response:
        body = (
            f"<xml><return_code>FAIL</return_code><return_msg>{escape(message)}</return_msg></xml>"
        )
        return web.Response(body=body.encode(), content_type="text/xml")

    def _wx_error(self, err: str, text: str, *, bad: bool = False, **extra: str) -> web.Response:
        params = {"result_code": "FAIL", "err_code": err, "err_code_des": text, **extra}
        return self._wx_answer(params, bad=bad)

    async def _wechat(self, request: web.Request) -> web.StreamResponse:
        root = ElementTree.fromstring(await request.read())
        params = {child.tag: child.text or "" for child in root}
        api = {"micropay": "pay", "orderquery": "query", "reverse": "reverse"}[
            request.path.rsplit("/", 1)[1]
        ]
        out_trade_no = params.get("out_trade_no", "")
        self.calls.append(SimCall(api, out_trade_no))
        sign_type = params.get("sign_type", "MD5")
        _SIGN_TYPE.set(sign_type)
        if params.get("sign") != self._wx_sign(params, WECHAT_KEY, sign_type):
            self.bad_requests += 1
            return self._wx_fail("签名错误")
        if params.get("appid") != WECHAT_APP_ID or params.get("mch_id") != WECHAT_MCH_ID:
            self.bad_requests += 1
            return self._wx_error("APPID_MCHID_NOT_MATCH", "appid和mch_id不匹配")
        if api == "pay":
            return await self._wx_micropay(request, params)
        if api == "query":
            return self._wx_query(out_trade_no)
        return self._wx_reverse(out_trade_no)

    def _wx_paid(self, order: SimOrder, **extra: str) -> dict[str, str]:
        assert order.paid_at is not None
        return {
            "result_code": "SUCCESS", "openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
            "is_subscribe": "N", "trade_type": "MICROPAY", "bank_type": "CMC",
            "fee_type": "CNY", "total_fee": str(order.amount_fen),
            "cash_fee": str(order.amount_fen), "transaction_id": order.transaction_id,
            "out_trade_no": order.out_trade_no,
            "time_end": order.paid_at.astimezone(BEIJING).strftime("%Y%m%d%H%M%S"), **extra,
        }  # fmt: skip

    async def _wx_micropay(
        self, request: web.Request, params: dict[str, str]
    ) -> web.StreamResponse:
        out_trade_no = params["out_trade_no"]
        if len(params.get("body", "").encode("utf-8")) > 128:  # body is String(128)
            self.bad_requests += 1
            return self._wx_error("PARAM_ERROR", "body参数长度有误")
        outcome = await self._pay(
            out_trade_no, int(params["total_fee"]), params["auth_code"], params.get("body", "")
        )
        bad = self._bad_sign(out_trade_no)
        order = self.orders[out_trade_no]
        if outcome == "drop":
            assert request.transport is not None
            request.transport.close()
            return web.Response()
        if outcome == "success":
            return self._wx_answer(self._wx_paid(order), bad=bad)
        errors = {
            "paying": ("USERPAYING", "需要用户输入支付密码"),
            "system_error": ("SYSTEMERROR", "系统超时"),
            "already_paid": ("ORDERPAID", "订单已支付"),
            "closed": ("ORDERREVERSED", "订单已撤销"),
            "insufficient_funds": ("NOTENOUGH", "余额不足"),
            "code_expired": ("AUTHCODEEXPIRE", "二维码已过期，请用户在微信上刷新后再试"),
        }
        err, text = errors[outcome]
        return self._wx_error(err, text, bad=bad)

    def _wx_query(self, out_trade_no: str) -> web.Response:
        order = self._query(out_trade_no)
        bad = self._bad_sign(out_trade_no)
        if order is None:
            return self._wx_error("ORDERNOTEXIST", "此交易订单号不存在", bad=bad)
        if order.state == "SUCCESS":
            return self._wx_answer(self._wx_paid(order, trade_state="SUCCESS"), bad=bad)
        params = {"result_code": "SUCCESS", "out_trade_no": out_trade_no,
                  "trade_state": order.state, "total_fee": str(order.amount_fen)}  # fmt: skip
        return self._wx_answer(params, bad=bad)

    def _wx_reverse(self, out_trade_no: str) -> web.Response:
        order = self._reverse(out_trade_no)
        bad = self._bad_sign(out_trade_no)
        if order is None:
            return self._wx_error("ORDERNOTEXIST", "订单不存在", recall="N")
        return self._wx_answer({"result_code": "SUCCESS", "recall": "N"}, bad=bad)

    # --- Alipay --------------------------------------------------------------------------------

    @staticmethod
    def _content(params: dict[str, str]) -> bytes:
        pairs = [f"{k}={params[k]}" for k in sorted(params) if k != "sign" and params[k]]
        return "&".join(pairs).encode("utf-8")

    def _ali_answer(self, method: str, inner: dict[str, Any], *, bad: bool = False) -> web.Response:
        text = json.dumps(inner, ensure_ascii=False, separators=(",", ":"))
        key = self._wrong_key if bad else self._alipay_key
        signature = key.sign(text.encode("utf-8"), padding.PKCS1v15(), hashes.SHA256())  # type: ignore[union-attr,call-arg]
        name = method.replace(".", "_") + "_response"
        sign = base64.b64encode(signature).decode()
        body = f'{{"{name}":{text},"sign":"{sign}"}}'
        return web.Response(body=body.encode("utf-8"), content_type="application/json")

    async def _alipay(self, request: web.Request) -> web.StreamResponse:
        form = {k: str(v) for k, v in (await request.post()).items()}
        method = form.get("method", "")
        biz = json.loads(form.get("biz_content", "{}"))
        out_trade_no = biz.get("out_trade_no", "")
        api = {"alipay.trade.pay": "pay", "alipay.trade.query": "query",
               "alipay.trade.cancel": "reverse"}.get(method, method)  # fmt: skip
        self.calls.append(SimCall(api, out_trade_no))
        try:
            self._app_public.verify(  # type: ignore[union-attr,call-arg]
                base64.b64decode(form.get("sign", "")),
                self._content(form),
                padding.PKCS1v15(),
                hashes.SHA256(),
            )
        except (InvalidSignature, ValueError):
            self.bad_requests += 1
            inner = {"code": "40002", "msg": "Invalid Arguments",
                     "sub_code": "isv.invalid-signature", "sub_msg": "验签出错"}  # fmt: skip
            body = json.dumps({method.replace(".", "_") + "_response": inner}, ensure_ascii=False)
            return web.Response(body=body.encode(), content_type="application/json")
        if form.get("app_id") != ALIPAY_APP_ID or form.get("sign_type") != "RSA2":
            self.bad_requests += 1
            inner = {"code": "40002", "msg": "Invalid Arguments", "sub_code": "isv.invalid-app-id"}
            return self._ali_answer(method, inner)
        if api == "pay":
            return await self._ali_pay(request, method, biz)
        if api == "query":
            return self._ali_query(method, out_trade_no)
        return self._ali_cancel(method, out_trade_no)

    @staticmethod
    def _yuan(fen: int) -> str:
        return f"{fen // 100}.{fen % 100:02d}"

    @staticmethod
    def _fen(text: str) -> int:
        whole, _, frac = text.partition(".")
        return int(whole) * 100 + int((frac + "00")[:2])

    def _ali_paid(self, order: SimOrder) -> dict[str, Any]:
        assert order.paid_at is not None
        paid = order.paid_at.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S")
        return {
            "code": "10000", "msg": "Success", "trade_no": order.transaction_id,
            "out_trade_no": order.out_trade_no, "buyer_logon_id": "159****5620",
            "total_amount": self._yuan(order.amount_fen),
            "receipt_amount": self._yuan(order.amount_fen), "gmt_payment": paid,
            "fund_bill_list": [{"fund_channel": "ALIPAYACCOUNT",
                                "amount": self._yuan(order.amount_fen)}],
            "buyer_user_id": "2088102146225135",
        }  # fmt: skip

    async def _ali_pay(
        self, request: web.Request, method: str, biz: dict[str, Any]
    ) -> web.StreamResponse:
        out_trade_no = biz["out_trade_no"]
        outcome = await self._pay(
            out_trade_no, self._fen(biz["total_amount"]), biz["auth_code"], biz.get("subject", "")
        )
        bad = self._bad_sign(out_trade_no)
        order = self.orders[out_trade_no]
        if outcome == "drop":
            assert request.transport is not None
            request.transport.close()
            return web.Response()
        if outcome == "success":
            return self._ali_answer(method, self._ali_paid(order), bad=bad)
        answers = {
            "paying": {"code": "10003", "msg": "等待用户付款", "out_trade_no": out_trade_no,
                       "trade_no": order.transaction_id or "pending"},
            "system_error": {"code": "20000", "msg": "Service Currently Unavailable",
                             "sub_code": "isp.unknow-error", "sub_msg": "系统繁忙"},
            "already_paid": {"code": "40004", "msg": "Business Failed",
                             "sub_code": "ACQ.TRADE_HAS_SUCCESS", "sub_msg": "交易已被支付"},
            "closed": {"code": "40004", "msg": "Business Failed",
                       "sub_code": "ACQ.TRADE_HAS_CLOSE", "sub_msg": "交易已经关闭"},
            "insufficient_funds": {"code": "40004", "msg": "Business Failed",
                                   "sub_code": "ACQ.BUYER_BALANCE_NOT_ENOUGH",
                                   "sub_msg": "买家余额不足"},
            "code_expired": {"code": "40004", "msg": "Business Failed",
                             "sub_code": "ACQ.PAYMENT_AUTH_CODE_INVALID",
                             "sub_msg": "获取顾客账户信息失败，请顾客刷新付款码后重新收款"},
        }  # fmt: skip
        return self._ali_answer(method, answers[outcome], bad=bad)

    def _ali_query(self, method: str, out_trade_no: str) -> web.Response:
        order = self._query(out_trade_no)
        bad = self._bad_sign(out_trade_no)
        if order is None:
            inner = {"code": "40004", "msg": "Business Failed", "sub_code": "ACQ.TRADE_NOT_EXIST",
                     "sub_msg": "交易不存在"}  # fmt: skip
            return self._ali_answer(method, inner, bad=bad)
        if order.state == "SUCCESS":
            inner = self._ali_paid(order) | {"trade_status": "TRADE_SUCCESS"}
            inner["send_pay_date"] = inner.pop("gmt_payment")
            return self._ali_answer(method, inner, bad=bad)
        status = "WAIT_BUYER_PAY" if order.state in ("USERPAYING", "NOTPAY") else "TRADE_CLOSED"
        inner = {"code": "10000", "msg": "Success", "out_trade_no": out_trade_no,
                 "trade_no": order.transaction_id or "", "trade_status": status,
                 "total_amount": self._yuan(order.amount_fen)}  # fmt: skip
        return self._ali_answer(method, inner, bad=bad)

    def _ali_cancel(self, method: str, out_trade_no: str) -> web.Response:
        refund = self.orders.get(out_trade_no) is not None and (
            self.orders[out_trade_no].state == "SUCCESS"
        )
        order = self._reverse(out_trade_no)
        bad = self._bad_sign(out_trade_no)
        if order is None:
            inner = {"code": "40004", "msg": "Business Failed", "sub_code": "ACQ.TRADE_NOT_EXIST",
                     "sub_msg": "交易不存在", "retry_flag": "N"}  # fmt: skip
            return self._ali_answer(method, inner, bad=bad)
        inner = {"code": "10000", "msg": "Success", "out_trade_no": out_trade_no,
                 "trade_no": order.transaction_id, "retry_flag": "N",
                 "action": "refund" if refund else "close"}  # fmt: skip
        return self._ali_answer(method, inner, bad=bad)

    # --- settlement bills ----------------------------------------------------------------------

    def _bill_orders(self, day: date) -> list[SimOrder]:
        paid = [o for o in self.orders.values() if o.paid_at is not None]
        return [o for o in paid if o.paid_at.astimezone(BEIJING).date() == day]  # type: ignore[union-attr]

    def settlement_bill(self, day: date) -> bytes:
        """The provider's bill file of ``day`` (Beijing date): every charge, and every reversal
        that gave money back, as the provider writes it."""
        if self.kind == "wechat":
            return self._wechat_bill(day)
        return self._alipay_bill(day)

    @staticmethod
    def _fee(fen: int) -> int:
        return (fen * 6 + 500) // 1000  # 0.6 %, rounded half up

    def _wechat_bill(self, day: date) -> bytes:
        header = ["交易时间", "公众账号ID", "商户号", "特约商户号", "设备号", "微信订单号",
                  "商户订单号", "用户标识", "交易类型", "交易状态", "付款银行", "货币种类",
                  "应结订单金额", "代金券金额", "微信退款单号", "商户退款单号", "退款金额",
                  "充值券退款金额", "退款类型", "退款状态", "商品名称", "商户数据包", "手续费",
                  "费率", "订单金额", "申请退款金额", "费率备注"]  # fmt: skip
        rows, trade, refund, fees = [], 0, 0, 0
        for order in self._bill_orders(day):
            assert order.paid_at is not None
            at = order.paid_at.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S")
            fee = self._fee(order.amount_fen)
            amount = self._yuan(order.amount_fen)
            rows.append([at, WECHAT_APP_ID, WECHAT_MCH_ID, "0", "", order.transaction_id,
                         order.out_trade_no, "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o", "MICROPAY",
                         "SUCCESS", "CMC", "CNY", amount, "0.00", "0", "0", "0.00", "0.00",
                         "", "", order.subject, "", self._yuan(fee), "0.60%", amount, "0.00",
                         ""])  # fmt: skip
            trade, fees = trade + order.amount_fen, fees + fee
            if order.refunded and order.reversed_at is not None:
                back = order.reversed_at.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S")
                rows.append([back, WECHAT_APP_ID, WECHAT_MCH_ID, "0", "", order.transaction_id,
                             order.out_trade_no, "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o", "MICROPAY",
                             "REVOKED", "CMC", "CNY", "0.00", "0.00",
                             "5030" + order.transaction_id[4:], "R" + order.out_trade_no[:31],
                             amount, "0.00", "ORIGINAL", "SUCCESS", order.subject, "",
                             "-" + self._yuan(fee), "0.60%", "0.00", amount, ""])  # fmt: skip
                refund, fees = refund + order.amount_fen, fees - fee
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow(["`" + cell for cell in row])
        writer.writerow(["总交易单数", "应结订单总金额", "退款总金额", "充值券退款总金额",
                         "手续费总金额", "订单总金额", "申请退款总金额"])  # fmt: skip
        fee_text = ("-" if fees < 0 else "") + self._yuan(abs(fees))
        writer.writerow(["`" + cell for cell in (
            str(len(rows)), self._yuan(trade), self._yuan(refund), "0.00", fee_text,
            self._yuan(trade), self._yuan(refund))])  # fmt: skip
        return out.getvalue().encode("utf-8")

    def _alipay_bill(self, day: date) -> bytes:
        stamp = day.strftime("%Y%m%d")
        lines = [
            "#支付宝业务明细查询",
            f"#账号：[{ALIPAY_PID}0156]",
            f"#起始日期：[{day.year}年{day.month:02d}月{day.day:02d}日 00:00:00]   "
            f"终止日期：[{day.year}年{day.month:02d}月{day.day:02d}日 23:59:59]",
            "#-----------------------------------------业务明细列表"
            "----------------------------------------",
            "支付宝交易号,商户订单号,业务类型,商品名称,创建时间,完成时间,门店编号,门店名称,操作员,"
            "终端号,对方账户,订单金额（元）,商家实收（元）,支付宝红包（元）,集分宝（元）,"
            "支付宝优惠（元）,商家优惠（元）,券核销金额（元）,券名称,商家红包消费金额（元）,"
            "卡消费金额（元）,退款批次号/请求号,服务费（元）,分润（元）,备注",
        ]
        trades = refunds = 0
        trade_fen = refund_fen = 0
        for order in self._bill_orders(day):
            assert order.paid_at is not None
            at = order.paid_at.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S")
            amount, fee = self._yuan(order.amount_fen), self._yuan(self._fee(order.amount_fen))
            cells = [order.transaction_id, order.out_trade_no, "交易", order.subject, at, at,
                     "", "", "", "", "159****5620", amount, amount, "0.00", "0.00", "0.00",
                     "0.00", "0.00", "", "0.00", "0.00", "", "-" + fee, "0.00", ""]  # fmt: skip
            lines.append(",".join(cell + "\t" for cell in cells))
            trades, trade_fen = trades + 1, trade_fen + order.amount_fen
            if order.refunded and order.reversed_at is not None:
                back = order.reversed_at.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S")
                cells = [order.transaction_id, order.out_trade_no, "退款", order.subject, at,
                         back, "", "", "", "", "159****5620", amount, "-" + amount, "0.00",
                         "0.00", "0.00", "0.00", "0.00", "", "0.00", "0.00",
                         order.out_trade_no + "01", fee, "0.00", ""]  # fmt: skip
                lines.append(",".join(cell + "\t" for cell in cells))
                refunds, refund_fen = refunds + 1, refund_fen + order.amount_fen
        lines += [
            "#-----------------------------------------业务明细列表结束"
            "------------------------------------",
            f"#交易合计：{trades}笔，商家实收共{self._yuan(trade_fen)}元，商家优惠共0.00元",
            f"#退款合计：{refunds}笔，商家实收退款共-{self._yuan(refund_fen)}元，商家优惠退款共0.00元",
            f"#导出时间：[{day.year}年{day.month:02d}月{day.day:02d}日 09:00:00]",
        ]
        detail = ("\r\n".join(lines) + "\r\n").encode("gbk")
        summary = ("#支付宝业务汇总查询\r\n#汇总结束\r\n").encode("gbk")
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            name = f"{ALIPAY_PID}0156_{stamp}"
            archive.writestr(f"{name}_业务明细.csv", detail)
            archive.writestr(f"{name}_业务明细(汇总).csv", summary)
        return buffer.getvalue()


__all__ = ["SCENARIOS", "ProviderSimulator", "SimCall", "SimOrder"]
