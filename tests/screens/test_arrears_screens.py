"""Arrears work at the counter, driven by the keyboard at 80×24: follow-ups and promises,
instalment plans with a supervisor's PIN, paying an instalment, reminder notices, tags, the list."""

from __future__ import annotations

from pathlib import Path

from feetui.app import make_app
from feetui.db.models import CollectionNote, InstalmentPlan, JournalEntry, Payment, Unit
from tests.screens.community import SUPERVISOR_CODE, SUPERVISOR_PIN
from tests.screens.flows import SMALL, open_unit, press, settle, shows, sign_in, type_text

OWING = "3-2-1502"


def _app(settings, clock):
    return make_app(settings, clock=clock)


async def _unit_screen(pilot) -> None:
    await sign_in(pilot)
    await open_unit(pilot, OWING)
    assert shows(pilot, OWING, "张三丰")


async def test_a_follow_up_with_a_promise_surfaces_on_its_due_date(settings, clock, counter):
    app = _app(settings, clock)
    async with app.run_test(size=SMALL) as pilot:
        await _unit_screen(pilot)
        await press(pilot, "f")
        assert shows(pilot, "联系方式", "承诺日期")
        # Channel: phone (first); reason: move to "financial hardship" (second).
        await press(pilot, "tab", "enter", "down", "enter")
        await press(pilot, "tab", "tab")
        await type_text(pilot, "next week")
        await press(pilot, "enter")
        await type_text(pilot, "2026-11-25")
        await press(pilot, "enter")
        await type_text(pilot, "300")
        await press(pilot, "enter")
        assert shows(pilot, "已承诺：2026-11-25 前缴 ¥300.00")
        note = await CollectionNote.get(unit_id=counter.owing_unit_id)
        assert (note.channel, note.reason, note.note) == ("phone", "hardship", "next week")
        await press(pilot, "escape")
    clock.advance(days=2)  # the promised day: the next start of the app sees it due
    app = _app(settings, clock)
    async with app.run_test(size=SMALL) as pilot:
        await sign_in(pilot)
        await press(pilot, "f6")
        assert shows(pilot, "今日承诺到期 2026-11-25")
        first_row = app.screen.rows[0]  # type: ignore[attr-defined]
        assert first_row.unit_code == OWING


async def test_a_promise_date_in_the_past_is_refused_and_nothing_is_written(
    settings, clock, counter
):
    async with _app(settings, clock).run_test(size=SMALL) as pilot:
        await _unit_screen(pilot)
        await press(pilot, "f", "tab", "tab", "tab", "tab")
        await type_text(pilot, "2026-11-01")
        await press(pilot, "enter")
        await type_text(pilot, "100")
        await press(pilot, "enter")
        assert shows(pilot, "承诺日期已过")
        assert await CollectionNote.all().count() == 0


async def _plan_dialog(pilot, lines: str | None, code: str, pin: str) -> None:
    """I, Enter (three even instalments proposed, the schedule focused), perhaps the schedule
    retyped, then the supervisor's code and PIN and Enter."""
    await press(pilot, "i")
    assert shows(pilot, "分期欠费总额")
    await press(pilot, "enter")
    if lines is not None:
        await press(pilot, "f4")
        for number, line in enumerate(lines.splitlines()):
            await press(pilot, *(["enter"] if number else []))
            await type_text(pilot, line)
    await press(pilot, "tab", "tab")  # past the note to the supervisor's code
    await type_text(pilot, code)
    await press(pilot, "tab")
    await type_text(pilot, pin)
    await press(pilot, "enter")


async def test_a_plan_is_agreed_with_a_supervisor_pin_and_the_first_instalment_paid(
    settings, clock, counter
):
    app = _app(settings, clock)
    async with app.run_test(size=SMALL) as pilot:
        await _unit_screen(pilot)
        await _plan_dialog(pilot, None, SUPERVISOR_CODE, SUPERVISOR_PIN)
        plan = await InstalmentPlan.get(unit_id=counter.owing_unit_id).prefetch_related("lines")
        assert len(plan.lines) == 3 and sum(x.amount_fen for x in plan.lines) == plan.debt_fen
        assert plan.supersedes_id is None
        assert shows(pilot, "分期第 1/3 期")
        payments = await Payment.all().count()
        clock.advance(minutes=1)
        await press(pilot, "m")
        assert shows(pilot, "实收现金")
        await press(pilot, "enter")  # exact cash
        await settle(pilot)
        assert await Payment.all().count() == payments + 1
        paid = await Payment.all().order_by("-created_at").first()
        first = min(plan.lines, key=lambda x: x.number)
        assert paid is not None and paid.total_fen == first.amount_fen
        await press(pilot, "escape")
        assert shows(pilot, "分期第 2/3 期")


async def test_a_plan_that_does_not_add_up_or_lacks_a_supervisor_is_refused(
    settings, clock, counter
):
    async with _app(settings, clock).run_test(size=SMALL) as pilot:
        await _unit_screen(pilot)
        await _plan_dialog(pilot, "2026-12-23 100\n2027-01-23 100", SUPERVISOR_CODE, SUPERVISOR_PIN)
        assert shows(pilot, "各期合计 ¥200.00")
        await press(pilot, "escape")
        await _plan_dialog(pilot, None, "", "")
        assert shows(pilot, "分期计划须由主管批准")
        await press(pilot, "escape")
        await _plan_dialog(pilot, None, SUPERVISOR_CODE, "0000")
        assert shows(pilot, "工号或密码")
        assert await InstalmentPlan.all().count() == 0
        assert await JournalEntry.filter(kind="instalment_plan").count() == 0


async def test_a_reminder_notice_is_printed_to_a_file_printer(
    settings, clock, counter, tmp_path: Path
):
    from dataclasses import replace

    out = tmp_path / "printer.bin"
    settings = replace(settings, printer=f"file:{out}")
    app = _app(settings, clock)
    async with app.run_test(size=SMALL) as pilot:
        await _unit_screen(pilot)
        await press(pilot, "n")
        await settle(pilot)
        data = out.read_bytes()
    text = data.decode("gb18030", errors="replace")
    # Charges due by today with their late fees: ¥229.79 + ¥300.00 + ¥226.32 (November's is
    # not due yet).
    for part in ("催缴通知单", OWING, "张三丰", "欠费合计", "￥756.11", "柒佰伍拾陆元壹角壹分"):
        assert part in text, part


async def test_tags_are_ticked_and_shown(settings, clock, counter):
    async with _app(settings, clock).run_test(size=SMALL) as pilot:
        await _unit_screen(pilot)
        await press(pilot, "t")
        assert shows(pilot, "老年住户")
        await press(pilot, "down", "down", "space", "enter")
        assert (await Unit.get(id=counter.owing_unit_id)).tags == "elderly"
        assert shows(pilot, "老年住户")


async def test_the_arrears_list_filters_and_shows_the_collection_rate(settings, clock, counter):
    async with _app(settings, clock).run_test(size=SMALL) as pilot:
        await sign_in(pilot)
        await press(pilot, "f6")
        assert shows(pilot, OWING, "30天以内")
        await press(pilot, "b")  # the first building: 1
        assert shows(pilot, "楼栋：1")
        assert not shows(pilot, OWING)
        await press(pilot, "c")
        assert shows(pilot, "近12个月收缴率", "2026-10", "16.03%")
        await press(pilot, "escape")
        assert shows(pilot, "楼栋：1")


def _pdf_text(path: Path) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text() for page in PdfReader(path).pages]


async def test_d_on_the_arrears_list_writes_the_notices_as_a_pdf_beside_the_database(
    settings, clock, counter
):
    folder = settings.resolved_db_path().parent / "reminders"
    app = _app(settings, clock)
    async with app.run_test(size=SMALL) as pilot:
        await sign_in(pilot)
        await press(pilot, "f6")
        assert shows(pilot, OWING, "d PDF催缴单")  # the key is in the footer at 80×24
        await press(pilot, "d")
        files = list(folder.glob("reminders-*.pdf"))
        assert [p.name for p in files] == ["reminders-20261123-093000.pdf"]
        assert app.screen.reminders_pdf == files[0].resolve()  # type: ignore[attr-defined]
        pages = _pdf_text(files[0])
        assert len(pages) == len(app.screen.rows)  # type: ignore[attr-defined]
        owing = next(text for text in pages if OWING in text)
        for part in ("催缴通知单", "张三丰", "￥756.11", "柒佰伍拾陆元壹角壹分", "2026-12-08"):
            assert part in owing, part


async def test_d_on_the_unit_screen_writes_its_notice_to_the_configured_folder(
    settings, clock, counter, tmp_path: Path
):
    from dataclasses import replace

    folder = tmp_path / "notices"
    settings = replace(settings, reminder_pdf_dir=str(folder), lang="zh_CN")
    async with _app(settings, clock).run_test(size=SMALL) as pilot:
        await _unit_screen(pilot)
        assert shows(pilot, "d PDF ", "esc 返回")  # in the footer, Back still fits at 80×24
        await press(pilot, "d")
        await press(pilot, "d")  # a second notice the same day goes beside the first
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["reminder-3-2-1502-20261123-2.pdf", "reminder-3-2-1502-20261123.pdf"]
    (text,) = _pdf_text(folder / names[1])
    assert "20261123-3-2-1502" in text and "￥756.11" in text
