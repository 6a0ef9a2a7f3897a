"""Resident tags: short codes on a unit that change how the counter serves its residents.

The counter offers a fixed vocabulary (:data:`TAGS`), each with a label to translate. A unit's
tags are stored as one space-separated text of codes; tags the counter does not know (set by
headquarters, e.g. ``vacant``) are kept as they are when the counter changes its own.
"""

from __future__ import annotations

from collections.abc import Iterable

from feetui.core.arrears import Choice
from feetui.core.errors import N_, InputError

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


__all__ = ["MAX_TAGS_TEXT", "TAGS", "TAG_CODES", "change_tags", "split_tags", "tag_label"]
