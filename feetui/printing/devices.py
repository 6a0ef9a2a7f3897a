"""Sending rendered bytes to a printer named by a URI, with failures the cashier can read.

URIs: ``usb:VID:PID`` (hex ids), ``tcp://HOST[:9100]``, ``serial:/dev/ttyUSB0?baudrate=9600``,
``file:PATH`` (raw bytes appended, for tests and spooling to a device file) and ``none`` (prints
nothing, succeeds). Every failure becomes a :class:`PrintFailure` whose ``code`` is one of
:data:`FAILURE_CODES` and whose message id the screen translates.

Sending blocks (callers run it in a thread worker) but never for longer than ``timeout`` seconds
on a network printer: the connection, each write and each status read share one deadline. A TCP
printer accepts bytes into the network buffer whether it prints them or not, so after the bytes
we ask the printer for its paper status (``DLE EOT 4``) and only a printer that answers has
taken the job: a printer that stalls, or drops the connection part-way, is reported, not trusted.
The same question before sending finds a printer that is out of paper. Add ``?status=0`` to the
URI of a printer that cannot answer; ``?status=1`` asks USB and serial printers too.
"""

from __future__ import annotations

import os
import socket
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from feetui.core.errors import N_, FeeError
from feetui.printing.escpos_render import load_escpos

DEFAULT_TIMEOUT = 2.0
STATUS_PAPER = b"\x10\x04\x04"  # DLE EOT 4: roll paper sensor status
_PAPER_END = 0x60

FAILURE_CODES = (
    "printer_offline",
    "printer_timeout",
    "printer_not_found",
    "printer_write_failed",
    "printer_out_of_paper",
    "printer_bad_uri",
    "printer_busy",
)

_MESSAGES = {
    "printer_offline": N_(
        "The printer {device} does not answer: is it switched on and plugged in?"
    ),
    "printer_timeout": N_(
        "The printer {device} stopped responding; the document may not have printed."
    ),
    "printer_not_found": N_("No printer was found at {device}; check the printer setting."),
    "printer_write_failed": N_(
        "Sending to the printer {device} failed part-way; check the printer and print again."
    ),
    "printer_out_of_paper": N_("The printer {device} is out of paper."),
    "printer_bad_uri": N_("The printer setting {device} is not a printer address this app knows."),
    "printer_busy": N_(
        "The printer {device} is still busy with another document; try again in a moment."
    ),
}


# A few words per failure, for the status bar's print-queue badge (the full sentence is above).
SHORT_REASONS = {
    "printer_offline": N_("printer not answering"),
    "printer_timeout": N_("printer stopped responding"),
    "printer_not_found": N_("printer not found"),
    "printer_write_failed": N_("sending broke off"),
    "printer_out_of_paper": N_("out of paper"),
    "printer_bad_uri": N_("printer setting wrong"),
    "printer_busy": N_("printer busy"),
}


class PrintFailure(FeeError):
    """A document did not reach the paper; ``code`` says why (one of :data:`FAILURE_CODES`).

    Args:
        code: the reason.
        device: the printer URI, shown to the cashier.
        detail: what the operating system said, for the log (not translated).
    """

    def __init__(self, code: str, device: str, detail: str = "") -> None:
        super().__init__(code, _MESSAGES[code], device=device)
        self.detail = detail


@dataclass(frozen=True, slots=True)
class DeviceAddress:
    """A parsed printer URI."""

    kind: str
    target: str = ""
    port: int = 9100
    options: dict[str, str] = field(default_factory=dict)

    def wants_status(self) -> bool:
        """Whether to ask the printer for its status around the job (default: TCP only)."""
        default = "1" if self.kind == "tcp" else "0"
        return self.options.get("status", default) not in ("0", "no", "off", "false")


def parse_uri(uri: str) -> DeviceAddress:
    """Read a printer URI.

    Raises:
        PrintFailure: ``printer_bad_uri`` when it is not one of the forms this module knows.
    """
    text = uri.strip()
    try:
        return _parse(text)
    except (ValueError, IndexError) as error:
        raise PrintFailure("printer_bad_uri", uri, str(error)) from None


def _parse(text: str) -> DeviceAddress:
    if text in ("none", "none:"):
        return DeviceAddress("none")
    scheme, _, rest = text.partition(":")
    path, _, query = rest.partition("?")
    options = {key: values[-1] for key, values in parse_qs(query).items()}
    if scheme == "file" and path:
        return DeviceAddress("file", path, options=options)
    if scheme == "serial" and path:
        int(options.get("baudrate", "9600"))
        return DeviceAddress("serial", path, options=options)
    if scheme == "usb":
        vendor, product = path.split(":")
        return DeviceAddress(
            "usb", f"{int(vendor, 16):04x}:{int(product, 16):04x}", options=options
        )
    if scheme == "tcp":
        parts = urlsplit(text)
        if not parts.hostname:
            raise ValueError("no host")
        return DeviceAddress("tcp", parts.hostname, parts.port or 9100, options)
    raise ValueError(f"unknown printer address {text!r}")


class _Deadline:
    """One time budget shared by every blocking step of a job."""

    def __init__(self, seconds: float) -> None:
        self.end = time.monotonic() + seconds

    def left(self) -> float:
        return max(0.01, self.end - time.monotonic())


def send(uri: str, data: bytes, timeout: float = DEFAULT_TIMEOUT) -> None:
    """Send rendered ESC/POS ``data`` to the printer at ``uri``; return when it has taken them.

    Args:
        uri: the printer URI (see the module docstring).
        data: bytes from :func:`feetui.printing.escpos_render.render`.
        timeout: seconds the whole job may block on a network, USB or serial printer.

    Raises:
        PrintFailure: the printer did not take the job; ``code`` says why.
    """
    address = parse_uri(uri)
    if address.kind == "none":
        return
    if address.kind == "file":
        _send_file(uri, address, data)
        return
    load_escpos()  # before the clock starts: the first import alone takes ~0.5 s
    deadline = _Deadline(timeout)
    printer = _open(uri, address, deadline)
    try:
        _deliver(uri, address, printer, data, deadline)
    finally:
        _close(printer)


def _send_file(uri: str, address: DeviceAddress, data: bytes) -> None:
    """Append ``data`` to a file (or a device node) and make it durable."""
    try:
        with Path(address.target).open("ab") as handle:
            handle.write(data)
            handle.flush()
            if Path(address.target).is_file():
                os.fsync(handle.fileno())
    except (FileNotFoundError, NotADirectoryError) as error:
        raise PrintFailure("printer_not_found", uri, str(error)) from None
    except OSError as error:
        raise PrintFailure("printer_write_failed", uri, str(error)) from None


def _open(uri: str, address: DeviceAddress, deadline: _Deadline) -> Any:
    """Open the python-escpos printer object for ``address`` within the deadline."""
    escpos_printer = load_escpos()
    from escpos.exceptions import DeviceNotFoundError

    try:
        printer = _make(escpos_printer, address, deadline)
        printer.open()
    except DeviceNotFoundError as error:
        if address.kind != "tcp":
            raise PrintFailure("printer_not_found", uri, str(error)) from None
        raise _open_failure(uri, error) from None
    except (OSError, ValueError, RuntimeError) as error:
        # pyusb without a libusb backend raises ValueError; pyserial raises SerialException
        # (an OSError) for a missing port.
        raise PrintFailure("printer_not_found", uri, str(error)) from None
    return printer


def _make(escpos_printer: Any, address: DeviceAddress, deadline: _Deadline) -> Any:
    if address.kind == "tcp":
        return escpos_printer.Network(address.target, address.port, timeout=deadline.left())
    if address.kind == "serial":
        baudrate = int(address.options.get("baudrate", "9600"))
        return escpos_printer.Serial(
            address.target, baudrate=baudrate, timeout=deadline.left(), dsrdtr=False
        )
    vendor, product = (int(part, 16) for part in address.target.split(":"))
    return escpos_printer.Usb(vendor, product, timeout=int(deadline.left() * 1000))


def _open_failure(uri: str, error: Exception) -> PrintFailure:
    """Tell a refused or unreachable network printer from a slow one and a wrong address."""
    cause = error.__context__
    if isinstance(cause, TimeoutError):
        return PrintFailure("printer_timeout", uri, str(cause))
    if isinstance(cause, socket.gaierror):
        return PrintFailure("printer_not_found", uri, str(cause))
    if isinstance(cause, OSError):
        return PrintFailure("printer_offline", uri, str(cause))
    return PrintFailure("printer_not_found", uri, str(error))


def _deliver(
    uri: str, address: DeviceAddress, printer: Any, data: bytes, deadline: _Deadline
) -> None:
    """Status check, the bytes, status check: each step within what is left of the deadline."""
    status = address.wants_status()
    try:
        if status:
            _check_paper(uri, printer, deadline)
        _limit(printer, deadline)
        printer._raw(data)
        if status:
            _check_paper(uri, printer, deadline)
    except PrintFailure:
        raise
    except (OSError, ValueError, RuntimeError) as error:
        # USBError and SerialException are OSErrors too; ValueError is pyusb's "no device".
        code = "printer_timeout" if _is_timeout(error) else "printer_write_failed"
        raise PrintFailure(code, uri, str(error)) from None


def _is_timeout(error: Exception) -> bool:
    """A socket timeout, or pyusb's USBTimeoutError / pyserial's SerialTimeoutException."""
    name = type(error).__name__
    return isinstance(error, TimeoutError) or name in ("USBTimeoutError", "SerialTimeoutException")


def _check_paper(uri: str, printer: Any, deadline: _Deadline) -> None:
    """Ask for the paper status; silence is a timeout, a closed line a failed write."""
    _limit(printer, deadline)
    printer._raw(STATUS_PAPER)
    _limit(printer, deadline)
    answer = printer._read()
    if not answer:
        raise PrintFailure("printer_write_failed", uri, "connection closed by the printer")
    if answer[-1] & _PAPER_END == _PAPER_END:
        raise PrintFailure("printer_out_of_paper", uri, f"status {answer[-1]:#04x}")


def _limit(printer: Any, deadline: _Deadline) -> None:
    """Give the next blocking step only what is left of the job's time."""
    # ``_device``, not ``device``: python-escpos's property re-opens a closed printer.
    device = getattr(printer, "_device", None)
    if isinstance(device, socket.socket):
        device.settimeout(deadline.left())
    elif device is not None and hasattr(device, "write_timeout"):
        device.timeout = deadline.left()
        device.write_timeout = deadline.left()


def _close(printer: Any) -> None:
    """Close quietly: the job's outcome is already decided."""
    try:
        printer.close()
    except (OSError, ValueError, RuntimeError):
        # Closing a connection the printer already dropped fails; nothing is left to report.
        return


__all__ = [
    "DEFAULT_TIMEOUT",
    "FAILURE_CODES",
    "SHORT_REASONS",
    "DeviceAddress",
    "PrintFailure",
    "parse_uri",
    "send",
]
