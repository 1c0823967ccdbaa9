"""A posting's references (agreement, project, eastern and western organisation, allocation,
reversed posting, user) are checked once per INSERT statement, over all its rows, instead of
by per-row foreign keys.

Measured on a batch of 10,000 postings (bench/ingest.py, 4 Dec): the per-row checks were
about 30,000 index probes and row locks, 0.15 s of a 0.95 s batch, because thousands of
postings name the same few hundred offices and agreements. The trigger below probes each
distinct id once and share-locks it once (FOR KEY SHARE, the lock a foreign key takes), so
a delete of that row in another transaction still waits for the batch to commit.

The delete side of the keys becomes a guard on the four referenced tables: deleting (or
renumbering) an agreement, project, organisation or user that a posting names is refused,
as the foreign key refused it. Postings themselves are never deleted (the append-only
guards), so the two references between postings need only the existence check.

On SQLite (the embedded default, one writer) a row-level trigger per reference does the
same. A later migration that rebuilds ledger_posting on SQLite must create them again.
"""
import importlib

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

ENTRY_CHECK = importlib.import_module("xiezuo.ledger.migrations.0004_entry_references_by_statement")

# (column, referenced table, what the message calls it, lock it?)
REFERENCES = (
    ("agreement_id", "pairings_agreement", "agreement", True),
    ("project_id", "projects_project", "project", True),
    ("east_org_id", "orgs_organisation", "organisation", True),
    ("west_org_id", "orgs_organisation", "organisation", True),
    ("created_by_id", "auth_user", "user", True),
    ("allocation_id", "ledger_posting", "posting", False),  # postings are append-only: nothing to lock
    ("reversal_of_id", "ledger_posting", "posting", False),
)
# referenced table → the posting columns that name it
GUARDED = {}
for _column, _table, _noun, _lock in REFERENCES:
    if _lock:
        GUARDED.setdefault(_table, []).append(_column)


def _pg_check(column, table, noun, lock):
    locking = f"    PERFORM 1 FROM {table} t WHERE t.id = ANY(ids) FOR KEY SHARE;\n" if lock else ""
    return f"""    ids := ARRAY(SELECT DISTINCT {column} FROM new_postings WHERE {column} IS NOT NULL);
{locking}    SELECT n.id INTO missing FROM unnest(ids) AS n(id)
    WHERE NOT EXISTS (SELECT 1 FROM {table} t WHERE t.id = n.id) LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'a ledger posting names {noun} #% ({column}), which does not exist', missing
            USING ERRCODE = 'foreign_key_violation';
    END IF;
"""


PG_FUNCTION = (
    "CREATE OR REPLACE FUNCTION ledger_posting_references() RETURNS trigger AS $$\n"
    "DECLARE\n    ids bigint[];\n    missing bigint;\nBEGIN\n"
    + "".join(_pg_check(*ref) for ref in REFERENCES)
    + "    RETURN NULL;\nEND;\n$$ LANGUAGE plpgsql;"
)
PG_TRIGGER = """
CREATE TRIGGER ledger_posting_references AFTER INSERT ON ledger_posting
REFERENCING NEW TABLE AS new_postings FOR EACH STATEMENT EXECUTE FUNCTION ledger_posting_references()
"""
# TG_ARGV: the posting columns that name the table the trigger is on
PG_GUARD_FUNCTION = """
CREATE OR REPLACE FUNCTION ledger_posting_referenced() RETURNS trigger AS $$
DECLARE
    col text;
    posting bigint;
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.id = OLD.id THEN
        RETURN NEW;
    END IF;
    FOREACH col IN ARRAY TG_ARGV LOOP
        EXECUTE format('SELECT id FROM ledger_posting WHERE %I = $1 LIMIT 1', col) INTO posting USING OLD.id;
        IF posting IS NOT NULL THEN
            RAISE EXCEPTION '% #% of % is named by ledger posting #% (%): refused', TG_OP, OLD.id, TG_TABLE_NAME, posting, col
                USING ERRCODE = 'foreign_key_violation';
        END IF;
    END LOOP;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""


def _sqlite_triggers():
    for column, table, noun, _lock in REFERENCES:
        yield f"""
CREATE TRIGGER ledger_posting_{column}_exists BEFORE INSERT ON ledger_posting
WHEN NEW.{column} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {table} WHERE id = NEW.{column})
BEGIN
    SELECT RAISE(ABORT, 'ledger posting: the {noun} named by {column} does not exist');
END
"""


def set_entry_check_aside(apps, schema_editor):
    """SQLite rebuilds ledger_posting for the altered fields (a new table, the old one dropped,
    the new one renamed), and refuses the rename while ledger_entry's trigger names the
    table: the trigger is set aside and made again after."""
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS ledger_entry_references")


def put_entry_check_back(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(ENTRY_CHECK.SQLITE_TRIGGER)


def add_checks(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FUNCTION, params=None)
        schema_editor.execute(PG_TRIGGER)
        schema_editor.execute(PG_GUARD_FUNCTION, params=None)
        for table, columns in GUARDED.items():
            schema_editor.execute(
                f"CREATE TRIGGER {table}_posting_referenced BEFORE DELETE OR UPDATE OF id ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION ledger_posting_referenced({', '.join(repr(c) for c in columns)})"
            )
    elif vendor == "sqlite":
        for trigger in _sqlite_triggers():
            schema_editor.execute(trigger)


def drop_checks(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS ledger_posting_references ON ledger_posting")
        schema_editor.execute("DROP FUNCTION IF EXISTS ledger_posting_references()")
        for table in GUARDED:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_posting_referenced ON {table}")
        schema_editor.execute("DROP FUNCTION IF EXISTS ledger_posting_referenced()")
    elif vendor == "sqlite":
        for column, _table, _noun, _lock in REFERENCES:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS ledger_posting_{column}_exists")


def _unkeyed(to, related_name, verbose_name, one_to_one=False):
    field = models.OneToOneField if one_to_one else models.ForeignKey
    return field(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.PROTECT,
                 related_name=related_name, to=to, verbose_name=verbose_name)


class Migration(migrations.Migration):

    dependencies = [
        ('ledger', '0005_one_account_index'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(set_entry_check_aside, put_entry_check_back),
        migrations.AlterField('posting', 'agreement', _unkeyed('pairings.agreement', 'postings', 'agreement')),
        migrations.AlterField('posting', 'project', _unkeyed('projects.project', 'postings', 'project')),
        migrations.AlterField('posting', 'east_org', _unkeyed('orgs.organisation', '+', 'eastern side')),
        migrations.AlterField('posting', 'west_org', _unkeyed('orgs.organisation', '+', 'western side')),
        migrations.AlterField('posting', 'allocation', _unkeyed('ledger.posting', 'arrivals', 'allocation')),
        migrations.AlterField('posting', 'reversal_of', _unkeyed('ledger.posting', 'reversal', 'reversal of', one_to_one=True)),
        migrations.AlterField('posting', 'created_by', _unkeyed(settings.AUTH_USER_MODEL, '+', 'posted by')),
        migrations.RunPython(put_entry_check_back, set_entry_check_aside),
        migrations.RunPython(add_checks, drop_checks),
    ]
