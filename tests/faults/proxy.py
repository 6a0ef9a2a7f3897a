"""A misbehaving HTTP/1.1 proxy on 127.0.0.1, between the counters and headquarters.

It reads each request whole (headers, then ``Content-Length`` bytes), forwards it on a fresh
upstream connection, reads the whole answer, and then, per request, as its seeded random source
decides, does one of:

* ``pass``      -- answers honestly;
* ``drop``      -- closes the counter's connection mid-request (HQ never sees it);
* ``lose``      -- forwards the request but closes without the answer (HQ committed, the counter
  does not know it);
* ``truncate``  -- sends only part of the answer, then closes;
* ``delay``     -- waits a little, then answers;
* ``duplicate`` -- answers honestly and sends the same request again later, on its own, after a
  delay (a stale copy arriving after newer requests: a replay out of order).

With HQ down, every request is cut: the counter's connection closes. ``calm()`` turns faults off
(for the final drain). Loopback only; every loop ends when the proxy stops.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections import Counter
from collections.abc import Callable

FAULTS = ("pass", "drop", "lose", "truncate", "delay", "duplicate")
MAX_HEADER_BYTES = 64 * 1024
ANSWER_SECONDS = 30.0
"""Longest wait for HQ's answer; after it the request counts as cut (nothing waits forever)."""


class FaultyProxy:
    """The proxy; ``port`` is where counters connect.

    Args:
        upstream_port: HQ's port on 127.0.0.1.
        rng: the seeded random source deciding every fault.
        weights: relative weight of each fault (``pass`` should dominate).
        on_request: called with each forwarded request's first line (test hooks, e.g. kill HQ
            while a push is in flight); may return a coroutine to await before the answer.
        script: faults for the first requests, in order, before the random ones.
    """

    def __init__(
        self,
        upstream_port: int,
        rng: random.Random,
        weights: dict[str, int] | None = None,
        on_request: Callable[[str], object] | None = None,
        script: list[str] | None = None,
    ) -> None:
        self.upstream_port = upstream_port
        self.rng = rng
        self.weights = weights or {
            "pass": 10,
            "drop": 1,
            "lose": 1,
            "truncate": 1,
            "delay": 2,
            "duplicate": 1,
        }
        self.on_request = on_request
        self.counts: Counter[str] = Counter()
        self.port = 0
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._calm = False
        self.script = list(script or [])

    async def start(self) -> None:
        """Listen on a free port of 127.0.0.1."""
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Stop listening and end every connection and pending duplicate."""
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 5)
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    def calm(self) -> None:
        """Answer every request honestly from now on."""
        self._calm = True

    @property
    def url(self) -> str:
        """The URL counters use."""
        return f"http://127.0.0.1:{self.port}"

    def _spawn(self, coro: object) -> None:
        task = asyncio.ensure_future(coro)  # type: ignore[arg-type]
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _choose(self) -> str:
        if self.script:
            return self.script.pop(0)
        if self._calm:
            return "pass"
        names = list(self.weights)
        return self.rng.choices(names, [self.weights[n] for n in names])[0]

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            while True:
                request = await _read_message(reader, is_request=True)
                if request is None:
                    break
                if not await self._handle(request, writer):
                    break
        except (ConnectionError, asyncio.IncompleteReadError, ValueError):
            pass
        except asyncio.CancelledError:
            # stop() ends the connection; nothing awaits this handler's result.
            return
        finally:
            self._tasks.discard(task)
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _handle(self, request: bytes, writer: asyncio.StreamWriter) -> bool:
        """Forward one request with its fault; False when the connection must close."""
        fault = self._choose()
        self.counts[fault] += 1
        if fault == "drop":
            return False
        if fault == "delay":
            await asyncio.sleep(self.rng.uniform(0.001, 0.05))
        answer = await self._forward(request)
        if answer is None:
            self.counts["cut"] += 1
            return False
        if fault == "duplicate":
            self._spawn(self._replay_later(request, self.rng.uniform(0.01, 0.3)))
        if fault == "lose":
            return False
        if fault == "truncate":
            writer.write(answer[: self.rng.randrange(1, max(2, len(answer)))])
            await writer.drain()
            return False
        writer.write(answer)
        await writer.drain()
        return True

    async def _forward(self, request: bytes) -> bytes | None:
        """Send ``request`` to HQ on a fresh connection; its whole answer, or None if cut."""
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        except OSError:
            return None
        try:
            writer.write(request)
            await writer.drain()
            if self.on_request is not None:
                hook = self.on_request(request.split(b"\r\n", 1)[0].decode("latin-1"))
                if asyncio.iscoroutine(hook):
                    await hook
            return await asyncio.wait_for(_read_message(reader, is_request=False), ANSWER_SECONDS)
        except (ConnectionError, asyncio.IncompleteReadError, ValueError, OSError, TimeoutError):
            return None
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _replay_later(self, request: bytes, delay: float) -> None:
        await asyncio.sleep(delay)
        self.counts["replayed"] += 1
        await self._forward(request)


async def _read_message(reader: asyncio.StreamReader, *, is_request: bool) -> bytes | None:
    """One whole HTTP/1.1 message with a ``Content-Length`` body; None at a clean end."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as error:
        if not error.partial:
            return None
        raise
    except asyncio.LimitOverrunError:
        raise ValueError("header too long") from None
    if len(head) > MAX_HEADER_BYTES:
        raise ValueError("header too long")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
        if name.strip().lower() == b"transfer-encoding" and b"chunked" in value.lower():
            raise ValueError("chunked bodies are not supported by this proxy")
    body = await reader.readexactly(length) if length else b""
    del is_request
    return head + body


__all__ = ["FAULTS", "FaultyProxy"]
