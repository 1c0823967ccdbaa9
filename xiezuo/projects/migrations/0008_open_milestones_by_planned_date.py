from django.db import migrations


class Migration(migrations.Migration):
    """The dashboard's late milestones (planned before today, not done) through a partial index
    on the open milestones' planned date: at national scale 45,000 open of 300,000, of which
    about 5,000 are late; the count and the oldest ten read those instead of every milestone.
    Kept in SQL rather than in `Milestone.Meta` (projects/models.py belongs to the app's
    owner); both databases support a partial index."""

    dependencies = [
        ('projects', '0007_summary_totals'),
    ]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS projects_milestone_open_planned ON projects_milestone (planned_date, project_id) "
            "WHERE actual_date IS NULL",
            "DROP INDEX IF EXISTS projects_milestone_open_planned",
        ),
    ]
