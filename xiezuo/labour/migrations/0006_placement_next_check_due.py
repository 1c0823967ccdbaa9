"""The day each placement's next retention check falls due (`labour.due`), filled from the
facts with one set-based UPDATE before its indexes are made (one index build instead of an
index entry per row updated)."""
from django.db import migrations, models


def fill(apps, schema_editor):
    from xiezuo.labour.due import rebuild

    rebuild()
    if schema_editor.connection.vendor == "postgresql":  # the planner's view of the new column, before its first query
        schema_editor.execute("ANALYZE labour_placement")


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
