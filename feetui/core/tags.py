"""Resident tags: short codes on a unit that change how the counter serves its residents.

The counter offers a fixed vocabulary (:data:`TAGS`), each with a label to translate. A unit's
tags are stored as one space-separated text of codes; tags the counter does not know (set by
headquarters, e.g. ``vacant``) are kept as they are when the counter changes its own.

Every counter of a site ends with the same tags, whatever order the changes arrive in: a unit's
vocabulary tags are those of its *latest* tag change (a ``unit_tags`` record, from any counter),
and "latest" is the greatest :func:`change_order` — first ``tags_seq`` (one more than the highest
``tags_seq`` of the unit's changes the counter held when it made the change, so a change made
after seeing another always comes after it, whatever the clocks say), then ``created_at``, then
the change id. Two counters that both changed a unit's tags offline, neither knowing the other's
change, made changes with the same ``tags_seq``: the later clock wins, the id breaks a tie. The
losing change is kept (in the journal and the tag-change history); it is just not what the unit
shows. Tags outside the vocabulary belong to headquarters' unit data and are never changed by a
tag change.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from feetui.core.arrears import Choice
from feetui.core.errors import N_, InputError
from feetui.core.instants import parse_instant

TAGS: tuple[Choice, ...] = (
    Choice("home_visit", N_("Needs a home visit")),
    Choice("prefers_online", N_("Prefers paying online")),
    Choice("elderly", N_("Elderly")),
    Choice("hard_of_hearing", N_("Hard of hearing")),
    Choice("limited_mobility", N_("Limited mobility")),
    Choice("needs_interpreter", N_("Needs an interpreter")),
)
TAG_CODES: tuple[str, ...] = tuple(t.code for t in TAGS)
MAX_TAGS_TEXT = 200
"""The width of ``Unit.tags``."""


def split_tags(text: str) -> tuple[str, ...]:
    """The tag codes of a stored tags text, in order, without repeats."""
    return tuple(dict.fromkeys((text or "").split()))


def tag_label(code: str) -> str:
    """The label (message id) of a tag; the code itself for a tag the counter does not know."""
    for tag in TAGS:
        if tag.code == code:
            return tag.label
    return code


def change_tags(current: str, *, wanted: Iterable[str]) -> str:
    """The unit's tags text with the counter's tags set to exactly ``wanted``.

    Tags outside :data:`TAGS` already on the unit are kept, first, in their order; the
    counter's tags follow in vocabulary order.

    Raises:
        InputError: ``tag_unknown`` (param ``tag``), ``tags_too_long``.
    """
    chosen = set()
    for code in wanted:
        if code not in TAG_CODES:
            raise InputError("tag_unknown", N_("Unknown tag {tag}."), tag=str(code))
        chosen.add(code)
    foreign = [code for code in split_tags(current) if code not in TAG_CODES]
    text = " ".join([*foreign, *(code for code in TAG_CODES if code in chosen)])
    if len(text) > MAX_TAGS_TEXT:
        raise InputError("tags_too_long", N_("This unit has too many tags."))
    return text


_NO_TIME = datetime.min.replace(tzinfo=UTC)


def change_order(change: Mapping[str, Any]) -> tuple[int, datetime, str]:
    """The order of a ``unit_tags`` record's payload among the unit's changes (greatest wins).

    A payload without ``tags_seq`` (written before it existed) counts as 0; one with an
    unreadable ``created_at`` as the earliest time.
    """
    seq = change.get("tags_seq", 0)
    if isinstance(seq, bool) or not isinstance(seq, int):
        seq = 0
    created = parse_instant(change.get("created_at")) or _NO_TIME
    return seq, created, str(change.get("id", ""))


def latest_change(changes: Iterable[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    """The change that decides a unit's tags (see the module's rule), or None without any."""
    return max(changes, key=change_order, default=None)


def next_tags_seq(changes: Iterable[Mapping[str, Any]]) -> int:
    """The ``tags_seq`` of a new change of a unit whose known changes are ``changes``."""
    return max((change_order(change)[0] for change in changes), default=0) + 1


def with_counter_tags(current: str, changed: str) -> str:
    """``current`` with its vocabulary tags replaced by those of ``changed`` (a change's
    ``tags_after``); tags outside the vocabulary stay as ``current`` has them.

    Raises:
        InputError: ``tags_too_long``.
    """
    return change_tags(current, wanted=[code for code in split_tags(changed) if code in TAG_CODES])


__all__ = [
    "MAX_TAGS_TEXT",
    "TAGS",
    "TAG_CODES",
    "change_order",
    "change_tags",
    "latest_change",
    "next_tags_seq",
    "split_tags",
    "tag_label",
    "with_counter_tags",
]
