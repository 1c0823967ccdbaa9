"""The day each placement's next retention check falls due (`labour.due`), filled from the
facts with one set-based UPDATE before its own indexes are made (one index build instead of
an index entry per row updated)."""
from django.db import migrations, models


def fill(apps, schema_editor):
    """On PostgreSQL the table's plain indexes are set aside while the rows are written and
    built again after (each updated row would otherwise add an entry to every index: most of
    the time of a fill of a million placements); the unique ones stay, as the rules they are."""
    from xiezuo.labour.due import rebuild

    pg = schema_editor.connection.vendor == "postgresql"
    plain = []
    if pg:
        with schema_editor.connection.cursor() as cur:
            cur.execute("SELECT i.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
                        "WHERE x.indrelid = 'labour_placement'::regclass AND NOT x.indisunique AND NOT x.indisprimary")
            plain = cur.fetchall()
        for name, _definition in plain:
            schema_editor.execute(f'DROP INDEX "{name}"')
    rebuild()
    if pg:
        for _name, definition in plain:
            schema_editor.execute(definition)
        schema_editor.execute("ANALYZE labour_placement")  # the planner's view of the new column, before its first query


class Migration(migrations.Migration):

    dependencies = [
        ('labour', '0005_placement_references_by_writer'),
    ]

    operations = [
        migrations.AddField(
            model_name='placement',
            name='next_check_due',
            field=models.DateField(blank=True, editable=False, null=True, verbose_name='next retention check due'),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name='placement',
            index=models.Index(condition=models.Q(('next_check_due__isnull', False)), fields=['next_check_due'], name='labour_placement_due'),
        ),
        migrations.AddIndex(
            model_name='placement',
            index=models.Index(condition=models.Q(('next_check_due__isnull', False)), fields=['county', 'next_check_due'], name='labour_placement_county_due'),
        ),
    ]
