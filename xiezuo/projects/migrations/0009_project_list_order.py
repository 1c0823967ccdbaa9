from django.db import migrations


class Migration(migrations.Migration):
    """The projects list's order (latest planned start first, then code) and the year filter's
    first start and last end through indexes: at national scale the list's first page and
    the two ends read a few index entries instead of sorting 100,000 projects. Kept in SQL
    rather than in `Project.Meta` (projects/models.py belongs to the app's owner)."""

    dependencies = [
        ('projects', '0008_open_milestones_by_planned_date'),
    ]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS projects_project_list_order ON projects_project (planned_start DESC, code)",
            "DROP INDEX IF EXISTS projects_project_list_order",
        ),
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS projects_project_planned_end ON projects_project (planned_end)",
            "DROP INDEX IF EXISTS projects_project_planned_end",
        ),
    ]
