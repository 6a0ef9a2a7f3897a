from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0003_search_index')]

    initial = False

    operations = [
        ops.AddIndex(
            model_name='Adjustment',
            index=Index(fields=['charge_id']),
        ),
        ops.AddIndex(
            model_name='Allocation',
            index=Index(fields=['charge_id']),
        ),
        ops.AddIndex(
            model_name='Allocation',
            index=Index(fields=['payment_id']),
        ),
        ops.AddIndex(
            model_name='CashMovement',
            index=Index(fields=['shift_id']),
        ),
        ops.AddIndex(
            model_name='Charge',
            index=Index(fields=['parent_id']),
        ),
        ops.AddIndex(
            model_name='CollectionNote',
            index=Index(fields=['unit_id']),
        ),
        ops.AddIndex(
            model_name='Payment',
            index=Index(fields=['unit_id', 'created_at']),
        ),
        ops.AlterModelOptions(
            name='PinLockout',
            options={'table': 'pin_lockout', 'app': 'models', 'pk_attr': 'user_id', 'table_description': 'Failed PIN attempts of a user on this counter and when the lock ends (local only).'},
        ),
        ops.AddIndex(
            model_name='PrepaidEntry',
            index=Index(fields=['unit_id']),
        ),
        ops.AddIndex(
            model_name='PrepaidEntry',
            index=Index(fields=['payment_id']),
        ),
        ops.AddIndex(
            model_name='Refund',
            index=Index(fields=['unit_id']),
        ),
        ops.AddIndex(
            model_name='Shift',
            index=Index(fields=['device_id', 'opened_at']),
        ),
        ops.AddIndex(
            model_name='Tender',
            index=Index(fields=['payment_id']),
        ),
        ops.AddIndex(
            model_name='Vehicle',
            index=Index(fields=['unit_id']),
        ),
    ]
