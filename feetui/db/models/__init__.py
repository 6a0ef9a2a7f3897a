"""Tortoise models of the counter's store (app label ``models``), one module per aggregate.

Tortoise discovers the models through this package (``modules={"models": ["feetui.db.models"]}``).
"""

from __future__ import annotations

from feetui.db.models.arrears import (
    CollectionNoteDetail,
    InstalmentCharge,
    InstalmentLine,
    InstalmentPlan,
    UnitTagChange,
)
from feetui.db.models.charge import Adjustment, Charge, MeterReading
from feetui.db.models.collection import CollectionNote
from feetui.db.models.device import Device, SyncState
from feetui.db.models.fee_item import FeeItem
from feetui.db.models.handover import Handover, SettlementCheck
from feetui.db.models.journal import JournalEntry, Outbox
from feetui.db.models.payment import Allocation, Payment, PrepaidEntry, Refund, Tender, Void
from feetui.db.models.receipt import ReceiptNumber, ReceiptSeries
from feetui.db.models.scan import ScanPayment
from feetui.db.models.search import SearchKey, SearchUnit, UnitBalance
from feetui.db.models.shift import CashMovement, Shift, ShiftClose
from feetui.db.models.site import Party, Site, Unit, Vehicle
from feetui.db.models.user import PinLockout, User

__all__ = [
    "Adjustment",
    "Allocation",
    "CashMovement",
    "Charge",
    "CollectionNote",
    "CollectionNoteDetail",
    "Device",
    "FeeItem",
    "Handover",
    "InstalmentCharge",
    "InstalmentLine",
    "InstalmentPlan",
    "JournalEntry",
    "MeterReading",
    "Outbox",
    "Party",
    "Payment",
    "PinLockout",
    "PrepaidEntry",
    "ReceiptNumber",
    "ReceiptSeries",
    "Refund",
    "ScanPayment",
    "SearchKey",
    "SearchUnit",
    "SettlementCheck",
    "Shift",
    "ShiftClose",
    "Site",
    "SyncState",
    "Tender",
    "Unit",
    "UnitBalance",
    "UnitTagChange",
    "User",
    "Vehicle",
    "Void",
]
