"""Entries keep one index by account: (account, seq). See Entry.Meta."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('ledger', '0004_entry_references_by_statement'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='entry',
            name='ledger_entr_account_b0fea6_idx',
        ),
    ]
