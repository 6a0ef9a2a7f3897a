"""A shift's life at one counter: open (开班), cash in and out, the running expected cash, and
the close (交班) with its blind count, over/short (长短款) and settlement slips.

Rules:

* One open shift per device; a shift is closed by writing its :class:`ShiftClose` row, never by
  updating the shift, so a closed shift cannot be reopened (the close row is posted and unique)
  and nothing more can be posted into it (R16).
* Expected cash is exactly ``float + cash tendered − change − cash refunds + pay-ins − pay-outs −
  deposits`` from the shift's own records (R15, :func:`feetui.core.shift.expected_cash`); a void
  of a cash payment gives its cash back through its negative tenders. No other path moves cash.
* Only the drawer's owner (the shift's cashier) or a supervisor may move its cash
  (:mod:`feetui.services.cash_movements`) or close it.
* The close is a blind count: the screen shows expected cash only once the count is entered
  (:func:`preview_close`); a difference needs a note. Settlement slip figures of card, WeChat and
  Alipay are recorded beside the shift's own totals at close, and the close's journal record
  carries those totals for every method (``method_totals``) for HQ to check against its copy.

Handing the closed drawer to the next cashier is :mod:`feetui.services.handover`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime

from tortoise.backends.base.client import BaseDBAsyncClient

from feetui.clock import business_date
from feetui.core.errors import N_, InputError, PermissionError_, RuleError
from feetui.core.money import Money
from feetui.core.shift import count_total, expected_cash, over_short
from feetui.db.models import SettlementCheck, Shift, ShiftClose, User
from feetui.db.models.base import Role, TenderMethod
from feetui.db.queries.posting import get_open_shift
from feetui.db.queries.reports import DrawerFigures, get_drawer_figures, get_method_totals
from feetui.services.approval import get_active_user
from feetui.services.container import Services
from feetui.services.journal import append_journal
from feetui.services.posting import posting, replay, require_amount
from feetui.services.scan_payments import require_no_open_scan

KIND = "shift_open"
CLOSE_KIND = "shift_close"
SETTLEMENT_METHODS = (TenderMethod.CARD, TenderMethod.WECHAT, TenderMethod.ALIPAY)
"""Methods whose settlement slip (card terminal, WeChat, Alipay) is checked at close."""
MAX_NOTE = 200
MAX_SLIP_NO = 64


@dataclass(frozen=True, slots=True)
class OpenedShift:
    """A shift as opened."""

    shift_id: str
    cashier_id: str
    cashier_name: str
    business_date: date
    opened_at: datetime
    opening_float: Money
    opening_counts: Mapping[str, int]


async def open_shift(
    svc: Services, *, shift_id: str, cashier_id: str, opening_counts: Mapping[str, int]
) -> OpenedShift:
    """Open a shift on this device with its counted float.

    The business date is the site's calendar date now; every record of the shift is booked on
    it, whatever the PC clock says later (R19).

    Args:
        svc: the services context.
        shift_id: the new shift's id (made before posting: a retry passes the same id).
        cashier_id: who opens it.
        opening_counts: pieces per denomination code (``{"n100": 3, "c05": 2}``).

    Returns:
        The opened shift (the first one when ``shift_id`` was opened before).

    Raises:
        InputError: ``count_invalid`` for an unknown denomination or a bad count.
        RuleError: ``shift_already_open`` when this device already has an open shift.
        PermissionError_: ``user_unknown``.
        StorageError: the database refused.
    """
    counts = {code: pieces for code, pieces in opening_counts.items() if pieces}
    opening_float = count_total(counts)
    async with posting() as conn:
        first = await replay(shift_id, KIND)
        if first is not None:
            return _from_payload(first)
        if await get_open_shift(svc.device_id) is not None:
            raise RuleError(
                "shift_already_open",
                N_("A shift is already open on this counter: close it before opening another."),
            )
        cashier = await get_active_user(cashier_id)
        now = svc.clock.now().astimezone(UTC)
        payload = {
            "id": shift_id,
            "device_id": svc.device_id,
            "cashier_id": cashier.id,
            "cashier_name": cashier.name,
            "opened_at": now.isoformat(),
            "business_date": business_date(now, svc.tz).isoformat(),
            "opening_float_fen": opening_float.fen,
            "opening_counts": counts,
        }
        await Shift.create(
            using_db=conn,
            id=shift_id,
            device_id=svc.device_id,
            cashier_id=cashier.id,
            opened_at=now,
            business_date=payload["business_date"],
            opening_float_fen=opening_float.fen,
            opening_counts_json=json.dumps(counts, sort_keys=True),
        )
        await append_journal(
            conn,
            entry_id=svc.ids.new_str(),
            device_id=svc.device_id,
            kind=KIND,
            record_id=shift_id,
            payload=payload,
            created_at=now,
        )
    return _from_payload(payload)


def _from_payload(payload: dict) -> OpenedShift:
    return OpenedShift(
        shift_id=payload["id"],
        cashier_id=payload["cashier_id"],
        cashier_name=payload["cashier_name"],
        business_date=date.fromisoformat(payload["business_date"]),
        opened_at=datetime.fromisoformat(payload["opened_at"]),
        opening_float=Money(payload["opening_float_fen"]),
        opening_counts=dict(payload["opening_counts"]),
    )


# ---------------------------------------------------------------------------------------------
# The drawer


@dataclass(frozen=True, slots=True)
class DrawerCash:
    """The figures of a shift's drawer and the cash it should hold (R15)."""

    opening_float: Money
    cash_tendered: Money
    change_given: Money
    cash_refunds: Money
    pay_ins: Money
    pay_outs: Money
    deposits: Money

    @property
    def expected(self) -> Money:
        """float + tendered − change − refunds + pay-ins − pay-outs − deposits."""
        return expected_cash(
            opening_float=self.opening_float,
            cash_tendered=self.cash_tendered,
            change_given=self.change_given,
            cash_refunds=self.cash_refunds,
            pay_ins=self.pay_ins,
            pay_outs=self.pay_outs,
            deposits=self.deposits,
        )

    @classmethod
    def from_figures(cls, figures: DrawerFigures) -> DrawerCash:
        """From the query's figures."""
        return cls(
            opening_float=figures.opening_float,
            cash_tendered=figures.cash_tendered,
            change_given=figures.change_given,
            cash_refunds=figures.cash_refunds,
            pay_ins=figures.pay_ins,
            pay_outs=figures.pay_outs,
            deposits=figures.deposits,
        )


async def drawer_cash(shift_id: str) -> DrawerCash:
    """The drawer of ``shift_id`` from its own records, whatever the display setting says.

    Raises:
        InputError: ``shift_unknown``.
    """
    figures = await get_drawer_figures(shift_id)
    if figures is None:
        raise _shift_unknown()
    return DrawerCash.from_figures(figures)


async def get_drawer_cash(svc: Services, *, shift_id: str) -> DrawerCash:
    """The running expected cash of a shift, shown on request during the shift.

    Raises:
        PermissionError_: ``expected_cash_hidden`` when the supervisor's setting hides it
            (``settings.show_expected_cash``); the close still shows it after the blind count.
        InputError: ``shift_unknown``.
    """
    if not svc.settings.show_expected_cash:
        raise PermissionError_(
            "expected_cash_hidden",
            N_(
                "The expected cash is hidden on this counter: it is shown after the count at close."
            ),
        )
    return await drawer_cash(shift_id)


def _shift_unknown() -> InputError:
    return InputError("shift_unknown", N_("This shift is not one of this counter's."))


async def require_postable_shift(svc: Services, shift_id: str) -> Shift:
    """The shift, if it is this device's and still open (call it inside the posting transaction).

    Raises:
        InputError: ``shift_unknown``.
        RuleError: ``shift_closed``.
    """
    shift = await Shift.get_or_none(id=shift_id, device_id=svc.device_id)
    if shift is None:
        raise _shift_unknown()
    if await ShiftClose.exists(shift_id=shift_id):
        raise RuleError(
            "shift_closed",
            N_("This shift is closed: nothing more can be posted into it. Open a new shift."),
        )
    return shift


async def require_drawer_owner(shift: Shift, user_id: str) -> User:
    """The acting user, if they own the drawer (the shift's cashier) or are a supervisor.

    Raises:
        PermissionError_: ``user_unknown`` or ``notrequire_drawer_owner``.
    """
    user = await get_active_user(user_id)
    if user.id != shift.cashier_id and user.role not in (Role.SUPERVISOR, Role.ADMIN):  # type: ignore[attr-defined]
        raise PermissionError_(
            "not_drawer_owner",
            N_("This drawer is another cashier's: only they or a supervisor may use it."),
        )
    return user


def check_text(value: str, *, limit: int, code: str = "text_too_long") -> str:
    """``value`` stripped, if it is not longer than ``limit``.

    Raises:
        InputError: ``text_too_long`` (param ``limit``).
    """
    text = (value or "").strip()
    if len(text) > limit:
        raise InputError(
            code, N_("This text is too long: at most {limit} characters."), limit=limit
        )
    return text


# ---------------------------------------------------------------------------------------------
# The close


@dataclass(frozen=True, slots=True)
class ClosePreview:
    """What the close screen shows once the blind count is entered (nothing is written)."""

    counted: Money
    drawer: DrawerCash
    non_cash: Mapping[str, Money]
    """The shift's own total per non-cash method, to check against settlement slips."""

    @property
    def expected(self) -> Money:
        """The cash the drawer should hold."""
        return self.drawer.expected

    @property
    def over_short(self) -> Money:
        """Counted minus expected: 长款 above zero, 短款 below."""
        return over_short(expected=self.expected, counted=self.counted)


@dataclass(frozen=True, slots=True)
class SettlementResult:
    """A settlement slip checked at close: the slip's figure beside the shift's own."""

    method: str
    recorded: Money
    slip: Money

    @property
    def difference(self) -> Money:
        """Slip minus recorded."""
        return self.slip - self.recorded


@dataclass(frozen=True, slots=True)
class ClosedShift:
    """A shift as closed."""

    close_id: str
    shift_id: str
    business_date: date
    closed_at: datetime
    closed_by_name: str
    counted: Money
    counts: Mapping[str, int]
    expected: Money
    over_short: Money
    note: str
    settlements: tuple[SettlementResult, ...]

    @classmethod
    def from_payload(cls, payload: dict) -> ClosedShift:
        """Rebuild the result from the close's journal payload."""
        return cls(
            close_id=payload["id"],
            shift_id=payload["shift_id"],
            business_date=date.fromisoformat(payload["business_date"]),
            closed_at=datetime.fromisoformat(payload["created_at"]),
            closed_by_name=payload["closed_by_name"],
            counted=Money(payload["counted_fen"]),
            counts=dict(payload["counts"]),
            expected=Money(payload["expected_fen"]),
            over_short=Money(payload["over_short_fen"]),
            note=payload["note"],
            settlements=tuple(
                SettlementResult(s["method"], Money(s["recorded_fen"]), Money(s["slip_fen"]))
                for s in payload["settlement_checks"]
            ),
        )


async def preview_close(svc: Services, *, shift_id: str, counts: Mapping[str, int]) -> ClosePreview:
    """Expected against counted for a blind count already entered, without closing anything.

    Raises:
        InputError: ``count_invalid``, ``shift_unknown``.
        RuleError: ``shift_closed``, ``scan_pending``.
    """
    counted = count_total(counts)
    await require_postable_shift(svc, shift_id)
    await require_no_open_scan(svc)
    return ClosePreview(counted, await drawer_cash(shift_id), await _non_cash_totals(shift_id))


async def _non_cash_totals(shift_id: str) -> dict[str, Money]:
    totals = await get_method_totals(shift_id)
    shown = {m: totals.get(m, Money(0)) for m in SETTLEMENT_METHODS}
    others = {m: a for m, a in totals.items() if m != TenderMethod.CASH and m not in shown}
    return {**shown, **others}


async def close_shift(
    svc: Services,
    *,
    close_id: str,
    shift_id: str,
    closed_by: str,
    counts: Mapping[str, int],
    note: str = "",
    settlement_slips: Mapping[str, Money] | None = None,
    expected_seen: Money | None = None,
) -> ClosedShift:
    """Close a shift with its cash count; it can never be reopened (R16).

    The close row, its settlement checks, its journal entry and outbox row are one transaction.

    Args:
        svc: the services context.
        close_id: the close's id, made before posting (a retry passes the same id).
        shift_id: the open shift to close.
        closed_by: who closes it (the shift's cashier or a supervisor).
        counts: the blind count, pieces per denomination code.
        note: why counted and expected differ (required when they do).
        settlement_slips: per method (card, wechat, alipay), the settlement slip's figure.
        expected_seen: the expected cash the screen showed; if the records moved since, refuse.

    Returns:
        The closed shift (the first close when ``close_id`` was posted before).

    Raises:
        InputError: ``count_invalid``, ``settlement_method_unknown``, ``amount_*``,
            ``text_too_long``, ``shift_unknown``.
        RuleError: ``shift_closed`` (a closed shift cannot be closed or reopened),
            ``over_short_note_required``, ``expected_changed``, ``scan_pending`` (a scanned
            payment is still waiting for its result).
        PermissionError_: ``user_unknown``, ``notrequire_drawer_owner``.
        StorageError: the database refused.
    """
    counted = count_total(counts)
    slips = _check_slips(svc, settlement_slips or {})
    text = check_text(note, limit=MAX_NOTE, code="text_too_long")
    async with posting() as conn:
        first = await replay(close_id, CLOSE_KIND)
        if first is not None:
            return ClosedShift.from_payload(first)
        shift = await require_postable_shift(svc, shift_id)
        user = await require_drawer_owner(shift, closed_by)
        await require_no_open_scan(svc)
        expected = (await drawer_cash(shift_id)).expected
        _check_close(expected, counted, text, expected_seen)
        recorded = await get_method_totals(shift_id)
        payload = _close_payload(svc, close_id, shift, user, counted, expected, text)
        payload["counts"] = {code: pieces for code, pieces in counts.items() if pieces}
        payload["method_totals"] = method_totals_payload(recorded)
        payload["settlement_checks"] = [
            _settlement_row(svc, method, recorded.get(method, Money(0)), slip)
            for method, slip in slips.items()
        ]
        await _write_close(conn, svc, payload)
    return ClosedShift.from_payload(payload)


def _check_slips(svc: Services, slips: Mapping[str, Money]) -> dict[str, Money]:
    ceiling = Money(svc.settings.amount_ceiling_fen)
    for method, amount in slips.items():
        if method not in SETTLEMENT_METHODS:
            raise InputError(
                "settlement_method_unknown",
                N_("Settlement slips are checked for bank card, WeChat Pay and Alipay only."),
            )
        require_amount(amount, ceiling=ceiling, allow_zero=True)
    return {m: slips[m] for m in SETTLEMENT_METHODS if m in slips}


def _check_close(expected: Money, counted: Money, note: str, expected_seen: Money | None) -> None:
    if expected_seen is not None and expected_seen != expected:
        raise RuleError(
            "expected_changed",
            N_("The shift's records changed while closing: count again and close again."),
        )
    difference = over_short(expected=expected, counted=counted)
    if difference and not note:
        raise RuleError(
            "over_short_note_required",
            N_("Counted and expected cash differ by {difference} yuan: enter a note saying why."),
            difference=difference.yuan_text(grouping=True),
        )


def _close_payload(
    svc: Services,
    close_id: str,
    shift: Shift,
    user: User,
    counted: Money,
    expected: Money,
    note: str,
) -> dict:
    return {
        "id": close_id,
        "device_id": svc.device_id,
        "shift_id": shift.id,
        "business_date": shift.business_date.isoformat(),
        "created_at": svc.clock.now().astimezone(UTC).isoformat(),
        "closed_by_id": user.id,
        "closed_by_name": user.name,
        "counted_fen": counted.fen,
        "expected_fen": expected.fen,
        "over_short_fen": over_short(expected=expected, counted=counted).fen,
        "note": note,
    }


def method_totals_payload(recorded: Mapping[str, Money]) -> dict[str, int]:
    """The close's ``method_totals``: fen per method the shift's tenders used, as the slip shows
    them (:func:`~feetui.db.queries.reports.get_method_totals`: voids' reversals netted, refunds
    apart, prepaid spent included), so HQ can check them against its copy of the journal."""
    return {method: amount.fen for method, amount in recorded.items()}


def _settlement_row(svc: Services, method: str, recorded: Money, slip: Money) -> dict:
    return {
        "id": svc.ids.new_str(),
        "method": method,
        "recorded_fen": recorded.fen,
        "slip_fen": slip.fen,
        "difference_fen": (slip - recorded).fen,
    }


async def _write_close(conn: BaseDBAsyncClient, svc: Services, p: dict) -> None:
    """The close row, its settlement checks, then its journal entry and outbox row."""
    created_at = datetime.fromisoformat(p["created_at"])
    await ShiftClose.create(
        using_db=conn,
        id=p["id"],
        shift_id=p["shift_id"],
        closed_at=created_at,
        counted_fen=p["counted_fen"],
        counts_json=json.dumps(p["counts"], sort_keys=True),
        expected_fen=p["expected_fen"],
        over_short_fen=p["over_short_fen"],
        note=p["note"],
        closed_by_id=p["closed_by_id"],
    )
    if p["settlement_checks"]:
        checks = [SettlementCheck(close_id=p["id"], **row) for row in p["settlement_checks"]]
        await SettlementCheck.bulk_create(checks, using_db=conn)
    await append_journal(
        conn,
        entry_id=svc.ids.new_str(),
        device_id=p["device_id"],
        kind=CLOSE_KIND,
        record_id=p["id"],
        payload=p,
        created_at=created_at,
    )


__all__ = [
    "CLOSE_KIND",
    "KIND",
    "SETTLEMENT_METHODS",
    "ClosePreview",
    "ClosedShift",
    "DrawerCash",
    "OpenedShift",
    "SettlementResult",
    "check_text",
    "close_shift",
    "drawer_cash",
    "get_drawer_cash",
    "method_totals_payload",
    "open_shift",
    "preview_close",
    "require_drawer_owner",
    "require_postable_shift",
]
