"""Handing a closed shift's drawer to the next cashier (交接班, 当面点清), and the settlement
slips checked at a close.

Both are posted records (triggers refuse UPDATE and DELETE). A :class:`Handover` is written when
the incoming cashier has counted the cash left in the drawer: the difference from what the
outgoing cashier counted at close is recorded against the *outgoing* shift, and the incoming
cashier's new shift opens in the same transaction with that count as its float. A
:class:`SettlementCheck` holds, for one non-cash method, what the card terminal's or payment
platform's settlement slip says beside what the shift recorded.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from feetui.db.models.base import money, record_id, ref_id


class Handover(Model):
    """The acceptance of a closed shift's drawer by the next cashier, who opens the next shift."""

    id = record_id()
    shift = fields.OneToOneField("models.Shift", related_name="handover", on_delete=fields.RESTRICT)
    """The outgoing (closed) shift: a drawer is handed over once."""
    next_shift = fields.OneToOneField(
        "models.Shift", related_name="handed_over_from", on_delete=fields.RESTRICT
    )
    """The incoming cashier's shift, opened with ``counted_fen`` as its float."""
    accepted_by = fields.ForeignKeyField(
        "models.User", related_name="accepted_handovers", on_delete=fields.RESTRICT
    )
    left_fen = money()
    """What the outgoing cashier counted at close, so what the drawer should hold."""
    counted_fen = money()
    counts_json = fields.TextField(default="{}")
    difference_fen = money()
    """Counted minus left: positive is more than was left, negative is missing."""
    note = fields.CharField(max_length=200, default="")
    device_id = ref_id()
    created_at = fields.DatetimeField()

    class Meta:
        table = "handover"


class SettlementCheck(Model):
    """One non-cash method's settlement slip figure beside the shift's own total for it."""

    id = record_id()
    close = fields.ForeignKeyField(
        "models.ShiftClose", related_name="settlement_checks", on_delete=fields.RESTRICT
    )
    method = fields.CharField(max_length=16)
    """``card``, ``wechat`` or ``alipay`` (:class:`~.base.TenderMethod`)."""
    recorded_fen = money()
    """What the shift's own tenders of this method add up to."""
    slip_fen = money()
    """What the terminal's or platform's settlement slip says."""
    difference_fen = money()
    """Slip minus recorded: zero when they agree."""

    class Meta:
        table = "settlement_check"
        unique_together = (("close", "method"),)


__all__ = ["Handover", "SettlementCheck"]
