"""Arrears work: collection-note details, instalment plans (lines, covered charges), tag changes.

The new tables are posted records: triggers refuse UPDATE and DELETE on them, as 0002 does for
the ledger's tables (RunPython for the same reason: the schema editor splits RunSQL on ";").
"""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

POSTED_TABLES = (
    "collection_note_detail",
    "instalment_charge",
    "instalment_line",
    "instalment_plan",
    "unit_tag_change",
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
    dependencies = [('models', '0005_shift_handover')]

    initial = False

    operations = [
        ops.CreateModel(
            name='CollectionNoteDetail',
            fields=[
                ('id', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=36)),
                ('note', fields.OneToOneField('models.CollectionNote', source_field='note_id', db_constraint=True, to_field='id', related_name='detail', on_delete=OnDelete.RESTRICT)),
                ('contacted_on', fields.DateField()),
                ('reason_detail', fields.CharField(default='', max_length=100)),
                ('promised_amount_fen', fields.IntField(null=True)),
            ],
            options={'table': 'collection_note_detail', 'app': 'models', 'pk_attr': 'id', 'table_description': "What a follow-up says beyond its collection note: the day, the reason's detail, the sum"},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='InstalmentPlan',
            fields=[
                ('id', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=36)),
                ('unit', fields.ForeignKeyField('models.Unit', source_field='unit_id', db_constraint=True, to_field='id', related_name='instalment_plans', on_delete=OnDelete.RESTRICT)),
                ('debt_fen', fields.IntField()),
                ('supersedes', fields.ForeignKeyField('models.InstalmentPlan', source_field='supersedes_id', null=True, db_constraint=True, to_field='id', related_name='superseded_by', on_delete=OnDelete.RESTRICT)),
                ('note', fields.CharField(default='', max_length=200)),
                ('approver', fields.ForeignKeyField('models.User', source_field='approver_id', db_constraint=True, to_field='id', related_name='approved_plans', on_delete=OnDelete.RESTRICT)),
                ('requested_by', fields.ForeignKeyField('models.User', source_field='requested_by_id', db_constraint=True, to_field='id', related_name='requested_plans', on_delete=OnDelete.RESTRICT)),
                ('device_id', fields.CharField(db_index=True, max_length=36)),
                ('business_date', fields.DateField()),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'instalment_plan', 'app': 'models', 'indexes': [Index(fields=['unit_id', 'created_at'])], 'pk_attr': 'id', 'table_description': "A schedule agreed by a supervisor to pay a unit's debt off (分期)."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='InstalmentCharge',
            fields=[
                ('id', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=36)),
                ('plan', fields.ForeignKeyField('models.InstalmentPlan', source_field='plan_id', db_constraint=True, to_field='id', related_name='charges', on_delete=OnDelete.RESTRICT)),
                ('charge', fields.ForeignKeyField('models.Charge', source_field='charge_id', db_constraint=True, to_field='id', related_name='instalment_charges', on_delete=OnDelete.RESTRICT)),
                ('outstanding_fen', fields.IntField()),
            ],
            options={'table': 'instalment_charge', 'app': 'models', 'indexes': [Index(fields=['charge_id'])], 'pk_attr': 'id', 'table_description': 'A charge a plan covers, with what it owed when the plan was agreed.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='InstalmentLine',
            fields=[
                ('id', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=36)),
                ('plan', fields.ForeignKeyField('models.InstalmentPlan', source_field='plan_id', db_constraint=True, to_field='id', related_name='lines', on_delete=OnDelete.RESTRICT)),
                ('number', fields.IntField()),
                ('due_date', fields.DateField()),
                ('amount_fen', fields.IntField()),
            ],
            options={'table': 'instalment_line', 'app': 'models', 'unique_together': (('plan', 'number'),), 'pk_attr': 'id', 'table_description': 'One instalment of a plan: pay ``amount_fen`` by ``due_date``.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='UnitTagChange',
            fields=[
                ('id', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=36)),
                ('unit', fields.ForeignKeyField('models.Unit', source_field='unit_id', db_constraint=True, to_field='id', related_name='tag_changes', on_delete=OnDelete.RESTRICT)),
                ('tags_before', fields.CharField(default='', max_length=200)),
                ('tags_after', fields.CharField(default='', max_length=200)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='tag_changes', on_delete=OnDelete.RESTRICT)),
                ('device_id', fields.CharField(db_index=True, max_length=36)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'unit_tag_change', 'app': 'models', 'indexes': [Index(fields=['unit_id'])], 'pk_attr': 'id', 'table_description': "The counter set a unit's resident tags (needs a home visit, elderly ...)."},
            bases=['Model'],
        ),
        ops.RunPython(forwards, reverse_code=backwards),
    ]
