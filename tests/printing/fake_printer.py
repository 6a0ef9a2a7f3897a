"""A network receipt printer on 127.0.0.1 that can behave, run out of paper, stall or hang up.

It answers ``DLE EOT 4`` (paper status) like an ESC/POS printer: ``0x12`` with paper, ``0x72``
without. Every socket has a timeout and the accept loop stops on ``close()``, so a test using it
always ends.
"""

from __future__ import annotations

import socket
import struct
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

STATUS = b"\x10\x04\x04"
PAPER_OK = b"\x12"
PAPER_OUT = b"\x72"
LIFETIME = 5.0  # no connection of the fake lives longer than this


@dataclass
class FakePrinter:
    """Modes: ``ok``, ``paper_out``, ``stall`` (accepts, never reads or answers),
    ``drop`` (answers the first status, reads ``drop_after`` bytes more, then hangs up).

    ``mode`` may change while the fake runs (a stalled printer that comes back): each new
    connection reads it. ``received`` holds the last connection's bytes (status queries left out),
    ``payloads`` every connection's, in order. ``on_first_bytes`` runs on the fake's thread when a
    connection's first bytes arrive, before anything is answered (the R2 check looks at the
    database from there).
    """

    mode: str = "ok"
    drop_after: int = 64
    received: bytearray = field(default_factory=bytearray)
    connections: int = 0
    payloads: list[bytes] = field(default_factory=list)
    on_first_bytes: Callable[[], None] | None = None

    def __post_init__(self) -> None:
        self._server = socket.create_server(("127.0.0.1", 0))
        self._server.settimeout(0.1)
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._accepter = threading.Thread(target=self._accept_loop, daemon=True)
        self._accepter.start()

    @property
    def uri(self) -> str:
        """The printer URI that reaches this fake."""
        return f"tcp://127.0.0.1:{self._server.getsockname()[1]}"

    def close(self) -> None:
        """Stop accepting and wait for the connection threads (bounded by their timeouts)."""
        self._stop.set()
        self._accepter.join(LIFETIME)
        for thread in self._threads:
            thread.join(LIFETIME)
        self._server.close()

    def _accept_loop(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._server.accept()
            except TimeoutError:
                continue
            self.connections += 1
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(0.1)
            if self.mode == "stall":
                self._stop.wait(LIFETIME)
                return
            self._talk(conn)

    def _talk(self, conn: socket.socket) -> None:
        buffer = bytearray()
        try:
            self._converse(conn, buffer)
        finally:
            self.payloads.append(bytes(buffer.replace(STATUS, b"")))

    def _converse(self, conn: socket.socket, buffer: bytearray) -> None:
        answered = 0
        waited = 0.0
        while waited < LIFETIME:
            try:
                chunk = conn.recv(4096)
            except TimeoutError:
                # Quiet for a moment after close() was asked: nothing more is on its way.
                if self._stop.is_set():
                    return
                waited += 0.1
                continue
            if not chunk:
                return
            if not buffer and self.on_first_bytes is not None:
                self.on_first_bytes()
            buffer += chunk
            if self.mode == "drop" and answered and len(buffer) > self.drop_after:
                # Hang up with a reset, as a printer losing power mid-job does.
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                return
            while buffer.count(STATUS) > answered:
                answered += 1
                conn.sendall(PAPER_OUT if self.mode == "paper_out" else PAPER_OK)
            self.received[:] = buffer.replace(STATUS, b"")
