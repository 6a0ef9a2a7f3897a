"""A counter that is never enrolled works standalone: it bills a month itself, once, and manages
its own users; an enrolled counter leaves both to headquarters."""

from __future__ import annotations

import io

import pytest
from tortoise import connections

from feetui.cli import main
from feetui.core.errors import InputError, RuleError
from feetui.core.pin import verify_pin
from feetui.db.models import Charge, Device, User
from feetui.services.billing import bill_period
from feetui.services.journal import verify_local_chain
from feetui.services.users import add_user, disable_user
from tests.builders import snapshot


async def test_bill_writes_each_units_by_area_and_fixed_charges_with_journal_entries(
    ledger, svc
) -> None:
    first = await ledger.unit(area_centi_m2=8950)
    second = await ledger.unit(area_centi_m2=12345)
    run = await bill_period(svc, period="2026-12")
    # 物业费 area × ¥2.50/m² rounded once; 停车费 ¥150 a month per unit; metered/one-off skipped.
    assert run.by_item == (("PF", 2, 22375 + 30863), ("PK", 2, 30000))
    assert (run.charges, run.total_fen) == (4, 22375 + 30863 + 30000)
    amounts = {
        (c.unit_id, c.amount_fen)  # type: ignore[attr-defined]
        for c in await Charge.filter(period="2026-12", source="bill")
    }
    assert amounts == {(first.id, 22375), (second.id, 30863), (first.id, 15000), (second.id, 15000)}
    assert all(str(c.due_date) == "2026-12-28" for c in await Charge.filter(period="2026-12"))
    _, rows = await connections.get("default").execute_query(
        "SELECT count(*) FROM journal_entry j JOIN outbox o ON o.entry_id = j.id"
        " WHERE j.kind = 'charge'"
    )
    assert rows[0][0] == 4
    assert await verify_local_chain(svc.device_id) is None


async def test_a_period_is_billed_once(ledger, svc) -> None:
    await ledger.unit()
    await bill_period(svc, period="2026-12")
    before = await snapshot()
    with pytest.raises(RuleError) as caught:
        await bill_period(svc, period="2026-12")
    assert caught.value.code == "period_already_billed"
    assert await snapshot() == before


@pytest.mark.parametrize("period", ["2026-13", "2026-1", "26-01", "", "2026-00", "abcd-ef"])
async def test_bill_refuses_a_bad_period_and_writes_nothing(ledger, svc, period) -> None:
    await ledger.unit()
    before = await snapshot()
    with pytest.raises(InputError) as caught:
        await bill_period(svc, period=period)
    assert caught.value.code == "period_invalid"
    assert await snapshot() == before


async def test_an_enrolled_counter_leaves_billing_and_users_to_hq(ledger, svc) -> None:
    await ledger.unit()
    await Device.filter(id=svc.device_id).update(sync_token="fdt_x", server_url="http://hq")
    with pytest.raises(RuleError) as billing:
        await bill_period(svc, period="2026-12")
    with pytest.raises(RuleError) as users:
        await add_user(svc, code="2001", name="新人", role="cashier", pin="2468")
    assert (billing.value.code, users.value.code) == ("billing_by_hq", "users_by_hq")
    assert not await Charge.filter(period="2026-12").exists()


async def test_users_add_stores_only_a_pin_hash_and_disable_stops_sign_in(svc, db) -> None:
    added = await add_user(svc, code="2001", name="新收银", role="cashier", pin="２４６８")
    user = await User.get(code="2001")
    assert user.id == added.user_id and user.active and "2468" not in user.pin_hash
    assert verify_pin("2468", user.pin_hash) and not verify_pin("1357", user.pin_hash)
    with pytest.raises(RuleError) as twice:
        await add_user(svc, code="2001", name="重复", role="cashier", pin="1357")
    assert twice.value.code == "user_exists"
    await disable_user(svc, code="2001")
    assert not (await User.get(code="2001")).active
    with pytest.raises(RuleError):
        await disable_user(svc, code="9999")


@pytest.mark.parametrize(
    ("code", "name", "role", "pin", "error"),
    [
        ("", "名", "cashier", "1234", "user_code_invalid"),
        ("a b", "名", "cashier", "1234", "user_code_invalid"),
        ("2002", "", "cashier", "1234", "user_name_invalid"),
        ("2002", "名", "boss", "1234", "role_invalid"),
        ("2002", "名", "cashier", "12a4", "pin_invalid"),
        ("2002", "名", "cashier", "123", "pin_invalid"),
    ],
)
async def test_users_add_refuses_bad_input_and_stores_nothing(
    svc, db, code, name, role, pin, error
) -> None:
    with pytest.raises(InputError) as caught:
        await add_user(svc, code=code, name=name, role=role, pin=pin)
    assert caught.value.code == error
    assert await User.all().count() == 0


def test_users_and_bill_commands_as_a_person_runs_them(tmp_path, capsys, monkeypatch) -> None:
    db = str(tmp_path / "c.sqlite3")
    monkeypatch.setattr("sys.stdin", io.StringIO("2468\n"))
    argv = ["users", "add", "2001", "--name", "新收银", "--role", "cashier", "--pin-stdin"]
    assert main([*argv, "--db", db, "--lang", "en_US"]) == 0
    assert "User 2001 (新收银, cashier) added." in capsys.readouterr().out
    monkeypatch.setattr("sys.stdin", io.StringIO("2468\n"))
    assert main([*argv, "--db", db, "--lang", "en_US"]) == 1
    assert "2001" in capsys.readouterr().err
    assert main(["users", "disable", "2001", "--db", db, "--lang", "en_US"]) == 0
    assert "can no longer sign in" in capsys.readouterr().out
    assert main(["bill", "--period", "2026-13", "--db", db, "--lang", "en_US"]) == 1
    assert "YYYY-MM" in capsys.readouterr().err
    assert main(["bill", "--period", "2026-12", "--db", db]) == 0
    assert "2026-12" in capsys.readouterr().out
