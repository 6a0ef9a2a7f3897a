"""Triggers that refuse UPDATE and DELETE on posted records (RELIABILITY R11).

The table list is written out here, not imported, so this migration stays what it was when it ran.
A correction is always a new row (void, reversal, adjustment) that points at the old one.

RunPython, not RunSQL: the SQLite schema editor splits RunSQL text on ";", which a trigger body
needs, so each statement is sent whole through the migration's own (transactional) client.
"""

from tortoise import migrations
from tortoise.migrations import operations as ops

POSTED_TABLES = (
    "adjustment",
    "allocation",
    "cash_movement",
    "charge",
    "collection_note",
    "journal_entry",
    "meter_reading",
    "payment",
    "prepaid_entry",
    "receipt_number",
    "receipt_series",
    "refund",
    "shift",
    "shift_close",
    "tender",
    "void",
)


def _create(table: str, action: str) -> str:
    return (
        f'CREATE TRIGGER IF NOT EXISTS "{table}_no_{action.lower()}" BEFORE {action} ON "{table}" '
        f"BEGIN SELECT RAISE(ABORT, 'posted_row_immutable: {table}'); END"
    )


def _drop(table: str, action: str) -> str:
    return f'DROP TRIGGER IF EXISTS "{table}_no_{action.lower()}"'


async def _run(schema_editor, statements: list[str]) -> None:
    for statement in statements:
        await schema_editor.client.execute_query(statement)


async def forwards(apps, schema_editor) -> None:
    await _run(schema_editor, [_create(t, a) for t in POSTED_TABLES for a in ("UPDATE", "DELETE")])


async def backwards(apps, schema_editor) -> None:
    await _run(schema_editor, [_drop(t, a) for t in POSTED_TABLES for a in ("UPDATE", "DELETE")])


class Migration(migrations.Migration):
    dependencies = [("models", "0001_initial")]

    initial = False

    operations = [
        ops.RunPython(forwards, reverse_code=backwards),
    ]
