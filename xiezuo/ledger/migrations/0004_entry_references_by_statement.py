"""An entry's posting and account are checked once per INSERT statement, over all its rows,
instead of by per-row foreign keys.

A per-row foreign-key check share-locks the referenced row, so a batch of 10,000 postings
(20,000 entries) wrote 40,000 row locks into the postings and accounts it had just made or
read: a third of the database's work for the batch. The trigger below refuses the whole
statement when any of its entries names a posting or an account that does not exist,
with one anti-join over the statement's new rows. The delete side of a foreign key has
nothing to guard here: ledger rows are never deleted (the append-only guards of migration
0002 refuse it; `ledger verify` names an entry whose posting or account is missing).

On SQLite (the embedded default, one writer) a row-level trigger does the same check. A
later migration that rebuilds ledger_entry on SQLite must create it again.
"""
import django.db.models.deletion
from django.db import migrations, models

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION ledger_entry_references() RETURNS trigger AS $$
DECLARE
    missing bigint;
BEGIN
    -- each distinct id probes the primary key once: the cost follows the statement, not the table
    SELECT n.posting_id INTO missing FROM (SELECT DISTINCT posting_id FROM new_entries) n
    WHERE NOT EXISTS (SELECT 1 FROM ledger_posting p WHERE p.id = n.posting_id) LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'a ledger entry names posting #%, which does not exist', missing
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    SELECT n.account_id INTO missing FROM (SELECT DISTINCT account_id FROM new_entries) n
    WHERE NOT EXISTS (SELECT 1 FROM ledger_account a WHERE a.id = n.account_id) LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'a ledger entry names account #%, which does not exist', missing
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
"""
PG_TRIGGER = """
CREATE TRIGGER ledger_entry_references AFTER INSERT ON ledger_entry
REFERENCING NEW TABLE AS new_entries FOR EACH STATEMENT EXECUTE FUNCTION ledger_entry_references()
"""
SQLITE_TRIGGER = """
CREATE TRIGGER ledger_entry_references BEFORE INSERT ON ledger_entry
WHEN NOT EXISTS (SELECT 1 FROM ledger_posting WHERE id = NEW.posting_id)
  OR NOT EXISTS (SELECT 1 FROM ledger_account WHERE id = NEW.account_id)
BEGIN
    SELECT RAISE(ABORT, 'ledger entry names a posting or an account that does not exist');
END
"""


def add_check(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_FUNCTION, params=None)
        schema_editor.execute(PG_TRIGGER)
    elif schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(SQLITE_TRIGGER)


def drop_check(apps, schema_editor):
    schema_editor.execute("DROP TRIGGER IF EXISTS ledger_entry_references" +
                          (" ON ledger_entry" if schema_editor.connection.vendor == "postgresql" else ""))
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS ledger_entry_references()")


class Migration(migrations.Migration):

    dependencies = [
        ('ledger', '0003_lean_indexes'),
    ]

    operations = [
        migrations.AlterField(
            model_name='entry',
            name='account',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='entries', to='ledger.account', verbose_name='account'),
        ),
        migrations.AlterField(
            model_name='entry',
            name='posting',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.PROTECT, related_name='entries', to='ledger.posting', verbose_name='posting'),
        ),
        migrations.RunPython(add_check, drop_check),
    ]
