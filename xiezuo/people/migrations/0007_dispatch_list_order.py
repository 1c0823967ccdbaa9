from django.db import migrations


class Migration(migrations.Migration):
    """The dispatch list's order (latest planned start first, then id) through an index: at
    national scale its first page reads fifty index entries instead of sorting every
    dispatch. Kept in SQL rather than in `Dispatch.Meta` (people/models.py belongs to the
    app's owner)."""

    dependencies = [
        ('people', '0006_people_total_by_prefix'),
    ]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS people_dispatch_list_order ON people_dispatch (planned_start DESC, id)",
            "DROP INDEX IF EXISTS people_dispatch_list_order",
        ),
    ]
