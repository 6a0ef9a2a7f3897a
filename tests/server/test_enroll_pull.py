"""Enrolment codes, tokens and the pull change log."""

from __future__ import annotations

import json

from tests.server.helpers import Hq


async def _enroll(hq: Hq, code: str, device_id: str, name: str = "w") -> tuple[int, dict]:
    body = {"code": code, "device_id": device_id, "name": name}
    response = await hq.client.post("/api/v1/enroll", json=body)
    return response.status, await response.json()


async def test_enrolment_gives_a_token_for_the_codes_site_and_keeps_the_device_id(hq: Hq) -> None:
    device_id = "01900000-0000-7000-8000-000000000001"
    status, body = await _enroll(hq, await hq.code("S2"), device_id)
    assert status == 200
    assert body["device_id"] == device_id
    assert (body["site_id"], body["site_code"], body["site_name"]) == (
        hq.sites["S2"],
        "S2",
        "翠湖居",
    )
    stored = await hq.scalar("SELECT token_hash FROM devices WHERE id = ?", device_id)
    assert stored != body["token"] and len(stored) == 64


async def test_an_enrolment_code_works_once_and_expires_after_24_hours(hq: Hq) -> None:
    code = await hq.code()
    first = "01900000-0000-7000-8000-000000000001"
    assert (await _enroll(hq, code, first))[0] == 200
    status, body = await _enroll(hq, code, "01900000-0000-7000-8000-000000000002")
    assert (status, body["error"]) == (401, "bad_code")
    late = await hq.code()
    hq.clock.advance(hours=24, seconds=1)
    status, body = await _enroll(hq, late, "01900000-0000-7000-8000-000000000003")
    assert (status, body["error"]) == (401, "bad_code")
    assert await hq.scalar("SELECT count(*) FROM devices") == 1


async def test_an_enrolment_code_is_accepted_in_lower_case_without_dashes(hq: Hq) -> None:
    code = (await hq.code()).replace("-", "").lower()
    assert (await _enroll(hq, code, "01900000-0000-7000-8000-000000000001"))[0] == 200


async def test_a_device_cannot_move_to_another_site_by_enrolling_again(hq: Hq) -> None:
    device_id = "01900000-0000-7000-8000-000000000001"
    await _enroll(hq, await hq.code("S1"), device_id)
    status, body = await _enroll(hq, await hq.code("S2"), device_id)
    assert (status, body["error"]) == (409, "device_of_other_site")
    assert await hq.scalar("SELECT site_id FROM devices") == hq.sites["S1"]


async def _pull(hq: Hq, device, query: str = "") -> dict:
    response = await hq.client.get(f"/api/v1/pull{query}", headers=device.auth())
    assert response.status == 200, await response.text()
    return await response.json()


async def test_pull_sends_site_master_data_and_other_devices_records_but_not_my_own(hq: Hq) -> None:
    one = await hq.enroll(name="window-1")
    two = await hq.enroll(name="window-2")
    elsewhere = await hq.enroll(site="S2", name="far")
    mine = one.payment(100)
    theirs = two.payment(200)
    await hq.push(one, [mine])
    await hq.push(two, [theirs])
    await hq.push(elsewhere, [elsewhere.payment(300)])
    page = await _pull(hq, one)
    assert page["more"] is False
    journal = [c["data"] for c in page["changes"] if c["entity"] == "journal"]
    assert journal == [theirs.to_json()]
    sites = [c["data"]["code"] for c in page["changes"] if c["entity"] == "site"]
    assert sites == ["S1"]


async def test_a_pushed_record_is_pulled_from_the_journal_and_old_text_copies_still_pull(
    hq: Hq,
) -> None:
    one = await hq.enroll(name="window-1")
    two = await hq.enroll(name="window-2")
    new, old = two.payment(200), two.payment(300)
    await hq.push(two, [new])
    # The change names the journal row; the record's text is not stored twice.
    assert await hq.scalar("SELECT data FROM change_log WHERE entity_id = ?", new.record_id) == ""
    # A change written before that kept the record's JSON text: it still pulls as it was.
    await hq.rows(
        "INSERT INTO change_log (site_id, entity, op, entity_id, data, source_device, created_at)"
        " SELECT site_id, 'journal', 'upsert', ?, ?, ?, '2026-11-23T01:30:00.000000Z'"
        " FROM devices WHERE id = ?",
        old.record_id, json.dumps(old.to_json()), two.device_id, two.device_id,
    )  # fmt: skip
    page = await _pull(hq, one)
    journal = [c["data"] for c in page["changes"] if c["entity"] == "journal"]
    assert journal == [new.to_json(), old.to_json()]


async def test_pull_pages_follow_the_cursor_without_skipping_or_repeating(hq: Hq) -> None:
    one = await hq.enroll(name="window-1")
    two = await hq.enroll(name="window-2")
    await hq.push(two, [two.payment(10 + i) for i in range(25)])
    seen, cursor, pages = [], 0, 0
    while True:
        page = await _pull(hq, one, f"?cursor={cursor}&limit=7")
        assert page["cursor"] == cursor
        seen += [c["seq"] for c in page["changes"]]
        cursor, pages = page["next_cursor"], pages + 1
        if not page["more"]:
            break
    assert seen == sorted(set(seen))
    assert len([s for s in seen]) == 26  # the site and 25 records
    assert pages == 4
    again = await _pull(hq, one, f"?cursor={cursor}")
    assert again["changes"] == [] and again["next_cursor"] == cursor


async def test_bump_epoch_changes_the_epoch_counters_see(hq: Hq) -> None:
    from sync_server.services.pull import bump_epoch

    device = await hq.enroll()
    before = (await _pull(hq, device))["epoch"]
    new = await bump_epoch(hq.db)
    assert new != before
    assert (await _pull(hq, device))["epoch"] == new


async def test_pull_refuses_bad_cursors(hq: Hq) -> None:
    device = await hq.enroll()
    for query, code in [("?cursor=-1", "wrong_type"), ("?cursor=abc", "wrong_type"),
                        ("?limit=0", "bad_value"), ("?limit=100000", "bad_value"),
                        ("?since=1", "unknown_field")]:  # fmt: skip
        response = await hq.client.get(f"/api/v1/pull{query}", headers=device.auth())
        assert response.status == 400
        assert (await response.json())["error"] == code


async def test_pull_publishes_counter_users_fee_items_units_and_bills_of_the_site(
    hq: Hq, tmp_path
) -> None:
    from sync_server.services.billing import NewFeeItem, add_fee_item, bill_period
    from sync_server.services.imports import import_units
    from sync_server.services.master import NewUser, add_user, disable_user

    here = await hq.enroll(site="S1")
    there = await hq.enroll(site="S2")
    now = hq.clock()
    await add_user(hq.db, NewUser("1001", "李收银", "cashier", ("S1",), pin="1234"), now=now)
    await add_user(hq.db, NewUser("boss", "Boss", "admin", password="pw"), now=now)
    await disable_user(hq.db, code="1001", now=now)
    await add_fee_item(hq.db, NewFeeItem("PF", "物业费", "area", 250, site="S1"), now=now)
    units = tmp_path / "units.csv"
    units.write_text("site,unit,area,owner,phone,plates\nS1,3-2-1502,89.50,张三丰,,\n", "utf-8")
    assert (await import_units(hq.db, units, now=now)).ok
    await bill_period(hq.db, period="2026-11", now=now)
    page = await _pull(hq, here)
    by_entity: dict[str, list] = {}
    for change in page["changes"]:
        by_entity.setdefault(change["entity"], []).append(change["data"])
    users = by_entity["user"]
    assert [(u["code"], u["disabled"]) for u in users] == [("1001", False), ("1001", True)]
    assert users[0]["pin_hash"].startswith("scrypt$")
    assert [f["code"] for f in by_entity["fee_item"]] == ["PF"]
    assert [u["code"] for u in by_entity["unit"]] == ["3-2-1502"]
    assert [c["amount_fen"] for c in by_entity["charge"]] == [22375]
    elsewhere = await _pull(hq, there)
    assert {c["entity"] for c in elsewhere["changes"]} == {"site"}


async def test_a_login_token_expires_and_dies_with_its_disabled_user(hq: Hq) -> None:
    from sync_server.services.master import disable_user

    token = await hq.user_token("mgr", role="site_manager", sites=("S1",))
    headers = {"Authorization": f"Bearer {token}"}
    path = "/api/v1/reports/exceptions"
    assert (await hq.client.get(path, headers=headers)).status == 200
    hq.clock.advance(minutes=481)
    assert (await hq.client.get(path, headers=headers)).status == 401
    hq.clock.advance(minutes=-481)
    assert (await hq.client.get(path, headers=headers)).status == 200
    await disable_user(hq.db, code="mgr", now=hq.clock())
    assert (await hq.client.get(path, headers=headers)).status == 401
    response = await hq.client.post("/api/v1/login", json={"code": "mgr", "password": "pw-mgr"})
    assert (response.status, (await response.json())["error"]) == (401, "bad_credentials")
