"""Fee items get their due day and scope from headquarters (per unit or per vehicle), so a
standalone counter bills them as HQ does (feetui/core/billing.py).

The columns carry their default in the database (``db_default``): SQLite refuses to add a NOT NULL
column without one to a table that has rows, which is every counter's fee_item table."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0007_scan_payments')]

    initial = False

    operations = [
        ops.AddField(
            model_name='FeeItem',
            name='due_day',
            field=fields.IntField(default=28, db_default=28),
        ),
        ops.AddField(
            model_name='FeeItem',
            name='scope',
            field=fields.CharField(default='unit', max_length=16, db_default='unit'),
        ),
    ]
