"""Arrears work as scenarios: follow-ups, promises, instalment plans, tags, the list, the rate."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from feetui.core.arrears import FollowUpDraft, PromiseStatus
from feetui.core.errors import FeeError
from feetui.core.instalment import Instalment, InstalmentStatus
from feetui.core.money import Money
from feetui.core.receipt import PrintLabels
from feetui.db.models import CollectionNote, InstalmentPlan, JournalEntry, SearchUnit, Unit
from feetui.db.queries.arrears_list import ArrearsFilter, get_last_follow_up, list_arrears
from feetui.db.queries.collection_rate import list_collection_rates
from feetui.services.followups import record_follow_up
from feetui.services.instalments import agree_instalment_plan, get_plan, pay_instalment
from feetui.services.reminders import build_reminder
from feetui.services.results import TenderInput
from feetui.services.tags import set_unit_tags
from tests.builders import SUPERVISOR_CODE, SUPERVISOR_PIN, snapshot

TODAY = date(2026, 11, 23)


async def _owing_unit(ledger, code: str = "", *, months=("2026-08", "2026-09", "2026-10")):
    """A unit owing ¥150 of parking (no late fee) for each month given, due on the 28th."""
    unit = await ledger.unit(code)
    for period in months:
        await ledger.charge(unit, item="PK", period=period, amount_fen=15_000)
    return unit


def _promise(days: int, fen: int, **kw) -> FollowUpDraft:
    return FollowUpDraft(
        "phone",
        "forgot",
        said="will pay",
        promised_date=TODAY + timedelta(days=days),
        promised_amount=Money(fen),
        **kw,
    )


async def _follow_up(svc, ledger, unit, draft: FollowUpDraft):
    return await record_follow_up(
        svc, note_id=svc.ids.new_str(), unit_id=unit.id, user_id=ledger.cashier.id, draft=draft
    )


# ---------------------------------------------------------------- follow-ups and promises


async def test_a_promise_surfaces_at_the_top_of_the_list_on_its_date(svc, ledger, clock) -> None:
    big = await _owing_unit(ledger, "1-1-101")
    small = await _owing_unit(ledger, "1-1-102", months=("2026-10",))
    posted = await _follow_up(svc, ledger, small, _promise(2, 10_000))
    assert posted.promised_amount == Money(10_000)
    before = await list_arrears(TODAY)
    assert [r.unit_code for r in before.rows] == ["1-1-101", "1-1-102"]
    assert before.rows[1].last is not None
    assert before.rows[1].last.promise == PromiseStatus.PENDING
    clock.advance(days=2)
    due = await list_arrears(TODAY + timedelta(days=2))
    assert [r.unit_code for r in due.rows] == ["1-1-102", "1-1-101"]
    assert due.rows[0].last.promise == PromiseStatus.DUE
    broken = await get_last_follow_up(small.id, TODAY + timedelta(days=3))
    assert broken is not None and broken.promise == PromiseStatus.BROKEN
    assert big.id != small.id


async def test_a_promise_is_kept_once_the_unit_pays_it(svc, ledger, clock) -> None:
    unit = await _owing_unit(ledger)
    await _follow_up(svc, ledger, unit, _promise(0, 15_000))
    clock.advance(minutes=5)
    await ledger.pay(unit, cash=15_000, amount_to_charges=Money(15_000))
    last = await get_last_follow_up(unit.id, TODAY)
    assert last is not None and last.promise == PromiseStatus.KEPT
    assert last.paid_since == Money(15_000)


async def test_follow_up_is_journaled_with_its_detail(svc, ledger) -> None:
    unit = await _owing_unit(ledger)
    draft = FollowUpDraft("visit", "unhappy_service", reason_detail="lift broken", said="fix it")
    posted = await _follow_up(svc, ledger, unit, draft)
    entry = await JournalEntry.get(record_id=posted.note_id)
    assert entry.kind == "collection_note"
    assert '"reason_detail":"lift broken"' in entry.payload_json
    note = await CollectionNote.get(id=posted.note_id).prefetch_related("detail")
    assert (note.channel, note.reason, note.note) == ("visit", "unhappy_service", "fix it")
    assert note.detail.reason_detail == "lift broken"


async def test_recording_the_same_follow_up_twice_writes_it_once(svc, ledger) -> None:
    unit = await _owing_unit(ledger)
    note_id = svc.ids.new_str()
    for _ in range(2):
        await record_follow_up(
            svc,
            note_id=note_id,
            unit_id=unit.id,
            user_id=ledger.cashier.id,
            draft=FollowUpDraft("sms", "forgot"),
        )
    assert await CollectionNote.filter(unit_id=unit.id).count() == 1


@pytest.mark.parametrize(
    ("draft", "code"),
    [
        (_promise(-1, 100), "promise_date_past"),
        (_promise(3, 45_001), "promise_above_owed"),
        (FollowUpDraft("fax", "forgot"), "channel_unknown"),
        (FollowUpDraft("phone", "unhappy_service"), "reason_detail_required"),
    ],
)
async def test_a_bad_follow_up_is_refused_and_nothing_changes(
    svc, ledger, draft: FollowUpDraft, code: str
) -> None:
    unit = await _owing_unit(ledger)
    before = await snapshot()
    with pytest.raises(FeeError) as caught:
        await _follow_up(svc, ledger, unit, draft)
    assert caught.value.code == code
    assert await snapshot() == before
    assert await CollectionNote.all().count() == 0


# ---------------------------------------------------------------- instalment plans

PLAN = [
    Instalment(date(2026, 12, 1), Money(20_000)),
    Instalment(date(2027, 1, 1), Money(25_000)),
]


async def _agree(svc, ledger, unit, lines=PLAN, code=SUPERVISOR_CODE, pin=SUPERVISOR_PIN):
    return await agree_instalment_plan(
        svc,
        plan_id=svc.ids.new_str(),
        unit_id=unit.id,
        requested_by_id=ledger.cashier.id,
        lines=lines,
        supervisor_code=code,
        supervisor_pin=pin,
        note="hardship",
    )


async def test_a_supervisor_agrees_a_plan_and_the_first_instalment_is_paid_oldest_first(
    svc, ledger, clock
) -> None:
    unit = await _owing_unit(ledger)
    plan = await _agree(svc, ledger, unit)
    assert plan.debt == Money(45_000)
    assert plan.approver_name == "王主管"
    view = await get_plan(svc, unit.id)
    assert view is not None and view.progress.next is not None
    assert view.progress.next.remaining == Money(20_000)
    clock.advance(minutes=1)
    paid = await pay_instalment(
        svc,
        payment_id=svc.ids.new_str(),
        unit_id=unit.id,
        cashier_id=ledger.cashier.id,
        tenders=[TenderInput("cash", Money(20_000), tendered=Money(20_000))],
    )
    assert [(line.period, line.amount.fen) for line in paid.lines] == [
        ("2026-08", 15_000),
        ("2026-09", 5_000),
    ]
    view = await get_plan(svc, unit.id)
    assert [i.status for i in view.progress.instalments] == [
        InstalmentStatus.PAID,
        InstalmentStatus.OPEN,
    ]
    clock.set(clock.now() + timedelta(days=45))
    late = await get_plan(svc, unit.id)
    assert late is not None and late.progress.overdue_amount == Money(25_000)


async def test_a_new_plan_supersedes_the_current_one(svc, ledger) -> None:
    unit = await _owing_unit(ledger)
    first = await _agree(svc, ledger, unit)
    lines = [Instalment(TODAY + timedelta(days=d), Money(15_000)) for d in (1, 31, 61)]
    second = await _agree(svc, ledger, unit, lines=lines)
    assert second.supersedes_id == first.plan_id
    view = await get_plan(svc, unit.id)
    assert view is not None and view.plan_id == second.plan_id and len(view.lines) == 3


@pytest.mark.parametrize(
    ("lines", "code", "pin", "error"),
    [
        (
            [Instalment(date(2026, 12, 1), Money(20_000)), Instalment(date(2027, 1, 1), Money(1))],
            SUPERVISOR_CODE,
            SUPERVISOR_PIN,
            "plan_sum_mismatch",
        ),
        (PLAN, "", "", "plan_needs_supervisor"),
        (PLAN, SUPERVISOR_CODE, "0000", "pin_wrong"),
        (PLAN, "1001", "1234", "supervisor_required"),
    ],
)
async def test_a_bad_plan_is_refused_and_nothing_changes(
    svc, ledger, lines, code: str, pin: str, error: str
) -> None:
    unit = await _owing_unit(ledger)
    before = await snapshot()
    with pytest.raises(FeeError) as caught:
        await _agree(svc, ledger, unit, lines=lines, code=code, pin=pin)
    assert caught.value.code == error
    assert await snapshot() == before
    assert await InstalmentPlan.all().count() == 0


async def test_paying_without_a_plan_is_refused(svc, ledger) -> None:
    unit = await _owing_unit(ledger)
    with pytest.raises(FeeError) as caught:
        await pay_instalment(
            svc,
            payment_id=svc.ids.new_str(),
            unit_id=unit.id,
            cashier_id=ledger.cashier.id,
            tenders=[TenderInput("cash", Money(1))],
        )
    assert caught.value.code == "no_plan"


# ---------------------------------------------------------------- tags


async def test_tags_set_at_the_counter_reach_the_unit_the_search_card_and_the_journal(
    svc, ledger
) -> None:
    unit = await ledger.unit()
    await Unit.filter(id=unit.id).update(tags="vacant")
    change = await set_unit_tags(
        svc,
        change_id=svc.ids.new_str(),
        unit_id=unit.id,
        user_id=ledger.cashier.id,
        tags=["elderly", "home_visit"],
    )
    assert change.tags_after == ("vacant", "home_visit", "elderly")
    assert (await Unit.get(id=unit.id)).tags == "vacant home_visit elderly"
    assert (await SearchUnit.get(unit_id=unit.id)).tags == "vacant home_visit elderly"
    assert (await JournalEntry.get(record_id=change.change_id)).kind == "unit_tags"


@pytest.mark.parametrize(("tags", "code"), [(["vip"], "tag_unknown"), ([], "tags_unchanged")])
async def test_bad_tags_are_refused_and_nothing_changes(svc, ledger, tags, code: str) -> None:
    unit = await ledger.unit()
    with pytest.raises(FeeError) as caught:
        await set_unit_tags(
            svc,
            change_id=svc.ids.new_str(),
            unit_id=unit.id,
            user_id=ledger.cashier.id,
            tags=tags,
        )
    assert caught.value.code == code
    assert (await Unit.get(id=unit.id)).tags == ""
    assert await JournalEntry.filter(kind="unit_tags").count() == 0


# ---------------------------------------------------------------- the list and the rate


async def test_the_list_filters_sorts_and_totals_by_age_bucket(svc, ledger) -> None:
    old = await _owing_unit(ledger, "1-1-101", months=("2026-01",))  # due 01-28: 299 days
    await _owing_unit(ledger, "2-1-101", months=("2026-09", "2026-10"))  # 56 and 26 days
    await ledger.charge(old, item="PF", period="2026-11", amount_fen=5_000)  # not due yet
    await _follow_up(svc, ledger, old, FollowUpDraft("visit", "hardship"))
    everything = await list_arrears(TODAY)
    assert [r.unit_code for r in everything.rows] == ["2-1-101", "1-1-101"]
    assert everything.bucket_totals == {
        "d30": Money(15_000),
        "d90": Money(15_000),
        "d180": Money(0),
        "over180": Money(15_000),
    }
    assert everything.total == Money(45_000)
    by_age = await list_arrears(TODAY, ArrearsFilter(sort="age"))
    assert [r.unit_code for r in by_age.rows] == ["1-1-101", "2-1-101"]
    assert by_age.rows[0].bucket == "over180" and by_age.rows[0].age_days == 299
    assert [r.unit_code for r in (await list_arrears(TODAY, ArrearsFilter(building="2"))).rows] == [
        "2-1-101"
    ]
    hardship = await list_arrears(TODAY, ArrearsFilter(reason="hardship"))
    assert [r.unit_code for r in hardship.rows] == ["1-1-101"]
    never = await list_arrears(TODAY, ArrearsFilter(reason="none"))
    assert [r.unit_code for r in never.rows] == ["2-1-101"]
    d90 = await list_arrears(TODAY, ArrearsFilter(bucket="d90"))
    assert [r.unit_code for r in d90.rows] == ["2-1-101"]
    assert (await list_arrears(TODAY, ArrearsFilter(fee_item="PF"))).rows == ()


async def test_collection_rate_counts_the_months_charges_and_keeps_arrears_apart(
    svc, ledger
) -> None:
    unit = await _owing_unit(ledger, months=("2026-10", "2026-11"))
    other = await _owing_unit(ledger, months=("2026-11",))
    await ledger.pay(unit, cash=22_500, amount_to_charges=Money(22_500))  # Oct + half Nov
    await ledger.pay(other, cash=15_000)
    rates = {r.period: r for r in await list_collection_rates(TODAY, months=2)}
    assert rates["2026-11"].billed == Money(30_000)
    assert rates["2026-11"].collected == Money(22_500)
    assert rates["2026-11"].prior_collected == Money(15_000)
    assert rates["2026-11"].rate_bp == 7500
    assert rates["2026-10"].rate_bp == 10000
    by_item = await list_collection_rates(TODAY, months=1, by="fee_item")
    assert [(r.group, r.rate_bp) for r in by_item] == [("PK", 7500)]
    with pytest.raises(FeeError):
        await list_collection_rates(TODAY, by="floor")


async def test_a_reminder_itemises_what_is_owed_with_late_fees(svc, ledger) -> None:
    unit = await _owing_unit(ledger, months=("2026-10",))
    await ledger.charge(unit, item="PF", period="2026-10", amount_fen=10_000)
    doc = await build_reminder(svc, unit_id=unit.id, as_of=TODAY, labels=PrintLabels())
    assert [(line.name, line.period) for line in doc.lines] == [
        ("物业费", "2026-10"),
        ("Late fees", "2026-10"),
        ("停车费", "2026-10"),
    ]
    assert doc.lines[1].amount == Money(130)  # 0.5‰ a day × 26 days on ¥100
    assert doc.total == Money(25_130)
    empty = await ledger.unit()
    with pytest.raises(FeeError) as caught:
        await build_reminder(svc, unit_id=empty.id, as_of=TODAY, labels=PrintLabels())
    assert caught.value.code == "nothing_owed"
