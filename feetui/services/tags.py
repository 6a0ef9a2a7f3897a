"""Setting a unit's resident tags at the counter (needs a home visit, elderly, ...).

One transaction writes the :class:`~feetui.db.models.UnitTagChange` record, the unit's ``tags``
(master data, so the lookup list shows them at once), the unit's search card, and the journal
entry (kind ``unit_tags``) that carries the change to headquarters, and from there to the other
counters of the site. The change's ``tags_seq`` is one more than the highest of the unit's changes
held here, so it comes after every change this counter has seen (the rule in
:mod:`feetui.core.tags`); other counters' changes are applied by
:func:`feetui.db.unit_tags.settle_unit_tags`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from feetui.core.errors import N_, RuleError
from feetui.core.tags import change_tags, next_tags_seq, split_tags
from feetui.db.models import Unit, UnitTagChange
from feetui.db.search_index import index_units
from feetui.db.unit_tags import list_tag_changes
from feetui.services.approval import get_active_user
from feetui.services.container import Services
from feetui.services.followups import require_unit
from feetui.services.journal import append_journal
from feetui.services.posting import posting, replay

KIND = "unit_tags"


@dataclass(frozen=True, slots=True)
class PostedTagChange:
    """A tag change as recorded."""

    change_id: str
    unit_id: str
    tags_before: tuple[str, ...]
    tags_after: tuple[str, ...]

    @classmethod
    def from_payload(cls, p: dict[str, Any]) -> PostedTagChange:
        """Rebuild from a ``unit_tags`` journal payload."""
        return cls(p["id"], p["unit_id"], split_tags(p["tags_before"]), split_tags(p["tags_after"]))


async def set_unit_tags(
    svc: Services, *, change_id: str, unit_id: str, user_id: str, tags: Iterable[str]
) -> PostedTagChange:
    """Set the counter's tags of a unit to exactly ``tags`` (other tags on it are kept).

    Raises:
        InputError: ``tag_unknown``, ``tags_too_long``, ``unit_unknown``.
        RuleError: ``tags_unchanged`` when nothing would change.
        PermissionError_: ``user_unknown``.
    """
    wanted = list(tags)
    async with posting() as conn:
        first = await replay(change_id, KIND)
        if first is not None:
            return PostedTagChange.from_payload(first)
        unit = await require_unit(unit_id)
        user = await get_active_user(user_id)
        after = change_tags(unit.tags, wanted=wanted)
        if split_tags(after) == split_tags(unit.tags):
            raise RuleError("tags_unchanged", N_("The tags are as they were: nothing to save."))
        now = svc.clock.now().astimezone(UTC)
        seq = next_tags_seq(await list_tag_changes(conn, unit.id))
        payload = _payload(svc, change_id, unit, user.id, after, now) | {"tags_seq": seq}
        await _write(conn, payload, now)
        await append_journal(
            conn,
            entry_id=svc.ids.new_str(),
            device_id=svc.device_id,
            kind=KIND,
            record_id=change_id,
            payload=payload,
            created_at=now,
        )
    return PostedTagChange.from_payload(payload)


def _payload(
    svc: Services, change_id: str, unit: Unit, user_id: str, after: str, now: datetime
) -> dict[str, Any]:
    return {
        "id": change_id,
        "device_id": svc.device_id,
        "site_id": unit.site_id,  # type: ignore[attr-defined]
        "unit_id": unit.id,
        "unit_code": unit.code,
        "user_id": user_id,
        "created_at": now.isoformat(),
        "tags_before": unit.tags,
        "tags_after": after,
    }


async def _write(conn: Any, p: dict[str, Any], now: datetime) -> None:
    await UnitTagChange.create(
        using_db=conn,
        id=p["id"],
        unit_id=p["unit_id"],
        tags_before=p["tags_before"],
        tags_after=p["tags_after"],
        user_id=p["user_id"],
        device_id=p["device_id"],
        created_at=now,
    )
    await Unit.filter(id=p["unit_id"]).using_db(conn).update(tags=p["tags_after"])
    await index_units([p["unit_id"]])


__all__ = ["KIND", "PostedTagChange", "set_unit_tags"]
