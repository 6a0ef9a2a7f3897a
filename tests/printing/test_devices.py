"""Printers that work, and ones that refuse, stall, hang up or have no paper (RELIABILITY R3)."""

from __future__ import annotations

import os
import select
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from feetui.i18n import _, set_language, tr_error
from feetui.printing.devices import FAILURE_CODES, PrintFailure, parse_uri, send
from feetui.printing.escpos_render import PrintProfile, render_document
from tests.printing.escpos_decoder import decode
from tests.printing.fake_printer import FakePrinter
from tests.printing.samples import receipt

# Short enough to keep the suite fast, long enough for loopback on a busy CI machine.
TIMEOUT = 0.5


@pytest.fixture(scope="module")
def receipt_bytes() -> bytes:
    return render_document(receipt(), PrintProfile(columns=32))


@pytest.fixture
def fake() -> Iterator[FakePrinter]:
    printer = FakePrinter()
    yield printer
    printer.close()


def _closed_port() -> int:
    with socket.create_server(("127.0.0.1", 0)) as server:
        return server.getsockname()[1]


def test_tcp_printer_receives_the_exact_bytes(fake: FakePrinter, receipt_bytes: bytes) -> None:
    send(fake.uri, receipt_bytes, TIMEOUT)
    fake.close()
    assert bytes(fake.received) == receipt_bytes
    assert decode(bytes(fake.received)).cuts == 1


def test_refused_connection_is_reported_as_printer_offline(receipt_bytes: bytes) -> None:
    with pytest.raises(PrintFailure) as caught:
        send(f"tcp://127.0.0.1:{_closed_port()}", receipt_bytes, TIMEOUT)
    assert caught.value.code == "printer_offline"


@pytest.mark.timeout(10)
def test_stalled_printer_is_reported_as_timeout_not_as_printed(receipt_bytes: bytes) -> None:
    stalled = FakePrinter(mode="stall")
    try:
        with pytest.raises(PrintFailure) as caught:
            send(stalled.uri, receipt_bytes, TIMEOUT)
    finally:
        stalled.close()
    assert caught.value.code == "printer_timeout"
    assert stalled.connections == 1


@pytest.mark.timeout(10)
def test_printer_hanging_up_mid_job_is_reported_as_write_failed(receipt_bytes: bytes) -> None:
    dropping = FakePrinter(mode="drop", drop_after=100)
    try:
        with pytest.raises(PrintFailure) as caught:
            send(dropping.uri, receipt_bytes, TIMEOUT)
    finally:
        dropping.close()
    assert caught.value.code == "printer_write_failed"


def test_printer_without_paper_gets_nothing_and_says_so(receipt_bytes: bytes) -> None:
    empty = FakePrinter(mode="paper_out")
    try:
        with pytest.raises(PrintFailure) as caught:
            send(empty.uri, receipt_bytes, TIMEOUT)
    finally:
        empty.close()
    assert caught.value.code == "printer_out_of_paper"
    assert bytes(empty.received) == b""


def test_status_check_can_be_turned_off_for_printers_that_cannot_answer(
    fake: FakePrinter, receipt_bytes: bytes
) -> None:
    send(fake.uri + "?status=0", receipt_bytes, TIMEOUT)
    fake.close()
    assert bytes(fake.received) == receipt_bytes


def test_file_printer_appends_raw_bytes(tmp_path: Path, receipt_bytes: bytes) -> None:
    target = tmp_path / "printer.bin"
    send(f"file:{target}", receipt_bytes)
    send(f"file:{target}", b"second")
    assert target.read_bytes() == receipt_bytes + b"second"


def test_file_printer_in_a_missing_folder_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(PrintFailure) as caught:
        send(f"file:{tmp_path / 'no-such-dir' / 'printer.bin'}", b"x")
    assert caught.value.code == "printer_not_found"


def test_file_printer_that_cannot_be_written_fails_the_write(tmp_path: Path) -> None:
    with pytest.raises(PrintFailure) as caught:
        send(f"file:{tmp_path}", b"x")  # a folder, not a file
    assert caught.value.code == "printer_write_failed"


def test_none_printer_prints_nothing_and_succeeds(receipt_bytes: bytes) -> None:
    assert send("none", receipt_bytes) is None


def test_serial_printer_receives_the_exact_bytes(receipt_bytes: bytes) -> None:
    controller, port = os.openpty()
    try:
        send(f"serial:{os.ttyname(port)}?baudrate=9600", receipt_bytes, TIMEOUT)
        received = b""
        while select.select([controller], [], [], 0.2)[0]:
            received += os.read(controller, 65536)
    finally:
        os.close(controller)
        os.close(port)
    assert received == receipt_bytes


@pytest.mark.timeout(10)
def test_serial_printer_that_stops_reading_times_out() -> None:
    controller, port = os.openpty()
    try:
        # Nobody reads the other end: the line fills up, as with a jammed serial printer.
        with pytest.raises(PrintFailure) as caught:
            send(f"serial:{os.ttyname(port)}", b"x" * (1 << 20), TIMEOUT)
    finally:
        os.close(controller)
        os.close(port)
    assert caught.value.code == "printer_timeout"


def test_missing_serial_port_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(PrintFailure) as caught:
        send(f"serial:{tmp_path / 'ttyUSB9'}", b"x", TIMEOUT)
    assert caught.value.code == "printer_not_found"


def test_absent_usb_printer_is_not_found() -> None:
    # No USB printer with this id is attached here (nor, often, a libusb backend): both say so.
    with pytest.raises(PrintFailure) as caught:
        send("usb:0x0fe6:0x811e", b"x", TIMEOUT)
    assert caught.value.code == "printer_not_found"


@pytest.mark.parametrize(
    "uri",
    ["", "lpt1", "usb:zz:01", "usb:0416", "tcp://", "serial:/dev/ttyS0?baudrate=fast", "file:"],
)
def test_malformed_printer_uri_is_reported_as_bad_uri(uri: str) -> None:
    with pytest.raises(PrintFailure) as caught:
        parse_uri(uri)
    assert caught.value.code == "printer_bad_uri"


def test_printer_uris_are_parsed_with_their_defaults() -> None:
    assert parse_uri("tcp://192.0.2.7").port == 9100
    assert parse_uri("tcp://printer.local:9101").target == "printer.local"
    assert parse_uri("usb:0x0416:0x5011").target == "0416:5011"
    serial = parse_uri("serial:/dev/ttyUSB0?baudrate=19200")
    assert (serial.target, serial.options["baudrate"]) == ("/dev/ttyUSB0", "19200")
    assert parse_uri("tcp://h").wants_status() and not parse_uri("usb:1:2").wants_status()
    assert parse_uri("usb:1:2?status=1").wants_status()


@pytest.mark.parametrize("code", FAILURE_CODES)
def test_every_failure_reads_as_a_sentence_in_chinese(code: str) -> None:
    set_language("zh_CN")
    failure = PrintFailure(code, "tcp://192.0.2.7:9100")
    text = tr_error(failure)
    assert "tcp://192.0.2.7:9100" in text
    assert _(failure.message) != failure.message, "untranslated"
    assert any("\u4e00" <= char <= "\u9fff" for char in text)
