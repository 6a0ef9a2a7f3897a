"""Arrears work (催缴): how old a debt is, the collection rate, and follow-ups with their promises.

The rules, in prose:

* **Age.** A charge is in arrears from the day after its due date. Its age as of a date is the
  number of days past the due date; it falls in one of four buckets: up to 30 days, 31–90,
  91–180 and over 180 (day 30 is still ``≤30``, day 31 is ``31–90``, and so on).
* **Collection rate (收缴率).** For a billing month: collected for that month's charges ÷ billed
  for them, both net of waivers and without late fees. Money paid in the month for charges of
  earlier months is *prior-period arrears collected* and is shown apart, never added to the rate.
  The rate is kept in basis points (1/100 of a percent), rounded half up once.
* **Follow-ups.** A follow-up has a channel (phone, SMS, notice, visit, lawyer's letter), a reason
  category, what was said and perhaps a promise: a date (today or later) and an amount (above
  zero, not above what is owed). A promise is *due* on its date, *broken* after it, and *kept*
  once the unit has paid at least the promised amount since the follow-up. Due and broken
  promises surface at the top of the arrears list and on the unit screen; a newer follow-up of
  the unit replaces the older one's promise.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from feetui.core.errors import N_, InputError
from feetui.core.money import Money, total
from feetui.core.parse import normalise_digits

# ---------------------------------------------------------------- ageing


@dataclass(frozen=True, slots=True)
class AgeBucket:
    """An ageing bucket: its stable code, its label (a message id) and its day range."""

    code: str
    label: str
    first_day: int
    last_day: int | None
    """``None``: no upper end."""

    def holds(self, age_days: int) -> bool:
        """Whether a debt ``age_days`` past due falls in this bucket."""
        return age_days >= self.first_day and (self.last_day is None or age_days <= self.last_day)


AGE_BUCKETS: tuple[AgeBucket, ...] = (
    AgeBucket("d30", N_("≤30 days"), 1, 30),
    AgeBucket("d90", N_("31–90 days"), 31, 90),
    AgeBucket("d180", N_("91–180 days"), 91, 180),
    AgeBucket("over180", N_(">180 days"), 181, None),
)
BUCKET_CODES: tuple[str, ...] = tuple(b.code for b in AGE_BUCKETS)


def age_days(due_date: date, as_of: date) -> int:
    """Days past the due date as of ``as_of`` (0 or less: not yet overdue)."""
    return (as_of - due_date).days


def bucket_of(age: int) -> AgeBucket | None:
    """The bucket of a debt ``age`` days past due; ``None`` when it is not overdue yet."""
    for bucket in AGE_BUCKETS:
        if bucket.holds(age):
            return bucket
    return None


def bucket_by_code(code: str) -> AgeBucket:
    """The bucket named ``code``.

    Raises:
        InputError: ``age_bucket_unknown`` (param ``code``).
    """
    for bucket in AGE_BUCKETS:
        if bucket.code == code:
            return bucket
    raise InputError("age_bucket_unknown", N_("Unknown age bucket {bucket}."), bucket=code)


def bucket_totals(debts: Iterable[tuple[int, Money]]) -> dict[str, Money]:
    """Sum ``(age, amount)`` pairs per bucket code; debts not yet overdue are left out.

    Returns:
        Every bucket code (in order) with its total, zero when empty.
    """
    sums = {code: 0 for code in BUCKET_CODES}
    for age, amount in debts:
        bucket = bucket_of(age)
        if bucket is not None:
            sums[bucket.code] += amount.fen
    return {code: Money(fen) for code, fen in sums.items()}


# ---------------------------------------------------------------- months


def parse_date(text: str) -> date:
    """A date typed as ``YYYY-MM-DD`` (full-width digits and ``/`` or ``.`` separators too).

    Raises:
        InputError: ``date_invalid`` (param ``text``).
    """
    normal = normalise_digits(text or "").strip().replace("/", "-").replace(".", "-")
    parts = normal.split("-")
    try:
        if len(parts) != 3 or not all(p.isdigit() for p in parts) or len(parts[0]) != 4:
            raise ValueError(normal)
        return date(int(parts[0]), int(parts[1]), int(parts[2]))
    except ValueError:
        raise InputError(
            "date_invalid", N_("{text} is not a date: type it like 2026-12-31."), text=text
        ) from None


def month_of(day: date) -> str:
    """The billing month of ``day`` as ``YYYY-MM``."""
    return f"{day.year:04d}-{day.month:02d}"


def add_months(day: date, months: int) -> date:
    """``day`` moved by whole months, kept inside the target month (Jan 31 + 1 → Feb 28/29)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, _days_in_month(year, month + 1)))


def _days_in_month(year: int, month: int) -> int:
    following = date(year + month // 12, month % 12 + 1, 1)
    return (following - date(year, month, 1)).days


def last_months(as_of: date, count: int = 12) -> tuple[str, ...]:
    """The ``count`` billing months ending with the month of ``as_of``, oldest first."""
    return tuple(month_of(add_months(as_of.replace(day=1), -n)) for n in range(count - 1, -1, -1))


# ---------------------------------------------------------------- collection rate

BASIS_POINTS = 10_000
"""A rate of 100 % in basis points."""


@dataclass(frozen=True, slots=True)
class BilledAmount:
    """What was billed for one billing month in one group (building, fee item or the site).

    ``amount`` is net of waivers and discounts; late fees are not billed here.
    """

    group: str
    period: str
    amount: Money


@dataclass(frozen=True, slots=True)
class CollectedAmount:
    """Money applied to charges of ``charge_period``, paid during ``paid_period`` (both YYYY-MM)."""

    group: str
    charge_period: str
    paid_period: str
    amount: Money


@dataclass(frozen=True, slots=True)
class CollectionRate:
    """The collection rate of one group for one billing month."""

    group: str
    period: str
    billed: Money
    collected: Money
    """Applied to this month's charges, whenever paid (up to the report date)."""
    prior_collected: Money
    """Paid during this month for charges of earlier months (shown apart)."""

    @property
    def rate_bp(self) -> int | None:
        """``collected ÷ billed`` in basis points, half up; ``None`` when nothing was billed."""
        return rate_basis_points(self.collected, self.billed)

    @property
    def outstanding(self) -> Money:
        """What this month's charges still owe."""
        return self.billed - self.collected


def rate_basis_points(collected: Money, billed: Money) -> int | None:
    """``collected ÷ billed`` in basis points, rounded half up; ``None`` when billed is not > 0."""
    if billed.fen <= 0:
        return None
    numerator = collected.fen * BASIS_POINTS
    quotient, remainder = divmod(abs(numerator), billed.fen)
    if remainder * 2 >= billed.fen:
        quotient += 1
    return quotient if numerator >= 0 else -quotient


def percent_text(rate_bp: int | None) -> str:
    """A rate for people: ``96.43%``; ``—`` when there is none."""
    if rate_bp is None:
        return "—"
    sign = "-" if rate_bp < 0 else ""
    whole, part = divmod(abs(rate_bp), 100)
    return f"{sign}{whole}.{part:02d}%"


def collection_rates(
    periods: Sequence[str],
    billed: Iterable[BilledAmount],
    collected: Iterable[CollectedAmount],
    *,
    groups: Sequence[str] | None = None,
) -> list[CollectionRate]:
    """Collection rates per group and billing month.

    Args:
        periods: the billing months to report (``YYYY-MM``), in the order wanted.
        billed: what was billed, per group and month.
        collected: money applied to charges, per group, charge month and payment month.
        groups: report exactly these groups, every month of ``periods`` (zeros where nothing
            happened); ``None`` reports only the groups and months that have figures.

    Returns:
        One rate per group (sorted, unless ``groups`` is given) and month in ``periods``.
    """
    wanted = set(periods)
    sums: dict[tuple[str, str], list[int]] = {}
    for row in billed:
        if row.period in wanted:
            sums.setdefault((row.group, row.period), [0, 0, 0])[0] += row.amount.fen
    for row in collected:
        if row.charge_period in wanted:
            sums.setdefault((row.group, row.charge_period), [0, 0, 0])[1] += row.amount.fen
        if row.paid_period in wanted and row.charge_period < row.paid_period:
            sums.setdefault((row.group, row.paid_period), [0, 0, 0])[2] += row.amount.fen
    if groups is not None:
        return [
            CollectionRate(group, period, *(Money(f) for f in sums.get((group, period), (0, 0, 0))))
            for group in groups
            for period in periods
        ]
    return [
        CollectionRate(group, period, Money(s[0]), Money(s[1]), Money(s[2]))
        for group in sorted({group for group, _ in sums})
        for period in periods
        if (s := sums.get((group, period))) is not None
    ]


def overall_rate(rates: Iterable[CollectionRate], *, group: str = "") -> CollectionRate:
    """The rates of several months (or groups) added up into one, e.g. a year's rate."""
    items = list(rates)
    periods = {r.period for r in items}
    return CollectionRate(
        group,
        periods.pop() if len(periods) == 1 else "",
        total(r.billed for r in items),
        total(r.collected for r in items),
        total(r.prior_collected for r in items),
    )


# ---------------------------------------------------------------- follow-ups


@dataclass(frozen=True, slots=True)
class Choice:
    """A stable code and its label (an English message id)."""

    code: str
    label: str


CHANNELS: tuple[Choice, ...] = (
    Choice("phone", N_("Phone call")),
    Choice("sms", N_("SMS")),
    Choice("notice", N_("Written notice")),
    Choice("visit", N_("Home visit")),
    Choice("lawyer_letter", N_("Lawyer's letter")),
)
REASONS: tuple[Choice, ...] = (
    Choice("forgot", N_("Forgot")),
    Choice("hardship", N_("Financial hardship")),
    Choice("unhappy_service", N_("Unhappy with the service")),
    Choice("refuses", N_("Refuses to pay")),
    Choice("vacant", N_("Vacant")),
    Choice("developer_dispute", N_("Dispute with the developer")),
    Choice("other", N_("Other")),
)
REASONS_NEEDING_DETAIL = frozenset({"unhappy_service", "other"})
"""Reasons that say nothing without a few words: unhappy with *what*; *which* other reason."""
MAX_SAID = 500
MAX_DETAIL = 100


def label_of(choices: Sequence[Choice], code: str) -> str:
    """The label (message id) of ``code`` in ``choices``; the code itself when unknown."""
    for choice in choices:
        if choice.code == code:
            return choice.label
    return code


@dataclass(frozen=True, slots=True)
class FollowUpDraft:
    """A follow-up as the collector typed it, before it is checked."""

    channel: str
    reason: str
    reason_detail: str = ""
    said: str = ""
    promised_date: date | None = None
    promised_amount: Money | None = None


def check_follow_up(draft: FollowUpDraft, *, today: date, owed: Money) -> FollowUpDraft:
    """Check a follow-up and return it tidied (text stripped).

    Args:
        draft: what was typed.
        today: the business date (a promise cannot be earlier).
        owed: what the unit owes now (a promise cannot be more).

    Returns:
        The checked follow-up.

    Raises:
        InputError: ``channel_unknown``, ``reason_unknown``, ``reason_detail_required``,
            ``text_too_long`` (param ``limit``), ``promise_incomplete``, ``promise_date_past``
            (param ``today``), ``promise_amount_invalid``, ``promise_above_owed`` (param ``owed``).
    """
    if draft.channel not in {c.code for c in CHANNELS}:
        raise InputError("channel_unknown", N_("Choose how the resident was contacted."))
    if draft.reason not in {r.code for r in REASONS}:
        raise InputError("reason_unknown", N_("Choose why the fees are not paid."))
    detail = _text(draft.reason_detail, MAX_DETAIL)
    if draft.reason in REASONS_NEEDING_DETAIL and not detail:
        raise InputError(
            "reason_detail_required", N_("Say in a few words what the resident is unhappy with.")
        )
    said = _text(draft.said, MAX_SAID)
    check_promise(draft.promised_date, draft.promised_amount, today=today, owed=owed)
    return FollowUpDraft(
        draft.channel, draft.reason, detail, said, draft.promised_date, draft.promised_amount
    )


def _text(value: str, limit: int) -> str:
    text = (value or "").strip()
    if len(text) > limit:
        raise InputError(
            "text_too_long", N_("That text is too long: at most {limit} characters."), limit=limit
        )
    return text


def check_promise(
    promised_date: date | None, amount: Money | None, *, today: date, owed: Money
) -> None:
    """Refuse a promise that cannot be kept as written (see :func:`check_follow_up`)."""
    if promised_date is None and amount is None:
        return
    if promised_date is None or amount is None:
        raise InputError("promise_incomplete", N_("A promise needs both a date and an amount."))
    if promised_date < today:
        raise InputError(
            "promise_date_past",
            N_("The promised date is in the past: give {today} or a later date."),
            today=today.isoformat(),
        )
    if amount.fen <= 0:
        raise InputError("promise_amount_invalid", N_("The promised amount must be above zero."))
    if amount > owed:
        raise InputError(
            "promise_above_owed",
            N_("The promised amount is more than the unit owes (¥{owed})."),
            owed=owed.yuan_text(grouping=True),
        )


class PromiseStatus:
    """Where a promise stands as of a date."""

    PENDING = "pending"
    """Its date is still ahead."""
    DUE = "due"
    """Its date is today."""
    BROKEN = "broken"
    """Its date has passed and it was not kept."""
    KEPT = "kept"
    """The unit paid at least the promised amount since the follow-up."""
    SURFACING = (DUE, BROKEN)
    """Statuses that put the unit at the top of the arrears list."""


PROMISE_LABELS = {
    PromiseStatus.PENDING: N_("Promised"),
    PromiseStatus.DUE: N_("Promise due today"),
    PromiseStatus.BROKEN: N_("Promise broken"),
    PromiseStatus.KEPT: N_("Promise kept"),
}


def promise_status(
    promised_date: date, promised_amount: Money, *, paid_since: Money, as_of: date
) -> str:
    """The :class:`PromiseStatus` of a promise as of ``as_of``.

    Args:
        promised_date: the day the resident said they would pay.
        promised_amount: how much they said they would pay.
        paid_since: what the unit has paid since the follow-up was recorded.
        as_of: the date to judge on.
    """
    if paid_since >= promised_amount:
        return PromiseStatus.KEPT
    if as_of < promised_date:
        return PromiseStatus.PENDING
    return PromiseStatus.DUE if as_of == promised_date else PromiseStatus.BROKEN


def surfacing_rank(status: str | None) -> int:
    """Sort key putting promises due today first, then broken ones, then everything else."""
    if status == PromiseStatus.DUE:
        return 0
    return 1 if status == PromiseStatus.BROKEN else 2


__all__ = [
    "AGE_BUCKETS",
    "BASIS_POINTS",
    "BUCKET_CODES",
    "CHANNELS",
    "MAX_DETAIL",
    "MAX_SAID",
    "PROMISE_LABELS",
    "REASONS",
    "REASONS_NEEDING_DETAIL",
    "AgeBucket",
    "BilledAmount",
    "Choice",
    "CollectedAmount",
    "CollectionRate",
    "FollowUpDraft",
    "PromiseStatus",
    "add_months",
    "age_days",
    "bucket_by_code",
    "bucket_of",
    "bucket_totals",
    "check_follow_up",
    "check_promise",
    "collection_rates",
    "label_of",
    "last_months",
    "month_of",
    "overall_rate",
    "parse_date",
    "percent_text",
    "promise_status",
    "rate_basis_points",
    "surfacing_rank",
]
