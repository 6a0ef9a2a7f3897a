"""The payment being put together on the pay screen, before it is posted: a pure value.

Screens never do arithmetic on money (STYLE.md §1), so the pay screen keeps a :class:`Checkout`
and asks it for every figure it shows: what the selected lines come to, what the payment is, what
has been tendered, what is still to pay, the change, the part that becomes prepaid balance. Each
change (toggle a line, type an amount, add a tender) returns a new checkout or raises a
:class:`~feetui.core.errors.FeeError` that says why, leaving the old one as it was.

Rules:

* Every line owing money is selected at first; the payment is what the selected lines come to.
* A smaller payment pays the selected lines oldest first and the last one in part
  (:func:`feetui.core.allocation.allocate_selected` decides the split when it is posted).
* A larger payment pays every selected line and the rest becomes prepaid balance.
* Tenders add up to the payment: a card, WeChat, Alipay, bank or prepaid tender may not exceed
  what is still to pay; cash may be more than its share (the difference is change) but never
  less; prepaid tenders together may not exceed the unit's prepaid balance.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date

from feetui.core.errors import N_, InputError, RuleError
from feetui.core.money import Money, total

ZERO = Money(0)


class Method:
    """Tender methods the pay screen offers (the ledger's ``TenderMethod`` values)."""

    CASH = "cash"
    CARD = "card"
    WECHAT = "wechat"
    ALIPAY = "alipay"
    BANK = "bank"
    PREPAID = "prepaid"
    ALL = (CASH, CARD, WECHAT, ALIPAY, BANK, PREPAID)
    NEEDS_REFERENCE = (CARD, WECHAT, ALIPAY, BANK)


METHOD_LABELS = {
    Method.CASH: N_("Cash"),
    Method.CARD: N_("Bank card"),
    Method.WECHAT: N_("WeChat Pay"),
    Method.ALIPAY: N_("Alipay"),
    Method.BANK: N_("Bank transfer"),
    Method.PREPAID: N_("Prepaid balance"),
}
"""English message ids of the methods, for ``_()`` at the screen."""


@dataclass(frozen=True, slots=True)
class DueLine:
    """One line the unit owes, as the pay screen lists it.

    Attributes:
        line_id: the charge's id (what the payment allocates to).
        fee_item: the fee item's name.
        period: the period label (``2026-10``) or a one-off's label.
        due_date: when it fell due (oldest first).
        outstanding: what it still owes, late fee included when ``late_fee`` is not zero.
        late_fee: the part of ``outstanding`` that is late fee as of today.
    """

    line_id: str
    fee_item: str
    period: str
    due_date: date
    outstanding: Money
    late_fee: Money = ZERO


@dataclass(frozen=True, slots=True)
class TenderLine:
    """Money handed over one way.

    Attributes:
        method: one of :class:`Method`.
        amount: the part of the payment this tender pays.
        tendered: what the payer handed over (cash: may exceed ``amount``; else equal).
        reference: card terminal, platform or bank reference.
        masked_code: a scanned payment code's masked form (never the full code).
    """

    method: str
    amount: Money
    tendered: Money
    reference: str = ""
    masked_code: str = ""

    @property
    def change(self) -> Money:
        """Cash given back for this tender."""
        return self.tendered - self.amount


@dataclass(frozen=True, slots=True)
class Checkout:
    """A payment being put together (see the module docstring for its rules).

    Attributes:
        lines: what the unit owes, oldest first.
        selected: ids of the lines this payment pays.
        typed_amount: what the cashier typed as the payment, or ``None`` for the selection's sum.
        tenders: the tenders added so far.
        prepaid_available: the unit's prepaid balance before this payment.
    """

    lines: tuple[DueLine, ...]
    selected: frozenset[str]
    typed_amount: Money | None = None
    tenders: tuple[TenderLine, ...] = ()
    prepaid_available: Money = ZERO

    @classmethod
    def start(cls, lines: Iterable[DueLine], *, prepaid_available: Money) -> Checkout:
        """Everything owing selected, oldest first, nothing tendered yet."""
        ordered = tuple(sorted(lines, key=lambda line: (line.due_date, line.line_id)))
        owing = frozenset(line.line_id for line in ordered if line.outstanding.fen > 0)
        return cls(ordered, owing, prepaid_available=prepaid_available)

    # ---------------------------------------------------------------- figures

    @property
    def selected_total(self) -> Money:
        """What the selected lines owe together."""
        return total(line.outstanding for line in self.lines if line.line_id in self.selected)

    @property
    def owed_total(self) -> Money:
        """What every line owes together."""
        return total(line.outstanding for line in self.lines)

    @property
    def payment(self) -> Money:
        """The amount of this payment."""
        return self.selected_total if self.typed_amount is None else self.typed_amount

    @property
    def prepaid_credit(self) -> Money:
        """The part of the payment no selected line needs: it becomes prepaid balance."""
        excess = self.payment - self.selected_total
        return excess if excess.fen > 0 else Money(0)

    @property
    def tendered_total(self) -> Money:
        """What the tenders pay so far (change excluded)."""
        return total(tender.amount for tender in self.tenders)

    @property
    def remaining(self) -> Money:
        """What is still to be tendered."""
        return self.payment - self.tendered_total

    @property
    def change(self) -> Money:
        """Cash to give back."""
        return total(tender.change for tender in self.tenders)

    @property
    def prepaid_left(self) -> Money:
        """Prepaid balance not yet used by a prepaid tender of this payment."""
        used = total(t.amount for t in self.tenders if t.method == Method.PREPAID)
        return self.prepaid_available - used

    @property
    def complete(self) -> bool:
        """True when the tenders pay the whole (non-zero) payment."""
        return self.payment.fen > 0 and self.remaining.fen == 0

    def selected_lines(self) -> tuple[DueLine, ...]:
        """The selected lines, oldest first."""
        return tuple(line for line in self.lines if line.line_id in self.selected)

    # ---------------------------------------------------------------- changes

    def toggle(self, line_id: str) -> Checkout:
        """Select or unselect one line; a typed amount and the tenders start over.

        Raises:
            RuleError: ``tenders_started`` once a tender is added (remove them first).
        """
        self._refuse_after_tenders()
        chosen = self.selected ^ {line_id}
        return replace(self, selected=frozenset(chosen), typed_amount=None)

    def with_amount(self, amount: Money) -> Checkout:
        """Pay ``amount`` instead of the selection's sum (less: in part; more: to prepaid).

        Raises:
            InputError: ``amount_zero`` for nothing.
            RuleError: ``tenders_started`` once a tender is added.
        """
        self._refuse_after_tenders()
        if amount.fen <= 0:
            raise InputError("amount_zero", N_("The amount must be more than zero"))
        return replace(self, typed_amount=None if amount == self.selected_total else amount)

    def add_tender(self, tender: TenderLine) -> Checkout:
        """Add a tender after checking it against what is still to pay.

        Raises:
            RuleError: ``nothing_to_pay``, ``tender_above_remaining``, ``cash_short``,
                ``prepaid_insufficient``.
            InputError: ``amount_zero``, ``reference_missing``.
        """
        self._check_tender(tender)
        return replace(self, tenders=(*self.tenders, tender))

    def without_tenders(self) -> Checkout:
        """Start the tenders over."""
        return replace(self, tenders=())

    # ---------------------------------------------------------------- checks

    def _refuse_after_tenders(self) -> None:
        if self.tenders:
            raise RuleError(
                "tenders_started",
                N_("Tenders are already added: press Backspace to clear them first"),
            )

    def _check_tender(self, tender: TenderLine) -> None:
        if self.payment.fen <= 0 or self.remaining.fen <= 0:
            raise RuleError("nothing_to_pay", N_("Nothing is left to pay"))
        if tender.amount.fen <= 0:
            raise InputError("amount_zero", N_("The amount must be more than zero"))
        if tender.amount > self.remaining:
            raise RuleError(
                "tender_above_remaining",
                N_("¥{amount} is more than the ¥{remaining} still to pay"),
                amount=tender.amount.yuan_text(grouping=True),
                remaining=self.remaining.yuan_text(grouping=True),
            )
        if tender.tendered < tender.amount:
            raise RuleError(
                "cash_short",
                N_("Cash handed over (¥{tendered}) is less than the ¥{amount} due"),
                tendered=tender.tendered.yuan_text(grouping=True),
                amount=tender.amount.yuan_text(grouping=True),
            )
        if tender.method in Method.NEEDS_REFERENCE and not tender.reference.strip():
            raise InputError("reference_missing", N_("Type or scan the transaction reference"))
        if tender.method == Method.PREPAID and tender.amount > self.prepaid_left:
            raise RuleError(
                "prepaid_insufficient",
                N_("The prepaid balance is only ¥{available}"),
                available=self.prepaid_left.yuan_text(grouping=True),
            )


__all__ = ["METHOD_LABELS", "Checkout", "DueLine", "Method", "TenderLine"]
