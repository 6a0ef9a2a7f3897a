"""The ``feetui`` command: one instance per database (R17), options reach the settings."""

from __future__ import annotations

from feetui import i18n
from feetui.cli import build_parser, main
from feetui.db.connection import InstanceLock


def test_a_second_instance_exits_with_a_clear_message_and_writes_nothing(tmp_path, capsys) -> None:
    database = tmp_path / "counter.sqlite3"
    with InstanceLock(database):  # the first instance holds the database
        code = main(["--db", str(database), "--lang", "en_US", "--printer", "none"])
    assert code == 1
    err = capsys.readouterr().err
    assert "Another feetui is already using this database" in err
    assert str(database) in err
    assert not database.exists()


def test_the_second_instance_message_is_in_chinese_by_default(tmp_path, capsys) -> None:
    database = tmp_path / "counter.sqlite3"
    with InstanceLock(database):
        assert main(["run", "--db", str(database)]) == 1
    message = i18n._("Another feetui is already using this database ({path}). Close it first.")
    assert message.format(path=database) in capsys.readouterr().err


def test_run_is_the_default_command_and_takes_the_global_options() -> None:
    args = build_parser().parse_args(
        [
            "run",
            "--db",
            "x.sqlite3",
            "--lang",
            "en_US",
            "--printer",
            "file:/tmp/p",
            "--server",
            "http://hq",
        ]
    )
    assert (args.db_path, args.lang, args.printer, args.server) == (
        "x.sqlite3",
        "en_US",
        "file:/tmp/p",
        "http://hq",
    )
