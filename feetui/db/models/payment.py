"""Money taken and given back: payments, their tenders and allocations, prepaid entries, voids
and refunds. All are posted records (triggers refuse UPDATE and DELETE).

Invariants per payment (checked by tests and at HQ):
``Σ tender.amount_fen = total_fen + prepaid_used_fen`` and
``Σ allocation.amount_fen + prepaid_credit_fen = Σ tender.amount_fen``.

A void never edits: it adds negative allocations and tenders pointing at the :class:`Void` (in the
void's shift, so the shift's cash arithmetic stays a plain sum) and prepaid entries that undo the
payment's credit and spend.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from feetui.db.models.base import money, record_id, ref_id


class Payment(Model):
    """Money received at the counter for one unit (实收), with its receipt number."""

    id = record_id()
    """Made by the caller before posting: posting the same id twice returns the first payment."""
    device_id = ref_id()
    shift_id = ref_id()
    """Shifts, like devices, are plain ids: a payment pulled from another counter names a shift
    this counter never holds."""
    unit = fields.ForeignKeyField("models.Unit", related_name="payments", on_delete=fields.RESTRICT)
    cashier = fields.ForeignKeyField(
        "models.User", related_name="payments", on_delete=fields.RESTRICT
    )
    payer_name = fields.CharField(max_length=100, default="")
    business_date = fields.DateField(db_index=True)
    created_at = fields.DatetimeField()
    total_fen = money()
    """Money received, net of change (prepaid balance used is not included)."""
    prepaid_credit_fen = money(default=0)
    prepaid_used_fen = money(default=0)
    receipt_no = fields.CharField(max_length=32, db_index=True)

    class Meta:
        table = "payment"
        indexes = (("unit_id", "created_at"),)


class Tender(Model):
    """One way the payer paid (cash, card, ...), or its reversal by a void (negative amounts)."""

    id = record_id()
    payment = fields.ForeignKeyField(
        "models.Payment", related_name="tenders", on_delete=fields.RESTRICT
    )
    void = fields.ForeignKeyField(
        "models.Void", related_name="tenders", on_delete=fields.RESTRICT, null=True
    )
    shift_id = ref_id()
    """The shift whose drawer it moved: the payment's, or for a reversal the void's."""
    method = fields.CharField(max_length=16)
    amount_fen = money()
    """What this tender paid, net of change."""
    tendered_fen = money()
    """What was handed over (cash may exceed the amount)."""
    change_fen = money(default=0)
    reference = fields.CharField(max_length=64, default="")
    """Card terminal or platform reference (a scanned code only in masked form)."""

    class Meta:
        table = "tender"
        indexes = (("payment_id",),)


class Allocation(Model):
    """Part of a payment applied to a charge (核销), a void adds the negative row."""

    id = record_id()
    payment = fields.ForeignKeyField(
        "models.Payment", related_name="allocations", on_delete=fields.RESTRICT
    )
    void = fields.ForeignKeyField(
        "models.Void", related_name="allocations", on_delete=fields.RESTRICT, null=True
    )
    charge = fields.ForeignKeyField(
        "models.Charge", related_name="allocations", on_delete=fields.RESTRICT
    )
    amount_fen = money()

    class Meta:
        table = "allocation"
        indexes = (
            ("charge_id",),
            ("payment_id",),
        )


class PrepaidEntry(Model):
    """A movement of a unit's prepaid balance (预存): the balance is the sum of its entries."""

    id = record_id()
    unit = fields.ForeignKeyField(
        "models.Unit", related_name="prepaid_entries", on_delete=fields.RESTRICT
    )
    amount_fen = money()
    kind = fields.CharField(max_length=16)
    """``credit``, ``spend``, ``refund`` or ``void`` (:class:`~.base.PrepaidKind`)."""
    payment = fields.ForeignKeyField(
        "models.Payment", related_name="prepaid_entries", on_delete=fields.RESTRICT, null=True
    )
    refund = fields.ForeignKeyField(
        "models.Refund", related_name="prepaid_entries", on_delete=fields.RESTRICT, null=True
    )
    void = fields.ForeignKeyField(
        "models.Void", related_name="prepaid_entries", on_delete=fields.RESTRICT, null=True
    )
    created_at = fields.DatetimeField()

    class Meta:
        table = "prepaid_entry"
        indexes = (
            ("unit_id",),
            ("payment_id",),
        )


class Void(Model):
    """The void (作废/红冲) of one payment, approved by a supervisor, with its own slip number."""

    id = record_id()
    payment = fields.OneToOneField(
        "models.Payment", related_name="void_record", on_delete=fields.RESTRICT
    )
    reason = fields.CharField(max_length=200)
    approver = fields.ForeignKeyField(
        "models.User", related_name="approved_voids", on_delete=fields.RESTRICT
    )
    cashier = fields.ForeignKeyField("models.User", related_name="voids", on_delete=fields.RESTRICT)
    device_id = ref_id()
    shift_id = ref_id()
    business_date = fields.DateField(db_index=True)
    created_at = fields.DatetimeField()
    receipt_no = fields.CharField(max_length=32)
    """Number of the void slip (红冲单), from the same series as receipts."""

    class Meta:
        table = "void"


class Refund(Model):
    """Prepaid balance paid back to the payer, approved by a supervisor."""

    id = record_id()
    unit = fields.ForeignKeyField("models.Unit", related_name="refunds", on_delete=fields.RESTRICT)
    amount_fen = money()
    method = fields.CharField(max_length=16)
    reason = fields.CharField(max_length=200)
    approver = fields.ForeignKeyField(
        "models.User", related_name="approved_refunds", on_delete=fields.RESTRICT
    )
    cashier = fields.ForeignKeyField(
        "models.User", related_name="refunds", on_delete=fields.RESTRICT
    )
    device_id = ref_id()
    shift_id = ref_id()
    business_date = fields.DateField(db_index=True)
    created_at = fields.DatetimeField()

    class Meta:
        table = "refund"
        indexes = (("unit_id",),)


__all__ = ["Allocation", "Payment", "PrepaidEntry", "Refund", "Tender", "Void"]
