"""Scanned-code payments not yet settled (feetui/db/models/scan.py): a local working table, not
posted (its state changes until final) and never synced, so no immutability triggers.
"""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0006_arrears')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ScanPayment',
            fields=[
                ('id', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=36)),
                ('device_id', fields.CharField(db_index=True, max_length=36)),
                ('unit_id', fields.CharField(db_index=True, max_length=36)),
                ('cashier_id', fields.CharField(max_length=36)),
                ('provider', fields.CharField(max_length=16)),
                ('amount_fen', fields.IntField()),
                ('code_masked', fields.CharField(max_length=32)),
                ('intent_json', fields.TextField(unique=False)),
                ('state', fields.CharField(db_index=True, max_length=16)),
                ('reason', fields.CharField(default='', max_length=64)),
                ('transaction_id', fields.CharField(default='', max_length=64)),
                ('cancel_requested', fields.BooleanField(default=False)),
                ('posted', fields.BooleanField(default=False)),
                ('error', fields.CharField(default='', max_length=200)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'scan_payment', 'app': 'models', 'pk_attr': 'id', 'table_description': 'One scanned payment of this counter, from the scan to its final state.'},
            bases=['Model'],
        ),
    ]
