"""A placement's references (worker, registering county, employer, place of work, job) are
checked by the writer once per batch over the distinct ids (`actions.check_placements`),
instead of by five deferred foreign keys probed and locked row by row at commit (a batch of
10,000 placements: 50,000 probes for a few thousand distinct rows). The writer takes the
same lock on each distinct row (FOR KEY SHARE).

The delete side of the keys becomes a guard on the referenced tables (PostgreSQL): deleting
(or renumbering) a worker, organisation, region or job that a placement names is refused, as
the foreign key refused it. A job's placements lose the job first (Django's SET_NULL), so a
job is still deleted as before. On SQLite (one writer at a time) the writer's check is the
whole rule.

The indexes on worker and county went with the keys: the unique (worker, employer, start)
and (county, start date) indexes start with them. The same for a check's placement (the
unique (placement, milestone)).
"""
import django.db.models.deletion
from django.db import migrations, models

# referenced table → the placement columns that name it
GUARDED = {
    "labour_worker": ("worker_id",),
    "orgs_organisation": ("employer_id",),
    "regions_region": ("county_id", "place_id"),
    "labour_job": ("job_id",),
}

PG_GUARD_FUNCTION = """
CREATE OR REPLACE FUNCTION labour_placement_referenced() RETURNS trigger AS $$
DECLARE
    col text;
    placement bigint;
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.id = OLD.id THEN
        RETURN NEW;
    END IF;
    FOREACH col IN ARRAY TG_ARGV LOOP
        EXECUTE format('SELECT id FROM labour_placement WHERE %I = $1 LIMIT 1', col) INTO placement USING OLD.id;
        IF placement IS NOT NULL THEN
            RAISE EXCEPTION '% #% of % is named by labour placement #% (%): refused', TG_OP, OLD.id, TG_TABLE_NAME, placement, col
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


def add_guards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(PG_GUARD_FUNCTION, params=None)
    for table, columns in GUARDED.items():
        schema_editor.execute(
            f"CREATE TRIGGER {table}_placement_referenced BEFORE DELETE OR UPDATE OF id ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION labour_placement_referenced({', '.join(repr(c) for c in columns)})"
        )


def drop_guards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in GUARDED:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_placement_referenced ON {table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS labour_placement_referenced()")


class Migration(migrations.Migration):

    dependencies = [
        ('labour', '0004_fill_labourtotal'),
        ('orgs', '0001_initial'),
        ('regions', '0001_initial'),
    ]

    operations = [
        migrations.AlterField(
            model_name='placement',
            name='county',
            field=models.ForeignKey(db_constraint=False, db_index=False, editable=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='regions.region', verbose_name='registering county'),
        ),
        migrations.AlterField(
            model_name='placement',
            name='employer',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.PROTECT, related_name='labour_placements', to='orgs.organisation', verbose_name='employer'),
        ),
        migrations.AlterField(
            model_name='placement',
            name='job',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='placements', to='labour.job', verbose_name='job'),
        ),
        migrations.AlterField(
            model_name='placement',
            name='place',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='regions.region', verbose_name='place of work'),
        ),
        migrations.AlterField(
            model_name='placement',
            name='worker',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='placements', to='labour.worker', verbose_name='worker'),
        ),
        # the index alone: Django's AlterField would also drop and re-add the foreign key,
        # validating it over every check (tens of seconds at national scale)
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AlterField(
                model_name='retentioncheck',
                name='placement',
                field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='checks', to='labour.placement', verbose_name='placement'),
            )],
            database_operations=[migrations.RunSQL(
                "DROP INDEX IF EXISTS labour_retentioncheck_placement_id_7b9b0fdd",
                "CREATE INDEX labour_retentioncheck_placement_id_7b9b0fdd ON labour_retentioncheck (placement_id)",
            )],
        ),
        migrations.RunPython(add_guards, drop_guards),
    ]
