"""Accounts indexed for the funds page's order: (owner, purpose) and (project, owner, purpose), whose
prefixes serve the two keys. See Account.Meta and balances.AccountOrder."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('ledger', '0011_social_kind'),
        ('orgs', '0001_initial'),
        ('projects', '0009_project_list_order'),
    ]

    operations = [
        # the new indexes first: their prefixes take over from the keys' single-column indexes
        migrations.AddIndex(
            model_name='account',
            index=models.Index(fields=['owner', 'purpose'], name='ledger_account_owner_purpose'),
        ),
        migrations.AddIndex(
            model_name='account',
            index=models.Index(fields=['project', 'owner', 'purpose'], name='ledger_account_project_owner'),
        ),
        # The keys' own indexes are dropped by name: altering the fields would make SQLite rebuild
        # the table under the entries' reference trigger, which names it.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='account',
                    name='owner',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='ledger_accounts', to='orgs.organisation', verbose_name='owner'),
                ),
                migrations.AlterField(
                    model_name='account',
                    name='project',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='ledger_accounts', to='projects.project', verbose_name='project'),
                ),
            ],
            database_operations=[
                migrations.RunSQL("DROP INDEX IF EXISTS ledger_account_owner_id_c8eca69b",
                                  "CREATE INDEX ledger_account_owner_id_c8eca69b ON ledger_account (owner_id)"),
                migrations.RunSQL("DROP INDEX IF EXISTS ledger_account_project_id_a4ea95d7",
                                  "CREATE INDEX ledger_account_project_id_a4ea95d7 ON ledger_account (project_id)"),
            ],
        ),
    ]
