"""Handovers and settlement checks (feetui/db/models/handover.py), posted from the start: triggers
refuse UPDATE and DELETE on both tables, as 0002 does for the ledger's posted tables (R11, R16).

The SQL is written out here so this migration stays what it was when it ran. RunPython, not
RunSQL: the SQLite schema editor splits RunSQL text on ";", which a trigger body needs.
"""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

POSTED_TABLES = ("handover", "settlement_check")


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
    dependencies = [('models', '0004_ledger_indexes')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Handover',
            fields=[
                ('id', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=36)),
                ('shift', fields.OneToOneField('models.Shift', source_field='shift_id', db_constraint=True, to_field='id', related_name='handover', on_delete=OnDelete.RESTRICT)),
                ('next_shift', fields.OneToOneField('models.Shift', source_field='next_shift_id', db_constraint=True, to_field='id', related_name='handed_over_from', on_delete=OnDelete.RESTRICT)),
                ('accepted_by', fields.ForeignKeyField('models.User', source_field='accepted_by_id', db_constraint=True, to_field='id', related_name='accepted_handovers', on_delete=OnDelete.RESTRICT)),
                ('left_fen', fields.IntField()),
                ('counted_fen', fields.IntField()),
                ('counts_json', fields.TextField(default='{}', unique=False)),
                ('difference_fen', fields.IntField()),
                ('note', fields.CharField(default='', max_length=200)),
                ('device_id', fields.CharField(db_index=True, max_length=36)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'handover', 'app': 'models', 'pk_attr': 'id', 'table_description': "The acceptance of a closed shift's drawer by the next cashier, who opens the next shift."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SettlementCheck',
            fields=[
                ('id', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=36)),
                ('close', fields.ForeignKeyField('models.ShiftClose', source_field='close_id', db_constraint=True, to_field='id', related_name='settlement_checks', on_delete=OnDelete.RESTRICT)),
                ('method', fields.CharField(max_length=16)),
                ('recorded_fen', fields.IntField()),
                ('slip_fen', fields.IntField()),
                ('difference_fen', fields.IntField()),
            ],
            options={'table': 'settlement_check', 'app': 'models', 'unique_together': (('close', 'method'),), 'pk_attr': 'id', 'table_description': "One non-cash method's settlement slip figure beside the shift's own total for it."},
            bases=['Model'],
        ),
        ops.RunPython(forwards, reverse_code=backwards),
    ]
