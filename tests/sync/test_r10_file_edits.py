"""R10: editing the counter's SQLite file by hand is detected at HQ.

A real counter takes payments through its services (three pushed, four waiting), is closed, and
its file is edited with plain ``sqlite3`` the way someone with the file and a SQLite shell would:
the immutability triggers dropped, rows changed, the triggers put back. The counter opens again
and pushes with its real sync client; HQ's exception report (``GET /api/v1/reports/exceptions``)
must show the edit as a chain break, a sequence gap or a receipt series break at the edited
sequence, naming the device by id and name. Money is never refused: what was pushed is stored.
Where the counter's own check (``verify_local_chain``) sees the edit too, that is asserted.

Journal (one device): seq 1 the shift's open, 2-4 payments pushed and acknowledged (receipts
1-3), 5-8 payments waiting (receipts 4-7). Seq 6 (receipt 5) is the one edited.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from typing import Any

import pytest

from feetui.core.journal import canonical_json, entry_hash
from feetui.services.journal import verify_local_chain
from feetui.services.shifts import close_shift, get_drawer_cash
from tests.sync.counters import Site

EDITED = 6
"""The sequence edited: the second payment still waiting (receipt number 5)."""


@contextmanager
def _editing(path: Any) -> Iterator[sqlite3.Connection]:
    """The file opened with plain sqlite3, its triggers dropped while editing, then put back."""
    with closing(sqlite3.connect(path, isolation_level=None)) as raw:
        triggers = raw.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%_no_%'"
        ).fetchall()
        for name, _sql in triggers:
            raw.execute(f'DROP TRIGGER "{name}"')
        raw.execute("BEGIN")
        yield raw
        raw.execute("COMMIT")
        for _name, sql in triggers:
            raw.execute(sql)


def _entry(raw: sqlite3.Connection, seq: int) -> tuple[str, str, dict[str, Any]]:
    """(entry id, record id, payload) of the journal entry at ``seq``."""
    entry_id, record_id, payload = raw.execute(
        "SELECT id, record_id, payload_json FROM journal_entry WHERE seq = ?", (seq,)
    ).fetchone()
    return entry_id, record_id, json.loads(payload)


def _set_payload(raw: sqlite3.Connection, seq: int, payload: dict[str, Any]) -> None:
    raw.execute(
        "UPDATE journal_entry SET payload_json = ? WHERE seq = ?", (canonical_json(payload), seq)
    )


def _reseal(raw: sqlite3.Connection, from_seq: int) -> None:
    """What a careful forger does next: recompute every hash from ``from_seq`` on."""
    rows = raw.execute(
        "SELECT device_id, seq, record_id, kind, payload_json FROM journal_entry"
        " WHERE seq >= ? ORDER BY seq",
        (from_seq,),
    ).fetchall()
    [(prev,)] = raw.execute(
        "SELECT hash FROM journal_entry WHERE seq = ?", (from_seq - 1,)
    ).fetchall()
    for device_id, seq, record_id, kind, payload_json in rows:
        digest = entry_hash(
            device_id=device_id, seq=seq, record_id=record_id, kind=kind,
            payload_json=payload_json, prev_hash=prev,
        )  # fmt: skip
        raw.execute(
            "UPDATE journal_entry SET prev_hash = ?, hash = ? WHERE seq = ?", (prev, digest, seq)
        )
        prev = digest


def _amount(raw: sqlite3.Connection, seq: int = EDITED) -> None:
    """¥100 taken in cash written down to ¥10, in the journal and in the posted rows."""
    _entry_id, payment_id, payload = _entry(raw, seq)
    payload["total_fen"] = 1_000
    payload["tenders"][0].update(amount_fen=1_000, tendered_fen=1_000)
    payload["allocations"][0]["amount_fen"] = 1_000
    _set_payload(raw, seq, payload)
    raw.execute("UPDATE payment SET total_fen = 1000 WHERE id = ?", (payment_id,))
    raw.execute(
        "UPDATE tender SET amount_fen = 1000, tendered_fen = 1000 WHERE payment_id = ?",
        (payment_id,),
    )
    raw.execute("UPDATE allocation SET amount_fen = 1000 WHERE payment_id = ?", (payment_id,))


def _pushed_amount_resealed(raw: sqlite3.Connection) -> None:
    """A payment HQ already holds (seq 3) written down, and the whole chain after it resealed."""
    _amount(raw, 3)
    _reseal(raw, 3)


def _delete(raw: sqlite3.Connection) -> None:
    """The payment removed: its journal entry, outbox row and posted rows."""
    entry_id, payment_id, _payload = _entry(raw, EDITED)
    raw.execute("DELETE FROM outbox WHERE entry_id = ?", (entry_id,))
    raw.execute("DELETE FROM journal_entry WHERE id = ?", (entry_id,))
    for table in ("allocation", "tender", "receipt_number"):
        raw.execute(f"DELETE FROM {table} WHERE payment_id = ?", (payment_id,))
    raw.execute("DELETE FROM payment WHERE id = ?", (payment_id,))


def _delete_renumbered(raw: sqlite3.Connection) -> None:
    """The payment removed and the entries after it moved up to close the hole."""
    _delete(raw)
    for (seq,) in raw.execute(
        "SELECT seq FROM journal_entry WHERE seq > ? ORDER BY seq", (EDITED,)
    ).fetchall():
        raw.execute("UPDATE journal_entry SET seq = ? WHERE seq = ?", (seq - 1, seq))


def _swap(raw: sqlite3.Connection) -> None:
    """Two entries change places (each row's content moves to the other's sequence)."""
    raw.execute("UPDATE journal_entry SET seq = -1 WHERE seq = ?", (EDITED,))
    raw.execute("UPDATE journal_entry SET seq = ? WHERE seq = ?", (EDITED, EDITED + 1))
    raw.execute("UPDATE journal_entry SET seq = ? WHERE seq = -1", (EDITED + 1,))


def _renumber(raw: sqlite3.Connection) -> None:
    """Receipt 5 renumbered 9 (as if 5-8 had been issued elsewhere), everywhere it is written."""
    _entry_id, payment_id, payload = _entry(raw, EDITED)
    old = payload["receipt_no"]
    payload["receipt_number"] = 9
    payload["receipt_no"] = new = old[: -len("00000005")] + "00000009"
    _set_payload(raw, EDITED, payload)
    raw.execute(
        "UPDATE receipt_number SET number = 9, text = ? WHERE payment_id = ?", (new, payment_id)
    )
    raw.execute("UPDATE payment SET receipt_no = ? WHERE id = ?", (new, payment_id))


def _renumber_resealed(raw: sqlite3.Connection) -> None:
    _renumber(raw)
    _reseal(raw, EDITED)


EDITS: dict[str, tuple[Callable[[sqlite3.Connection], None], set[tuple[str, int]], int]] = {
    # edit: (what is done to the file, the exceptions HQ must show, the counter's own first break)
    "amount": (_amount, {("chain_break", EDITED)}, EDITED),
    "pushed_amount_resealed": (_pushed_amount_resealed, {("chain_break", 5)}, 0),
    "delete": (_delete, {("seq_gap", EDITED)}, EDITED),
    "delete_renumbered": (  # the sequence is hashed: each moved entry breaks
        _delete_renumbered,
        {("chain_break", EDITED), ("chain_break", EDITED + 1), ("receipt_gap", EDITED)},
        EDITED,
    ),
    "swap": (
        _swap,
        {("chain_break", EDITED), ("chain_break", EDITED + 1), ("chain_break", EDITED + 2),
         ("receipt_gap", EDITED), ("receipt_repeat", EDITED + 1)},
        EDITED,
    ),
    "renumber": (
        _renumber,
        {("chain_break", EDITED), ("receipt_gap", EDITED), ("receipt_repeat", EDITED + 1),
         ("receipt_repeat", EDITED + 2)},
        EDITED,
    ),
    "renumber_resealed": (
        _renumber_resealed,
        {("receipt_gap", EDITED), ("receipt_repeat", EDITED + 1), ("receipt_repeat", EDITED + 2)},
        0,
    ),
}  # fmt: skip


async def _payments(site: Site, charge: int, units: range) -> list[Any]:
    cashier, community = site.community.cashier_id, site.community
    return [
        await site.counter.pay(u, cashier, 10_000, charge_ids=[community.charges[u][charge]])
        for u in (community.units[i] for i in units)
    ]


async def _write_down_posted_rows(counter: Any, payment_id: str) -> None:
    """A payment's tender and total written down to ¥10 in the counter's posted rows only, with
    plain sqlite3 while the counter is closed; its journal untouched, so its chain check is
    blind to it."""
    await counter.close()
    with _editing(counter.path) as raw:
        raw.execute(
            "UPDATE tender SET amount_fen = 1000, tendered_fen = 1000 WHERE payment_id = ?",
            (payment_id,),
        )
        raw.execute("UPDATE payment SET total_fen = 1000 WHERE id = ?", (payment_id,))
    await counter.open()
    assert await counter.run(verify_local_chain(counter.device_id)) is None  # blind to it


@pytest.mark.parametrize("edit", list(EDITS))
async def test_an_edit_of_the_counters_file_is_a_break_on_hqs_exception_report(
    site: Site, edit: str
) -> None:
    counter, hq = site.counter, site.hq
    change, expected, counter_break = EDITS[edit]
    await counter.open_shift(site.community.cashier_id)
    await _payments(site, 0, range(3))
    assert (await counter.sync()).push.acked_to == 4
    await _payments(site, 1, range(4))
    assert await counter.run(verify_local_chain(counter.device_id)) is None
    await counter.close()
    with _editing(counter.path) as raw:
        change(raw)
    await counter.open()
    broken = await counter.run(verify_local_chain(counter.device_id))
    assert (broken.seq if broken else 0) == counter_break  # what the counter can see itself
    round_ = await counter.sync()
    assert round_.push.alarm == ""  # nothing HQ held came back with other content
    # Past a hole HQ acknowledges nothing: the counter keeps seq 7-8 and sends them again.
    acked = {"delete": (5, 2), "delete_renumbered": (7, 0)}.get(edit, (8, 0))
    assert (round_.push.acked_to, round_.push.waiting) == acked
    await site.login()
    rows = (await site.report("/api/v1/reports/exceptions"))["rows"]
    found = {(e["kind"], e["seq"]) for e in rows}
    assert found == expected
    assert all((e["device_id"], e["device"]) == (counter.device_id, "window-1") for e in rows)
    # Nothing refused: HQ holds every entry the file still has, as it is there.
    journal = await counter.query("SELECT record_id, hash FROM journal_entry WHERE seq > 4")
    held = await hq.rows("SELECT record_id, hash FROM journal WHERE seq > 4")
    assert {(r["record_id"], r["hash"]) for r in held} == set(journal)


async def test_cash_written_down_in_the_posted_rows_only_is_flagged_at_the_shifts_close(
    site: Site,
) -> None:
    """The journal untouched, only the rows the counter's slip and expected cash are read from:
    ¥100 taken in cash becomes ¥10 in ``tender``, the drawer is short ¥90 and the close agrees.
    HQ recomputes the drawer from its copy of the journal and flags the close."""
    counter, community = site.counter, site.community
    shift_id = await counter.open_shift(community.cashier_id)
    [paid] = await _payments(site, 0, range(1))
    await _write_down_posted_rows(counter, paid.payment_id)
    svc = counter.svc
    drawer = await counter.run(get_drawer_cash(svc, shift_id=shift_id))
    assert drawer.expected.fen == 50_000 + 1_000
    await counter.run(
        close_shift(
            svc, close_id=svc.ids.new_str(), shift_id=shift_id, closed_by=community.cashier_id,
            counts={"n100": 5, "n10": 1},
        )
    )  # fmt: skip
    await counter.sync()
    await site.login()
    rows = (await site.report("/api/v1/reports/exceptions"))["rows"]
    assert [(e["kind"], e["seq"], e["device_id"], e["device"], e["detail"]) for e in rows] == [
        ("expected_cash_mismatch", 3, counter.device_id, "window-1",
         {"kind": "shift_close", "shift_id": shift_id, "expected_fen": 51_000,
          "hq_expected_fen": 60_000, "difference_fen": -9_000}),
    ]  # fmt: skip


async def test_a_card_taking_written_down_in_the_posted_rows_only_is_flagged_at_the_close(
    site: Site,
) -> None:
    """The journal untouched: ¥100 taken by bank card becomes ¥10 in ``tender``, so the counter's
    slip (and the close's ``method_totals``) say ¥10 of card. The drawer's cash is right, so only
    HQ's sum of the shift's card money lines, from its copy of the journal, can tell."""
    from feetui.core.money import Money
    from feetui.services.payments import take_payment
    from feetui.services.results import TenderInput

    counter, community, svc = site.counter, site.community, site.counter.svc
    shift_id = await counter.open_shift(community.cashier_id)
    await _payments(site, 0, range(1))
    card = await counter.run(
        take_payment(
            svc, payment_id=svc.ids.new_str(), unit_id=community.units[1],
            cashier_id=community.cashier_id, charge_ids=[community.charges[community.units[1]][0]],
            tenders=[TenderInput("card", Money(10_000), reference="T-0001")],
        )
    )  # fmt: skip
    await _write_down_posted_rows(counter, card.payment_id)
    await counter.run(
        close_shift(
            svc, close_id=svc.ids.new_str(), shift_id=shift_id, closed_by=community.cashier_id,
            counts={"n100": 6},
        )
    )  # fmt: skip
    await counter.sync()
    await site.login()
    rows = (await site.report("/api/v1/reports/exceptions"))["rows"]
    assert [(e["kind"], e["seq"], e["device_id"], e["device"], e["detail"]) for e in rows] == [
        ("method_total_mismatch", 4, counter.device_id, "window-1",
         {"kind": "shift_close", "shift_id": shift_id,
          "methods": [{"method": "card", "counter_fen": 1_000, "hq_fen": 10_000,
                       "difference_fen": -9_000}]}),
    ]  # fmt: skip
