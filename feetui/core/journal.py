"""The per-device journal hash chain: each entry holds the hash of the one before it.

Every posted record of a counter is also written as a journal entry numbered 1, 2, 3 ... on that
device. An entry's hash covers its device, number, record id, kind, canonical JSON payload and the
previous entry's hash, so changing, deleting, inserting or reordering entries breaks the chain at
the first entry touched (RELIABILITY R10). The first entry's previous hash is
:data:`GENESIS_HASH`. Anyone can recompute a SHA-256, so an edit that also rewrites every later
hash is caught by comparing with hashes HQ already holds: HQ verifies each pushed batch from the
last hash it acknowledged (``start_seq`` / ``start_prev_hash`` of :func:`verify_chain`).

Payloads are canonical JSON (sorted keys, no spaces, UTF-8 text) with money as int fen: a float is
refused, because its text is not stable and money is never a float.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from json.encoder import encode_basestring
from typing import Any, Literal

GENESIS_HASH = "0" * 64
"""The previous hash of a device's first journal entry."""

_DOMAIN = b"feetui.journal.v1\x00"
"""Prefix of every hashed message, so a journal hash can never collide with another use."""

BreakReason = Literal["seq_gap", "prev_hash_mismatch", "hash_mismatch", "device_mismatch"]

# Built once: json.dumps builds a new encoder on every call with these options. ``encode`` gives
# exactly json.dumps's text for the same options (tests/core/test_journal.py holds them equal).
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _plain(value: Any) -> bool:
    """True for a dict with str keys (or a list) holding only str, int, bool, None, and dicts or
    lists of the same: no float anywhere. Exact types, so a quick check of the common shape."""
    if type(value) is dict:
        for key, item in value.items():
            if type(key) is not str:
                return False
            kind = type(item)
            if not (kind is str or kind is int or kind is bool or item is None or _plain(item)):
                return False
        return True
    if type(value) is list:
        for item in value:
            kind = type(item)
            if not (kind is str or kind is int or kind is bool or item is None or _plain(item)):
                return False
        return True
    return False


def _refuse_floats(value: Any) -> None:
    """Walk a JSON-bound value; raise TypeError on a float or a non-string key anywhere."""
    if isinstance(value, float):
        raise TypeError("journal payloads hold no floats: money is int fen")
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"journal payload keys must be str, got {type(key).__name__}")
            _refuse_floats(item)
    elif isinstance(value, list | tuple):
        for item in value:
            _refuse_floats(item)


def canonical_json(payload: Mapping[str, Any]) -> str:
    """The one text of a payload: sorted keys, no spaces, non-ASCII kept as is.

    Args:
        payload: JSON-compatible values; money as int fen.

    Returns:
        Canonical JSON text.

    Raises:
        TypeError: a float, a non-string key or a value JSON cannot hold.
    """
    # The common shape (plain dicts, lists, str, int, bool, None) is checked by a quick walk;
    # anything else takes the full walk, which raises on a float or a non-string key.
    if not _plain(payload):
        _refuse_floats(payload)
    return _CANONICAL.encode(payload)


def entry_hash(
    *, device_id: str, seq: int, record_id: str, kind: str, payload_json: str, prev_hash: str
) -> str:
    """SHA-256 (hex) of one journal entry, over an unambiguous encoding of all its fields.

    The fields are encoded as a JSON array (each string quoted and escaped), so no two different
    entries share the encoded message, whatever characters their fields hold.

    Raises:
        TypeError: ``seq`` is not an int or a text field is not a str.
    """
    if isinstance(seq, bool) or not isinstance(seq, int):
        raise TypeError("seq must be an int")
    if not (
        isinstance(device_id, str)
        and isinstance(record_id, str)
        and isinstance(kind, str)
        and isinstance(payload_json, str)
        and isinstance(prev_hash, str)
    ):
        raise TypeError("journal entry fields must be str")
    # The JSON array [device_id, seq, record_id, kind, payload_json, prev_hash] as
    # json.dumps(fields, separators=(",", ":"), ensure_ascii=False) writes it, built from the same
    # C string quoting and int text json uses (tests/core/test_journal.py holds them equal).
    message = (
        f"[{encode_basestring(device_id)},{int.__repr__(seq)},{encode_basestring(record_id)},"
        f"{encode_basestring(kind)},{encode_basestring(payload_json)},"
        f"{encode_basestring(prev_hash)}]"
    )
    return hashlib.sha256(_DOMAIN + message.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class ChainEntry:
    """One link of a device's journal chain, as stored.

    Attributes:
        device_id: the counter that wrote it.
        seq: its number on that device: 1, 2, 3 ... without gaps.
        record_id: the id of the record it journals.
        kind: the record's kind (``payment``, ``void`` ...).
        payload_json: the record as canonical JSON.
        prev_hash: the hash of the entry before (``GENESIS_HASH`` for the first).
        hash: this entry's hash (see :func:`entry_hash`).
    """

    device_id: str
    seq: int
    record_id: str
    kind: str
    payload_json: str
    prev_hash: str
    hash: str

    def computed_hash(self) -> str:
        """The hash its fields should have."""
        return entry_hash(
            device_id=self.device_id,
            seq=self.seq,
            record_id=self.record_id,
            kind=self.kind,
            payload_json=self.payload_json,
            prev_hash=self.prev_hash,
        )


def make_entry(
    *, device_id: str, seq: int, record_id: str, kind: str, payload_json: str, prev_hash: str
) -> ChainEntry:
    """A new chain entry with its hash computed (the next link after ``prev_hash``)."""
    digest = entry_hash(
        device_id=device_id,
        seq=seq,
        record_id=record_id,
        kind=kind,
        payload_json=payload_json,
        prev_hash=prev_hash,
    )
    return ChainEntry(device_id, seq, record_id, kind, payload_json, prev_hash, digest)


@dataclass(frozen=True, slots=True)
class ChainBreak:
    """Where and why a chain stops being trustworthy.

    Attributes:
        seq: the number the first bad link should have had.
        reason: ``seq_gap`` (a number missing, repeated or out of order), ``prev_hash_mismatch``
            (the link does not point at the entry before), ``hash_mismatch`` (the entry's content
            was changed) or ``device_mismatch`` (an entry of another device).
    """

    seq: int
    reason: BreakReason


def _check_link(
    entry: ChainEntry, *, seq: int, prev_hash: str, device_id: str | None, hash_ok: bool | None
) -> BreakReason | None:
    if device_id is not None and entry.device_id != device_id:
        return "device_mismatch"
    if entry.seq != seq:
        return "seq_gap"
    if entry.prev_hash != prev_hash:
        return "prev_hash_mismatch"
    if not (entry.hash == entry.computed_hash() if hash_ok is None else hash_ok):
        return "hash_mismatch"
    return None


def verify_chain(
    entries: Iterable[ChainEntry],
    *,
    start_seq: int = 1,
    start_prev_hash: str = GENESIS_HASH,
    device_id: str | None = None,
    hashes_ok: Sequence[bool] | None = None,
) -> ChainBreak | None:
    """Check a device's journal entries, in order, and report the first broken link.

    Args:
        entries: the entries in the order stored (by ``seq``).
        start_seq: the number the first entry must have (1 for a whole journal).
        start_prev_hash: the hash the first entry must point at (the last hash already trusted).
        device_id: the device every entry must belong to; by default the first entry's device.
        hashes_ok: for a caller that has already compared each entry's hash with
            :meth:`ChainEntry.computed_hash` (HQ does, once, as it stores a record): those
            results, one per entry, used instead of hashing every entry a second time. The links
            (device, numbers, previous hashes) are always checked here.

    Returns:
        None when the chain is intact, else the first :class:`ChainBreak`.

    Raises:
        ValueError: ``hashes_ok`` does not have one result per entry.
    """
    seq, prev_hash, device = start_seq, start_prev_hash, device_id
    checked = iter(hashes_ok) if hashes_ok is not None else None
    for entry in entries:
        device = entry.device_id if device is None else device
        hash_ok = None if checked is None else next(checked, None)
        if checked is not None and hash_ok is None:
            raise ValueError("hashes_ok needs one result per entry")
        reason = _check_link(entry, seq=seq, prev_hash=prev_hash, device_id=device, hash_ok=hash_ok)
        if reason is not None:
            return ChainBreak(seq=seq, reason=reason)
        seq, prev_hash = seq + 1, entry.hash
    if checked is not None and next(checked, None) is not None:
        raise ValueError("hashes_ok needs one result per entry")
    return None


__all__ = [
    "GENESIS_HASH",
    "BreakReason",
    "ChainBreak",
    "ChainEntry",
    "canonical_json",
    "entry_hash",
    "make_entry",
    "verify_chain",
]
