"""Unit search rules: the keys a unit is found by, and the plan for answering what was typed.

The rule: every way a cashier finds a unit is a *key* in one sorted index, and every search is a
few range scans of it, each cut off at the result limit. A key is a kind letter, ``:`` and a
value:

=====  =======================================  ==========================================
kind   value                                    found by
=====  =======================================  ==========================================
``c``  canonical code ``3-2-1502``              full code, or its start (``3-2-15``, ``3-``)
``b``  building and room ``3-1502``             ``3栋1502``, ``3-1502``
``r``  room ``1502``                            ``1502`` and its start
``n``  whole name ``张三丰``                    the name or its start (``张``, ``张三``)
``m``  each later suffix ``三丰``, ``丰``        any part of the name (``三``, ``三丰``)
``i``  pinyin initials ``zsf``                  initials or their start (``zs``)
``p``  phone digits reversed ``87654321831``    the last 4 to 11 digits of a phone
``v``  plate ``京A12345``                       the plate or its start
``w``  plate reversed ``54321A京``              the last 3 or more characters of a plate
=====  =======================================  ==========================================

A name's suffixes, searched by prefix, answer every substring of it, one and two characters
included, with n keys for an n-character name rather than n(n+1)/2 n-grams. Reversing phones and
plates turns "ends with" into "starts with", which an index answers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum

from feetui.core.errors import N_
from feetui.core.money import Money
from feetui.core.unitcode import RoomCode, normalise_text, parse_room_code, split_code

DEFAULT_LIMIT = 200
"""At most this many results: a list longer than a page helps nobody and renders slowly."""
MAX_QUERY = 40
"""Longer input is not a search (a scanner burst, a pasted paragraph)."""
MIN_PHONE_TAIL = 4
MIN_PLATE_TAIL = 3
_MAX_PLATE = 9
_MAX_NAME = 12

PLATE_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼使领"
_PLATE = re.compile(rf"[{PLATE_PROVINCES}][A-Z][A-Z0-9]{{4,6}}[挂学警港澳领]?")
_PLATE_NOISE = re.compile(r"[\s·•・∙.\-_]+")
_NAME_NOISE = re.compile(r"[\s·•・∙.\-_]+")
_CJK_NAME = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]+")
_LETTERS = re.compile(r"[A-Z]+")
_DIGITS = re.compile(r"[0-9]+")
_PLATE_CHARS = re.compile(rf"[{PLATE_PROVINCES}][A-Z0-9]*[挂学警港澳领]?|[A-Z0-9]+[挂学警港澳领]?")


class MatchKind(IntEnum):
    """How a result matched, best first: results are ranked by this, then by key order."""

    CODE = 1
    """The full room code, exactly."""
    CODE_PREFIX = 2
    """The building, the building and entrance, or the start of the room."""
    ROOM = 3
    """The room number (in any building), exactly; or building and room."""
    ROOM_PREFIX = 4
    """The start of a room number."""
    NAME = 5
    """A person's whole name."""
    NAME_PREFIX = 6
    """The start of a name (a surname)."""
    NAME_CONTAINS = 7
    """Characters inside a name."""
    INITIALS = 8
    """Pinyin initials of a name, or their start."""
    PHONE = 9
    """The last digits of a phone number."""
    PLATE = 10
    """A car plate, its start or its last characters."""


MATCH_LABELS: dict[MatchKind, str] = {
    MatchKind.CODE: N_("Room code"),
    MatchKind.CODE_PREFIX: N_("Room code"),
    MatchKind.ROOM: N_("Room"),
    MatchKind.ROOM_PREFIX: N_("Room"),
    MatchKind.NAME: N_("Name"),
    MatchKind.NAME_PREFIX: N_("Name"),
    MatchKind.NAME_CONTAINS: N_("Name"),
    MatchKind.INITIALS: N_("Initials"),
    MatchKind.PHONE: N_("Phone"),
    MatchKind.PLATE: N_("Plate"),
}
"""What a list shows for how a unit matched (message ids: translate with ``_()``)."""

TAG_LABELS: dict[str, str] = {
    "shop": N_("Shop"),
    "parking": N_("Parking space"),
    "prepaid": N_("Prepaid"),
    "vacant": N_("Vacant"),
}
"""Labels of the tags the search knows (message ids); other tags are shown as they are."""


@dataclass(frozen=True, slots=True)
class UnitHit:
    """One unit in a search result, with what the lookup list shows.

    Attributes:
        unit_id: the unit's record id.
        code: canonical room code ``3-2-1502``.
        owner_name: the owner's name (empty when the unit has none on file).
        phone_masked: the owner's phone with the middle hidden, ``138****5678``.
        plates: car plates of the unit's parking, normalised.
        arrears: what the unit owes now (charges not yet paid, waived or voided).
        tags: stable codes of facts the list marks (``shop``, ``prepaid`` ...).
        match: how it matched the query.
    """

    unit_id: str
    code: str
    owner_name: str
    phone_masked: str
    plates: tuple[str, ...]
    arrears: Money
    tags: tuple[str, ...]
    match: MatchKind


@dataclass(frozen=True, slots=True)
class KeyRange:
    """One range scan of the key index: keys ``>= low`` and ``< high``, in key order.

    Attributes:
        low: first key (inclusive); a key equal to it is an exact match.
        high: end of the range (exclusive).
        exact: the kind a key equal to ``low`` matched as.
        partial: the kind every other key in the range matched as.
    """

    low: str
    high: str
    exact: MatchKind
    partial: MatchKind

    def kind_of(self, key: str) -> MatchKind:
        """How a key found by this scan matched."""
        return self.exact if key == self.low else self.partial


def prefix_range(prefix: str, exact: MatchKind, partial: MatchKind | None = None) -> KeyRange:
    """The scan of every key that starts with ``prefix``.

    The end is ``prefix`` with its last character moved one code point up, which bounds the range
    exactly (appending ``\\uffff`` would miss names with characters beyond the BMP).
    """
    high = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return KeyRange(prefix, high, exact, partial or exact)


def normalise_plate(text: str) -> str:
    """A plate as stored and compared: NFKC, upper case, no spaces, dots or dashes.

    ``"京A·12345"``, ``"京a 12345"`` and ``"京Ａ.12345"`` all give ``"京A12345"``.
    """
    return _PLATE_NOISE.sub("", normalise_text(text))


def is_plate(text: str) -> bool:
    """True when ``text`` (normalised) is a complete Chinese plate, new-energy ones included."""
    return _PLATE.fullmatch(normalise_plate(text)) is not None


def normalise_phone(text: str) -> str:
    """Only the digits of a phone number (full-width ones folded), ``+86`` and spaces dropped."""
    digits = "".join(_DIGITS.findall(normalise_text(text)))
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    return digits


def mask_phone(phone: str) -> str:
    """A phone for the screen: ``13812345678`` → ``138****5678``; short numbers keep their tail.

    The middle is hidden because the lookup list is on a screen the queue can see.
    """
    digits = normalise_phone(phone)
    if len(digits) >= 11:
        return f"{digits[:3]}****{digits[-4:]}"
    if len(digits) > 4:
        return "*" * (len(digits) - 4) + digits[-4:]
    return digits


def normalise_name(text: str) -> str:
    """A name as stored and compared: NFKC, no spaces or middle dots, Latin letters upper case."""
    return _NAME_NOISE.sub("", normalise_text(text))


def name_keys(name: str) -> list[str]:
    """Keys of one name: the whole name (``n:``) and each later suffix (``m:``)."""
    folded = normalise_name(name)[:_MAX_NAME]
    if not folded:
        return []
    return [f"n:{folded}"] + [f"m:{folded[i:]}" for i in range(1, len(folded))]


def code_keys(code: str) -> list[str]:
    """Keys of a canonical code: the code, the room, and building with room."""
    parts = split_code(code)
    keys = [f"c:{code}"]
    if parts.room is not None:
        keys.append(f"r:{parts.room}")
        keys.append(f"b:{parts.building}-{parts.room}")
    return keys


def phone_keys(phone: str) -> list[str]:
    """The key of a phone: its digits reversed, so that a tail is a prefix."""
    digits = normalise_phone(phone)
    return [f"p:{digits[::-1]}"] if len(digits) >= MIN_PHONE_TAIL else []


def plate_keys(plate: str) -> list[str]:
    """Keys of a plate: as written and reversed."""
    folded = normalise_plate(plate)
    return [f"v:{folded}", f"w:{folded[::-1]}"] if folded else []


def initials_keys(variants: Iterable[str]) -> list[str]:
    """Keys of a name's pinyin initials (each reading a variant: ``["zsf"]``)."""
    return [f"i:{v.lower()}" for v in variants if v]


def unit_keys(
    *,
    code: str,
    names: Iterable[str] = (),
    initials: Iterable[str] = (),
    phones: Iterable[str] = (),
    plates: Iterable[str] = (),
) -> list[str]:
    """Every key a unit is found by, sorted and without repeats.

    Args:
        code: the canonical room code.
        names: names of the people on the unit (owner, tenant).
        initials: pinyin initials variants of those names (computed outside core: pypinyin).
        phones: their phone numbers.
        plates: car plates of the unit's parking.

    Returns:
        The keys, ready for the index.
    """
    keys = set(code_keys(code))
    for name in names:
        keys.update(name_keys(name))
    keys.update(initials_keys(initials))
    for phone in phones:
        keys.update(phone_keys(phone))
    for plate in plates:
        keys.update(plate_keys(plate))
    return sorted(keys)


def _code_ranges(room: RoomCode) -> list[KeyRange]:
    ranges: list[KeyRange] = []
    prefix = room.code_prefix
    if prefix is not None:
        ranges.append(prefix_range(f"c:{prefix}", MatchKind.CODE, MatchKind.CODE_PREFIX))
    if room.building is not None and room.entrance is None and room.room is not None:
        ranges.append(
            prefix_range(f"b:{room.building}-{room.room}", MatchKind.ROOM, MatchKind.ROOM_PREFIX)
        )
    if room.building is None and room.room is not None:
        ranges.append(prefix_range(f"r:{room.room}", MatchKind.ROOM, MatchKind.ROOM_PREFIX))
    return ranges


def _name_ranges(text: str) -> list[KeyRange]:
    name = normalise_name(text)
    if not _CJK_NAME.fullmatch(name) or len(name) > _MAX_NAME:
        return []
    return [
        prefix_range(f"n:{name}", MatchKind.NAME, MatchKind.NAME_PREFIX),
        prefix_range(f"m:{name}", MatchKind.NAME_CONTAINS),
    ]


def _plate_ranges(text: str) -> list[KeyRange]:
    plate = normalise_plate(text)
    if not _PLATE_CHARS.fullmatch(plate):
        return []
    if plate[0] in PLATE_PROVINCES:
        return [prefix_range(f"v:{plate}", MatchKind.PLATE)]
    if MIN_PLATE_TAIL <= len(plate) <= _MAX_PLATE and any(c.isdigit() for c in plate):
        return [prefix_range(f"w:{plate[::-1]}", MatchKind.PLATE)]
    return []


def plan_search(query: str) -> list[KeyRange]:
    """The range scans that answer ``query``, best kind of match first; empty for no search.

    Room codes in any form go to the code, building-room and room keys; Chinese text to names;
    Latin letters alone to pinyin initials; four or more digits also to phone tails; letters with
    digits, or a province character, to plates.

    Args:
        query: what the cashier typed, as typed.

    Returns:
        Scans to run in order; results are taken from them until the limit is reached.
    """
    text = normalise_text(query)
    if not text or len(text) > MAX_QUERY:
        return []
    ranges: list[KeyRange] = []
    room = parse_room_code(text)
    if room is not None:
        ranges.extend(_code_ranges(room))
    ranges.extend(_name_ranges(text))
    compact = _NAME_NOISE.sub("", text)
    if _LETTERS.fullmatch(compact):
        ranges.append(prefix_range(f"i:{compact.lower()}", MatchKind.INITIALS))
    if _DIGITS.fullmatch(text) and len(text) >= MIN_PHONE_TAIL:
        ranges.append(prefix_range(f"p:{normalise_phone(text)[::-1]}", MatchKind.PHONE))
    if room is None or text.isalnum():
        # A code with separators or marks ("3-2-1502") is no plate; "1502" may be a plate's tail.
        ranges.extend(_plate_ranges(text))
    return ranges


__all__ = [
    "DEFAULT_LIMIT",
    "MATCH_LABELS",
    "MAX_QUERY",
    "PLATE_PROVINCES",
    "TAG_LABELS",
    "KeyRange",
    "MatchKind",
    "UnitHit",
    "code_keys",
    "initials_keys",
    "is_plate",
    "mask_phone",
    "name_keys",
    "normalise_name",
    "normalise_phone",
    "normalise_plate",
    "phone_keys",
    "plan_search",
    "plate_keys",
    "prefix_range",
    "unit_keys",
]
