"""A durable print queue: one file per job in a folder beside the database.

Printing happens after the payment is committed, so a job must outlive a printer that is off and
an app that is closed. Each job is a file holding a small JSON header (document id, kind, copy
count, attempts, last failure) and the rendered ESC/POS bytes. Files are written to a temporary
name, flushed to disk and renamed into place (then the folder is synced), so after a crash a job
is either whole or absent. A job leaves the spool only when its printer has taken it. The spool
uses no database, keeping ``feetui.printing`` on ``feetui.core`` alone.

Sending is exclusive per spool folder, across threads *and* processes: :meth:`PrintSpool.attempt`
holds an OS file lock on ``<folder>/.send.lock`` (``flock`` on POSIX, ``msvcrt.locking`` on
Windows; each attempt opens the file anew, so two threads of one process exclude each other as
two processes do) and, holding it, reads the job file again. A job another worker printed
meanwhile is gone by then and is not sent again, so pressing retry twice, or the app and
``feetui report daily --print`` retrying at once, prints a job once. The only resend left is a
crash after the printer took the bytes and before the file was removed; the next retry (always a
cashier's key, never automatic) prints it again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO

from feetui.printing.devices import DEFAULT_TIMEOUT, PrintFailure, send

MAGIC = b"FEETUI-PRINT-JOB 1\n"
_SUFFIX = ".job"
_SEND_LOCK = ".send.lock"
_LOCK_POLL = 0.02

# One lock per spool folder for reading and writing job files in this process, however many
# PrintSpool objects name the folder (each screen and command makes its own). A registry is the
# one place such a lock can live without every caller sharing an object.
_FOLDER_LOCKS: dict[Path, threading.Lock] = {}
_REGISTRY_LOCK = threading.Lock()


def _folder_lock(folder: Path) -> threading.Lock:
    """The process's file lock for ``folder`` (the same object for every spool naming it)."""
    key = Path(os.path.abspath(folder))
    with _REGISTRY_LOCK:
        return _FOLDER_LOCKS.setdefault(key, threading.Lock())


@dataclass(frozen=True, slots=True)
class PrintJob:
    """A document waiting for its printer.

    Attributes:
        job_id: this job's own id (a reprint is a new job).
        sequence: order of arrival; jobs print oldest first.
        document_id: the record the document shows (payment, void, shift ...).
        kind: ``receipt``, ``void_slip``, ``shift_report``, ``daily_report``, ``reminder_notice``.
        copy_count: 0 for the original, n for the n-th reprint.
        data: the ESC/POS bytes.
        attempts: how many times sending failed.
        last_failure: the code of the last failure (``printer_offline`` ...), or empty.
    """

    job_id: str
    sequence: int
    document_id: str
    kind: str
    copy_count: int
    data: bytes
    attempts: int = 0
    last_failure: str = ""

    @property
    def file_name(self) -> str:
        """The job's file name: its sequence first, so names sort in print order."""
        return f"{self.sequence:012d}-{self.job_id}{_SUFFIX}"


@dataclass(frozen=True, slots=True)
class SpoolState:
    """What waits in a spool, for the status bar: how many jobs and why the last one failed.

    Attributes:
        waiting: jobs not yet printed.
        last_failure: the failure code to show (one of the printing ``FAILURE_CODES``), or empty.
        device: the printer URI the failure is about.
        oldest_kind: the kind of the job that prints next (empty when none waits).
    """

    waiting: int = 0
    last_failure: str = ""
    device: str = ""
    oldest_kind: str = ""


class PrintSpool:
    """The print queue in ``folder`` (created on first use).

    Args:
        folder: where job files live; use :meth:`beside_database` for the app's own.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self._lock = _folder_lock(self.folder)

    @classmethod
    def beside_database(cls, db_path: Path) -> PrintSpool:
        """The spool of the counter whose database is ``db_path``: ``<name>.print-spool/``."""
        db_path = Path(db_path)
        return cls(db_path.with_name(db_path.name + ".print-spool"))

    def enqueue(self, data: bytes, *, document_id: str, kind: str, copy_count: int = 0) -> PrintJob:
        """Store a rendered document durably and return its job.

        Raises:
            OSError: the folder cannot be written (the caller shows it; the payment stands).
        """
        with self._lock:
            self.folder.mkdir(parents=True, exist_ok=True)
            job = PrintJob(
                job_id=uuid.uuid4().hex,
                sequence=self._next_sequence(),
                document_id=document_id,
                kind=kind,
                copy_count=copy_count,
                data=data,
            )
            self._write(job)
        return job

    def pending(self) -> list[PrintJob]:
        """Every job not yet printed, oldest first. Unreadable files are set aside as ``.bad``."""
        if not self.folder.is_dir():
            return []
        jobs = []
        with self._lock:
            for path in sorted(self.folder.glob("*" + _SUFFIX)):
                job = _read(path)
                if job is None:
                    path.replace(path.with_suffix(".bad"))
                else:
                    jobs.append(job)
        return jobs

    def state(self, device: str, last_failure: str | None = None) -> SpoolState:
        """How many jobs wait, and why.

        Args:
            device: the printer URI the reason is about.
            last_failure: the outcome of this session's last print: a failure code, or ``""``
                after a success (no reason shown); ``None`` before any print, when the oldest
                job's recorded reason is shown (retrying stops at the first job that fails, so
                it carries the newest reason a spool remembers across a restart).
        """
        jobs = self.pending()
        if not jobs:
            return SpoolState(device=device)
        if last_failure is None:
            last_failure = next((job.last_failure for job in jobs if job.last_failure), "")
        return SpoolState(len(jobs), last_failure, device, jobs[0].kind)

    def attempt(
        self, job: PrintJob, uri: str, timeout: float = DEFAULT_TIMEOUT
    ) -> PrintFailure | None:
        """Send ``job`` to the printer at ``uri``, unless another worker already printed it.

        Holds the folder's send lock (threads and processes) for the whole send, and reads the
        job file again under it, so a job is sent at most once however many workers try.

        Returns:
            ``None`` when the printer took it (the job is gone from the spool) or the job was
            already gone; otherwise the failure, and the job stays with its attempt counted and
            the reason recorded. ``printer_busy`` when another sender held the printer past
            ``2 * timeout + 1`` seconds (the job stays, untouched).
        """
        path = self.folder / job.file_name
        with self._sending(2 * timeout + 1.0) as held:
            if not held:
                return PrintFailure("printer_busy", uri, "send lock held by another sender")
            with self._lock:
                current = _read(path) if path.exists() else None
            if current is None:
                return None  # printed meanwhile by another worker, or discarded
            try:
                send(uri, current.data, timeout)
            except PrintFailure as failure:
                with self._lock:
                    if path.exists():
                        failed = replace(
                            current, attempts=current.attempts + 1, last_failure=failure.code
                        )
                        self._write(failed)
                return failure
            self.discard(current)
        return None

    @contextlib.contextmanager
    def _sending(self, wait: float) -> Iterator[bool]:
        """Hold the folder's send lock; yields False when it stayed taken for ``wait`` seconds."""
        self.folder.mkdir(parents=True, exist_ok=True)
        with (self.folder / _SEND_LOCK).open("a+b") as handle:
            end = time.monotonic() + wait
            while not _try_lock(handle):
                if time.monotonic() >= end:
                    yield False
                    return
                time.sleep(_LOCK_POLL)
            try:
                yield True
            finally:
                _unlock(handle)

    def discard(self, job: PrintJob) -> None:
        """Remove ``job`` (printed, or given up by the cashier)."""
        with self._lock:
            (self.folder / job.file_name).unlink(missing_ok=True)
            _sync_folder(self.folder)

    def _next_sequence(self) -> int:
        names = [p.name for p in self.folder.glob("*" + _SUFFIX)]
        numbers = [int(name.split("-", 1)[0]) for name in names if name[:12].isdigit()]
        return max(numbers, default=0) + 1

    def _write(self, job: PrintJob) -> None:
        """Write ``job`` atomically: temporary file, fsync, rename, fsync the folder."""
        header = {
            "job_id": job.job_id,
            "sequence": job.sequence,
            "document_id": job.document_id,
            "kind": job.kind,
            "copy_count": job.copy_count,
            "attempts": job.attempts,
            "last_failure": job.last_failure,
            "size": len(job.data),
            "sha256": hashlib.sha256(job.data).hexdigest(),
        }
        temporary = self.folder / f".{job.file_name}.tmp"
        with temporary.open("wb") as handle:
            handle.write(MAGIC + json.dumps(header).encode() + b"\n" + job.data)
            handle.flush()
            os.fsync(handle.fileno())
        temporary.replace(self.folder / job.file_name)
        _sync_folder(self.folder)


def _read(path: Path) -> PrintJob | None:
    """The job in ``path``, or ``None`` when the file is damaged."""
    try:
        raw = path.read_bytes()
        if not raw.startswith(MAGIC):
            return None
        header_line, _, data = raw[len(MAGIC) :].partition(b"\n")
        header = json.loads(header_line)
        if len(data) != header["size"] or hashlib.sha256(data).hexdigest() != header["sha256"]:
            return None
        return PrintJob(
            job_id=str(header["job_id"]),
            sequence=int(header["sequence"]),
            document_id=str(header["document_id"]),
            kind=str(header["kind"]),
            copy_count=int(header["copy_count"]),
            data=data,
            attempts=int(header["attempts"]),
            last_failure=str(header["last_failure"]),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _try_lock(handle: IO[bytes]) -> bool:
    """Take the exclusive lock on ``handle``'s file without waiting; False when it is held."""
    try:
        if sys.platform == "win32":  # pragma: no cover - exercised on Windows builds only
            import msvcrt

            handle.seek(0)
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _unlock(handle: IO[bytes]) -> None:
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows builds only
        import msvcrt

        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
    else:
        import fcntl

        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _sync_folder(folder: Path) -> None:
    """Make a rename or delete in ``folder`` durable (a no-op where folders cannot be opened)."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        # Some file systems cannot sync a directory; the rename itself is done either way.
        with contextlib.suppress(OSError):
            os.fsync(descriptor)
    finally:
        os.close(descriptor)


__all__ = ["PrintJob", "PrintSpool", "SpoolState"]
