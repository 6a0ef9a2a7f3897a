"""The wire protocol between a counter and headquarters: message shapes, limits and validation.

Pure: the standard library and :mod:`feetui.core` only, because both the counter's sync client and
the server (``sync_server``) import it. Every ``parse_*`` function takes what ``json.loads`` gave
and returns a frozen value, or raises :class:`ProtocolError` with a stable ``code`` naming the
first problem (``unknown_field``, ``missing_field``, ``wrong_type``, ``bad_value`` ...). Every
value has ``to_json()`` giving the plain object to serialise.

A journal record travels as ``{"device_id", "seq", "record_id", "kind", "payload", "prev_hash",
"hash"}`` where ``hash = entry_hash(device_id, seq, record_id, kind, canonical_json(payload),
prev_hash)``; everything business-relevant lives inside ``payload`` so the hash covers it. Numbers
in a payload are integers (money in ``*_fen``; decimals such as areas travel as strings), so both
ends compute the same canonical JSON.

Why one file past 600 lines: it is the whole contract between two programs, and the server may
import exactly this module from ``feetui.sync`` (the import contract in pyproject.toml); splitting
it would widen that contract.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson

from feetui.core.errors import InputError
from feetui.core.journal import canonical_json, entry_hash
from feetui.core.paycode import PaymentCode, classify_scan

API_PREFIX = "/api/v1"
PROTOCOL_VERSION = 1
MAX_BATCH = 500
"""Most records one push may carry."""
MAX_BODY_BYTES = 4 * 1024 * 1024
"""Largest request body the server reads (a full batch of ordinary records is well under 1 MiB)."""
MAX_PAYLOAD_BYTES = 64 * 1024
"""Largest canonical JSON of one record's payload."""
MAX_PAYLOAD_DEPTH = 8
MAX_INT = 2**53 - 1
"""Largest integer magnitude on the wire (safe in every JSON implementation)."""
DEFAULT_PULL_LIMIT = 500
MAX_PULL_LIMIT = 1000
MAX_NAME_LENGTH = 100

KINDS: tuple[str, ...] = (
    "payment",
    "void",
    "refund",
    "adjustment",
    "charge",
    "meter_reading",
    "shift_open",
    "shift_close",
    "cash_movement",
    "collection_note",
)
"""Record kinds a counter journals and pushes. HQ stores every well-formed record in its journal;
it projects into its report tables the kinds in ``sync_server.services.projection.PROJECTORS``
(all of these but ``collection_note``, which stays in the journal only)."""

STATUS_CREATED = "created"
STATUS_EXISTS = "exists"
STATUS_CONFLICT = "conflict"
RECORD_STATUSES: tuple[str, ...] = (STATUS_CREATED, STATUS_EXISTS, STATUS_CONFLICT)

ENTITIES: tuple[str, ...] = (
    "site",
    "unit",
    "party",
    "vehicle",
    "fee_item",
    "user",
    "charge",
    "journal",
)
"""What a pulled change can be: master data, or another counter's journal record."""
OPS: tuple[str, ...] = ("upsert", "delete")

RECORD_FIELDS: tuple[str, ...] = (
    "device_id",
    "seq",
    "record_id",
    "kind",
    "payload",
    "prev_hash",
    "hash",
)
HEX64 = re.compile(r"^[0-9a-f]{64}$")
# The canonical text of a UUID (what str(uuid.UUID(...)) gives): lower-case 8-4-4-4-12 hex digits.
UUID_TEXT = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z")
KIND_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
# json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False), built once.
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


class ProtocolError(InputError):
    """A message that does not follow the protocol; ``code`` names the problem, ``params.field``
    where it is."""


def _fail(code: str, message: str, **params: Any) -> ProtocolError:
    return ProtocolError(code, message, **params)


# --- field checks -------------------------------------------------------------------------------


def require_object(value: Any, where: str = "body") -> Mapping[str, Any]:
    """``value`` if it is a JSON object, else a ``not_an_object`` error naming ``where``."""
    if not isinstance(value, dict):
        raise _fail("not_an_object", "{field} must be a JSON object", field=where)
    return value


def check_fields(obj: Mapping[str, Any], required: tuple[str, ...], where: str = "") -> None:
    """Refuse unknown and missing keys: the first unknown one, else the first missing one.

    Raises:
        ProtocolError: ``unknown_field`` or ``missing_field`` with the dotted field name.
    """
    prefix = f"{where}." if where else ""
    for key in obj:
        if key not in required:
            raise _fail("unknown_field", "unknown field {field}", field=f"{prefix}{key}")
    for key in required:
        if key not in obj:
            raise _fail("missing_field", "missing field {field}", field=f"{prefix}{key}")


def _wrong_type(field: str, expected: str) -> ProtocolError:
    return _fail("wrong_type", "{field} must be {expected}", field=field, expected=expected)


def get_int(obj: Mapping[str, Any], key: str, *, field: str, minimum: int = 0) -> int:
    """An integer in ``[minimum, MAX_INT]`` (booleans and floats are refused)."""
    value = obj[key]
    if isinstance(value, bool) or not isinstance(value, int):
        raise _wrong_type(field, "an integer")
    if value < minimum or value > MAX_INT:
        raise _fail(
            "bad_value",
            "{field} must be between {minimum} and {maximum}",
            field=field,
            minimum=minimum,
            maximum=MAX_INT,
        )
    return value


def get_str(obj: Mapping[str, Any], key: str, *, field: str, max_length: int = 200) -> str:
    """A non-empty string of at most ``max_length`` characters."""
    value = obj[key]
    if not isinstance(value, str):
        raise _wrong_type(field, "a string")
    if not value.strip() or len(value) > max_length:
        raise _fail(
            "bad_value",
            "{field} must be 1 to {maximum} characters",
            field=field,
            maximum=max_length,
        )
    return value


def get_uuid(obj: Mapping[str, Any], key: str, *, field: str, version: int | None = None) -> str:
    """A UUID in canonical lower-case text (``version`` 7 for record ids)."""
    value = get_str(obj, key, field=field, max_length=36)
    if not UUID_TEXT.match(value):
        raise _fail("bad_value", "{field} must be a lower-case UUID", field=field)
    if version is not None and value[14] != f"{version:x}":
        raise _fail("bad_value", "{field} must be a UUIDv{version}", field=field, version=version)
    return value


def get_hex64(obj: Mapping[str, Any], key: str, *, field: str) -> str:
    """A SHA-256 digest as 64 lower-case hex digits."""
    value = obj[key]
    if not isinstance(value, str):
        raise _wrong_type(field, "a string")
    if not HEX64.match(value):
        raise _fail("bad_value", "{field} must be 64 lower-case hex digits", field=field)
    return value


def check_payload(payload: Any, field: str = "payload") -> dict[str, Any]:
    """A payload the hash can cover the same way on every machine.

    A JSON object whose numbers are integers within ``MAX_INT``, nested at most
    ``MAX_PAYLOAD_DEPTH`` deep, with a canonical JSON of at most ``MAX_PAYLOAD_BYTES``. The counter
    can call this before journaling, so nothing it wrote is ever refused by the server.

    Raises:
        ProtocolError: the first problem, naming its dotted field.
    """
    check_payload_shape(payload, field)
    check_payload_size(canonical_json(payload), field)
    return payload


def check_payload_shape(payload: Any, field: str = "payload") -> dict[str, Any]:
    """The JSON rules of :func:`check_payload` without the size (which needs the canonical text)."""
    if not isinstance(payload, dict):
        raise _wrong_type(field, "a JSON object")
    # The quick walk builds no field names; only a payload that fails it is walked again to name
    # the first problem.
    if not _json_ok(payload, 0):
        _check_json_value(payload, field, 0)
    return payload


def _json_ok(value: Any, depth: int) -> bool:
    """True for a dict or list of JSON values without floats, huge integers or deep nesting."""
    if depth > MAX_PAYLOAD_DEPTH:
        return False
    # One pass per container, exact types only: the push path walks every payload.
    if type(value) is dict:
        for key, item in value.items():
            if type(key) is not str:
                return False
            kind = type(item)
            if kind is str or item is None or kind is bool:
                continue
            if kind is int:
                if not -MAX_INT <= item <= MAX_INT:
                    return False
            elif not _json_ok(item, depth + 1):
                return False
        return True
    if type(value) is list:
        for item in value:
            kind = type(item)
            if kind is str or item is None or kind is bool:
                continue
            if kind is int:
                if not -MAX_INT <= item <= MAX_INT:
                    return False
            elif not _json_ok(item, depth + 1):
                return False
        return True
    return False


def canonical_text(payload: dict[str, Any]) -> str:
    """``core.journal.canonical_json`` of a payload that passed :func:`check_payload_shape`.

    The same text (tests/sync/test_protocol.py holds them equal over every code point and random
    payloads), without core's float walk: the shape check has already walked the payload, and the
    push path is hot. orjson writes it in C (sorted keys, no spaces, non-ASCII as is, the same
    escapes); what orjson will not write (an integer beyond 64 bits, a lone surrogate) goes
    through the standard library's encoder, which is core's.
    """
    try:
        return orjson.dumps(payload, option=orjson.OPT_SORT_KEYS).decode()
    except TypeError:  # orjson.JSONEncodeError
        return _CANONICAL.encode(payload)


def loads_fast(body: bytes) -> Any:
    """A JSON document parsed by orjson, for a caller that falls back to :func:`json.loads`
    whenever what it parsed is refused.

    orjson parses what ``json.loads`` does into the same values, with two exceptions the
    fallback covers: it refuses ``NaN``, ``Infinity`` and lone surrogates, and it reads an integer
    beyond 64 bits as a float. Every field of a valid push is a string, a bounded integer or
    a payload without floats, so a batch that passes :func:`parse_push_request` parsed from
    this is the batch ``json.loads`` would give; one that does not is parsed again by the caller
    with ``json.loads``, so its refusal is worded exactly as before.

    Raises:
        ValueError: not JSON for orjson (``orjson.JSONDecodeError``).
    """
    return orjson.loads(body)


def check_payload_size(payload_json: str, field: str = "payload") -> None:
    """Refuse a canonical payload text above ``MAX_PAYLOAD_BYTES``."""
    # A character is at most 4 bytes in UTF-8: short texts need no encoding to be judged.
    if len(payload_json) * 4 <= MAX_PAYLOAD_BYTES:
        return
    if len(payload_json.encode("utf-8")) > MAX_PAYLOAD_BYTES:
        raise _fail(
            "payload_too_large",
            "{field} is larger than {maximum} bytes",
            field=field,
            maximum=MAX_PAYLOAD_BYTES,
        )


def _check_json_value(value: Any, field: str, depth: int) -> None:
    if depth > MAX_PAYLOAD_DEPTH:
        raise _fail("bad_value", "{field} is nested too deeply", field=field)
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise _wrong_type(field, "an object with string keys")
            _check_json_value(item, f"{field}.{key}", depth + 1)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_json_value(item, f"{field}[{index}]", depth + 1)
    elif isinstance(value, float):
        raise _fail(
            "payload_float",
            "{field} must be an integer (money in fen, decimals as strings)",
            field=field,
        )
    elif isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_INT:
        raise _fail("bad_value", "{field} is too large", field=field)
    elif not (value is None or isinstance(value, str | bool | int)):
        raise _wrong_type(field, "a JSON value")


# --- journal records ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WireRecord:
    """One journal entry of a device, as it travels. ``hash`` is what the device claims."""

    device_id: str
    seq: int
    record_id: str
    kind: str
    payload: dict[str, Any]
    prev_hash: str
    hash: str
    payload_json: str = field(init=False, compare=False, repr=False)
    """The canonical JSON of the payload, the text the hash covers (computed once)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "payload_json", canonical_json(self.payload))

    @classmethod
    def stored(
        cls, *, device_id: str, seq: int, record_id: str, kind: str, payload_json: str,
        prev_hash: str, hash: str,
    ) -> WireRecord:  # fmt: skip
        """A record read back from a store that kept its canonical payload text.

        The text is trusted to be canonical (the store wrote ``payload_json`` itself), so it is
        parsed, not re-serialised: reading back a journal costs one ``json.loads`` per record.
        """
        record = object.__new__(cls)
        values = {
            "device_id": device_id, "seq": seq, "record_id": record_id, "kind": kind,
            "payload": json.loads(payload_json), "prev_hash": prev_hash, "hash": hash,
            "payload_json": payload_json,
        }  # fmt: skip
        for name, value in values.items():
            object.__setattr__(record, name, value)
        return record

    def expected_hash(self) -> str:
        """The hash this record's content really has."""
        return entry_hash(
            device_id=self.device_id,
            seq=self.seq,
            record_id=self.record_id,
            kind=self.kind,
            payload_json=self.payload_json,
            prev_hash=self.prev_hash,
        )

    def hash_ok(self) -> bool:
        """True when the claimed hash matches the content (an edited record fails)."""
        return self.expected_hash() == self.hash

    def to_json(self) -> dict[str, Any]:
        """The plain object to serialise."""
        return {name: getattr(self, name) for name in RECORD_FIELDS}


def _build(
    device_id: str, seq: int, record_id: str, kind: str, payload: dict[str, Any],
    payload_json: str, prev_hash: str, hash: str,
) -> WireRecord:  # fmt: skip
    """A record whose canonical payload text is already known (no second serialisation).

    The slots are filled through their descriptors, which a frozen dataclass's ``__setattr__``
    does not guard: the push path builds 500 of these a request."""
    record = object.__new__(WireRecord)
    _SET_DEVICE_ID(record, device_id)
    _SET_SEQ(record, seq)
    _SET_RECORD_ID(record, record_id)
    _SET_KIND(record, kind)
    _SET_PAYLOAD(record, payload)
    _SET_PAYLOAD_JSON(record, payload_json)
    _SET_PREV_HASH(record, prev_hash)
    _SET_HASH(record, hash)
    return record


_SET_DEVICE_ID = WireRecord.device_id.__set__  # type: ignore[attr-defined]
_SET_SEQ = WireRecord.seq.__set__  # type: ignore[attr-defined]
_SET_RECORD_ID = WireRecord.record_id.__set__  # type: ignore[attr-defined]
_SET_KIND = WireRecord.kind.__set__  # type: ignore[attr-defined]
_SET_PAYLOAD = WireRecord.payload.__set__  # type: ignore[attr-defined]
_SET_PAYLOAD_JSON = WireRecord.payload_json.__set__  # type: ignore[attr-defined]
_SET_PREV_HASH = WireRecord.prev_hash.__set__  # type: ignore[attr-defined]
_SET_HASH = WireRecord.hash.__set__  # type: ignore[attr-defined]


def record_hash(
    *,
    device_id: str,
    seq: int,
    record_id: str,
    kind: str,
    payload: Mapping[str, Any],
    prev_hash: str,
) -> str:
    """The chain hash of a record: ``entry_hash`` over the canonical JSON of its payload."""
    return entry_hash(
        device_id=device_id,
        seq=seq,
        record_id=record_id,
        kind=kind,
        payload_json=canonical_json(dict(payload)),
        prev_hash=prev_hash,
    )


def make_record(
    *, device_id: str, seq: int, record_id: str, kind: str, payload: dict[str, Any], prev_hash: str
) -> WireRecord:
    """Build a record with its hash computed (the counter's side of the chain, and tests)."""
    digest = record_hash(
        device_id=device_id,
        seq=seq,
        record_id=record_id,
        kind=kind,
        payload=payload,
        prev_hash=prev_hash,
    )
    return WireRecord(device_id, seq, record_id, kind, payload, prev_hash, digest)


_RECORD_KEYS = frozenset(RECORD_FIELDS)


def _well_formed(data: Any) -> WireRecord | None:
    """The record when it passes every check of :func:`parse_record`, else ``None``.

    The same rules, tested in one go without building a field name per check (the push path
    validates every record); a record it does not accept is parsed again by the full checks,
    which name the first problem. It accepts nothing the full checks refuse
    (tests/sync/test_protocol.py runs both on the same inputs).
    """
    if type(data) is not dict or data.keys() != _RECORD_KEYS:
        return None
    device_id, seq, record_id = data["device_id"], data["seq"], data["record_id"]
    kind, payload = data["kind"], data["payload"]
    prev_hash, digest = data["prev_hash"], data["hash"]
    if not (
        type(device_id) is str
        and UUID_TEXT.match(device_id)
        and type(seq) is int
        and 1 <= seq <= MAX_INT
        and type(record_id) is str
        and UUID_TEXT.match(record_id)
        and record_id[14] == "7"
        and type(kind) is str
        and len(kind) <= 40
        and kind.strip()
        and KIND_PATTERN.match(kind)
        and type(prev_hash) is str
        and HEX64.match(prev_hash)
        and type(digest) is str
        and HEX64.match(digest)
        and type(payload) is dict
        and _json_ok(payload, 0)
    ):
        return None
    payload_json = canonical_text(payload)
    if len(payload_json) * 4 > MAX_PAYLOAD_BYTES and (
        len(payload_json.encode("utf-8")) > MAX_PAYLOAD_BYTES
    ):
        return None
    return _build(device_id, seq, record_id, kind, payload, payload_json, prev_hash, digest)


def parse_record(obj: Any, where: str = "record") -> WireRecord:
    """Validate one wire record (shape and types; the hash is checked by the server, not here).

    Raises:
        ProtocolError: the first problem, naming the field as ``records[i].field``.
    """
    record = _well_formed(obj)
    return record if record is not None else _parse_record_checked(obj, where)


def _parse_record_checked(obj: Any, where: str) -> WireRecord:
    """:func:`parse_record` check by check, naming the first problem."""
    data = require_object(obj, where)
    check_fields(data, RECORD_FIELDS, where)
    kind = get_str(data, "kind", field=f"{where}.kind", max_length=40)
    if not KIND_PATTERN.match(kind):
        raise _fail("bad_value", "{field} must be snake_case", field=f"{where}.kind")
    payload = check_payload_shape(data["payload"], f"{where}.payload")
    record = _build(
        get_uuid(data, "device_id", field=f"{where}.device_id"),
        get_int(data, "seq", field=f"{where}.seq", minimum=1),
        get_uuid(data, "record_id", field=f"{where}.record_id", version=7),
        kind,
        payload,
        canonical_text(payload),
        get_hex64(data, "prev_hash", field=f"{where}.prev_hash"),
        get_hex64(data, "hash", field=f"{where}.hash"),
    )
    check_payload_size(record.payload_json, f"{where}.payload")
    return record


def first_difference(stored: WireRecord, incoming: WireRecord) -> str | None:
    """The first field where two records with the same id differ, e.g. ``payload.amount_fen``.

    Returns:
        The dotted field name, or ``None`` when they are the same record.
    """
    for name in RECORD_FIELDS:
        if name == "payload":
            path = _payload_difference(stored.payload, incoming.payload, "payload")
            if path is not None:
                return path
        elif getattr(stored, name) != getattr(incoming, name):
            return name
    return None


def _payload_difference(old: Any, new: Any, path: str) -> str | None:
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(set(old) | set(new)):
            if key not in old or key not in new:
                return f"{path}.{key}"
            found = _payload_difference(old[key], new[key], f"{path}.{key}")
            if found is not None:
                return found
        return None
    if isinstance(old, list) and isinstance(new, list):
        if len(old) != len(new):
            return path
        for index, (a, b) in enumerate(zip(old, new, strict=True)):
            found = _payload_difference(a, b, f"{path}[{index}]")
            if found is not None:
                return found
        return None
    same = type(old) is type(new) and old == new
    return None if same else path


# --- push ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PushRequest:
    """A batch of one device's records, in journal order."""

    device_id: str
    records: tuple[WireRecord, ...]

    def to_json(self) -> dict[str, Any]:
        """The plain object to serialise."""
        return {"device_id": self.device_id, "records": [r.to_json() for r in self.records]}


def parse_push_request(obj: Any) -> PushRequest:
    """Validate a push body: ``{"device_id", "records": [...]}`` with 1 to ``MAX_BATCH`` records.

    Every record must carry the batch's ``device_id`` (a device pushes only its own records).

    Raises:
        ProtocolError: ``batch_too_large``, ``foreign_record`` or a field problem.
    """
    data = require_object(obj)
    check_fields(data, ("device_id", "records"))
    device_id = get_uuid(data, "device_id", field="device_id")
    raw = data["records"]
    if not isinstance(raw, list):
        raise _wrong_type("records", "an array")
    if not raw:
        raise _fail("bad_value", "{field} must not be empty", field="records")
    if len(raw) > MAX_BATCH:
        raise _fail("batch_too_large", "at most {maximum} records per push", maximum=MAX_BATCH)
    records = tuple(parse_record(item, f"records[{i}]") for i, item in enumerate(raw))
    for index, record in enumerate(records):
        if record.device_id != device_id:
            raise _fail(
                "foreign_record",
                "{field} belongs to another device",
                field=f"records[{index}].device_id",
            )
    return PushRequest(device_id, records)


@dataclass(frozen=True, slots=True)
class RecordResult:
    """What the server did with one pushed record; ``field`` names the difference of a conflict."""

    record_id: str
    seq: int
    status: str
    field: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The plain object to serialise."""
        out: dict[str, Any] = {"record_id": self.record_id, "seq": self.seq, "status": self.status}
        if self.field is not None:
            out["field"] = self.field
        return out


@dataclass(frozen=True, slots=True)
class PushResponse:
    """The server's answer, sent only after its commit.

    ``ack_seq`` is the highest sequence the server holds for the device with every sequence below
    it held too: the counter may forget its outbox up to there and never past a gap.
    """

    device_id: str
    ack_seq: int
    results: tuple[RecordResult, ...]

    @property
    def conflicts(self) -> tuple[RecordResult, ...]:
        """The results that are conflicts (the device should stop and raise its alarm)."""
        return tuple(r for r in self.results if r.status == STATUS_CONFLICT)

    def to_json(self) -> dict[str, Any]:
        """The plain object to serialise."""
        return {
            "device_id": self.device_id,
            "ack_seq": self.ack_seq,
            "results": [r.to_json() for r in self.results],
        }


def parse_push_response(obj: Any) -> PushResponse:
    """Validate the server's push answer (the counter's side)."""
    data = require_object(obj)
    check_fields(data, ("device_id", "ack_seq", "results"))
    raw = data["results"]
    if not isinstance(raw, list):
        raise _wrong_type("results", "an array")
    results = []
    for index, item in enumerate(raw):
        where = f"results[{index}]"
        entry = require_object(item, where)
        optional = ("field",) if "field" in entry else ()
        check_fields(entry, ("record_id", "seq", "status", *optional), where)
        status = get_str(entry, "status", field=f"{where}.status")
        if status not in RECORD_STATUSES:
            raise _fail("bad_value", "{field} is not a known status", field=f"{where}.status")
        field = get_str(entry, "field", field=f"{where}.field") if optional else None
        results.append(
            RecordResult(
                get_uuid(entry, "record_id", field=f"{where}.record_id"),
                get_int(entry, "seq", field=f"{where}.seq", minimum=1),
                status,
                field,
            )
        )
    return PushResponse(
        get_uuid(data, "device_id", field="device_id"),
        get_int(data, "ack_seq", field="ack_seq"),
        tuple(results),
    )


# --- pull ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Change:
    """One entry of the server's change log: an upsert of master data or another device's record."""

    seq: int
    entity: str
    op: str
    data: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        """The plain object to serialise."""
        return {"seq": self.seq, "entity": self.entity, "op": self.op, "data": self.data}


@dataclass(frozen=True, slots=True)
class PullPage:
    """A page of changes after ``cursor``; ask again from ``next_cursor`` while ``more``.

    A different ``epoch`` from the one the counter last saw means headquarters was restored from a
    backup: the counter drops its pulled master data and pulls again from cursor 0.
    """

    epoch: str
    cursor: int
    next_cursor: int
    changes: tuple[Change, ...]
    more: bool

    def to_json(self) -> dict[str, Any]:
        """The plain object to serialise."""
        return {
            "epoch": self.epoch,
            "cursor": self.cursor,
            "next_cursor": self.next_cursor,
            "changes": [c.to_json() for c in self.changes],
            "more": self.more,
        }


def parse_pull_query(query: Mapping[str, str]) -> tuple[int, int]:
    """``(cursor, limit)`` from the query string of ``GET /pull``.

    Raises:
        ProtocolError: an unknown parameter, or a cursor/limit that is not a plain integer in range.
    """
    for key in query:
        if key not in ("cursor", "limit"):
            raise _fail("unknown_field", "unknown field {field}", field=key)
    cursor = _query_int(query, "cursor", default=0, minimum=0, maximum=MAX_INT)
    limit = _query_int(
        query, "limit", default=DEFAULT_PULL_LIMIT, minimum=1, maximum=MAX_PULL_LIMIT
    )
    return cursor, limit


def _query_int(
    query: Mapping[str, str], key: str, *, default: int, minimum: int, maximum: int
) -> int:
    raw = query.get(key)
    if raw is None:
        return default
    if not raw.isascii() or not raw.isdigit() or len(raw) > 16:
        raise _wrong_type(key, "a non-negative integer")
    value = int(raw)
    if value < minimum or value > maximum:
        raise _fail(
            "bad_value",
            "{field} must be between {minimum} and {maximum}",
            field=key,
            minimum=minimum,
            maximum=maximum,
        )
    return value


def parse_pull_page(obj: Any) -> PullPage:
    """Validate the server's pull answer (the counter's side)."""
    data = require_object(obj)
    check_fields(data, ("epoch", "cursor", "next_cursor", "changes", "more"))
    raw = data["changes"]
    if not isinstance(raw, list):
        raise _wrong_type("changes", "an array")
    changes = []
    for index, item in enumerate(raw):
        where = f"changes[{index}]"
        entry = require_object(item, where)
        check_fields(entry, ("seq", "entity", "op", "data"), where)
        changes.append(
            Change(
                get_int(entry, "seq", field=f"{where}.seq", minimum=1),
                get_str(entry, "entity", field=f"{where}.entity"),
                get_str(entry, "op", field=f"{where}.op"),
                dict(require_object(entry["data"], f"{where}.data")),
            )
        )
    if not isinstance(data["more"], bool):
        raise _wrong_type("more", "true or false")
    return PullPage(
        get_str(data, "epoch", field="epoch"),
        get_int(data, "cursor", field="cursor"),
        get_int(data, "next_cursor", field="next_cursor"),
        tuple(changes),
        data["more"],
    )


# --- enrolment and login ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EnrollRequest:
    """A counter asking for its device token with a one-time code; it keeps its own id."""

    code: str
    device_id: str
    name: str

    def to_json(self) -> dict[str, Any]:
        """The plain object to serialise."""
        return {"code": self.code, "device_id": self.device_id, "name": self.name}


def parse_enroll_request(obj: Any) -> EnrollRequest:
    """Validate ``{"code", "device_id", "name"}``."""
    data = require_object(obj)
    check_fields(data, ("code", "device_id", "name"))
    return EnrollRequest(
        get_str(data, "code", field="code", max_length=64),
        get_uuid(data, "device_id", field="device_id"),
        get_str(data, "name", field="name", max_length=MAX_NAME_LENGTH),
    )


@dataclass(frozen=True, slots=True)
class EnrollResponse:
    """The device token (shown once, stored hashed at HQ) and the site the device belongs to."""

    token: str
    device_id: str
    site_id: str
    site_code: str
    site_name: str

    def to_json(self) -> dict[str, Any]:
        """The plain object to serialise."""
        return {
            "token": self.token,
            "device_id": self.device_id,
            "site_id": self.site_id,
            "site_code": self.site_code,
            "site_name": self.site_name,
        }


def parse_enroll_response(obj: Any) -> EnrollResponse:
    """Validate the server's enrolment answer (the counter's side)."""
    data = require_object(obj)
    fields = ("token", "device_id", "site_id", "site_code", "site_name")
    check_fields(data, fields)
    return EnrollResponse(*(get_str(data, name, field=name) for name in fields))


@dataclass(frozen=True, slots=True)
class LoginRequest:
    """A headquarters user signing in for a short-lived token."""

    code: str
    password: str


def parse_login_request(obj: Any) -> LoginRequest:
    """Validate ``{"code", "password"}``."""
    data = require_object(obj)
    check_fields(data, ("code", "password"))
    return LoginRequest(
        get_str(data, "code", field="code", max_length=64),
        get_str(data, "password", field="password", max_length=200),
    )


# --- scanned-code payments (issue 7) --------------------------------------------------------------

SCAN_PROVIDERS: tuple[str, ...] = ("wechat", "alipay")
SCAN_PENDING_STATES: tuple[str, ...] = ("paying", "cancelling")
"""Not final: the counter polls again after ``retry_after_ms``."""
SCAN_FINAL_STATES: tuple[str, ...] = ("success", "failed", "cancelled")
"""Final: ``success`` is posted to the ledger; the others charged nothing."""
SCAN_STATES: tuple[str, ...] = SCAN_PENDING_STATES + SCAN_FINAL_STATES
MAX_SCAN_SUBJECT = 64
"""Longest ``subject`` (the text the payer sees in their wallet)."""
MAX_SCAN_RETRY_MS = 60_000
"""Longest wait the server may ask for between two polls."""
SCAN_REQUEST_FIELDS: tuple[str, ...] = (
    "payment_id",
    "auth_code",
    "amount_fen",
    "unit_id",
    "subject",
)
SCAN_STATE_FIELDS: tuple[str, ...] = (
    "payment_id",
    "provider",
    "state",
    "amount_fen",
    "code_masked",
    "transaction_id",
    "reason",
    "retry_after_ms",
    "paid_at",
)


@dataclass(frozen=True, slots=True)
class ScanRequest:
    """``POST /pay/scan``: charge a scanned payment code for one counter payment.

    ``auth_code`` is the payer's code in full: it is a bearer credential, so ``repr`` masks it and
    neither end may store or log it (RELIABILITY R14).
    """

    payment_id: str
    auth_code: str = field(repr=False)
    amount_fen: int
    unit_id: str | None
    subject: str

    @property
    def provider(self) -> str:
        """``wechat`` or ``alipay``, by the code's shape."""
        code = classify_scan(self.auth_code)
        return code.provider if code is not None else ""

    @property
    def code_masked(self) -> str:
        """The code as it may be shown and stored: first 6 and last 4 digits."""
        return mask_auth_code(self.auth_code)

    def to_json(self) -> dict[str, Any]:
        """The plain object to serialise."""
        return {
            "payment_id": self.payment_id,
            "auth_code": self.auth_code,
            "amount_fen": self.amount_fen,
            "unit_id": self.unit_id,
            "subject": self.subject,
        }


def mask_auth_code(auth_code: str) -> str:
    """First 6 and last 4 digits, the middle as ``*`` (the contract's ``code_masked``)."""
    if len(auth_code) <= 10:
        return "*" * len(auth_code)
    return auth_code[:6] + "*" * (len(auth_code) - 10) + auth_code[-4:]


def parse_scan_request(obj: Any) -> ScanRequest:
    """Validate a scan request; a code of neither provider's shape is ``bad_auth_code``.

    Raises:
        ProtocolError: ``bad_auth_code`` (never carrying the code), ``bad_amount`` for an amount
            of zero or less, or a schema error naming the field.
    """
    data = require_object(obj)
    check_fields(data, SCAN_REQUEST_FIELDS)
    auth_code = data["auth_code"]
    if not isinstance(auth_code, str) or auth_code_shape(auth_code) is None:
        raise _fail("bad_auth_code", "auth_code is not a WeChat or Alipay payment code")
    amount = data["amount_fen"]
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise _wrong_type("amount_fen", "an integer")
    if amount <= 0 or amount > MAX_INT:
        raise _fail("bad_amount", "amount_fen must be more than zero", field="amount_fen")
    unit_id = data["unit_id"]
    if unit_id is not None:
        unit_id = get_uuid(data, "unit_id", field="unit_id")
    return ScanRequest(
        get_uuid(data, "payment_id", field="payment_id", version=7),
        auth_code,
        amount,
        unit_id,
        get_str(data, "subject", field="subject", max_length=MAX_SCAN_SUBJECT),
    )


def auth_code_shape(auth_code: str) -> PaymentCode | None:
    """The :class:`~feetui.core.paycode.PaymentCode` of an ASCII code, or ``None``.

    On the wire the code is already normalised: full-width digits or spaces are refused.
    """
    if not (auth_code.isascii() and auth_code.isdigit()):
        return None
    return classify_scan(auth_code)


@dataclass(frozen=True, slots=True)
class ScanState:
    """Where a scanned payment stands (the answer of scan, poll and cancel).

    Attributes:
        payment_id: the counter's payment id.
        provider: ``wechat`` or ``alipay``.
        state: one of :data:`SCAN_STATES`.
        amount_fen: the amount asked for.
        code_masked: the code with its middle hidden.
        transaction_id: the provider's transaction id, set on ``success``.
        reason: a stable code saying why (``insufficient_funds``, ``timeout`` ...), or ``None``.
        retry_after_ms: how long to wait before polling again (0 when final).
        paid_at: when the provider took the money (ISO 8601), or ``None``.
    """

    payment_id: str
    provider: str
    state: str
    amount_fen: int
    code_masked: str
    transaction_id: str | None = None
    reason: str | None = None
    retry_after_ms: int = 0
    paid_at: str | None = None

    @property
    def final(self) -> bool:
        """True when the state will not change any more."""
        return self.state in SCAN_FINAL_STATES

    def to_json(self) -> dict[str, Any]:
        """The plain object to serialise."""
        return {name: getattr(self, name) for name in SCAN_STATE_FIELDS}


def _optional_str(data: Mapping[str, Any], key: str, max_length: int = 200) -> str | None:
    return None if data[key] is None else get_str(data, key, field=key, max_length=max_length)


def parse_scan_state(obj: Any) -> ScanState:
    """Validate a scan state (the counter's side). A ``success`` must name its transaction.

    Raises:
        ProtocolError: the first problem, naming its field.
    """
    data = require_object(obj)
    check_fields(data, SCAN_STATE_FIELDS)
    provider = get_str(data, "provider", field="provider", max_length=16)
    state = get_str(data, "state", field="state", max_length=16)
    if provider not in SCAN_PROVIDERS:
        raise _fail("bad_value", "{field} is not a known provider", field="provider")
    if state not in SCAN_STATES:
        raise _fail("bad_value", "{field} is not a known state", field="state")
    scan = ScanState(
        payment_id=get_uuid(data, "payment_id", field="payment_id"),
        provider=provider,
        state=state,
        amount_fen=get_int(data, "amount_fen", field="amount_fen", minimum=1),
        code_masked=get_str(data, "code_masked", field="code_masked", max_length=32),
        transaction_id=_optional_str(data, "transaction_id", 64),
        reason=_optional_str(data, "reason", 64),
        retry_after_ms=min(
            get_int(data, "retry_after_ms", field="retry_after_ms"), MAX_SCAN_RETRY_MS
        ),
        paid_at=_optional_str(data, "paid_at", 40),
    )
    if scan.state == "success" and not scan.transaction_id:
        raise _fail("missing_field", "missing field {field}", field="transaction_id")
    return scan


def error_body(code: str, message: str, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The JSON of every error answer: ``{"error": code, "message": text, "params": {...}}``."""
    return {"error": code, "message": message, "params": dict(params or {})}


__all__ = [
    "API_PREFIX",
    "DEFAULT_PULL_LIMIT",
    "ENTITIES",
    "KINDS",
    "MAX_BATCH",
    "MAX_BODY_BYTES",
    "MAX_INT",
    "MAX_PAYLOAD_BYTES",
    "MAX_PULL_LIMIT",
    "MAX_SCAN_RETRY_MS",
    "MAX_SCAN_SUBJECT",
    "OPS",
    "PROTOCOL_VERSION",
    "RECORD_FIELDS",
    "RECORD_STATUSES",
    "SCAN_FINAL_STATES",
    "SCAN_PENDING_STATES",
    "SCAN_PROVIDERS",
    "SCAN_REQUEST_FIELDS",
    "SCAN_STATES",
    "SCAN_STATE_FIELDS",
    "STATUS_CONFLICT",
    "STATUS_CREATED",
    "STATUS_EXISTS",
    "Change",
    "EnrollRequest",
    "EnrollResponse",
    "LoginRequest",
    "ProtocolError",
    "PullPage",
    "PushRequest",
    "PushResponse",
    "RecordResult",
    "ScanRequest",
    "ScanState",
    "WireRecord",
    "auth_code_shape",
    "canonical_text",
    "check_fields",
    "check_payload",
    "check_payload_shape",
    "check_payload_size",
    "error_body",
    "first_difference",
    "loads_fast",
    "make_record",
    "mask_auth_code",
    "parse_enroll_request",
    "parse_enroll_response",
    "parse_login_request",
    "parse_pull_page",
    "parse_pull_query",
    "parse_push_request",
    "parse_push_response",
    "parse_record",
    "parse_scan_request",
    "parse_scan_state",
    "record_hash",
    "require_object",
]
