"""Demo units exported as a sheet and imported on the counter come back exactly as demo data wrote
them: the counter's import writes units, owners, cars and search rows the way demo data does."""

from __future__ import annotations

import io
import sqlite3
from pathlib import Path

import pytest

from feetui.cli import main
from feetui.demo import DemoSummary
from feetui.demo.export import export_units

TABLES = {
    "unit": "SELECT * FROM unit ORDER BY id",
    "party": "SELECT * FROM party ORDER BY id",
    "vehicle": "SELECT * FROM vehicle ORDER BY id",
    "search_key": "SELECT key, unit_id FROM search_key ORDER BY key, unit_id",
    "search_unit": "SELECT * FROM search_unit ORDER BY unit_id",
    "payment": "SELECT count(*), sum(total_fen) FROM payment",
    "charge": "SELECT count(*), sum(amount_fen) FROM charge",
}


def _dump(path: Path) -> dict[str, list[tuple]]:
    with sqlite3.connect(path) as conn:
        return {name: conn.execute(sql).fetchall() for name, sql in TABLES.items()}


def test_demo_units_reimported_on_the_counter_change_nothing(
    small_demo: DemoSummary, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "counter.sqlite3"
    path.write_bytes(small_demo.path.read_bytes())
    sheet = tmp_path / "units.csv"
    export_units(path, sheet)
    before = _dump(path)
    plates = len(before["vehicle"])
    assert main(["import-units", str(sheet), "--db", str(path), "--lang", "en_US"]) == 0
    out = capsys.readouterr().out.strip()
    assert out == f"Imported: 0 new unit(s), 60 updated, {plates} plate(s)."
    assert _dump(path) == before


def _search(path: Path) -> tuple[set[tuple], set[tuple]]:
    """Search keys and list cards by room code, of the residential units without tags."""
    plain = "SELECT id FROM unit WHERE kind = 'residential' AND tags = ''"
    with sqlite3.connect(path) as conn:
        keys = conn.execute(
            "SELECT k.key, u.code FROM search_key k JOIN unit u ON u.id = k.unit_id"
            f" WHERE u.id IN ({plain})"
        ).fetchall()
        cards = conn.execute(
            "SELECT code, owner_name, phone_masked, plates, tags FROM search_unit"
            f" WHERE unit_id IN ({plain})"
        ).fetchall()
    return set(keys), set(cards)


def test_demo_units_imported_on_a_new_counter_are_indexed_as_demo_data_indexes_them(
    small_demo: DemoSummary, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch
) -> None:
    sheet = tmp_path / "units.csv"
    export_units(small_demo.path, sheet)
    path = tmp_path / "new.sqlite3"
    monkeypatch.setattr("sys.stdin", io.StringIO("2468\n"))
    argv = ["users", "add", "2001", "--name", "收银", "--role", "cashier", "--pin-stdin"]
    assert main([*argv, "--db", str(path)]) == 0  # makes the new counter's database
    with sqlite3.connect(small_demo.path) as demo:
        site = demo.execute("SELECT code, name FROM site").fetchone()
    with sqlite3.connect(path) as new:
        new.execute("INSERT INTO site (id, code, name) VALUES ('s1', ?, ?)", site)
    assert main(["import-units", str(sheet), "--db", str(path), "--lang", "en_US"]) == 0
    assert "60 new unit(s)" in capsys.readouterr().out
    demo_keys, demo_cards = _search(small_demo.path)
    new_keys, new_cards = _search(path)
    # The sheet has no kind or tags: compare the units demo data made residential and untagged.
    codes = {card[0] for card in demo_cards}
    assert len(codes) > 30
    assert {card for card in new_cards if card[0] in codes} == demo_cards
    assert {key for key in new_keys if key[1] in codes} == demo_keys
