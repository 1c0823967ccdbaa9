"""Idempotency keys are an organisation's own: a posting's key belongs to the organisation its
poster acts for, so one office's key never collides with another's. The namespace is not part
of the chain (the key is), so setting it on the postings made before leaves `ledger verify`
as it was; on PostgreSQL the append-only guard is set aside for that one statement.

SQLite rebuilds ledger_posting for the new column and constraint: ledger_entry's check is set
aside meanwhile, and the posting's reference checks (migration 0006) are made again after.
"""
import importlib

from django.db import migrations, models

REFERENCES = importlib.import_module("xiezuo.ledger.migrations.0006_posting_references_by_statement")


def _profiles(apps, schema_editor):
    Profile = apps.get_model("users", "Profile")
    return schema_editor.quote_name(Profile._meta.db_table)


def own_keys(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    if postgres:
        schema_editor.execute("ALTER TABLE ledger_posting DISABLE TRIGGER ledger_posting_append_only")
    schema_editor.execute(
        f"UPDATE ledger_posting SET key_ns = COALESCE((SELECT p.organisation_id FROM {_profiles(apps, schema_editor)} p "
        f"WHERE p.user_id = ledger_posting.created_by_id), 0) WHERE created_by_id IS NOT NULL")
    if postgres:
        schema_editor.execute("ALTER TABLE ledger_posting ENABLE TRIGGER ledger_posting_append_only")


def sqlite_checks_back(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for column, _table, _noun, _lock in REFERENCES.REFERENCES:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS ledger_posting_{column}_exists")
        for trigger in REFERENCES._sqlite_triggers():
            schema_editor.execute(trigger)
    REFERENCES.put_entry_check_back(apps, schema_editor)


class Migration(migrations.Migration):

    dependencies = [
        ('ledger', '0006_posting_references_by_statement'),
        ('users', '0001_initial'),
    ]

    operations = [
        migrations.RunPython(REFERENCES.set_entry_check_aside, sqlite_checks_back),
        migrations.RemoveConstraint(
            model_name='posting',
            name='ledger_posting_idempotency_key_uniq',
        ),
        migrations.AddField(
            model_name='posting',
            name='key_ns',
            field=models.BigIntegerField(db_default=0, default=0, editable=False, verbose_name='idempotency key namespace'),
        ),
        migrations.RunPython(own_keys, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='posting',
            constraint=models.UniqueConstraint(fields=('idempotency_key', 'key_ns'), name='ledger_posting_key_per_org'),
        ),
        migrations.RunPython(sqlite_checks_back, REFERENCES.set_entry_check_aside),
    ]
