"""The unit search index (search_key, search_unit) and the per-unit balance summary
(unit_balance) of feetui/db/search_index.py, with the triggers that keep unit_balance current.

Posted rows are only ever inserted, so AFTER INSERT triggers on charge, allocation, adjustment and
prepaid_entry see every change to what a unit owes, whoever writes it (services, the demo's bulk
path, the sync puller). The SQL is written out here so this migration stays what it was when it ran.

RunPython, not RunSQL: the SQLite schema editor splits RunSQL text on ";", which a trigger body
needs, so each statement is sent whole through the migration's own (transactional) client.
"""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

_UPSERT = (
    "ON CONFLICT (unit_id) DO UPDATE SET arrears_fen = arrears_fen + excluded.arrears_fen, "
    "prepaid_fen = prepaid_fen + excluded.prepaid_fen"
)

FORWARDS = [
    # A database that already holds posted rows starts with their balances.
    """INSERT OR REPLACE INTO unit_balance (unit_id, arrears_fen, prepaid_fen)
    SELECT u.id,
      COALESCE((SELECT SUM(c.amount_fen) FROM charge c WHERE c.unit_id = u.id), 0)
      - COALESCE((SELECT SUM(a.amount_fen) FROM allocation a JOIN charge c ON c.id = a.charge_id
                  WHERE c.unit_id = u.id), 0)
      - COALESCE((SELECT SUM(j.amount_fen) FROM adjustment j JOIN charge c ON c.id = j.charge_id
                  WHERE c.unit_id = u.id AND j.kind <> 'late_fee_waiver'), 0),
      COALESCE((SELECT SUM(e.amount_fen) FROM prepaid_entry e WHERE e.unit_id = u.id), 0)
    FROM unit u""",
    f"""CREATE TRIGGER IF NOT EXISTS unit_balance_on_charge AFTER INSERT ON charge
    BEGIN
        INSERT INTO unit_balance (unit_id, arrears_fen, prepaid_fen)
        VALUES (NEW.unit_id, NEW.amount_fen, 0) {_UPSERT};
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS unit_balance_on_allocation AFTER INSERT ON allocation
    BEGIN
        INSERT INTO unit_balance (unit_id, arrears_fen, prepaid_fen)
        SELECT unit_id, -NEW.amount_fen, 0 FROM charge WHERE id = NEW.charge_id {_UPSERT};
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS unit_balance_on_adjustment AFTER INSERT ON adjustment
    WHEN NEW.kind <> 'late_fee_waiver'
    BEGIN
        INSERT INTO unit_balance (unit_id, arrears_fen, prepaid_fen)
        SELECT unit_id, -NEW.amount_fen, 0 FROM charge WHERE id = NEW.charge_id {_UPSERT};
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS unit_balance_on_prepaid AFTER INSERT ON prepaid_entry
    BEGIN
        INSERT INTO unit_balance (unit_id, arrears_fen, prepaid_fen)
        VALUES (NEW.unit_id, 0, NEW.amount_fen) {_UPSERT};
    END""",
]

BACKWARDS = [
    "DROP TRIGGER IF EXISTS unit_balance_on_prepaid",
    "DROP TRIGGER IF EXISTS unit_balance_on_adjustment",
    "DROP TRIGGER IF EXISTS unit_balance_on_allocation",
    "DROP TRIGGER IF EXISTS unit_balance_on_charge",
]


async def _run(schema_editor, statements: list[str]) -> None:
    for statement in statements:
        await schema_editor.client.execute_query(statement)


async def forwards(apps, schema_editor) -> None:
    await _run(schema_editor, FORWARDS)


async def backwards(apps, schema_editor) -> None:
    await _run(schema_editor, BACKWARDS)

class Migration(migrations.Migration):
    dependencies = [('models', '0002_posted_rows_immutable')]

    initial = False

    operations = [
        ops.CreateModel(
            name='SearchKey',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('key', fields.CharField(max_length=64)),
                ('unit_id', fields.CharField(db_index=True, max_length=36)),
            ],
            options={'table': 'search_key', 'app': 'models', 'unique_together': (('key', 'unit_id'),), 'pk_attr': 'id', 'table_description': 'One key a unit is found by (``c:3-2-1502``, ``n:张三丰``, ``i:zsf`` ...).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SearchUnit',
            fields=[
                ('unit_id', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=36)),
                ('code', fields.CharField(max_length=32)),
                ('owner_name', fields.CharField(default='', max_length=100)),
                ('phone_masked', fields.CharField(default='', max_length=32)),
                ('plates', fields.CharField(default='', max_length=200)),
                ('tags', fields.CharField(default='', max_length=200)),
            ],
            options={'table': 'search_unit', 'app': 'models', 'pk_attr': 'unit_id', 'table_description': 'What the lookup list shows of a unit: code, owner, masked phone, plates and tags.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='UnitBalance',
            fields=[
                ('unit_id', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=36)),
                ('arrears_fen', fields.IntField(default=0)),
                ('prepaid_fen', fields.IntField(default=0)),
            ],
            options={'table': 'unit_balance', 'app': 'models', 'pk_attr': 'unit_id', 'table_description': 'What a unit owes now and the prepaid balance it holds, kept current by triggers.'},
            bases=['Model'],
        ),
        ops.RunPython(forwards, reverse_code=backwards),
    ]
