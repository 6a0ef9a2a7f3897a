"""The demo's payment history: shifts and payments posted day by day, as take_payment posts them.

Taking 20,000 payments through :func:`feetui.services.payments.take_payment` one by one is far too
slow for a demo built in seconds, so this module decides each payment with the very functions
take_payment uses -- :func:`~feetui.services.payment_plan.check_tenders` and
:func:`~feetui.services.payment_plan.plan_payment` over the ledger's
:class:`~feetui.db.queries.balances.ChargeBalance` -- and builds its journal payload with
take_payment's own payload builder, then hands the rows to :mod:`feetui.demo.writer` to write in
bulk. Charges, late fees, allocations and prepaid balances are tracked in memory exactly as the
database would compute them, so every invariant a real payment keeps holds: the journal chain, the
gapless receipt series, allocations never above a charge, a prepaid balance never below zero,
and every payment inside a shift that was opened and closed.

Shift opens and closes carry the payloads of ``open_shift`` and ``close_shift`` (the latter built
by close_shift's own payload builders, settlement slips agreeing with the shift's tenders).
"""

from __future__ import annotations

import json
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from types import SimpleNamespace
from typing import Any

from feetui.clock import FixedClock
from feetui.core.allocation import spend_prepaid
from feetui.core.journal import GENESIS_HASH, canonical_json, make_entry
from feetui.core.late_fees import LateFeeRule
from feetui.core.money import Money
from feetui.core.shift import DENOMINATIONS, count_total, expected_cash
from feetui.db.queries.balances import ChargeBalance
from feetui.db.queries.posting import NextReceipt, OpenShift, UnitCard, receipt_text
from feetui.demo import behaviour
from feetui.demo.billing import BilledCharge
from feetui.demo.community import Community, DemoUser, Unit
from feetui.demo.ids import SeededIds
from feetui.services.payment_plan import check_tenders, late_fees_due, plan_payment
from feetui.services.payments import KIND as PAYMENT_KIND
from feetui.services.payments import _Context, _payload
from feetui.services.results import TenderInput
from feetui.services.shifts import (
    CLOSE_KIND,
    SETTLEMENT_METHODS,
    _close_payload,
    _settlement_row,
    method_totals_payload,
)
from feetui.services.shifts import KIND as SHIFT_OPEN_KIND

OPENING_COUNTS = {"n100": 2, "n50": 2, "n20": 5, "n10": 10, "n5": 4, "c1": 20, "c05": 10}
"""The float every demo shift opens with (¥535)."""
CEILING = Money(100_000_000)


@dataclass(slots=True)
class Household:
    """A unit's payment habit and what it owes, as the database would say at this instant."""

    unit: Unit
    habit: behaviour.Habit
    open: list[BilledCharge] = field(default_factory=list)
    prepaid_fen: int = 0
    monthly_fen: int = 0


@dataclass(slots=True)
class Journal:
    """The device's journal as written so far: next sequence number and last hash."""

    device_id: str
    seq: int = 0
    last_hash: str = GENESIS_HASH


@dataclass(slots=True)
class Receipts:
    """The device's receipt series and the last number issued."""

    series_id: str
    prefix: str
    last_no: int
    issued: int = 0

    def next(self) -> NextReceipt:
        """The number the next receipt gets."""
        number = self.issued + 1
        return NextReceipt(self.series_id, number, receipt_text(self.prefix, number), self.last_no)


@dataclass(slots=True)
class DayRows:
    """What one day at the counter wrote: shift rows, payloads of payments, journal entries."""

    shifts: list[tuple] = field(default_factory=list)
    closes: list[dict[str, Any]] = field(default_factory=list)
    payments: list[dict[str, Any]] = field(default_factory=list)
    entries: list[tuple] = field(default_factory=list)


class History:
    """Posts the demo's payments, day by day, in the order a counter would have.

    Args:
        community: the site.
        rng: seeded random source for behaviour.
        ids: id source for the device's records (stamped with each record's instant).
        tz: the site's timezone.
        device_id: this counter.
        receipts: its receipt series.
        start: first day of the history.
        as_of: the day the demo is built for (history ends the day before).
    """

    def __init__(
        self,
        community: Community,
        rng: random.Random,
        ids: SeededIds,
        tz: tzinfo,
        *,
        device_id: str,
        receipts: Receipts,
        start: date,
        as_of: date,
    ) -> None:
        self.community = community
        self.rng = rng
        self.ids = ids
        self.tz = tz
        self.journal = Journal(device_id)
        self.receipts = receipts
        self.as_of = as_of
        self.cashiers = [u for u in community.users if u.role == "cashier"]
        self.households = [self._household(unit, start) for unit in community.units]
        self._clock = FixedClock()
        self._visits: dict[date, list[Household]] = defaultdict(list)

    def _household(self, unit: Unit, start: date) -> Household:
        habit = behaviour.draw_habit(
            self.rng,
            shop=unit.kind == "shop",
            vacant="vacant" in unit.tags,
            start=start,
            end=self.as_of,
        )
        return Household(unit, habit)

    def bill(self, year: int, month: int, charges: Sequence[BilledCharge]) -> None:
        """Take a month's bill run into the households and plan that month's visits."""
        by_unit: dict[str, list[BilledCharge]] = defaultdict(list)
        for charge in charges:
            by_unit[charge.unit_id].append(charge)
        for household in self.households:
            new = by_unit.get(household.unit.id, [])
            household.open.extend(new)
            monthly = sum(c.amount_fen for c in new if c.item.code != "HEAT")
            household.monthly_fen = max(household.monthly_fen, monthly)
            self._plan_visit(household, year, month)

    def _plan_visit(self, household: Household, year: int, month: int) -> None:
        habit, rng = household.habit, self.rng
        day: date | None = None
        if habit.kind == "irregular":
            due = habit.next_visit
            if due is not None and (due.year, due.month) == (year, month) and due < self.as_of:
                day = due
                habit.next_visit = due + timedelta(days=rng.randint(30, 150))
        elif behaviour.visits_in_month(habit, year, month, rng):
            day = behaviour.visit_day(rng, year, month, self.as_of)
        if day is None and behaviour.heating_visit(habit, year, month, rng):
            day = behaviour.visit_day(rng, year, month, self.as_of)
        if day is not None:
            self._visits[day].append(household)

    def day(self, day: date) -> DayRows | None:
        """Open a shift, take the day's payments and close it; ``None`` on a day nobody came."""
        visitors = self._visits.pop(day, [])
        if not visitors:
            return None
        times = sorted(
            (behaviour.visit_time(self.rng, day, self.tz), n) for n in range(len(visitors))
        )
        cashier = self.cashiers[day.toordinal() % len(self.cashiers)]
        rows = DayRows()
        shift = self._open_shift(rows, day, cashier)
        for at, n in times:
            payload = self._visit(visitors[n], shift, cashier, at.astimezone(UTC))
            if payload is not None:
                rows.payments.append(payload)
                self._append(rows, PAYMENT_KIND, payload["id"], payload, at)
        self._close_shift(rows, shift, cashier, day)
        return rows

    # -- shifts -------------------------------------------------------------------------------

    def _stamp(self, at: datetime) -> datetime:
        at = at.astimezone(UTC)
        self.ids.set(at)
        self._clock.set(at)
        return at

    def _open_shift(self, rows: DayRows, day: date, cashier: DemoUser) -> OpenShift:
        at = self._stamp(datetime.combine(day, time(8, 0), self.tz))
        shift_id = self.ids.new_str()
        opening = count_total(OPENING_COUNTS)
        payload = {
            "id": shift_id,
            "device_id": self.journal.device_id,
            "cashier_id": cashier.id,
            "cashier_name": cashier.name,
            "opened_at": at.isoformat(),
            "business_date": day.isoformat(),
            "opening_float_fen": opening.fen,
            "opening_counts": OPENING_COUNTS,
        }
        rows.shifts.append(
            (shift_id, self.journal.device_id, cashier.id, at, day, opening.fen,
             json.dumps(OPENING_COUNTS, sort_keys=True))
        )  # fmt: skip
        self._append(rows, SHIFT_OPEN_KIND, shift_id, payload, at)
        return OpenShift(shift_id, cashier.id, day)

    def _close_shift(self, rows: DayRows, shift: OpenShift, cashier: DemoUser, day: date) -> None:
        """The close as close_shift posts it: blind count, expected cash, settlement slips."""
        at = self._stamp(datetime.combine(day, time(17, 45), self.tz))
        tenders = [t for p in rows.payments for t in p["tenders"]]
        cash = [t for t in tenders if t["method"] == "cash"]
        expected = expected_cash(
            opening_float=count_total(OPENING_COUNTS),
            cash_tendered=Money(sum(t["tendered_fen"] for t in cash)),
            change_given=Money(sum(t["change_fen"] for t in cash)),
            cash_refunds=Money(0),
            pay_ins=Money(0),
            pay_outs=Money(0),
            deposits=Money(0),
        )
        counts = count_notes(expected.fen + self._slip())
        counted = count_total(counts)
        note = "" if counted == expected else "点钞差异，已登记"
        svc = SimpleNamespace(device_id=self.journal.device_id, clock=self._clock, ids=self.ids)
        row = SimpleNamespace(id=shift.shift_id, business_date=day)
        user = SimpleNamespace(id=cashier.id, name=cashier.name)
        payload = _close_payload(svc, self.ids.new_str(), row, user, counted, expected, note)  # type: ignore[arg-type]
        payload["counts"] = counts
        # The shift's own totals per method, as get_method_totals sums its tender rows (the demo
        # voids nothing, so they are the tenders' sums).
        recorded: defaultdict[str, Money] = defaultdict(lambda: Money(0))
        for tender in tenders:
            recorded[tender["method"]] += Money(tender["amount_fen"])
        payload["method_totals"] = method_totals_payload(recorded)
        payload["settlement_checks"] = [
            _settlement_row(svc, method, recorded, recorded)  # type: ignore[arg-type]
            for method in SETTLEMENT_METHODS
            if (recorded := Money(sum(t["amount_fen"] for t in tenders if t["method"] == method)))
        ]
        rows.closes.append(payload)
        self._append(rows, CLOSE_KIND, payload["id"], payload, at)

    def _slip(self) -> int:
        """A cashier's counting slip now and then (长短款): usually none."""
        roll = self.rng.random()
        if roll < 0.02:
            return -self.rng.choice((50, 100, 500, 1000, 2000, 5000))
        if roll < 0.03:
            return self.rng.choice((50, 100, 1000))
        return 0

    def _append(
        self, rows: DayRows, kind: str, record_id: str, payload: dict, at: datetime
    ) -> None:
        """The next journal entry (and its outbox row) after the one before."""
        journal = self.journal
        journal.seq += 1
        entry = make_entry(
            device_id=journal.device_id,
            seq=journal.seq,
            record_id=record_id,
            kind=kind,
            payload_json=canonical_json(payload),
            prev_hash=journal.last_hash,
        )
        journal.last_hash = entry.hash
        rows.entries.append((self.ids.new_str(), entry, at.astimezone(UTC)))

    # -- payments -----------------------------------------------------------------------------

    def _visit(
        self, household: Household, shift: OpenShift, cashier: DemoUser, at: datetime
    ) -> dict[str, Any] | None:
        """The payment a household makes at ``at``, or ``None`` when it owes nothing."""
        self._stamp(at)
        choice = behaviour.draw_choice(
            self.rng, household.habit, household.monthly_fen, household.prepaid_fen
        )
        selected = self._selected(household, choice, at)
        if not selected and not choice.top_up_fen:
            return None
        due = sum(c.outstanding.fen for c in selected) + _late_fees(selected, shift.business_date)
        to_charges = due if choice.share == 100 else due * choice.share // 100 // 100 * 100
        if to_charges <= 0 and not choice.top_up_fen:
            return None
        tenders = self._tenders(household, to_charges, choice.top_up_fen, shift.business_date)
        plan = plan_payment(
            selected=selected,
            tenders=check_tenders(tenders, ceiling=CEILING),
            as_of=shift.business_date,
            amount_to_charges=Money(to_charges),
            overpay_to_prepaid=bool(choice.top_up_fen),
        )
        after = spend_prepaid(Money(household.prepaid_fen), plan.prepaid_used) + plan.prepaid_credit
        receipt = self.receipts.next()
        payload = self._payload(household, shift, cashier, plan, selected, receipt, after)
        self.receipts.issued = receipt.number
        self._apply(household, payload)
        return payload

    def _selected(
        self, household: Household, choice: behaviour.Choice, at: datetime
    ) -> list[ChargeBalance]:
        """The household's owing charges in take_payment's order, as the ledger reads them."""
        owing = [c for c in household.open if c.outstanding_fen > 0 and c.created_at <= at]
        if choice.only_codes is not None:
            chosen = [c for c in owing if c.item.code in choice.only_codes]
            owing = chosen if chosen else owing
        owing.sort(key=lambda c: (c.due_date, c.item.code, c.id))
        return [balance(c) for c in owing]

    def _tenders(
        self, household: Household, to_charges: int, top_up: int, day: date
    ) -> list[TenderInput]:
        tenders = []
        rest = to_charges + top_up
        if household.prepaid_fen > 0 and not top_up and to_charges > 0:
            used = min(household.prepaid_fen, to_charges)
            tenders.append(TenderInput("prepaid", Money(used)))
            rest -= used
        if rest > 0:
            method = behaviour.draw_method(self.rng, rest)
            handed = behaviour.cash_handed(self.rng, rest) if method == "cash" else rest
            ref = behaviour.reference(self.rng, method, day)
            tenders.append(TenderInput(method, Money(rest), Money(handed), ref))
        return tenders

    def _payload(
        self,
        household: Household,
        shift: OpenShift,
        cashier: DemoUser,
        plan: Any,
        selected: Sequence[ChargeBalance],
        receipt: NextReceipt,
        after: Money,
    ) -> dict[str, Any]:
        """take_payment's payload builder over the demo's context (same ids, same rows)."""
        unit = household.unit
        svc = SimpleNamespace(device_id=self.journal.device_id, clock=self._clock, ids=self.ids)
        card = UnitCard(unit.id, self.community.site_id, unit.code, unit.owner.name)
        payment_id = self.ids.new_str()
        ctx = _Context(svc, payment_id, shift, card, cashier.id, cashier.name, "")  # type: ignore[arg-type]
        return _payload(ctx, plan, selected, receipt, after)

    def _apply(self, household: Household, payload: dict[str, Any]) -> None:
        """What the payment's rows change in the household's charges and prepaid balance."""
        by_id = {c.id: c for c in household.open}
        created_at = datetime.fromisoformat(payload["created_at"])
        for row in payload["late_fee_charges"]:
            parent = by_id[row["parent_id"]]
            parent.late_posted_fen += row["amount_fen"]
            late = late_fee_charge(row, parent, created_at)
            household.open.append(late)
            by_id[late.id] = late
        for line in payload["allocations"]:
            by_id[line["charge_id"]].paid_fen += line["amount_fen"]
        household.prepaid_fen = payload["prepaid_balance_after_fen"]
        household.open = [c for c in household.open if c.outstanding_fen > 0]


def _late_fees(selected: Sequence[ChargeBalance], day: date) -> int:
    """The late fees plan_payment will post for ``selected`` on ``day`` (what is due on top).

    Only charges past their grace period can owe one, so only those are asked.
    """
    late = [c for c in selected if c.rule and (day - c.due_date).days > c.rule.grace_days]
    return sum(fee.amount.fen for fee in late_fees_due(late, day))


def balance(charge: BilledCharge) -> ChargeBalance:
    """The ledger's view of one demo charge (what ``list_charge_balances`` would read)."""
    item = charge.item
    has_rule = item.late_fee_daily_ppm and item.late_fee_cap_percent
    rule = (
        LateFeeRule(item.late_fee_daily_ppm, item.late_fee_grace_days, item.late_fee_cap_percent)
        if has_rule
        else None
    )
    return ChargeBalance(
        charge_id=charge.id,
        unit_id=charge.unit_id,
        fee_item_id=item.id,
        fee_item_code=item.code,
        fee_item_name=item.name,
        period=charge.period,
        source=charge.source,
        parent_id=charge.parent_id,
        amount=Money(charge.amount_fen),
        due_date=charge.due_date,
        rule=rule,
        paid=Money(charge.paid_fen),
        adjusted=Money(0),
        late_fee_waived=Money(0),
        late_fees_posted=Money(charge.late_posted_fen),
    )


def late_fee_charge(row: dict[str, Any], parent: BilledCharge, at: datetime) -> BilledCharge:
    """A late-fee charge a payment posted, as the demo tracks it."""
    return BilledCharge(
        id=row["id"],
        unit_id=row["unit_id"],
        item=parent.item,
        period=row["period"],
        period_start=parent.period_start,
        period_end=parent.period_end,
        amount_fen=row["amount_fen"],
        due_date=date.fromisoformat(row["due_date"]),
        note="",
        created_at=at,
        source=row["source"],
        parent_id=row["parent_id"],
    )


def count_notes(amount_fen: int) -> dict[str, int]:
    """The drawer's content for ``amount_fen`` (a whole number of jiao), fewest pieces first."""
    counts: dict[str, int] = {}
    rest = max(amount_fen, 0)
    for denomination in DENOMINATIONS:
        if denomination.code == "n1":
            continue  # ¥1 comes as coins in the demo's drawer
        pieces, rest = divmod(rest, denomination.fen)
        if pieces:
            counts[denomination.code] = pieces
    return counts


__all__ = [
    "DayRows",
    "History",
    "Household",
    "Journal",
    "Receipts",
    "balance",
    "count_notes",
]
