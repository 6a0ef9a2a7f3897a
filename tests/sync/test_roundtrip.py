"""Enrol, push and pull against a real HQ on 127.0.0.1."""

from __future__ import annotations

import pytest
from tortoise import connections

from feetui.db.models import Charge, Device, FeeItem, Party, Site, Unit, User
from feetui.sync.client import SyncClient, SyncError
from feetui.sync.enrolment import enroll_device
from feetui.sync.protocol import PushRequest, make_record
from feetui.sync.puller import get_pull_state, pull_changes
from feetui.sync.pusher import count_waiting, load_waiting, push_outbox
from tests.sync.journal import append_entries


async def _raw(sql: str, *args) -> list[tuple]:
    _, rows = await connections.get("default").execute_query(sql, list(args))
    return [tuple(row) for row in rows]


async def test_enroll_stores_token_server_and_site(db, hq, clock) -> None:
    code = await hq.enrollment_code("S1", "window-1")
    done = await enroll_device(server=hq.url + "/", code=code, name="窗口一", now=clock.now())
    device = await Device.get(id=db.device_id)
    assert device.sync_token.startswith(done["device_id"][:0])
    assert device.sync_token and device.server_url == hq.url
    assert device.site_id == hq.sites["S1"] and device.name == "窗口一"  # type: ignore[attr-defined]
    assert (await Site.get(id=hq.sites["S1"])).code == "S1"
    assert done["site_name"] == "绿景苑"
    assert await hq.scalar("SELECT name FROM devices WHERE id = ?", db.device_id) == "窗口一"


async def test_enroll_with_a_used_code_is_refused_and_stores_nothing(db, hq, clock) -> None:
    code = await hq.enrollment_code()
    await enroll_device(server=hq.url, code=code, now=clock.now())
    token = (await Device.get(id=db.device_id)).sync_token
    with pytest.raises(SyncError) as caught:
        await enroll_device(server=hq.url, code=code, now=clock.now())
    assert caught.value.code == "auth_rejected" and caught.value.server_code == "bad_code"
    assert (await Device.get(id=db.device_id)).sync_token == token


async def test_enroll_with_no_server_answering_is_unreachable(db, clock) -> None:
    from tests.sync.hq import free_port

    with pytest.raises(SyncError) as caught:
        await enroll_device(server=f"http://127.0.0.1:{free_port()}", code="X", now=clock.now())
    assert caught.value.code == "server_unreachable" and caught.value.transient
    assert (await Device.get(id=db.device_id)).sync_token == ""


async def test_push_sends_the_outbox_in_order_and_marks_it_acknowledged(
    db, hq, enrolled, ids, clock
) -> None:
    made = await append_entries(db.device_id, ids, 7)
    async with SyncClient(enrolled.server, enrolled.token) as client:
        report = await push_outbox(client, device_id=db.device_id, clock=clock, batch_size=3)
    assert (report.sent, report.created, report.existing) == (7, 7, 0)
    assert report.acked_to == 7 and report.waiting == 0
    stored = await hq.rows(
        "SELECT record_id, seq FROM journal WHERE device_id = ? ORDER BY seq", db.device_id
    )
    assert [r["record_id"] for r in stored] == made
    assert await hq.scalar("SELECT ack_seq FROM devices WHERE id = ?", db.device_id) == 7


async def test_push_after_a_lost_reply_gets_exists_and_stores_nothing_twice(
    db, hq, enrolled, ids, clock
) -> None:
    await append_entries(db.device_id, ids, 4)
    async with SyncClient(enrolled.server, enrolled.token) as client:
        await push_outbox(client, device_id=db.device_id, clock=clock)
        # As if HQ's reply had been lost: the counter still thinks all four are waiting.
        await connections.get("default").execute_query("UPDATE outbox SET acked_at = NULL")
        assert await count_waiting(db.device_id) == 4
        again = await push_outbox(client, device_id=db.device_id, clock=clock)
    assert (again.created, again.existing, again.waiting) == (0, 4, 0)
    assert await hq.scalar("SELECT count(*) FROM journal") == 4


async def test_push_with_nothing_waiting_sends_nothing(db, hq, enrolled, clock) -> None:
    async with SyncClient(enrolled.server, enrolled.token) as client:
        report = await push_outbox(client, device_id=db.device_id, clock=clock)
    assert (report.sent, report.acked_to, report.waiting) == (0, 0, 0)


async def test_push_with_a_revoked_token_is_refused_and_keeps_the_outbox(
    db, hq, enrolled, ids, clock
) -> None:
    from sync_server.services.auth import revoke_device

    await append_entries(db.device_id, ids, 2)
    await revoke_device(hq.db, db.device_id, now=hq.clock())
    async with SyncClient(enrolled.server, enrolled.token) as client:
        with pytest.raises(SyncError) as caught:
            await push_outbox(client, device_id=db.device_id, clock=clock)
    assert caught.value.code == "auth_rejected" and not caught.value.transient
    assert await count_waiting(db.device_id) == 2


async def _publish_community(hq) -> dict[str, str]:
    site = hq.sites["S1"]
    ids = {
        "unit": "0190a000-0000-7000-8000-000000000001",
        "party": "0190a000-0000-7000-8000-000000000002",
        "fee": "0190a000-0000-7000-8000-000000000003",
        "charge": "0190a000-0000-7000-8000-000000000004",
        "user": "0190a000-0000-7000-8000-000000000005",
    }
    await hq.publish(
        "unit",
        {
            "id": ids["unit"],
            "site_id": site,
            "code": "3-2-1502",
            "building": "3",
            "entrance": "2",
            "room": "1502",
            "area_centi_m2": 8950,
        },
    )
    await hq.publish(
        "party",
        {
            "id": ids["party"],
            "site_id": site,
            "unit_id": ids["unit"],
            "role": "owner",
            "name": "张三丰",
            "phone": "13800001234",
        },
    )
    await hq.publish(
        "fee_item",
        {
            "id": ids["fee"],
            "site_id": site,
            "code": "PF",
            "name": "物业费",
            "kind": "area",
            "rate_fen": 250,
        },
    )
    await hq.publish(
        "charge",
        {
            "id": ids["charge"],
            "unit_id": ids["unit"],
            "fee_item_id": ids["fee"],
            "period": "2026-10",
            "amount_fen": 22375,
            "due_date": "2026-10-28",
        },
    )
    await hq.publish(
        "user",
        {
            "id": ids["user"],
            "code": "1001",
            "name": "李晓梅",
            "role": "cashier",
            "pin_hash": "scrypt$16384$8$1$00$00",
            "disabled": False,
        },
    )
    return ids


async def test_pull_applies_master_data_and_moves_the_cursor(db, hq, enrolled, clock) -> None:
    ids = await _publish_community(hq)
    async with SyncClient(enrolled.server, enrolled.token) as client:
        report = await pull_changes(client, device_id=db.device_id, clock=clock, limit=2)
    assert report.skipped == 0 and report.pages == 3
    unit = await Unit.get(id=ids["unit"])
    assert (unit.code, unit.owner_name, unit.phone_tail) == ("3-2-1502", "张三丰", "1234")
    assert (await Party.get(id=ids["party"])).kind == "owner"
    assert (await FeeItem.get(id=ids["fee"])).rate_fen == 250
    assert (await Charge.get(id=ids["charge"])).amount_fen == 22375
    assert (await User.get(id=ids["user"])).active
    last = await hq.scalar("SELECT max(seq) FROM change_log")
    state = await get_pull_state()
    assert state.cursor == report.cursor == last and state.epoch == report.epoch != ""
    found = await _raw("SELECT unit_id FROM search_unit")
    assert found == [(ids["unit"],)]


async def test_pull_twice_applies_each_change_once(db, hq, enrolled, clock) -> None:
    await _publish_community(hq)
    async with SyncClient(enrolled.server, enrolled.token) as client:
        await pull_changes(client, device_id=db.device_id, clock=clock)
        again = await pull_changes(client, device_id=db.device_id, clock=clock)
    assert (again.changes, again.pages) == (0, 1)
    assert await Charge.all().count() == 1


async def test_pull_skips_an_unreadable_change_and_goes_on(db, hq, enrolled, clock) -> None:
    await hq.publish(
        "unit",
        {
            "id": "0190a000-0000-7000-8000-0000000000aa",
            "site_id": hq.sites["S1"],
            "code": "1-1-101",
        },
    )
    await hq.publish(
        "fee_item",
        {
            "id": "0190a000-0000-7000-8000-0000000000ab",
            "site_id": hq.sites["S1"],
            "code": "PK",
            "name": "停车费",
            "kind": "fixed",
            "rate_fen": 15000,
        },
    )
    async with SyncClient(enrolled.server, enrolled.token) as client:
        report = await pull_changes(client, device_id=db.device_id, clock=clock)
    assert (report.changes, report.skipped) == (2, 1)  # the site, the fee item; not the unit
    assert await Unit.all().count() == 0 and await FeeItem.all().count() == 1


async def test_pull_keeps_another_counters_records_apart_from_its_own_chain(
    db, hq, enrolled, ids, clock
) -> None:
    from feetui.core.journal import GENESIS_HASH, ChainEntry, verify_chain

    await append_entries(db.device_id, ids, 2)
    other_id = ids.new_str()
    code = await hq.enrollment_code("S1", "window-2")
    async with SyncClient(hq.url) as anonymous:
        from feetui.sync.protocol import EnrollRequest

        other = await anonymous.enroll(EnrollRequest(code, other_id, "window-2"))
    record = make_record(
        device_id=other_id,
        seq=1,
        record_id=ids.new_str(),
        kind="note",
        payload={"business_date": "2026-11-23", "n": 1},
        prev_hash=GENESIS_HASH,
    )
    async with SyncClient(hq.url, other.token) as client:
        await client.push(PushRequest(other_id, (record,)))
    async with SyncClient(enrolled.server, enrolled.token) as client:
        await push_outbox(client, device_id=db.device_id, clock=clock)
        await pull_changes(client, device_id=db.device_id, clock=clock)
        await pull_changes(client, device_id=db.device_id, clock=clock)
    stored = await _raw(
        "SELECT device_id, seq, hash FROM journal_entry WHERE record_id = ?", record.record_id
    )
    assert stored == [(other_id, 1, record.hash)]
    assert await _raw("SELECT count(*) FROM journal_entry WHERE device_id = ?", db.device_id) == [
        (2,)
    ]
    assert await count_waiting(db.device_id) == 0 and await load_waiting(db.device_id) == []
    own = await _raw(
        "SELECT device_id, seq, record_id, kind, payload_json, prev_hash, hash"
        " FROM journal_entry WHERE device_id = ? ORDER BY seq",
        db.device_id,
    )
    assert verify_chain([ChainEntry(*row) for row in own], device_id=db.device_id) is None


async def test_hq_records_win_a_code_clash_and_the_local_row_steps_aside(
    db, hq, enrolled, clock
) -> None:
    from feetui.core.pin import hash_pin

    site = hq.sites["S1"]
    old_fee, new_fee = (
        "0190a000-0000-7000-8000-0000000000f1",
        "0190a000-0000-7000-8000-0000000000f2",
    )
    local_user = await User.create(
        id="0190a000-0000-7000-8000-0000000000e1",
        code="1001",
        name="本地",
        role="cashier",
        pin_hash=hash_pin("1234", salt=b"saltsalt"),
    )
    for fee_id in (old_fee, new_fee):  # HQ re-created the fee item under the same code
        await hq.publish(
            "fee_item",
            {
                "id": fee_id,
                "site_id": site,
                "code": "PF",
                "name": "物业费",
                "kind": "area",
                "rate_fen": 250,
            },
        )
    await hq.publish(
        "user",
        {
            "id": "0190a000-0000-7000-8000-0000000000e2",
            "code": "1001",
            "name": "李晓梅",
            "role": "cashier",
            "pin_hash": "scrypt$x",
            "disabled": False,
        },
    )
    async with SyncClient(enrolled.server, enrolled.token) as client:
        report = await pull_changes(client, device_id=db.device_id, clock=clock)
    assert report.skipped == 0
    assert (await FeeItem.get(id=new_fee)).code == "PF"
    aside = await FeeItem.get(id=old_fee)
    assert aside.code != "PF" and not aside.active
    assert (await User.get(code="1001")).name == "李晓梅"
    stepped = await User.get(id=local_user.id)
    assert stepped.code != "1001" and not stepped.active and len(stepped.code) <= 16


async def test_a_refused_request_names_the_servers_reason(db, hq, enrolled, ids, clock) -> None:
    from feetui.core.journal import GENESIS_HASH

    other = ids.new_str()
    record = make_record(
        device_id=other,
        seq=1,
        record_id=ids.new_str(),
        kind="note",
        payload={"n": 1},
        prev_hash=GENESIS_HASH,
    )
    async with SyncClient(enrolled.server, enrolled.token) as client:
        with pytest.raises(SyncError) as caught:
            await client.push(PushRequest(other, (record,)))
    error = caught.value
    assert (error.code, error.status, error.server_code) == (
        "request_rejected",
        403,
        "foreign_device",
    )
    assert not error.transient and error.params["reason"] == "foreign_device"
