"""The counter's HTTP client of headquarters: one ``aiohttp.ClientSession`` for the app's life.

Every call has explicit timeouts and carries the device token (``Authorization: Bearer``). Every
failure becomes a :class:`SyncError` whose ``code`` says what the pusher and puller should do:

* ``server_unreachable`` -- no answer (refused, reset, timed out, cut mid-reply): retry later;
* ``server_certificate`` -- HTTPS, but the server's certificate is not one this counter trusts
  (a company CA not given with ``server_ca``, an expired or mismatched certificate): retry later,
  and say why;
* ``ca_file_unreadable`` -- the configured ``server_ca`` file cannot be read as PEM certificates;
* ``server_error`` -- a 5xx answer: retry later;
* ``auth_rejected`` -- 401 (the token is unknown or revoked): retrying will not help, enrol again;
* ``request_rejected`` -- another 4xx: the server named a problem with what we sent;
* ``bad_response`` -- a 2xx whose body is not what the protocol promises: retry later.

Only ``server_unreachable``, ``server_certificate``, ``server_error`` and ``bad_response`` are
*transient*; the others need a person. Nothing here touches the database.
"""

from __future__ import annotations

import json
import logging
import ssl
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import aiohttp

from feetui.core.errors import N_, FeeError
from feetui.sync.protocol import (
    API_PREFIX,
    EnrollRequest,
    EnrollResponse,
    ProtocolError,
    PullPage,
    PushRequest,
    PushResponse,
    ScanRequest,
    ScanState,
    parse_enroll_response,
    parse_pull_page,
    parse_push_response,
    parse_scan_state,
)

log = logging.getLogger(__name__)

TRANSIENT_CODES = frozenset(
    {"server_unreachable", "server_certificate", "server_error", "bad_response"}
)


class SyncError(FeeError):
    """Headquarters could not be reached, or answered with an error.

    Attributes:
        status: the HTTP status when there was an answer, else ``None``.
        server_code: the server's own error code (``bad_token`` ...) when it sent one.
    """

    def __init__(
        self,
        code: str,
        message: str,
        *,
        status: int | None = None,
        server_code: str = "",
        **params: Any,
    ) -> None:
        super().__init__(code, message, **params)
        self.status = status
        self.server_code = server_code

    @property
    def transient(self) -> bool:
        """True when trying again later may succeed (no answer, 5xx, garbled answer)."""
        return self.code in TRANSIENT_CODES


@dataclass(frozen=True, slots=True)
class Timeouts:
    """Seconds the client waits: to connect, for each read, and for a whole request."""

    connect: float = 5.0
    """Opening the TCP (and TLS) connection."""
    read: float = 20.0
    """Between two reads of the answer."""
    total: float = 60.0
    """The whole request, answer included (a push of 500 records is well under a second)."""

    def client_timeout(self) -> aiohttp.ClientTimeout:
        """The same limits as aiohttp's object."""
        return aiohttp.ClientTimeout(
            total=self.total, connect=self.connect, sock_connect=self.connect, sock_read=self.read
        )


class SyncClient:
    """Talks to one headquarters server; open it once and close it when the app ends.

    Args:
        server: the server's base URL, e.g. ``https://hq.example.com:8470``.
        token: the device token from enrolment (empty before enrolment).
        timeouts: how long to wait.
        ca_file: PEM file of the certificate authorities trusted for HTTPS instead of the
            system's (a company's own CA); empty: the system's.
    """

    def __init__(
        self,
        server: str,
        token: str = "",
        *,
        timeouts: Timeouts | None = None,
        ca_file: str = "",
    ) -> None:
        self.server = server.rstrip("/")
        self.token = token
        self.timeouts = timeouts or Timeouts()
        self.ca_file = ca_file
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> SyncClient:
        self.open()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    def open(self) -> None:
        """Make the session (call inside the event loop that will use it).

        Raises:
            SyncError: ``ca_file_unreadable`` when the configured CA file cannot be loaded.
        """
        if self._session is None or self._session.closed:
            connector = None
            if self.ca_file:
                connector = aiohttp.TCPConnector(ssl=_trusting(self.ca_file))
            self._session = aiohttp.ClientSession(
                timeout=self.timeouts.client_timeout(), raise_for_status=False, connector=connector
            )

    async def close(self) -> None:
        """Close the session and its connections (idempotent)."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    # --------------------------------------------------------------------------- API calls

    async def health(self) -> dict[str, Any]:
        """``GET /health``: the server and its database answer (no token needed)."""
        data = await self._request("GET", "/health", auth=False)
        if not isinstance(data, dict):
            raise _bad_response("health")
        return data

    async def enroll(self, request: EnrollRequest) -> EnrollResponse:
        """``POST /enroll``: spend a one-time code for this device's token."""
        data = await self._request("POST", "/enroll", body=request.to_json(), auth=False)
        return _parsed(parse_enroll_response, data, "enroll")

    async def push(self, request: PushRequest) -> PushResponse:
        """``POST /push``: a batch of this device's journal records, in journal order."""
        data = await self._request("POST", "/push", body=request.to_json())
        return _parsed(parse_push_response, data, "push")

    async def pull(self, cursor: int, limit: int) -> PullPage:
        """``GET /pull``: the next page of changes after ``cursor``."""
        query = {"cursor": str(cursor), "limit": str(limit)}
        data = await self._request("GET", "/pull", query=query)
        return _parsed(parse_pull_page, data, "pull")

    async def scan_pay(self, request: ScanRequest) -> ScanState:
        """``POST /pay/scan``: ask headquarters to charge a scanned payment code.

        The body carries the full code; it is sent and forgotten, never logged (R14). Asking
        again with the same payment id never charges twice: HQ answers the current state.
        """
        data = await self._request("POST", "/pay/scan", body=request.to_json())
        return _parsed(parse_scan_state, data, "pay/scan")

    async def scan_poll(self, payment_id: str) -> ScanState:
        """``POST /pay/scan/{id}/poll``: where the scanned payment stands now."""
        data = await self._request("POST", f"/pay/scan/{payment_id}/poll")
        return _parsed(parse_scan_state, data, "pay/scan/poll")

    async def scan_cancel(self, payment_id: str) -> ScanState:
        """``POST /pay/scan/{id}/cancel``: ask headquarters to cancel (reverse) it."""
        data = await self._request("POST", f"/pay/scan/{payment_id}/cancel")
        return _parsed(parse_scan_state, data, "pay/scan/cancel")

    # --------------------------------------------------------------------------- transport

    async def _request(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        query: dict[str, str] | None = None,
        auth: bool = True,
    ) -> Any:
        """Send one request and return the decoded JSON of a 2xx answer.

        Raises:
            SyncError: every failure, classified (see the module docstring).
        """
        self.open()
        assert self._session is not None
        headers = {"Accept": "application/json"}
        if auth:
            headers["Authorization"] = f"Bearer {self.token}"
        url = f"{self.server}{API_PREFIX}{path}"
        try:
            async with self._session.request(
                method, url, json=body, params=query, headers=headers
            ) as response:
                text = await response.text(encoding="utf-8")
                return _decode(response.status, text, path)
        except SyncError:
            raise
        except (aiohttp.ClientConnectorCertificateError, aiohttp.ClientSSLError) as error:
            log.warning("%s %s: certificate not trusted: %s", method, path, error)
            raise SyncError(
                "server_certificate",
                N_(
                    "Headquarters' certificate is not trusted by this counter ({reason}). Give it"
                    " the company's certificate authority file (server_ca in the config file or"
                    " --server-ca), or ask headquarters to renew the certificate."
                ),
                reason=_certificate_reason(error),
            ) from error
        except (TimeoutError, aiohttp.ClientError, OSError, UnicodeDecodeError) as error:
            log.info("%s %s failed: %s", method, path, type(error).__name__)
            raise SyncError(
                "server_unreachable",
                N_("Headquarters did not answer ({reason})."),
                reason=type(error).__name__,
            ) from error


def _trusting(ca_file: str) -> ssl.SSLContext:
    """A client TLS context that trusts the authorities in ``ca_file`` (and checks host names)."""
    try:
        return ssl.create_default_context(cafile=ca_file)
    except (OSError, ssl.SSLError) as error:
        raise SyncError(
            "ca_file_unreadable",
            N_("The certificate authority file {path} cannot be read ({reason})."),
            path=ca_file,
            reason=getattr(error, "strerror", None) or type(error).__name__,
        ) from error


def _certificate_reason(error: Exception) -> str:
    """The verifier's own words (``certificate has expired``, ``self-signed certificate`` ...)."""
    detail = getattr(error, "certificate_error", None) or getattr(error, "os_error", None)
    reason = getattr(detail, "verify_message", None) or getattr(detail, "reason", None)
    return str(reason or type(error).__name__)


def _decode(status: int, text: str, path: str) -> Any:
    """The JSON of a 2xx answer, or the error it stands for."""
    try:
        data = json.loads(text) if text else None
    except ValueError:
        data = None
    if 200 <= status < 300:
        if data is None:
            raise _bad_response(path)
        return data
    server_code, detail = _error_fields(data)
    if status >= 500:
        raise SyncError(
            "server_error",
            N_("Headquarters had a problem (HTTP {status}); it will be tried again."),
            status=status,
            server_code=server_code,
            status_code=status,
        )
    if status == 401:
        raise SyncError(
            "auth_rejected",
            N_("Headquarters refused this counter's token ({detail}): enrol the counter again."),
            status=status,
            server_code=server_code,
            detail=server_code or str(status),
        )
    raise SyncError(
        "request_rejected",
        N_("Headquarters refused the request: {detail} ({reason})."),
        status=status,
        server_code=server_code,
        detail=detail,
        reason=server_code or str(status),
    )


def _error_fields(data: Any) -> tuple[str, str]:
    """``(code, message)`` of a JSON error body, or empty strings."""
    if isinstance(data, dict):
        return str(data.get("error", "")), str(data.get("message", ""))
    return "", ""


def _bad_response(what: str) -> SyncError:
    return SyncError(
        "bad_response",
        N_("Headquarters sent an answer this counter cannot read ({what})."),
        what=what,
    )


def _parsed(parse: Any, data: Any, what: str) -> Any:
    """``parse(data)``, with a protocol violation reported as ``bad_response``."""
    try:
        return parse(data)
    except ProtocolError as error:
        log.warning("unreadable %s answer: %s %s", what, error.code, error.params)
        raise _bad_response(what) from error


__all__ = ["TRANSIENT_CODES", "SyncClient", "SyncError", "Timeouts"]
