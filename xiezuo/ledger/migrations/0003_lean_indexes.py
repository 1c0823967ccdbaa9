"""Each entry carries its account's balance after it (the replay so far), and the ledger
keeps only the indexes its readers use.

The balance of existing entries is filled once here, by a window sum over each account's
entries in chain order; on PostgreSQL the append-only trigger of ledger_entry is set aside
for that one statement (it refuses every UPDATE, this backfill included) and put back.
"""

import django.db.models.deletion
from django.db import migrations, models

BACKFILL = """
UPDATE ledger_entry SET balance_fen = replay.balance FROM (
    SELECT e.id, SUM(CASE WHEN e.side = a.normal_side THEN e.amount_fen ELSE -e.amount_fen END)
                 OVER (PARTITION BY e.account_id ORDER BY e.seq) AS balance
    FROM ledger_entry e JOIN ledger_account a ON a.id = e.account_id
) AS replay WHERE ledger_entry.id = replay.id
"""


def backfill(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    if postgres:
        schema_editor.execute("ALTER TABLE ledger_entry DISABLE TRIGGER ledger_entry_append_only")
    schema_editor.execute(BACKFILL)
    if postgres:
        schema_editor.execute("ALTER TABLE ledger_entry ENABLE TRIGGER ledger_entry_append_only")


class Migration(migrations.Migration):

    dependencies = [
        ('ledger', '0002_chain_head_and_guards'),
    ]

    operations = [
        migrations.AddField(
            model_name='entry',
            name='balance_fen',
            field=models.BigIntegerField(null=True, verbose_name='balance after (fen)'),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='entry',
            name='balance_fen',
            field=models.BigIntegerField(verbose_name='balance after (fen)'),
        ),
        migrations.AlterField(
            model_name='entry',
            name='account',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='entries', to='ledger.account', verbose_name='account'),
        ),
        migrations.AlterField(
            model_name='posting',
            name='idempotency_key',
            field=models.CharField(max_length=64, verbose_name='idempotency key'),
        ),
        migrations.AlterField(
            model_name='posting',
            name='kind',
            field=models.CharField(choices=[('allocation', 'allocation'), ('arrival', 'arrival'), ('disbursement', 'disbursement'), ('spending', 'spending'), ('reversal', 'reversal')], max_length=16, verbose_name='kind'),
        ),
        migrations.AddIndex(
            model_name='entry',
            index=models.Index(fields=['account', 'seq'], name='ledger_entry_account_seq'),
        ),
        migrations.AddConstraint(
            model_name='posting',
            constraint=models.UniqueConstraint(fields=('idempotency_key',), name='ledger_posting_idempotency_key_uniq'),
        ),
    ]
