"""The print queue keeps every job until a printer takes it, across restarts (RELIABILITY R3)."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
from dataclasses import replace
from pathlib import Path

import pytest

from feetui.printing.escpos_render import PrintProfile, render_document
from feetui.printing.spool import PrintSpool
from tests.printing.escpos_decoder import decode
from tests.printing.fake_printer import FakePrinter
from tests.printing.samples import receipt

TIMEOUT = 0.5


def _offline_uri() -> str:
    with socket.create_server(("127.0.0.1", 0)) as server:
        return f"tcp://127.0.0.1:{server.getsockname()[1]}"


@pytest.fixture
def spool(tmp_path: Path) -> PrintSpool:
    return PrintSpool.beside_database(tmp_path / "counter.sqlite3")


def test_spool_lives_beside_the_database(tmp_path: Path) -> None:
    spool = PrintSpool.beside_database(tmp_path / "counter.sqlite3")
    assert spool.folder == tmp_path / "counter.sqlite3.print-spool"
    assert spool.pending() == []


def test_failed_job_stays_queued_with_its_reason_and_survives_a_restart(
    spool: PrintSpool,
) -> None:
    data = render_document(receipt(), PrintProfile(columns=32))
    job = spool.enqueue(data, document_id="pay-1", kind="receipt")
    failure = spool.attempt(job, _offline_uri(), TIMEOUT)
    assert failure is not None and failure.code == "printer_offline"

    reopened = PrintSpool(spool.folder).pending()
    assert len(reopened) == 1
    kept = reopened[0]
    assert (kept.job_id, kept.document_id, kept.kind, kept.data) == (
        job.job_id,
        "pay-1",
        "receipt",
        data,
    )
    assert (kept.attempts, kept.last_failure) == (1, "printer_offline")


def test_retry_after_the_printer_returns_prints_once_and_empties_the_queue(
    spool: PrintSpool,
) -> None:
    data = render_document(receipt(), PrintProfile(columns=32))
    spool.enqueue(data, document_id="pay-1", kind="receipt")
    stalled = FakePrinter(mode="stall")
    try:
        failure = spool.attempt(spool.pending()[0], stalled.uri, TIMEOUT)
    finally:
        stalled.close()
    assert failure is not None and failure.code == "printer_timeout"

    printer = FakePrinter()
    try:
        assert spool.attempt(spool.pending()[0], printer.uri, TIMEOUT) is None
    finally:
        printer.close()
    assert bytes(printer.received) == data
    assert spool.pending() == []


def test_job_sent_part_way_stays_queued(spool: PrintSpool) -> None:
    job = spool.enqueue(render_document(receipt(), PrintProfile(32)), document_id="p", kind="r")
    dropping = FakePrinter(mode="drop", drop_after=100)
    try:
        failure = spool.attempt(job, dropping.uri, TIMEOUT)
    finally:
        dropping.close()
    assert failure is not None and failure.code == "printer_write_failed"
    assert [j.job_id for j in spool.pending()] == [job.job_id]


def test_printed_job_is_removed_and_not_sent_again(spool: PrintSpool, tmp_path: Path) -> None:
    target = tmp_path / "paper.bin"
    job = spool.enqueue(b"receipt-bytes\n", document_id="pay-1", kind="receipt")
    assert spool.attempt(job, f"file:{target}") is None
    assert spool.attempt(job, f"file:{target}") is None  # already printed: nothing happens
    assert target.read_bytes() == b"receipt-bytes\n"
    assert spool.pending() == []


def test_jobs_come_out_in_the_order_they_went_in(spool: PrintSpool, tmp_path: Path) -> None:
    jobs = [
        spool.enqueue(f"job {n}\n".encode(), document_id=str(n), kind="receipt") for n in range(3)
    ]
    assert [j.document_id for j in spool.pending()] == ["0", "1", "2"]
    spool.discard(jobs[0])
    later = spool.enqueue(b"job 3\n", document_id="3", kind="receipt")
    assert later.sequence > jobs[2].sequence
    assert [j.document_id for j in PrintSpool(spool.folder).pending()] == ["1", "2", "3"]


def test_damaged_job_file_is_set_aside_and_the_rest_still_print(spool: PrintSpool) -> None:
    good = spool.enqueue(b"good\n", document_id="good", kind="receipt")
    bad = spool.enqueue(b"will be cut short\n", document_id="bad", kind="receipt")
    path = spool.folder / bad.file_name
    path.write_bytes(path.read_bytes()[:-5])
    (spool.folder / ".000000000009-x.job.tmp").write_bytes(b"half-written")
    assert [j.job_id for j in spool.pending()] == [good.job_id]
    assert path.with_suffix(".bad").exists()


def test_reprint_is_a_new_job_marked_with_its_copy_count(spool: PrintSpool) -> None:
    original = receipt()
    spool.enqueue(render_document(original, PrintProfile(32)), document_id="pay-1", kind="receipt")
    again = replace(original, copy_count=original.copy_count + 1)
    job = spool.enqueue(
        render_document(again, PrintProfile(32)),
        document_id="pay-1",
        kind="receipt",
        copy_count=again.copy_count,
    )
    pending = PrintSpool(spool.folder).pending()
    assert [j.copy_count for j in pending] == [0, 1]
    paper = decode(pending[1].data)
    assert any(line.text.strip() == "重打/COPY 第1次" for line in paper.lines)
    assert paper.drawer_kicks == 0
    assert job.job_id != pending[0].job_id


def test_enqueue_into_an_unwritable_place_raises_rather_than_losing_silently(
    tmp_path: Path,
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    with pytest.raises(OSError):
        PrintSpool(blocker).enqueue(b"x", document_id="d", kind="receipt")


def _race(workers: int, work) -> list:
    """Start ``workers`` threads at the same instant on ``work`` and return their answers."""
    barrier = threading.Barrier(workers)
    answers: list = [None] * workers

    def run(index: int) -> None:
        barrier.wait(5)
        answers[index] = work()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    return answers


@pytest.mark.parametrize("round_", range(3))
def test_two_workers_retrying_one_job_send_it_once(tmp_path: Path, round_: int) -> None:
    # Each worker makes its own spool object, as two presses of F (retry) did: the lock is the
    # folder's, not the object's.
    db_path = tmp_path / "counter.sqlite3"
    data = render_document(receipt(), PrintProfile(columns=32))
    job = PrintSpool.beside_database(db_path).enqueue(data, document_id="pay-1", kind="receipt")
    printer = FakePrinter()
    try:
        answers = _race(
            4, lambda: PrintSpool.beside_database(db_path).attempt(job, printer.uri, TIMEOUT)
        )
    finally:
        printer.close()
    assert answers == [None] * 4
    assert printer.connections == 1
    assert bytes(printer.received) == data
    assert PrintSpool.beside_database(db_path).pending() == []


def test_two_workers_on_a_file_printer_write_the_job_once(tmp_path: Path) -> None:
    db_path, paper = tmp_path / "counter.sqlite3", tmp_path / "paper.bin"
    spool = PrintSpool.beside_database(db_path)
    for n in range(5):
        spool.enqueue(f"receipt {n}\n".encode(), document_id=str(n), kind="receipt")

    def retry_all() -> None:
        each = PrintSpool.beside_database(db_path)
        for job in each.pending():
            assert each.attempt(job, f"file:{paper}") is None

    _race(3, retry_all)
    assert paper.read_bytes() == b"".join(f"receipt {n}\n".encode() for n in range(5))


_HOLDER = """
import sys
from pathlib import Path
from feetui.printing.spool import PrintSpool
with PrintSpool(Path(sys.argv[1]))._sending(5.0) as held:
    print("held" if held else "not held", flush=True)
    sys.stdin.readline()
"""


def test_another_process_sending_keeps_this_one_from_sending_the_same_job(
    spool: PrintSpool, tmp_path: Path
) -> None:
    paper = tmp_path / "paper.bin"
    job = spool.enqueue(b"receipt\n", document_id="pay-1", kind="receipt")
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(spool.folder)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        failure = spool.attempt(job, f"file:{paper}", timeout=0.1)
        assert failure is not None and failure.code == "printer_busy"
        assert not paper.exists()
        assert [(j.job_id, j.attempts) for j in spool.pending()] == [(job.job_id, 0)]
    finally:
        holder.communicate("\n", timeout=10)
    assert spool.attempt(job, f"file:{paper}") is None
    assert paper.read_bytes() == b"receipt\n"
    assert spool.pending() == []


def test_a_failure_counted_by_one_worker_is_not_lost_by_another(spool: PrintSpool) -> None:
    job = spool.enqueue(b"receipt\n", document_id="pay-1", kind="receipt")
    offline = _offline_uri()
    assert spool.attempt(job, offline, TIMEOUT) is not None
    assert spool.attempt(job, offline, TIMEOUT) is not None  # the caller's copy says 0 attempts
    assert spool.pending()[0].attempts == 2
