"""A unit's statement (对账单): what it owes charge by charge with late fees as of a date, its
recent payments with their receipt numbers, and its prepaid balance."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from tortoise import connections

from feetui.core.arrears import age_days
from feetui.core.money import Money, total
from feetui.db.queries.balances import ChargeBalance, get_prepaid_balance, list_charge_balances

_UNIT = "SELECT id, code, owner_name, area_centi_m2, tags FROM unit WHERE id = ?"

_PAYMENTS = """
SELECT p.id, p.receipt_no, p.created_at, p.business_date, p.total_fen, p.prepaid_used_fen,
       p.prepaid_credit_fen, p.payer_name,
       (SELECT group_concat(DISTINCT t.method) FROM tender t
        WHERE t.payment_id = p.id AND t.void_id IS NULL),
       v.id, v.receipt_no
FROM payment p LEFT JOIN void v ON v.payment_id = p.id
WHERE p.unit_id = ? ORDER BY p.created_at DESC, p.id DESC LIMIT ?
"""


@dataclass(frozen=True, slots=True)
class StatementLine:
    """A charge that still owes something, as of the statement's date."""

    charge: ChargeBalance
    late_fee: Money
    """Late fee not yet posted, as of the statement's date."""
    age_days: int
    """Days past due (0 or less: not overdue)."""


@dataclass(frozen=True, slots=True)
class StatementPayment:
    """A payment of the unit, with its receipt number and whether it was voided."""

    payment_id: str
    receipt_no: str
    created_at: datetime
    business_date: date
    total: Money
    prepaid_used: Money
    prepaid_credit: Money
    payer_name: str
    methods: tuple[str, ...]
    void_id: str | None
    void_receipt_no: str | None

    @property
    def is_void(self) -> bool:
        """True when the payment was voided."""
        return self.void_id is not None


@dataclass(frozen=True, slots=True)
class UnitStatement:
    """Everything the unit screen shows about money."""

    unit_id: str
    unit_code: str
    owner_name: str
    area_centi_m2: int
    tags: tuple[str, ...]
    as_of: date
    lines: tuple[StatementLine, ...]
    payments: tuple[StatementPayment, ...]
    prepaid_balance: Money

    @property
    def outstanding(self) -> Money:
        """What the charges owe, late fees not included."""
        return total(line.charge.outstanding for line in self.lines)

    @property
    def late_fees(self) -> Money:
        """Late fees as of the statement's date, not yet posted."""
        return total(line.late_fee for line in self.lines)

    @property
    def due(self) -> Money:
        """Everything owed as of the statement's date: charges and late fees."""
        return self.outstanding + self.late_fees


async def get_unit_statement(
    unit_id: str, *, as_of: date, payments_limit: int = 20
) -> UnitStatement | None:
    """The statement of ``unit_id`` as of ``as_of`` (``None`` when there is no such unit).

    Args:
        unit_id: the unit.
        as_of: the date late fees and ages are computed for (the shift's business date).
        payments_limit: how many recent payments to list, newest first.

    Returns:
        The statement: owing charges oldest due first, recent payments, prepaid balance.
    """
    conn = connections.get("default")
    _, units = await conn.execute_query(_UNIT, [unit_id])
    if not units:
        return None
    unit = tuple(units[0])
    balances = await list_charge_balances(unit_id)
    lines = tuple(
        StatementLine(b, b.late_fee_as_of(as_of), age_days(b.due_date, as_of))
        for b in balances
        if b.outstanding.fen > 0
    )
    _, rows = await conn.execute_query(_PAYMENTS, [unit_id, payments_limit])
    return UnitStatement(
        unit_id=unit[0],
        unit_code=unit[1],
        owner_name=unit[2],
        area_centi_m2=unit[3],
        tags=tuple(unit[4].split()),
        as_of=as_of,
        lines=lines,
        payments=tuple(_payment(tuple(row)) for row in rows),
        prepaid_balance=await get_prepaid_balance(unit_id),
    )


def _payment(row: tuple) -> StatementPayment:
    created = datetime.fromisoformat(row[2])
    return StatementPayment(
        payment_id=row[0],
        receipt_no=row[1],
        created_at=created,
        business_date=date.fromisoformat(row[3]),
        total=Money(row[4]),
        prepaid_used=Money(row[5]),
        prepaid_credit=Money(row[6]),
        payer_name=row[7],
        methods=tuple(sorted((row[8] or "").split(","))) if row[8] else (),
        void_id=row[9],
        void_receipt_no=row[10],
    )


__all__ = ["StatementLine", "StatementPayment", "UnitStatement", "get_unit_statement"]
