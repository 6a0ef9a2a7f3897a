"""One HTTP exchange with a provider, where every transport failure becomes ``None``.

A provider call that times out, is refused, is cut mid-answer or answers a non-200 status has an
unknown outcome: the adapter turns ``None`` into an ``UNKNOWN`` answer and the state machine asks
again. The request body is never logged (it carries the payer's code).
"""

from __future__ import annotations

import logging
import ssl
from dataclasses import dataclass

import aiohttp

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Reply:
    """A provider's HTTP answer: status and body bytes."""

    status: int
    body: bytes


async def post(
    session: aiohttp.ClientSession,
    url: str,
    *,
    data: bytes | dict[str, str],
    headers: dict[str, str],
    timeout_s: float,
    ssl_context: ssl.SSLContext | None = None,
) -> Reply | None:
    """POST and read the whole answer within ``timeout_s``; ``None`` when there is no answer."""
    try:
        async with session.post(
            url,
            data=data,
            headers=headers,
            timeout=aiohttp.ClientTimeout(total=timeout_s),
            ssl=ssl_context if ssl_context is not None else True,
        ) as response:
            body = await response.read()
            return Reply(response.status, body)
    except (TimeoutError, aiohttp.ClientError, OSError) as error:
        log.warning("provider call to %s got no answer: %s", url, type(error).__name__)
        return None


__all__ = ["Reply", "post"]
